import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSeries } from './arrow-read';
import { isBarSeries, isQuoteSeries, isTradeSeries, type BarSeries, type QuoteSeries, type TradeSeries } from './series';

/*
 * The datasets shipped in data/. Expected numbers were taken from the source files (see data/README.md),
 * not from our own output: row counts, first and last rows, extremes, and exact integer totals.
 */
const data = (name: string): string => fileURLToPath(new URL(`../../../data/${name}`, import.meta.url));
const utc = Date.parse;

function bars(name: string): BarSeries {
  const s = readSeries(data(name));
  if (!isBarSeries(s)) throw new Error(`${name} is not bars`);
  return s;
}
const row = (s: BarSeries, i: number): number[] => {
  const c = s.columns;
  return [c.tsOpen[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]];
};
const max = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, v), -Infinity);
const min = (a: Float64Array): number => a.reduce((m, v) => Math.min(m, v), Infinity);

describe('shipped data/', () => {
  it('every file is under 4 MB', () => {
    for (const f of ['btc-perp-1m.arrow', 'orcl-1995-2014.arrow', 'spy-1998-2021-daily.arrow', 'eurusd-ticks-2014-05.arrow', 'xrpeth-trades.arrow']) {
      expect(statSync(data(f)).size, f).toBeLessThan(4_000_000);
    }
  });

  it('btc-perp-1m: 45,031 one-minute FTX BTC-PERP bars with no gaps', () => {
    const s = bars('btc-perp-1m.arrow');
    expect(s.length).toBe(45_031);
    expect(s.meta.intervalMs).toBe(60_000);
    expect(s.meta.instrument).toMatchObject({ symbol: 'BTC-PERP', venue: 'FTX', assetClass: 'perpetual', base: 'BTC', quote: 'USD', tickSize: '0.125', lotSize: '0.0001' });
    expect(row(s, 0)).toEqual([utc('2021-12-31T23:01:00Z'), 46319, 46385, 46319, 46377, 2300413.7295]);
    expect(row(s, s.length - 1)).toEqual([utc('2022-02-01T05:31:00Z'), 38525, 38546, 38525, 38544, 685906.9735]);
    expect([max(s.columns.high), min(s.columns.low)]).toEqual([48080, 32837]);
    const t = s.columns.tsOpen;
    let gaps = 0;
    for (let i = 1; i < t.length; i++) if (t[i] - t[i - 1] !== 60_000) gaps++;
    expect(gaps).toBe(0);
  });

  it('orcl-1995-2014: 5,036 daily bars from 1995-01-03, Adj Close ignored', () => {
    const s = bars('orcl-1995-2014.arrow');
    expect(s.length).toBe(5036);
    expect(s.meta.intervalMs).toBe(86_400_000);
    expect(s.meta.instrument).toMatchObject({ symbol: 'ORCL', venue: 'NASDAQ', assetClass: 'equity', quote: 'USD', tickSize: '0.000001', lotSize: '1' });
    expect(row(s, 0)).toEqual([utc('1995-01-03'), 2.179012, 2.191358, 2.117284, 2.117284, 36301200]);
    expect(row(s, s.length - 1)).toEqual([utc('2014-12-31'), 45.450001, 45.560001, 44.970001, 44.970001, 13269200]);
    expect(s.columns.volume.reduce((a, v) => a + v, 0)).toBe(208_702_294_200);
    expect(max(s.columns.high)).toBe(46.709999);
  });

  it('spy-1998-2021-daily: 5,849 bars, deci-cents scaled to dollars exactly', () => {
    const s = bars('spy-1998-2021-daily.arrow');
    expect(s.length).toBe(5849);
    expect(s.meta.instrument).toMatchObject({ symbol: 'SPY', assetClass: 'equity', quote: 'USD' });
    expect(row(s, 0)).toEqual([utc('1998-01-02'), 97.31, 97.53, 96.53, 97.36, 2150000]);
    expect(row(s, s.length - 1)).toEqual([utc('2021-03-31'), 395.35, 398, 395.33, 396.33, 90673494]);
    expect(max(s.columns.high)).toBe(398.12);
  });

  it('eurusd-ticks-2014-05: 99,861 OANDA quotes over 4 whole UTC days, sizes unknown (0)', () => {
    const s = readSeries(data('eurusd-ticks-2014-05.arrow'));
    if (!isQuoteSeries(s)) return expect.unreachable();
    const q: QuoteSeries = s;
    expect(q.length).toBe(24_179 + 49_341 + 1_164 + 25_177);
    expect(q.meta.instrument).toMatchObject({ symbol: 'EURUSD', venue: 'OANDA', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1' });
    expect([q.columns.ts[0], q.columns.bid[0], q.columns.ask[0]]).toEqual([utc('2014-05-01') + 292, 1.38676, 1.38686]);
    const last = q.length - 1;
    expect([q.columns.ts[last], q.columns.bid[last], q.columns.ask[last]]).toEqual([utc('2014-05-05') + 86_399_513, 1.38741, 1.38755]);
    const days = new Set(Array.from(q.columns.ts, (t) => new Date(t).toISOString().slice(0, 10)));
    expect([...days]).toEqual(['2014-05-01', '2014-05-02', '2014-05-04', '2014-05-05']);
    expect(max(q.columns.bidSize) + max(q.columns.askSize)).toBe(0);
  });

  it('xrpeth-trades: 12,477 Binance XRP/ETH trades with ids and aggressor sides', () => {
    const s = readSeries(data('xrpeth-trades.arrow'));
    if (!isTradeSeries(s)) return expect.unreachable();
    const t: TradeSeries = s;
    expect(t.length).toBe(12_477);
    expect(t.meta.instrument).toMatchObject({ symbol: 'XRPETH', venue: 'BINANCE', assetClass: 'spot', base: 'XRP', quote: 'ETH', tickSize: '0.00000001', lotSize: '1' });
    const c = t.columns;
    expect([c.ts[0], c.tradeId(0), c.aggressor[0], c.price[0], c.size[0]]).toEqual([1570752011620, '13519807', -1, 0.00141342, 23]);
    const n = t.length - 1;
    expect([c.ts[n], c.tradeId(n), c.aggressor[n], c.price[n], c.size[n]]).toEqual([1570965568844, '13532283', -1, 0.00152787, 130]);
    expect(c.aggressor.reduce((a, v) => a + (v === 1 ? 1 : 0), 0)).toBe(6524);
    expect(c.size.reduce((a, v) => a + v, 0)).toBe(5_545_735);
  });
});
