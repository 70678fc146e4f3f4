/**
 * One v20 account: its transaction log (ids from 1, in order), orders, trades, balance, realized PL
 * and financing per instrument, and the figures OANDA derives from them at the current prices:
 * unrealized PL, NAV, margin used and available, position value, margin closeout percent.
 * Amounts in a quote currency other than the account's are converted at the current mid rate.
 * @module
 */
import { Decimal } from '@autotrader/core';
import type { Instrument, Market } from './instruments';
import { money, priceText, unitsText, type Nanos } from './wire';

/** How a test describes an account. */
export interface FakeOandaAccountSpec {
  id: string;
  currency: string;
  balance: string;
  hedging?: boolean;
  marginRate?: string;
  tokens?: string[];
}

/** A stored transaction: wire JSON, except DateTime fields kept as nanosecond bigints. */
export type Transaction = Record<string, unknown> & { readonly id: string; readonly type: string; readonly time: Nanos };

/** Client extensions of an order or trade. */
export interface ClientExtensions {
  id?: string;
  tag?: string;
  comment?: string;
}

/** An order (v20 `Order` and its subtypes). */
export interface Order {
  readonly id: string;
  readonly type: 'MARKET' | 'LIMIT' | 'STOP' | 'MARKET_IF_TOUCHED';
  readonly instrument: string;
  readonly units: Decimal;
  readonly price?: Decimal;
  readonly priceBound?: Decimal;
  readonly timeInForce: string;
  readonly gtdTime?: Nanos;
  /** When a GFD order expires (17:00 New York), for the expiry check. */
  readonly gfdExpiry?: Nanos;
  readonly positionFill: string;
  readonly triggerCondition: string;
  clientExtensions?: ClientExtensions;
  readonly tradeClientExtensions?: ClientExtensions;
  readonly createTime: Nanos;
  readonly initialMarketPrice?: Decimal;
  readonly replacesOrderID?: string;
  state: 'PENDING' | 'FILLED' | 'TRIGGERED' | 'CANCELLED';
  fillingTransactionID?: string;
  filledTime?: Nanos;
  tradeOpenedID?: string;
  tradeReducedID?: string;
  tradeClosedIDs?: string[];
  cancellingTransactionID?: string;
  cancelledTime?: Nanos;
  replacedByOrderID?: string;
  /** ORDER_FILL transaction ids (one for an order that fills). */
  readonly fills: string[];
}

/** A trade (v20 `Trade`). */
export interface Trade {
  readonly id: string;
  readonly instrument: string;
  readonly price: Decimal;
  readonly openTime: Nanos;
  readonly initialUnits: Decimal;
  readonly initialMarginRequired: Decimal;
  currentUnits: Decimal;
  realizedPL: Decimal;
  financing: Decimal;
  state: 'OPEN' | 'CLOSED';
  closeTime?: Nanos;
  readonly closingTransactionIDs: string[];
  /** Sum of close price × units closed, for averageClosePrice. */
  closedValue: Decimal;
  closedUnits: Decimal;
  clientExtensions?: ClientExtensions;
}

/** Realized figures per instrument and side (v20 `Position`'s pl and financing). */
interface SideTotals {
  pl: Decimal;
  financing: Decimal;
}

/** What an account's figures are at the current prices. */
export interface AccountFigures {
  readonly unrealizedPL: Decimal;
  readonly NAV: Decimal;
  readonly marginUsed: Decimal;
  readonly marginAvailable: Decimal;
  readonly positionValue: Decimal;
  readonly marginCloseoutPercent: Decimal;
  readonly marginCallPercent: Decimal;
}

const ZERO = new Decimal(0);

/** One account's state. */
export class Account {
  readonly id: string;
  readonly currency: string;
  readonly hedging: boolean;
  readonly marginRate: Decimal;
  readonly tokens: readonly string[];
  /** OANDA's user id: the third part of the account id (101-004-**1435156**-001). */
  readonly userID: number;
  readonly createdTime: Nanos;
  balance: Decimal;
  pl = ZERO;
  financing = ZERO;
  readonly transactions: Transaction[] = [];
  readonly orders = new Map<string, Order>();
  readonly trades = new Map<string, Trade>();
  /** Instruments ever traded, in first-trade order, with realized totals per side. */
  readonly positionTotals = new Map<string, { long: SideTotals; short: SideTotals }>();
  lastOrderFillTimestamp: Nanos | undefined;

  constructor(spec: FakeOandaAccountSpec, balance: Decimal, marginRate: Decimal, tokens: readonly string[], created: Nanos) {
    this.id = spec.id;
    this.currency = spec.currency;
    this.hedging = spec.hedging ?? false;
    this.marginRate = marginRate;
    this.tokens = tokens;
    this.balance = balance;
    this.userID = Number(spec.id.split('-')[2] ?? '0');
    this.createdTime = created;
  }

  /** The id of the most recent transaction ("0" before any). */
  get lastTransactionID(): string {
    return this.transactions.at(-1)?.id ?? '0';
  }

  /** The id the next transaction gets. */
  nextId(): string {
    return String(Number(this.lastTransactionID) + 1);
  }

  /** Appends a transaction (its id must be the next one). */
  append(t: Transaction): Transaction {
    if (t.id !== this.nextId()) throw new Error(`fake OANDA bug: transaction ${t.id} appended after ${this.lastTransactionID}`);
    this.transactions.push(t);
    return t;
  }

  /** Transactions with id in [from, to]. */
  range(from: number, to: number): Transaction[] {
    return this.transactions.filter((t) => Number(t.id) >= from && Number(t.id) <= to);
  }

  /** An order by specifier: its id, or `@clientID`. */
  orderBySpecifier(spec: string): Order | undefined {
    if (spec.startsWith('@')) {
      const cid = spec.slice(1);
      let found: Order | undefined;
      for (const o of this.orders.values()) if (o.clientExtensions?.id === cid) found = o;
      return found;
    }
    return this.orders.get(spec);
  }

  /** A trade by specifier: its id, or `@clientID`. */
  tradeBySpecifier(spec: string): Trade | undefined {
    if (spec.startsWith('@')) {
      const cid = spec.slice(1);
      for (const t of this.trades.values()) if (t.clientExtensions?.id === cid) return t;
      return undefined;
    }
    return this.trades.get(spec);
  }

  /** Open trades of `instrument` (all when undefined), oldest first. */
  openTrades(instrument?: string): Trade[] {
    return [...this.trades.values()].filter((t) => t.state === 'OPEN' && (instrument === undefined || t.instrument === instrument)).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Pending orders, oldest first. */
  pendingOrders(): Order[] {
    return [...this.orders.values()].filter((o) => o.state === 'PENDING').sort((a, b) => Number(a.id) - Number(b.id));
  }

  totalsOf(instrument: string): { long: SideTotals; short: SideTotals } {
    let t = this.positionTotals.get(instrument);
    if (t === undefined) {
      t = { long: { pl: ZERO, financing: ZERO }, short: { pl: ZERO, financing: ZERO } };
      this.positionTotals.set(instrument, t);
    }
    return t;
  }

  /** The margin rate that applies to `instrument`: the larger of the instrument's and the account's. */
  marginRateOf(i: Instrument): Decimal {
    return i.marginRate.gt(this.marginRate) ? i.marginRate : this.marginRate;
  }
}

/** Unrealized PL of `trade` in the account currency (closing at the bid for a long, the ask for a short). */
export function tradeUnrealized(a: Account, market: Market, t: Trade): Decimal {
  const top = market.top(t.instrument);
  const i = market.instruments.get(t.instrument)!;
  const conv = market.conversion(i.quote, a.currency);
  if (top === undefined || conv === undefined) return ZERO;
  const close = t.currentUnits.isPositive() ? top.bid : top.ask;
  return close.minus(t.price).times(t.currentUnits).times(conv);
}

/** Position value of `units` of `instrument` in the account currency, at the mid. */
export function positionValue(a: Account, market: Market, instrument: string, units: Decimal): Decimal {
  const top = market.top(instrument);
  const i = market.instruments.get(instrument)!;
  const conv = market.conversion(i.quote, a.currency);
  if (top === undefined || conv === undefined) return ZERO;
  return units.abs().times(top.mid).times(conv);
}

/**
 * Margin used by `trades` (one account's open trades): per instrument, position value × margin
 * rate; with long and short trades of one instrument (a hedging account) only the larger side
 * counts, as OANDA margins hedged positions.
 */
export function marginOf(a: Account, market: Market, trades: readonly { instrument: string; currentUnits: Decimal }[]): { marginUsed: Decimal; positionValue: Decimal } {
  const sides = new Map<string, { long: Decimal; short: Decimal }>();
  for (const t of trades) {
    const s = sides.get(t.instrument) ?? { long: ZERO, short: ZERO };
    if (t.currentUnits.isZero()) continue;
    if (t.currentUnits.gt(0)) s.long = s.long.plus(t.currentUnits);
    else s.short = s.short.plus(t.currentUnits.abs());
    sides.set(t.instrument, s);
  }
  let used = ZERO;
  let value = ZERO;
  for (const [instrument, s] of sides) {
    const i = market.instruments.get(instrument)!;
    const larger = s.long.gt(s.short) ? s.long : s.short;
    used = used.plus(positionValue(a, market, instrument, larger).times(a.marginRateOf(i)));
    value = value.plus(positionValue(a, market, instrument, s.long)).plus(positionValue(a, market, instrument, s.short));
  }
  return { marginUsed: used, positionValue: value };
}

/** The account's figures now. `closeoutRatio` is the share of margin used NAV must stay above (0.5). */
export function figures(a: Account, market: Market, closeoutRatio: Decimal): AccountFigures {
  const open = a.openTrades();
  let unrealizedPL = ZERO;
  for (const t of open) unrealizedPL = unrealizedPL.plus(tradeUnrealized(a, market, t));
  const NAV = a.balance.plus(unrealizedPL);
  const { marginUsed, positionValue: value } = marginOf(a, market, open);
  const free = NAV.minus(marginUsed);
  const pct = (d: Decimal): Decimal => (NAV.gt(0) ? d.div(NAV) : marginUsed.isZero() ? ZERO : new Decimal(1e9));
  return {
    unrealizedPL,
    NAV,
    marginUsed,
    marginAvailable: free.isNegative() ? ZERO : free,
    positionValue: value,
    marginCloseoutPercent: pct(marginUsed.times(closeoutRatio)),
    marginCallPercent: pct(marginUsed),
  };
}

/** v20 `Order` JSON of `o`. */
export function orderJson(o: Order, market: Market): Record<string, unknown> {
  const i = market.instruments.get(o.instrument)!;
  const dp = i.spec.displayPrecision;
  const out: Record<string, unknown> = {
    id: o.id,
    createTime: o.createTime,
    type: o.type,
    instrument: o.instrument,
    units: unitsText(o.units, i.spec.tradeUnitsPrecision),
    timeInForce: o.timeInForce,
    positionFill: o.positionFill,
    state: o.state,
  };
  if (o.price !== undefined) out.price = priceText(o.price, dp);
  if (o.priceBound !== undefined) out.priceBound = priceText(o.priceBound, dp);
  if (o.type !== 'MARKET') out.triggerCondition = o.triggerCondition;
  if (o.gtdTime !== undefined) out.gtdTime = o.gtdTime;
  if (o.initialMarketPrice !== undefined) out.initialMarketPrice = priceText(o.initialMarketPrice, dp);
  if (o.clientExtensions !== undefined) out.clientExtensions = { ...o.clientExtensions };
  if (o.tradeClientExtensions !== undefined) out.tradeClientExtensions = { ...o.tradeClientExtensions };
  if (o.replacesOrderID !== undefined) out.replacesOrderID = o.replacesOrderID;
  if (o.replacedByOrderID !== undefined) out.replacedByOrderID = o.replacedByOrderID;
  if (o.fillingTransactionID !== undefined) out.fillingTransactionID = o.fillingTransactionID;
  if (o.filledTime !== undefined) out.filledTime = o.filledTime;
  if (o.tradeOpenedID !== undefined) out.tradeOpenedID = o.tradeOpenedID;
  if (o.tradeReducedID !== undefined) out.tradeReducedID = o.tradeReducedID;
  if (o.tradeClosedIDs !== undefined) out.tradeClosedIDs = [...o.tradeClosedIDs];
  if (o.cancellingTransactionID !== undefined) out.cancellingTransactionID = o.cancellingTransactionID;
  if (o.cancelledTime !== undefined) out.cancelledTime = o.cancelledTime;
  return out;
}

/** v20 `Trade` JSON of `t`. */
export function tradeJson(a: Account, market: Market, t: Trade): Record<string, unknown> {
  const i = market.instruments.get(t.instrument)!;
  const up = i.spec.tradeUnitsPrecision;
  const out: Record<string, unknown> = {
    id: t.id,
    instrument: t.instrument,
    price: priceText(t.price, i.spec.displayPrecision),
    openTime: t.openTime,
    state: t.state,
    initialUnits: unitsText(t.initialUnits, up),
    initialMarginRequired: money(t.initialMarginRequired),
    currentUnits: unitsText(t.currentUnits, up),
    realizedPL: money(t.realizedPL),
    financing: money(t.financing),
  };
  if (t.state === 'OPEN') {
    out.unrealizedPL = money(tradeUnrealized(a, market, t));
    out.marginUsed = money(marginOf(a, market, [t]).marginUsed);
  }
  if (t.closedUnits.gt(0)) out.averageClosePrice = priceText(t.closedValue.div(t.closedUnits), i.spec.displayPrecision);
  if (t.closingTransactionIDs.length > 0) out.closingTransactionIDs = [...t.closingTransactionIDs];
  if (t.closeTime !== undefined) out.closeTime = t.closeTime;
  if (t.clientExtensions !== undefined) out.clientExtensions = { ...t.clientExtensions };
  return out;
}

/** v20 `Position` JSON of `instrument` (long and short sides; averagePrice and tradeIDs only for a side with units). */
export function positionJson(a: Account, market: Market, instrument: string): Record<string, unknown> {
  const i = market.instruments.get(instrument)!;
  const totals = a.totalsOf(instrument);
  const open = a.openTrades(instrument);
  const side = (long: boolean): Record<string, unknown> => {
    const ts = open.filter((t) => t.currentUnits.isPositive() === long);
    const units = ts.reduce((s, t) => s.plus(t.currentUnits), ZERO);
    const upl = ts.reduce((s, t) => s.plus(tradeUnrealized(a, market, t)), ZERO);
    const tot = long ? totals.long : totals.short;
    const out: Record<string, unknown> = {
      units: unitsText(units, i.spec.tradeUnitsPrecision),
      pl: money(tot.pl),
      unrealizedPL: money(upl),
      resettablePL: money(tot.pl),
      financing: money(tot.financing),
      guaranteedExecutionFees: money(ZERO),
    };
    if (!units.isZero()) {
      const value = ts.reduce((s, t) => s.plus(t.price.times(t.currentUnits)), ZERO);
      out.averagePrice = priceText(value.div(units), i.spec.displayPrecision + 1);
      out.tradeIDs = ts.map((t) => t.id);
    }
    return out;
  };
  const long = side(true);
  const short = side(false);
  const pl = totals.long.pl.plus(totals.short.pl);
  return {
    instrument,
    pl: money(pl),
    unrealizedPL: money(new Decimal(long.unrealizedPL as string).plus(short.unrealizedPL as string)),
    marginUsed: money(marginOf(a, market, open).marginUsed),
    resettablePL: money(pl),
    financing: money(totals.long.financing.plus(totals.short.financing)),
    commission: money(ZERO),
    guaranteedExecutionFees: money(ZERO),
    long,
    short,
  };
}

/** The state part shared by `AccountSummary` and `AccountChangesState`. */
export function stateJson(a: Account, market: Market, closeoutRatio: Decimal): Record<string, unknown> {
  const f = figures(a, market, closeoutRatio);
  return {
    unrealizedPL: money(f.unrealizedPL),
    NAV: money(f.NAV),
    marginUsed: money(f.marginUsed),
    marginAvailable: money(f.marginAvailable),
    positionValue: money(f.positionValue),
    marginCloseoutUnrealizedPL: money(f.unrealizedPL),
    marginCloseoutNAV: money(f.NAV),
    marginCloseoutMarginUsed: money(f.marginUsed),
    marginCloseoutPercent: f.marginCloseoutPercent.toFixed(5),
    marginCloseoutPositionValue: money(f.positionValue),
    withdrawalLimit: money(f.marginAvailable),
    marginCallMarginUsed: money(f.marginUsed),
    marginCallPercent: f.marginCallPercent.toFixed(5),
  };
}

/** v20 `AccountSummary` JSON. */
export function summaryJson(a: Account, market: Market, closeoutRatio: Decimal): Record<string, unknown> {
  const open = a.openTrades();
  const out: Record<string, unknown> = {
    id: a.id,
    alias: 'Fake OANDA',
    currency: a.currency,
    balance: money(a.balance),
    createdByUserID: a.userID,
    createdTime: a.createdTime,
    guaranteedStopLossOrderMode: 'DISABLED',
    pl: money(a.pl),
    resettablePL: money(a.pl),
    resettablePLTime: '0',
    financing: money(a.financing),
    commission: money(ZERO),
    guaranteedExecutionFees: money(ZERO),
    marginRate: a.marginRate.toString(),
    openTradeCount: open.length,
    openPositionCount: new Set(open.map((t) => t.instrument)).size,
    pendingOrderCount: a.pendingOrders().length,
    hedgingEnabled: a.hedging,
    ...stateJson(a, market, closeoutRatio),
    lastTransactionID: a.lastTransactionID,
  };
  if (a.lastOrderFillTimestamp !== undefined) out.lastOrderFillTimestamp = a.lastOrderFillTimestamp;
  return out;
}

/** Instruments with an open trade, and every instrument ever traded (for GET /positions). */
export function positionInstruments(a: Account, openOnly: boolean): string[] {
  if (openOnly) return [...new Set(a.openTrades().map((t) => t.instrument))];
  return [...a.positionTotals.keys()];
}
