import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBadRow, importFile, loadSeries, readSeries } from '@autotrader/data';
import { codedOrValue, nastyNumber, params } from './fuzz';
import { scratch } from './tmp';

/**
 * The JSON readers (Binance kline REST arrays, Binance trades and aggTrades, freqtrade trades) on random
 * JSON and on documented examples with one field changed: a coded error or a series that meets every
 * rule, through both the in-memory and the streaming reader.
 */

const tmp = scratch('json');

// Documented shapes (data/README.md, "Import formats"), one good element each.
const KLINE = [1_640_995_200_000, '46216.93', '46271.08', '46208.37', '46250.00', '40.57574000', 1_640_995_259_999, '1876621.09', 1180, '19.5', '902437.3', '0'];
const AGG_TRADE = { a: 26129, p: '0.01633102', q: '4.70443515', f: 27781, l: 27781, T: 1_498_793_709_153, m: true };
const TRADE = { id: 28457, price: '4.00000100', qty: '12.00000000', time: 1_499_865_549_590, isBuyerMaker: true };
const FREQTRADE = [1_640_995_200_000, '123', null, 'buy', 46216.93, 0.01, 462.1693];

/** N elements of one shape, each one a step later in time. */
function elements(kind: 'kline' | 'agg' | 'trade' | 'freqtrade', n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => {
    switch (kind) {
      case 'kline':
        return KLINE.map((v, j) => (j === 0 ? (v as number) + i * 60_000 : j === 6 ? (v as number) + i * 60_000 : v));
      case 'agg':
        return { ...AGG_TRADE, a: AGG_TRADE.a + i, T: AGG_TRADE.T + i };
      case 'trade':
        return { ...TRADE, id: TRADE.id + i, time: TRADE.time + i };
      case 'freqtrade':
        return FREQTRADE.map((v, j) => (j === 0 ? (v as number) + i : v));
    }
  });
}

/** Any JSON value, with the values a careless parser gets wrong mixed in. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyNumber, fc.constantFrom(null, -1, 0, 1e308, -1e-308, 2 ** 53 + 1, true, [], {}, '1e400', 'NaN'));

/** A documented example with one element's field replaced, removed, or the element replaced whole. */
const mutated = fc
  .record({ kind: fc.constantFrom('kline', 'agg', 'trade', 'freqtrade' as const), n: fc.integer({ min: 2, max: 6 }), at: fc.nat(), field: fc.nat(), how: fc.constantFrom('set', 'delete', 'whole'), value: anyValue })
  .map(({ kind, n, at, field, how, value }) => {
    const list = elements(kind, n);
    const i = at % n;
    const el = list[i] as Record<string, unknown> | unknown[];
    if (how === 'whole') list[i] = value;
    else if (Array.isArray(el)) {
      const k = field % (el.length + 1);
      if (how === 'set') el[k] = value;
      else el.splice(k, 1);
    } else {
      const keys = Object.keys(el);
      const k = keys[field % keys.length];
      if (how === 'set') el[k] = value;
      else delete el[k];
    }
    return JSON.stringify(list);
  });

async function readBoth(path: string): Promise<boolean> {
  const inMemory = await codedOrValue(() => loadSeries(path));
  const out = tmp.path('out.arrow');
  const streamed = await codedOrValue(() => importFile({ input: path, out }));
  if (inMemory.ok) {
    expect(inMemory.value.length).toBeGreaterThan(0);
    expect(findBadRow(inMemory.value)).toBeUndefined();
  }
  if (streamed.ok) expect(findBadRow(readSeries(out))).toBeUndefined();
  expect(streamed.ok ? 'ok' : streamed.error.code, inMemory.ok ? 'accepted in memory' : inMemory.error.message).toBe(inMemory.ok ? 'ok' : inMemory.error.code);
  return inMemory.ok;
}

describe('JSON readers on generated malformed input', () => {
  it('documented Binance and freqtrade examples read as they should (the mutations below start from good files)', async () => {
    for (const kind of ['kline', 'agg', 'trade', 'freqtrade'] as const) {
      expect(await readBoth(tmp.file(`${kind}.json`, JSON.stringify(elements(kind, 3)))), kind).toBe(true);
    }
  });

  it('documented examples with one field changed end in a coded error or a valid series', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        if (await readBoth(tmp.file('m.json', text))) accepted++;
      }),
      params(120),
    );
    // Some mutations are harmless (an unused field): the property saw both outcomes.
    expect(accepted).toBeGreaterThan(0);
  });

  it('random JSON, and JSON cut short, ends in a coded error or a valid series', async () => {
    const text = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.tuple(fc.constantFrom('kline', 'agg', 'trade', 'freqtrade' as const), fc.nat()).map(([k, cut]) => {
        const t = JSON.stringify(elements(k, 3));
        return t.slice(0, cut % t.length);
      }),
      fc.array(anyValue, { maxLength: 5 }).map((a) => JSON.stringify(a)),
    );
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        await readBoth(tmp.file('r.json', t));
      }),
      params(80),
    );
  });
});
