/**
 * The fake's order and fill records, and how Binance prints them: new-order responses
 * (ACK/RESULT/FULL), query, cancel, `myTrades` rows and `executionReport` events
 * (rest-api.md, user-data-stream.md; fixtures `docs/rest_*.json`, `docs/uds_execution_report.json`).
 * @module
 */
import type { Decimal } from '@autotrader/core';
import { ZERO, wire } from './format';

/** BUY or SELL. */
export type Side = 'BUY' | 'SELL';
/** The order types the fake executes. */
export type FakeOrderType = 'LIMIT' | 'MARKET' | 'LIMIT_MAKER';
/** Time in force. MARKET and LIMIT_MAKER orders report GTC, as Binance does. */
export type FakeTimeInForce = 'GTC' | 'IOC' | 'FOK';
/** Order status (enums.md). */
export type FakeOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
/** `executionReport.x`. REPLACED is listed by Binance as unused and is never sent. */
export type ExecutionType = 'NEW' | 'CANCELED' | 'REPLACED' | 'REJECTED' | 'TRADE' | 'EXPIRED';
/** `newOrderRespType`. */
export type ResponseType = 'ACK' | 'RESULT' | 'FULL';

/** One execution of one of our orders. */
export interface FillRecord {
  readonly symbol: string;
  readonly tradeId: number;
  readonly orderId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

/** An accepted order with its live state. */
export interface OrderRecord {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: FakeOrderType;
  readonly timeInForce: FakeTimeInForce;
  /** Zero for market orders. */
  readonly price: Decimal;
  readonly origQty: Decimal;
  /** Zero unless the market order was sent with `quoteOrderQty`. */
  readonly origQuoteOrderQty: Decimal;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: FakeOrderStatus;
  readonly time: number;
  updateTime: number;
  /** Asset this order holds locked (quote for buys, base for sells) and how much is still locked. */
  readonly lockAsset: string;
  locked: Decimal;
  /** Locked amount per unit of quantity, to release a buy's surplus on partial fills. */
  readonly lockPerUnit: Decimal;
  /** Time priority among resting orders. */
  readonly seq: number;
  /** Client order id of the cancel request that closed the order. */
  cancelClientOrderId?: string;
  readonly fills: FillRecord[];
}

/** True while the order can still trade. */
export const isOpen = (o: OrderRecord): boolean => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

/** Quantity not yet executed. */
export const remaining = (o: OrderRecord): Decimal => o.origQty.minus(o.executedQty);

/** ACK response. */
export function ackView(o: OrderRecord, transactTime: number): Record<string, unknown> {
  return { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime };
}

/** The amounts, status and terms every order view carries, as Binance prints them. */
function amountFields(o: OrderRecord): Record<string, unknown> {
  return {
    price: wire(o.price),
    origQty: wire(o.origQty),
    executedQty: wire(o.executedQty),
    origQuoteOrderQty: wire(o.origQuoteOrderQty),
    cummulativeQuoteQty: wire(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
}

/** RESULT response. */
export function resultView(o: OrderRecord, transactTime: number): Record<string, unknown> {
  return {
    ...ackView(o, transactTime),
    ...amountFields(o),
    workingTime: o.time,
    selfTradePreventionMode: 'NONE',
  };
}

/** FULL response: RESULT plus the fills made while placing the order. */
export function fullView(o: OrderRecord, fills: readonly FillRecord[], transactTime: number): Record<string, unknown> {
  return {
    ...resultView(o, transactTime),
    fills: fills.map((f) => ({
      price: wire(f.price),
      qty: wire(f.qty),
      commission: wire(f.commission),
      commissionAsset: f.commissionAsset,
      tradeId: f.tradeId,
    })),
  };
}

/** The response for `type`. */
export function newOrderView(type: ResponseType, o: OrderRecord, fills: readonly FillRecord[], transactTime: number): Record<string, unknown> {
  if (type === 'ACK') return ackView(o, transactTime);
  if (type === 'RESULT') return resultView(o, transactTime);
  return fullView(o, fills, transactTime);
}

/** Query-order / open-orders / all-orders row (fixture `docs/rest_query_order_response.json`). */
export function queryView(o: OrderRecord): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: wire(o.price),
    origQty: wire(o.origQty),
    executedQty: wire(o.executedQty),
    cummulativeQuoteQty: wire(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: wire(ZERO),
    icebergQty: wire(ZERO),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: isOpen(o),
    workingTime: o.time,
    origQuoteOrderQty: wire(o.origQuoteOrderQty),
    selfTradePreventionMode: 'NONE',
  };
}

/** Cancel response: `clientOrderId` is the cancel's id, `origClientOrderId` the order's. */
export function cancelView(o: OrderRecord, transactTime: number): Record<string, unknown> {
  return {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.cancelClientOrderId ?? '',
    transactTime,
    ...amountFields(o),
    selfTradePreventionMode: 'NONE',
  };
}

/** A `myTrades` row (fixture `docs/rest_my_trades_response.json`). */
export function tradeView(f: FillRecord): Record<string, unknown> {
  return {
    symbol: f.symbol,
    id: f.tradeId,
    orderId: f.orderId,
    orderListId: -1,
    price: wire(f.price),
    qty: wire(f.qty),
    quoteQty: wire(f.quoteQty),
    commission: wire(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    isBuyer: f.isBuyer,
    isMaker: f.isMaker,
    isBestMatch: true,
  };
}

/**
 * An `executionReport` for the order's state right now (so a NEW report says NEW even when the
 * order fills in the same action). For CANCELED, `c` is the cancel's client id and `C` the order's.
 */
export function executionReport(
  o: OrderRecord,
  x: ExecutionType,
  eventTime: number,
  executionId: number,
  fill?: FillRecord,
  rejectReason = 'NONE',
): Record<string, unknown> {
  const canceled = x === 'CANCELED';
  const zero = '0.00000000';
  return {
    e: 'executionReport',
    E: eventTime,
    s: o.symbol,
    c: canceled ? (o.cancelClientOrderId ?? '') : o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce,
    q: wire(o.origQty),
    p: wire(o.price),
    P: zero,
    F: zero,
    g: -1,
    C: canceled ? o.clientOrderId : '',
    x,
    X: o.status,
    r: rejectReason,
    i: o.orderId,
    l: fill ? wire(fill.qty) : zero,
    z: wire(o.executedQty),
    L: fill ? wire(fill.price) : zero,
    n: fill ? wire(fill.commission) : '0',
    N: fill ? fill.commissionAsset : null,
    T: fill ? fill.time : eventTime,
    t: fill ? fill.tradeId : -1,
    I: executionId,
    w: isOpen(o),
    m: fill ? fill.isMaker : false,
    M: false,
    O: o.time,
    Z: wire(o.cummulativeQuoteQty),
    Y: fill ? wire(fill.quoteQty) : zero,
    Q: wire(o.origQuoteOrderQty),
    W: o.time,
    V: 'NONE',
  };
}
