import { resolve } from 'node:path';
import type { AccountConfigInput, Instrument, StrategyDefinition } from '@autotrader/core';
import { readSeries, type Series } from '@autotrader/data';
import { runBacktest, type BacktestResult, type MarketFeed } from '@autotrader/engine';
import { createSimulatedVenue, type SimulatedVenue } from '@autotrader/plugin-paper';
import { ROOT } from '../cli';

/** A bar series of data/. */
export type Bars = Extract<Series, { meta: { kind: 'bar' } }>;
/** A quote series of data/. */
export type Quotes = Extract<Series, { meta: { kind: 'quote' } }>;

/** Reads one of the repository's data files (the only shared code the plain loops use). */
export function dataFile<T extends Series>(name: string): T {
  return readSeries(resolve(ROOT, 'data', name)) as T;
}

/** What one account run needs: the same account block goes to the engine and to the simulated venue. */
export interface AccountRun {
  readonly strategy: StrategyDefinition;
  readonly params: unknown;
  readonly feeds: readonly MarketFeed[];
  readonly instruments: readonly Instrument[];
  readonly account: AccountConfigInput;
  /** Starting cash in the account's base currency. */
  readonly currency: string;
  readonly startingCash: number;
  readonly venue?: string;
}

/** Runs a backtest on the simulated venue with `config.account` equal to the engine's account; returns the venue too. */
export async function runAccount(run: AccountRun): Promise<{ result: BacktestResult; venue: SimulatedVenue }> {
  let venue: SimulatedVenue | undefined;
  const result = await runBacktest({
    strategy: run.strategy,
    params: run.params,
    feeds: run.feeds,
    instruments: run.instruments,
    account: run.account,
    currency: run.currency,
    startingCash: run.startingCash,
    venue: (ctx) =>
      (venue = createSimulatedVenue({
        config: { venue: run.venue ?? 'SIM', startingBalances: { [run.currency]: String(run.startingCash) }, account: run.account },
        instruments: ctx.instruments,
        clock: ctx.clock,
        bus: ctx.bus,
      })),
  });
  return { result, venue: venue! };
}

/** Within half a cent: "equal to the cent" for figures the engine reports as plain numbers. */
export const CENT = 0.005;
