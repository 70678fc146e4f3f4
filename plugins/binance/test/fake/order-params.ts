/**
 * Reads new-order parameters (POST /api/v3/order, order.place, cancel-replace) with the
 * per-type mandatory rules of rest-api.md "New order (TRADE)".
 * @module
 */
import { CLIENT_ORDER_ID_RANGE, binanceErrors } from './errors';
import type { NewOrderRequest } from './engine';
import type { FakeOrderType, FakeTimeInForce, ResponseType, Side } from './orders';
import type { Params } from './params';

/** Every parameter POST /api/v3/order accepts (besides timestamp/recvWindow/signature). */
export const NEW_ORDER_PARAMS = [
  'symbol',
  'side',
  'type',
  'timeInForce',
  'quantity',
  'quoteOrderQty',
  'price',
  'newClientOrderId',
  'strategyId',
  'strategyType',
  'stopPrice',
  'trailingDelta',
  'icebergQty',
  'newOrderRespType',
  'selfTradePreventionMode',
  'pegPriceType',
  'pegOffsetValue',
  'pegOffsetType',
] as const;

const CLIENT_ORDER_ID = /^[a-zA-Z0-9-_]{1,36}$/;

/** The -2010 message Binance gives for order types a symbol does not enable (errors.md). */
const NOT_ENABLED: Record<string, string> = {
  STOP_LOSS: 'Stop loss orders are not supported for this symbol.',
  STOP_LOSS_LIMIT: 'Stop loss limit orders are not supported for this symbol.',
  TAKE_PROFIT: 'Take profit orders are not supported for this symbol.',
  TAKE_PROFIT_LIMIT: 'Take profit limit orders are not supported for this symbol.',
};

/** Reads an optional client order id parameter with Binance's syntax. */
export function clientOrderIdParam(p: Params, name: string): string | undefined {
  const id = p.optional(name);
  if (id !== undefined && !CLIENT_ORDER_ID.test(id)) throw binanceErrors.illegalChars(name, CLIENT_ORDER_ID_RANGE);
  return id;
}

/** A parsed new order and the response type it asked for. */
export interface ParsedNewOrder {
  readonly request: NewOrderRequest;
  readonly responseType: ResponseType;
}

/** Reads and checks new-order parameters; symbol existence is checked by the engine (-1121). */
export function parseNewOrder(p: Params): ParsedNewOrder {
  const symbol = p.required('symbol');
  const side = p.required('side');
  if (side !== 'BUY' && side !== 'SELL') throw binanceErrors.invalidSide();
  const typeText = p.required('type');
  const notEnabled = NOT_ENABLED[typeText];
  if (notEnabled !== undefined) throw binanceErrors.newOrderRejected(notEnabled);
  if (typeText !== 'LIMIT' && typeText !== 'MARKET' && typeText !== 'LIMIT_MAKER') throw binanceErrors.invalidOrderType();
  const type: FakeOrderType = typeText;

  for (const name of ['stopPrice', 'trailingDelta', 'pegPriceType', 'pegOffsetValue', 'pegOffsetType'] as const) {
    if (p.has(name)) throw binanceErrors.notRequired(name);
  }
  if (p.has('icebergQty')) throw binanceErrors.newOrderRejected('Iceberg orders are not supported for this symbol.');
  p.integer('strategyId');
  p.integer('strategyType');
  p.enumOf('selfTradePreventionMode', ['NONE'], () => binanceErrors.invalidData('selfTradePreventionMode'));

  let timeInForce: FakeTimeInForce | undefined;
  if (type === 'LIMIT') {
    const tif = p.required('timeInForce');
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') throw binanceErrors.invalidTimeInForce();
    timeInForce = tif;
  } else if (p.has('timeInForce')) throw binanceErrors.notRequired('timeInForce');

  let price;
  if (type === 'MARKET') {
    if (p.has('price')) throw binanceErrors.notRequired('price');
  } else price = p.requiredDecimal('price');

  let quantity;
  let quoteOrderQty;
  if (type === 'MARKET') {
    quantity = p.decimal('quantity');
    quoteOrderQty = p.decimal('quoteOrderQty');
    if (quantity === undefined && quoteOrderQty === undefined) throw binanceErrors.eitherMandatory('quantity', 'quoteOrderQty');
    if (quantity !== undefined && quoteOrderQty !== undefined) throw binanceErrors.notRequired('quoteOrderQty');
  } else {
    if (p.has('quoteOrderQty')) throw binanceErrors.notRequired('quoteOrderQty');
    quantity = p.requiredDecimal('quantity');
  }

  const responseType =
    p.enumOf('newOrderRespType', ['ACK', 'RESULT', 'FULL'] as const, () => binanceErrors.invalidData('newOrderRespType')) ??
    (type === 'LIMIT_MAKER' ? 'ACK' : 'FULL');

  return {
    request: {
      symbol,
      side: side satisfies Side,
      type,
      timeInForce,
      price,
      quantity,
      quoteOrderQty,
      newClientOrderId: clientOrderIdParam(p, 'newClientOrderId'),
    },
    responseType,
  };
}
