/**
 * The fake's matching engine: a book of OUR orders per symbol, matched against the market data the
 * test publishes. Never matches our orders against each other.
 *
 * Rules (documented in test/fake/README.md):
 * - A LIMIT order that crosses the touch fills at once as taker at the touch price. The touch is the
 *   most recent of the last bookTicker (ask for buys, bid for sells) and the last trade. Liquidity
 *   at the touch is its quantity (bookTicker qty, or what is left of the trade's qty) and is consumed.
 *   The rest: GTC rests, IOC expires, FOK expires whole unless it could fill whole.
 * - A resting LIMIT / LIMIT_MAKER fills as maker at its own price when a later trade prints at or
 *   through it, up to the trade's quantity (shared among our orders: best price, then time).
 * - MARKET: 'last-trade' fills whole at once at the last trade price (else the touch; with neither
 *   it expires); 'next-trade' rests and fills whole at the next trade's price.
 * - LIMIT_MAKER that would cross is rejected -2010 "Order would immediately match and take.".
 * - Fees (fees.ts): maker/taker rate of the amount received, taken from the asset received (a buy
 *   is credited qty - commission of the base asset, a sell notional - commission of the quote
 *   asset), or from free BNB at a discount when the account pays fees in BNB.
 * - Buys lock price x qty of the quote asset (market buys: at the reference price), sells lock the
 *   base quantity; nothing is locked for fees, which never come out of the locked asset. A fill
 *   spends from the lock and releases what its part of the lock did not use; closing releases the rest.
 * @module
 */
import { Decimal, roundToStep } from '@autotrader/core';
import { releaseHold, settleSpotFill } from '@autotrader/testkit/fake-venue';
import { binanceErrors } from './errors';
import { checkFilters } from './filters';
import type { FeeSchedule } from './fees';
import { ZERO, ceil8, generatedClientOrderId } from './format';
import { takeAccountPosition, type Ledger } from './ledger';
import {
  executionReport,
  isOpen,
  remaining,
  type ExecutionType,
  type FakeOrderType,
  type FakeTimeInForce,
  type FillRecord,
  type OrderRecord,
  type Side,
} from './orders';
import type { SymbolRules } from './symbols';

/** How market orders fill (see the module comment). */
export type MarketFillRule = 'last-trade' | 'next-trade';

/** A user data event (`executionReport` or `outboundAccountPosition`), as sent inside `{"subscriptionId","event"}`. */
export type UserEvent = Record<string, unknown>;

/** A validated new-order request. */
export interface NewOrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: FakeOrderType;
  /** LIMIT only; MARKET and LIMIT_MAKER report GTC. */
  readonly timeInForce?: FakeTimeInForce;
  readonly price?: Decimal;
  readonly quantity?: Decimal;
  /** MARKET only, instead of `quantity`. */
  readonly quoteOrderQty?: Decimal;
  readonly newClientOrderId?: string;
}

/** Selects an order by id and/or client id (Binance checks both when both are given). */
export interface OrderSelector {
  readonly orderId?: number;
  readonly origClientOrderId?: string;
}

/** Engine wiring. */
export interface EngineOptions {
  readonly rules: ReadonlyMap<string, SymbolRules>;
  readonly ledger: Ledger;
  readonly now: () => number;
  readonly marketFillRule: MarketFillRule;
  readonly fees: FeeSchedule;
  /** Receives each action's user data events, in order, once the action is complete. */
  readonly emit: (batch: UserEvent[]) => void;
}

interface Touch {
  readonly bid: Decimal;
  bidQty: Decimal;
  readonly ask: Decimal;
  askQty: Decimal;
  readonly seq: number;
}

interface LastTrade {
  readonly price: Decimal;
  qtyLeft: Decimal;
  readonly seq: number;
}

interface MarketState {
  touch?: Touch;
  lastTrade?: LastTrade;
}

/** Price and quantity on offer to a taker, and how to consume it. */
interface Liquidity {
  readonly price: Decimal;
  readonly available: Decimal;
  take(qty: Decimal): void;
}

interface Prepared {
  readonly rules: SymbolRules;
  readonly market: MarketState;
  readonly quantity: Decimal;
  readonly lockAsset: string;
  readonly lockAmount: Decimal;
  readonly lockPerUnit: Decimal;
}

/** True when a `side` order at `limit` trades against `price`. */
const crosses = (side: Side, limit: Decimal, price: Decimal): boolean => (side === 'BUY' ? limit.gte(price) : limit.lte(price));

/** Our orders, their fills, and the market state they match against. */
export class MatchingEngine {
  private readonly all: OrderRecord[] = [];
  private readonly byId = new Map<number, OrderRecord>();
  private readonly fillsBySymbol = new Map<string, FillRecord[]>();
  private readonly markets = new Map<string, MarketState>();
  private readonly tradeIds = new Map<string, number>();
  private nextOrderId = 1;
  private nextExecutionId = 1;
  private seq = 0;
  private pending: UserEvent[] = [];

  constructor(private readonly o: EngineOptions) {}

  /** The rules of `symbol`; -1121 when it is not listed. */
  rulesFor(symbol: string): SymbolRules {
    const r = this.o.rules.get(symbol);
    if (!r) throw binanceErrors.badSymbol();
    return r;
  }

  /** The next trade id of `symbol`; market prints and our fills share the sequence, as on a real venue. */
  nextTradeId(symbol: string): number {
    const id = (this.tradeIds.get(symbol) ?? 0) + 1;
    this.tradeIds.set(symbol, id);
    return id;
  }

  /** Every order ever accepted, oldest first (live records: do not mutate). */
  orders(): readonly OrderRecord[] {
    return this.all;
  }

  /** Open orders, on one symbol or all. */
  openOrders(symbol?: string): OrderRecord[] {
    return this.all.filter((x) => isOpen(x) && (symbol === undefined || x.symbol === symbol));
  }

  /** Our fills on `symbol`, oldest first. */
  fills(symbol: string): readonly FillRecord[] {
    return this.fillsBySymbol.get(symbol) ?? [];
  }

  /**
   * The checks made before an order reaches the matching engine: symbol status and filters. Used by
   * cancel-replace (filters are evaluated before the cancel) and by the test-order endpoint.
   */
  checkFilters(req: NewOrderRequest): void {
    this.filterStage(req);
  }

  /** Places an order: checks, locks funds, reports NEW, matches. Returns the order and the fills it made now. */
  place(req: NewOrderRequest): { order: OrderRecord; fills: FillRecord[] } {
    const p = this.prepare(req);
    const now = this.o.now();
    this.o.ledger.lock(p.lockAsset, p.lockAmount);
    const order = this.newRecord(req, now, {
      price: req.type === 'MARKET' ? ZERO : (req.price as Decimal),
      origQty: p.quantity,
      status: 'NEW',
      lockAsset: p.lockAsset,
      locked: p.lockAmount,
      lockPerUnit: p.lockPerUnit,
    });
    this.all.push(order);
    this.byId.set(order.orderId, order);
    this.report(order, 'NEW');
    if (order.type === 'LIMIT') this.takeLiquidity(order, p.market);
    else if (order.type === 'MARKET' && this.o.marketFillRule === 'last-trade') {
      const price = this.marketReference(order.side, p.market);
      if (price) this.fillMarket(order, price);
      else this.expire(order);
    }
    this.flush();
    return { order, fills: [...order.fills] };
  }

  /**
   * Reports a REJECTED execution for a cancel-replace whose cancel succeeded and whose new order was
   * refused (the one case Binance sends x=REJECTED). The order is not kept.
   */
  reportRejected(req: NewOrderRequest, rejectReason: string): void {
    const now = this.o.now();
    const rules = this.rulesFor(req.symbol);
    const ghost = this.newRecord(req, now, {
      price: req.price ?? ZERO,
      origQty: req.quantity ?? ZERO,
      status: 'REJECTED',
      lockAsset: req.side === 'BUY' ? rules.quote : rules.base,
      locked: ZERO,
      lockPerUnit: ZERO,
    });
    this.report(ghost, 'REJECTED', undefined, rejectReason);
    this.flush();
  }

  /** A record for a new order request, with the next order id and sequence number; `own` holds what depends on the case. */
  private newRecord(
    req: NewOrderRequest,
    now: number,
    own: Pick<OrderRecord, 'price' | 'origQty' | 'status' | 'lockAsset' | 'locked' | 'lockPerUnit'>,
  ): OrderRecord {
    return {
      symbol: req.symbol,
      orderId: this.nextOrderId++,
      clientOrderId: req.newClientOrderId ?? generatedClientOrderId(),
      side: req.side,
      type: req.type,
      timeInForce: req.type === 'LIMIT' ? (req.timeInForce ?? 'GTC') : 'GTC',
      price: own.price,
      origQty: own.origQty,
      origQuoteOrderQty: req.quoteOrderQty ?? ZERO,
      executedQty: ZERO,
      cummulativeQuoteQty: ZERO,
      status: own.status,
      time: now,
      updateTime: now,
      lockAsset: own.lockAsset,
      locked: own.locked,
      lockPerUnit: own.lockPerUnit,
      seq: ++this.seq,
      fills: [],
    };
  }

  /** Cancels an open order; -2011 when it is unknown or already closed. */
  cancel(symbol: string, sel: OrderSelector, opts: { newClientOrderId?: string; cancelRestrictions?: 'ONLY_NEW' | 'ONLY_PARTIALLY_FILLED' }): OrderRecord {
    this.rulesFor(symbol);
    const order = this.lookup(symbol, sel);
    if (!order || !isOpen(order)) throw binanceErrors.cancelRejected('Unknown order sent.');
    if (
      (opts.cancelRestrictions === 'ONLY_NEW' && order.status !== 'NEW') ||
      (opts.cancelRestrictions === 'ONLY_PARTIALLY_FILLED' && order.status !== 'PARTIALLY_FILLED')
    ) {
      throw binanceErrors.cancelRejected('Order was not canceled due to cancel restrictions.');
    }
    order.status = 'CANCELED';
    order.updateTime = this.o.now();
    order.cancelClientOrderId = opts.newClientOrderId ?? generatedClientOrderId();
    this.releaseLock(order);
    this.report(order, 'CANCELED');
    this.flush();
    return order;
  }

  /** Finds an order (open or closed); -2013 when there is none. */
  find(symbol: string, sel: OrderSelector): OrderRecord {
    this.rulesFor(symbol);
    const order = this.lookup(symbol, sel);
    if (!order) throw binanceErrors.noSuchOrder();
    return order;
  }

  /** A trade printed on the market: fills waiting market orders, then resting limits it reached. */
  onTrade(symbol: string, price: Decimal, qty: Decimal): void {
    const rules = this.rulesFor(symbol);
    const trade: LastTrade = { price, qtyLeft: qty, seq: ++this.seq };
    this.market(symbol).lastTrade = trade;
    for (const order of this.openOrders(symbol).filter((x) => x.type === 'MARKET')) this.fillMarket(order, price);
    const reached = this.openOrders(symbol).filter((x) => x.type !== 'MARKET' && crosses(x.side, x.price, price));
    reached.sort((a, b) => {
      if (a.side !== b.side) return a.side === 'BUY' ? -1 : 1;
      const byPrice = a.side === 'BUY' ? b.price.cmp(a.price) : a.price.cmp(b.price);
      return byPrice !== 0 ? byPrice : a.seq - b.seq;
    });
    for (const order of reached) {
      const qtyNow = roundToStep(Decimal.min(remaining(order), trade.qtyLeft), rules.stepSize, 'down');
      if (!qtyNow.gt(0)) continue;
      trade.qtyLeft = trade.qtyLeft.minus(qtyNow);
      this.fill(order, order.price, qtyNow, true);
    }
    this.flush();
  }

  /** A new best bid/ask: the touch crossing limit orders take from. */
  onQuote(symbol: string, bid: Decimal, bidQty: Decimal, ask: Decimal, askQty: Decimal): void {
    this.rulesFor(symbol);
    this.market(symbol).touch = { bid, bidQty, ask, askQty, seq: ++this.seq };
  }

  private market(symbol: string): MarketState {
    let m = this.markets.get(symbol);
    if (!m) {
      m = {};
      this.markets.set(symbol, m);
    }
    return m;
  }

  private lookup(symbol: string, sel: OrderSelector): OrderRecord | undefined {
    if (sel.orderId !== undefined) {
      const o = this.byId.get(sel.orderId);
      if (!o || o.symbol !== symbol) return undefined;
      if (sel.origClientOrderId !== undefined && o.clientOrderId !== sel.origClientOrderId) return undefined;
      return o;
    }
    const matches = this.all.filter((x) => x.symbol === symbol && x.clientOrderId === sel.origClientOrderId);
    return matches.find(isOpen) ?? matches.at(-1);
  }

  /** Price a market order fills at now: the last trade, else the touch. */
  private marketReference(side: Side, m: MarketState): Decimal | undefined {
    if (m.lastTrade) return m.lastTrade.price;
    const touchPrice = side === 'BUY' ? m.touch?.ask : m.touch?.bid;
    return touchPrice && touchPrice.gt(0) ? touchPrice : undefined;
  }

  /** The most recent of the touch and the last trade, seen from a `side` taker. */
  private liquidity(side: Side, m: MarketState): Liquidity | undefined {
    const t = m.touch;
    const tr = m.lastTrade;
    if (t && (!tr || t.seq > tr.seq)) {
      const price = side === 'BUY' ? t.ask : t.bid;
      if (!price.gt(0)) return undefined;
      return side === 'BUY'
        ? { price, available: t.askQty, take: (q) => void (t.askQty = t.askQty.minus(q)) }
        : { price, available: t.bidQty, take: (q) => void (t.bidQty = t.bidQty.minus(q)) };
    }
    if (tr) return { price: tr.price, available: tr.qtyLeft, take: (q) => void (tr.qtyLeft = tr.qtyLeft.minus(q)) };
    return undefined;
  }

  private filterStage(req: NewOrderRequest): { rules: SymbolRules; market: MarketState; quantity: Decimal; reference?: Decimal } {
    const rules = this.rulesFor(req.symbol);
    if (rules.status !== 'TRADING') throw binanceErrors.newOrderRejected('Market is closed.');
    const market = this.market(req.symbol);
    const isMarket = req.type === 'MARKET';
    const reference = isMarket ? this.marketReference(req.side, market) : undefined;
    let quantity: Decimal;
    if (req.quantity) quantity = req.quantity;
    else {
      if (!reference || !req.quoteOrderQty) throw binanceErrors.newOrderRejected('Order book liquidity is less than symbol minimum quantity.');
      quantity = roundToStep(req.quoteOrderQty.div(reference), rules.stepSize, 'down');
    }
    checkFilters(rules, { isMarket, price: req.price, quantity, referencePrice: reference, openOrders: this.openOrders(req.symbol).length });
    return { rules, market, quantity, reference };
  }

  private prepare(req: NewOrderRequest): Prepared {
    const { rules, market, quantity, reference } = this.filterStage(req);
    const isMarket = req.type === 'MARKET';
    const id = req.newClientOrderId;
    if (id !== undefined && this.all.some((x) => isOpen(x) && x.clientOrderId === id)) {
      throw binanceErrors.newOrderRejected('Duplicate order sent.');
    }
    if (req.type === 'LIMIT_MAKER') {
      const liq = this.liquidity(req.side, market);
      if (liq && crosses(req.side, req.price as Decimal, liq.price)) {
        throw binanceErrors.newOrderRejected('Order would immediately match and take.', 'WOULD_MATCH_IMMEDIATELY');
      }
    }
    let lockAsset: string;
    let lockPerUnit: Decimal;
    if (req.side === 'BUY') {
      // The quote asset the order will spend; its commission comes out of the base asset received (or BNB).
      lockAsset = rules.quote;
      if (isMarket) lockPerUnit = reference ?? ZERO;
      else lockPerUnit = req.price as Decimal;
    } else {
      lockAsset = rules.base;
      lockPerUnit = new Decimal(1);
    }
    const lockAmount = ceil8(lockPerUnit.mul(quantity));
    if (this.o.ledger.free(lockAsset).lt(lockAmount)) {
      throw binanceErrors.newOrderRejected('Account has insufficient balance for requested action.', 'INSUFFICIENT_BALANCES');
    }
    return { rules, market, quantity, lockAsset, lockAmount, lockPerUnit };
  }

  private takeLiquidity(order: OrderRecord, m: MarketState): void {
    const liq = this.liquidity(order.side, m);
    if (liq && crosses(order.side, order.price, liq.price)) {
      const want = remaining(order);
      const step = this.rulesFor(order.symbol).stepSize;
      const qty = liq.available.gt(0) ? roundToStep(Decimal.min(want, liq.available), step, 'down') : ZERO;
      if (order.timeInForce === 'FOK' && qty.lt(want)) {
        this.expire(order);
        return;
      }
      if (qty.gt(0)) {
        liq.take(qty);
        this.fill(order, liq.price, qty, false);
      }
    }
    if (isOpen(order) && order.timeInForce !== 'GTC') this.expire(order);
  }

  private fillMarket(order: OrderRecord, price: Decimal): void {
    const qty = remaining(order);
    if (order.side === 'BUY') {
      const cost = price.mul(qty);
      // A market buy's lock was an estimate; if the price moved beyond what the account can pay, it expires unfilled.
      if (order.locked.plus(this.o.ledger.free(order.lockAsset)).lt(cost)) {
        this.expire(order);
        return;
      }
    }
    this.fill(order, price, qty, false);
  }

  private fill(order: OrderRecord, price: Decimal, qty: Decimal, isMaker: boolean): void {
    const rules = this.rulesFor(order.symbol);
    const quoteQty = price.mul(qty);
    // Decided before any balance moves: BNB pays only if free BNB already covers it.
    const commission = this.o.fees.charge(rules, order.side, price, qty, isMaker, this.o.ledger);
    // Spends from the order's lock, releases what this fill's share of it did not use, credits what it received net of its fee.
    settleSpotFill(this.o.ledger, order, { side: order.side === 'BUY' ? 'buy' : 'sell', base: rules.base, quote: rules.quote, price, qty, commission });
    const now = this.o.now();
    order.executedQty = order.executedQty.plus(qty);
    order.cummulativeQuoteQty = order.cummulativeQuoteQty.plus(quoteQty);
    order.status = remaining(order).isZero() ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updateTime = now;
    const fill: FillRecord = {
      symbol: order.symbol,
      tradeId: this.nextTradeId(order.symbol),
      orderId: order.orderId,
      price,
      qty,
      quoteQty,
      commission: commission.amount,
      commissionAsset: commission.asset,
      time: now,
      isBuyer: order.side === 'BUY',
      isMaker,
    };
    order.fills.push(fill);
    let list = this.fillsBySymbol.get(order.symbol);
    if (!list) {
      list = [];
      this.fillsBySymbol.set(order.symbol, list);
    }
    list.push(fill);
    if (!isOpen(order)) this.releaseLock(order);
    this.report(order, 'TRADE', fill);
  }

  private expire(order: OrderRecord): void {
    order.status = 'EXPIRED';
    order.updateTime = this.o.now();
    this.releaseLock(order);
    this.report(order, 'EXPIRED');
  }

  private releaseLock(order: OrderRecord): void {
    releaseHold(this.o.ledger, order);
  }

  private report(order: OrderRecord, x: ExecutionType, fill?: FillRecord, rejectReason?: string): void {
    this.pending.push(executionReport(order, x, this.o.now(), this.nextExecutionId++, fill, rejectReason));
  }

  private flush(): void {
    const position = takeAccountPosition(this.o.ledger, this.o.now());
    if (position) this.pending.push(position);
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.o.emit(batch);
  }
}
