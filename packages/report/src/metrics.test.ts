import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { computeMetrics, DAY_MS, YEAR_MS } from './metrics';
import { curveOf, runOf } from './test-helpers';
import type { RoundTripTrade, Summary } from './types';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1); // a Monday

/** Daily closes from daily returns, with noisy intraday points before each close. */
function dailyCurve(returns: number[]) {
  const points: Array<{ ts: number; equity: number }> = [];
  let e = 1000;
  points.push({ ts: T0 + 23 * HOUR, equity: e });
  for (let d = 0; d < returns.length; d++) {
    const dayStart = T0 + (d + 1) * DAY_MS;
    // Intraday points that must NOT count: only the last point of each day does.
    points.push({ ts: dayStart + HOUR, equity: e * 1.5 }, { ts: dayStart + 2 * HOUR, equity: e * 0.5 });
    e = e * (1 + returns[d]);
    points.push({ ts: dayStart + 20 * HOUR, equity: e });
  }
  return { curve: curveOf(points), final: e };
}

function expectJsonSafe(summary: Summary): void {
  for (const [k, v] of Object.entries(summary)) {
    if (v !== null) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true);
  }
}

describe('computeMetrics: drawdown', () => {
  it('finds the deepest fall and the longest time under water', () => {
    // Peak 120 at 1h, trough 90 (25%), recovered at 4h by 130: 3h under water.
    // Peak 130 at 4h, trough 80 (38.46%), never recovered: 2h to the last point.
    const equity = [100, 120, 90, 110, 130, 80, 100];
    const curve = curveOf(equity.map((e, i) => ({ ts: T0 + i * HOUR, equity: e })));
    const s = computeMetrics(runOf(curve));
    expect(s.maxDrawdown).toBeCloseTo(50 / 130, 15);
    expect(s.maxDrawdownDuration).toBe(3 * HOUR);
  });

  it('counts an unrecovered drawdown to the last point when it is the longest', () => {
    const equity = [100, 110, 105, 100, 95, 99, 104];
    const curve = curveOf(equity.map((e, i) => ({ ts: T0 + i * HOUR, equity: e })));
    const s = computeMetrics(runOf(curve));
    expect(s.maxDrawdown).toBeCloseTo(15 / 110, 15);
    expect(s.maxDrawdownDuration).toBe(5 * HOUR);
  });

  it('uses the starting cash as the first peak', () => {
    const curve = curveOf([{ ts: T0, equity: 95 }, { ts: T0 + HOUR, equity: 100 }, { ts: T0 + 3 * HOUR, equity: 99 }]);
    const s = computeMetrics(runOf(curve, { startingCash: 100 }));
    expect(s.maxDrawdown).toBeCloseTo(0.05, 15);
    expect(s.maxDrawdownDuration).toBe(2 * HOUR);
  });

  it('is zero for a curve that only rises', () => {
    const curve = curveOf([100, 101, 101, 102].map((e, i) => ({ ts: T0 + i * HOUR, equity: e })));
    const s = computeMetrics(runOf(curve));
    expect(s.maxDrawdown).toBe(0);
    expect(s.maxDrawdownDuration).toBe(0);
  });
});

describe('computeMetrics: daily returns and annualisation', () => {
  const returns = [0.01, -0.02, 0.03, 0.005, -0.01];

  it('gives the exact Sharpe, Sortino and volatility of known daily returns (365.25 days a year)', () => {
    const { curve, final } = dailyCurve(returns);
    const s = computeMetrics(runOf(curve, { startingCash: 1000, finalEquity: final }));
    // mean 0.003; squared deviations sum 0.00148 → sample variance 0.00037;
    // downside: (0.02² + 0.01²) / 5 = 0.0001 → downside deviation 0.01.
    expect(s.dailyReturns).toBe(5);
    expect(s.periodsPerYear).toBeCloseTo(365.25, 9);
    expect(s.sharpe).toBeCloseTo((0.003 / Math.sqrt(0.00037)) * Math.sqrt(365.25), 9);
    expect(s.sortino).toBeCloseTo((0.003 / 0.01) * Math.sqrt(365.25), 9);
    expect(s.annualizedVolatility).toBeCloseTo(Math.sqrt(0.00037) * Math.sqrt(365.25), 9);
  });

  it('observes about 252 periods a year on weekday-only data, without a flag', () => {
    const points: Array<{ ts: number; equity: number }> = [];
    let e = 1000;
    for (let d = 0; d < 364; d++) {
      const dow = new Date(T0 + d * DAY_MS).getUTCDay();
      if (dow === 0 || dow === 6) continue;
      e *= d % 3 === 0 ? 1.004 : 0.999;
      points.push({ ts: T0 + d * DAY_MS + 16 * HOUR, equity: e });
    }
    const s = computeMetrics(runOf(curveOf(points)));
    // 260 weekdays from Monday 2024-01-01 to Friday 2024-12-27: 259 returns over 361 days.
    expect(points.length).toBe(260);
    expect(s.dailyReturns).toBe(259);
    expect(s.periodsPerYear).toBeCloseTo(259 / (361 / 365.25), 9);
    expect(s.periodsPerYear!).toBeGreaterThan(250);
    expect(s.periodsPerYear!).toBeLessThan(265);
  });

  it('compounds the annual growth rate over the calendar span', () => {
    const curve = curveOf([{ ts: 0, equity: 100 }, { ts: 2 * YEAR_MS, equity: 121 }]);
    const s = computeMetrics(runOf(curve, { startingCash: 100, finalEquity: 121, start: 0, end: 2 * YEAR_MS }));
    expect(s.totalReturn).toBeCloseTo(0.21, 15);
    expect(s.annualizedReturn).toBeCloseTo(0.1, 12);
  });

  it('gives a CAGR of -100% when the account is wiped out', () => {
    const curve = curveOf([{ ts: 0, equity: 100 }, { ts: 10 * DAY_MS, equity: 0 }]);
    const s = computeMetrics(runOf(curve, { startingCash: 100, finalEquity: 0, start: 0, end: 10 * DAY_MS }));
    expect(s.annualizedReturn).toBe(-1);
    expect(s.totalReturn).toBe(-1);
    expect(s.maxDrawdown).toBe(1);
  });
});

describe('computeMetrics: degenerate cases', () => {
  it('returns null ratios for a run inside one day, never NaN or Infinity', () => {
    const curve = curveOf([100, 101, 99, 102].map((e, i) => ({ ts: T0 + i * HOUR, equity: e })));
    const s = computeMetrics(runOf(curve));
    expect(s.dailyReturns).toBe(0);
    expect(s.sharpe).toBeNull();
    expect(s.sortino).toBeNull();
    expect(s.annualizedVolatility).toBeNull();
    expect(s.periodsPerYear).toBeNull();
    expect(s.annualizedReturn).toBeNull();
    expect(s.totalReturn).toBeCloseTo(0.02, 15);
    expectJsonSafe(s);
  });

  it('returns a null Sharpe for flat equity', () => {
    const curve = curveOf(Array.from({ length: 30 }, (_, d) => ({ ts: T0 + d * DAY_MS, equity: 5000 })));
    const s = computeMetrics(runOf(curve));
    expect(s.dailyReturns).toBe(29);
    expect(s.sharpe).toBeNull();
    expect(s.sortino).toBeNull();
    expect(s.annualizedVolatility).toBe(0);
    expect(s.maxDrawdown).toBe(0);
    expect(s.totalReturn).toBe(0);
    expect(s.annualizedReturn).toBe(0);
    expectJsonSafe(s);
  });

  it('returns a null Sortino when no day lost money', () => {
    const { curve, final } = dailyCurve([0.01, 0.02, 0.005]);
    const s = computeMetrics(runOf(curve, { startingCash: 1000, finalEquity: final }));
    expect(s.sortino).toBeNull();
    expect(s.sharpe).not.toBeNull();
    expect(s.sharpe!).toBeGreaterThan(0);
  });

  it('returns null ratios after a day closing at zero equity', () => {
    const curve = curveOf([100, 50, 0, 10, 20].map((e, d) => ({ ts: T0 + d * DAY_MS, equity: e })));
    const s = computeMetrics(runOf(curve));
    expect(s.sharpe).toBeNull();
    expect(s.sortino).toBeNull();
    expect(s.annualizedVolatility).toBeNull();
    expectJsonSafe(s);
  });

  it('handles an empty curve and no trades', () => {
    const s = computeMetrics(runOf(curveOf([]), { startingCash: 1000, finalEquity: 1000, start: 0, end: 0 }));
    expect(s.maxDrawdown).toBe(0);
    expect(s.exposure).toBe(0);
    expect(s.sharpe).toBeNull();
    expect(s.trades).toBe(0);
    expect(s.winRate).toBeNull();
    expect(s.profitFactor).toBeNull();
    expect(s.averageTrade).toBeNull();
    expect(s.totalReturn).toBe(0);
    expectJsonSafe(s);
  });

  it('returns a null total return when there was no starting cash', () => {
    const s = computeMetrics(runOf(curveOf([{ ts: 0, equity: 0 }]), { startingCash: 0, finalEquity: 5 }));
    expect(s.totalReturn).toBeNull();
    expect(s.annualizedReturn).toBeNull();
  });
});

describe('computeMetrics: exposure', () => {
  it('weights each exposure value by the time until the next point', () => {
    const curve = curveOf([
      { ts: 0, equity: 100, exposure: 1 },
      { ts: 1000, equity: 100, exposure: 0 },
      { ts: 4000, equity: 100, exposure: 0.5 },
    ]);
    expect(computeMetrics(runOf(curve)).exposure).toBeCloseTo(0.25, 15);
  });

  it('averages plainly when all points share one time, and skips non-finite values', () => {
    const curve = curveOf([
      { ts: 5, equity: 100, exposure: 0.2 },
      { ts: 5, equity: 100, exposure: Infinity },
      { ts: 5, equity: 100, exposure: 0.6 },
    ]);
    expect(computeMetrics(runOf(curve)).exposure).toBeCloseTo(0.4, 15);
  });
});

describe('computeMetrics: trade statistics', () => {
  const trade = (pnl: number): RoundTripTrade => ({
    instrumentId: 'X', side: 'long', quantity: 1, entryTs: 0, entryPrice: 1, exitTs: 1, exitPrice: 1, pnl, fees: 0, returnPct: 0,
  });

  it('computes win rate, profit factor, average, best and worst', () => {
    const s = computeMetrics(runOf(curveOf([{ ts: 0, equity: 1 }]), { trades: [10, -5, 0, 20, -15].map(trade), fees: 3.5 }));
    expect(s.trades).toBe(5);
    expect(s.winRate).toBe(0.4);
    expect(s.grossProfit).toBe(30);
    expect(s.grossLoss).toBe(20);
    expect(s.profitFactor).toBe(1.5);
    expect(s.averageTrade).toBe(2);
    expect(s.bestTrade).toBe(20);
    expect(s.worstTrade).toBe(-15);
    expect(s.fees).toBe(3.5);
  });

  it('has a null profit factor when nothing lost', () => {
    const s = computeMetrics(runOf(curveOf([{ ts: 0, equity: 1 }]), { trades: [trade(3), trade(4)] }));
    expect(s.profitFactor).toBeNull();
    expect(s.winRate).toBe(1);
  });
});

describe('computeMetrics: bad input', () => {
  it('rejects a length larger than the arrays', () => {
    const curve = curveOf([{ ts: 0, equity: 1 }]);
    curve.length = 2;
    expect(() => computeMetrics(runOf(curve))).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('rejects time going backwards with CLOCK_BACKWARDS', () => {
    const curve = curveOf([{ ts: 10, equity: 1 }, { ts: 5, equity: 1 }]);
    try {
      computeMetrics(runOf(curve));
      expect.unreachable();
    } catch (error) {
      expect(isAutotraderError(error, 'CLOCK_BACKWARDS')).toBe(true);
    }
  });

  it('reads only the first `length` points of grown buffers', () => {
    const curve = curveOf([{ ts: 0, equity: 100 }, { ts: HOUR, equity: 80 }, { ts: 0, equity: 1 }]);
    curve.length = 2;
    expect(computeMetrics(runOf(curve, { startingCash: 100 })).maxDrawdown).toBeCloseTo(0.2, 15);
  });
});
