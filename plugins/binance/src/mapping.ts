import { z } from 'zod';
import {
  AutotraderError,
  barProblem,
  Decimal,
  describeProblem,
  timeProblem,
  money,
  price,
  quantity,
  type Balance,
  type Bar,
  type ErrorCode,
  type ExecutionReport,
  type Fill,
  type Instrument,
  type OrderSide,
  type OrderSnapshot,
  type OrderStatus,
  type OrderType,
  type TimeInForce,
  type VenueBalanceEvent,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import { binanceClientOrderIds, type QueryParams } from '@autotrader/venue-kit';

/**
 * Binance ⇄ core: enums, instrument ids, client order ids, order parameters, and the pure translations
 * of Binance's order, trade, account and user-data shapes into ours. Nothing here does I/O or keeps
 * state: the execution port decides what to do with the results.
 */

/** The venue name in instrument ids (`BTCUSDT.BINANCE`). */
export const VENUE = 'BINANCE';

/** `BTCUSDT` → `BTCUSDT.BINANCE`. */
export const instrumentIdOf = (symbol: string): string => `${symbol}.${VENUE}`;

/** `BTCUSDT.BINANCE` → `BTCUSDT`; an id of another venue is INSTRUMENT_UNKNOWN. */
export function symbolOf(instrumentId: string): string {
  const dot = instrumentId.lastIndexOf('.');
  if (dot <= 0 || instrumentId.slice(dot + 1) !== VENUE) {
    throw new AutotraderError('INSTRUMENT_UNKNOWN', `${instrumentId} is not a Binance instrument id (expected SYMBOL.${VENUE}, for example BTCUSDT.${VENUE})`, {
      details: { instrumentId },
    });
  }
  return instrumentId.slice(0, dot);
}

/**
 * Client order ids travel through the venue kit's Binance codec (1-36 of `[.A-Z:/a-z0-9_-]`): the
 * engine's ids pass unchanged, anything else is escaped, and an id that cannot fit is refused.
 */
export const CLIENT_ORDER_IDS = binanceClientOrderIds;

/** Our client order id as Binance gets it (`newClientOrderId`, `origClientOrderId`). */
export const wireClientOrderId = (clientOrderId: string): string => CLIENT_ORDER_IDS.encode(clientOrderId);

/** Our client order id from what Binance echoes; an id we did not make (an order placed elsewhere) is kept as it is. */
export const ourClientOrderId = (wire: string): string => CLIENT_ORDER_IDS.decode(wire) ?? wire;

/** Binance side names. */
export type VenueSide = 'BUY' | 'SELL';
/** Binance Spot order types (enums.md). */
export type VenueOrderType = 'MARKET' | 'LIMIT' | 'LIMIT_MAKER' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
/** Binance Spot order statuses (enums.md). */
export type VenueOrderStatus = 'NEW' | 'PENDING_NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'PENDING_CANCEL' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';

/** Core side → Binance side. */
export const SIDE_TO_VENUE: Readonly<Record<OrderSide, VenueSide>> = { buy: 'BUY', sell: 'SELL' };
/** Binance side → core side. */
export const SIDE_FROM_VENUE: Readonly<Record<VenueSide, OrderSide>> = { BUY: 'buy', SELL: 'sell' };

/**
 * Binance type → core type. LIMIT_MAKER is a post-only limit. TAKE_PROFIT(_LIMIT) triggers on the
 * opposite side of the market from STOP_LOSS(_LIMIT), but to the engine both are stop orders.
 */
export const ORDER_TYPE_FROM_VENUE: Readonly<Record<VenueOrderType, OrderType>> = {
  MARKET: 'market',
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  STOP_LOSS: 'stop',
  STOP_LOSS_LIMIT: 'stop_limit',
  TAKE_PROFIT: 'stop',
  TAKE_PROFIT_LIMIT: 'stop_limit',
};

/** Binance status → core status. EXPIRED_IN_MATCH (self-trade prevention) is an expiry to the engine. */
export const STATUS_FROM_VENUE: Readonly<Record<VenueOrderStatus, OrderStatus>> = {
  NEW: 'accepted',
  PENDING_NEW: 'submitted',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELED: 'canceled',
  PENDING_CANCEL: 'pending_cancel',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

/** The time-in-force values Binance Spot accepts. GTD and DAY do not exist there. */
export const TIF_TO_VENUE: Readonly<Partial<Record<TimeInForce, 'GTC' | 'IOC' | 'FOK'>>> = { GTC: 'GTC', IOC: 'IOC', FOK: 'FOK' };

/** Binance TIF → core TIF. GTX (post-only) is a GTC order that never takes. */
export const TIF_FROM_VENUE: Readonly<Record<string, TimeInForce>> = { GTC: 'GTC', IOC: 'IOC', FOK: 'FOK', GTX: 'GTC' };

/** Reject reasons of executionReport `r` with a more precise code than VENUE_REJECTED. */
export const REJECT_REASON_CODES: Readonly<Record<string, ErrorCode>> = {
  INSUFFICIENT_BALANCES: 'INSUFFICIENT_FUNDS',
};

/** The core code for an executionReport reject reason. */
export const rejectReasonCode = (reason: string): ErrorCode => REJECT_REASON_CODES[reason] ?? 'VENUE_REJECTED';

/** Parses a Binance side, or undefined. */
export const parseVenueSide = (s: string): OrderSide | undefined => SIDE_FROM_VENUE[s as VenueSide];
/** Parses a Binance status, or undefined. */
export const parseVenueStatus = (s: string): OrderStatus | undefined => STATUS_FROM_VENUE[s as VenueOrderStatus];

const unsupported = (message: string, details: Record<string, unknown>): AutotraderError =>
  new AutotraderError('ORDER_TYPE_UNSUPPORTED', message, { details });

/**
 * The Binance order type for a core order. Post-only limits become LIMIT_MAKER; trailing stops
 * (Binance's `trailingDelta` is in basis points, not a price offset) and post-only anything else
 * are refused before they leave the process.
 */
export function orderTypeToVenue(type: OrderType, postOnly: boolean): VenueOrderType {
  if (postOnly && type !== 'limit') {
    throw unsupported(`Binance supports post-only only on limit orders (LIMIT_MAKER), not on ${type} orders`, { type, postOnly });
  }
  switch (type) {
    case 'market':
      return 'MARKET';
    case 'limit':
      return postOnly ? 'LIMIT_MAKER' : 'LIMIT';
    case 'stop':
      return 'STOP_LOSS';
    case 'stop_limit':
      return 'STOP_LOSS_LIMIT';
    case 'trailing_stop':
      throw unsupported('Binance Spot has no trailing stop with a price offset; hold the stop in the engine or use a stop order', { type });
    case 'market_if_touched':
      throw unsupported('Binance Spot has no market-if-touched order; use a limit order (or TAKE_PROFIT through a stop order on the other side)', { type });
  }
}

/** The Binance TIF for a core TIF, or ORDER_TYPE_UNSUPPORTED for GTD and DAY. */
export function timeInForceToVenue(tif: TimeInForce): 'GTC' | 'IOC' | 'FOK' {
  const v = TIF_TO_VENUE[tif];
  if (v === undefined) throw unsupported(`Binance Spot does not support time in force ${tif}; use GTC, IOC or FOK`, { timeInForce: tif });
  return v;
}

/**
 * A decimal as Binance wants it: fixed-point with exactly `decimals` places, never scientific
 * notation. A value with more places than that would be silently rounded, so it is an error
 * instead (ORDER_INVALID): values must already sit on the instrument grid.
 */
export function formatDecimal(value: Decimal, decimals: number, what = 'value'): string {
  if (!value.isFinite()) throw new AutotraderError('ORDER_INVALID', `${what} must be finite, got ${value.toString()}`);
  if (value.decimalPlaces() > decimals) {
    throw new AutotraderError('ORDER_INVALID', `${what} ${value.toFixed()} has more than ${decimals} decimals; round it to the instrument grid first`, {
      details: { what, value: value.toFixed(), decimals },
    });
  }
  return value.toFixed(decimals);
}

/**
 * The REST params of `POST /api/v3/order` for a core order, in a fixed order. `newClientOrderId`
 * is our client order id through the codec (which is what makes a retry safe: Binance refuses a
 * second open order with the same id), and `newOrderRespType=RESULT` returns the order's status without its fills
 * (fills arrive on the user data stream, where they carry trade ids).
 */
export function orderParams(order: OrderSnapshot, instrument: Instrument): QueryParams {
  const type = orderTypeToVenue(order.type, order.postOnly);
  const params: Array<[string, string]> = [
    ['symbol', instrument.symbol],
    ['side', SIDE_TO_VENUE[order.side]],
    ['type', type],
  ];
  if (type === 'LIMIT' || type === 'STOP_LOSS_LIMIT') {
    params.push(['timeInForce', timeInForceToVenue(order.timeInForce)]);
  } else if (type === 'MARKET') {
    // Binance market orders take no TIF and behave as IOC; FOK, GTD and DAY cannot be honoured.
    if (order.timeInForce !== 'GTC' && order.timeInForce !== 'IOC') {
      throw unsupported(`Binance market orders are immediate-or-cancel; time in force ${order.timeInForce} cannot be honoured`, { timeInForce: order.timeInForce });
    }
  } else if (order.timeInForce !== 'GTC') {
    throw unsupported(`Binance ${type} orders take no time in force; ${order.timeInForce} cannot be honoured`, { type, timeInForce: order.timeInForce });
  }
  params.push(['quantity', formatDecimal(order.quantity, instrument.sizePrecision, 'quantity')]);
  if (type === 'LIMIT' || type === 'LIMIT_MAKER' || type === 'STOP_LOSS_LIMIT') {
    if (order.price === undefined) throw new AutotraderError('ORDER_INVALID', `${order.type} order ${order.clientOrderId} has no price`, { details: { clientOrderId: order.clientOrderId } });
    params.push(['price', formatDecimal(order.price, instrument.pricePrecision, 'price')]);
  }
  if (type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT') {
    if (order.triggerPrice === undefined) {
      throw new AutotraderError('ORDER_INVALID', `${order.type} order ${order.clientOrderId} has no trigger price`, { details: { clientOrderId: order.clientOrderId } });
    }
    params.push(['stopPrice', formatDecimal(order.triggerPrice, instrument.pricePrecision, 'trigger price')]);
  }
  params.push(['newClientOrderId', wireClientOrderId(order.clientOrderId)], ['newOrderRespType', 'RESULT']);
  return params;
}

// ---- wire shapes (rest-api.md, user-data-stream.md); only the fields we read are required ----

/**
 * True for text our exact decimals read: Number() alone also takes ' 1', '0x10' and '0b11', which
 * Decimal refuses with a RangeError when the frame is mapped, so the handler threw and the frame was
 * lost without a VENUE_MESSAGE_MALFORMED (found by the fuzz suite).
 */
function isDecimalText(v: string): boolean {
  if (v.trim() === '' || !Number.isFinite(Number(v))) return false;
  try {
    return new Decimal(v).isFinite();
  } catch {
    return false;
  }
}

const num = z.string().refine(isDecimalText, 'must be a decimal number');

/** An order as REST returns it (new order RESULT, cancel, query, open orders). */
export const venueOrderSchema = z.looseObject({
  symbol: z.string(),
  orderId: z.number(),
  clientOrderId: z.string(),
  origClientOrderId: z.string().optional(),
  price: num,
  origQty: num,
  executedQty: num,
  status: z.string(),
  type: z.string(),
  side: z.string(),
  stopPrice: num.optional(),
  transactTime: z.number().optional(),
  updateTime: z.number().optional(),
});
/** A venue order as parsed. */
export type VenueOrder = z.output<typeof venueOrderSchema>;

/** `POST /api/v3/order/cancelReplace` when both legs succeeded. */
export const cancelReplaceSchema = z.looseObject({
  cancelResult: z.string(),
  newOrderResult: z.string(),
  cancelResponse: venueOrderSchema,
  newOrderResponse: venueOrderSchema,
});

/** The `data` of a failed cancelReplace (-2021: cancel done, new order failed; -2022: cancel failed). */
export const cancelReplaceFailureData = z.looseObject({
  cancelResult: z.string(),
  newOrderResult: z.string(),
  cancelResponse: z.unknown(),
  newOrderResponse: z.unknown(),
});

/** A Binance error body (`{ code, msg }`), as one leg of a failed cancelReplace carries it. */
export const venueErrorSchema = z.looseObject({ code: z.number(), msg: z.string() });

/** `GET /api/v3/account`: balances. */
export const accountSchema = z.looseObject({
  updateTime: z.number().optional(),
  balances: z.array(z.looseObject({ asset: z.string(), free: num, locked: num })),
});

/** `GET /api/v3/account`, for who the account is: `uid` is the venue's account identifier. */
export const accountIdentitySchema = z.looseObject({ uid: z.number().int(), accountType: z.string().optional() });

/** One of our trades (`GET /api/v3/myTrades`). */
export const myTradeSchema = z.looseObject({
  symbol: z.string(),
  id: z.number(),
  orderId: z.number(),
  price: num,
  qty: num,
  commission: num,
  commissionAsset: z.string(),
  time: z.number(),
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});
/** A trade as parsed. */
export type MyTrade = z.output<typeof myTradeSchema>;

/** `executionReport` (user-data-stream.md). */
export const executionReportSchema = z.looseObject({
  e: z.literal('executionReport'),
  E: z.number(),
  s: z.string(),
  c: z.string(),
  S: z.string(),
  o: z.string(),
  q: num,
  p: num,
  P: num.optional(),
  C: z.string().nullish(),
  x: z.string(),
  X: z.string(),
  r: z.string().optional(),
  i: z.number(),
  l: num,
  z: num,
  L: num,
  n: num.nullish(),
  N: z.string().nullish(),
  T: z.number(),
  t: z.number(),
  m: z.boolean(),
});
/** A parsed execution report. */
export type VenueExecutionReport = z.output<typeof executionReportSchema>;

/** `outboundAccountPosition`: the free and locked amounts of the assets an account change touched. */
export const accountPositionSchema = z.looseObject({
  e: z.literal('outboundAccountPosition'),
  E: z.number(),
  u: z.number().optional(),
  B: z.array(z.looseObject({ a: z.string(), f: num, l: num })),
});

/** `balanceUpdate`: a deposit, withdrawal or transfer changed one asset by `d` (negative: out). */
export const balanceUpdateSchema = z.looseObject({
  e: z.literal('balanceUpdate'),
  E: z.number(),
  a: z.string(),
  d: num,
  T: z.number().optional(),
});

// ---- translations: Binance shapes → ours ----

/** True for a decimal string above zero (Binance sends `0.00000000` for a price an order does not have). */
export const isPositive = (v: string | undefined): boolean => v !== undefined && new Decimal(v).gt(0);

/**
 * A REST order as the engine sees it. `carried` is what earlier legs of a replaced order filled (a
 * cancelReplace starts a new venue order for the remaining quantity): it is added back so quantities
 * stay in the engine's terms. An unknown side or status is VENUE_MESSAGE_MALFORMED.
 */
export function orderStateOf(o: VenueOrder, clientOrderId: string, carried: Decimal = new Decimal(0)): VenueOrderState {
  const side = parseVenueSide(o.side);
  const status = parseVenueStatus(o.status);
  if (side === undefined || status === undefined) {
    throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance order ${o.orderId}: unknown side ${o.side} or status ${o.status}`, { details: { venueOrderId: String(o.orderId) } });
  }
  return {
    clientOrderId,
    venueOrderId: String(o.orderId),
    instrumentId: instrumentIdOf(o.symbol),
    status,
    side,
    quantity: quantity(carried.plus(o.origQty)),
    filledQuantity: quantity(carried.plus(o.executedQty)),
    price: isPositive(o.price) ? price(o.price) : undefined,
  };
}

/** A report keyed for once-only delivery (`A:` accepted, `T:` terminal, `U:` updated, `F:` fill, by venue id). */
export interface KeyedReport {
  readonly key: string;
  readonly report: ExecutionReport;
}

/**
 * The reports a new-order answer (`newOrderRespType=RESULT`) stands for. REJECTED is a rejection; an
 * order that EXPIRED at once (IOC, FOK with nothing to match) is accepted and, when nothing filled,
 * expired, since no fill can follow; anything else is accepted and the stream brings the rest.
 */
export function newOrderReports(res: VenueOrder, clientOrderId: string, now: number): KeyedReport[] {
  const venueOrderId = String(res.orderId);
  const tsEvent = res.transactTime ?? now;
  const accepted: KeyedReport = { key: `A:${venueOrderId}`, report: { kind: 'accepted', clientOrderId, venueOrderId, tsEvent } };
  switch (res.status) {
    case 'REJECTED':
      return [{ key: `T:${venueOrderId}`, report: { kind: 'rejected', clientOrderId, code: 'VENUE_REJECTED', reason: 'REJECTED', tsEvent } }];
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      // With fills, the stream brings them first and then the expiry, in that order.
      return new Decimal(res.executedQty).isZero() ? [accepted, { key: `T:${venueOrderId}`, report: { kind: 'expired', clientOrderId, tsEvent } }] : [accepted];
    default:
      return [accepted];
  }
}

/** The asset a fill credits (base for a buy, quote for a sell): where Binance takes a commission by default. */
export const receivedAsset = (instrument: Pick<Instrument, 'base' | 'quote'>, side: OrderSide): string => (side === 'buy' ? instrument.base : instrument.quote);

/** One of our trades (`myTrades`) as a fill. */
export function fillOfTrade(t: MyTrade, clientOrderId: string, instrumentId: string, tsInit: number): Fill {
  return {
    clientOrderId,
    venueOrderId: String(t.orderId),
    tradeId: String(t.id),
    instrumentId,
    side: t.isBuyer ? 'buy' : 'sell',
    price: price(t.price),
    quantity: quantity(t.qty),
    fee: money(t.commission),
    feeCurrency: t.commissionAsset,
    liquidity: t.isMaker ? 'maker' : 'taker',
    tsEvent: t.time,
    tsInit,
  };
}

/** Our client order id of an executionReport: a cancel's report carries the cancel request's id in `c` and the order's in `C`. */
export const clientOrderIdOfReport = (e: Pick<VenueExecutionReport, 'c' | 'C'>): string => ourClientOrderId(e.C !== undefined && e.C !== null && e.C !== '' ? e.C : e.c);

/**
 * Why a TRADE executionReport cannot be a fill, or undefined when it can: an unknown side, or a last
 * fill price `L` or quantity `l` that is not above zero (a fill moves cash and positions: a zero or
 * negative one from the wire must never reach the engine; found by the fuzz suite).
 */
export function fillProblem(e: Pick<VenueExecutionReport, 'S' | 'L' | 'l'>): string | undefined {
  if (parseVenueSide(e.S) === undefined) return `unknown side ${e.S}`;
  if (!new Decimal(e.L).gt(0)) return `last fill price L ${e.L} is not above zero`;
  if (!new Decimal(e.l).gt(0)) return `last fill quantity l ${e.l} is not above zero`;
  return undefined;
}

/**
 * The fill of a TRADE executionReport, or undefined when {@link fillProblem} names a problem. The fee
 * currency is `N`; without it, Binance's rule: the asset received (`feeCurrencyIfAbsent`).
 */
export function fillOfExecutionReport(e: VenueExecutionReport, clientOrderId: string, feeCurrencyIfAbsent: (side: OrderSide) => string, tsInit: number): Fill | undefined {
  const side = parseVenueSide(e.S);
  if (side === undefined || fillProblem(e) !== undefined) return undefined;
  return {
    clientOrderId,
    venueOrderId: String(e.i),
    tradeId: String(e.t),
    instrumentId: instrumentIdOf(e.s),
    side,
    price: price(e.L),
    quantity: quantity(e.l),
    fee: money(e.n ?? '0'),
    feeCurrency: e.N ?? feeCurrencyIfAbsent(side),
    liquidity: e.m ? 'maker' : 'taker',
    tsEvent: e.T,
    tsInit,
  };
}

/** The account's non-zero balances (`GET /api/v3/account`), total = free + locked. */
export function balancesOfAccount(account: z.output<typeof accountSchema>, now: number): Balance[] {
  const ts = account.updateTime ?? now;
  const out: Balance[] = [];
  for (const b of account.balances) {
    const free = money(b.free);
    const locked = money(b.locked);
    const total = money(free.plus(locked));
    if (!total.isZero()) out.push({ currency: b.asset, total, free, locked, tsEvent: ts });
  }
  return out;
}

/** `outboundAccountPosition` as the venue's own balance report (a `venueBalance` snapshot of the assets it names). `u` is when they changed. */
export function venueBalanceSnapshotOf(e: z.output<typeof accountPositionSchema>): VenueBalanceEvent {
  const ts = e.u ?? e.E;
  const balances: Balance[] = e.B.map((b) => {
    const free = money(b.f);
    const locked = money(b.l);
    return { currency: b.a, total: money(free.plus(locked)), free, locked, tsEvent: ts };
  });
  return { kind: 'snapshot', venue: VENUE, balances, tsEvent: ts };
}

/** `balanceUpdate` as a `venueBalance` delta; `T` is when the deposit or withdrawal cleared. */
export const venueBalanceDeltaOf = (e: z.output<typeof balanceUpdateSchema>): VenueBalanceEvent => ({
  kind: 'delta',
  venue: VENUE,
  currency: e.a,
  delta: money(e.d),
  tsEvent: e.T ?? e.E,
});

/**
 * One row of `GET /api/v3/klines` (rest-api.md "Kline/Candlestick data"): open time, open, high, low,
 * close, volume (decimal strings), close time, then quote volume, trade count, taker volumes and an
 * unused field, which a bar does not need.
 */
export const klineRowSchema = z.tuple([z.number(), num, num, num, num, num, z.number()]).rest(z.unknown());
/** The `GET /api/v3/klines` answer: rows oldest first. */
export const klinesSchema = z.array(klineRowSchema);

/** The row positions of the values core's market-data rules check, so a refusal names them as Binance sends them. */
const KLINE_ROW_FIELDS: Readonly<Record<string, string>> = { ts_open: '[0] open time', open: '[1] open', high: '[2] high', low: '[3] low', close: '[4] close', volume: '[5] volume', ts_close: '[6] close time' };

/**
 * A kline row as a bar: `tsOpen` is its open time and `tsEvent` its end (Binance's close time is the
 * last millisecond inside the kline, so the end is close time + 1), as the kline stream's bars are.
 * A row whose values break core's market-data rules (a high below its low, a non-positive price, a close
 * time before the open) is VENUE_MESSAGE_MALFORMED naming the row's field: such a bar is never kept.
 */
export function barOfKlineRow(row: z.output<typeof klineRowSchema>, instrumentId: string, tsInit: number): Bar {
  const [tsOpen, o, h, l, c, v, tsClose] = row;
  const bar = { open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume: Number(v) };
  const bad =
    timeProblem('ts_open', tsOpen) ??
    timeProblem('ts_close', tsClose) ??
    (tsClose < tsOpen ? { column: 'ts_close', value: tsClose, reason: `is before the open time ${tsOpen}` } : undefined) ??
    barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
  if (bad !== undefined) {
    throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance kline of ${instrumentId} opening at ${tsOpen}: ${describeProblem({ ...bad, column: KLINE_ROW_FIELDS[bad.column] ?? bad.column })}`, {
      details: { instrumentId, row },
    });
  }
  return { instrumentId, tsOpen, tsEvent: tsClose + 1, tsInit, ...bar };
}
