import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { importFile, isBarSeries, isQuoteSeries, isTradeSeries, loadSeries, readSeries, type Series } from '@autotrader/data';
import { codedOrValue, params } from './fuzz';
import { scratch } from './tmp';

/**
 * The stronger property, for data that looks right: a generated valid series written as CSV reads back
 * as exactly the same numbers (no value silently changed on the way), and one corrupted cell in it is
 * refused naming that line and that column.
 */

const tmp = scratch('roundtrip');

/** Times in epoch ms well inside the "milliseconds" band of the epoch-number rule (1e11 ≤ t < 1e14). */
const T0 = 1_300_000_000_000;
const positive = fc.double({ min: 1e-6, max: 1e9, noNaN: true, noDefaultInfinity: true });
const size = fc.oneof(fc.constant(0), fc.double({ min: 1e-8, max: 1e9, noNaN: true, noDefaultInfinity: true }));
/** Times as the source may write them: epoch ms or ISO 8601 with milliseconds. */
const timeStyle = fc.constantFrom('ms', 'iso' as const);
const showTime = (t: number, style: 'ms' | 'iso'): string => (style === 'ms' ? String(t) : new Date(t).toISOString());

interface Table {
  kind: 'bar' | 'trade' | 'quote';
  header: string[];
  rows: number[][];
  /** Extra text columns (trade side and id), per row. */
  text?: string[][];
  style: 'ms' | 'iso';
}

const barTable = fc
  .record({
    gaps: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 30 }),
    prices: fc.array(fc.tuple(positive, positive, positive, positive), { minLength: 30, maxLength: 30 }),
    volumes: fc.array(size, { minLength: 30, maxLength: 30 }),
    style: timeStyle,
  })
  .map(({ gaps, prices, volumes, style }): Table => {
    let t = T0;
    const rows = gaps.map((g, i) => {
      t += g * 60_000;
      const [a, b, c, d] = prices[i].slice().sort((x, y) => x - y) as [number, number, number, number];
      // low ≤ open, close ≤ high: the sorted four give low, two inner values, high.
      return [t, b, d, a, c, volumes[i]];
    });
    return { kind: 'bar', header: ['ts', 'open', 'high', 'low', 'close', 'volume'], rows, style };
  });

const tradeTable = fc
  .record({
    gaps: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 30 }),
    prices: fc.array(positive, { minLength: 30, maxLength: 30 }),
    sizes: fc.array(size, { minLength: 30, maxLength: 30 }),
    sides: fc.array(fc.constantFrom('buy', 'sell'), { minLength: 30, maxLength: 30 }),
    style: timeStyle,
  })
  .map(({ gaps, prices, sizes, sides, style }): Table => {
    let t = T0;
    const rows = gaps.map((g, i) => [(t += g), prices[i], sizes[i]]);
    return { kind: 'trade', header: ['ts', 'price', 'qty', 'side', 'id'], rows, text: rows.map((_, i) => [sides[i], `t${i}`]), style };
  });

const quoteTable = fc
  .record({
    gaps: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 30 }),
    quotes: fc.array(fc.tuple(positive, positive, size, size), { minLength: 30, maxLength: 30 }),
    style: timeStyle,
  })
  .map(({ gaps, quotes, style }): Table => {
    let t = T0;
    const rows = gaps.map((g, i) => [(t += g), ...quotes[i]]);
    return { kind: 'quote', header: ['ts', 'bid', 'ask', 'bid_size', 'ask_size'], rows, style };
  });

const anyTable = fc.oneof(barTable, tradeTable, quoteTable);

/** The table as CSV text; `cells` overrides single cells (row, column) with text. */
function toCsv(t: Table, eol: string, cells: Map<string, string> = new Map()): string {
  const lines = t.rows.map((r, i) => {
    const fields = [showTime(r[0], t.style), ...r.slice(1).map(String), ...(t.text?.[i] ?? [])];
    return fields.map((f, j) => cells.get(`${i},${j}`) ?? f).join(',');
  });
  return [t.header.join(','), ...lines].join(eol) + eol;
}

/** The columns a series read back holds, in the table's column order. */
function columnsOf(s: Series): number[][] {
  if (isBarSeries(s)) return [s.columns.tsOpen, s.columns.open, s.columns.high, s.columns.low, s.columns.close, s.columns.volume].map((c) => Array.from(c));
  if (isTradeSeries(s)) return [s.columns.ts, s.columns.price, s.columns.size].map((c) => Array.from(c));
  if (isQuoteSeries(s)) return [s.columns.ts, s.columns.bid, s.columns.ask, s.columns.bidSize, s.columns.askSize].map((c) => Array.from(c));
  throw new Error('unknown kind');
}

function expectSame(s: Series, t: Table): void {
  expect(s.meta.kind).toBe(t.kind);
  expect(s.length).toBe(t.rows.length);
  const cols = columnsOf(s);
  cols.forEach((col, j) => expect(col, `column ${t.header[j]}`).toEqual(t.rows.map((r) => r[j])));
  if (isTradeSeries(s)) {
    expect(Array.from(s.columns.aggressor)).toEqual(t.text!.map(([side]) => (side === 'buy' ? 1 : -1)));
    expect(t.rows.map((_, i) => s.columns.tradeId(i))).toEqual(t.text!.map(([, id]) => id));
  }
}

/** Bad text for a price or size cell, and bad text for a time cell. */
const badValue = fc.constantFrom('NaN', 'Infinity', '-1', '-0.5', 'abc', '1e999', '', '1,5');
const badPrice = fc.oneof(badValue, fc.constantFrom('0'));
const badTime = fc.constantFrom('2022-02-30', '2022-13-01', 'NaN', 'yesterday', '', '1e999');

describe('CSV round trip of valid series', () => {
  it('a valid series written as CSV reads back unchanged, in memory and through the streaming import', async () => {
    await fc.assert(
      fc.asyncProperty(anyTable, fc.constantFrom('\n', '\r\n'), fc.boolean(), async (t, eol, bom) => {
        const path = tmp.file(`${t.kind}s.csv`, (bom ? '\uFEFF' : '') + toCsv(t, eol));
        expectSame(loadSeries(path), t);
        const out = tmp.path('out.arrow');
        await importFile({ input: path, out });
        expectSame(readSeries(out), t);
      }),
      params(60),
    );
  });

  it('one corrupted cell is refused, naming its line and column', async () => {
    const corrupted = anyTable.chain((t) =>
      fc.record({
        t: fc.constant(t),
        row: fc.integer({ min: 0, max: t.rows.length - 1 }),
        // Price and size columns (time is checked by the next case); a size may be 0, so it gets no '0'.
        col: fc.integer({ min: 1, max: t.rows[0].length - 1 }),
        bad: fc.boolean(),
        value: fc.tuple(badPrice, badValue),
      }),
    );
    await fc.assert(
      fc.asyncProperty(corrupted, async ({ t, row, col, value }) => {
        const name = t.header[col];
        const isSize = ['volume', 'qty', 'bid_size', 'ask_size'].includes(name);
        const text = isSize ? value[1] : value[0];
        const path = tmp.file(`${t.kind}s.csv`, toCsv(t, '\n', new Map([[`${row},${col}`, text]])));
        const r = await codedOrValue(() => loadSeries(path));
        expect(r.ok, `accepted ${name}=${JSON.stringify(text)} on line ${row + 2}`).toBe(false);
        if (r.ok) return;
        expect(r.error.code, r.error.message).toBe('DATA_PARSE');
        expect(r.error.details, r.error.message).toMatchObject({ line: row + 2 });
        // The column is named as the file names it, or (for a rule on values) as our layout does.
        const layoutName = { qty: 'size' }[name] ?? name;
        // A decimal comma splits the cell in two: the row then has an extra field, named by its number.
        const named = text.includes(',') ? [String(t.header.length + 1)] : [name, layoutName];
        expect(named, r.error.message).toContain(r.error.details.column);
        const streamed = await codedOrValue(() => importFile({ input: path, out: tmp.path('out.arrow') }));
        expect(streamed.ok ? 'ok' : streamed.error.message).toBe(r.error.message);
      }),
      params(80),
    );
  });

  it('one corrupted time is refused, naming its line', async () => {
    const corrupted = anyTable.chain((t) => fc.record({ t: fc.constant(t), row: fc.integer({ min: 0, max: t.rows.length - 1 }), value: badTime }));
    await fc.assert(
      fc.asyncProperty(corrupted, async ({ t, row, value }) => {
        const path = tmp.file(`${t.kind}s.csv`, toCsv(t, '\n', new Map([[`${row},0`, value]])));
        try {
          loadSeries(path);
        } catch (e) {
          if (!isAutotraderError(e)) throw e;
          expect(['DATA_PARSE', 'DATA_FORMAT_UNKNOWN'], e.message).toContain(e.code);
          if (e.code === 'DATA_PARSE') expect(e.details, e.message).toMatchObject({ line: row + 2 });
          return;
        }
        expect.unreachable(`accepted time ${JSON.stringify(value)} on line ${row + 2}`);
      }),
      params(40),
    );
  });
});
