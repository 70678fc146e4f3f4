import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimestampMillisecond } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAutotraderError, type ErrorCode } from '@autotrader/core';
import { arrowFields, META } from './arrow-schema';
import { readSeries } from './arrow-read';
import { importFile } from './load';
import { parseFile, parseFileWithReport, type ImportOptions } from './parse';
import { formatRepair } from './repair';
import { isBarSeries, type BarSeries, type QuoteSeries, type Series, type TradeSeries } from './series';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotrader-data-validation-'));
});
let counter = 0;
function file(name: string, content: string): string {
  const sub = join(dir, String(counter++));
  mkdirSync(sub, { recursive: true });
  const path = join(sub, name);
  writeFileSync(path, content);
  return path;
}

/** Runs `fn`, which must throw a coded error; returns it after checking code, details and message. */
function refused(fn: () => unknown, code: ErrorCode, details: Record<string, unknown>, message: RegExp): { message: string; hint: string } {
  try {
    fn();
  } catch (e) {
    if (!isAutotraderError(e)) throw e;
    expect(e.code, e.message).toBe(code);
    expect(e.details).toMatchObject(details);
    expect(e.message).toMatch(message);
    return { message: e.message, hint: e.hint };
  }
  return expect.unreachable(`expected ${code}`);
}

const bars = (s: Series): BarSeries => {
  if (!isBarSeries(s)) throw new Error('not bars');
  return s;
};
const HEADER = 'ts,open,high,low,close,volume';
const GOOD = ['2022-01-01,100,101,99,100.5,10', '2022-01-02,100.5,102,100,101,11'];
const csv = (...rows: string[]): string => [HEADER, ...rows].join('\n') + '\n';

describe('CSV import refuses a row that breaks the market-data rules, naming file, line and column', () => {
  const cases: [string, string, string, unknown, RegExp][] = [
    ['a negative price', '2022-01-03,100,101,-99,100,10', 'low', -99, /line 4, column low: low -99 is not a positive price/],
    ['a zero price', '2022-01-03,0,101,99,100,10', 'open', 0, /line 4, column open: open 0 is not a positive price/],
    ['high below low', '2022-01-03,100,95.7,99.1,100,10', 'high', 95.7, /line 4, column high: high 95.7 is below low 99.1/],
    ['a close far above the high', '2022-01-03,100,101,99,1000000101,10', 'close', 1000000101, /line 4, column close: close 1000000101 is above high 101/],
    ['an open below the low', '2022-01-03,98,101,99,100,10', 'open', 98, /line 4, column open: open 98 is below low 99/],
    ['a negative volume', '2022-01-03,100,101,99,100,-1', 'volume', -1, /line 4, column volume: volume -1 is negative/],
  ];
  for (const [what, row, column, value, message] of cases) {
    it(what, () => {
      const path = file('bad.csv', csv(...GOOD, row));
      const e = refused(() => parseFile(path), 'DATA_PARSE', { path, line: 4, column, value }, message);
      expect(e.message.startsWith(`${path} line 4`)).toBe(true);
      expect(e.hint).toContain(`pnpm data import ${path} --out ${path.replace(/\.csv$/, '.arrow')} --repair drop`);
    });
  }

  it('a non-number (NaN, Infinity, text) is refused as before, naming the text', () => {
    for (const text of ['NaN', 'Infinity', 'abc']) {
      const path = file('nan.csv', csv(...GOOD, `2022-01-03,100,101,99,${text},10`));
      refused(() => parseFile(path), 'DATA_PARSE', { line: 4, column: 'close', text }, /is not a number/);
    }
  });

  it('trades and quotes: negative price, negative size, zero bid', () => {
    refused(() => parseFile(file('t.csv', 'ts,price,qty\n1,100,1\n2,-5,1\n')), 'DATA_PARSE', { line: 3, column: 'price', value: -5 }, /price -5 is not a positive price/);
    refused(() => parseFile(file('t.csv', 'ts,price,qty\n1,100,1\n2,100,-1\n')), 'DATA_PARSE', { line: 3, column: 'size', value: -1 }, /size -1 is negative/);
    refused(() => parseFile(file('q.csv', 'ts,bid,ask\n1,1.1,1.2\n2,0,1.2\n')), 'DATA_PARSE', { line: 3, column: 'bid', value: 0 }, /bid 0 is not a positive price/);
  });

  it('JSON rows are named by their 1-based row and their element', () => {
    const json = JSON.stringify([
      [1499040000000, '1', '2', '0.5', '1.5', '10'],
      [1499040060000, '1', '2', '0.5', '-1.5', '10'],
    ]);
    refused(() => parseFile(file('k.json', json), { interval: '1m' }), 'DATA_PARSE', { element: 1, column: 'close' }, /row 2 \(element \[1\] of the JSON array\), column close: close -1.5 is not a positive price/);
  });

  it('an instrument that declares allowNonPositivePrices may have zero and negative prices (but still consistent bars)', () => {
    const path = file('wti.csv', csv('2020-04-19,18,18.5,17,17.7,10', '2020-04-20,17.7,18,-40.32,-37.63,10'));
    const s = bars(parseFile(path, { allowNonPositivePrices: true }));
    expect([...s.columns.close]).toEqual([17.7, -37.63]);
    expect(s.meta.instrument.allowNonPositivePrices).toBe(true);
    refused(() => parseFile(path), 'DATA_PARSE', { line: 3, column: 'low' }, /low -40.32 is not a positive price/);
    refused(() => parseFile(file('x.csv', csv('2020-04-20,17.7,-41,-40.32,-37.63,10')), { allowNonPositivePrices: true }), 'DATA_PARSE', { column: 'high' }, /high -41 is below low -40.32/);
  });
});

describe('--repair', () => {
  const rows = [
    '2022-01-01,100,101,99,100.5,10',
    '2022-01-02,100,101,-99,100,10', // negative low: clip cannot repair
    '2022-01-03,100,95.7,99.1,100,10', // high below low: clip cannot repair
    '2022-01-04,100,101,99,1000000101,10', // close above high: clip → 101
    '2022-01-05,98,101,99,100,10', // open below low: clip → 99
    '2022-01-06,100,101,99,abc,10', // not a number
    '2022-01-06,100,101,99,100,10',
    '2022-01-06,100,101,99,100,10', // the same time again
    '2022-01-08,100,101,99,100,10',
  ];

  it('drop removes every bad row (values, unreadable text, times that do not move forward) and reports them', () => {
    const { series, repair } = parseFileWithReport(file('r.csv', csv(...rows)), { repair: 'drop' });
    const s = bars(series);
    expect([...s.columns.tsOpen].map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2022-01-01', '2022-01-06', '2022-01-08']);
    expect(repair).toEqual({ mode: 'drop', dropped: 6, clipped: 0, first: ['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 9'], firstReason: 'low -99 is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)' });
    expect(formatRepair(repair!)).toBe('--repair drop: dropped 6 rows: line 3, line 4, line 5, line 6, line 7, line 9; the first: low -99 is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)');
  });

  it('clip moves open and close into [low, high] and refuses what it cannot repair, naming the row', () => {
    const clippable = [rows[0], rows[3], rows[4], rows[8]];
    const { series, repair } = parseFileWithReport(file('c.csv', csv(...clippable)), { repair: 'clip' });
    const s = bars(series);
    expect([...s.columns.open]).toEqual([100, 100, 99, 100]);
    expect([...s.columns.close]).toEqual([100.5, 101, 100, 100]);
    expect([...s.columns.high]).toEqual([101, 101, 101, 101]);
    expect(repair).toEqual({ mode: 'clip', dropped: 0, clipped: 2, first: ['line 3', 'line 4'], firstReason: 'close 1000000101 is above high 101' });
    for (const [row, column] of [
      [rows[1], 'low'],
      [rows[2], 'high'],
    ] as const) {
      const path = file('c.csv', csv(rows[0], row));
      refused(() => parseFile(path, { repair: 'clip' }), 'DATA_PARSE', { line: 3, column }, /--repair clip only moves an open or close/);
    }
  });

  it('a repair that leaves no row is DATA_EMPTY', () => {
    refused(() => parseFile(file('all-bad.csv', csv(rows[1], rows[2])), { repair: 'drop' }), 'DATA_EMPTY', {}, /every row was dropped/);
  });

  it('an Arrow file refused by readSeries is kept by re-importing it with --repair (rows counted 1-based)', async () => {
    // Row 3 has a NaN close: written with apache-arrow directly, since writeSeries refuses such a series.
    const fields = arrowFields('bar');
    const n = 5;
    const t0 = Date.UTC(2024, 0, 1);
    const cols = [
      BigInt64Array.from({ length: n }, (_, i) => BigInt(t0 + i * 60_000)),
      Float64Array.from([10, 10, 10, 10, 10]),
      Float64Array.from([11, 11, 11, 11, 11]),
      Float64Array.from([9, 9, 9, 9, 9]),
      Float64Array.from([10.5, 10.5, NaN, 12, 10.5]),
      Float64Array.from([1, 1, 1, 1, 1]),
    ];
    const children = cols.map((c, j) =>
      j === 0 ? makeData({ type: new TimestampMillisecond('UTC'), length: n, nullCount: 0, data: c as BigInt64Array }) : makeData({ type: new Float64(), length: n, nullCount: 0, data: c as Float64Array }),
    );
    const meta = new Map([
      [META.version, '1'],
      [META.kind, 'bar'],
      [META.instrument, JSON.stringify({ symbol: 'X', venue: 'SIM' })],
      [META.intervalMs, '60000'],
    ]);
    const schema = new Schema(fields, meta);
    const path = join(dir, 'nan.arrow');
    writeFileSync(path, tableToIPC(new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }))]), 'file'));
    const e = refused(() => readSeries(path), 'DATA_PARSE', { path, row: 3, column: 'close' }, /nan\.arrow row 3, column close: close NaN is not a finite number/);
    expect(e.hint).toContain(`pnpm data import ${path} --out ${path.replace(/\.arrow$/, '-repaired.arrow')} --repair drop`);

    const dropped = join(dir, 'nan-dropped.arrow');
    const d = await importFile({ input: path, out: dropped, repair: 'drop' });
    expect(d.repair).toEqual({ mode: 'drop', dropped: 2, clipped: 0, first: ['row 3', 'row 4'], firstReason: 'close NaN is not a finite number' });
    expect([...bars(readSeries(dropped)).columns.close]).toEqual([10.5, 10.5, 10.5]);

    await expect(importFile({ input: path, out: join(dir, 'nan-clipped.arrow'), repair: 'clip' })).rejects.toThrow(/row 3, column close: close NaN is not a finite number/);
  });

  it('the options are checked before anything is read', () => {
    refused(() => parseFile(join(dir, 'missing.csv'), { repair: 'mend' as never } as ImportOptions), 'CONFIG_INVALID', {}, /--repair "mend" is not one of drop, clip/);
  });
});

describe('hints name a command that helps', () => {
  it('a missing input for import lists the folder instead of telling the user to import', () => {
    const e = refused(() => parseFile(join(dir, 'nope', 'gone.csv')), 'DATA_NOT_FOUND', { code: 'ENOENT' }, /no such file/);
    expect(e.hint).toBe(`Check the path of the file to import: \`ls ${join(dir, 'nope')}\` lists what is there.`);
    expect(e.hint).not.toContain('pnpm data import');
    const a = refused(() => readSeries(join(dir, 'gone.arrow')), 'DATA_NOT_FOUND', {}, /no such file/);
    expect(a.hint).toMatch(/`ls .*` lists what is there; an Arrow file is made from CSV or JSON with `pnpm data import <file.csv> --out <file.arrow>`/);
  });

  it('unsorted rows, empty files and unknown layouts each name a command', () => {
    expect(refused(() => parseFile(file('u.csv', csv(GOOD[1], GOOD[0]))), 'DATA_UNSORTED', { line: 3 }, /line 3/).hint).toMatch(/--repair drop/);
    expect(refused(() => parseFile(file('e.csv', HEADER + '\n')), 'DATA_EMPTY', {}, /header but no data rows/).hint).toMatch(/`head .*e\.csv`/);
    expect(refused(() => parseFile(file('f.csv', 'foo,bar\n1,2\n')), 'DATA_FORMAT_UNKNOWN', {}, /--format/).hint).toMatch(/--format/);
  });
});

const trades = (s: Series): TradeSeries => s as TradeSeries;
const quotes = (s: Series): QuoteSeries => s as QuoteSeries;
describe('good rows are untouched by the checks', () => {
  it('trades with size 0 (unknown) and crossed quotes are kept', () => {
    expect([...trades(parseFile(file('t.csv', 'ts,price,qty\n1,100,0\n'))).columns.size]).toEqual([0]);
    expect([...quotes(parseFile(file('q.csv', 'ts,bid,ask\n1,1.3,1.2\n'))).columns.bid]).toEqual([1.3]);
  });
});

describe('a row with more fields than the header is refused (found by the fuzz suite)', () => {
  it('a decimal comma that splits a value in two names the line and the extra field, instead of reading the volume as 1', () => {
    const e = refused(() => parseFile(file('comma.csv', csv(GOOD[0], '2022-01-02,100.5,102,100,101,1,5'))), 'DATA_PARSE', { line: 3, column: '7' }, /line 3, column 7: "5" is an extra field: the row has 7 fields and the header has 6/);
    expect(e.hint).toMatch(/--repair drop/);
    // Headerless: the first row sets the width. Quotes are the same.
    refused(() => parseFile(file('q.csv', 'ts,bid,ask\n1,1.3,1.4\n2,1.3,1.4,7\n')), 'DATA_PARSE', { line: 3, column: '4' }, /extra field/);
    refused(() => parseFile(file('h.csv', '2022-01-01,100,101,99,100\n2022-01-02,100,101,99,100,3,4\n'), { interval: '1d' }), 'DATA_PARSE', { line: 2 }, /the first row has 5/);
  });

  it('empty extra fields (a trailing delimiter) are kept, and --repair drop drops the row', () => {
    expect(parseFile(file('t.csv', csv(GOOD[0] + ',', GOOD[1] + ',,'))).length).toBe(2);
    const r = parseFileWithReport(file('d.csv', csv(GOOD[0], '2022-01-02,100.5,102,100,101,1,5', '2022-01-03,100.5,102,100,101,1')), { repair: 'drop' });
    expect(r.series.length).toBe(2);
    expect(formatRepair(r.repair!)).toMatch(/line 3/);
  });
});
