import type { EquityCurve, RunResult } from './types';

/**
 * Test-only builders for report inputs. Lives in src so that the test files share it; nothing in the
 * package imports it.
 */

/** An equity curve from plain points; exposure defaults to 0. */
export function curveOf(points: ReadonlyArray<{ ts: number; equity: number; exposure?: number }>): EquityCurve {
  const n = points.length;
  const curve: EquityCurve = { ts: new Float64Array(n), equity: new Float64Array(n), exposure: new Float64Array(n), length: n };
  points.forEach((p, i) => {
    curve.ts[i] = p.ts;
    curve.equity[i] = p.equity;
    curve.exposure[i] = p.exposure ?? 0;
  });
  return curve;
}

/** A run result around `curve`, with the rest filled by plain defaults that each test can override. */
export function runOf(curve: EquityCurve, overrides: Partial<RunResult> = {}): RunResult {
  const n = curve.length;
  return {
    startingCash: n > 0 ? curve.equity[0] : 10_000,
    finalEquity: n > 0 ? curve.equity[n - 1] : 10_000,
    currency: 'USDT',
    equity: curve,
    trades: [],
    fills: [],
    fees: 0,
    start: n > 0 ? curve.ts[0] : 0,
    end: n > 0 ? curve.ts[n - 1] : 0,
    bars: n,
    strategy: 'test',
    params: {},
    instruments: ['BTCUSDT.BINANCE'],
    ...overrides,
  };
}
