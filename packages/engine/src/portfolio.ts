import {
  Decimal,
  money,
  price,
  quantity,
  ZERO,
  type Balance,
  type Fill,
  type Instrument,
  type InstrumentCatalog,
  type Money,
  type Position,
  type PortfolioView,
  type Price,
  type Quantity,
} from '@autotrader/core';
import { GrowableFloat64 } from './growable';

/** A closed round trip: from flat to a position and back to flat (or through zero). */
export interface RoundTrip {
  readonly instrumentId: string;
  readonly side: 'long' | 'short';
  readonly quantity: number;
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  /** Net of the fees of both legs. */
  readonly pnl: number;
  readonly fees: number;
  /** pnl / entry notional. */
  readonly returnPct: number;
}

/** The equity curve: one point per marked market event. */
export interface EquityCurve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  /** Gross position value / equity. */
  readonly exposure: Float64Array;
  readonly length: number;
}

interface PositionState {
  readonly instrument: Instrument;
  qty: Quantity;
  avg: Price;
  realized: Money;
  fees: Money;
  tsEvent: number;
  // float mirrors for per-event marking
  qtyF: number;
  last: number;
  mult: number;
  // The open round trip. Plain numbers: they only feed the RoundTrip report (numbers too); cash,
  // positions, average price and realized PnL stay exact.
  tripOpenTs: number;
  tripEntryQty: number;
  tripEntryCost: number;
  tripExitQty: number;
  tripExitValue: number;
  tripRealized: number;
  tripFees: number;
}

/**
 * Cash, positions, PnL, fees and the equity curve. Exact decimals for everything that comes from a
 * fill; float mirrors (updated on fills) for marking on every market event, which is the hot path.
 * Accounting is cash-settled: a buy pays its notional from the quote currency, a sell receives it
 * (shorts allowed when the venue allows them). Margin and leverage are not modelled.
 */
export class Portfolio implements PortfolioView {
  private readonly cashBy = new Map<string, Money>();
  private readonly positions = new Map<string, PositionState>();
  private readonly closed: RoundTrip[] = [];
  private totalFees: Money = ZERO;
  private cashF = 0;
  private marketValue = 0;
  private grossValue = 0;
  private readonly curveTs: GrowableFloat64;
  private readonly curveEquity: GrowableFloat64;
  private readonly curveExposure: GrowableFloat64;
  private lastTs = 0;
  private lastMarked: PositionState | undefined;

  constructor(
    private readonly instruments: InstrumentCatalog,
    startingBalances: Readonly<Record<string, Money>>,
    /** The currency equity is measured in. */
    readonly accountCurrency: string,
    expectedPoints = 1024,
  ) {
    for (const [ccy, amount] of Object.entries(startingBalances)) this.cashBy.set(ccy, amount);
    this.cashF = this.cash().toNumber();
    this.curveTs = new GrowableFloat64(expectedPoints);
    this.curveEquity = new GrowableFloat64(expectedPoints);
    this.curveExposure = new GrowableFloat64(expectedPoints);
  }

  cash(currency: string = this.accountCurrency): Money {
    return this.cashBy.get(currency) ?? ZERO;
  }

  equity(): number {
    return this.cashF + this.marketValue;
  }

  /** Exact equity: cash plus every position at its last price. */
  exactEquity(): Money {
    let total: Decimal = this.cash();
    for (const p of this.positions.values()) {
      if (!p.qty.isZero() && p.last > 0) total = total.plus(p.qty.mul(new Decimal(p.last)).mul(p.instrument.multiplier));
    }
    return total as Money;
  }

  position(instrumentId: string): Position | undefined {
    const p = this.positions.get(instrumentId);
    return p === undefined ? undefined : this.snapshot(p);
  }

  positionSize(instrumentId: string): number {
    return this.positions.get(instrumentId)?.qtyF ?? 0;
  }

  allPositions(): Position[] {
    return [...this.positions.values()].map((p) => this.snapshot(p));
  }

  balances(): readonly Balance[] {
    return [...this.cashBy.entries()].map(([currency, total]) => ({ currency, total, free: total, locked: ZERO, tsEvent: this.lastTs }));
  }

  /** Fees paid so far, in the fee currencies summed (one currency in practice). */
  fees(): Money {
    return this.totalFees;
  }

  /** Round trips closed so far. */
  roundTrips(): readonly RoundTrip[] {
    return this.closed;
  }

  /** Last price seen for an instrument (0 before any). */
  lastPrice(instrumentId: string): number {
    return this.positions.get(instrumentId)?.last ?? 0;
  }

  /**
   * Marks an instrument at a new price and records an equity point. Called on every market event:
   * O(1), no allocation beyond the amortised growth of the curve arrays.
   */
  mark(instrumentId: string, px: number, ts: number): void {
    // Most runs mark one instrument over and over: skip the map lookup when it is the same one.
    let p = this.lastMarked;
    if (p === undefined || p.instrument.id !== instrumentId) this.lastMarked = p = this.positions.get(instrumentId) ?? this.create(instrumentId);
    if (p.qtyF !== 0) {
      const q = p.qtyF * p.mult;
      this.marketValue += q * (px - p.last);
      this.grossValue += Math.abs(q) * (px - p.last);
    }
    p.last = px;
    this.lastTs = ts;
    const eq = this.cashF + this.marketValue;
    this.curveTs.push(ts);
    this.curveEquity.push(eq);
    this.curveExposure.push(eq > 0 ? this.grossValue / eq : 0);
  }

  /** The equity curve so far (views, no copy). */
  curve(): EquityCurve {
    return { ts: this.curveTs.view(), equity: this.curveEquity.view(), exposure: this.curveExposure.view(), length: this.curveTs.length };
  }

  /** One currency's balance as an event payload. */
  balanceOf(currency: string): Balance {
    const total = this.cash(currency);
    return { currency, total, free: total, locked: ZERO, tsEvent: this.lastTs };
  }

  /** The quote currency of an instrument. */
  quoteOf(instrumentId: string): string {
    return this.instruments.get(instrumentId).quote;
  }

  /** Applies a fill: cash, position, realized PnL, fees and round trips. */
  applyFill(fill: Fill): void {
    const p = this.positions.get(fill.instrumentId) ?? this.create(fill.instrumentId);
    const inst = p.instrument;
    const signed = fill.side === 'buy' ? fill.quantity : fill.quantity.neg();
    const notional = fill.quantity.mul(fill.price).mul(inst.multiplier);

    // cash
    const cashDelta = (fill.side === 'buy' ? notional.neg() : notional).minus(fill.feeCurrency === inst.quote ? fill.fee : 0);
    this.cashBy.set(inst.quote, money(this.cash(inst.quote).plus(cashDelta)));
    if (fill.feeCurrency !== inst.quote && !fill.fee.isZero()) {
      this.cashBy.set(fill.feeCurrency, money(this.cash(fill.feeCurrency).minus(fill.fee)));
    }
    this.totalFees = money(this.totalFees.plus(fill.fee));
    p.fees = money(p.fees.plus(fill.fee));

    // position and realized PnL
    const before = p.qty;
    const after = before.plus(signed);
    if (before.isZero()) this.openTrip(p, fill);
    const qtyN = fill.quantity.toNumber();
    const pxN = fill.price.toNumber();
    const feeN = fill.fee.toNumber();
    if (before.isZero() || before.isNeg() === signed.isNeg()) {
      p.avg = before.isZero() ? fill.price : price(before.abs().mul(p.avg).plus(fill.quantity.mul(fill.price)).div(after.abs()));
      p.tripEntryQty += qtyN;
      p.tripEntryCost += qtyN * pxN;
      p.tripFees += feeN;
    } else {
      const closing = Decimal.min(before.abs(), fill.quantity);
      const direction = before.isNeg() ? -1 : 1;
      const pnl = fill.price.minus(p.avg).mul(closing).mul(direction).mul(inst.multiplier);
      p.realized = money(p.realized.plus(pnl));
      const closingN = closing.toNumber();
      p.tripRealized += pnl.toNumber();
      p.tripExitQty += closingN;
      p.tripExitValue += closingN * pxN;
      // the fee is split between the closing part and any flip remainder
      const closingFee = (feeN * closingN) / qtyN;
      p.tripFees += closingFee;
      if (after.isZero() || after.isNeg() !== before.isNeg()) {
        this.closeTrip(p, fill.tsEvent, before.isNeg() ? 'short' : 'long');
        if (!after.isZero()) {
          // flipped through zero: the remainder opens a new trip at the fill price
          p.avg = fill.price;
          this.openTrip(p, fill);
          const rest = after.abs().toNumber();
          p.tripEntryQty = rest;
          p.tripEntryCost = rest * pxN;
          p.tripFees = feeN - closingFee;
        } else {
          p.avg = price(0);
        }
      }
    }
    p.qty = quantity(after);
    p.tsEvent = fill.tsEvent;

    // float mirrors: re-derive from exact values so they never drift
    const oldMv = p.qtyF * p.mult * p.last;
    p.qtyF = after.toNumber();
    if (p.last === 0) p.last = fill.price.toNumber();
    const newMv = p.qtyF * p.mult * p.last;
    this.marketValue += newMv - oldMv;
    this.grossValue += Math.abs(newMv) - Math.abs(oldMv);
    this.cashF = this.cash().toNumber();
    this.lastTs = fill.tsEvent;
  }

  /** Sets a currency's cash to what the venue reports (live start-up and reconciliation). */
  setCash(currency: string, amount: Money): void {
    this.cashBy.set(currency, amount);
    this.cashF = this.cash().toNumber();
  }

  /**
   * Sets a position to what the venue reports (start-up and reconciliation). Without an average price
   * the last known price, or zero, stands in; realized PnL is unchanged.
   */
  setPosition(instrumentId: string, qty: Quantity, averagePrice?: Price): void {
    const p = this.positions.get(instrumentId) ?? this.create(instrumentId);
    const oldMv = p.qtyF * p.mult * p.last;
    p.qty = qty;
    p.avg = averagePrice ?? (qty.isZero() ? price(0) : p.avg.isZero() ? price(p.last) : p.avg);
    p.qtyF = qty.toNumber();
    const newMv = p.qtyF * p.mult * p.last;
    this.marketValue += newMv - oldMv;
    this.grossValue += Math.abs(newMv) - Math.abs(oldMv);
  }

  private openTrip(p: PositionState, fill: Fill): void {
    p.tripOpenTs = fill.tsEvent;
    p.tripEntryQty = 0;
    p.tripEntryCost = 0;
    p.tripExitQty = 0;
    p.tripExitValue = 0;
    p.tripRealized = 0;
    p.tripFees = 0;
  }

  private closeTrip(p: PositionState, ts: number, side: 'long' | 'short'): void {
    const qty = p.tripEntryQty;
    const pnl = p.tripRealized - p.tripFees;
    const entryNotional = p.tripEntryCost * p.mult;
    this.closed.push({
      instrumentId: p.instrument.id,
      side,
      quantity: qty,
      entryTs: p.tripOpenTs,
      entryPrice: qty === 0 ? 0 : p.tripEntryCost / qty,
      exitTs: ts,
      exitPrice: p.tripExitQty === 0 ? 0 : p.tripExitValue / p.tripExitQty,
      pnl,
      fees: p.tripFees,
      returnPct: entryNotional === 0 ? 0 : pnl / entryNotional,
    });
  }

  private create(instrumentId: string): PositionState {
    const instrument = this.instruments.get(instrumentId);
    const state: PositionState = {
      instrument,
      qty: quantity(0),
      avg: price(0),
      realized: money(0),
      fees: money(0),
      tsEvent: 0,
      qtyF: 0,
      last: 0,
      mult: instrument.multiplier.toNumber(),
      tripOpenTs: 0,
      tripEntryQty: 0,
      tripEntryCost: 0,
      tripExitQty: 0,
      tripExitValue: 0,
      tripRealized: 0,
      tripFees: 0,
    };
    this.positions.set(instrumentId, state);
    return state;
  }

  private snapshot(p: PositionState): Position {
    return { instrumentId: p.instrument.id, quantity: p.qty, averagePrice: p.avg, realizedPnl: p.realized, fees: p.fees, tsEvent: p.tsEvent };
  }
}
