import { makeInstrument, type StrategyDefinition } from '@autotrader/core';
import type { Series } from '@autotrader/data';
import { runBacktest, seriesToFeed, type BacktestResult } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';

/**
 * Runs one series through the real kernel and the simulated venue with its default rules (no fees, no
 * slippage) and `cash` in the quote currency, with the parameters sma-cross(10, 30) of size 1: the run
 * the bench times and the minimal engine is checked against.
 */
export function backtestSeries(series: Series, strategy: StrategyDefinition, cash: number): Promise<BacktestResult> {
  const instrument = makeInstrument(series.meta.instrument);
  return runBacktest({
    strategy,
    params: { fast: 10, slow: 30, size: 1 },
    feeds: [seriesToFeed(series, instrument.id)],
    instruments: [instrument],
    venue: (ctx) => createSimulatedVenue({ config: { startingBalances: { [instrument.quote]: String(cash) } }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus }),
    startingCash: cash,
  });
}
