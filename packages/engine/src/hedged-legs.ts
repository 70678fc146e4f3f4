import { Decimal, ZERO } from '@autotrader/core';

/** One open trade of a leg: what it opened at, and how much of it is still open. */
interface Lot {
  qty: Decimal;
  readonly px: Decimal;
  readonly ts: number;
}

/** What a fill did to a hedged instrument's legs. */
export interface LegChange {
  /** Realized P/L of the lots it closed, in the quote currency (× multiplier). */
  readonly realized: Decimal;
  /** The quantity of the opposite leg it closed (0 when it opened or added). */
  readonly closed: Decimal;
  /** A leg went from open to flat: its round trip is over. */
  readonly legClosed?: { readonly side: 'long' | 'short'; readonly entryTs: number; readonly entryQty: number; readonly entryCost: number };
}

/**
 * The two legs of one instrument in a hedging account: long and short trades kept apart, as OANDA's
 * hedging accounts and IB's do. A fill either opens (adds a trade to its own side's leg) or closes
 * (reduces the opposite leg). Closing takes the oldest trades first: FIFO, which is the rule OANDA
 * applies to US accounts and the order in which it closes trades by default, so our realized P/L is the
 * venue's trade by trade.
 */
export class HedgedLegs {
  private readonly long: Lot[] = [];
  private readonly short: Lot[] = [];
  /** Round-trip figures of each leg since it last opened from flat (plain numbers: the trade list is numbers). */
  private readonly trips = { long: { ts: 0, qty: 0, cost: 0 }, short: { ts: 0, qty: 0, cost: 0 } };

  constructor(private readonly multiplier: Decimal) {}

  /** Total open quantity of the long leg. */
  longQty(): Decimal {
    return this.long.reduce((s, l) => s.plus(l.qty), ZERO as Decimal);
  }

  /** Total open quantity of the short leg (positive). */
  shortQty(): Decimal {
    return this.short.reduce((s, l) => s.plus(l.qty), ZERO as Decimal);
  }

  /** The quantity-weighted opening price of a leg (0 when flat). */
  averagePrice(side: 'long' | 'short'): Decimal {
    const lots = side === 'long' ? this.long : this.short;
    let q: Decimal = ZERO;
    let v: Decimal = ZERO;
    for (const l of lots) {
      q = q.plus(l.qty);
      v = v.plus(l.qty.mul(l.px));
    }
    return q.isZero() ? ZERO : v.div(q);
  }

  /**
   * Applies a fill. `closes` says whether it reduces the opposite leg (a reduce-only order, or a venue
   * fill that reports closing trades); closing more than the opposite leg holds is refused by the caller
   * before it gets here, and the excess, if any, opens on the fill's own side.
   */
  apply(side: 'buy' | 'sell', qty: Decimal, px: Decimal, ts: number, closes: boolean): LegChange {
    const own = side === 'buy' ? 'long' : 'short';
    const opposite = side === 'buy' ? 'short' : 'long';
    let realized: Decimal = ZERO;
    let closed: Decimal = ZERO;
    let rest = qty;
    let legClosed: LegChange['legClosed'];
    if (closes) {
      const lots = opposite === 'long' ? this.long : this.short;
      const direction = opposite === 'long' ? 1 : -1;
      while (rest.gt(0) && lots.length > 0) {
        const lot = lots[0]!;
        const take = Decimal.min(lot.qty, rest);
        realized = realized.plus(px.minus(lot.px).mul(take).mul(direction).mul(this.multiplier));
        closed = closed.plus(take);
        lot.qty = lot.qty.minus(take);
        rest = rest.minus(take);
        if (lot.qty.isZero()) lots.shift();
      }
      if (lots.length === 0 && closed.gt(0)) {
        const t = this.trips[opposite];
        legClosed = { side: opposite, entryTs: t.ts, entryQty: t.qty, entryCost: t.cost };
        this.trips[opposite] = { ts: 0, qty: 0, cost: 0 };
      }
    }
    if (rest.gt(0)) {
      const lots = own === 'long' ? this.long : this.short;
      if (lots.length === 0) this.trips[own] = { ts, qty: 0, cost: 0 };
      const t = this.trips[own];
      t.qty += rest.toNumber();
      t.cost += rest.toNumber() * px.toNumber();
      lots.push({ qty: rest, px, ts });
    }
    return legClosed === undefined ? { realized, closed } : { realized, closed, legClosed };
  }

  /** Unrealized P/L of both legs at a price, in the quote currency (× multiplier). */
  unrealized(px: Decimal): Decimal {
    let u: Decimal = ZERO;
    for (const l of this.long) u = u.plus(px.minus(l.px).mul(l.qty));
    for (const l of this.short) u = u.plus(l.px.minus(px).mul(l.qty));
    return u.mul(this.multiplier);
  }

  /**
   * Sets both legs to what the venue reports (start-up, reconciliation): one trade per leg at its
   * average price. The venue's own trade list, where a plugin has it, is finer; the totals are the same.
   */
  reset(longQty: Decimal, longAvg: Decimal, shortQty: Decimal, shortAvg: Decimal, ts: number): void {
    this.long.length = 0;
    this.short.length = 0;
    if (longQty.gt(0)) this.long.push({ qty: longQty, px: longAvg, ts });
    if (shortQty.gt(0)) this.short.push({ qty: shortQty, px: shortAvg, ts });
    this.trips.long = { ts, qty: longQty.toNumber(), cost: longQty.toNumber() * longAvg.toNumber() };
    this.trips.short = { ts, qty: shortQty.toNumber(), cost: shortQty.toNumber() * shortAvg.toNumber() };
  }

  /** The larger leg: what a hedging account's margin is reckoned on (OANDA: the larger of the long and short units). */
  marginQty(): Decimal {
    return Decimal.max(this.longQty(), this.shortQty());
  }
}
