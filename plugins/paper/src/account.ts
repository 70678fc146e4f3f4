import { Decimal, ZERO, type Balance, type Instrument, type Money, type OrderSide, type Position, type Price, type Quantity, type VenuePosition } from '@autotrader/core';
import { holdsBase } from './fill-models';

/** One currency's balance: the total and the part held back by open orders. */
interface CashState {
  total: Decimal;
  locked: Decimal;
  tsEvent: number;
}

/** What the account keeps per instrument. */
interface PositionState {
  readonly instrument: Instrument;
  /** True for a spot instrument: the position is the base asset's balance (see {@link holdsBase}). */
  readonly spot: boolean;
  /**
   * The net quantity this instrument's own fills credited (base received net of a base-asset fee,
   * minus base sold). For a non-spot instrument it is the position; for a spot instrument it is what
   * the average price and realized PnL are measured against, and the position reported is the base
   * balance (the two differ only with a starting base balance or a base asset shared by two instruments).
   */
  quantity: Decimal;
  averagePrice: Decimal;
  realizedPnl: Decimal;
  /** Fees of this instrument's fills, in the quote currency (a base-asset fee valued at its fill price). */
  fees: Decimal;
  /** Non-spot instruments: the quantity held back by open sell orders (a spot instrument locks its base balance instead). */
  sellLocked: Decimal;
  traded: boolean;
  tsEvent: number;
}

/**
 * The simulated account: every asset's balance (total and locked) and one position per instrument.
 *
 * - Cash moves by fills: a buy pays its notional from the quote currency, a sell receives it, and the
 *   fee is taken from the balance of the fee's own currency (the quote currency, or the base asset
 *   for a spot buy that pays its fee in the asset received).
 * - A spot instrument's base asset is a balance like any other: a buy credits the quantity filled (the
 *   fee, if charged in the base asset, is then taken from it), a sell debits it. The spot position is
 *   that balance's total, as a venue like Binance reports it. Open spot sells lock base quantity in it.
 * - Other instruments (perpetuals, futures, options, fx, equities) are netting positions in contracts
 *   with no base balance; their open sells hold back position quantity, which no balance shows.
 *
 * Realized PnL is gross of fees (fees are kept separately on the position), measured against the
 * quantity-weighted average fill price of the quantity credited.
 */
export class SimAccount {
  private readonly cash = new Map<string, CashState>();
  private readonly positionsById = new Map<string, PositionState>();
  private readonly instruments = new Map<string, Instrument>();
  /** Goes up whenever a total or a position changes (not on locks): valuations cache by it. */
  version = 0;

  constructor(startingBalances: Readonly<Record<string, string | number>>, ts: number, instruments: readonly Instrument[] = []) {
    for (const [currency, amount] of Object.entries(startingBalances)) {
      this.cash.set(currency, { total: new Decimal(amount), locked: ZERO, tsEvent: ts });
    }
    for (const i of instruments) this.instruments.set(i.id, i);
  }

  private cashOf(currency: string): CashState {
    let c = this.cash.get(currency);
    if (c === undefined) {
      c = { total: ZERO, locked: ZERO, tsEvent: 0 };
      this.cash.set(currency, c);
    }
    return c;
  }

  private stateOf(instrument: Instrument): PositionState {
    let p = this.positionsById.get(instrument.id);
    if (p === undefined) {
      p = { instrument, spot: holdsBase(instrument), quantity: ZERO, averagePrice: ZERO, realizedPnl: ZERO, fees: ZERO, sellLocked: ZERO, traded: false, tsEvent: 0 };
      this.positionsById.set(instrument.id, p);
      this.instruments.set(instrument.id, instrument);
    }
    return p;
  }

  /** A balance's total, zero for an asset the account never held. */
  private totalOf(currency: string): Decimal {
    return this.cash.get(currency)?.total ?? ZERO;
  }

  /** What the account holds of an asset, not held back by open orders. */
  free(currency: string): Money {
    const c = this.cash.get(currency);
    return (c === undefined ? ZERO : c.total.sub(c.locked)) as Money;
  }

  /** Changes what open orders hold back of a currency (positive locks, negative releases). */
  lock(currency: string, delta: Decimal, ts: number): void {
    if (delta.isZero()) return;
    const c = this.cashOf(currency);
    c.locked = c.locked.add(delta);
    c.tsEvent = ts;
  }

  /** The signed position: a spot instrument's base balance, or a netting position's quantity. */
  positionQuantity(instrument: Instrument): Quantity {
    if (holdsBase(instrument)) return this.totalOf(instrument.base) as Quantity;
    return (this.positionsById.get(instrument.id)?.quantity ?? ZERO) as Quantity;
  }

  /** What a new sell may still sell without going short: the free base balance (spot), or the long position not promised to open sells. */
  sellable(instrument: Instrument): Quantity {
    if (holdsBase(instrument)) return Decimal.max(this.free(instrument.base), 0) as Quantity;
    const p = this.positionsById.get(instrument.id);
    if (p === undefined) return ZERO;
    return Decimal.max(p.quantity, 0).sub(p.sellLocked) as Quantity;
  }

  /** Changes the base quantity held back by open sell orders: locked in the base balance (spot) or on the position. */
  lockSell(instrument: Instrument, delta: Decimal, ts: number): void {
    if (delta.isZero()) return;
    if (holdsBase(instrument)) return this.lock(instrument.base, delta, ts);
    const p = this.stateOf(instrument);
    p.sellLocked = p.sellLocked.add(delta);
  }

  /**
   * Books a fill: the quote currency moves by the notional, the fee is taken from `feeCurrency`'s
   * balance, a spot instrument's base balance moves by the quantity, and the position is updated by
   * the quantity credited (net of a fee paid in the base asset).
   */
  applyFill(instrument: Instrument, side: OrderSide, px: Price, qty: Quantity, fee: Money, feeCurrency: string, ts: number): void {
    this.version++;
    const c = this.cashOf(instrument.quote);
    const value = px.mul(qty).mul(instrument.multiplier);
    c.total = side === 'buy' ? c.total.sub(value) : c.total.add(value);
    c.tsEvent = ts;
    const p = this.stateOf(instrument);
    if (p.spot) {
      const b = this.cashOf(instrument.base);
      b.total = side === 'buy' ? b.total.add(qty) : b.total.sub(qty);
      b.tsEvent = ts;
    }
    if (!fee.isZero()) {
      const f = this.cashOf(feeCurrency);
      f.total = f.total.sub(fee);
      f.tsEvent = ts;
    }

    const feeInBase = feeCurrency === instrument.base && feeCurrency !== instrument.quote;
    // The quantity credited: a buy's base-asset fee comes out of what it received.
    const credited = feeInBase && side === 'buy' ? qty.sub(fee) : qty;
    this.movePosition(p, side, px, credited, feeInBase ? fee.mul(px).mul(instrument.multiplier) : fee, ts);
  }

  /**
   * Books a fill that moves no notional (a margin account's FX, futures and perpetuals, see core's
   * `settlesProfitOnly`): the position moves as for any fill, and only the profit it realizes and
   * the fee, both in the quote currency, reach the cash, converted to the base currency at
   * `quoteToBase` (the fill's rate): base cash += realized × rate − fee × rate. Returns the realized
   * P/L booked, in the base currency (what OANDA reports as a fill's `pl`).
   */
  applyProfitOnlyFill(instrument: Instrument, side: OrderSide, px: Price, qty: Quantity, fee: Money, quoteToBase: Decimal, baseCurrency: string, ts: number): Decimal {
    this.version++;
    const p = this.stateOf(instrument);
    const realized = this.movePosition(p, side, px, qty, fee, ts).mul(quoteToBase);
    const c = this.cashOf(baseCurrency);
    c.total = c.total.add(realized).sub(fee.mul(quoteToBase));
    c.tsEvent = ts;
    return realized;
  }

  /** Moves a cash amount the venue books outside any fill (financing); negative is a charge. */
  bookCash(currency: string, amount: Decimal, ts: number): void {
    this.version++;
    const c = this.cashOf(currency);
    c.total = c.total.add(amount);
    c.tsEvent = ts;
  }

  /**
   * Updates a position by a fill of `credited` at `px` and returns the profit it realized, in the
   * quote currency (gross of fees; `feeInQuote` is added to the position's fees).
   */
  private movePosition(p: PositionState, side: OrderSide, px: Price, credited: Decimal, feeInQuote: Decimal, ts: number): Decimal {
    const instrument = p.instrument;
    const signed = side === 'buy' ? credited : credited.neg();
    const q = p.quantity;
    let realized: Decimal = ZERO;
    if (q.isZero() || q.isNegative() === signed.isNegative()) {
      // Opening or adding: the average price is the quantity-weighted mean.
      const absQ = q.abs();
      const total = absQ.add(credited);
      if (!total.isZero()) p.averagePrice = p.averagePrice.mul(absQ).add(px.mul(credited)).div(total);
    } else {
      const closing = Decimal.min(credited, q.abs());
      const direction = q.isNegative() ? -1 : 1;
      realized = px.sub(p.averagePrice).mul(closing).mul(direction).mul(instrument.multiplier);
      p.realizedPnl = p.realizedPnl.add(realized);
      // Flipping through zero opens the rest at the fill price.
      if (credited.gt(closing)) p.averagePrice = px;
    }
    p.quantity = q.add(signed);
    if (p.quantity.isZero()) p.averagePrice = ZERO;
    p.fees = p.fees.add(feeInQuote);
    p.traded = true;
    p.tsEvent = ts;
    return realized;
  }

  /** Every currency's total (cash, and a spot instrument's base asset), for valuing the account. */
  cashTotals(): IterableIterator<[string, { readonly total: Decimal }]> {
    return this.cash.entries();
  }

  /**
   * The open positions to value: every non-spot netting position that is not flat, and every spot
   * instrument whose base balance is not zero (once per base asset, on the instrument that traded it
   * first), with the average price of its fills.
   */
  openPositions(): { instrument: Instrument; quantity: Decimal; averagePrice: Decimal; spot: boolean }[] {
    const out: { instrument: Instrument; quantity: Decimal; averagePrice: Decimal; spot: boolean }[] = [];
    const seenBase = new Set<string>();
    for (const p of this.positionsById.values()) {
      if (!p.spot) {
        if (!p.quantity.isZero()) out.push({ instrument: p.instrument, quantity: p.quantity, averagePrice: p.averagePrice, spot: false });
        continue;
      }
      if (seenBase.has(p.instrument.base)) continue;
      seenBase.add(p.instrument.base);
      const qty = this.totalOf(p.instrument.base);
      if (!qty.isZero()) out.push({ instrument: p.instrument, quantity: qty, averagePrice: p.averagePrice, spot: true });
    }
    return out;
  }

  /** Every asset's balance: total, locked by open orders, free. */
  balances(): Balance[] {
    const out: Balance[] = [];
    for (const [currency, c] of this.cash) {
      out.push({ currency, total: c.total as Money, locked: c.locked as Money, free: c.total.sub(c.locked) as Money, tsEvent: c.tsEvent });
    }
    return out;
  }

  /** One asset's balance, or undefined when the account never held it. */
  balance(currency: string): Balance | undefined {
    const c = this.cash.get(currency);
    if (c === undefined) return undefined;
    return { currency, total: c.total as Money, locked: c.locked as Money, free: c.total.sub(c.locked) as Money, tsEvent: c.tsEvent };
  }

  /**
   * The full position of an instrument (realized PnL, fees), or undefined when it was never traded and
   * holds nothing. A spot position's quantity is the base balance.
   */
  position(instrumentId: string): Position | undefined {
    const p = this.positionsById.get(instrumentId);
    const instrument = p?.instrument ?? this.instruments.get(instrumentId);
    if (instrument === undefined) return undefined;
    const qty = this.positionQuantity(instrument);
    if ((p === undefined || !p.traded) && qty.isZero()) return undefined;
    return {
      instrumentId,
      quantity: qty,
      averagePrice: (p?.averagePrice ?? ZERO) as Price,
      realizedPnl: (p?.realizedPnl ?? ZERO) as Money,
      fees: (p?.fees ?? ZERO) as Money,
      tsEvent: p?.tsEvent ?? this.cash.get(instrument.base)?.tsEvent ?? 0,
    };
  }

  /**
   * Open (non-zero) positions, as a venue reports them for reconciliation. A spot position is its
   * base balance's total; a base asset shared by two spot instruments is one holding, reported once (on
   * the first that traded, else the first listed), as the Binance plugin reports it.
   */
  positions(): VenuePosition[] {
    const out: VenuePosition[] = [];
    const reportedBase = new Set<string>();
    const spot: Instrument[] = [];
    for (const p of this.positionsById.values()) if (p.spot && p.traded) spot.push(p.instrument);
    for (const i of this.instruments.values()) if (holdsBase(i) && !spot.includes(i)) spot.push(i);
    for (const i of spot) {
      if (reportedBase.has(i.base)) continue;
      reportedBase.add(i.base);
      const qty = this.totalOf(i.base);
      if (qty.isZero()) continue;
      const p = this.positionsById.get(i.id);
      out.push(p === undefined || !p.traded ? { instrumentId: i.id, quantity: qty as Quantity } : { instrumentId: i.id, quantity: qty as Quantity, averagePrice: p.averagePrice as Price });
    }
    for (const [instrumentId, p] of this.positionsById) {
      if (!p.spot && !p.quantity.isZero()) out.push({ instrumentId, quantity: p.quantity as Quantity, averagePrice: p.averagePrice as Price });
    }
    return out;
  }
}
