import { barProblem, quoteProblem, timeProblem, tradeProblem, type RowProblem } from '@autotrader/core';
import { isBarSeries, isTradeSeries, type Series } from './series';

/** The first row of a series that breaks a rule: its 0-based index, and either its problem or that its time goes back. */
export type BadRow = { readonly index: number; readonly problem: RowProblem } | { readonly index: number; readonly unsorted: { readonly ts: number; readonly prev: number; readonly strict: boolean } };

/** The largest magnitude of an epoch-ms time a Date can hold. */
const MAX_TIME = 8.64e15;

/**
 * Finds the first row of a series that breaks the market-data rules of `@autotrader/core` (finite
 * positive prices unless the instrument allows otherwise, low ≤ open, close ≤ high, sizes ≥ 0, times
 * finite and in order), or returns undefined. One pass over the columns with plain comparisons, which
 * also refuse NaN: cheap next to reading the file (see `pnpm bench`, "readSeries").
 */
export function findBadRow(series: Series): BadRow | undefined {
  const allow = series.meta.instrument.allowNonPositivePrices === true;
  // Prices must be above `floor`: 0, or -Infinity (finite only) when the instrument allows any sign.
  const floor = allow ? -Infinity : 0;
  const n = series.length;
  if (isBarSeries(series)) {
    const { tsOpen: t, open, high, low, close, volume } = series.columns;
    let prev = -MAX_TIME - 1;
    for (let i = 0; i < n; i++) {
      const ts = t[i];
      const o = open[i];
      const h = high[i];
      const l = low[i];
      const c = close[i];
      const v = volume[i];
      if (!(ts > prev && l <= o && o <= h && l <= c && c <= h && h < Infinity && l > floor && v >= 0 && v < Infinity)) return explain(series, i, prev, true);
      prev = ts;
    }
    if (n > 0 && !(t[n - 1] <= MAX_TIME)) return explain(series, n - 1, n > 1 ? t[n - 2] : -Infinity, true);
    return undefined;
  }
  if (isTradeSeries(series)) {
    const { ts: t, price, size } = series.columns;
    let prev = -MAX_TIME;
    for (let i = 0; i < n; i++) {
      const ts = t[i];
      const p = price[i];
      const s = size[i];
      if (!(ts >= prev && p > floor && p < Infinity && s >= 0 && s < Infinity)) return explain(series, i, prev, false);
      prev = ts;
    }
    if (n > 0 && !(t[n - 1] <= MAX_TIME)) return explain(series, n - 1, n > 1 ? t[n - 2] : -Infinity, false);
    return undefined;
  }
  const { ts: t, bid, ask, bidSize, askSize } = series.columns;
  let prev = -MAX_TIME;
  for (let i = 0; i < n; i++) {
    const ts = t[i];
    const b = bid[i];
    const a = ask[i];
    const bs = bidSize[i];
    const as = askSize[i];
    if (!(ts >= prev && b > floor && b < Infinity && a > floor && a < Infinity && bs >= 0 && bs < Infinity && as >= 0 && as < Infinity)) return explain(series, i, prev, false);
    prev = ts;
  }
  if (n > 0 && !(t[n - 1] <= MAX_TIME)) return explain(series, n - 1, n > 1 ? t[n - 2] : -Infinity, false);
  return undefined;
}

/** Says what is wrong with row `i`, which failed the fast check (the slow, descriptive checks run only here). */
function explain(series: Series, i: number, prev: number, strict: boolean): BadRow {
  const allow = series.meta.instrument.allowNonPositivePrices === true;
  const timeColumn = isBarSeries(series) ? 'ts_open' : 'ts';
  const ts = isBarSeries(series) ? series.columns.tsOpen[i] : series.columns.ts[i];
  const time = timeProblem(timeColumn, ts);
  if (time !== undefined) return { index: i, problem: time };
  if (strict ? !(ts > prev) : !(ts >= prev)) return { index: i, unsorted: { ts, prev, strict } };
  let problem: RowProblem | undefined;
  if (isBarSeries(series)) {
    const c = series.columns;
    problem = barProblem(c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i], allow);
  } else if (isTradeSeries(series)) {
    problem = tradeProblem(series.columns.price[i], series.columns.size[i], allow);
  } else {
    const c = series.columns;
    problem = quoteProblem(c.bid[i], c.ask[i], c.bidSize[i], c.askSize[i], allow);
  }
  // The fast check and the descriptive one express the same rules; should they ever disagree, say so rather than pass the row.
  return { index: i, problem: problem ?? { column: timeColumn, value: ts, reason: 'breaks a market-data rule' } };
}
