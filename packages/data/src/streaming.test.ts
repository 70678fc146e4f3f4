import { createWriteStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { gzipSync, createGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { readSeries } from './arrow-read';
import { Importer } from './import';
import { JsonArrayScanner } from './json-array';
import { LineSplitter } from './lines';
import { importFile } from './load';
import { isBarSeries, isTradeSeries, type Series } from './series';

const dir = mkdtempSync(join(tmpdir(), 'autotrader-data-streaming-'));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Feeds `bytes` to `push` cut at `cuts` (sorted offsets). */
function feedCut(bytes: Uint8Array, cuts: number[], push: (b: Uint8Array) => void): void {
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    push(bytes.slice(at, c));
    at = c;
  }
}

describe('LineSplitter', () => {
  const text = '\ufeffts,sym\r\n1,é\r\n\r\n2,ü€\n3,last';
  const expected = [
    ['ts,sym', 1],
    ['1,é', 2],
    ['', 3],
    ['2,ü€', 4],
    ['3,last', 5],
  ];

  it('gives the same lines wherever the chunks are cut (inside CRLF, inside a UTF-8 character, at the BOM)', () => {
    const bytes = utf8(text);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b += 3) {
        const lines: [string, number][] = [];
        const s = new LineSplitter('x.csv', (line, n) => lines.push([line, n]));
        feedCut(bytes, [a, b], (c) => s.push(c));
        s.end();
        expect(lines, `cut at ${a}, ${b}`).toEqual(expected);
      }
    }
  });

  it('refuses a line longer than 64 MiB (not a line-based file) with a coded error', () => {
    const s = new LineSplitter('blob.csv', () => {});
    const chunk = new Uint8Array(8 * 1024 * 1024).fill(65);
    try {
      for (let i = 0; i < 9; i++) s.push(chunk);
      expect.unreachable();
    } catch (e) {
      expect(isAutotraderError(e, 'DATA_FORMAT_UNKNOWN')).toBe(true);
      expect((e as Error).message).toMatch(/blob\.csv line 1 is longer than 64 MiB/);
    }
  });
});

describe('JsonArrayScanner', () => {
  const json = ' \ufeff[ [1,"a,]\\"[{"], {"p":"1.5","s":"x\\\\"}, 3 ,[[]] ]\n';
  it('gives the same elements wherever the chunks are cut (strings with brackets, commas and escapes)', () => {
    const bytes = utf8(json.replace('\ufeff', ''));
    for (let a = 0; a <= bytes.length; a++) {
      const got: unknown[] = [];
      const s = new JsonArrayScanner('x.json', (v, i) => got.push([i, v]));
      feedCut(bytes, [a], (c) => s.push(c));
      s.end();
      expect(got, `cut at ${a}`).toEqual([
        [0, [1, 'a,]"[{']],
        [1, { p: '1.5', s: 'x\\' }],
        [2, 3],
        [3, [[]]],
      ]);
    }
  });

  it('refuses what is not one well-formed array, with coded errors', () => {
    const cases: [string, string, RegExp][] = [
      ['[1,2,]', 'DATA_PARSE', /a comma before the closing \]/],
      ['[1,,2]', 'DATA_PARSE', /two commas in a row/],
      ['[1,2', 'DATA_PARSE', /ends inside the array/],
      ['[[1,2', 'DATA_PARSE', /row 1 \(element \[0\] of the JSON array\): not valid JSON/],
      ['[1] [2]', 'DATA_PARSE', /more text after the closing \]/],
      ['{"a":1}', 'DATA_FORMAT_UNKNOWN', /not an array of rows/],
    ];
    for (const [text, code, message] of cases) {
      const s = new JsonArrayScanner('x.json', () => {});
      try {
        s.push(utf8(text));
        s.end();
        expect.unreachable(text);
      } catch (e) {
        expect(isAutotraderError(e) && e.code, `${text}: ${(e as Error).message}`).toBe(code);
        expect((e as Error).message).toMatch(message);
      }
    }
  });
});

describe('Importer', () => {
  const rows = (s: Series): unknown[] => (isBarSeries(s) ? [...s.columns.tsOpen].map((t, i) => [t, s.columns.close[i]]) : []);
  it('builds the same series from 1-byte chunks as from the whole file, CSV and JSON', () => {
    const csvText = 'Date,Open,High,Low,Close\n2020-01-01,1,2,0.5,1.5\n2020-01-02,1.5,2,1,1.2\r\n\n2020-01-03,1.2,1.3,1.1,1.25';
    const jsonText = JSON.stringify([
      [1577836800000, '1', '2', '0.5', '1.5', '3'],
      [1577923200000, '1.5', '2', '1', '1.2', '4'],
    ]);
    for (const [name, text] of [
      ['a.csv', csvText],
      ['a.json', jsonText],
    ]) {
      const whole = new Importer(name, {});
      whole.push(utf8(text));
      const bytes = utf8(text);
      const bytewise = new Importer(name, {}, bytes.length);
      for (let i = 0; i < bytes.length; i++) bytewise.push(bytes.subarray(i, i + 1));
      const a = whole.finish().series;
      const b = bytewise.finish().series;
      expect(rows(b)).toEqual(rows(a));
      expect(a.length).toBe(name.endsWith('csv') ? 3 : 2);
    }
  });
});

describe('importFile streams', () => {
  /** Writes `rows` 1-minute bars of CSV through a stream (gzipped or not); returns the path and byte size. */
  async function generate(name: string, rows: number, gzip: boolean): Promise<string> {
    const path = join(dir, name);
    const out = createWriteStream(path);
    const sink = gzip ? createGzip() : undefined;
    sink?.pipe(out);
    const target = sink ?? out;
    const t0 = Date.UTC(2020, 0, 1);
    target.write('timestamp,open,high,low,close,volume\n');
    let batch = '';
    for (let i = 0; i < rows; i++) {
      const p = 100 + (i % 1000) / 10;
      batch += `${t0 + i * 60_000},${p},${p + 1},${p - 1},${p + 0.5},${i % 97}\n`;
      if (batch.length > 1 << 20) {
        if (!target.write(batch)) await once(target, 'drain');
        batch = '';
      }
    }
    target.end(batch);
    await once(out, 'close');
    return path;
  }

  it('a CSV of several chunks, plain and gzipped, with progress reported up to the file size', async () => {
    const rows = 200_000; // about 9 MB of CSV: three 4 MiB chunks
    for (const gzip of [false, true]) {
      const input = await generate(gzip ? 'many.csv.gz' : 'many.csv', rows, gzip);
      const size = statSync(input).size;
      const seen: number[] = [];
      const out = join(dir, gzip ? 'many-gz.arrow' : 'many.arrow');
      const summary = await importFile({ input, out, onProgress: (read, total) => seen.push(read, total) });
      expect(summary.rows).toBe(rows);
      expect(summary.intervalMs).toBe(60_000);
      const s = readSeries(out);
      if (!isBarSeries(s)) return expect.unreachable();
      expect(s.length).toBe(rows);
      expect([s.columns.close[0], s.columns.close[rows - 1], s.columns.volume[rows - 1]]).toEqual([100.5, 100 + ((rows - 1) % 1000) / 10 + 0.5, (rows - 1) % 97]);
      expect(seen.length).toBeGreaterThan(2);
      expect(seen[seen.length - 2]).toBe(size);
      expect(seen[seen.length - 1]).toBe(size);
    }
  }, 60_000);

  it('a gzipped JSON array of trades', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [1570752011620 + i, String(i), null, i % 2 ? 'buy' : 'sell', 0.001 + i * 1e-7, 1 + i, 0]);
    const input = join(dir, 'trades.json.gz');
    writeFileSync(input, gzipSync(JSON.stringify(rows)));
    const out = join(dir, 'trades.arrow');
    expect((await importFile({ input, out })).rows).toBe(5000);
    const s = readSeries(out);
    if (!isTradeSeries(s)) return expect.unreachable();
    expect([s.columns.tradeId(4999), s.columns.aggressor[0], s.columns.size[4999]]).toEqual(['4999', -1, 5000]);
  });

  it('a broken gzip file is DATA_CORRUPT, and nothing is written', async () => {
    const input = join(dir, 'broken.csv.gz');
    const rows = Array.from({ length: 5000 }, (_, i) => `${1577836800000 + i * 60_000},1,2,0.5,${1 + (i % 7) / 10}`).join('\n');
    const gz = gzipSync(`ts,open,high,low,close\n${rows}\n`);
    writeFileSync(input, gz.subarray(0, gz.length >> 1));
    const out = join(dir, 'broken.arrow');
    await expect(importFile({ input, out })).rejects.toMatchObject({ code: 'DATA_CORRUPT' });
    expect(() => statSync(out)).toThrow(/ENOENT/);
  });

  it('an unwritable --out fails before the input is read', async () => {
    const input = await generate('small.csv', 10, false);
    writeFileSync(join(dir, 'a-file'), 'x');
    await expect(importFile({ input, out: join(dir, 'a-file', 'x.arrow') })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^Cannot write .*a-file\/x\.arrow/) });
    await expect(importFile({ input, out: dir })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: `Cannot write ${dir}: it is a folder.` });
  });
});
