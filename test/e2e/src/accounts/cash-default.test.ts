import { makeInstrument } from '@autotrader/core';
import { seriesToFeed } from '@autotrader/engine';
import { smaCross } from '@autotrader/strategy-sma-cross';
import { describe, expect, it } from 'vitest';
import { goldenSmaCross } from '../golden-loop';
import { dataFile, runAccount, type Bars } from './run';

const CASES = [
  { name: 'ORCL daily 1995-2014', file: 'orcl-1995-2014.arrow' },
  { name: 'BTC-PERP 1-minute, Jan 2022', file: 'btc-perp-1m.arrow' },
];

/**
 * An account block that says only what the default already is (a cash account in the quote currency)
 * must change nothing: the golden sma-cross figures of golden.test.ts, with the account given to the
 * engine and to the simulated venue alike.
 */
describe.each(CASES)('a cash account given explicitly, golden sma-cross(10, 30) on $name', ({ file }) => {
  it('makes exactly the trades and the final value of the plain loop, and reports no margin account', async () => {
    const series = dataFile<Bars>(file);
    const expected = goldenSmaCross(series.columns.open, series.columns.close, 10, 30, 1, 100_000);
    const instrument = makeInstrument(series.meta.instrument);
    const { result } = await runAccount({
      strategy: smaCross,
      params: { fast: 10, slow: 30, size: 1 },
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      account: { type: 'cash', baseCurrency: instrument.quote },
      currency: instrument.quote,
      startingCash: 100_000,
    });
    const actual = result.fills.map((f) => ({ side: f.side, ts: f.tsEvent, price: f.price.toNumber(), qty: f.quantity.toNumber() }));
    expect(actual).toEqual(expected.fills.map((f) => ({ side: f.side, ts: series.columns.tsOpen[f.bar]!, price: f.price, qty: 1 })));
    expect(result.finalEquityExact).toBe(expected.finalValue.toFixed());
    expect(result.trades.length).toBe(Math.floor(expected.fills.length / 2));
    expect(result.account).toBeUndefined();
  });
});
