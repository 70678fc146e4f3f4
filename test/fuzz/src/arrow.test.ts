import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { findBadRow, importFile, readSeries, writeSeries, type Series } from '@autotrader/data';
import { codedOrValue, params } from './fuzz';
import { scratch } from './tmp';

/**
 * The Arrow reader: a valid file from our writer with one value changed in place (NaN, negative,
 * infinite, a time out of order) is refused naming the row and the column; random byte flips in a
 * real file end in DATA_CORRUPT or another coded error, never a crash.
 */

const tmp = scratch('arrow');
const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../data');

const INSTRUMENT = { symbol: 'FUZZ', venue: 'SIM', assetClass: 'spot', base: 'FZ', quote: 'USD', tickSize: '0.00000001', lotSize: '0.00000001', minNotional: '0', multiplier: '1' } as const;
const T0 = 1_600_000_000_000;

const positive = fc.double({ min: 1e-3, max: 1e7, noNaN: true, noDefaultInfinity: true });

/** A valid series of 3-20 rows, of any kind. */
const series: fc.Arbitrary<Series> = fc.oneof(
  fc.array(fc.tuple(positive, positive, positive, positive, positive), { minLength: 3, maxLength: 20 }).map((rows): Series => {
    const n = rows.length;
    const c = { tsOpen: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
    rows.forEach((r, i) => {
      const [l, o, cl, h] = r.slice(0, 4).sort((a, b) => a - b);
      c.tsOpen[i] = T0 + i * 60_000;
      c.low[i] = l;
      c.open[i] = o;
      c.close[i] = cl;
      c.high[i] = h;
      c.volume[i] = r[4];
    });
    return { meta: { kind: 'bar', instrument: INSTRUMENT as never, intervalMs: 60_000 }, length: n, columns: c };
  }),
  fc.array(fc.tuple(positive, positive), { minLength: 3, maxLength: 20 }).map((rows): Series => {
    const n = rows.length;
    const ids = rows.map((_, i) => `id${i}`);
    const c = { ts: new Float64Array(n), price: new Float64Array(n), size: new Float64Array(n), aggressor: new Int8Array(n), tradeId: (i: number) => ids[i] };
    rows.forEach(([p, s], i) => {
      c.ts[i] = T0 + i * 1000;
      c.price[i] = p;
      c.size[i] = s;
      c.aggressor[i] = i % 2 === 0 ? 1 : -1;
    });
    return { meta: { kind: 'trade', instrument: INSTRUMENT as never }, length: n, columns: c };
  }),
  fc.array(fc.tuple(positive, positive, positive, positive), { minLength: 3, maxLength: 20 }).map((rows): Series => {
    const n = rows.length;
    const c = { ts: new Float64Array(n), bid: new Float64Array(n), ask: new Float64Array(n), bidSize: new Float64Array(n), askSize: new Float64Array(n) };
    rows.forEach(([b, a, bs, as], i) => {
      c.ts[i] = T0 + i * 1000;
      c.bid[i] = b;
      c.ask[i] = a;
      c.bidSize[i] = bs;
      c.askSize[i] = as;
    });
    return { meta: { kind: 'quote', instrument: INSTRUMENT as never }, length: n, columns: c };
  }),
);

/** The value columns of each kind: the Arrow name and the key in `columns`. */
const VALUE_COLUMNS: Record<string, [string, string][]> = {
  bar: [['open', 'open'], ['high', 'high'], ['low', 'low'], ['close', 'close'], ['volume', 'volume']],
  trade: [['price', 'price'], ['size', 'size']],
  quote: [['bid', 'bid'], ['ask', 'ask'], ['bid_size', 'bidSize'], ['ask_size', 'askSize']],
};
const SIZES = new Set(['volume', 'size', 'bid_size', 'ask_size']);

/** Every place `needle` occurs in `hay`. */
function occurrences(hay: Uint8Array, needle: Uint8Array): number[] {
  const at: number[] = [];
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    at.push(i);
  }
  return at;
}

const f64 = (x: number): Uint8Array => new Uint8Array(new Float64Array([x]).buffer);
const i64 = (x: number): Uint8Array => new Uint8Array(new BigInt64Array([BigInt(x)]).buffer);

/** Replaces the one occurrence of `from` in the file by `to`; false when it is not exactly once there. */
function patch(bytes: Uint8Array, from: Uint8Array, to: Uint8Array): boolean {
  const at = occurrences(bytes, from);
  if (at.length !== 1) return false;
  bytes.set(to, at[0]);
  return true;
}

function refusedAt(path: string, code: string, row: number, column?: string): void {
  try {
    readSeries(path);
  } catch (e) {
    if (!isAutotraderError(e)) throw e;
    expect(e.code, e.message).toBe(code);
    expect(e.details, e.message).toMatchObject({ row });
    if (column !== undefined) expect(e.details.column, e.message).toBe(column);
    expect(e.message).toContain(`row ${row}`);
    return;
  }
  expect.unreachable(`row ${row}${column ? ` column ${column}` : ''} was changed and the file was still read`);
}

describe('Arrow reader on files from our writer with one value changed', () => {
  it('a NaN, infinite, negative (or, for a price, zero) value is refused naming its row and column', () => {
    const mutation = series.chain((s) =>
      fc.record({
        s: fc.constant(s),
        row: fc.integer({ min: 0, max: s.length - 1 }),
        col: fc.constantFrom(...VALUE_COLUMNS[s.meta.kind]),
        to: fc.constantFrom(NaN, Infinity, -Infinity, -1, 0),
      }),
    );
    fc.assert(
      fc.property(mutation, ({ s, row, col: [name, key], to }) => {
        fc.pre(!(SIZES.has(name) && to === 0));
        const path = tmp.path('one.arrow');
        writeSeries(path, s);
        const bytes = new Uint8Array(readFileSync(path));
        const original = (s.columns as unknown as Record<string, Float64Array>)[key][row];
        const value = to === -1 ? -original : to;
        fc.pre(patch(bytes, f64(original), f64(value)));
        const bad = tmp.file('bad.arrow', bytes);
        refusedAt(bad, 'DATA_PARSE', row + 1, name);
      }),
      params(80),
    );
  });

  it('a time moved before the previous row is refused as DATA_UNSORTED naming its row', () => {
    const mutation = series.chain((s) => fc.record({ s: fc.constant(s), row: fc.integer({ min: 1, max: s.length - 1 }), back: fc.integer({ min: 1, max: 10_000 }) }));
    fc.assert(
      fc.property(mutation, ({ s, row, back }) => {
        const path = tmp.path('t.arrow');
        writeSeries(path, s);
        const bytes = new Uint8Array(readFileSync(path));
        const ts = s.meta.kind === 'bar' ? (s.columns as { tsOpen: Float64Array }).tsOpen : (s.columns as { ts: Float64Array }).ts;
        const earlier = ts[row - 1] - (s.meta.kind === 'bar' ? back - 1 : back);
        fc.pre(patch(bytes, i64(ts[row]), i64(earlier)));
        refusedAt(tmp.file('bad.arrow', bytes), 'DATA_UNSORTED', row + 1);
      }),
      params(40),
    );
  });

  it('a bar whose high falls below its low, or whose close rises above its high, is refused naming the row', () => {
    const bars = series.filter((s) => s.meta.kind === 'bar').chain((s) => fc.record({ s: fc.constant(s), row: fc.integer({ min: 0, max: s.length - 1 }), which: fc.constantFrom('high', 'close') }));
    fc.assert(
      fc.property(bars, ({ s, row, which }) => {
        const c = s.columns as { high: Float64Array; low: Float64Array; close: Float64Array };
        fc.pre(c.low[row] > 0 && c.high[row] > c.low[row]);
        const path = tmp.path('b.arrow');
        writeSeries(path, s);
        const bytes = new Uint8Array(readFileSync(path));
        const [from, to] = which === 'high' ? [c.high[row], c.low[row] / 2] : [c.close[row], c.high[row] * 2];
        fc.pre(patch(bytes, f64(from), f64(to)));
        refusedAt(tmp.file('bad.arrow', bytes), 'DATA_PARSE', row + 1);
      }),
      params(30),
    );
  });
});

describe('Arrow reader on real files with random bytes changed', () => {
  for (const name of ['orcl-1995-2014.arrow', 'xrpeth-trades.arrow']) {
    const real = new Uint8Array(readFileSync(join(DATA, name)));
    // The metadata and the footer hold most of what can go wrong; the body is mostly numbers.
    const position = fc.oneof(fc.integer({ min: 0, max: 2048 }), fc.integer({ min: real.length - 2048, max: real.length - 1 }), fc.integer({ min: 0, max: real.length - 1 }));
    const flips = fc.array(fc.tuple(position, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 });

    it(`${name}: flipped bytes end in a coded error or a series that meets every rule`, async () => {
      await fc.assert(
        fc.asyncProperty(flips, fc.option(fc.nat(), { nil: undefined }), async (changes, cut) => {
          let bytes = real.slice();
          for (const [at, x] of changes) bytes[at] ^= x;
          if (cut !== undefined) bytes = bytes.subarray(0, cut % bytes.length);
          const path = tmp.file(name, bytes);
          const r = await codedOrValue(() => readSeries(path));
          if (r.ok) expect(findBadRow(r.value)).toBeUndefined();
          // Re-import (`pnpm data import x.arrow --repair drop`) reads the same bytes without the row checks first.
          await codedOrValue(() => importFile({ input: path, out: tmp.path('re.arrow'), repair: 'drop' }));
        }),
        params(40),
      );
    });
  }
});
