import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { readSeries } from './arrow-read';
import { formatImportSummary, formatInterval, importFile, loadSeries } from './load';
import { isBarSeries, isTradeSeries } from './series';

const dir = mkdtempSync(join(tmpdir(), 'autotrader-data-load-'));
const CSV = 'timestamp,open,high,low,close,volume\n2022-01-01 00:00:00,10,12,9,11,100\n2022-01-01 00:01:00,11,13,10,12,200\n2022-01-01 00:02:00,12,14,11,13,300\n';

describe('importFile', () => {
  it('parses, writes an Arrow file that reads back equal, and summarises', async () => {
    const input = join(dir, 'btc.csv');
    writeFileSync(input, CSV);
    const out = join(dir, 'out', 'btc.arrow');
    const summary = await importFile({ input, out, venue: 'FTX', tickSize: '1', source: 'test' });
    const t0 = Date.UTC(2022, 0, 1);
    expect(summary).toEqual({ out, kind: 'bar', rows: 3, from: t0, to: t0 + 120_000, intervalMs: 60_000 });
    expect(formatImportSummary(summary)).toBe(`3 bar rows of 1m, 2022-01-01T00:00:00.000Z → 2022-01-01T00:02:00.000Z, written to ${out}`);
    const back = readSeries(out);
    if (!isBarSeries(back)) return expect.unreachable();
    expect(Array.from(back.columns.close)).toEqual([11, 12, 13]);
    expect(back.meta).toMatchObject({ instrument: { symbol: 'BTC', venue: 'FTX', tickSize: '1' }, source: 'test', intervalMs: 60_000 });
  });

  it('summarises ticks without an interval', async () => {
    const input = join(dir, 'trades.json');
    writeFileSync(input, JSON.stringify([[1570752011620, '1', null, 'buy', 1, 2, 2]]));
    const s = await importFile({ input, out: join(dir, 'trades.arrow') });
    expect(s).toEqual({ out: join(dir, 'trades.arrow'), kind: 'trade', rows: 1, from: 1570752011620, to: 1570752011620 });
    expect(formatImportSummary(s)).toMatch(/^1 trade rows, 2019-10-11T00:00:11.620Z → 2019-10-11T00:00:11.620Z, written to /);
  });

  it('leaves no output (not even a temporary file) when the input does not parse', async () => {
    const input = join(dir, 'bad.csv');
    writeFileSync(input, 'ts,open,high,low,close\n2022-01-01,1,1,x,1\n');
    const out = join(dir, 'bad.arrow');
    await expect(importFile({ input, out })).rejects.toThrow(/line 2, column low/);
    expect(() => readSeries(out)).toThrow(/ENOENT/);
    expect(readdirSync(dir).filter((f) => f.startsWith('bad.arrow'))).toEqual([]);
  });
});

describe('loadSeries', () => {
  it('reads .arrow files and parses CSV/JSON directly, slicing both by event time', async () => {
    const input = join(dir, 'load.csv');
    writeFileSync(input, CSV);
    const arrow = join(dir, 'load.arrow');
    await importFile({ input, out: arrow });
    const t0 = Date.UTC(2022, 0, 1);
    for (const path of [input, arrow]) {
      const all = loadSeries(path);
      expect(all.length).toBe(3);
      // Event times are t0+1m, +2m, +3m: [t0+2m, t0+3m) keeps the middle bar only.
      const mid = loadSeries(path, { from: t0 + 120_000, to: t0 + 180_000 });
      if (!isBarSeries(mid)) return expect.unreachable();
      expect(Array.from(mid.columns.open)).toEqual([11]);
    }
    try {
      loadSeries(input, { from: t0 + 10 * 60_000 });
      expect.unreachable();
    } catch (e) {
      expect(isAutotraderError(e, 'DATA_EMPTY')).toBe(true);
    }
  });

  it('passes import options through for CSV', () => {
    const input = join(dir, 'trades.csv');
    writeFileSync(input, 'ts,price,qty\n1,100,1\n');
    const s = loadSeries(input, { symbol: 'ABC', priceScale: 0.01 });
    if (!isTradeSeries(s)) return expect.unreachable();
    expect([s.meta.instrument.symbol, s.columns.price[0]]).toEqual(['ABC', 1]);
  });
});

describe('formatInterval', () => {
  it('uses the largest whole unit', () => {
    expect([60_000, 86_400_000, 15_000, 1500, 604_800_000, 3_600_000 * 4].map(formatInterval)).toEqual(['1m', '1d', '15s', '1500ms', '1w', '4h']);
  });
});
