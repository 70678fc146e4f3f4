/**
 * OANDA's dealing, as the fake models it: spread-based, no commission. Market orders fill at once
 * against the current price levels (ask for a buy, bid for a sell, walking the levels by their
 * liquidity); LIMIT, STOP and MARKET_IF_TOUCHED orders rest until `price()` triggers them; fills
 * open, reduce and close trades per the position fill rule (FIFO, oldest trade first); PL is
 * converted into the account currency; margin is checked before a fill that adds exposure; a margin
 * closeout closes every position when NAV falls below the closeout share of margin used.
 * Every transaction goes into the account's log and out to its transaction streams.
 * @module
 */
import { Decimal } from '@autotrader/core';
import {
  figures,
  marginOf,
  type Account,
  type ClientExtensions,
  type Order,
  type Trade,
  type Transaction,
} from './account';
import type { Instrument, Level, Market } from './instruments';
import { isProblem, parseOrderRequest, type OrderRequestProblem, type ParsedOrder } from './order-request';
import { specEnum } from './spec';
import { money, nanosAt, priceText, unitsText, type DatetimeFormat, type Nanos } from './wire';

/** An HTTP answer before DateTime formatting (bigint fields are nanosecond times). */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const ZERO = new Decimal(0);

/** What the dealer needs from the venue. */
export interface DealerOptions {
  readonly market: Market;
  readonly nowMs: () => number;
  readonly closeoutRatio: Decimal;
  /** Called with each finished batch of transactions of an account (the transaction streams). */
  readonly emit: (account: Account, transactions: readonly Transaction[]) => void;
}

/** Transactions made while serving one request or event: same time, one batch id. */
class Batch {
  readonly made: Transaction[] = [];
  readonly time: Nanos;

  constructor(
    readonly account: Account,
    readonly requestID: string,
    nowMs: number,
  ) {
    this.time = nanosAt(nowMs);
  }

  add(fields: Record<string, unknown>): Transaction {
    const a = this.account;
    const id = a.nextId();
    const t = {
      id,
      time: this.time,
      userID: a.userID,
      accountID: a.id,
      batchID: this.made[0]?.id ?? id,
      requestID: this.requestID,
      ...fields,
    } as unknown as Transaction;
    specEnum('TransactionType', t.type);
    a.append(t);
    this.made.push(t);
    return t;
  }

  get ids(): string[] {
    return this.made.map((t) => t.id);
  }
}

/** A fill's plan: trades to reduce (units in the fill's sign) and units to open. */
interface FillPlan {
  readonly reduce: readonly { readonly trade: Trade; readonly units: Decimal }[];
  readonly open: Decimal;
}

/** The result of walking price levels. */
interface Walk {
  readonly filled: Decimal;
  /** Volume-weighted average price, exact. */
  readonly vwap: Decimal;
}

function walk(levels: readonly Level[], qty: Decimal, mustFill: boolean): Walk | undefined {
  let left = qty;
  let value = ZERO;
  for (const [n, l] of levels.entries()) {
    if (left.isZero()) break;
    const take = mustFill && n === levels.length - 1 ? left : left.lte(l.liquidity) ? left : new Decimal(l.liquidity);
    value = value.plus(take.times(l.price));
    left = left.minus(take);
  }
  const filled = qty.minus(left);
  if (filled.isZero()) return undefined;
  return { filled, vwap: value.div(filled) };
}

/** 17:00 America/New_York after `ms`: when a GFD order expires (OANDA's trading day ends at 5 pm New York). */
export function gfdExpiry(ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (k: string): number => Number(parts.find((p) => p.type === k)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = wall - Math.floor(ms / 1000) * 1000;
  let at = Date.UTC(get('year'), get('month') - 1, get('day'), 17) - offset;
  if (at <= ms) at += 86_400_000;
  return at;
}

/** The dealing engine over every account of the fake. */
export class Dealer {
  private nextRequest = 1;

  constructor(private readonly o: DealerOptions) {}

  /** A new RequestID (OANDA's are long decimal strings). */
  requestId(): string {
    return `${24_680_612_325_148_866n + BigInt(this.nextRequest++)}`;
  }

  private finish(b: Batch): void {
    if (b.made.length > 0) this.o.emit(b.account, b.made);
  }

  private instrument(name: string): Instrument {
    return this.o.market.instruments.get(name)!;
  }

  // ---- order requests ------------------------------------------------------------------------

  /** POST /orders. */
  createOrder(a: Account, body: unknown, format: DatetimeFormat, requestID: string): Reply {
    const parsed = parseOrderRequest(body, { account: a, instruments: this.o.market.instruments, format, now: nanosAt(this.o.nowMs()) });
    const b = new Batch(a, requestID, this.o.nowMs());
    if (isProblem(parsed)) return this.refuse(b, parsed);
    const out: Record<string, unknown> = {};
    this.place(b, parsed, 'CLIENT_ORDER', out);
    this.finish(b);
    this.closeoutCheck(a);
    return { status: 201, body: { ...out, relatedTransactionIDs: b.ids, lastTransactionID: a.lastTransactionID } };
  }

  /** PUT /orders/{spec}: cancel the pending order and create its replacement (same type). */
  replaceOrder(a: Account, spec: string, body: unknown, format: DatetimeFormat, requestID: string): Reply {
    const old = a.orderBySpecifier(spec);
    const b = new Batch(a, requestID, this.o.nowMs());
    if (old === undefined || old.state !== 'PENDING') return this.cancelRejected(b, spec, old);
    const parsed = parseOrderRequest(body, { account: a, instruments: this.o.market.instruments, format, now: nanosAt(this.o.nowMs()), replacing: old });
    if (isProblem(parsed)) return this.refuse(b, parsed);
    if (parsed.type !== old.type) {
      return this.refuse(b, { kind: 'reject', type: parsed.type, reason: specEnum('TransactionRejectReason', 'REPLACING_ORDER_INVALID'), message: `The replacing order must have the same type as the replaced order (${old.type})`, raw: parsed.raw });
    }
    const newId = String(Number(a.nextId()) + 1);
    const cancel = b.add({ type: 'ORDER_CANCEL', orderID: old.id, ...(old.clientExtensions?.id !== undefined ? { clientOrderID: old.clientExtensions.id } : {}), reason: specEnum('OrderCancelReason', 'CLIENT_REQUEST_REPLACED'), replacedByOrderID: newId });
    old.state = 'CANCELLED';
    old.cancellingTransactionID = cancel.id;
    old.cancelledTime = b.time;
    old.replacedByOrderID = newId;
    // The replacement keeps the replaced order's client extensions unless the request gives its own
    // (fixtures/oandapyV20/orders__..._order_replace.json: a body without clientExtensions answers
    // with the old order's {"id":"myID","comment":"myComment"}).
    const replacement: ParsedOrder = {
      ...parsed,
      ...(parsed.clientExtensions === undefined && old.clientExtensions !== undefined ? { clientExtensions: { ...old.clientExtensions } } : {}),
    };
    const out: Record<string, unknown> = { orderCancelTransaction: cancel };
    this.place(b, replacement, 'REPLACEMENT', out, old.id);
    this.finish(b);
    this.closeoutCheck(a);
    return { status: 201, body: { ...out, relatedTransactionIDs: b.ids, lastTransactionID: a.lastTransactionID } };
  }

  /** PUT /orders/{spec}/cancel. */
  cancelOrder(a: Account, spec: string, requestID: string): Reply {
    const o = a.orderBySpecifier(spec);
    const b = new Batch(a, requestID, this.o.nowMs());
    if (o === undefined || o.state !== 'PENDING') return this.cancelRejected(b, spec, o);
    const t = this.cancel(b, o, 'CLIENT_REQUEST');
    this.finish(b);
    return { status: 200, body: { orderCancelTransaction: t, relatedTransactionIDs: b.ids, lastTransactionID: a.lastTransactionID } };
  }

  /** PUT /orders/{spec}/clientExtensions. */
  orderClientExtensions(a: Account, spec: string, body: unknown, requestID: string): Reply {
    const o = a.orderBySpecifier(spec);
    const b = new Batch(a, requestID, this.o.nowMs());
    if (o === undefined) {
      const t = b.add({ type: 'ORDER_CLIENT_EXTENSIONS_MODIFY_REJECT', orderID: spec, rejectReason: specEnum('TransactionRejectReason', 'ORDER_DOESNT_EXIST') });
      this.finish(b);
      return { status: 404, body: { orderClientExtensionsModifyRejectTransaction: t, lastTransactionID: a.lastTransactionID, relatedTransactionIDs: b.ids, errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The Order specified does not exist' } };
    }
    const req = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const ce = req.clientExtensions as ClientExtensions | undefined;
    if (ce?.id !== undefined) {
      for (const other of a.orders.values()) {
        if (other !== o && other.clientExtensions?.id === ce.id) {
          const t = b.add({ type: 'ORDER_CLIENT_EXTENSIONS_MODIFY_REJECT', orderID: o.id, clientExtensionsModify: ce, rejectReason: specEnum('TransactionRejectReason', 'CLIENT_ORDER_ID_ALREADY_EXISTS') });
          this.finish(b);
          return { status: 400, body: { orderClientExtensionsModifyRejectTransaction: t, lastTransactionID: a.lastTransactionID, relatedTransactionIDs: b.ids, errorCode: 'CLIENT_ORDER_ID_ALREADY_EXISTS', errorMessage: `Client order ID ${ce.id} already exists` } };
        }
      }
    }
    if (ce !== undefined) o.clientExtensions = { ...o.clientExtensions, ...ce };
    const t = b.add({ type: 'ORDER_CLIENT_EXTENSIONS_MODIFY', orderID: o.id, ...(o.clientExtensions?.id !== undefined ? { clientOrderID: o.clientExtensions.id } : {}), ...(ce !== undefined ? { clientExtensionsModify: ce } : {}) });
    this.finish(b);
    return { status: 200, body: { orderClientExtensionsModifyTransaction: t, lastTransactionID: a.lastTransactionID, relatedTransactionIDs: b.ids } };
  }

  /** PUT /trades/{spec}/close: a TRADE_CLOSE market order; refused under FIFO when an older trade of the same size is open. */
  closeTrade(a: Account, spec: string, body: unknown, requestID: string): Reply {
    const trade = a.tradeBySpecifier(spec);
    const b = new Batch(a, requestID, this.o.nowMs());
    if (trade === undefined || trade.state !== 'OPEN') {
      return { status: 404, body: { errorCode: 'TRADE_DOESNT_EXIST', errorMessage: 'The Trade specified does not exist', lastTransactionID: a.lastTransactionID } };
    }
    const i = this.instrument(trade.instrument);
    const req = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const unitsText0 = req.units ?? 'ALL';
    let units = trade.currentUnits.abs();
    if (unitsText0 !== 'ALL') {
      const d = typeof unitsText0 === 'string' && /^\d+(\.\d+)?$/.test(unitsText0) ? new Decimal(unitsText0) : undefined;
      if (d === undefined || d.isZero()) return { status: 400, body: { errorCode: 'CLOSE_TRADE_PARTIAL_UNITS_MISSING', errorMessage: "Invalid value specified for 'units'" } };
      if (d.gt(units)) return { status: 400, body: { errorCode: 'CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE', errorMessage: 'The units specified exceed the trade size' } };
      units = d;
    }
    const signed = trade.currentUnits.isPositive() ? units.neg() : units;
    const create = b.add({
      type: 'MARKET_ORDER',
      instrument: trade.instrument,
      units: unitsText(signed, i.spec.tradeUnitsPrecision),
      timeInForce: 'FOK',
      positionFill: 'REDUCE_ONLY',
      reason: 'TRADE_CLOSE',
      tradeClose: { tradeID: trade.id, ...(trade.clientExtensions?.id !== undefined ? { clientTradeID: trade.clientExtensions.id } : {}), units: unitsText0 === 'ALL' ? 'ALL' : unitsText(units, i.spec.tradeUnitsPrecision) },
    });
    const order = this.recordMarket(a, create, trade.instrument, signed, b.time);
    const out: Record<string, unknown> = { orderCreateTransaction: create };
    // FIFO (NFA Compliance Rule 2-43(b), OANDA's "Closing Trades with FIFO"): the oldest open trade
    // of the same instrument and size must be closed first.
    const older = a.openTrades(trade.instrument).find((t) => Number(t.id) < Number(trade.id) && t.currentUnits.eq(trade.currentUnits));
    if (older !== undefined) {
      out.orderCancelTransaction = this.cancel(b, order, 'FIFO_VIOLATION');
    } else {
      this.execute(b, order, 'MARKET_ORDER_TRADE_CLOSE', { reduce: [{ trade, units: signed }], open: ZERO }, out, { mustFill: false });
    }
    this.finish(b);
    return { status: 200, body: { ...out, relatedTransactionIDs: b.ids, lastTransactionID: a.lastTransactionID } };
  }

  /** PUT /positions/{instrument}/close (`longUnits` / `shortUnits`: "ALL", "NONE" or a number). */
  closePosition(a: Account, instrument: string, body: unknown, requestID: string): Reply {
    const i = this.o.market.instruments.get(instrument);
    if (i === undefined) return { status: 400, body: { errorCode: 'INSTRUMENT_UNKNOWN', errorMessage: 'Instrument specified is unknown' } };
    const req = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const b = new Batch(a, requestID, this.o.nowMs());
    const out: Record<string, unknown> = {};
    const sides: ['long' | 'short', unknown][] = [['long', req.longUnits ?? 'NONE'], ['short', req.shortUnits ?? 'NONE']];
    if (sides.every(([, v]) => v === 'NONE')) return { status: 400, body: { errorCode: 'CLOSEOUT_POSITION_INCOMPLETE_SPECIFICATION', errorMessage: 'longUnits or shortUnits must be specified' } };
    for (const [side, v] of sides) {
      if (v === 'NONE') continue;
      const trades = a.openTrades(instrument).filter((t) => t.currentUnits.isPositive() === (side === 'long'));
      const held = trades.reduce((s, t) => s.plus(t.currentUnits.abs()), ZERO);
      if (held.isZero()) return { status: 400, body: { errorCode: 'CLOSEOUT_POSITION_DOESNT_EXIST', errorMessage: `The ${side} position does not exist` } };
      let units = held;
      if (v !== 'ALL') {
        const d = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? new Decimal(v) : undefined;
        if (d === undefined || d.isZero()) return { status: 400, body: { errorCode: 'CLOSEOUT_POSITION_PARTIAL_UNITS_MISSING', errorMessage: `Invalid value specified for '${side}Units'` } };
        if (d.gt(held)) return { status: 400, body: { errorCode: 'CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE', errorMessage: 'The units specified exceed the position size' } };
        units = d;
      }
      const signed = side === 'long' ? units.neg() : units;
      const create = b.add({
        type: 'MARKET_ORDER',
        instrument,
        units: unitsText(signed, i.spec.tradeUnitsPrecision),
        timeInForce: 'FOK',
        positionFill: 'REDUCE_ONLY',
        reason: 'POSITION_CLOSEOUT',
        [`${side}PositionCloseout`]: { instrument, units: v === 'ALL' ? 'ALL' : unitsText(units, i.spec.tradeUnitsPrecision) },
      });
      const order = this.recordMarket(a, create, instrument, signed, b.time);
      const part: Record<string, unknown> = {};
      this.execute(b, order, 'MARKET_ORDER_POSITION_CLOSEOUT', this.fifoReduce(trades, signed), part, { mustFill: false });
      out[`${side}OrderCreateTransaction`] = create;
      if (part.orderFillTransaction !== undefined) out[`${side}OrderFillTransaction`] = part.orderFillTransaction;
      if (part.orderCancelTransaction !== undefined) out[`${side}OrderCancelTransaction`] = part.orderCancelTransaction;
    }
    this.finish(b);
    return { status: 200, body: { ...out, relatedTransactionIDs: b.ids, lastTransactionID: a.lastTransactionID } };
  }

  // ---- events ----------------------------------------------------------------------------------

  /** A new price of `instrument`: resting orders it triggers fill, then every account's margin is checked. */
  onPrice(accounts: Iterable<Account>, instrument: string): void {
    for (const a of accounts) {
      const b = new Batch(a, this.requestId(), this.o.nowMs());
      for (const o of a.pendingOrders()) {
        if (o.instrument !== instrument) continue;
        this.tryTrigger(b, o, {});
      }
      this.finish(b);
      this.closeoutCheck(a);
    }
  }

  /** Cancels GTD and GFD orders whose time has come (TIME_IN_FORCE_EXPIRED). */
  expireDue(accounts: Iterable<Account>): void {
    const now = nanosAt(this.o.nowMs());
    for (const a of accounts) {
      const due = a.pendingOrders().filter((o) => (o.gtdTime !== undefined && o.gtdTime <= now) || (o.gfdExpiry !== undefined && o.gfdExpiry <= now));
      if (due.length === 0) continue;
      const b = new Batch(a, this.requestId(), this.o.nowMs());
      for (const o of due) this.cancel(b, o, 'TIME_IN_FORCE_EXPIRED');
      this.finish(b);
    }
  }

  /**
   * A DAILY_FINANCING transaction: `amounts` per instrument in the account currency (negative: paid),
   * shared over the instrument's open trades by units; default: each open position pays 2% a year
   * of its value for one day (the fake's own rate, see README).
   */
  applyFinancing(a: Account, amounts?: Readonly<Record<string, string>>): Transaction {
    const b = new Batch(a, this.requestId(), this.o.nowMs());
    const open = a.openTrades();
    const per = new Map<string, Decimal>();
    if (amounts !== undefined) {
      for (const [inst, v] of Object.entries(amounts)) per.set(inst, new Decimal(v));
    } else {
      for (const inst of new Set(open.map((t) => t.instrument))) {
        const value = marginOf(a, this.o.market, open.filter((t) => t.instrument === inst)).positionValue;
        per.set(inst, value.times('0.02').div(365).neg().toDecimalPlaces(4));
      }
    }
    let total = ZERO;
    const positionFinancings: Record<string, unknown>[] = [];
    for (const [inst, amount] of per) {
      const trades = open.filter((t) => t.instrument === inst);
      const units = trades.reduce((s, t) => s.plus(t.currentUnits.abs()), ZERO);
      const tradeFinancings = trades.map((t) => {
        const share = units.isZero() ? ZERO : amount.times(t.currentUnits.abs()).div(units);
        t.financing = t.financing.plus(share);
        const totals = a.totalsOf(inst);
        const side = t.currentUnits.isPositive() ? totals.long : totals.short;
        side.financing = side.financing.plus(share);
        return { tradeID: t.id, financing: money(share) };
      });
      if (trades.length === 0) {
        const totals = a.totalsOf(inst);
        totals.long.financing = totals.long.financing.plus(amount);
      }
      total = total.plus(amount);
      positionFinancings.push({ instrument: inst, financing: money(amount), openTradeFinancings: tradeFinancings });
    }
    a.balance = a.balance.plus(total);
    a.financing = a.financing.plus(total);
    const t = b.add({ type: 'DAILY_FINANCING', financing: money(total), accountBalance: money(a.balance), accountFinancingMode: 'DAILY', positionFinancings });
    this.finish(b);
    this.closeoutCheck(a);
    return t;
  }

  /** Margin closeout when NAV < closeoutRatio × margin used: every open position closed at market. */
  closeoutCheck(a: Account): void {
    const f = figures(a, this.o.market, this.o.closeoutRatio);
    if (f.marginUsed.isZero() || !f.NAV.lt(f.marginUsed.times(this.o.closeoutRatio))) return;
    const b = new Batch(a, this.requestId(), this.o.nowMs());
    for (const inst of new Set(a.openTrades().map((t) => t.instrument))) {
      const i = this.instrument(inst);
      for (const long of [true, false]) {
        const trades = a.openTrades(inst).filter((t) => t.currentUnits.isPositive() === long);
        if (trades.length === 0) continue;
        const signed = trades.reduce((s, t) => s.plus(t.currentUnits), ZERO).neg();
        const create = b.add({
          type: 'MARKET_ORDER',
          instrument: inst,
          units: unitsText(signed, i.spec.tradeUnitsPrecision),
          timeInForce: 'FOK',
          positionFill: 'REDUCE_ONLY',
          reason: 'MARGIN_CLOSEOUT',
          marginCloseout: { reason: specEnum('MarketOrderMarginCloseoutReason', 'MARGIN_CHECK_VIOLATION') },
        });
        const order = this.recordMarket(a, create, inst, signed, b.time);
        this.execute(b, order, 'MARKET_ORDER_MARGIN_CLOSEOUT', this.fifoReduce(trades, signed), {}, { mustFill: true });
      }
    }
    this.finish(b);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** 400 with the type's `*_ORDER_REJECT` transaction (or a bare error for an untypable body). */
  private refuse(b: Batch, p: OrderRequestProblem): Reply {
    if (p.kind === 'invalid') return { status: 400, body: { errorMessage: p.message } };
    const t = b.add({ ...p.raw, type: `${p.type}_ORDER_REJECT`, reason: 'CLIENT_ORDER', rejectReason: p.reason });
    this.finish(b);
    return { status: 400, body: { orderRejectTransaction: t, relatedTransactionIDs: b.ids, lastTransactionID: b.account.lastTransactionID, errorCode: p.reason, errorMessage: p.message } };
  }

  /** 404 with an ORDER_CANCEL_REJECT transaction. */
  private cancelRejected(b: Batch, spec: string, o: Order | undefined): Reply {
    const t = b.add({
      type: 'ORDER_CANCEL_REJECT',
      orderID: o?.id ?? (spec.startsWith('@') ? '' : spec),
      ...(spec.startsWith('@') ? { clientOrderID: spec.slice(1) } : o?.clientExtensions?.id !== undefined ? { clientOrderID: o.clientExtensions.id } : {}),
      rejectReason: specEnum('TransactionRejectReason', 'ORDER_DOESNT_EXIST'),
    });
    this.finish(b);
    const message = o === undefined ? 'The Order specified does not exist' : `The Order specified is not pending (${o.state})`;
    return { status: 404, body: { orderCancelRejectTransaction: t, relatedTransactionIDs: b.ids, lastTransactionID: b.account.lastTransactionID, errorCode: 'ORDER_DOESNT_EXIST', errorMessage: message } };
  }

  private cancel(b: Batch, o: Order, reason: string): Transaction {
    const t = b.add({ type: 'ORDER_CANCEL', orderID: o.id, ...(o.clientExtensions?.id !== undefined ? { clientOrderID: o.clientExtensions.id } : {}), reason: specEnum('OrderCancelReason', reason) });
    o.state = 'CANCELLED';
    o.cancellingTransactionID = t.id;
    o.cancelledTime = b.time;
    return t;
  }

  /** An order record for a market order the venue itself created (trade close, closeout). */
  private recordMarket(a: Account, create: Transaction, instrument: string, units: Decimal, time: Nanos): Order {
    const o: Order = { id: create.id, type: 'MARKET', instrument, units, timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', triggerCondition: 'DEFAULT', createTime: time, state: 'PENDING', fills: [] };
    a.orders.set(o.id, o);
    return o;
  }

  /** Creates the order of `p` (its create transaction into `out`), then fills or rests it. */
  private place(b: Batch, p: ParsedOrder, reason: 'CLIENT_ORDER' | 'REPLACEMENT', out: Record<string, unknown>, replaces?: string): void {
    const a = b.account;
    const i = p.instrument;
    const dp = i.spec.displayPrecision;
    const top = this.o.market.top(i.name);
    const isBuy = p.units.isPositive();
    let initialMarketPrice: Decimal | undefined;
    if (p.type === 'MARKET_IF_TOUCHED' && top !== undefined) initialMarketPrice = this.triggerPrice(p.triggerCondition, isBuy, top);
    const txType = p.type === 'MARKET' ? 'MARKET_ORDER' : `${p.type}_ORDER`;
    const create = b.add({
      type: txType,
      instrument: i.name,
      units: unitsText(p.units, i.spec.tradeUnitsPrecision),
      ...(p.price !== undefined ? { price: priceText(p.price, dp) } : {}),
      ...(p.priceBound !== undefined ? { priceBound: priceText(p.priceBound, dp) } : {}),
      timeInForce: p.timeInForce,
      ...(p.gtdTime !== undefined ? { gtdTime: p.gtdTime } : {}),
      positionFill: p.positionFill,
      ...(p.type !== 'MARKET' ? { triggerCondition: p.triggerCondition } : {}),
      reason,
      ...(p.clientExtensions !== undefined ? { clientExtensions: { ...p.clientExtensions } } : {}),
      ...(p.tradeClientExtensions !== undefined ? { tradeClientExtensions: { ...p.tradeClientExtensions } } : {}),
      ...(replaces !== undefined ? { replacesOrderID: replaces } : {}),
    });
    out.orderCreateTransaction = create;
    const order: Order = {
      id: create.id,
      type: p.type,
      instrument: i.name,
      units: p.units,
      ...(p.price !== undefined ? { price: p.price } : {}),
      ...(p.priceBound !== undefined ? { priceBound: p.priceBound } : {}),
      timeInForce: p.timeInForce,
      ...(p.gtdTime !== undefined ? { gtdTime: p.gtdTime } : {}),
      ...(p.timeInForce === 'GFD' ? { gfdExpiry: nanosAt(gfdExpiry(this.o.nowMs())) } : {}),
      positionFill: p.positionFill,
      triggerCondition: p.triggerCondition,
      ...(p.clientExtensions !== undefined ? { clientExtensions: { ...p.clientExtensions } } : {}),
      ...(p.tradeClientExtensions !== undefined ? { tradeClientExtensions: { ...p.tradeClientExtensions } } : {}),
      createTime: b.time,
      ...(initialMarketPrice !== undefined ? { initialMarketPrice } : {}),
      ...(replaces !== undefined ? { replacesOrderID: replaces } : {}),
      state: 'PENDING',
      fills: [],
    };
    a.orders.set(order.id, order);
    if (p.type === 'MARKET') {
      if (top === undefined) {
        out.orderCancelTransaction = this.cancel(b, order, 'MARKET_HALTED');
        return;
      }
      const levels = isBuy ? this.o.market.quote(i.name)!.asks : this.o.market.quote(i.name)!.bids;
      const w = walk(levels, p.units.abs(), false);
      if (w === undefined || (p.timeInForce === 'FOK' && w.filled.lt(p.units.abs()))) {
        out.orderCancelTransaction = this.cancel(b, order, 'INSUFFICIENT_LIQUIDITY');
        return;
      }
      const signed = isBuy ? w.filled : w.filled.neg();
      this.fillAt(b, order, 'MARKET_ORDER', signed, w.vwap, out);
      return;
    }
    if (p.type === 'MARKET_IF_TOUCHED' && initialMarketPrice === undefined) {
      // Without a price the venue cannot tell which way the order waits.
      out.orderCancelTransaction = this.cancel(b, order, 'MARKET_HALTED');
      return;
    }
    const filled = this.tryTrigger(b, order, out);
    if (!filled && order.state === 'PENDING' && (p.timeInForce === 'FOK' || p.timeInForce === 'IOC')) {
      out.orderCancelTransaction = this.cancel(b, order, 'TIME_IN_FORCE_EXPIRED');
    }
  }

  private triggerPrice(cond: string, isBuy: boolean, top: { bid: Decimal; ask: Decimal; mid: Decimal }): Decimal {
    switch (cond) {
      case 'INVERSE':
        return isBuy ? top.bid : top.ask;
      case 'BID':
        return top.bid;
      case 'ASK':
        return top.ask;
      case 'MID':
        return top.mid;
      default:
        return isBuy ? top.ask : top.bid;
    }
  }

  /** Fills a resting order when the current price triggers it; returns whether it filled. */
  private tryTrigger(b: Batch, o: Order, out: Record<string, unknown>): boolean {
    const top = this.o.market.top(o.instrument);
    if (top === undefined || o.price === undefined) return false;
    const isBuy = o.units.isPositive();
    const tp = this.triggerPrice(o.triggerCondition, isBuy, top);
    let triggered: boolean;
    if (o.type === 'LIMIT') triggered = isBuy ? tp.lte(o.price) : tp.gte(o.price);
    else if (o.type === 'STOP') triggered = isBuy ? tp.gte(o.price) : tp.lte(o.price);
    else if (o.initialMarketPrice !== undefined && o.initialMarketPrice.gt(o.price)) triggered = tp.lte(o.price);
    else triggered = tp.gte(o.price);
    if (!triggered) return false;
    const q = this.o.market.quote(o.instrument)!;
    const w = walk(isBuy ? q.asks : q.bids, o.units.abs(), false);
    // A triggered order fills whole, when the levels hold its size; a limit never fills worse than its price.
    if (w === undefined || w.filled.lt(o.units.abs())) return false;
    if (o.type === 'LIMIT' && (isBuy ? w.vwap.gt(o.price) : w.vwap.lt(o.price))) return false;
    if (o.priceBound !== undefined && (isBuy ? w.vwap.gt(o.priceBound) : w.vwap.lt(o.priceBound))) {
      out.orderCancelTransaction = this.cancel(b, o, 'BOUNDS_VIOLATION');
      return false;
    }
    const reason = o.type === 'LIMIT' ? 'LIMIT_ORDER' : o.type === 'STOP' ? 'STOP_ORDER' : 'MARKET_IF_TOUCHED_ORDER';
    return this.fillAt(b, o, reason, o.units, w.vwap, out);
  }

  /** Reductions of `trades` (one side, oldest first) by `signed` units. */
  private fifoReduce(trades: readonly Trade[], signed: Decimal): FillPlan {
    let left = signed.abs();
    const reduce: { trade: Trade; units: Decimal }[] = [];
    for (const t of trades) {
      if (left.isZero()) break;
      const take = left.lt(t.currentUnits.abs()) ? left : t.currentUnits.abs();
      reduce.push({ trade: t, units: signed.isPositive() ? take : take.neg() });
      left = left.minus(take);
    }
    return { reduce, open: ZERO };
  }

  /** Applies the position fill rule to a fill of `signed` units; a cancel reason when the rule forbids it. */
  private plan(a: Account, o: Order, signed: Decimal): FillPlan | string {
    const mode = o.positionFill === 'DEFAULT' ? (a.hedging ? 'OPEN_ONLY' : 'REDUCE_FIRST') : o.positionFill;
    const opposite = a.openTrades(o.instrument).filter((t) => t.currentUnits.isPositive() !== signed.isPositive());
    const held = opposite.reduce((s, t) => s.plus(t.currentUnits.abs()), ZERO);
    if (mode === 'OPEN_ONLY') {
      // A non-hedging account never holds long and short trades of one instrument at once: offsetting
      // positions must be offset first in, first out (NFA Compliance Rule 2-43(b)).
      if (!a.hedging && !held.isZero()) return 'FIFO_VIOLATION';
      return { reduce: [], open: signed };
    }
    const reduced = this.fifoReduce(opposite, signed);
    const closing = reduced.reduce.reduce((s, r) => s.plus(r.units.abs()), ZERO);
    if (mode === 'REDUCE_ONLY') {
      if (held.isZero()) return 'POSITION_CLOSEOUT_FAILED';
      return reduced;
    }
    return { reduce: reduced.reduce, open: signed.isPositive() ? signed.minus(closing) : signed.plus(closing) };
  }

  /** Fills `o` for `signed` units at `vwap` if the position rule and margin allow; else cancels it. */
  private fillAt(b: Batch, o: Order, reason: string, signed: Decimal, vwap: Decimal, out: Record<string, unknown>): boolean {
    const plan = this.plan(b.account, o, signed);
    if (typeof plan === 'string') {
      out.orderCancelTransaction = this.cancel(b, o, plan);
      return false;
    }
    if (o.priceBound !== undefined && (signed.isPositive() ? vwap.gt(o.priceBound) : vwap.lt(o.priceBound))) {
      out.orderCancelTransaction = this.cancel(b, o, 'BOUNDS_VIOLATION');
      return false;
    }
    return this.execute(b, o, reason, plan, out, { mustFill: false, vwap });
  }

  /**
   * Books a fill: the ORDER_FILL transaction (tradeOpened / tradesClosed / tradeReduced, pl,
   * halfSpreadCost, accountBalance), trades and balance. Cancels with INSUFFICIENT_MARGIN when the
   * units it opens would leave NAV below margin used, MARKET_HALTED when no rate converts its PL.
   */
  private execute(b: Batch, o: Order, reason: string, plan: FillPlan, out: Record<string, unknown>, how: { mustFill: boolean; vwap?: Decimal }): boolean {
    const a = b.account;
    const market = this.o.market;
    const i = this.instrument(o.instrument);
    const dp = i.spec.displayPrecision;
    const q = market.quote(o.instrument);
    const top = market.top(o.instrument);
    const conv = market.conversion(i.quote, a.currency);
    const units = plan.reduce.reduce((s, r) => s.plus(r.units), ZERO).plus(plan.open);
    if (q === undefined || top === undefined || conv === undefined || units.isZero()) {
      out.orderCancelTransaction = this.cancel(b, o, units.isZero() ? 'POSITION_CLOSEOUT_FAILED' : 'MARKET_HALTED');
      return false;
    }
    const exact = how.vwap ?? walk(units.isPositive() ? q.asks : q.bids, units.abs(), how.mustFill)?.vwap;
    if (exact === undefined) {
      out.orderCancelTransaction = this.cancel(b, o, 'INSUFFICIENT_LIQUIDITY');
      return false;
    }
    // The fill price is printed (and booked) at the instrument's display precision.
    const price = exact.toDecimalPlaces(dp);
    const halfSpread = top.ask.minus(top.bid).div(2);
    if (!plan.open.isZero()) {
      const before = figures(a, market, this.o.closeoutRatio);
      const after = [...a.openTrades().map((t) => {
        const r = plan.reduce.find((x) => x.trade === t);
        return { instrument: t.instrument, currentUnits: r === undefined ? t.currentUnits : t.currentUnits.plus(r.units) };
      }), { instrument: o.instrument, currentUnits: plan.open }];
      const marginAfter = marginOf(a, market, after).marginUsed;
      const spreadCost = plan.open.abs().times(halfSpread.times(2)).times(conv);
      if (marginAfter.gt(before.marginUsed) && marginAfter.gt(before.NAV.minus(spreadCost))) {
        out.orderCancelTransaction = this.cancel(b, o, 'INSUFFICIENT_MARGIN');
        return false;
      }
    }
    const fillId = a.nextId();
    let pl = ZERO;
    const tradesClosed: Record<string, unknown>[] = [];
    let tradeReduced: Record<string, unknown> | undefined;
    const closedIds: string[] = [];
    for (const r of plan.reduce) {
      const t = r.trade;
      // PL of the units closed, in the trade's direction: (close − open) × units held.
      const realized = price.minus(t.price).times(r.units.neg()).times(conv).toDecimalPlaces(4);
      pl = pl.plus(realized);
      t.currentUnits = t.currentUnits.plus(r.units);
      t.realizedPL = t.realizedPL.plus(realized);
      t.closedValue = t.closedValue.plus(price.times(r.units.abs()));
      t.closedUnits = t.closedUnits.plus(r.units.abs());
      t.closingTransactionIDs.push(fillId);
      const totals = a.totalsOf(t.instrument);
      const side = r.units.isNegative() ? totals.long : totals.short;
      side.pl = side.pl.plus(realized);
      const entry = { tradeID: t.id, units: unitsText(r.units, i.spec.tradeUnitsPrecision), price: priceText(price, dp), realizedPL: money(realized), financing: money(ZERO), guaranteedExecutionFee: money(ZERO), halfSpreadCost: money(r.units.abs().times(halfSpread).times(conv)) };
      if (t.currentUnits.isZero()) {
        t.state = 'CLOSED';
        t.closeTime = b.time;
        tradesClosed.push(entry);
        closedIds.push(t.id);
      } else {
        tradeReduced = entry;
      }
    }
    a.balance = a.balance.plus(pl);
    a.pl = a.pl.plus(pl);
    a.totalsOf(o.instrument);
    let tradeOpened: Record<string, unknown> | undefined;
    if (!plan.open.isZero()) {
      const margin = marginOf(a, market, [{ instrument: o.instrument, currentUnits: plan.open }]).marginUsed;
      const trade: Trade = {
        id: fillId,
        instrument: o.instrument,
        price,
        openTime: b.time,
        initialUnits: plan.open,
        initialMarginRequired: margin,
        currentUnits: plan.open,
        realizedPL: ZERO,
        financing: ZERO,
        state: 'OPEN',
        closingTransactionIDs: [],
        closedValue: ZERO,
        closedUnits: ZERO,
        ...(o.tradeClientExtensions !== undefined ? { clientExtensions: { ...o.tradeClientExtensions } } : {}),
      };
      a.trades.set(trade.id, trade);
      tradeOpened = {
        tradeID: trade.id,
        units: unitsText(plan.open, i.spec.tradeUnitsPrecision),
        price: priceText(price, dp),
        guaranteedExecutionFee: money(ZERO),
        ...(o.tradeClientExtensions !== undefined ? { clientExtensions: { ...o.tradeClientExtensions } } : {}),
        halfSpreadCost: money(plan.open.abs().times(halfSpread).times(conv)),
        initialMarginRequired: money(margin),
      };
    }
    const levelsJson = (ls: readonly Level[]): Record<string, unknown>[] => ls.map((l) => ({ price: priceText(l.price, dp), liquidity: l.liquidity }));
    const fill = b.add({
      type: 'ORDER_FILL',
      orderID: o.id,
      ...(o.clientExtensions?.id !== undefined ? { clientOrderID: o.clientExtensions.id } : {}),
      instrument: o.instrument,
      units: unitsText(units, i.spec.tradeUnitsPrecision),
      gainQuoteHomeConversionFactor: conv.toDecimalPlaces(9).toString(),
      lossQuoteHomeConversionFactor: conv.toDecimalPlaces(9).toString(),
      price: priceText(price, dp),
      fullVWAP: exact.toDecimalPlaces(dp + 3).toString(),
      fullPrice: {
        type: 'PRICE',
        bids: levelsJson(q.bids),
        asks: levelsJson(q.asks),
        closeoutBid: priceText(q.bids.at(-1)!.price, dp),
        closeoutAsk: priceText(q.asks.at(-1)!.price, dp),
        instrument: o.instrument,
        time: q.time,
      },
      reason: specEnum('OrderFillReason', reason),
      pl: money(pl),
      financing: money(ZERO),
      commission: money(ZERO),
      guaranteedExecutionFee: money(ZERO),
      accountBalance: money(a.balance),
      ...(tradeOpened !== undefined ? { tradeOpened } : {}),
      ...(tradesClosed.length > 0 ? { tradesClosed } : {}),
      ...(tradeReduced !== undefined ? { tradeReduced } : {}),
      halfSpreadCost: money(units.abs().times(halfSpread).times(conv)),
    });
    o.state = 'FILLED';
    o.fillingTransactionID = fill.id;
    o.filledTime = b.time;
    o.fills.push(fill.id);
    if (tradeOpened !== undefined) o.tradeOpenedID = fill.id;
    if (tradeReduced !== undefined) o.tradeReducedID = tradeReduced.tradeID as string;
    if (closedIds.length > 0) o.tradeClosedIDs = closedIds;
    a.lastOrderFillTimestamp = b.time;
    out.orderFillTransaction = fill;
    return true;
  }
}
