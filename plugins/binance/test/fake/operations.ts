/**
 * Every request the fake serves, once, for both transports: each operation names its REST route
 * and/or WebSocket API method, its security, its accepted parameters and its request weight
 * (weights from rest-api.md / web-socket-api.md, see VENUES.md §1.2).
 * @module
 */
import { Decimal } from '@autotrader/core';
import type { MatchingEngine } from './engine';
import { BinanceApiError, binanceErrors } from './errors';
import { BNB, type FeeSchedule } from './fees';
import { wire } from './format';
import type { Ledger } from './ledger';
import type { RateLimiter } from './limits';
import type { MarketData } from './market-data';
import { KLINE_INTERVALS } from './market-data';
import { NEW_ORDER_PARAMS, clientOrderIdParam, parseNewOrder } from './order-params';
import { cancelView, newOrderView, queryView, tradeView, type OrderRecord } from './orders';
import type { Params } from './params';
import { symbolInfo, type SymbolRules } from './symbols';

/** A WebSocket API session's user data subscriptions. */
export interface UserStreamSession {
  readonly subscriptions: number[];
  nextSubscriptionId: number;
  /** Sends one frame to this session. */
  send(frame: unknown): void;
}

/** Who is asking. */
export interface OpContext {
  readonly transport: 'rest' | 'ws-api';
  readonly session?: UserStreamSession;
}

/** An operation's answer; `after` runs once the answer is sent (events that follow a response). */
export interface OpResult {
  readonly status?: number;
  readonly body: unknown;
  readonly after?: () => void;
}

/** One request type. */
export interface Operation {
  readonly name: string;
  readonly rest?: readonly { readonly method: string; readonly path: string }[];
  readonly ws?: readonly string[];
  /** SIGNED: needs API key, timestamp and HMAC signature. */
  readonly security: 'NONE' | 'SIGNED';
  /** Parameters read (besides timestamp, recvWindow and, on the WebSocket API, apiKey). */
  readonly params: readonly string[];
  readonly weight: (p: Params) => number;
  /** Places an order: subject to the ORDERS limits and carries X-MBX-ORDER-COUNT headers. */
  readonly placesOrder?: boolean;
  readonly run: (p: Params, ctx: OpContext) => OpResult;
}

/** What operations work on. */
export interface VenueState {
  readonly engine: MatchingEngine;
  readonly market: MarketData;
  readonly ledger: Ledger;
  readonly limiter: RateLimiter;
  readonly rules: ReadonlyMap<string, SymbolRules>;
  readonly now: () => number;
  readonly fees: FeeSchedule;
  /** `uid` of GET /api/v3/account. */
  readonly accountUid: number;
}

const CANCEL_RESTRICTIONS = ['ONLY_NEW', 'ONLY_PARTIALLY_FILLED'] as const;

function depthWeight(limitText: string | undefined): number {
  const limit = Number(limitText ?? '100');
  if (!(limit > 100)) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

function limitParam(p: Params, fallback: number, max: number): number {
  const limit = p.integer('limit') ?? fallback;
  if (limit <= 0) throw binanceErrors.invalidData('limit');
  return Math.min(limit, max);
}

function symbolsParam(p: Params): string[] | undefined {
  const text = p.optional('symbols');
  if (text === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw binanceErrors.invalidData('symbols');
  }
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw binanceErrors.invalidData('symbols');
  return list as string[];
}

/** Builds the operation table over one venue's state. */
export function createOperations(v: VenueState): Operation[] {
  const rulesOf = (symbol: string): SymbolRules => v.engine.rulesFor(symbol);
  const selectOrder = (p: Params, idName: string, clientIdName: string): { orderId?: number; origClientOrderId?: string } => {
    const orderId = p.integer(idName);
    const origClientOrderId = p.optional(clientIdName);
    if (orderId === undefined && origClientOrderId === undefined) throw binanceErrors.eitherMandatory(clientIdName, idName);
    return { orderId, origClientOrderId };
  };
  const placeNew = (p: Params): OpResult => {
    const { request, responseType } = parseNewOrder(p);
    const { order, fills } = v.engine.place(request);
    v.limiter.recordOrder();
    return { body: newOrderView(responseType, order, fills, order.time) };
  };
  const rateLimits = (): unknown[] => [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: v.limiter.weightLimit },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: v.limiter.orderLimit10s },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: v.limiter.orderLimitDay },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
  ];
  const commissionUnits = (rate: Decimal): number => rate.mul(10_000).toNumber();
  const zero = wire(new Decimal(0));
  const makerTaker = (maker: Decimal, taker: Decimal) => ({ maker: wire(maker), taker: wire(taker) });
  // rest-api.md "Query Commission Rates": the BNB discount "Standard commission is reduced by this rate".
  const discount = () => ({ enabledForAccount: v.fees.payInBnb, enabledForSymbol: true, discountAsset: BNB, discount: wire(v.fees.bnbDiscount) });

  return [
    { name: 'ping', rest: [{ method: 'GET', path: '/api/v3/ping' }], ws: ['ping'], security: 'NONE', params: [], weight: () => 1, run: () => ({ body: {} }) },
    {
      name: 'time',
      rest: [{ method: 'GET', path: '/api/v3/time' }],
      ws: ['time'],
      security: 'NONE',
      params: [],
      weight: () => 1,
      run: () => ({ body: { serverTime: v.now() } }),
    },
    {
      name: 'exchangeInfo',
      rest: [{ method: 'GET', path: '/api/v3/exchangeInfo' }],
      ws: ['exchangeInfo'],
      security: 'NONE',
      params: ['symbol', 'symbols', 'permissions', 'showPermissionSets', 'symbolStatus'],
      weight: () => 20,
      run: (p) => {
        const one = p.optional('symbol');
        const many = symbolsParam(p);
        const status = p.enumOf('symbolStatus', ['TRADING', 'HALT', 'BREAK'] as const, () => binanceErrors.invalidData('symbolStatus'));
        p.optional('permissions');
        p.optional('showPermissionSets');
        let rules: SymbolRules[];
        if (one !== undefined || many !== undefined) rules = [...(one !== undefined ? [one] : []), ...(many ?? [])].map(rulesOf);
        else rules = [...v.rules.values()];
        if (status !== undefined) rules = rules.filter((r) => r.status === status);
        return {
          body: { timezone: 'UTC', serverTime: v.now(), rateLimits: rateLimits(), exchangeFilters: [], symbols: rules.map(symbolInfo) },
        };
      },
    },
    {
      name: 'depth',
      rest: [{ method: 'GET', path: '/api/v3/depth' }],
      ws: ['depth'],
      security: 'NONE',
      params: ['symbol', 'limit', 'symbolStatus'],
      weight: (p) => depthWeight(p.peek('limit')),
      run: (p) => {
        const symbol = rulesOf(p.required('symbol')).symbol;
        return { body: v.market.depthSnapshot(symbol, limitParam(p, 100, 5000)) };
      },
    },
    {
      name: 'bookTicker',
      rest: [{ method: 'GET', path: '/api/v3/ticker/bookTicker' }],
      ws: ['ticker.book'],
      security: 'NONE',
      params: ['symbol', 'symbols', 'symbolStatus'],
      weight: (p) => (p.has('symbol') ? 2 : 4),
      run: (p) => {
        const one = p.optional('symbol');
        const row = (r: SymbolRules) => ({ symbol: r.symbol, ...v.market.bestBidAsk(r.symbol) });
        if (one !== undefined) return { body: row(rulesOf(one)) };
        const many = symbolsParam(p);
        return { body: (many ? many.map(rulesOf) : [...v.rules.values()]).map(row) };
      },
    },
    {
      name: 'klines',
      rest: [{ method: 'GET', path: '/api/v3/klines' }],
      ws: ['klines'],
      security: 'NONE',
      params: ['symbol', 'interval', 'startTime', 'endTime', 'timeZone', 'limit'],
      weight: () => 2,
      run: (p) => {
        const symbol = rulesOf(p.required('symbol')).symbol;
        const interval = p.required('interval');
        if (!(KLINE_INTERVALS as readonly string[]).includes(interval)) throw binanceErrors.invalidInterval();
        p.optional('timeZone');
        return { body: v.market.klines(symbol, interval, p.integer('startTime'), p.integer('endTime'), limitParam(p, 500, 1000)) };
      },
    },
    {
      name: 'newOrder',
      rest: [{ method: 'POST', path: '/api/v3/order' }],
      ws: ['order.place'],
      security: 'SIGNED',
      params: NEW_ORDER_PARAMS,
      weight: () => 1,
      placesOrder: true,
      run: (p) => placeNew(p),
    },
    {
      name: 'testOrder',
      rest: [{ method: 'POST', path: '/api/v3/order/test' }],
      ws: ['order.test'],
      security: 'SIGNED',
      params: [...NEW_ORDER_PARAMS, 'computeCommissionRates'],
      weight: (p) => (p.peek('computeCommissionRates') === 'true' ? 20 : 1),
      run: (p) => {
        const compute = p.enumOf('computeCommissionRates', ['true', 'false'] as const, () => binanceErrors.invalidData('computeCommissionRates'));
        const { request } = parseNewOrder(p);
        v.engine.checkFilters(request);
        if (compute !== 'true') return { body: {} };
        return {
          body: {
            standardCommissionForOrder: makerTaker(v.fees.makerRate, v.fees.takerRate),
            specialCommissionForOrder: { maker: zero, taker: zero },
            taxCommissionForOrder: { maker: zero, taker: zero },
            discount: discount(),
          },
        };
      },
    },
    {
      name: 'cancelOrder',
      rest: [{ method: 'DELETE', path: '/api/v3/order' }],
      ws: ['order.cancel'],
      security: 'SIGNED',
      params: ['symbol', 'orderId', 'origClientOrderId', 'newClientOrderId', 'cancelRestrictions'],
      weight: () => 1,
      run: (p) => {
        const symbol = p.required('symbol');
        const sel = selectOrder(p, 'orderId', 'origClientOrderId');
        const cancelRestrictions = p.enumOf('cancelRestrictions', CANCEL_RESTRICTIONS, () => binanceErrors.invalidCancelRestrictions());
        const order = v.engine.cancel(symbol, sel, { newClientOrderId: clientOrderIdParam(p, 'newClientOrderId'), cancelRestrictions });
        return { body: cancelView(order, order.updateTime) };
      },
    },
    {
      name: 'queryOrder',
      rest: [{ method: 'GET', path: '/api/v3/order' }],
      ws: ['order.status'],
      security: 'SIGNED',
      params: ['symbol', 'orderId', 'origClientOrderId'],
      weight: () => 4,
      run: (p) => {
        const symbol = p.required('symbol');
        return { body: queryView(v.engine.find(symbol, selectOrder(p, 'orderId', 'origClientOrderId'))) };
      },
    },
    {
      name: 'cancelReplace',
      rest: [{ method: 'POST', path: '/api/v3/order/cancelReplace' }],
      ws: ['order.cancelReplace'],
      security: 'SIGNED',
      params: [
        ...NEW_ORDER_PARAMS,
        'cancelReplaceMode',
        'cancelNewClientOrderId',
        'cancelOrigClientOrderId',
        'cancelOrderId',
        'cancelRestrictions',
        'orderRateLimitExceededMode',
      ],
      weight: () => 1,
      placesOrder: true,
      run: (p) => cancelReplace(v, p, selectOrder),
    },
    {
      name: 'openOrders',
      rest: [{ method: 'GET', path: '/api/v3/openOrders' }],
      ws: ['openOrders.status'],
      security: 'SIGNED',
      params: ['symbol'],
      weight: (p) => (p.has('symbol') ? 6 : 80),
      run: (p) => {
        const symbol = p.optional('symbol');
        if (symbol !== undefined) rulesOf(symbol);
        return { body: v.engine.openOrders(symbol).map(queryView) };
      },
    },
    {
      name: 'cancelOpenOrders',
      rest: [{ method: 'DELETE', path: '/api/v3/openOrders' }],
      ws: ['openOrders.cancelAll'],
      security: 'SIGNED',
      params: ['symbol'],
      weight: () => 1,
      run: (p) => {
        const symbol = rulesOf(p.required('symbol')).symbol;
        const open = v.engine.openOrders(symbol);
        if (open.length === 0) throw binanceErrors.cancelRejected('Unknown order sent.');
        const canceled: OrderRecord[] = open.map((o) => v.engine.cancel(symbol, { orderId: o.orderId }, {}));
        return { body: canceled.map((o) => cancelView(o, o.updateTime)) };
      },
    },
    {
      name: 'account',
      rest: [{ method: 'GET', path: '/api/v3/account' }],
      ws: ['account.status'],
      security: 'SIGNED',
      params: ['omitZeroBalances'],
      weight: () => 20,
      run: (p) => {
        const omitZero = p.enumOf('omitZeroBalances', ['true', 'false'] as const, () => binanceErrors.invalidData('omitZeroBalances')) === 'true';
        const balances = v.ledger
          .assets()
          .filter((a) => !omitZero || !v.ledger.free(a).isZero() || !v.ledger.locked(a).isZero())
          .map((asset) => ({ asset, free: wire(v.ledger.free(asset)), locked: wire(v.ledger.locked(asset)) }));
        return {
          body: {
            makerCommission: commissionUnits(v.fees.makerRate),
            takerCommission: commissionUnits(v.fees.takerRate),
            buyerCommission: 0,
            sellerCommission: 0,
            commissionRates: { ...makerTaker(v.fees.makerRate, v.fees.takerRate), buyer: zero, seller: zero },
            canTrade: true,
            canWithdraw: true,
            canDeposit: true,
            brokered: false,
            requireSelfTradePrevention: false,
            preventSor: false,
            updateTime: v.ledger.updateTime(),
            accountType: 'SPOT',
            balances,
            permissions: ['SPOT'],
            uid: v.accountUid,
          },
        };
      },
    },
    {
      name: 'accountCommission',
      rest: [{ method: 'GET', path: '/api/v3/account/commission' }],
      ws: ['account.commission'],
      security: 'SIGNED',
      params: ['symbol'],
      weight: () => 20,
      run: (p) => {
        const symbol = rulesOf(p.required('symbol')).symbol;
        const none = { maker: zero, taker: zero, buyer: zero, seller: zero };
        return {
          body: {
            symbol,
            standardCommission: { ...makerTaker(v.fees.makerRate, v.fees.takerRate), buyer: zero, seller: zero },
            specialCommission: none,
            taxCommission: none,
            discount: discount(),
          },
        };
      },
    },
    {
      name: 'myTrades',
      rest: [{ method: 'GET', path: '/api/v3/myTrades' }],
      ws: ['myTrades'],
      security: 'SIGNED',
      params: ['symbol', 'orderId', 'startTime', 'endTime', 'fromId', 'limit'],
      weight: (p) => (p.has('orderId') ? 5 : 20),
      run: (p) => {
        const symbol = rulesOf(p.required('symbol')).symbol;
        const orderId = p.integer('orderId');
        const fromId = p.integer('fromId');
        const start = p.integer('startTime');
        const end = p.integer('endTime');
        const limit = limitParam(p, 500, 1000);
        const rows = v.engine
          .fills(symbol)
          .filter((f) => (orderId === undefined || f.orderId === orderId) && (fromId === undefined || f.tradeId >= fromId))
          .filter((f) => (start === undefined || f.time >= start) && (end === undefined || f.time <= end));
        // From a start point Binance returns the oldest rows after it; otherwise the most recent.
        const picked = fromId !== undefined || start !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
        return { body: picked.map(tradeView) };
      },
    },
    {
      name: 'allOrders',
      rest: [{ method: 'GET', path: '/api/v3/allOrders' }],
      ws: ['allOrders'],
      security: 'SIGNED',
      params: ['symbol', 'orderId', 'startTime', 'endTime', 'limit'],
      weight: () => 20,
      run: (p) => {
        const symbol = rulesOf(p.required('symbol')).symbol;
        const fromOrder = p.integer('orderId');
        const start = p.integer('startTime');
        const end = p.integer('endTime');
        const limit = limitParam(p, 500, 1000);
        const rows = v.engine
          .orders()
          .filter((o) => o.symbol === symbol && (fromOrder === undefined || o.orderId >= fromOrder))
          .filter((o) => (start === undefined || o.time >= start) && (end === undefined || o.time <= end));
        const picked = fromOrder !== undefined || start !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
        return { body: picked.map(queryView) };
      },
    },
    {
      name: 'orderRateLimits',
      rest: [{ method: 'GET', path: '/api/v3/rateLimit/order' }],
      ws: ['account.rateLimits.orders'],
      security: 'SIGNED',
      params: [],
      weight: () => 40,
      run: () => {
        const c = v.limiter.orderCounts();
        return {
          body: [
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: v.limiter.orderLimit10s, count: c.tenSeconds },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: v.limiter.orderLimitDay, count: c.day },
          ],
        };
      },
    },
    {
      // listenKey streams were retired on 2026-02-20 (CHANGELOG 2026-01-21); see README for the answer chosen.
      name: 'listenKey',
      rest: [
        { method: 'POST', path: '/api/v3/userDataStream' },
        { method: 'PUT', path: '/api/v3/userDataStream' },
        { method: 'DELETE', path: '/api/v3/userDataStream' },
      ],
      ws: ['userDataStream.start', 'userDataStream.ping', 'userDataStream.stop'],
      security: 'NONE',
      params: ['listenKey', 'apiKey'],
      weight: () => 2,
      run: () => {
        throw binanceErrors.retired();
      },
    },
    {
      // Needs session.logon, which only takes Ed25519 keys; the fake's key is HMAC.
      name: 'userDataStream.subscribe',
      ws: ['userDataStream.subscribe'],
      security: 'NONE',
      params: [],
      weight: () => 2,
      run: () => {
        throw binanceErrors.unauthorized();
      },
    },
    {
      name: 'userDataStream.subscribe.signature',
      ws: ['userDataStream.subscribe.signature'],
      security: 'SIGNED',
      params: [],
      weight: () => 2,
      run: (_p, ctx) => {
        const s = ctx.session as UserStreamSession;
        // One account per fake, and Binance allows one subscription per account per connection.
        if (s.subscriptions.length > 0) throw binanceErrors.subscriptionActive();
        const subscriptionId = s.nextSubscriptionId++;
        s.subscriptions.push(subscriptionId);
        return { body: { subscriptionId } };
      },
    },
    {
      name: 'userDataStream.unsubscribe',
      ws: ['userDataStream.unsubscribe'],
      security: 'NONE',
      params: ['subscriptionId'],
      weight: () => 2,
      run: (p, ctx) => {
        const s = ctx.session as UserStreamSession;
        const id = p.integer('subscriptionId');
        const closing = id === undefined ? [...s.subscriptions] : s.subscriptions.filter((x) => x === id);
        if (closing.length === 0) throw binanceErrors.subscriptionInactive();
        for (const x of closing) s.subscriptions.splice(s.subscriptions.indexOf(x), 1);
        const E = v.now();
        return { body: {}, after: () => closing.forEach((subscriptionId) => s.send({ subscriptionId, event: { e: 'eventStreamTerminated', E } })) };
      },
    },
    {
      name: 'session.subscriptions',
      ws: ['session.subscriptions'],
      security: 'NONE',
      params: [],
      weight: () => 2,
      run: (_p, ctx) => ({ body: (ctx.session as UserStreamSession).subscriptions.map((subscriptionId) => ({ subscriptionId })) }),
    },
  ];
}

function cancelReplace(
  v: VenueState,
  p: Params,
  selectOrder: (p: Params, idName: string, clientIdName: string) => { orderId?: number; origClientOrderId?: string },
): OpResult {
  const mode = p.enumOf('cancelReplaceMode', ['STOP_ON_FAILURE', 'ALLOW_FAILURE'] as const, () => binanceErrors.invalidData('cancelReplaceMode'));
  if (mode === undefined) throw binanceErrors.mandatory('cancelReplaceMode');
  p.enumOf('orderRateLimitExceededMode', ['DO_NOTHING', 'CANCEL_ONLY'] as const, () => binanceErrors.invalidData('orderRateLimitExceededMode'));
  const sel = selectOrder(p, 'cancelOrderId', 'cancelOrigClientOrderId');
  const cancelNewClientOrderId = clientOrderIdParam(p, 'cancelNewClientOrderId');
  const cancelRestrictions = p.enumOf('cancelRestrictions', CANCEL_RESTRICTIONS, () => binanceErrors.invalidCancelRestrictions());
  const { request, responseType } = parseNewOrder(p);
  // "Filters and Order Count are evaluated before the processing of the cancellation and order placement occurs."
  v.engine.checkFilters(request);

  let canceled: OrderRecord | undefined;
  let cancelResponse: unknown;
  try {
    canceled = v.engine.cancel(request.symbol, sel, { newClientOrderId: cancelNewClientOrderId, cancelRestrictions });
    cancelResponse = cancelView(canceled, canceled.updateTime);
  } catch (e) {
    if (!(e instanceof BinanceApiError)) throw e;
    cancelResponse = e.body();
  }
  if (!canceled && mode === 'STOP_ON_FAILURE') {
    throw new BinanceApiError(400, -2022, 'Order cancel-replace failed.', {
      data: { cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse, newOrderResponse: null },
    });
  }
  let placed = false;
  let newOrderResponse: unknown;
  try {
    const { order, fills } = v.engine.place(request);
    v.limiter.recordOrder();
    placed = true;
    newOrderResponse = newOrderView(responseType, order, fills, order.time);
  } catch (e) {
    if (!(e instanceof BinanceApiError)) throw e;
    newOrderResponse = e.body();
    if (canceled) v.engine.reportRejected(request, e.extra.rejectReason ?? 'NONE');
  }
  const data = { cancelResult: canceled ? 'SUCCESS' : 'FAILURE', newOrderResult: placed ? 'SUCCESS' : 'FAILURE', cancelResponse, newOrderResponse };
  if (canceled && placed) return { body: data };
  if (!canceled && !placed) throw new BinanceApiError(400, -2022, 'Order cancel-replace failed.', { data });
  throw new BinanceApiError(409, -2021, 'Order cancel-replace partially failed.', { data });
}
