import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AutotraderError, accountConfigSchema, checkSettings } from '@autotrader/core';
import { riskConfigSchema } from '@autotrader/engine';

/**
 * The optional JSON config file (`--config autotrader.json`). Command-line flags override it. Unknown
 * keys are errors, so a typo is caught instead of silently ignored.
 */
export const configFileSchema = z
  .object({
    /** Pre-trade risk limits (see README: risk). */
    risk: riskConfigSchema.optional(),
    /** The account (backtest and paper): cash or margin, base currency, leverage, margin rates, closeout level, rates, hedging. Flags override it. */
    account: accountConfigSchema.optional(),
    /** Venue plugin settings, passed to the plugin's own schema (e.g. restUrl, recvWindow). */
    venue: z.record(z.string(), z.unknown()).optional(),
    /** What to do with open orders the venue has and this process does not know, found at reconciliation. */
    unknownOrders: z.enum(['adopt', 'cancel', 'report']).optional(),
    /** Where the order journal lives (live and paper), and its fsync policy. */
    journal: z.object({ path: z.string().min(1), fsync: z.enum(['always', 'interval', 'never']).optional() }).strict().optional(),
    /** How start-up rides out venue trouble (429/418, 5xx, network errors): see LiveSessionOptions.startupRetry. */
    startupRetry: z.object({ maxWaitMs: z.number().int().nonnegative(), baseDelayMs: z.number().int().nonnegative(), maxDelayMs: z.number().int().nonnegative() }).partial().strict().optional(),
  })
  .strict();

/** A validated config file. */
export type ConfigFile = z.output<typeof configFileSchema>;

/** Reads and validates a config file; CONFIG_INVALID names the file, each bad field, and each unknown key with the valid ones. */
export function readConfigFile(path: string): ConfigFile {
  const file = resolve(path);
  let raw: unknown;
  try {
    // A UTF-8 byte-order mark (Windows editors write one) is not part of the JSON.
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a JSON file' : code !== undefined ? `cannot be read (${(error as Error).message})` : `not valid JSON (${(error as Error).message})`;
    throw new AutotraderError('CONFIG_INVALID', `--config ${file}: ${why}`, { cause: error, details: { file } });
  }
  const result = checkSettings(configFileSchema, raw);
  if (!result.success) throw new AutotraderError('CONFIG_INVALID', `${file}: ${result.message}`, { details: { file, issues: result.issues } });
  return result.data;
}

/**
 * Merges `--risk name=value` flags over the file's risk section and validates the result. An unknown
 * limit is refused with the valid ones listed, whichever of the two it came from.
 */
export function resolveRisk(file: ConfigFile | undefined, flags: Record<string, unknown>): z.output<typeof riskConfigSchema> {
  const merged = { ...(file?.risk ?? {}), ...flags };
  const result = checkSettings(riskConfigSchema, merged, 'risk');
  if (!result.success) throw new AutotraderError('CONFIG_INVALID', `risk limits (--risk / config file): ${result.message}`, { details: { issues: result.issues } });
  return result.data;
}
