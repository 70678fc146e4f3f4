/**
 * The rules every row of market data must meet before anything uses it, shared by every place data
 * enters (CSV/JSON import, Arrow files, recordings, venue messages), so that they cannot drift apart.
 *
 * - Prices are finite and positive, unless the instrument declares `allowNonPositivePrices` (spreads,
 *   and futures such as WTI in April 2020, do go to zero and below); then they need only be finite.
 * - A bar has low ≤ open ≤ high, low ≤ close ≤ high (so low ≤ high) and a finite volume ≥ 0.
 * - Sizes are finite and ≥ 0 (0 means "unknown" in our files).
 * - Times are finite epoch milliseconds within the range of a JavaScript Date.
 *
 * Each check returns `undefined` for a good row, or the first {@link RowProblem} found, naming the
 * column by its name in our Arrow layout (`open`, `bid_size`, ...). The checks never throw: each entry
 * point decides whether a bad row is refused (files), repaired (`pnpm data import --repair`) or logged
 * and skipped (venue messages).
 */

/** What is wrong with one row: the column, the value found, and why it is refused. */
export interface RowProblem {
  /** The column's name in our Arrow layout: `open`, `high`, `low`, `close`, `volume`, `price`, `size`, `bid`, `ask`, `bid_size`, `ask_size`, or the time column. */
  readonly column: string;
  readonly value: number;
  /** Completes the sentence "`<column>` <value> ...", e.g. `is above high 101`. */
  readonly reason: string;
  /**
   * True when the row's only fault is an open or close outside [low, high] with every value itself
   * good: the one problem that moving open and close into the range repairs.
   */
  readonly outsideRange?: boolean;
}

/** The largest magnitude of an epoch-ms time a JavaScript Date can hold. */
const MAX_TIME_MS = 8.64e15;

function priceProblem(column: string, value: number, allowNonPositive: boolean): RowProblem | undefined {
  if (!Number.isFinite(value)) return { column, value, reason: 'is not a finite number' };
  if (!allowNonPositive && !(value > 0)) {
    return { column, value, reason: 'is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)' };
  }
  return undefined;
}

function sizeProblem(column: string, value: number): RowProblem | undefined {
  if (!Number.isFinite(value)) return { column, value, reason: 'is not a finite number' };
  if (value < 0) return { column, value, reason: 'is negative (sizes and volumes must be ≥ 0)' };
  return undefined;
}

/** The problem with a bar's prices and volume, if any. Prices are checked first, then their order. */
export function barProblem(open: number, high: number, low: number, close: number, volume: number, allowNonPositivePrices = false): RowProblem | undefined {
  const bad =
    priceProblem('open', open, allowNonPositivePrices) ??
    priceProblem('high', high, allowNonPositivePrices) ??
    priceProblem('low', low, allowNonPositivePrices) ??
    priceProblem('close', close, allowNonPositivePrices) ??
    sizeProblem('volume', volume);
  if (bad !== undefined) return bad;
  if (high < low) return { column: 'high', value: high, reason: `is below low ${low}` };
  if (open < low) return { column: 'open', value: open, reason: `is below low ${low}`, outsideRange: true };
  if (open > high) return { column: 'open', value: open, reason: `is above high ${high}`, outsideRange: true };
  if (close < low) return { column: 'close', value: close, reason: `is below low ${low}`, outsideRange: true };
  if (close > high) return { column: 'close', value: close, reason: `is above high ${high}`, outsideRange: true };
  return undefined;
}

/** The problem with a trade's price and size, if any. */
export function tradeProblem(price: number, size: number, allowNonPositivePrices = false): RowProblem | undefined {
  return priceProblem('price', price, allowNonPositivePrices) ?? sizeProblem('size', size);
}

/**
 * The problem with a quote's prices and sizes, if any. A crossed quote (bid above ask) is not refused:
 * real feeds show crossed and locked markets for moments, and the simulated venue handles them.
 */
export function quoteProblem(bid: number, ask: number, bidSize: number, askSize: number, allowNonPositivePrices = false): RowProblem | undefined {
  return priceProblem('bid', bid, allowNonPositivePrices) ?? priceProblem('ask', ask, allowNonPositivePrices) ?? sizeProblem('bid_size', bidSize) ?? sizeProblem('ask_size', askSize);
}

/** The problem with a time in epoch ms, if any: it must be finite and within a Date's range. */
export function timeProblem(column: string, ts: number): RowProblem | undefined {
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_TIME_MS) return { column, value: ts, reason: 'is not a time in epoch milliseconds' };
  return undefined;
}

/**
 * True when a bar is good: one branch-light expression for the loops that check millions of rows (the
 * Arrow reader). NaN fails every comparison, so it is refused without a separate test. Call
 * {@link barProblem} on a row that fails, to say why.
 */
export function isGoodBar(open: number, high: number, low: number, close: number, volume: number, allowNonPositivePrices: boolean): boolean {
  return (
    low <= open &&
    open <= high &&
    low <= close &&
    close <= high &&
    high < Infinity &&
    (allowNonPositivePrices ? low > -Infinity : low > 0) &&
    volume >= 0 &&
    volume < Infinity
  );
}

/** Describes a problem as one phrase: `close 1000000100 is above high 101`. */
export function describeProblem(p: RowProblem): string {
  return `${p.column} ${p.value} ${p.reason}`;
}
