import { describe, expect, it } from 'vitest';
import { Decimal } from '@autotrader/core';
import { summaryToJson } from './json';
import { toJsonSafe } from './json-safe';
import { computeMetrics } from './metrics';
import { curveOf, runOf } from './test-helpers';

describe('summaryToJson', () => {
  const curve = curveOf([{ ts: 0, equity: 100 }, { ts: 86_400_000, equity: 101 }]);
  const result = runOf(curve, {
    params: { fast: 10, big: 12345678901234567890n, ratio: Infinity, nested: { d: new Decimal('0.1') }, skip: undefined },
    trades: [{ instrumentId: 'ETH-USD', side: 'short', quantity: 2, entryTs: 0, entryPrice: 0, exitTs: 5, exitPrice: 10, pnl: -20, fees: 0.5, returnPct: NaN }],
    fills: [{ ts: 3, clientOrderId: 'c1', tradeId: 't1', instrumentId: 'ETH-USD', side: 'sell', price: '0.10000000000000000001', quantity: '2.5', fee: '0.000001', feeCurrency: 'USD', liquidity: 'taker' }],
  });
  const summary = computeMetrics(result);
  const json = summaryToJson(summary, result);
  const text = JSON.stringify(json);

  it('survives a JSON round trip unchanged, with no NaN or Infinity', () => {
    expect(JSON.parse(text)).toEqual(json);
    expect(text).not.toMatch(/NaN|Infinity/);
  });

  it('keeps fill decimals exact and turns non-finite numbers into null', () => {
    expect(json.fills[0].price).toBe('0.10000000000000000001');
    expect(json.fills[0].fee).toBe('0.000001');
    expect(json.trades[0].returnPct).toBeNull();
    expect(json.trades[0].pnl).toBe(-20);
    expect(json.summary.trades).toBe(1);
    expect(json.summary.worstTrade).toBe(-20);
  });

  it('makes parameters JSON-safe', () => {
    expect(json.run.params).toEqual({ fast: 10, big: '12345678901234567890', ratio: null, nested: { d: '0.1' } });
    expect(json.run.strategy).toBe('test');
  });

  it('replaces non-finite numbers in a hand-built summary', () => {
    const bad = summaryToJson({ ...summary, sharpe: Infinity as number, finalEquity: NaN }, result);
    expect(bad.summary.sharpe).toBeNull();
    expect(bad.summary.finalEquity).toBeNull();
  });
});

describe('toJsonSafe', () => {
  it('converts dates, maps, sets, typed arrays and cycles', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(toJsonSafe({
      d: new Date(Date.UTC(2024, 0, 2)), bad: new Date(NaN), m: new Map([['k', 1]]), s: new Set([1, -Infinity]),
      f: new Float64Array([1.5, NaN]), a, arr: [undefined, () => 0],
    })).toEqual({ d: '2024-01-02T00:00:00.000Z', bad: null, m: { k: 1 }, s: [1, null], f: [1.5, null], a: ['[Circular]'], arr: [null, null] });
  });
  it('keeps a shared (non-cyclic) reference in both places', () => {
    const shared = { x: 1 };
    expect(toJsonSafe({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});
