import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAutotraderError, type ErrorCode } from '@autotrader/core';
import { parseFile, symbolFromPath, type ImportOptions } from './parse';
import { isBarSeries, isQuoteSeries, isTradeSeries, type BarSeries, type QuoteSeries, type Series, type TradeSeries } from './series';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotrader-data-parse-'));
});

let counter = 0;
/** Writes `content` to a fresh file named `name` and returns its path. */
function file(name: string, content: string | Uint8Array): string {
  const sub = join(dir, String(counter++));
  const path = join(sub, name);
  mkdirSync(sub, { recursive: true });
  writeFileSync(path, content);
  return path;
}

const arr = (a: ArrayLike<number>): number[] => Array.from(a);
const utc = Date.parse;

function bars(s: Series): BarSeries {
  if (!isBarSeries(s)) throw new Error(`expected bars, got ${s.meta.kind}`);
  return s;
}
function trades(s: Series): TradeSeries {
  if (!isTradeSeries(s)) throw new Error(`expected trades, got ${s.meta.kind}`);
  return s;
}
function quotes(s: Series): QuoteSeries {
  if (!isQuoteSeries(s)) throw new Error(`expected quotes, got ${s.meta.kind}`);
  return s;
}
const ids = (s: TradeSeries): string[] => Array.from({ length: s.length }, (_, i) => s.columns.tradeId(i));

function expectError(fn: () => unknown, code: ErrorCode, details: Record<string, unknown>, ...fragments: RegExp[]): void {
  try {
    fn();
  } catch (e) {
    if (!isAutotraderError(e)) throw e;
    expect(e.code, e.message).toBe(code);
    expect(e.details).toMatchObject(details);
    for (const f of fragments) expect(e.message).toMatch(f);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

describe('OHLCV CSV', () => {
  it('reads a Yahoo-style header case-insensitively, ignoring Adj Close, and infers a daily interval', () => {
    const path = file(
      'orcl.txt',
      'Date,Open,High,Low,Close,Adj Close,Volume\n1995-01-03,2.179012,2.191358,2.117284,2.117284,1.883304,36301200\n1995-01-04,2.123457,2.148148,2.092592,2.135803,1.899776,46051600\n1995-01-05,2.141975,2.148148,2.086420,2.092592,1.861340,30490000\n1995-01-09,2,2,2,2,1,1\n',
    );
    const s = bars(parseFile(path, { venue: 'NASDAQ', assetClass: 'equity', tickSize: '0.01', lotSize: 1 }));
    expect(s.length).toBe(4);
    expect(arr(s.columns.tsOpen)).toEqual([utc('1995-01-03'), utc('1995-01-04'), utc('1995-01-05'), utc('1995-01-09')]);
    expect(arr(s.columns.close)).toEqual([2.117284, 2.135803, 2.092592, 2]);
    expect(arr(s.columns.volume)).toEqual([36301200, 46051600, 30490000, 1]);
    expect(s.meta.intervalMs).toBe(86_400_000);
    expect(s.meta.instrument).toMatchObject({ symbol: 'ORCL', venue: 'NASDAQ', assetClass: 'equity', tickSize: '0.01', lotSize: 1 });
  });

  it('reads the nautilus layout (µs fraction) and an unnamed leading index column; no volume → 0', () => {
    const s = bars(parseFile(file('btc.csv', 'timestamp,open,high,low,close,volume\r\n2021-12-31 23:01:00.000000,46319.0,46385.0,46319.0,46377.0,2300413.7295\r\n2021-12-31 23:02:00.000000,46377.0,46411.0,46377.0,46411.0,1829623.1938\r\n'), {}));
    expect(arr(s.columns.tsOpen)).toEqual([utc('2021-12-31T23:01:00Z'), utc('2021-12-31T23:02:00Z')]);
    expect(arr(s.columns.volume)).toEqual([2300413.7295, 1829623.1938]);
    expect(s.meta.intervalMs).toBe(60_000);

    const t = bars(parseFile(file('spy_d.csv', ',date,open,high,low,close\n0,1999-11-01,136.5,137,135.56,135.56\n1,1999-11-02,135.97,137.25,134.59,134.59\n'), {}));
    expect(arr(t.columns.open)).toEqual([136.5, 135.97]);
    expect(arr(t.columns.volume)).toEqual([0, 0]);
  });

  it('reads headerless Lean daily bars with a price scale that stays exact (deci-cents ÷ 10000)', () => {
    const s = bars(parseFile(file('spy.csv', '19980102 00:00,973100,975300,965300,973600,2150000\n19980105 00:00,978400,984400,967800,977500,4030800'), { priceScale: 0.0001 }));
    expect(arr(s.columns.open)).toEqual([97.31, 97.84]);
    expect(arr(s.columns.high)).toEqual([97.53, 98.44]);
    expect(arr(s.columns.volume)).toEqual([2150000, 4030800]);
    expect(s.meta.instrument.symbol).toBe('SPY');
  });

  it('joins separate date and time columns, and honours tab delimiters and quoted fields', () => {
    const s = bars(parseFile(file('mt.tsv', 'Date\tTime\tOpen\tHigh\tLow\tClose\n2020-01-02\t10:00\t1\t2\t0.5\t1.5\n2020-01-02\t10:05\t1.5\t2\t1\t1.2\n'), {}));
    expect(arr(s.columns.tsOpen)).toEqual([utc('2020-01-02T10:00:00Z'), utc('2020-01-02T10:05:00Z')]);
    expect(s.meta.intervalMs).toBe(300_000);
    const q = bars(parseFile(file('q.csv', '"time","open","high","low","close"\n"2020-01-02 10:00","1","2","0.5","1.5"\n"2020-01-02 10:01","1","2","0.5","1.5"\n'), {}));
    expect(arr(q.columns.low)).toEqual([0.5, 0.5]);
  });

  it('takes --interval over the inferred gap and needs it for a single bar', () => {
    const path = file('one.csv', 'ts,open,high,low,close\n2020-01-01,1,1,1,1\n');
    expect(bars(parseFile(path, { interval: '1d' })).meta.intervalMs).toBe(86_400_000);
    expectError(() => parseFile(path, {}), 'CONFIG_INVALID', {}, /--interval/);
  });
});

describe('Binance klines', () => {
  const kline = (t: number): string => `${t},46216.01,46271.08,46208.37,46250.00,40.57574000,${t + 59999},1876220.3,1196,24.1,1114436.1,0`;
  it('reads the headerless 12-column CSV with open times in ms or µs', () => {
    const ms = bars(parseFile(file('BTCUSDT-1m-2022-01-01.csv', `${kline(1640995200000)}\n${kline(1640995260000)}\n`), {}));
    expect(arr(ms.columns.tsOpen)).toEqual([1640995200000, 1640995260000]);
    expect(arr(ms.columns.close)).toEqual([46250, 46250]);
    expect(arr(ms.columns.volume)).toEqual([40.57574, 40.57574]);
    expect(ms.meta.instrument.symbol).toBe('BTCUSDT-1M-2022-01-01');
    const us = bars(parseFile(file('us.csv', `${kline(1640995200000000)}\n${kline(1640995260000000)}\n`), { format: 'binance-kline' }));
    expect(arr(us.columns.tsOpen)).toEqual([1640995200000, 1640995260000]);
  });

  it('reads kline REST JSON (array of arrays with string prices)', () => {
    const json = JSON.stringify([
      [1499040000000, '0.01634790', '0.80000000', '0.01575800', '0.01577100', '148976.11427815', 1499644799999, '2434.19055334', 308, '1756.87402397', '28.46694368', '0'],
      [1499644800000, '0.01577100', '0.02000000', '0.01500000', '0.01600000', '1000', 1500249599999, '0', 1, '0', '0', '0'],
    ]);
    const s = bars(parseFile(file('klines.json', json), { interval: '1w' }));
    expect(arr(s.columns.open)).toEqual([0.0163479, 0.015771]);
    expect(arr(s.columns.low)).toEqual([0.015758, 0.015]);
    expect(s.meta.intervalMs).toBe(604_800_000);
  });
});

describe('trades', () => {
  it('reads a headered trades CSV with side and id (side is the aggressor)', () => {
    const s = trades(parseFile(file('t.csv', 'time,price,qty,side,trade_id\n1570752011620,0.00141342,23,sell,a1\n1570752011620,0.00141266,54,buy,a2\n1570752017964,0.00141266,8,,a3\n'), {}));
    expect(arr(s.columns.ts)).toEqual([1570752011620, 1570752011620, 1570752017964]);
    expect(arr(s.columns.price)).toEqual([0.00141342, 0.00141266, 0.00141266]);
    expect(arr(s.columns.size)).toEqual([23, 54, 8]);
    expect(arr(s.columns.aggressor)).toEqual([-1, 1, 0]);
    expect(ids(s)).toEqual(['a1', 'a2', 'a3']);
  });

  it('reads is_buyer_maker (true → the seller was the aggressor) and files without ids', () => {
    const s = trades(parseFile(file('t.csv', 'timestamp,price,quantity,is_buyer_maker\n2021-01-08T00:00:00.278Z,40000.5,0.1,True\n2021-01-08T00:00:00.279Z,40000.6,0.2,False\n'), {}));
    expect(arr(s.columns.aggressor)).toEqual([-1, 1]);
    expect(ids(s)).toEqual(['', '']);
  });

  it('reads Binance trades CSV (7 columns) and aggTrades CSV (8 columns), headerless', () => {
    const t = trades(parseFile(file('BTCUSDT-trades.csv', '1,40000.10,0.5,20000.05,1609459200123,True,True\n2,40000.20,0.25,10000.05,1609459200123,False,True\n'), {}));
    expect(ids(t)).toEqual(['1', '2']);
    expect(arr(t.columns.ts)).toEqual([1609459200123, 1609459200123]);
    expect(arr(t.columns.aggressor)).toEqual([-1, 1]);
    const a = trades(parseFile(file('agg.csv', '26129,0.01633102,4.70443515,27781,27781,1498793709153000,true,true\n26130,0.01633103,1,27782,27783,1498793709154000,false,true\n'), {}));
    expect(ids(a)).toEqual(['26129', '26130']);
    expect(arr(a.columns.ts)).toEqual([1498793709153, 1498793709154]);
    expect(arr(a.columns.price)).toEqual([0.01633102, 0.01633103]);
    expect(arr(a.columns.aggressor)).toEqual([-1, 1]);
  });

  it('reads Binance aggTrades JSON and trades JSON', () => {
    const agg = trades(parseFile(file('agg.json', JSON.stringify([{ a: 26129, p: '0.01633102', q: '4.70443515', f: 27781, l: 27781, T: 1498793709153, m: true, M: true }])), {}));
    expect([agg.length, agg.columns.price[0], agg.columns.size[0], agg.columns.aggressor[0], agg.columns.tradeId(0)]).toEqual([1, 0.01633102, 4.70443515, -1, '26129']);
    const raw = trades(parseFile(file('raw.json', JSON.stringify([{ id: 28457, price: '4.00000100', qty: '12.00000000', quoteQty: '48.000012', time: 1499865549590, isBuyerMaker: false, isBestMatch: true }])), {}));
    expect([raw.columns.ts[0], raw.columns.price[0], raw.columns.aggressor[0], raw.columns.tradeId(0)]).toEqual([1499865549590, 4.000001, 1, '28457']);
  });

  it('reads freqtrade trades JSON, gzipped (detected by magic bytes)', () => {
    const rows = [
      [1570752011620, '13519807', null, 'sell', 0.00141342, 23.0, 0.03250866],
      [1570752028907, '13519810', null, 'buy', 0.00141379, 581.0, 0.82141199],
    ];
    const s = trades(parseFile(file('XRP_ETH-trades.json.gz', gzipSync(JSON.stringify(rows))), { base: 'XRP', quote: 'ETH' }));
    expect(s.meta.instrument).toMatchObject({ symbol: 'XRP_ETH-TRADES', base: 'XRP', quote: 'ETH' });
    expect(arr(s.columns.ts)).toEqual([1570752011620, 1570752028907]);
    expect(arr(s.columns.aggressor)).toEqual([-1, 1]);
    expect(arr(s.columns.size)).toEqual([23, 581]);
    expect(ids(s)).toEqual(['13519807', '13519810']);
  });
});

describe('quotes', () => {
  it('reads ts,bid,ask headerless (sizes 0 = unknown) and headered with sizes', () => {
    const a = quotes(parseFile(file('eurusd.csv', '1398902400292,1.38676,1.38686\n1398902400920,1.38676,1.38687\n'), {}));
    expect(arr(a.columns.ts)).toEqual([1398902400292, 1398902400920]);
    expect(arr(a.columns.ask)).toEqual([1.38686, 1.38687]);
    expect(arr(a.columns.bidSize)).toEqual([0, 0]);
    const b = quotes(parseFile(file('usdjpy.csv', 'timestamp,bid,ask,bid_size,ask_size\n2013-01-01 22:00:00.295000+00:00,86.71,86.75,1000000,2000000\n'), {}));
    expect([b.columns.ts[0], b.columns.bid[0], b.columns.bidSize[0], b.columns.askSize[0]]).toEqual([utc('2013-01-01T22:00:00.295Z'), 86.71, 1e6, 2e6]);
    const c = quotes(parseFile(file('five.csv', '1,1.1,1.2,5,6\n2,1.1,1.2,7,8\n'), { format: 'quotes-csv' }));
    expect(arr(c.columns.askSize)).toEqual([6, 8]);
  });
});

describe('errors', () => {
  it('DATA_PARSE names the line, the column and the bad text', () => {
    const path = file('bad.csv', 'timestamp,open,high,low,close,volume\n2021-12-31 23:01:00,1,2,0.5,1.5,10\n\n2021-12-31 23:02:00,1,2,abc,1.5,10\n');
    expectError(() => parseFile(path, {}), 'DATA_PARSE', { line: 4, column: 'low', text: 'abc' }, /line 4, column low: "abc" is not a number/);
    expectError(() => parseFile(file('t.csv', 'ts,open,high,low,close\n2021-02-30,1,2,0.5,1.5\n'), {}), 'DATA_PARSE', { line: 2, column: 'ts', text: '2021-02-30' }, /is not a timestamp/);
    expectError(() => parseFile(file('m.csv', 'ts,open,high,low,close\n2021-01-01,1,2,0.5,1.5\n2021-01-02,1,2\n'), {}), 'DATA_PARSE', { line: 3, column: 'low' }, /missing/);
    expectError(() => parseFile(file('e.csv', 'ts,open,high,low,close\n2021-01-01,1,,0.5,1.5\n'), {}), 'DATA_PARSE', { line: 2, column: 'high', text: '' });
    expectError(() => parseFile(file('s.csv', 'ts,price,qty,side\n1,2,3,long\n'), {}), 'DATA_PARSE', { line: 2, column: 'side', text: 'long' });
    expectError(() => parseFile(file('h.csv', 'ts,open,high,close\n2021-01-01,1,2,1.5\n'), { format: 'ohlcv-csv' }), 'DATA_PARSE', { line: 1, column: 'low' }, /has no low column/);
    expectError(() => parseFile(file('f.json', JSON.stringify([[1570752011620, '1', null, 'sell', 'x', 1, 1]])), {}), 'DATA_PARSE', { element: 0, column: 'price' });
    expectError(() => parseFile(file('j.json', '[[1,2,\n3,]'), {}), 'DATA_PARSE', {}, /not valid JSON/);
  });

  it('DATA_UNSORTED names the line: bars must strictly increase, ticks must not decrease', () => {
    const back = file('u.csv', 'ts,open,high,low,close\n2021-01-01,1,1,1,1\n2021-01-03,1,1,1,1\n2021-01-02,1,1,1,1\n');
    expectError(() => parseFile(back, {}), 'DATA_UNSORTED', { line: 4 }, /line 4/, /before/);
    const same = file('d.csv', 'ts,open,high,low,close\n2021-01-01,1,1,1,1\n2021-01-01,1,1,1,1\n');
    expectError(() => parseFile(same, {}), 'DATA_UNSORTED', { line: 3 }, /the same as/);
    expect(parseFile(file('q.csv', '5,1,2\n5,1,2\n6,1,2\n'), {}).length).toBe(3);
    expectError(() => parseFile(file('q.csv', '5,1,2\n6,1,2\n4,1,2\n'), {}), 'DATA_UNSORTED', { line: 3 });
    expectError(() => parseFile(file('a.json', JSON.stringify([{ a: 1, p: '1', q: '1', T: 5, m: true }, { a: 2, p: '1', q: '1', T: 4, m: true }])), {}), 'DATA_UNSORTED', { element: 1 });
  });

  it('DATA_EMPTY for an empty file, a blank file, a header alone, an empty JSON array', () => {
    expectError(() => parseFile(file('empty.csv', ''), {}), 'DATA_EMPTY', {});
    expectError(() => parseFile(file('blank.csv', '\n \n'), {}), 'DATA_EMPTY', {});
    expectError(() => parseFile(file('header.csv', 'ts,open,high,low,close\n'), {}), 'DATA_EMPTY', {}, /no data rows/);
    expectError(() => parseFile(file('e.json', '[]'), {}), 'DATA_EMPTY', {});
  });

  it('DATA_NOT_FOUND for a missing file', () => {
    expectError(() => parseFile(join(dir, 'missing.csv'), {}), 'DATA_NOT_FOUND', { code: 'ENOENT' });
  });

  it('DATA_FORMAT_UNKNOWN when the layout cannot be told', () => {
    expectError(() => parseFile(file('x.csv', 'foo,bar\n1,2\n'), {}), 'DATA_FORMAT_UNKNOWN', {}, /header \[foo, bar\]/, /--format/);
    expectError(() => parseFile(file('y.csv', '2021-01-01,1,2,3,4,5,6,7,8\n'), {}), 'DATA_FORMAT_UNKNOWN', {}, /9 headerless columns/);
    expectError(() => parseFile(file('z.json', '{"a":1}'), {}), 'DATA_FORMAT_UNKNOWN', {});
    expectError(() => parseFile(file('w.json', '[{"x":1}]'), {}), 'DATA_FORMAT_UNKNOWN', {}, /first JSON element/);
    expectError(() => parseFile(file('v.csv', '1,2,3\n'), { format: 'freqtrade-trades' }), 'DATA_FORMAT_UNKNOWN', {}, /JSON layout/);
  });

  it('CONFIG_INVALID for bad options', () => {
    const path = file('ok.csv', '1,1.1,1.2\n');
    const bad: [ImportOptions, RegExp][] = [
      [{ tickSize: 'abc' }, /tickSize/],
      [{ assetClass: 'stock' as never }, /assetClass/],
      [{ priceScale: 0 }, /price-scale/],
      [{ format: 'csv' as never }, /--format/],
    ];
    for (const [options, message] of bad) expectError(() => parseFile(path, options), 'CONFIG_INVALID', {}, message);
  });
});

describe('symbolFromPath', () => {
  it('upper-cases the file name without extensions', () => {
    expect(symbolFromPath('/a/b/btc-perp.csv')).toBe('BTC-PERP');
    expect(symbolFromPath('XRP_ETH-trades.json.gz')).toBe('XRP_ETH-TRADES');
    expect(symbolFromPath('spy')).toBe('SPY');
  });
});
