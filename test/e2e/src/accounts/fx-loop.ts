import { Decimal } from 'decimal.js';

/** One expected fill. */
export interface FxFill {
  readonly side: 'buy' | 'sell';
  readonly ts: number;
  readonly price: number;
  readonly quantity: number;
}

/** One expected round trip (flat → position → flat, or through zero). P/L is in USD, the quote currency. */
export interface FxTrip {
  readonly side: 'long' | 'short';
  readonly quantity: number;
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  readonly pnlUsd: Decimal;
}

/** What the plain loop expects of the whole run. */
export interface FxExpected {
  readonly fills: FxFill[];
  readonly trips: FxTrip[];
  /** Margin used just after each fill, in the account's currency. */
  readonly marginAtFills: Decimal[];
  /** Cash: the starting balance plus every realized P/L converted at its fill, in the account's currency. */
  readonly balance: Decimal;
  /** The open position's unrealized P/L at the last mid, in the account's currency. */
  readonly unrealized: Decimal;
  /** balance + unrealized. */
  readonly nav: Decimal;
  /** The position left open at the end (signed units). */
  readonly position: number;
  /** Gross USD notional of that position at the last mid (the exposure in its quote currency). */
  readonly exposureUsd: Decimal;
  /** Margin used at the end: that notional × (1 / leverage), in the account currency at the last mid. */
  readonly marginUsedEnd: Decimal;
}

/**
 * The golden spec of an EUR/USD margin account, written as one plain loop over the quotes, with no
 * engine or venue code:
 *
 * - Signal (the strategy's rule): every `every` quotes, the mid (bid + ask) / 2 is compared with the
 *   mid `every` quotes earlier; up → hold +units, down → hold −units, equal → keep.
 * - A market order decided on quote k fills whole on quote k + 1 (zero latency; the file has no
 *   sizes, so nothing limits the fill): a buy at its ask, a sell at its bid. No fees, no slippage.
 * - Netting position; a flip is one order of 2 × units that closes the old side and opens the new at
 *   the same price. Realized P/L = (exit − entry) × closed units, in USD.
 * - Margin account (OANDA style): no notional moves; realized P/L settles in the account currency at
 *   the fill price (USD: as it is; EUR: USD P/L / the fill's EUR/USD price).
 * - Margin used after a fill = |position| × fill price × (1 / leverage) USD, in the account currency
 *   at the fill price (EUR: ÷ price, which leaves |position| / leverage EUR).
 * - NAV at the end = balance + unrealized P/L at the last mid (EUR: ÷ that mid); the margin used at
 *   the end is the open position's at the last mid, and its exposure |position| × last mid USD.
 */
export function fxGolden(
  ts: Float64Array,
  bid: Float64Array,
  ask: Float64Array,
  o: { every: number; units: number; leverage: number; startingBalance: number; account: 'USD' | 'EUR' },
): FxExpected {
  const rate = new Decimal(1).div(o.leverage);
  const toAccount = (usd: Decimal, eurusd: Decimal): Decimal => (o.account === 'USD' ? usd : usd.div(eurusd));
  const fills: FxFill[] = [];
  const trips: FxTrip[] = [];
  const marginAtFills: Decimal[] = [];
  let balance = new Decimal(o.startingBalance);
  let pos = 0;
  let avg = new Decimal(0);
  let entryTs = 0;
  let target = 0;
  let pending = 0; // signed units to trade on the next quote
  let anchor = NaN;
  for (let k = 0; k < ts.length; k++) {
    if (pending !== 0) {
      const side = pending > 0 ? 'buy' : 'sell';
      const px = new Decimal(side === 'buy' ? ask[k]! : bid[k]!);
      fills.push({ side, ts: ts[k]!, price: px.toNumber(), quantity: Math.abs(pending) });
      if (pos !== 0 && Math.sign(pos) !== Math.sign(pending)) {
        const closed = Math.min(Math.abs(pos), Math.abs(pending));
        const pnl = px.minus(avg).times(closed).times(Math.sign(pos));
        balance = balance.plus(toAccount(pnl, px));
        trips.push({ side: pos > 0 ? 'long' : 'short', quantity: closed, entryTs, entryPrice: avg.toNumber(), exitTs: ts[k]!, exitPrice: px.toNumber(), pnlUsd: pnl });
        const rest = Math.abs(pending) - closed;
        pos += pending;
        if (rest > 0) {
          avg = px;
          entryTs = ts[k]!;
        }
        if (pos === 0) avg = new Decimal(0);
      } else {
        // Opening or adding: the average is the quantity-weighted mean.
        if (pos === 0) entryTs = ts[k]!;
        avg = avg.times(Math.abs(pos)).plus(px.times(Math.abs(pending))).div(Math.abs(pos) + Math.abs(pending));
        pos += pending;
      }
      marginAtFills.push(toAccount(px.times(Math.abs(pos)).times(rate), px));
      pending = 0;
    }
    const mid = (bid[k]! + ask[k]!) / 2;
    if (k % o.every === 0) {
      if (k > 0) {
        const next = mid > anchor ? o.units : mid < anchor ? -o.units : target;
        pending = next - target;
        target = next;
      }
      anchor = mid;
    }
  }
  const last = ts.length - 1;
  const lastMid = new Decimal(bid[last]!).plus(ask[last]!).div(2);
  const unrealized = toAccount(lastMid.minus(avg).times(pos), lastMid);
  const exposureUsd = lastMid.times(Math.abs(pos));
  return { fills, trips, marginAtFills, balance, unrealized, nav: balance.plus(unrealized), position: pos, exposureUsd, marginUsedEnd: toAccount(exposureUsd.times(rate), lastMid) };
}
