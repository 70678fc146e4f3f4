import {
  DEFAULT_ACCOUNT,
  Decimal,
  isCurrencyPair,
  quoteToBaseAtFill,
  marginRateOf,
  money,
  RateBook,
  settlesProfitOnly,
  price,
  quantity,
  ZERO,
  type AccountConfig,
  type AccountSummary,
  type Balance,
  type BuyFeeHold,
  type VenueOrderReason,
  type Fill,
  type Instrument,
  type InstrumentCatalog,
  type Money,
  type Order,
  type Position,
  type PortfolioView,
  type Price,
  type Quantity,
  type VenuePosition,
} from '@autotrader/core';
import { GrowableFloat64 } from './growable';
import { AccountValuation, CashBook, type ValuationNumbers } from './account-valuation';
import { HedgedLegs } from './hedged-legs';

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
  /** The currency `pnl` and `fees` are in: the instrument's quote currency. */
  readonly currency: string;
  /** Set when an order the venue made closed the trip: a margin closeout, a settlement at expiry. */
  readonly reason?: VenueOrderReason;
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
  /**
   * True for crypto spot: a fill delivers the base asset itself, so the position is the base asset's
   * balance, and a fee charged in the base asset (Binance charges a buy's fee in the asset received)
   * reduces it. Other asset classes hold a position, not a currency.
   */
  readonly baseSettled: boolean;
  /** A margin account's future, perpetual or FX position: only its profit settles (core's settlesProfitOnly). */
  readonly profitOnly: boolean;
  /** Initial margin rate in this account (core's marginRateOf). */
  readonly marginRate: Decimal;
  readonly marginRateF: number;
  /** The instrument is a pair of currencies (FX, crypto spot): its price is a conversion rate. */
  readonly pair: boolean;
  /** A hedging account: long and short legs kept apart (qty is then long − short). */
  readonly legs?: HedgedLegs;
  // float mirrors for per-event marking
  qtyF: number;
  avgF: number;
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
 * (shorts allowed when the venue allows them).
 *
 * A margin account, or one whose instruments are quoted in several currencies, is valued in its base
 * currency (see account-valuation.ts): futures, perpetuals and FX in a margin account settle only their
 * profit, converted to the base currency at the fill's rate; NAV converts cash and open positions at the
 * current rate (market data of the pair, else the config's table, never an assumed 1); margin used is
 * reckoned with core's marginOf. A default account (cash, one currency) takes none of these paths.
 *
 * Each fill books its fee in the fee's own currency: the quote asset, the base asset (the position
 * and the base balance of a spot instrument are the net quantity the venue credited), or a third
 * asset such as BNB (that currency's balance). Balances hold total, free and locked per currency;
 * what is locked is what our open orders hold, as a spot venue locks it (a resting buy: price ×
 * remaining quantity of the quote asset, plus the fee where the venue holds it; a sell: the
 * remaining base quantity).
 */
export class Portfolio implements PortfolioView {
  private readonly cashBy = new CashBook();
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
  private readonly feesBy = new Map<string, Money>();
  /** Fills at or before this venue time are already in the venue snapshot the ledger was last set from. */
  private asOf = -Infinity;
  private openOrders: () => readonly Order[] = () => [];
  private feeHold: BuyFeeHold | undefined;
  /** Margin account or several currencies: NAV is valued in the base currency (slower marking, O(positions)). */
  readonly general: boolean;
  readonly rates: RateBook;
  private readonly valuation: AccountValuation;
  private readonly numbers: ValuationNumbers = { nav: 0, marginUsed: 0, gross: 0 };
  private peakMargin = 0;
  private readonly marginAtFills: number[] = [];
  private closeoutCount = 0;

  constructor(
    private readonly instruments: InstrumentCatalog,
    startingBalances: Readonly<Record<string, Money>>,
    /** The currency equity is measured in. */
    readonly accountCurrency: string,
    expectedPoints = 1024,
    /** The account's setup (default: cash, one currency: the behaviour of every run before accounts). */
    readonly account: AccountConfig = DEFAULT_ACCOUNT,
  ) {
    this.rates = new RateBook(account.rates);
    // Hedging is valued like a margin account too: its legs are not a single net position.
    this.general = account.type === 'margin' || account.hedging || instruments.list().some((i) => i.quote !== accountCurrency);
    this.valuation = new AccountValuation(accountCurrency, this.rates, account.type);
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
    if (this.general) return this.valuation.numbers(this.cashBy, this.positions.values(), undefined, this.numbers).nav;
    return this.cashF + this.marketValue;
  }

  /** Exact equity: cash plus every position at its last price (NAV in the base currency for a margin or multi-currency account). */
  exactEquity(): Money {
    if (this.general) return this.accountSummary().nav;
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

  /** Every currency's balance: total, what our open orders lock, and the free rest. */
  balances(): readonly Balance[] {
    const locked = this.lockedByCurrency();
    return [...this.cashBy.keys()].map((currency) => this.balanceWith(currency, locked));
  }

  /**
   * Fees paid so far in the account's quote terms: quote-asset fees as they are, base-asset fees at
   * their fill's price. A fee paid in a third asset (BNB) has no price here and is not in this sum:
   * see {@link feesByCurrency}.
   */
  fees(): Money {
    return this.totalFees;
  }

  /** Fees paid so far, per currency they were charged in. */
  feesByCurrency(): ReadonlyMap<string, Money> {
    return this.feesBy;
  }

  /** What the venue holds for a resting buy's fee on top of its notional (see ExecutionPort.buyFeeHold). */
  setBuyFeeHold(hold: BuyFeeHold | undefined): void {
    this.feeHold = hold;
  }

  /** Where locked funds are read from: the OMS's open orders (the kernel wires this). */
  setOpenOrders(source: () => readonly Order[]): void {
    this.openOrders = source;
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
    if (this.general) return this.markGeneral(p, px, ts);
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

  /** Marking a margin or multi-currency account: the pair's price is a rate, then NAV is valued in the base currency. */
  private markGeneral(p: PositionState, px: number, ts: number): void {
    if (p.pair) this.rates.observe(p.instrument.base, p.instrument.quote, px);
    p.last = px;
    this.lastTs = ts;
    const n = this.valuation.numbers(this.cashBy, this.positions.values(), undefined, this.numbers);
    if (n.marginUsed > this.peakMargin) this.peakMargin = n.marginUsed;
    this.curveTs.push(ts);
    this.curveEquity.push(n.nav);
    this.curveExposure.push(n.nav > 0 ? n.gross / n.nav : 0);
  }

  /** The account in its base currency, exactly: balance, unrealized P/L, NAV, margin used and available. */
  accountSummary(): AccountSummary {
    return this.valuation.summary(this.cashBy, this.positions.values(), this.lastTs);
  }

  /** The initial margin rate this account applies to an instrument (core's marginRateOf over the account config). */
  marginRate(instrumentId: string): Decimal {
    return (this.positions.get(instrumentId) ?? this.create(instrumentId)).marginRate;
  }

  /** NAV in the base currency (the same as {@link equity}). */
  nav(): number {
    return this.equity();
  }

  /** Margin used now, in the base currency (0 in a cash account). */
  marginUsed(): number {
    if (!this.general) return 0;
    return this.valuation.numbers(this.cashBy, this.positions.values(), undefined, this.numbers).marginUsed;
  }

  /** The highest margin used seen at a mark or a fill. */
  peakMarginUsed(): number {
    return this.peakMargin;
  }

  /** Margin used just after each fill, in fill order (the filled instrument valued at its fill price). */
  marginUsedAtFills(): readonly number[] {
    return this.marginAtFills;
  }

  /** Positions closed out by the venue for want of margin (closeout fills). */
  closeouts(): number {
    return this.closeoutCount;
  }

  /** A hedging account's legs of one instrument (long and short open quantities), or undefined when netting. */
  hedgedLegs(instrumentId: string): { readonly long: Decimal; readonly short: Decimal } | undefined {
    const legs = (this.positions.get(instrumentId) ?? (this.instruments.has(instrumentId) ? this.create(instrumentId) : undefined))?.legs;
    return legs === undefined ? undefined : { long: legs.longQty(), short: legs.shortQty() };
  }

  /** Gross notional of the open positions per quote currency, in that currency. */
  exposureByCurrency(): Record<string, number> {
    return this.valuation.exposureByCurrency(this.positions.values());
  }

  /** The equity curve so far (views, no copy). */
  curve(): EquityCurve {
    return { ts: this.curveTs.view(), equity: this.curveEquity.view(), exposure: this.curveExposure.view(), length: this.curveTs.length };
  }

  /** One currency's balance as an event payload. */
  balanceOf(currency: string): Balance {
    return this.balanceWith(currency, this.lockedByCurrency());
  }

  /** The balances a fill changed (quote, base when it is a currency, the fee's), for `balance` events. */
  balancesAfter(fill: Fill): Balance[] {
    const inst = this.instruments.get(fill.instrumentId);
    const locked = this.lockedByCurrency();
    const out = [this.balanceWith(inst.quote, locked)];
    if (this.positions.get(fill.instrumentId)?.baseSettled === true && inst.base !== inst.quote) out.push(this.balanceWith(inst.base, locked));
    if (!fill.fee.isZero() && fill.feeCurrency !== inst.quote && fill.feeCurrency !== inst.base) out.push(this.balanceWith(fill.feeCurrency, locked));
    return out;
  }

  /** The quote currency of an instrument. */
  quoteOf(instrumentId: string): string {
    return this.instruments.get(instrumentId).quote;
  }

  /**
   * Applies a fill: cash, position, realized PnL, fees and round trips. A fill at or before the time
   * of the venue snapshot the ledger was last set from ({@link rebase}) is already in it: applying it
   * again would count it twice, so it changes nothing here (the OMS still books it on its order).
   */
  applyFill(fill: Fill): void {
    if (fill.tsEvent <= this.asOf) return;
    const p = this.positions.get(fill.instrumentId) ?? this.create(fill.instrumentId);
    if (p.legs !== undefined) return this.applyHedgedFill(p, p.legs, fill);
    const inst = p.instrument;
    const fee = fill.fee;
    const feeInBase = p.baseSettled && fill.feeCurrency === inst.base && fill.feeCurrency !== inst.quote;
    // What the venue credited (+) or debited (−) in the base asset: the traded quantity, less a base-asset fee.
    const gross = fill.side === 'buy' ? fill.quantity : fill.quantity.neg();
    const signed = feeInBase ? gross.minus(fee) : gross;
    const notional = fill.quantity.mul(fill.price).mul(inst.multiplier);

    // The quote → base rate of this fill, for what a profit-only position books in the base currency.
    const fillRate = p.profitOnly ? this.rateAtFill(p, fill.price) : undefined;
    if (fillRate !== undefined) {
      // Profit-only (a margin account's future, perpetual or FX): no notional moves; the fee is taken from the base currency.
      if (!fee.isZero()) {
        const feeBase = fill.feeCurrency === inst.quote ? fee.mul(fillRate) : this.rates.convert(fee, fill.feeCurrency, this.accountCurrency);
        this.cashBy.set(this.accountCurrency, money(this.cash(this.accountCurrency).minus(feeBase)));
      }
    } else {
      // cash, in every currency the fill touched
      const cashDelta = (fill.side === 'buy' ? notional.neg() : notional).minus(fill.feeCurrency === inst.quote ? fee : 0);
      this.cashBy.set(inst.quote, money(this.cash(inst.quote).plus(cashDelta)));
      if (p.baseSettled) this.cashBy.set(inst.base, money(this.cash(inst.base).plus(signed)));
      if (!fee.isZero() && fill.feeCurrency !== inst.quote && !feeInBase) {
        this.cashBy.set(fill.feeCurrency, money(this.cash(fill.feeCurrency).minus(fee)));
      }
    }
    if (!fee.isZero()) this.feesBy.set(fill.feeCurrency, money((this.feesBy.get(fill.feeCurrency) ?? ZERO).plus(fee)));
    // The fee in quote terms: a base-asset fee is worth its quantity at the fill price; a third asset has no price here.
    const feeQuote: Decimal = fill.feeCurrency === inst.quote ? fee : fill.feeCurrency === inst.base ? fee.mul(fill.price).mul(inst.multiplier) : ZERO;
    this.totalFees = money(this.totalFees.plus(feeQuote));
    p.fees = money(p.fees.plus(feeQuote));

    // position and realized PnL, on the net quantity
    const traded = signed.abs();
    const before = p.qty;
    const after = before.plus(signed);
    if (before.isZero()) this.openTrip(p, fill);
    const qtyN = traded.toNumber();
    const pxN = fill.price.toNumber();
    const feeN = feeQuote.toNumber();
    if (traded.isZero()) {
      p.tripFees += feeN;
    } else if (before.isZero() || before.isNeg() === signed.isNeg()) {
      p.avg = before.isZero() ? fill.price : price(before.abs().mul(p.avg).plus(traded.mul(fill.price)).div(after.abs()));
      p.tripEntryQty += qtyN;
      p.tripEntryCost += qtyN * pxN;
      p.tripFees += feeN;
    } else {
      const closing = Decimal.min(before.abs(), traded);
      const direction = before.isNeg() ? -1 : 1;
      const pnl = fill.price.minus(p.avg).mul(closing).mul(direction).mul(inst.multiplier);
      p.realized = money(p.realized.plus(pnl));
      // Profit-only: the realized P/L is what settles, in the base currency at the fill's rate.
      if (fillRate !== undefined) this.cashBy.set(this.accountCurrency, money(this.cash(this.accountCurrency).plus(fill.accountPnl ?? pnl.mul(fillRate))));
      const closingN = closing.toNumber();
      p.tripRealized += pnl.toNumber();
      p.tripExitQty += closingN;
      p.tripExitValue += closingN * pxN;
      // the fee is split between the closing part and any flip remainder
      const closingFee = (feeN * closingN) / qtyN;
      p.tripFees += closingFee;
      if (after.isZero() || after.isNeg() !== before.isNeg()) {
        this.closeTrip(p, fill.tsEvent, before.isNeg() ? 'short' : 'long', fill.reason);
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
    p.avgF = p.avg.toNumber();
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
    if (this.general) this.afterFillGeneral(p, fill);
  }

  /** A margin or multi-currency account after a fill: margin used with the filled instrument at its fill price, and closeouts. */
  private afterFillGeneral(p: PositionState, fill: Fill): void {
    const n = this.valuation.numbers(this.cashBy, this.positions.values(), { id: p.instrument.id, px: fill.price.toNumber() }, this.numbers);
    this.marginAtFills.push(n.marginUsed);
    for (const [ccy, gross] of Object.entries(this.valuation.exposureByCurrency(this.positions.values()))) {
      if (gross > (this.peakExposure[ccy] ?? 0)) this.peakExposure[ccy] = gross;
    }
    if (n.marginUsed > this.peakMargin) this.peakMargin = n.marginUsed;
    if (fill.reason === 'closeout' && !this.closedOut.has(fill.clientOrderId)) {
      this.closedOut.add(fill.clientOrderId);
      this.closeoutCount++;
    }
  }

  private readonly closedOut = new Set<string>();
  private readonly peakExposure: Record<string, number> = {};

  /** The largest gross notional held per quote currency just after a fill, in that currency. */
  peakExposureByCurrency(): Readonly<Record<string, number>> {
    return this.peakExposure;
  }

  /** Whether an order was sent reduce-only (the kernel wires the OMS here): in a hedging account it closes the opposite leg. */
  private reduceOnlyOf: (clientOrderId: string) => boolean = () => false;

  /** Where a hedging account learns whether a fill's order was reduce-only (the kernel wires this). */
  setReduceOnlyLookup(lookup: (clientOrderId: string) => boolean): void {
    this.reduceOnlyOf = lookup;
  }

  /**
   * A fill in a hedging account: it opens (adds a trade to its own side) or closes (the opposite side's
   * oldest trades first). Cash, fees and settlement are as for any fill; the round trip of a leg ends
   * when that leg is flat.
   */
  private applyHedgedFill(p: PositionState, legs: HedgedLegs, fill: Fill): void {
    const inst = p.instrument;
    const fee = fill.fee;
    const notional = fill.quantity.mul(fill.price).mul(inst.multiplier);
    const fillRate = p.profitOnly ? this.rateAtFill(p, fill.price) : undefined;
    if (fillRate === undefined) {
      const cashDelta = (fill.side === 'buy' ? notional.neg() : notional).minus(fill.feeCurrency === inst.quote ? fee : 0);
      this.cashBy.set(inst.quote, money(this.cash(inst.quote).plus(cashDelta)));
      if (!fee.isZero() && fill.feeCurrency !== inst.quote) this.cashBy.set(fill.feeCurrency, money(this.cash(fill.feeCurrency).minus(fee)));
    } else if (!fee.isZero()) {
      const feeBase = fill.feeCurrency === inst.quote ? fee.mul(fillRate) : this.rates.convert(fee, fill.feeCurrency, this.accountCurrency);
      this.cashBy.set(this.accountCurrency, money(this.cash(this.accountCurrency).minus(feeBase)));
    }
    if (!fee.isZero()) this.feesBy.set(fill.feeCurrency, money((this.feesBy.get(fill.feeCurrency) ?? ZERO).plus(fee)));
    const feeQuote: Decimal = fill.feeCurrency === inst.quote ? fee : ZERO;
    this.totalFees = money(this.totalFees.plus(feeQuote));
    p.fees = money(p.fees.plus(feeQuote));

    const change = legs.apply(fill.side, fill.quantity, fill.price, fill.tsEvent, fill.closes ?? this.reduceOnlyOf(fill.clientOrderId));
    p.realized = money(p.realized.plus(change.realized));
    if (fillRate !== undefined && (fill.accountPnl !== undefined || !change.realized.isZero())) {
      this.cashBy.set(this.accountCurrency, money(this.cash(this.accountCurrency).plus(fill.accountPnl ?? change.realized.mul(fillRate))));
    }
    p.tripFees += feeQuote.toNumber();
    p.tripRealized += change.realized.toNumber();
    if (change.closed.gt(0)) {
      p.tripExitQty += change.closed.toNumber();
      p.tripExitValue += change.closed.toNumber() * fill.price.toNumber();
    }
    if (change.legClosed !== undefined) {
      const t = change.legClosed;
      p.tripOpenTs = t.entryTs;
      p.tripEntryQty = t.entryQty;
      p.tripEntryCost = t.entryCost;
      this.closeTrip(p, fill.tsEvent, t.side, fill.reason);
      p.tripRealized = 0;
      p.tripFees = 0;
      p.tripExitQty = 0;
      p.tripExitValue = 0;
    }
    const long = legs.longQty();
    const short = legs.shortQty();
    p.qty = quantity(long.minus(short));
    p.avg = price(long.gte(short) ? legs.averagePrice('long') : legs.averagePrice('short'));
    p.avgF = p.avg.toNumber();
    p.qtyF = p.qty.toNumber();
    if (p.last === 0) p.last = fill.price.toNumber();
    p.tsEvent = fill.tsEvent;
    this.cashF = this.cash().toNumber();
    this.lastTs = fill.tsEvent;
    this.afterFillGeneral(p, fill);
  }

  /**
   * How many base-currency units one unit of the instrument's quote currency is worth at this fill: 1
   * in the base currency; the fill price itself when the instrument is the conversion pair (EUR/USD in a
   * EUR account: 1 / price); otherwise the current rate (market data of the pair, or the config's table).
   */
  private rateAtFill(p: PositionState, px: Price): Decimal {
    if (p.pair) this.rates.observe(p.instrument.base, p.instrument.quote, px.toNumber());
    return quoteToBaseAtFill(p.instrument, px, this.accountCurrency, this.rates);
  }

  /**
   * Sets the whole ledger to a venue snapshot: every balance, and every position (a spot instrument's
   * from its base asset's balance, others from `positions`). `asOf` is the venue time the snapshot
   * includes everything up to (for Binance, the account's `updateTime`): a fill at or before it is
   * already counted and is not applied again, whichever way it arrives (the journal, the stream, a
   * query after a reconnect). Call {@link replayAfter} with the fills already booked, because any
   * of them later than `asOf` is not in the snapshot.
   */
  rebase(balances: readonly Balance[], positions: readonly VenuePosition[], asOf: number): void {
    this.cashBy.clear();
    for (const b of balances) this.cashBy.set(b.currency, b.total);
    const venue = new Map(positions.map((p) => [p.instrumentId, p]));
    const heldBase = new Set<string>();
    for (const inst of this.instruments.list()) {
      const state = this.positions.get(inst.id) ?? this.create(inst.id);
      if (state.baseSettled) {
        // A base asset shared by several instruments (BTC in BTCUSDT and BTCFDUSD) is one holding: the first instrument holds it.
        const qty = heldBase.has(inst.base) ? quantity(0) : quantity(this.cash(inst.base));
        heldBase.add(inst.base);
        this.setPosition(inst.id, qty);
      } else {
        const v = venue.get(inst.id);
        this.setPosition(inst.id, v?.quantity ?? quantity(0), v?.averagePrice);
        // A hedging account's legs, as the venue keeps them (net only: all of it on its own side).
        if (state.legs !== undefined) {
          const q = v?.quantity ?? quantity(0);
          const long = v?.long ?? (q.gt(0) ? { quantity: q, averagePrice: v?.averagePrice ?? price(state.last) } : undefined);
          const short = v?.short ?? (q.lt(0) ? { quantity: quantity(q.neg()), averagePrice: v?.averagePrice ?? price(state.last) } : undefined);
          state.legs.reset(long?.quantity ?? ZERO, long?.averagePrice ?? ZERO, short?.quantity ?? ZERO, short?.averagePrice ?? ZERO, asOf);
        }
      }
    }
    this.asOf = asOf;
    this.cashF = this.cash().toNumber();
  }

  /** Applies the fills booked so far that are later than the last snapshot (see {@link rebase}). */
  replayAfter(fills: readonly Fill[]): number {
    let applied = 0;
    for (const f of fills) {
      if (f.tsEvent > this.asOf) {
        this.applyFill(f);
        applied++;
      }
    }
    return applied;
  }

  /**
   * Books a change the venue made outside our orders (a deposit, a withdrawal, a transfer: Binance's
   * `balanceUpdate`). A spot instrument's position is its base balance, so it moves too.
   */
  applyVenueDelta(currency: string, delta: Money, ts: number): void {
    this.cashBy.set(currency, money(this.cash(currency).plus(delta)));
    // As in rebase: the first spot instrument with this base holds it.
    const holder = this.instruments.list().find((i) => isBaseSettled(i) && i.base === currency);
    if (holder !== undefined) {
      const p = this.positions.get(holder.id) ?? this.create(holder.id);
      this.setPosition(holder.id, quantity(p.qty.plus(delta)));
    }
    this.lastTs = ts;
    this.cashF = this.cash().toNumber();
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
    p.avgF = p.avg.toNumber();
    p.qtyF = qty.toNumber();
    const newMv = p.qtyF * p.mult * p.last;
    this.marketValue += newMv - oldMv;
    this.grossValue += Math.abs(newMv) - Math.abs(oldMv);
  }

  private balanceWith(currency: string, locked: ReadonlyMap<string, Decimal>): Balance {
    const total = this.cash(currency);
    const held = locked.get(currency);
    if (held === undefined || held.isZero()) return { currency, total, free: total, locked: ZERO, tsEvent: this.lastTs };
    return { currency, total, free: money(total.minus(held)), locked: money(held), tsEvent: this.lastTs };
  }

  /**
   * What our open orders lock, per currency, as a spot venue locks it: a resting buy with a price
   * locks price × remaining quantity of the quote asset; a sell locks the remaining base quantity.
   * A market buy locks nothing (it fills at once); margin instruments are not modelled here.
   */
  private lockedByCurrency(): Map<string, Decimal> {
    const out = new Map<string, Decimal>();
    for (const o of this.openOrders()) {
      const state = this.positions.get(o.instrumentId);
      const inst = state?.instrument ?? (this.instruments.has(o.instrumentId) ? this.instruments.get(o.instrumentId) : undefined);
      if (inst === undefined || !isBaseSettled(inst)) continue;
      const remaining = o.quantity.minus(o.filledQuantity);
      if (!remaining.isPositive() || remaining.isZero()) continue;
      if (o.side === 'sell') out.set(inst.base, (out.get(inst.base) ?? ZERO).plus(remaining));
      else if (o.price !== undefined && (o.type === 'limit' || o.type === 'stop_limit')) {
        const notional = remaining.mul(o.price).mul(inst.multiplier);
        const hold = this.feeHold === undefined ? notional : notional.plus(notional.mul(this.feeHold.feeRate)).plus(this.feeHold.feePerUnit.mul(remaining));
        out.set(inst.quote, (out.get(inst.quote) ?? ZERO).plus(hold));
      }
    }
    return out;
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

  private closeTrip(p: PositionState, ts: number, side: 'long' | 'short', reason?: VenueOrderReason): void {
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
      currency: p.instrument.quote,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  private create(instrumentId: string): PositionState {
    const instrument = this.instruments.get(instrumentId);
    const marginRate = marginRateOf(instrument, this.account);
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
      baseSettled: isBaseSettled(instrument),
      profitOnly: settlesProfitOnly(instrument, this.account.type),
      marginRate,
      marginRateF: marginRate.toNumber(),
      pair: isCurrencyPair(instrument),
      ...(this.account.hedging && !isBaseSettled(instrument) ? { legs: new HedgedLegs(instrument.multiplier) } : {}),
      avgF: 0,
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

/** Crypto spot: the instrument's base is an asset the account holds, so the position is its balance. */
function isBaseSettled(instrument: Instrument): boolean {
  return instrument.assetClass === 'spot' && instrument.base !== instrument.quote;
}
