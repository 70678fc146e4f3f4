import { resolve } from 'node:path';
import { makeInstrument } from '@autotrader/core';
import { readSeries, type Series } from '@autotrader/data';
import { runBacktest } from '@autotrader/engine';
import { seriesToFeed } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { smaCross } from '@autotrader/strategy-sma-cross';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli';
import { goldenSmaCross } from './golden-loop';

type Bars = Extract<Series, { meta: { kind: 'bar' } }>;

const CASES = [
  { name: 'ORCL daily 1995-2014', file: 'data/orcl-1995-2014.arrow', minTrades: 50 },
  { name: 'BTC-PERP 1-minute, Jan 2022', file: 'data/btc-perp-1m.arrow', minTrades: 500 },
];

describe.each(CASES)('golden sma-cross(10, 30) on $name', ({ file, minTrades }) => {
  const series = readSeries(resolve(ROOT, file)) as Bars;
  const expected = goldenSmaCross(series.columns.open, series.columns.close, 10, 30, 1, 100_000);

  it('the engine makes exactly the trades of the plain loop, and the same final value to the cent', async () => {
    const instrument = makeInstrument(series.meta.instrument);
    const result = await runBacktest({
      strategy: smaCross,
      params: { fast: 10, slow: 30, size: 1 },
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      venue: (ctx) => createSimulatedVenue({ config: { startingBalances: { [instrument.quote]: '100000' } }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus }),
      startingCash: 100_000,
    });
    expect(expected.fills.length).toBeGreaterThan(minTrades);
    const actual = result.fills.map((f) => ({ side: f.side, ts: f.tsEvent, price: f.price.toNumber(), qty: f.quantity.toNumber() }));
    const wanted = expected.fills.map((f) => ({ side: f.side, ts: series.columns.tsOpen[f.bar]!, price: f.price, qty: 1 }));
    expect(actual).toEqual(wanted);
    expect(result.finalEquityExact).toBe(expected.finalValue.toFixed());
    expect(Math.abs(result.finalEquity - expected.finalValue.toNumber())).toBeLessThan(0.005);
    expect(result.trades.length).toBe(Math.floor(expected.fills.length / 2));
  });

  it('is reachable from the CLI with --json and gives the same final value', async () => {
    const run = await runCli(['backtest', '--data', file, '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30', '--param', 'size=1', '--cash', '100000', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { summary: { finalEquity: number; trades: number }; trades: unknown[]; fills: unknown[] };
    expect(Math.abs(out.summary.finalEquity - expected.finalValue.toNumber())).toBeLessThan(0.005);
    expect(out.fills).toHaveLength(expected.fills.length);
    expect(out.trades).toHaveLength(Math.floor(expected.fills.length / 2));
  });
});
