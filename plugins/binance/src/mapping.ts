import {
  AutotraderError,
  Decimal,
  type ErrorCode,
  type Instrument,
  type OrderSide,
  type OrderSnapshot,
  type OrderStatus,
  type OrderType,
  type TimeInForce,
} from '@autotrader/core';
import type { Params } from './auth';

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
 * is our client order id (which is what makes a retry safe: Binance refuses a second open order
 * with the same id), and `newOrderRespType=RESULT` returns the order's status without its fills
 * (fills arrive on the user data stream, where they carry trade ids).
 */
export function orderParams(order: OrderSnapshot, instrument: Instrument): Params {
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
  params.push(['newClientOrderId', order.clientOrderId], ['newOrderRespType', 'RESULT']);
  return params;
}
