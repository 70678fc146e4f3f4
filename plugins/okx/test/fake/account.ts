/**
 * One environment's trading account (demo and live each have one): balances in a kit `Ledger`,
 * the orders and fills, and matching. Spot, `tdMode: cash` only.
 *
 * - Takers (market orders, crossing limits, ioc, fok) fill against the market's book levels (else
 *   the ticker's touch) across levels, removing what they take; fees as taker.
 * - Resting limits fill as makers at their own price when a printed trade reaches them, up to the
 *   print's size, best price first, then queue priority.
 * - Fees are charged in the asset received (a buy in the base, a sell in the quote), exact.
 * - A buy holds price × size of the quote (a market buy: its quote amount, or the cost of the
 *   sweep), a sell its base size; `frozenBal`/`ordFrozen` show the held amount.
 * Every change is reported to the `sink` at once, in order (orders channel, then balances).
 * @module
 */
import { Decimal, type OrderSide } from '@autotrader/core';
import { FeeSchedule, Ledger, placeHold, releaseHold, settleSpotFill, type OrderHold } from '@autotrader/testkit/fake-venue';
import { onGrid, type Instrument } from './instruments';
import type { Market, TakeLevel } from './market';
import { ORDER_TYPES, isOpen, remaining, type Environment, type OkxFill, type OkxOrder, type OrdType } from './orders';

const ZERO = new Decimal(0);
const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const CL_ORD_ID = /^[A-Za-z0-9]{1,32}$/;
const TAG = /^[A-Za-z0-9]{1,16}$/;

/** What an order operation answers for one item. */
export interface ItemResult {
  readonly sCode: string;
  readonly sMsg: string;
  readonly ordId: string;
  readonly clOrdId: string;
  readonly tag?: string;
  readonly reqId?: string;
  readonly ts: string;
}

/** A change the account reports. */
export type AccountEvent =
  | { readonly kind: 'order'; readonly order: OkxOrder; readonly fill?: OkxFill; readonly extra?: Readonly<Record<string, string>> }
  /** Balances of `ccys` changed; `cashChanged` when the cash balance moved (fills, deposits), `trades` the fills behind it. */
  | { readonly kind: 'balance'; readonly ccys: readonly string[]; readonly eventType: 'filled' | 'transferred'; readonly cashChanged: boolean; readonly trades: readonly { instId: string; tradeId: string }[] };

/** Account wiring. */
export interface AccountOptions {
  readonly env: Environment;
  readonly balances: Readonly<Record<string, Decimal>>;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly market: Market;
  readonly fees: { readonly maker: Decimal; readonly taker: Decimal };
  readonly now: () => number;
  readonly sink: (event: AccountEvent) => void;
  readonly nextOrdId: () => string;
  readonly nextTradeId: () => string;
}

class Refusal extends Error {
  constructor(
    readonly sCode: string,
    readonly sMsg: string,
  ) {
    super(`${sCode} ${sMsg}`);
  }
}

const param = (name: string): Refusal => new Refusal('51000', `Parameter ${name} error`);

function text(p: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  // OKX's parameters are strings (its documentation types every one of them String).
  if (typeof v !== 'string') throw param(name);
  return v;
}

function decimalParam(p: Readonly<Record<string, unknown>>, name: string): Decimal | undefined {
  const v = text(p, name);
  if (v === undefined) return undefined;
  if (!DECIMAL.test(v)) throw param(name);
  return new Decimal(v);
}

/** The trading account of one environment. */
export class Account {
  readonly ledger: Ledger;
  private readonly fees: FeeSchedule;
  private readonly list: OkxOrder[] = [];
  private readonly byId = new Map<string, OkxOrder>();
  private readonly fillList: OkxFill[] = [];
  private priorities = 0;
  private bills = 700_000_000;

  constructor(private readonly o: AccountOptions) {
    this.ledger = new Ledger(o.balances, o.now);
    this.fees = new FeeSchedule({ makerRate: o.fees.maker, takerRate: o.fees.taker, paidIn: 'received', round: (d) => d });
  }

  /** Every order ever accepted, oldest first. */
  orders(): readonly OkxOrder[] {
    return this.list;
  }

  /** Every fill, oldest first. */
  fills(): readonly OkxFill[] {
    return this.fillList;
  }

  /** Finds an order by `ordId` (preferred) or the latest with `clOrdId`, on `instId`. */
  find(instId: string | undefined, ordId: string | undefined, clOrdId: string | undefined): OkxOrder | undefined {
    let found: OkxOrder | undefined;
    if (ordId !== undefined) found = this.byId.get(ordId);
    else if (clOrdId !== undefined) found = [...this.list].reverse().find((x) => x.clOrdId === clOrdId);
    if (found === undefined || (instId !== undefined && found.instId !== instId)) return undefined;
    return found;
  }

  /** Credits `amount` of `ccy` (a deposit) and reports it. */
  deposit(ccy: string, amount: Decimal): void {
    this.ledger.credit(ccy, amount);
    this.reportBalances('transferred', true, []);
  }

  /** POST /trade/order and the WebSocket `order` op. */
  place(p: Readonly<Record<string, unknown>>): ItemResult {
    const ts = String(this.o.now());
    const clOrdIdRaw = typeof p.clOrdId === 'string' ? p.clOrdId : '';
    const tagRaw = typeof p.tag === 'string' ? p.tag : '';
    try {
      const order = this.validatePlace(p);
      this.start(order);
      return { sCode: '0', sMsg: 'Order placed', ordId: order.ordId, clOrdId: order.clOrdId, tag: order.tag, ts };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      return { sCode: e.sCode, sMsg: e.sMsg, ordId: '', clOrdId: clOrdIdRaw, tag: tagRaw, ts };
    }
  }

  private instrument(p: Readonly<Record<string, unknown>>): Instrument {
    const instId = text(p, 'instId');
    if (instId === undefined) throw new Refusal('51000', 'Parameter instId error');
    const inst = this.o.instruments.get(instId);
    if (inst === undefined) throw new Refusal('51001', "Instrument ID or Spread ID doesn't exist.");
    return inst;
  }

  private validatePlace(p: Readonly<Record<string, unknown>>): OkxOrder {
    const inst = this.instrument(p);
    if (inst.state !== 'live') throw new Refusal('51022', 'Contract suspended.');
    const tdMode = text(p, 'tdMode');
    if (tdMode === undefined) throw param('tdMode');
    // The fake's account is in Spot mode, where only `cash` exists.
    if (tdMode !== 'cash') throw new Refusal('51010', "You can't complete this request under your current account mode.");
    const side = text(p, 'side');
    if (side !== 'buy' && side !== 'sell') throw param('side');
    const ordType = text(p, 'ordType');
    if (ordType === undefined || !(ORDER_TYPES as readonly string[]).includes(ordType)) throw param('ordType');
    const type = ordType as OrdType;
    const sz = decimalParam(p, 'sz');
    if (sz === undefined || sz.isZero()) throw param('sz');
    const clOrdId = text(p, 'clOrdId') ?? '';
    if (clOrdId !== '' && !CL_ORD_ID.test(clOrdId)) throw param('clOrdId');
    const tag = text(p, 'tag') ?? '';
    if (tag !== '' && !TAG.test(tag)) throw param('tag');
    let px: Decimal | undefined;
    let tgtCcy: OkxOrder['tgtCcy'] = '';
    if (type === 'market') {
      const t = text(p, 'tgtCcy');
      if (t !== undefined && t !== 'base_ccy' && t !== 'quote_ccy') throw param('tgtCcy');
      // OKX: "Default is quote_ccy for buy, base_ccy for sell".
      tgtCcy = (t ?? (side === 'buy' ? 'quote_ccy' : 'base_ccy')) as 'base_ccy' | 'quote_ccy';
    } else {
      px = decimalParam(p, 'px');
      if (px === undefined || px.isZero() || !onGrid(px, inst.tickSz)) throw param('px');
    }
    if (tgtCcy !== 'quote_ccy') {
      if (!onGrid(sz, inst.lotSz)) throw new Refusal('51121', 'Order quantity must be a multiple of the lot size.');
      if (sz.lt(inst.minSz)) throw new Refusal('51020', 'Your order should meet or exceed the minimum order amount.');
    }
    // "clOrdId must be unique among all pending orders and the current request" (place order docs).
    if (clOrdId !== '' && this.list.some((x) => x.clOrdId === clOrdId && isOpen(x))) throw new Refusal('51016', 'Duplicated client order ID');
    const now = this.o.now();
    const hold = this.holdFor(inst, side, type, tgtCcy, px, sz);
    if (!placeHold(this.ledger, hold)) throw new Refusal('51008', `Order failed. Insufficient ${hold.lockAsset} balance in account.`);
    return {
      env: this.o.env,
      ordId: this.o.nextOrdId(),
      clOrdId,
      tag,
      instId: inst.instId,
      side,
      ordType: type,
      tgtCcy,
      px,
      sz,
      state: 'live',
      accFillSz: ZERO,
      filledNotional: ZERO,
      fee: ZERO,
      feeCcy: side === 'buy' ? inst.baseCcy : inst.quoteCcy,
      fills: [],
      cTime: now,
      uTime: now,
      priority: ++this.priorities,
      hold,
      cancelSource: '',
      reqId: '',
      amendResult: '',
    };
  }

  /** What an order holds. Market orders hold what their sweep would cost (a quote buy: its quote amount). */
  private holdFor(inst: Instrument, side: OrderSide, type: OrdType, tgtCcy: OkxOrder['tgtCcy'], px: Decimal | undefined, sz: Decimal): OrderHold {
    if (type !== 'market') {
      return side === 'buy' ? { lockAsset: inst.quoteCcy, locked: px!.mul(sz), lockPerUnit: px! } : { lockAsset: inst.baseCcy, locked: sz, lockPerUnit: new Decimal(1) };
    }
    const levels = this.sweep(inst, side, undefined, tgtCcy === 'quote_ccy' ? undefined : sz, tgtCcy === 'quote_ccy' ? sz : undefined);
    if (side === 'buy') {
      const cost = tgtCcy === 'quote_ccy' ? sz : levels.reduce((s, l) => s.plus(l.px.mul(l.sz)), ZERO);
      return { lockAsset: inst.quoteCcy, locked: cost, lockPerUnit: ZERO };
    }
    const base = tgtCcy === 'quote_ccy' ? levels.reduce((s, l) => s.plus(l.sz), ZERO) : sz;
    return { lockAsset: inst.baseCcy, locked: base, lockPerUnit: new Decimal(1) };
  }

  /**
   * The levels a taker would take: up to `base` units, or as many whole lots as `quote` buys (or
   * sells for), never beyond `limit`.
   */
  private sweep(inst: Instrument, side: OrderSide, limit: Decimal | undefined, base: Decimal | undefined, quote: Decimal | undefined): TakeLevel[] {
    const out: TakeLevel[] = [];
    let leftBase = base;
    let leftQuote = quote;
    for (const l of this.o.market.liquidity(inst.instId, side)) {
      if (limit !== undefined && (side === 'buy' ? l.px.gt(limit) : l.px.lt(limit))) break;
      let qty: Decimal;
      if (leftBase !== undefined) qty = Decimal.min(l.sz, leftBase);
      else qty = Decimal.min(l.sz, leftQuote!.div(l.px).div(inst.lotSz).toDecimalPlaces(0, Decimal.ROUND_DOWN).mul(inst.lotSz));
      if (qty.lte(0)) break;
      out.push({ px: l.px, sz: qty });
      if (leftBase !== undefined) {
        leftBase = leftBase.minus(qty);
        if (leftBase.isZero()) break;
      } else leftQuote = leftQuote!.minus(qty.mul(l.px));
    }
    return out;
  }

  private start(order: OkxOrder): void {
    this.list.push(order);
    this.byId.set(order.ordId, order);
    const inst = this.o.instruments.get(order.instId)!;
    if (order.ordType === 'post_only' && this.sweep(inst, order.side, order.px, remaining(order), undefined).length > 0) {
      this.close(order, 'canceled', '31');
      return;
    }
    if (order.ordType === 'fok') {
      const can = this.sweep(inst, order.side, order.px, order.sz, undefined).reduce((s, l) => s.plus(l.sz), ZERO);
      if (can.lt(order.sz)) {
        this.close(order, 'canceled', '13');
        return;
      }
    }
    this.emitOrder(order);
    this.reportBalances('filled', false, []);
    this.takeLiquidity(order, inst);
    if (!isOpen(order)) return;
    // A market order the liquidity did not complete: the system cancels the rest.
    if (order.ordType === 'market') this.close(order, 'canceled', '0');
    else if (order.ordType === 'ioc' || order.ordType === 'fok') this.close(order, 'canceled', '14');
  }

  /** Fills `order` as a taker against the market (its limit, if any, bounds the sweep). */
  private takeLiquidity(order: OkxOrder, inst: Instrument): void {
    const quote = order.tgtCcy === 'quote_ccy' ? (order.side === 'buy' ? order.hold.locked : order.sz.minus(order.filledNotional)) : undefined;
    const levels = this.sweep(inst, order.side, order.px, quote === undefined ? remaining(order) : undefined, quote);
    if (levels.length === 0) return;
    this.o.market.take(inst.instId, order.side, levels);
    const trades: { instId: string; tradeId: string }[] = [];
    for (const l of levels) trades.push(this.fill(order, inst, l.px, l.sz, false));
    this.reportBalances('filled', true, trades);
  }

  /** Fills resting orders a printed trade reaches (makers, at their own price). */
  onPrint(instId: string, px: Decimal, sz: Decimal): void {
    const inst = this.o.instruments.get(instId);
    if (inst === undefined) return;
    for (const side of ['buy', 'sell'] as const) {
      const reached = this.list
        .filter((x) => isOpen(x) && x.instId === instId && x.side === side && x.px !== undefined && (side === 'buy' ? px.lte(x.px) : px.gte(x.px)))
        .sort((a, b) => (side === 'buy' ? b.px!.cmp(a.px!) : a.px!.cmp(b.px!)) || a.priority - b.priority);
      let left = sz;
      const trades: { instId: string; tradeId: string }[] = [];
      for (const o of reached) {
        if (left.isZero()) break;
        const qty = Decimal.min(left, remaining(o));
        left = left.minus(qty);
        trades.push(this.fill(o, inst, o.px!, qty, true));
      }
      if (trades.length > 0) this.reportBalances('filled', true, trades);
    }
  }

  private fill(order: OkxOrder, inst: Instrument, px: Decimal, qty: Decimal, isMaker: boolean): { instId: string; tradeId: string } {
    const commission = this.fees.charge({ base: inst.baseCcy, quote: inst.quoteCcy }, order.side, px, qty, isMaker, this.ledger);
    settleSpotFill(this.ledger, order.hold, { side: order.side, base: inst.baseCcy, quote: inst.quoteCcy, price: px, qty, commission });
    const now = this.o.now();
    const f: OkxFill = {
      tradeId: this.o.nextTradeId(),
      billId: String(++this.bills),
      ordId: order.ordId,
      clOrdId: order.clOrdId,
      tag: order.tag,
      instId: order.instId,
      side: order.side,
      px,
      sz: qty,
      fee: commission.amount,
      feeCcy: commission.asset,
      execType: isMaker ? 'M' : 'T',
      ts: now,
    };
    order.fills.push(f);
    this.fillList.push(f);
    order.accFillSz = order.accFillSz.plus(qty);
    order.filledNotional = order.filledNotional.plus(px.mul(qty));
    order.fee = order.fee.plus(commission.amount);
    order.uTime = now;
    const done = order.tgtCcy === 'quote_ccy' ? quoteDone(order, inst, px) : remaining(order).isZero();
    order.state = done ? 'filled' : 'partially_filled';
    if (done) releaseHold(this.ledger, order.hold);
    this.emitOrder(order, f);
    return { instId: order.instId, tradeId: f.tradeId };
  }

  /** POST /trade/cancel-order and the WebSocket `cancel-order` op. */
  cancel(p: Readonly<Record<string, unknown>>): ItemResult {
    const ts = String(this.o.now());
    const ordId = typeof p.ordId === 'string' ? p.ordId : '';
    const clOrdId = typeof p.clOrdId === 'string' ? p.clOrdId : '';
    try {
      this.instrument(p);
      if (ordId === '' && clOrdId === '') throw new Refusal('51000', 'Parameter ordId error');
      const order = this.find(text(p, 'instId'), ordId || undefined, ordId === '' ? clOrdId : undefined);
      if (order === undefined) throw new Refusal('51400', 'Order cancellation failed as the order has been filled, canceled or does not exist.');
      if (order.state === 'canceled' || order.state === 'mmp_canceled') throw new Refusal('51401', 'Cancellation failed as the order is already canceled.');
      if (order.state === 'filled') throw new Refusal('51402', 'Cancellation failed as the order is already completed.');
      this.close(order, 'canceled', '1');
      return { sCode: '0', sMsg: '', ordId: order.ordId, clOrdId: order.clOrdId, ts };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      return { sCode: e.sCode, sMsg: e.sMsg, ordId, clOrdId, ts };
    }
  }

  /**
   * POST /trade/amend-order and the WebSocket `amend-order` op. Checks of the request and of the
   * order's state answer at once; the amendment itself (funds, post-only) is reported on the
   * orders channel with `amendResult`, as OKX says an sCode 0 only means the request was accepted.
   */
  amend(p: Readonly<Record<string, unknown>>): ItemResult {
    const ts = String(this.o.now());
    const ordId = typeof p.ordId === 'string' ? p.ordId : '';
    const clOrdId = typeof p.clOrdId === 'string' ? p.clOrdId : '';
    const reqId = typeof p.reqId === 'string' ? p.reqId : '';
    try {
      const inst = this.instrument(p);
      if (ordId === '' && clOrdId === '') throw new Refusal('51003', 'Either client order ID or order ID is required.');
      if (reqId !== '' && !CL_ORD_ID.test(reqId)) throw param('reqId');
      if (p.cxlOnFail !== undefined && typeof p.cxlOnFail !== 'boolean') throw param('cxlOnFail');
      const newSz = decimalParam(p, 'newSz');
      const newPx = decimalParam(p, 'newPx');
      if (newSz === undefined && newPx === undefined) throw new Refusal('51500', 'Either order price or amount is required.');
      if (newSz !== undefined && newSz.isZero()) throw param('newSz');
      if (newPx !== undefined && (newPx.isZero() || !onGrid(newPx, inst.tickSz))) throw param('newPx');
      if (newSz !== undefined && !onGrid(newSz, inst.lotSz)) throw new Refusal('51121', 'Order quantity must be a multiple of the lot size.');
      const order = this.find(inst.instId, ordId || undefined, ordId === '' ? clOrdId : undefined);
      if (order === undefined) throw new Refusal('51503', 'Order modification failed as the order does not exist.');
      if (order.state === 'canceled' || order.state === 'mmp_canceled') throw new Refusal('51509', 'Modification failed as the order has been canceled.');
      if (order.state === 'filled') throw new Refusal('51510', 'Modification failed as the order has been completed.');
      this.applyAmend(order, inst, newSz, newPx, reqId, p.cxlOnFail === true);
      return { sCode: '0', sMsg: '', ordId: order.ordId, clOrdId: order.clOrdId, reqId, ts };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      return { sCode: e.sCode, sMsg: e.sMsg, ordId, clOrdId, reqId, ts };
    }
  }

  private applyAmend(order: OkxOrder, inst: Instrument, newSz: Decimal | undefined, newPx: Decimal | undefined, reqId: string, cxlOnFail: boolean): void {
    const sz = newSz ?? order.sz;
    const px = newPx ?? order.px!;
    const fail = (code: string, msg: string): void => {
      order.reqId = reqId;
      order.amendResult = '-1';
      order.uTime = this.o.now();
      this.emitOrder(order, undefined, { code, msg });
      if (cxlOnFail) this.close(order, 'canceled', '0');
    };
    // OKX: "If the new quantity of the order is less than or equal to the filled quantity when you
    // are amending a partially-filled order, the order status will be changed to filled."
    if (sz.lte(order.accFillSz)) {
      order.sz = order.accFillSz;
      order.reqId = reqId;
      order.amendResult = '0';
      this.close(order, 'filled', '');
      return;
    }
    if (order.ordType === 'post_only' && this.sweep(inst, order.side, px, sz.minus(order.accFillSz), undefined).length > 0) {
      fail('51511', 'Operation failed as the order price did not meet the requirement for Post Only.');
      return;
    }
    const rest = sz.minus(order.accFillSz);
    const need = order.side === 'buy' ? px.mul(rest) : rest;
    const delta = need.minus(order.hold.locked);
    if (delta.gt(0) && !this.ledger.lock(order.hold.lockAsset, delta)) {
      fail('51008', `Order failed. Insufficient ${order.hold.lockAsset} balance in account.`);
      return;
    }
    if (delta.lt(0)) this.ledger.unlock(order.hold.lockAsset, delta.neg());
    // Queue priority (the docs are silent): a smaller size keeps it; a new price or a larger size loses it.
    const keeps = px.eq(order.px!) && sz.lte(order.sz);
    if (!keeps) order.priority = ++this.priorities;
    (order.hold as { lockPerUnit: Decimal }).lockPerUnit = order.side === 'buy' ? px : new Decimal(1);
    order.hold.locked = need;
    order.px = px;
    order.sz = sz;
    order.reqId = reqId;
    order.amendResult = '0';
    order.uTime = this.o.now();
    this.emitOrder(order);
    this.reportBalances('filled', false, []);
    // A new price that crosses trades at once, as a taker.
    if (order.ordType !== 'post_only') this.takeLiquidity(order, inst);
  }

  private close(order: OkxOrder, state: 'filled' | 'canceled', cancelSource: string): void {
    order.state = state;
    order.cancelSource = cancelSource;
    order.uTime = this.o.now();
    releaseHold(this.ledger, order.hold);
    this.emitOrder(order);
    this.reportBalances('filled', false, []);
  }

  private emitOrder(order: OkxOrder, fill?: OkxFill, extra?: Record<string, string>): void {
    this.o.sink({ kind: 'order', order, fill, extra });
  }

  private reportBalances(eventType: 'filled' | 'transferred', cashChanged: boolean, trades: readonly { instId: string; tradeId: string }[]): void {
    const ccys = this.ledger.takeChanged();
    if (ccys.length > 0) this.o.sink({ kind: 'balance', ccys, eventType, cashChanged, trades });
  }
}

/** A market order sized in quote is done when what is left would not buy (or sell for) one more lot at `px`. */
function quoteDone(o: OkxOrder, inst: Instrument, px: Decimal): boolean {
  const left = o.side === 'buy' ? o.hold.locked : o.sz.minus(o.filledNotional);
  return left.lt(inst.lotSz.mul(px));
}
