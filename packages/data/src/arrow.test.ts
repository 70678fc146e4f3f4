import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { Float64, Int8, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimestampMillisecond, Utf8, RecordBatchStreamWriter } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAutotraderError, type ErrorCode } from '@autotrader/core';
import { arrowFields, LAYOUT, META } from './arrow-schema';
import { readSeries } from './arrow-read';
import { seriesToArrow, writeSeries } from './arrow-write';
import { eventTimes, isBarSeries, isQuoteSeries, isTradeSeries, type BarSeries, type QuoteSeries, type Series, type TradeSeries } from './series';
import { arrayIds } from './trade-ids';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotrader-data-arrow-'));
});

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

const bars = (): BarSeries => ({
  meta: { kind: 'bar', instrument: { symbol: 'BTC-PERP', venue: 'FTX', assetClass: 'perpetual', base: 'BTC', quote: 'USD', tickSize: '1', lotSize: '0.0001' }, intervalMs: MIN, source: 'unit test' },
  length: 4,
  columns: {
    tsOpen: Float64Array.from([0, 1, 2, 3], (i) => T0 + i * MIN),
    open: Float64Array.from([100.5, 101, 102.25, 0.1 + 0.2]),
    high: Float64Array.from([101, 102, 103, Number.MAX_VALUE]),
    low: Float64Array.from([99, 100, 101, 1e-300]),
    close: Float64Array.from([101, 102, 103, Number.MAX_VALUE]),
    volume: Float64Array.from([1.5, 0, 2.25, 3]),
  },
});

const trades = (): TradeSeries => {
  const ids = ['13519807', '', 'é-ü', 'x'.repeat(40)];
  return {
    meta: { kind: 'trade', instrument: { symbol: 'XRPETH', venue: 'BINANCE', base: 'XRP', quote: 'ETH', tickSize: '0.00000001', lotSize: '1' } },
    length: 4,
    columns: {
      ts: Float64Array.from([T0, T0, T0 + 5, -86_400_000 * 365 * 10]).sort(),
      price: Float64Array.from([0.00141342, 0.00141266, 0.00141266, 0.00141379]),
      size: Float64Array.from([23, 54, 8, 581]),
      aggressor: Int8Array.from([-1, -1, 0, 1]),
      tradeId: arrayIds(ids),
    },
  };
};

const quotes = (): QuoteSeries => ({
  meta: { kind: 'quote', instrument: { symbol: 'EURUSD', venue: 'OANDA', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1' } },
  length: 3,
  columns: {
    ts: Float64Array.from([T0 + 292, T0 + 920, T0 + 2870]),
    bid: Float64Array.from([1.38676, 1.38676, 1.38675]),
    ask: Float64Array.from([1.38686, 1.38687, 1.38688]),
    bidSize: Float64Array.from([0, 1e6, 2.5]),
    askSize: Float64Array.from([0, 3e6, 0]),
  },
});

function expectCode(fn: () => unknown, code: ErrorCode, ...fragments: (string | RegExp)[]): void {
  try {
    fn();
  } catch (e) {
    expect(isAutotraderError(e), String(e)).toBe(true);
    expect((e as { code: string }).code, (e as Error).message).toBe(code);
    for (const f of fragments) expect((e as Error).message).toMatch(f);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

const arr = (a: ArrayLike<number>): number[] => Array.from(a);

describe('writeSeries → readSeries round trip', () => {
  it('keeps every bar value, the instrument, the interval and the source exactly', () => {
    const path = join(dir, 'bars.arrow');
    const src = bars();
    writeSeries(path, src);
    const back = readSeries(path);
    expect(isBarSeries(back)).toBe(true);
    if (!isBarSeries(back)) return;
    expect(back.length).toBe(4);
    for (const k of ['tsOpen', 'open', 'high', 'low', 'close', 'volume'] as const) expect(arr(back.columns[k])).toEqual(arr(src.columns[k]));
    expect(back.meta.intervalMs).toBe(MIN);
    expect(back.meta.source).toBe('unit test');
    expect(back.meta.instrument).toMatchObject({ symbol: 'BTC-PERP', venue: 'FTX', assetClass: 'perpetual', base: 'BTC', quote: 'USD', tickSize: '1', lotSize: '0.0001' });
    expect(back.columns.close).toBeInstanceOf(Float64Array);
  });

  it('keeps trades, including equal times, negative epochs and non-ASCII / empty / long ids', () => {
    const path = join(dir, 'trades.arrow');
    const src = trades();
    writeSeries(path, src);
    const back = readSeries(path);
    if (!isTradeSeries(back)) return expect.unreachable('not trades');
    expect(arr(back.columns.ts)).toEqual(arr(src.columns.ts));
    expect(arr(back.columns.price)).toEqual(arr(src.columns.price));
    expect(arr(back.columns.size)).toEqual(arr(src.columns.size));
    expect(arr(back.columns.aggressor)).toEqual([-1, -1, 0, 1]);
    expect(back.columns.aggressor).toBeInstanceOf(Int8Array);
    expect([0, 1, 2, 3].map((i) => back.columns.tradeId(i))).toEqual(['13519807', '', 'é-ü', 'x'.repeat(40)]);
    expect(back.meta.intervalMs).toBeUndefined();
    expect(back.meta.source).toBeUndefined();
  });

  it('converts columns given as other array types instead of reinterpreting their bytes', () => {
    const t = trades();
    (t.columns as { aggressor: unknown }).aggressor = Float64Array.from([-1, -1, 0, 1]);
    (t.columns as { size: unknown }).size = Int32Array.from([23, 54, 8, 581]);
    const path = join(dir, 'converted.arrow');
    writeSeries(path, t);
    const back = readSeries(path);
    if (!isTradeSeries(back)) return expect.unreachable();
    expect(arr(back.columns.aggressor)).toEqual([-1, -1, 0, 1]);
    expect(arr(back.columns.size)).toEqual([23, 54, 8, 581]);
  });

  it('keeps quotes', () => {
    const path = join(dir, 'quotes.arrow');
    writeSeries(path, quotes());
    const back = readSeries(path);
    if (!isQuoteSeries(back)) return expect.unreachable('not quotes');
    expect(arr(back.columns.bid)).toEqual([1.38676, 1.38676, 1.38675]);
    expect(arr(back.columns.askSize)).toEqual([0, 3e6, 0]);
    expect(back.meta.instrument.venue).toBe('OANDA');
  });

  it('writes the documented schema: names, Arrow types and autotrader.* metadata', () => {
    const t = arrow.tableFromIPC(seriesToArrow(bars()));
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'ts_open:Timestamp<MILLISECOND, UTC>',
      'open:Float64',
      'high:Float64',
      'low:Float64',
      'close:Float64',
      'volume:Float64',
    ]);
    expect(Object.fromEntries(t.schema.metadata)).toEqual({
      'autotrader.version': '1',
      'autotrader.kind': 'bar',
      'autotrader.instrument': JSON.stringify(bars().meta.instrument),
      'autotrader.interval_ms': '60000',
      'autotrader.source': 'unit test',
    });
    expect(t.getChild('ts_open')!.get(1)).toBe(T0 + MIN);
  });

  it('is uncompressed and written by rename (no temp file left behind)', () => {
    const path = join(dir, 'sub', 'dir', 'bars.arrow');
    writeSeries(path, bars());
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 6).toString()).toBe('ARROW1');
    // The close column's raw doubles appear verbatim in the file: nothing is compressed.
    const needle = Buffer.from(Float64Array.from([101, 102, 103]).buffer);
    expect(bytes.indexOf(needle)).toBeGreaterThan(0);
  });
});

describe('the streaming writer', () => {
  /** The same series through apache-arrow's own writer: a Table of one record batch, made column by column. */
  function viaApacheArrow(series: Series): Uint8Array {
    const fields = arrowFields(series.meta.kind);
    const n = series.length;
    const cols = series.columns as unknown as Record<string, unknown>;
    const children = LAYOUT[series.meta.kind].map((spec) => {
      if (spec.type === 'timestamp') return makeData({ type: new TimestampMillisecond('UTC'), length: n, nullCount: 0, data: BigInt64Array.from(cols[spec.key] as Float64Array, (v) => BigInt(Math.floor(v))) });
      if (spec.type === 'int8') return makeData({ type: new Int8(), length: n, nullCount: 0, data: cols[spec.key] as Int8Array });
      if (spec.type === 'utf8') {
        const ids = Array.from({ length: n }, (_, i) => (series as TradeSeries).columns.tradeId(i));
        const bytes = new TextEncoder().encode(ids.join(''));
        const offsets = new Int32Array(n + 1);
        ids.forEach((id, i) => (offsets[i + 1] = offsets[i] + new TextEncoder().encode(id).length));
        return makeData({ type: new Utf8(), length: n, nullCount: 0, data: bytes, valueOffsets: offsets });
      }
      return makeData({ type: new Float64(), length: n, nullCount: 0, data: cols[spec.key] as Float64Array });
    });
    const metadata = new Map([
      [META.version, '1'],
      [META.kind, series.meta.kind],
      [META.instrument, JSON.stringify(series.meta.instrument)],
      ...(series.meta.intervalMs === undefined ? [] : [[META.intervalMs, String(series.meta.intervalMs)] as [string, string]]),
      ...(series.meta.source === undefined ? [] : [[META.source, series.meta.source] as [string, string]]),
    ]);
    const schema = new Schema(fields, metadata);
    return tableToIPC(new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }))]), 'file');
  }

  it('writes exactly the bytes apache-arrow writes for bars, trades (UTF-8 ids) and quotes', () => {
    for (const series of [bars(), trades(), quotes()] as Series[]) {
      const ours = seriesToArrow(series);
      expect(Buffer.compare(Buffer.from(ours), Buffer.from(viaApacheArrow(series))), series.meta.kind).toBe(0);
      const path = join(dir, `identical-${series.meta.kind}.arrow`);
      writeSeries(path, series);
      expect(Buffer.compare(readFileSync(path), Buffer.from(ours)), series.meta.kind).toBe(0);
    }
  });

  it('converts negative epoch times to int64 exactly (two 32-bit halves)', () => {
    const q = quotes();
    q.columns.ts.set([-8.64e15, -1, 4294967296 + 5]);
    const back = readSeries(((p) => (writeSeries(p, q), p))(join(dir, 'epochs.arrow')));
    expect(arr((back as QuoteSeries).columns.ts)).toEqual([-8.64e15, -1, 4294967301]);
  });
});

describe('writeSeries refuses series it could not read back', () => {
  it('rejects an instrument that is not a valid spec (found by the fuzz suite: the file was written, then readSeries refused it as DATA_CORRUPT)', () => {
    const s = bars();
    s.meta.instrument = { ...s.meta.instrument, assetClass: 'crypto' as never };
    const path = join(dir, 'bad-instrument.arrow');
    expectCode(() => writeSeries(path, s), 'CONFIG_INVALID', /instrument is not a valid instrument spec \(assetClass: /);
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });
  it('rejects unsorted rows, naming the row (1-based)', () => {
    const s = bars();
    s.columns.tsOpen[2] = s.columns.tsOpen[1];
    expectCode(() => writeSeries(join(dir, 'x.arrow'), s), 'DATA_UNSORTED', /Row 3 goes back/);
  });
  it('rejects rows that break the market-data rules, naming the row and column, and writes nothing', () => {
    const cases: [string, (s: BarSeries) => void, RegExp][] = [
      ['NaN close', (s) => (s.columns.close[1] = NaN), /Row 2, column close: close NaN is not a finite number/],
      ['negative low', (s) => (s.columns.low[0] = -1), /Row 1, column low: low -1 is not a positive price/],
      ['high below low', (s) => (s.columns.high[2] = 100), /Row 3, column high: high 100 is below low 101/],
      ['close above high', (s) => (s.columns.close[0] = 1e9), /Row 1, column close: close 1000000000 is above high 101/],
      ['negative volume', (s) => (s.columns.volume[3] = -2), /Row 4, column volume: volume -2 is negative/],
    ];
    for (const [what, spoil, message] of cases) {
      const s = bars();
      spoil(s);
      const path = join(dir, 'refused', `${what}.arrow`);
      expectCode(() => writeSeries(path, s), 'DATA_PARSE', message);
      expect(() => readFileSync(path)).toThrow(/ENOENT/);
    }
    const spread = bars();
    spread.meta.instrument = { ...spread.meta.instrument, allowNonPositivePrices: true };
    spread.columns.low[0] = -5;
    spread.columns.open[0] = 0;
    const path = join(dir, 'spread.arrow');
    writeSeries(path, spread);
    const back = readSeries(path);
    if (!isBarSeries(back)) return expect.unreachable();
    expect([back.columns.low[0], back.columns.open[0], back.meta.instrument.allowNonPositivePrices]).toEqual([-5, 0, true]);
  });
  it('rejects ragged columns and times that are not epoch ms; truncates sub-ms fractions', () => {
    const s = bars();
    s.columns.volume = s.columns.volume.subarray(0, 3);
    expectCode(() => seriesToArrow(s), 'DATA_CORRUPT', /volume has 3 rows/);
    const q = quotes();
    q.columns.ts[2] = 1e20;
    expectCode(() => seriesToArrow(q), 'DATA_PARSE', /Row 3, column ts: ts 100000000000000000000 is not a time in epoch milliseconds/);
    const f = quotes();
    f.columns.ts[0] += 0.75;
    const path = join(dir, 'fraction.arrow');
    writeSeries(path, f);
    const back = readSeries(path);
    if (!isQuoteSeries(back)) return expect.unreachable();
    expect(back.columns.ts[0]).toBe(T0 + 292);
  });
  it('rejects a bar series without an interval', () => {
    const s = bars();
    delete s.meta.intervalMs;
    expectCode(() => seriesToArrow(s), 'CONFIG_INVALID', /intervalMs/);
  });
});

/** Builds an Arrow file by hand, bypassing writeSeries' checks, to feed the reader bad files. */
function handMade(kind: 'bar' | 'quote', batches: Float64Array[][], metadata: Map<string, string> | null): Uint8Array {
  const fields = arrowFields(kind);
  const schema = new Schema(fields, metadata ?? new Map());
  const rbs = batches.map((cols) => {
    const n = cols[0].length;
    const children = cols.map((c, j) =>
      j === 0
        ? makeData({ type: new TimestampMillisecond('UTC'), length: n, nullCount: 0, data: BigInt64Array.from(c, (v) => BigInt(v)) })
        : makeData({ type: new Float64(), length: n, nullCount: 0, data: c }),
    );
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  });
  return tableToIPC(new Table(schema, rbs), 'file');
}

const quoteMeta = (): Map<string, string> =>
  new Map([
    [META.version, '1'],
    [META.kind, 'quote'],
    [META.instrument, JSON.stringify({ symbol: 'EURUSD' })],
  ]);

const quoteCols = (ts: number[]): Float64Array[] => [Float64Array.from(ts), ...[1, 2, 3, 4].map((k) => Float64Array.from(ts, (_, i) => k * 10 + i))];

describe('readSeries', () => {
  it('concatenates several record batches, ids included', () => {
    const path = join(dir, 'multi.arrow');
    writeFileSync(path, handMade('quote', [quoteCols([1, 2]), quoteCols([2, 5, 9])], quoteMeta()));
    const s = readSeries(path);
    if (!isQuoteSeries(s)) return expect.unreachable();
    expect(s.length).toBe(5);
    expect(arr(s.columns.ts)).toEqual([1, 2, 2, 5, 9]);
    expect(arr(s.columns.bid)).toEqual([10, 11, 10, 11, 12]);

    const fields = arrowFields('trade');
    const schema = new Schema(fields, new Map([...quoteMeta(), [META.kind, 'trade']]));
    const batch = (ts: number[], ids: string[]): RecordBatch => {
      const n = ts.length;
      const bytes = new TextEncoder().encode(ids.join(''));
      const offsets = Int32Array.from([0, ...ids.map((_, i) => ids.slice(0, i + 1).join('').length)]);
      const children = [
        makeData({ type: new TimestampMillisecond('UTC'), length: n, nullCount: 0, data: BigInt64Array.from(ts, BigInt) }),
        makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(ts) }),
        makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(ts) }),
        makeData({ type: new Int8(), length: n, nullCount: 0, data: Int8Array.from(ts, () => 1) }),
        makeData({ type: new Utf8(), length: n, nullCount: 0, data: bytes, valueOffsets: offsets }),
      ];
      return new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
    };
    const tpath = join(dir, 'multi-trades.arrow');
    writeFileSync(tpath, tableToIPC(new Table(schema, [batch([1, 2], ['a', 'bc']), batch([3], ['def'])]), 'file'));
    const t = readSeries(tpath);
    if (!isTradeSeries(t)) return expect.unreachable();
    expect([0, 1, 2].map((i) => t.columns.tradeId(i))).toEqual(['a', 'bc', 'def']);
  });

  it('slices by EVENT time: bars are known at tsOpen + interval; from inclusive, to exclusive; no copy', () => {
    const path = join(dir, 'slice.arrow');
    writeSeries(path, bars());
    // Event times are T0+1m, +2m, +3m, +4m.
    const s = readSeries(path, { from: T0 + 2 * MIN, to: T0 + 4 * MIN });
    if (!isBarSeries(s)) return expect.unreachable();
    expect(arr(s.columns.tsOpen)).toEqual([T0 + MIN, T0 + 2 * MIN]);
    expect(arr(eventTimes(s))).toEqual([T0 + 2 * MIN, T0 + 3 * MIN]);
    expect(arr(s.columns.open)).toEqual([101, 102.25]);
    // A subarray view: the same buffer as the full read would give.
    expect(s.columns.open.byteOffset).toBeGreaterThan(0);
    expect(readSeries(path, { from: T0 + 2 * MIN + 1 }).length).toBe(2);
    expect(readSeries(path, { to: T0 + MIN + 1 }).length).toBe(1);
  });

  it('slices ticks by ts and keeps trade ids aligned with their rows', () => {
    const path = join(dir, 'slice-trades.arrow');
    writeSeries(path, trades());
    const s = readSeries(path, { from: T0, to: T0 + 5 });
    if (!isTradeSeries(s)) return expect.unreachable();
    expect(s.length).toBe(2);
    expect([s.columns.tradeId(0), s.columns.tradeId(1)]).toEqual(['', 'é-ü']);
    expect(eventTimes(s)).toBe(s.columns.ts);
  });

  it('DATA_EMPTY when nothing is in range, RANGE_INVALID when from > to', () => {
    const path = join(dir, 'slice2.arrow');
    writeSeries(path, quotes());
    expectCode(() => readSeries(path, { from: T0 + 3000 }), 'DATA_EMPTY', /no rows with event time/);
    expectCode(() => readSeries(path, { from: T0 + 10, to: T0 + 10 }), 'DATA_EMPTY');
    expectCode(() => readSeries(path, { from: T0 + 10, to: T0 }), 'RANGE_INVALID');
  });

  it('DATA_EMPTY for a file without rows', () => {
    const path = join(dir, 'empty.arrow');
    const q = quotes();
    writeSeries(path, { ...q, length: 0, columns: { ts: new Float64Array(0), bid: new Float64Array(0), ask: new Float64Array(0), bidSize: new Float64Array(0), askSize: new Float64Array(0) } });
    expectCode(() => readSeries(path), 'DATA_EMPTY', /no rows/);
  });

  it('DATA_NOT_FOUND for a missing file or a folder', () => {
    expectCode(() => readSeries(join(dir, 'nope.arrow')), 'DATA_NOT_FOUND', /no such file \(ENOENT\)/);
    expectCode(() => readSeries(dir), 'DATA_NOT_FOUND', /EISDIR/);
  });

  it('DATA_CORRUPT for a text file renamed .arrow', () => {
    const path = join(dir, 'text.arrow');
    writeFileSync(path, 'timestamp,open,high,low,close\n2024-01-01,1,2,0,1\n');
    expectCode(() => readSeries(path), 'DATA_CORRUPT', /not an Arrow IPC file/, /re-import it/);
    writeFileSync(path, '');
    expectCode(() => readSeries(path), 'DATA_CORRUPT', /empty/);
    writeFileSync(path, 'PAR1xxxxPAR1');
    expectCode(() => readSeries(path), 'DATA_CORRUPT', /Parquet/);
  });

  it('DATA_CORRUPT for a truncated file, wherever it is cut', () => {
    const bytes = seriesToArrow(bars());
    const path = join(dir, 'cut.arrow');
    for (const keep of [6, 100, Math.floor(bytes.length / 2), bytes.length - 1]) {
      writeFileSync(path, bytes.subarray(0, keep));
      expectCode(() => readSeries(path), 'DATA_CORRUPT', /truncated/);
    }
    // Cut in the middle and patched to end with the magic again: the footer is garbage.
    const forged = Buffer.concat([bytes.subarray(0, 300), Buffer.from('ARROW1')]);
    writeFileSync(path, forged);
    expectCode(() => readSeries(path), 'DATA_CORRUPT', /re-import/);
  });

  it('DATA_CORRUPT for an Arrow stream (not file) and for Arrow files without our metadata or layout', () => {
    const stream = join(dir, 'stream.arrow');
    writeFileSync(stream, RecordBatchStreamWriter.writeAll(arrow.tableFromArrays({ a: Float64Array.from([1]) })).toUint8Array(true));
    expectCode(() => readSeries(stream), 'DATA_CORRUPT', /stream/);

    const foreign = join(dir, 'foreign.arrow');
    writeFileSync(foreign, tableToIPC(arrow.tableFromArrays({ ts: Float64Array.from([1, 2]), price: Float64Array.from([1, 2]) }), 'file'));
    expectCode(() => readSeries(foreign), 'DATA_CORRUPT', /no autotrader metadata/, /re-import/);

    const wrongLayout = join(dir, 'layout.arrow');
    writeFileSync(wrongLayout, handMade('quote', [quoteCols([1])], new Map([...quoteMeta(), [META.kind, 'bar'], [META.intervalMs, '60000']])));
    expectCode(() => readSeries(wrongLayout), 'DATA_CORRUPT', /not the bar layout/);

    const badInstrument = join(dir, 'instrument.arrow');
    writeFileSync(badInstrument, handMade('quote', [quoteCols([1])], new Map([...quoteMeta(), [META.instrument, '{"venue":"X"}']])));
    expectCode(() => readSeries(badInstrument), 'DATA_CORRUPT', /not a valid instrument spec/);

    const version = join(dir, 'version.arrow');
    writeFileSync(version, handMade('quote', [quoteCols([1])], new Map([...quoteMeta(), [META.version, '2']])));
    expectCode(() => readSeries(version), 'DATA_CORRUPT', /version 2/);
  });

  it('DATA_UNSORTED names the row whose time goes backwards', () => {
    const path = join(dir, 'unsorted.arrow');
    writeFileSync(path, handMade('quote', [quoteCols([1, 2, 2, 7, 3, 9])], quoteMeta()));
    expectCode(() => readSeries(path), 'DATA_UNSORTED', /row 5: time 1970-01-01T00:00:00.003Z is before the previous row's 1970-01-01T00:00:00.007Z/);
  });
});

describe('eventTimes', () => {
  it('is tsOpen + interval for bars and ts itself for ticks', () => {
    const b = bars();
    expect(arr(eventTimes(b))).toEqual(arr(b.columns.tsOpen.map((t) => t + MIN)));
    const q: Series = quotes();
    expect(eventTimes(q)).toBe((q as QuoteSeries).columns.ts);
  });
});
