/**
 * The inputs of the report package (what a run hands over) and its main output, {@link Summary}.
 * Market-derived series are plain numbers; fill records keep the exact decimal strings.
 */

/**
 * Account equity over a run, as parallel columns. One point per processed market event, so it can hold
 * a million points or more; the arrays may be longer than `length` (grown buffers), only the first
 * `length` entries count. Timestamps are epoch milliseconds in ascending order.
 */
export interface EquityCurve {
  /** Event time of each point, epoch ms, ascending. */
  ts: Float64Array;
  /** Account equity (cash plus marked positions) in the run's currency. */
  equity: Float64Array;
  /** Gross |position value| / equity at that point: 0 when flat, 1 when fully invested, above 1 when levered. */
  exposure: Float64Array;
  /** Number of valid points. */
  length: number;
}

/** A closed position: one entry and one exit (a partially closed position yields one trade per closing part). */
export interface RoundTripTrade {
  instrumentId: string;
  side: 'long' | 'short';
  quantity: number;
  /** Entry time, epoch ms. */
  entryTs: number;
  entryPrice: number;
  /** Exit time, epoch ms. */
  exitTs: number;
  exitPrice: number;
  /** Profit or loss net of fees, in the run's currency. */
  pnl: number;
  fees: number;
  /** Return of the trade as a fraction of its entry value (0.01 = 1%). */
  returnPct: number;
  /** The currency `pnl` and `fees` are in (the instrument's quote currency); absent: the run's currency. */
  currency?: string;
  /** Set when the venue closed the position on our account: a margin closeout, a contract's expiry or an exercise. */
  reason?: 'closeout' | 'expiry' | 'exercise';
}

/** One execution. Prices, quantities and fees are decimal strings so that JSON and CSV output stay exact. */
export interface FillRecord {
  /** Venue time of the fill, epoch ms. */
  ts: number;
  clientOrderId: string;
  tradeId: string;
  instrumentId: string;
  side: 'buy' | 'sell';
  price: string;
  quantity: string;
  fee: string;
  feeCurrency: string;
  liquidity: 'maker' | 'taker';
}

/**
 * The account figures of a margin or multi-currency run, in the account's base currency unless said
 * otherwise. A run in a cash account of one currency has none, and its report is as it always was.
 */
export interface AccountFigures {
  type: 'cash' | 'margin';
  baseCurrency: string;
  /** Net asset value at the end: balance plus unrealized profit, in the base currency. */
  nav: number;
  /** The most margin the open positions held at any point of the run. */
  marginUsedPeak: number;
  /** The margin held at the end of the run. */
  marginUsedEnd: number;
  /** Positions the venue closed out for want of margin. */
  closeouts: number;
  /** Gross notional of the open positions per quote currency, each in its own currency. */
  exposureByCurrency: Record<string, number>;
  /** The largest gross notional held per quote currency during the run (after any fill), where known. */
  exposurePeakByCurrency?: Record<string, number>;
}

/** Everything a finished run hands to the report. */
export interface RunResult {
  startingCash: number;
  finalEquity: number;
  /** The account currency, e.g. `USDT`. */
  currency: string;
  equity: EquityCurve;
  trades: RoundTripTrade[];
  fills: FillRecord[];
  /** Total fees paid, in the run's currency. */
  fees: number;
  /** Start of the run, epoch ms. */
  start: number;
  /** End of the run, epoch ms. */
  end: number;
  /** Number of market events (bars, trades, quotes) processed. */
  bars: number;
  strategy: string;
  params: Record<string, unknown>;
  instruments: string[];
  /** Margin or multi-currency runs only: NAV, margin, closeouts and exposure per currency. */
  account?: AccountFigures;
}

/**
 * Performance metrics of a run, computed by `computeMetrics`. Every field is a finite number or `null`
 * (never NaN or Infinity), so the object is JSON-safe as it is. Fractions are plain ratios (0.05 = 5%).
 */
export interface Summary {
  /** Number of round-trip trades. */
  trades: number;
  startingCash: number;
  finalEquity: number;
  /** finalEquity / startingCash − 1; null when startingCash is not positive. */
  totalReturn: number | null;
  /** Compound annual growth rate over the calendar span start..end; null for spans under one day. */
  annualizedReturn: number | null;
  /** Standard deviation of daily returns × √(periodsPerYear); null with fewer than two daily returns. */
  annualizedVolatility: number | null;
  /** Annualised Sharpe ratio of daily returns, risk-free rate 0; null when undefined (flat curve, too few days). */
  sharpe: number | null;
  /** Annualised Sortino ratio of daily returns, target 0; null when there is no downside or too few days. */
  sortino: number | null;
  /** Largest peak-to-trough fall as a positive fraction of the peak (0.2 = 20%); 0 when equity never fell. */
  maxDrawdown: number;
  /** Longest time spent below a previous equity peak, in ms (to the recovery, or to the last point if never recovered). */
  maxDrawdownDuration: number;
  /** Total fees paid. */
  fees: number;
  /** Time-weighted average of the exposure series (0 = always flat, 1 = always fully invested). */
  exposure: number;
  /** Share of round trips with pnl > 0; null when there are no trades. */
  winRate: number | null;
  /** Gross profit / gross loss of round trips; null when there are no losing trades (or no trades). */
  profitFactor: number | null;
  /** Sum of the pnl of winning round trips. */
  grossProfit: number;
  /** Sum of |pnl| of losing round trips (a positive number). */
  grossLoss: number;
  /** Mean round-trip pnl; null when there are no trades. */
  averageTrade: number | null;
  /** Largest round-trip pnl; null when there are no trades. */
  bestTrade: number | null;
  /** Smallest round-trip pnl; null when there are no trades. */
  worstTrade: number | null;
  /** Number of daily returns behind the volatility, Sharpe and Sortino figures. */
  dailyReturns: number;
  /** Observed daily points per calendar year used to annualise; null with fewer than one daily return. */
  periodsPerYear: number | null;
  /** Start of the run, epoch ms. */
  start: number;
  /** End of the run, epoch ms. */
  end: number;
  /** Number of market events processed. */
  bars: number;
}

/** Descriptive fields printed next to a {@link Summary}; a {@link RunResult} satisfies it. */
export interface SummaryMeta {
  strategy: string;
  currency: string;
  instruments?: readonly string[];
  params?: Readonly<Record<string, unknown>>;
  /** Margin or multi-currency runs: the text summary adds their account figures. */
  account?: AccountFigures;
  /**
   * The currencies the round trips' pnl and fees are in, when not just `currency` (see
   * `tradeCurrenciesOf`): fees and trade figures are labelled with the one, or not given for several.
   */
  tradeCurrencies?: readonly string[];
}
