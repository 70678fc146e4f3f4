import { resolve } from 'node:path';
import { makeInstrument } from '@autotrader/core';
import { readSeries, type Series } from '@autotrader/data';
import { smaCross } from '@autotrader/strategy-sma-cross';
import { describe, expect, it } from 'vitest';
import { backtestSeries } from './backtest-series';
import { minimalEngineSmaCross } from './minimal-engine';

type Bars = Extract<Series, { meta: { kind: 'bar' } }>;
const ROOT = resolve(import.meta.dirname, '../../..');

// The bench compares the kernel's speed with the minimal engine's: that is only fair if both do the
// same trades. These runs check it on the shipped data against the real kernel.
describe.each(['data/btc-perp-1m.arrow', 'data/orcl-1995-2014.arrow'])('the minimal engine of pnpm bench on %s', (file) => {
  it('makes the kernel’s fills and round trips and reaches the same final value', async () => {
    const series = readSeries(resolve(ROOT, file)) as Bars;
    const instrument = makeInstrument(series.meta.instrument);
    const kernel = await backtestSeries(series, smaCross, 100_000);
    const minimal = minimalEngineSmaCross(series.columns, {
      intervalMs: series.meta.intervalMs!,
      tickSize: instrument.tickSize.toNumber(),
      lotSize: instrument.lotSize.toNumber(),
      startingCash: 100_000,
      fast: 10,
      slow: 30,
      size: 1,
    });
    expect(kernel.fills.length).toBeGreaterThan(50);
    expect(minimal.orders).toBe(kernel.orders.length);
    expect(minimal.fills).toBe(kernel.fills.length);
    expect(minimal.roundTrips).toBe(kernel.trades.length);
    expect(minimal.finalEquity).toBe(Number(kernel.finalEquityExact));
  });
});
