import { AutotraderError } from '@autotrader/core';
import type { EquityCurve, RoundTripTrade, RunResult, Summary } from './types';

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;
/** Milliseconds in an average calendar year (365.25 days), the unit of every annualisation here. */
export const YEAR_MS = 365.25 * DAY_MS;

/**
 * A standard deviation at or below this (in daily-return units) is treated as zero. Float noise on a
 * flat curve would otherwise turn into an absurd Sharpe ratio instead of `null`.
 */
const FLAT_EPSILON = 1e-12;

/**
 * Computes the performance metrics of a run in one pass over the equity curve: O(n) time and no
 * allocation proportional to n, so a curve of millions of points costs milliseconds.
 *
 * **Annualisation.** The curve is resampled to UTC calendar days, keeping the last equity value of
 * each day that has data; daily returns are taken between consecutive resampled points (days without
 * data, such as weekends for equities, are skipped rather than counted as zero returns). The number of
 * periods per year is *observed*, not configured: the number of daily returns divided by the calendar
 * years between the first and the last resampled day (a year being 365.25 days). A crypto market that
 * trades every day therefore comes out at 365.25 and an equity market at about 252, without a flag.
 * - `annualizedVolatility` = sample standard deviation of daily returns × √periodsPerYear.
 * - `sharpe` = mean daily return / its sample standard deviation × √periodsPerYear (risk-free rate 0).
 * - `sortino` = mean daily return / downside deviation × √periodsPerYear, where the downside deviation
 *   is √(Σ min(r, 0)² / n) over all n daily returns (target 0).
 * - `annualizedReturn` (CAGR) = (finalEquity / startingCash)^(1 / years) − 1 with years = (end − start)
 *   / 365.25 days; −1 when the account was wiped out.
 *
 * **Degenerate cases** give `null`, never NaN or Infinity: fewer than two daily returns (a run within
 * one or two days), a flat curve (zero deviation), no losing day (Sortino), a span under one day
 * (CAGR: annualising hours of data says nothing), a non-positive starting cash, or a resampled day
 * with non-positive equity (returns are undefined after a wipe-out).
 *
 * **Drawdown** is measured on the full-resolution curve with the starting cash as the first peak.
 * Its duration runs from the time of the peak to the first point back at or above it, or to the last
 * point when equity never recovered.
 *
 * **Exposure** is time-weighted: each point's exposure holds until the next point's timestamp. When all
 * points share one timestamp it is their plain mean. Non-finite exposure values (equity at zero) are
 * left out.
 *
 * @throws AutotraderError `INTERNAL` when `equity.length` exceeds its arrays, `CLOCK_BACKWARDS` when
 * the curve's timestamps go back in time.
 */
export function computeMetrics(result: RunResult): Summary {
  const curve = scanCurve(result.equity, result.startingCash);
  const trades = tradeStats(result.trades);
  const { startingCash, finalEquity } = result;

  const totalReturn = startingCash > 0 ? finalEquity / startingCash - 1 : null;
  const spanMs = result.end - result.start;
  let annualizedReturn: number | null = null;
  if (startingCash > 0 && spanMs >= DAY_MS) {
    const growth = finalEquity / startingCash;
    annualizedReturn = growth <= 0 ? -1 : finite(Math.pow(growth, YEAR_MS / spanMs) - 1);
  }

  return {
    trades: result.trades.length,
    startingCash,
    finalEquity,
    totalReturn: finite(totalReturn),
    annualizedReturn,
    annualizedVolatility: curve.annualizedVolatility,
    sharpe: curve.sharpe,
    sortino: curve.sortino,
    maxDrawdown: curve.maxDrawdown,
    maxDrawdownDuration: curve.maxDrawdownDuration,
    fees: result.fees,
    exposure: curve.exposure,
    ...trades,
    dailyReturns: curve.dailyReturns,
    periodsPerYear: curve.periodsPerYear,
    start: result.start,
    end: result.end,
    bars: result.bars,
  };
}

/** What one pass over the equity curve yields. */
interface CurveStats {
  maxDrawdown: number;
  maxDrawdownDuration: number;
  exposure: number;
  dailyReturns: number;
  periodsPerYear: number | null;
  annualizedVolatility: number | null;
  sharpe: number | null;
  sortino: number | null;
}

/** Checks that `length` fits the arrays of a curve; shared by everything that walks one. */
export function checkCurve(curve: EquityCurve): void {
  const n = curve.length;
  if (!Number.isInteger(n) || n < 0 || n > curve.ts.length || n > curve.equity.length || n > curve.exposure.length) {
    throw new AutotraderError('INTERNAL', `Equity curve length ${n} does not fit its arrays (ts ${curve.ts.length}, equity ${curve.equity.length}, exposure ${curve.exposure.length}); the engine must set length to the number of points written.`, {
      details: { length: n, ts: curve.ts.length, equity: curve.equity.length, exposure: curve.exposure.length },
    });
  }
}

function scanCurve(curve: EquityCurve, startingCash: number): CurveStats {
  checkCurve(curve);
  const { ts, equity, exposure } = curve;
  const n = curve.length;
  const empty: CurveStats = {
    maxDrawdown: 0, maxDrawdownDuration: 0, exposure: 0, dailyReturns: 0,
    periodsPerYear: null, annualizedVolatility: null, sharpe: null, sortino: null,
  };
  if (n === 0) return empty;

  // Drawdown state. The starting cash is the first peak, so a loss on the very first event counts.
  let peak = startingCash > 0 ? startingCash : -Infinity;
  let peakTs = ts[0];
  let underwater = false;
  let maxDd = 0;
  let maxDdDuration = 0;

  // Exposure: time-weighted sum, plus a plain sum as the fallback for a zero time span.
  let expWeighted = 0;
  let expTime = 0;
  let expSum = 0;
  let expCount = 0;

  // Daily resampling, with Welford's running mean and variance of the daily returns.
  let day = Math.floor(ts[0] / DAY_MS);
  let firstDay = day;
  let lastClosedDay = day;
  let prevClose = NaN;
  let closes = 0;
  let returns = 0;
  let mean = 0;
  let m2 = 0;
  let downsideSq = 0;
  let invalidReturn = false;

  const closeDay = (closeDayIndex: number, value: number): void => {
    if (closes > 0) {
      if (prevClose > 0) {
        const r = value / prevClose - 1;
        returns++;
        const delta = r - mean;
        mean += delta / returns;
        m2 += delta * (r - mean);
        if (r < 0) downsideSq += r * r;
      } else {
        invalidReturn = true;
      }
    } else {
      firstDay = closeDayIndex;
    }
    prevClose = value;
    lastClosedDay = closeDayIndex;
    closes++;
  };

  let prevTs = ts[0];
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    const e = equity[i];
    if (t < prevTs) {
      throw new AutotraderError('CLOCK_BACKWARDS', `Equity curve time goes back at point ${i}: ${t} after ${prevTs}; the engine must record points in event order.`, {
        details: { index: i, ts: t, previousTs: prevTs },
      });
    }

    if (i > 0) {
      const x = exposure[i - 1];
      if (Number.isFinite(x)) {
        expWeighted += x * (t - prevTs);
        expTime += t - prevTs;
      }
      const d = Math.floor(t / DAY_MS);
      if (d !== day) {
        closeDay(day, equity[i - 1]);
        day = d;
      }
    }
    const x = exposure[i];
    if (Number.isFinite(x)) {
      expSum += x;
      expCount++;
    }

    if (e >= peak) {
      if (underwater) {
        maxDdDuration = Math.max(maxDdDuration, t - peakTs);
        underwater = false;
      }
      peak = e;
      peakTs = t;
    } else if (peak > 0) {
      underwater = true;
      const dd = (peak - e) / peak;
      if (dd > maxDd) maxDd = dd;
    }
    prevTs = t;
  }
  closeDay(day, equity[n - 1]);
  if (underwater) maxDdDuration = Math.max(maxDdDuration, ts[n - 1] - peakTs);

  const stats: CurveStats = {
    ...empty,
    maxDrawdown: maxDd,
    maxDrawdownDuration: maxDdDuration,
    exposure: finite(expTime > 0 ? expWeighted / expTime : expCount > 0 ? expSum / expCount : 0) ?? 0,
    dailyReturns: returns,
  };
  const spanYears = ((lastClosedDay - firstDay) * DAY_MS) / YEAR_MS;
  if (returns >= 1 && spanYears > 0) stats.periodsPerYear = returns / spanYears;
  if (invalidReturn || returns < 2 || stats.periodsPerYear === null) return stats;

  const std = Math.sqrt(m2 / (returns - 1));
  const rootP = Math.sqrt(stats.periodsPerYear);
  stats.annualizedVolatility = finite(std * rootP);
  if (std > FLAT_EPSILON) stats.sharpe = finite((mean / std) * rootP);
  const downside = Math.sqrt(downsideSq / returns);
  if (downside > FLAT_EPSILON) stats.sortino = finite((mean / downside) * rootP);
  return stats;
}

/** The trade-statistics fields of a {@link Summary}. */
type TradeStats = Pick<Summary, 'winRate' | 'profitFactor' | 'grossProfit' | 'grossLoss' | 'averageTrade' | 'bestTrade' | 'worstTrade'>;

function tradeStats(trades: readonly RoundTripTrade[]): TradeStats {
  const n = trades.length;
  if (n === 0) {
    return { winRate: null, profitFactor: null, grossProfit: 0, grossLoss: 0, averageTrade: null, bestTrade: null, worstTrade: null };
  }
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let best = -Infinity;
  let worst = Infinity;
  for (const t of trades) {
    const pnl = t.pnl;
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
    } else if (pnl < 0) {
      grossLoss -= pnl;
    }
    if (pnl > best) best = pnl;
    if (pnl < worst) worst = pnl;
  }
  return {
    winRate: wins / n,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    grossProfit,
    grossLoss,
    averageTrade: finite((grossProfit - grossLoss) / n),
    bestTrade: finite(best),
    worstTrade: finite(worst),
  };
}

/** The number, or null when it is NaN or infinite. */
function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}
