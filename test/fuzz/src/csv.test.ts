import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBadRow, importFile, loadSeries, readSeries, type Series } from '@autotrader/data';
import { codedOrValue, nastyNumber, nastyTime, params } from './fuzz';
import { scratch } from './tmp';

/**
 * Malformed CSV (and anything else a user may point `--data` or `data import` at) ends in a coded
 * error or in a series that meets every market-data rule, through both readers: the in-memory one of
 * `pnpm backtest --data` (`loadSeries`) and the streaming one of `pnpm data import` (`importFile`).
 */

const tmp = scratch('csv');

const HEADERS = {
  bar: ['ts,open,high,low,close,volume', 'Date,Open,High,Low,Close,Adj Close,Volume', 'timestamp,open,high,low,close', 'open_time,o,h,l,c,v', 'date,time,open,high,low,close,vol'],
  trade: ['ts,price,qty,side,id', 'time,price,size', 'timestamp,price,amount,is_buyer_maker,trade_id'],
  quote: ['ts,bid,ask,bid_size,ask_size', 'time,bid,ask'],
} as const;

/** A plausible cell: mostly good numbers and times, with the nasty ones mixed in. */
const goodNumber = fc.oneof(fc.double({ min: 0.0001, max: 1e6, noNaN: true }).map((x) => x.toPrecision(8)), fc.integer({ min: 1, max: 100_000 }).map(String));
const cell = fc.oneof({ weight: 4, arbitrary: goodNumber }, { weight: 2, arbitrary: nastyNumber }, { weight: 2, arbitrary: nastyTime }, { weight: 1, arbitrary: fc.constantFrom('buy', 'sell', 'true', 'false', 'B', 'S', '"1,5"', '"', '""', '"a""b"', '\t', '#') });

/** A row that is often right in shape: a time first, then 0-8 cells. */
const row = fc.tuple(nastyTime, fc.array(cell, { minLength: 0, maxLength: 8 })).map(([t, cells]) => [t, ...cells].join(','));

/** A good-looking bar row, so that some files get past the first line and fail (or pass) deeper in. */
const goodBarRow = fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 1, max: 1000, noNaN: true }), fc.double({ min: 0, max: 0.1, noNaN: true })).map(([i, p, spread]) => {
  const low = p * (1 - spread);
  const high = p * (1 + spread);
  return { i, line: [1_640_995_200_000 + i * 60_000, p, high, low, p, 1].join(',') };
});

/** How a CSV text is framed: a header or none, line endings, a BOM, a missing last newline, a cut. */
const csvText = fc
  .record({
    kind: fc.constantFrom('bar', 'trade', 'quote' as const),
    header: fc.nat(),
    withHeader: fc.boolean(),
    rows: fc.array(fc.oneof({ weight: 3, arbitrary: row }, { weight: 2, arbitrary: goodBarRow.map((r) => r.line) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }), { minLength: 0, maxLength: 12 }),
    eol: fc.constantFrom('\n', '\r\n', '\r', '\n\n'),
    bom: fc.boolean(),
    finalEol: fc.boolean(),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ kind, header, withHeader, rows, eol, bom, finalEol, cut }) => {
    const headers = HEADERS[kind];
    const lines = withHeader ? [headers[header % headers.length], ...rows] : rows;
    let text = (bom ? '\uFEFF' : '') + lines.join(eol) + (finalEol ? eol : '');
    if (cut !== undefined && text.length > 0) text = text.slice(0, cut % text.length);
    return text;
  });

/** A series that was accepted must meet every rule, and hold at least one row. */
function expectValid(series: Series, where: string): void {
  expect(series.length, where).toBeGreaterThan(0);
  const bad = findBadRow(series);
  expect(bad, `${where}: accepted a series with a bad row ${JSON.stringify(bad)}`).toBeUndefined();
}

/** Reads `path` through both readers; they must agree on the outcome, and each outcome must be coded or valid. */
async function readBoth(path: string): Promise<void> {
  const inMemory = await codedOrValue(() => loadSeries(path));
  const out = tmp.path('out.arrow');
  const streamed = await codedOrValue(() => importFile({ input: path, out }));
  if (inMemory.ok) expectValid(inMemory.value, 'loadSeries');
  if (streamed.ok) {
    const written = readSeries(out);
    expectValid(written, 'importFile');
    expect(written.length).toBe(streamed.value.rows);
  }
  // One importer behind both: a file the backtest accepts is one the import accepts, and the other way round.
  expect(streamed.ok ? 'ok' : streamed.error.code, inMemory.ok ? 'loadSeries accepted it' : inMemory.error.message).toBe(inMemory.ok ? 'ok' : inMemory.error.code);
  if (inMemory.ok && streamed.ok) expect(streamed.value.rows).toBe(inMemory.value.length);
}

describe('CSV readers on generated malformed input', () => {
  it('random bytes end in a coded error or a valid series', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('x.csv', 'x.txt', 'x.json', 'x.csv.gz'), async (bytes, name) => {
        await readBoth(tmp.file(name, bytes));
      }),
      params(40),
    );
  });

  it('CSV-shaped text (bad cells, truncated lines, extra or missing columns, BOM, CRLF, quotes) ends in a coded error or a valid series', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        await readBoth(tmp.file('data.csv', text));
      }),
      params(120),
    );
  });

  it('text that is almost a good bar file ends in a coded error or a valid series', async () => {
    const nearlyGood = fc
      .tuple(fc.uniqueArray(goodBarRow, { selector: (r) => r.i, minLength: 1, maxLength: 10 }), fc.nat(), fc.oneof(row, fc.string({ maxLength: 20 })), fc.constantFrom('\n', '\r\n'))
      .map(([rows, at, intruder, eol]) => {
        const lines = rows.sort((a, b) => a.i - b.i).map((r) => r.line);
        lines.splice(at % (lines.length + 1), 0, intruder);
        return ['ts,open,high,low,close,volume', ...lines].join(eol) + eol;
      });
    await fc.assert(
      fc.asyncProperty(nearlyGood, async (text) => {
        await readBoth(tmp.file('bars.csv', text));
      }),
      params(60),
    );
  });
});
