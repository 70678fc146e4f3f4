import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Float64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, TimestampMillisecond } from 'apache-arrow';
import { arrowFields, META, readSeries, type BarSeries } from '@autotrader/data';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, type CliRun } from './cli';

/**
 * Issue 11, point 1: market data is validated where it enters. Every case goes through the real CLI:
 * a bad row is refused with a coded one-line error naming the file, the row and the column, and never
 * used; `pnpm data import --repair drop|clip` keeps such a file and reports what it changed.
 */

const dir = mkdtempSync(join(tmpdir(), 'autotrader-validation-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** A refused run: exit 1, one line `error CODE: ...` on stderr, nothing on stdout, no stack. */
function expectRefused(run: CliRun, code: string, ...mentions: RegExp[]): string {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error ${code}: `));
  for (const m of mentions) expect(lines[0]).toMatch(m);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

/** 40 daily bars that trend up and down (sma-cross(3, 8) trades on them), then the rows given. */
function dailyCsv(extra: string[] = []): string {
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let d = 0; d < 40; d++) {
    const day = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    const px = 100 + 10 * Math.sin(d / 4);
    rows.push(`${day},${px.toFixed(2)},${(px + 1).toFixed(2)},${(px - 1).toFixed(2)},${(px + 0.5).toFixed(2)},1000`);
  }
  return [...rows, ...extra].join('\n') + '\n';
}
const BAD_ROWS = {
  negative: '2020-02-10,100,101,-0.00000001,100.5,1000', // line 42
  highBelowLow: '2020-02-11,99.5,95.7,99.1,99.2,1000', // line 43
  closeAboveHigh: '2020-02-12,100,101,99,1000000101,1000', // line 44
};

describe('a CSV with a bad row is refused by data import and by backtest --data, naming file, line and column', () => {
  const cases: [string, string, number, string, RegExp][] = [
    ['a negative price', BAD_ROWS.negative, 42, 'low', /low -1e-8 is not a positive price/],
    ['a bar with high below low', BAD_ROWS.highBelowLow, 42, 'high', /high 95.7 is below low 99.1/],
    ['a close far above the high', BAD_ROWS.closeAboveHigh, 42, 'close', /close 1000000101 is above high 101/],
  ];
  for (const [what, row, line, column, why] of cases) {
    it(what, async () => {
      const csv = file(`${column}.csv`, dailyCsv([row]));
      const where = new RegExp(`${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line ${line}, column ${column}: `);
      const [imported, backtested] = await Promise.all([runCli(['data', 'import', csv, '--out', join(dir, `${column}.arrow`)]), runCli(['backtest', '--data', csv, '--param', 'fast=3', '--param', 'slow=8'])]);
      const line1 = expectRefused(imported, 'DATA_PARSE', where, why);
      expect(line1).toMatch(/--repair drop/);
      expectRefused(backtested, 'DATA_PARSE', where, why);
    }, 120_000);
  }
});

describe('an Arrow file with one NaN close (row 101 of the BTC-PERP month)', () => {
  it('is refused naming file, row and column; --repair drop keeps the rest and the backtest runs', async () => {
    const month = readSeries(resolve(ROOT, 'data/btc-perp-1m.arrow')) as BarSeries;
    const n = month.length;
    const close = Float64Array.from(month.columns.close);
    close[100] = NaN;
    // Written with apache-arrow directly: our writer refuses a NaN price, as every reader does.
    const fields = arrowFields('bar');
    const metadata = new Map([
      [META.version, '1'],
      [META.kind, 'bar'],
      [META.instrument, JSON.stringify(month.meta.instrument)],
      [META.intervalMs, String(month.meta.intervalMs)],
    ]);
    const schema = new Schema(fields, metadata);
    const children = [
      makeData({ type: new TimestampMillisecond('UTC'), length: n, nullCount: 0, data: BigInt64Array.from(month.columns.tsOpen, (t) => BigInt(t)) }),
      ...[month.columns.open, month.columns.high, month.columns.low, close, month.columns.volume].map((c) => makeData({ type: new Float64(), length: n, nullCount: 0, data: c })),
    ];
    const bad = join(dir, 'btc-nan.arrow');
    writeFileSync(bad, tableToIPC(new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }))]), 'file'));

    const refused = await runCli(['backtest', '--data', bad, '--json']);
    const message = expectRefused(refused, 'DATA_PARSE', /btc-nan\.arrow row 101, column close: close NaN is not a finite number/);
    const fixed = join(dir, 'btc-nan-repaired.arrow');
    expect(message).toContain(`pnpm data import ${bad} --out ${fixed} --repair drop`);

    const repaired = await runCli(['data', 'import', bad, '--out', fixed, '--repair', 'drop']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toBe(`45030 bar rows of 1m, 2021-12-31T23:01:00.000Z → 2022-02-01T05:31:00.000Z, written to ${fixed}\n--repair drop: dropped 1 row: row 101; the first: close NaN is not a finite number\n`);
    const back = readSeries(fixed) as BarSeries;
    expect(back.length).toBe(n - 1);
    expect([...back.columns.close.subarray(99, 101)]).toEqual([month.columns.close[99], month.columns.close[101]]);
    expect(back.meta.instrument).toEqual(month.meta.instrument);
    const run = await runCli(['backtest', '--data', fixed, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { summary: { trades: number } }).summary.trades).toBeGreaterThan(900);
  }, 120_000);
});

describe('--repair drop and --repair clip keep a CSV, and report exactly what they changed', () => {
  it('drop removes the bad rows, clip moves open/close into [low, high] and refuses what it cannot clip', async () => {
    const csv = file('repair.csv', dailyCsv([BAD_ROWS.negative, BAD_ROWS.highBelowLow, BAD_ROWS.closeAboveHigh, '2020-02-13,98,101,99,100,1000']));
    const clipOnly = file('clip.csv', dailyCsv([BAD_ROWS.closeAboveHigh, '2020-02-13,98,101,99,100,1000']));
    const [drop, clip, clipRefused] = await Promise.all([
      runCli(['data', 'import', csv, '--out', join(dir, 'dropped.arrow'), '--repair', 'drop']),
      runCli(['data', 'import', clipOnly, '--out', join(dir, 'clipped.arrow'), '--repair', 'clip']),
      runCli(['data', 'import', csv, '--out', join(dir, 'never.arrow'), '--repair', 'clip']),
    ]);
    expect(drop.code, drop.stderr).toBe(0);
    expect(drop.stdout.split('\n')[1]).toBe('--repair drop: dropped 4 rows: line 42, line 43, line 44, line 45; the first: low -1e-8 is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)');
    const dropped = readSeries(join(dir, 'dropped.arrow')) as BarSeries;
    expect(dropped.length).toBe(40);

    expect(clip.code, clip.stderr).toBe(0);
    expect(clip.stdout).toBe(
      `42 bar rows of 1d, 2020-01-01T00:00:00.000Z → 2020-02-13T00:00:00.000Z, written to ${join(dir, 'clipped.arrow')}\n--repair clip: clipped 2 rows (open/close moved into [low, high]): line 42, line 43; the first: close 1000000101 is above high 101\n`,
    );
    const clipped = readSeries(join(dir, 'clipped.arrow')) as BarSeries;
    expect([...clipped.columns.open.subarray(40)]).toEqual([100, 99]);
    expect([...clipped.columns.close.subarray(40)]).toEqual([101, 100]);
    expect([...clipped.columns.high.subarray(40)]).toEqual([101, 101]);
    expect([...clipped.columns.low.subarray(40)]).toEqual([99, 99]);

    expectRefused(clipRefused, 'DATA_PARSE', /repair\.csv line 42, column low: low -1e-8 is not a positive price/, /--repair clip only moves an open or close/);
  }, 120_000);

  it('an instrument that declares allowNonPositivePrices imports negative prices, and the file says so', async () => {
    const rows = ['Date,Open,High,Low,Close'];
    for (let d = 0; d < 30; d++) {
      const day = new Date(Date.UTC(2020, 3, 1) + d * 86_400_000).toISOString().slice(0, 10);
      const px = -5 + 10 * Math.sin(d / 3);
      rows.push(`${day},${px.toFixed(2)},${(px + 1).toFixed(2)},${(px - 1).toFixed(2)},${(px + 0.5).toFixed(2)}`);
    }
    const csv = file('wti.csv', rows.join('\n') + '\n');
    const out = join(dir, 'wti.arrow');
    const run = await runCli(['data', 'import', csv, '--out', out, '--allow-non-positive-prices', '--asset-class', 'future', '--tick', '0.01', '--lot', '1']);
    expect(run.code, run.stderr).toBe(0);
    const s = readSeries(out) as BarSeries;
    expect(s.meta.instrument.allowNonPositivePrices).toBe(true);
    expect(Math.min(...s.columns.low)).toBeLessThan(0);
  }, 60_000);
});

describe('data errors say what to do', () => {
  it('data import of a missing file lists its folder and does not say to run data import', async () => {
    const missing = join(dir, 'not-here', 'gone.csv');
    const run = await runCli(['data', 'import', missing, '--out', join(dir, 'gone.arrow')]);
    const line = expectRefused(run, 'DATA_NOT_FOUND', /Cannot read .*gone\.csv: no such file \(ENOENT\)/);
    expect(line).toContain(`(Check the path of the file to import: \`ls ${join(dir, 'not-here')}\` lists what is there.)`);
    expect(line).not.toContain('pnpm data import');
  }, 60_000);
});
