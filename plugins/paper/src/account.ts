import { Decimal, ZERO, type Balance, type Instrument, type Money, type OrderSide, type Position, type Price, type Quantity, type VenuePosition } from '@autotrader/core';

interface CashState {
  total: Decimal;
  locked: Decimal;
  tsEvent: number;
}

interface PositionState {
  quantity: Decimal;
  averagePrice: Decimal;
  realizedPnl: Decimal;
  fees: Decimal;
  /** Base quantity held back by open sell orders (only when shorting is not allowed). */
  sellLocked: Decimal;
  traded: boolean;
  tsEvent: number;
}

/**
 * The simulated account: cash per currency (total and locked) and one netting position per
 * instrument. A buy fill pays notional + fee from the quote currency; a sell fill receives notional −
 * fee. Realized PnL is gross of fees (fees are kept separately on the position).
 */
export class SimAccount {
  private readonly cash = new Map<string, CashState>();
  private readonly positionsById = new Map<string, PositionState>();

  constructor(startingBalances: Readonly<Record<string, string | number>>, ts: number) {
    for (const [currency, amount] of Object.entries(startingBalances)) {
      this.cash.set(currency, { total: new Decimal(amount), locked: ZERO, tsEvent: ts });
    }
  }

  private cashOf(currency: string): CashState {
    let c = this.cash.get(currency);
    if (c === undefined) {
      c = { total: ZERO, locked: ZERO, tsEvent: 0 };
      this.cash.set(currency, c);
    }
    return c;
  }

  private positionOf(instrumentId: string): PositionState {
    let p = this.positionsById.get(instrumentId);
    if (p === undefined) {
      p = { quantity: ZERO, averagePrice: ZERO, realizedPnl: ZERO, fees: ZERO, sellLocked: ZERO, traded: false, tsEvent: 0 };
      this.positionsById.set(instrumentId, p);
    }
    return p;
  }

  /** Cash not held back by open orders. */
  free(currency: string): Money {
    const c = this.cash.get(currency);
    return (c === undefined ? ZERO : c.total.sub(c.locked)) as Money;
  }

  /** Changes the cash held back by open buy orders (positive locks, negative releases). */
  lock(currency: string, delta: Decimal, ts: number): void {
    if (delta.isZero()) return;
    const c = this.cashOf(currency);
    c.locked = c.locked.add(delta);
    c.tsEvent = ts;
  }

  /** The signed position size. */
  positionQuantity(instrumentId: string): Quantity {
    return (this.positionsById.get(instrumentId)?.quantity ?? ZERO) as Quantity;
  }

  /** The long quantity not already promised to open sell orders. */
  sellable(instrumentId: string): Quantity {
    const p = this.positionsById.get(instrumentId);
    if (p === undefined) return ZERO;
    return Decimal.max(p.quantity, 0).sub(p.sellLocked) as Quantity;
  }

  /** Changes the base quantity held back by open sell orders. */
  lockSell(instrumentId: string, delta: Decimal): void {
    if (delta.isZero()) return;
    const p = this.positionOf(instrumentId);
    p.sellLocked = p.sellLocked.add(delta);
  }

  /** Books a fill: moves cash and updates the netting position. */
  applyFill(instrument: Instrument, side: OrderSide, px: Price, qty: Quantity, fee: Money, ts: number): void {
    const c = this.cashOf(instrument.quote);
    const value = px.mul(qty).mul(instrument.multiplier);
    c.total = side === 'buy' ? c.total.sub(value).sub(fee) : c.total.add(value).sub(fee);
    c.tsEvent = ts;

    const p = this.positionOf(instrument.id);
    const signed = side === 'buy' ? qty : qty.neg();
    const q = p.quantity;
    if (q.isZero() || q.isNegative() === signed.isNegative()) {
      // Opening or adding: the average price is the quantity-weighted mean.
      const absQ = q.abs();
      p.averagePrice = p.averagePrice.mul(absQ).add(px.mul(qty)).div(absQ.add(qty));
    } else {
      const closing = Decimal.min(qty, q.abs());
      const direction = q.isNegative() ? -1 : 1;
      p.realizedPnl = p.realizedPnl.add(px.sub(p.averagePrice).mul(closing).mul(direction).mul(instrument.multiplier));
      // Flipping through zero opens the rest at the fill price.
      if (qty.gt(closing)) p.averagePrice = px;
    }
    p.quantity = q.add(signed);
    if (p.quantity.isZero()) p.averagePrice = ZERO;
    p.fees = p.fees.add(fee);
    p.traded = true;
    p.tsEvent = ts;
  }

  /** Every currency's balance. */
  balances(): Balance[] {
    const out: Balance[] = [];
    for (const [currency, c] of this.cash) {
      out.push({ currency, total: c.total as Money, locked: c.locked as Money, free: c.total.sub(c.locked) as Money, tsEvent: c.tsEvent });
    }
    return out;
  }

  /** One currency's balance, or undefined when the account never held it. */
  balance(currency: string): Balance | undefined {
    return this.balances().find((b) => b.currency === currency);
  }

  /** The full position of an instrument (realized PnL, fees), or undefined when never traded. */
  position(instrumentId: string): Position | undefined {
    const p = this.positionsById.get(instrumentId);
    if (p === undefined || !p.traded) return undefined;
    return {
      instrumentId,
      quantity: p.quantity as Quantity,
      averagePrice: p.averagePrice as Price,
      realizedPnl: p.realizedPnl as Money,
      fees: p.fees as Money,
      tsEvent: p.tsEvent,
    };
  }

  /** Open (non-zero) positions, as a venue reports them for reconciliation. */
  positions(): VenuePosition[] {
    const out: VenuePosition[] = [];
    for (const [instrumentId, p] of this.positionsById) {
      if (!p.quantity.isZero()) out.push({ instrumentId, quantity: p.quantity as Quantity, averagePrice: p.averagePrice as Price });
    }
    return out;
  }
}
