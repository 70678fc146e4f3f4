import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertStrategy, AutotraderError, type StrategyDefinition } from '@autotrader/core';
import { fxSessionBreakout } from '@autotrader/strategy-fx-session-breakout';
import { meanReversion } from '@autotrader/strategy-mean-reversion';
import { smaCross } from '@autotrader/strategy-sma-cross';
import { installSharedModuleResolution } from './shared-modules';

/** Strategies that ship with autotrader, by name. */
export const BUILTIN_STRATEGIES: Readonly<Record<string, StrategyDefinition>> = {
  'sma-cross': smaCross as unknown as StrategyDefinition,
  'mean-reversion': meanReversion as unknown as StrategyDefinition,
  'fx-session-breakout': fxSessionBreakout as unknown as StrategyDefinition,
};

/**
 * Finds a strategy: a built-in name, or a path to a module whose default export (or `strategy`
 * export) was made with defineStrategy. The file may live in any folder: its imports of core, zod and
 * rxjs get the engine's own copies ({@link installSharedModuleResolution}). Never scans folders.
 */
export async function loadStrategy(nameOrPath: string): Promise<StrategyDefinition> {
  const builtin = BUILTIN_STRATEGIES[nameOrPath];
  if (builtin !== undefined) return builtin;
  const looksLikePath = /[\\/]|\.[cm]?[jt]s$/.test(nameOrPath);
  if (!looksLikePath) {
    throw new AutotraderError('STRATEGY_NOT_FOUND', `no strategy named '${nameOrPath}' (built-in: ${Object.keys(BUILTIN_STRATEGIES).join(', ')}; or give a path to a .ts file)`);
  }
  const file = resolve(nameOrPath);
  if (!existsSync(file)) throw new AutotraderError('STRATEGY_NOT_FOUND', `strategy file not found: ${file}`);
  installSharedModuleResolution(); // a file from any folder gets the engine's own core, zod and rxjs
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AutotraderError('STRATEGY_INVALID', `could not load ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return assertStrategy(mod.default ?? mod.strategy, file);
}
