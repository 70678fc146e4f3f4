import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAutotraderError, money, price, quantity, type OrderSnapshot } from '@autotrader/core';
import {
  accountsPageSchema,
  balancesOf,
  createOrderBody,
  createOrderError,
  createOrderResponseSchema,
  fillOf,
  fillsPageSchema,
  instrumentIdOf,
  marketQuoteConfiguration,
  orderAnswerSchema,
  ordersPageSchema,
  orderStateOf,
  ourClientOrderId,
  productIdOf,
  wireClientOrderId,
} from './mapping';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

const order = (o: Partial<OrderSnapshot>): OrderSnapshot => ({
  clientOrderId: 'at-1',
  instrumentId: 'ADA-USDT.COINBASE',
  side: 'buy',
  type: 'limit',
  quantity: quantity('4'),
  price: price('0.2'),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  status: 'initialized',
  filledQuantity: quantity(0),
  fees: money(0),
  tsCreated: 0,
  tsUpdated: 0,
  ...o,
});

/** A create-order body without its client order id, as ccxt's static request tests compare them. */
const body = (o: Partial<OrderSnapshot>): unknown => {
  const { client_order_id, ...rest } = createOrderBody(order(o));
  expect(client_order_id).toBe(o.clientOrderId ?? 'at-1');
  return rest;
};

describe('order configurations (ccxt static request examples)', () => {
  it('builds the documented bodies: limit GTC, post-only, market by base size, IOC, stop-limit', () => {
    expect(body({})).toEqual({ product_id: 'ADA-USDT', side: 'BUY', order_configuration: { limit_limit_gtc: { base_size: '4', limit_price: '0.2', post_only: false } } });
    expect(body({ quantity: quantity('10'), price: price('0.25'), postOnly: true })).toEqual({
      product_id: 'ADA-USDT',
      side: 'BUY',
      order_configuration: { limit_limit_gtc: { base_size: '10', limit_price: '0.25', post_only: true } },
    });
    expect(body({ side: 'sell', type: 'market', quantity: quantity('10'), price: undefined, timeInForce: 'IOC' })).toEqual({
      product_id: 'ADA-USDT',
      side: 'SELL',
      order_configuration: { market_market_ioc: { base_size: '10' } },
    });
    expect(body({ instrumentId: 'DOGE-USDT.COINBASE', quantity: quantity('10'), price: price('0.05'), timeInForce: 'IOC' })).toEqual({
      product_id: 'DOGE-USDT',
      side: 'BUY',
      order_configuration: { sor_limit_ioc: { base_size: '10', limit_price: '0.05' } },
    });
    expect(body({ type: 'stop_limit', side: 'sell', quantity: quantity('10'), price: price('0.25'), triggerPrice: price('0.2') })).toEqual({
      product_id: 'ADA-USDT',
      side: 'SELL',
      order_configuration: { stop_limit_stop_limit_gtc: { base_size: '10', limit_price: '0.25', stop_price: '0.2', stop_direction: 'STOP_DIRECTION_STOP_DOWN' } },
    });
  });

  it('builds GTD and FOK configurations with the end time in RFC 3339', () => {
    const expireAt = Date.UTC(2026, 5, 1, 12);
    expect(createOrderBody(order({ timeInForce: 'GTD', expireAt })).order_configuration).toEqual({ limit_limit_gtd: { base_size: '4', limit_price: '0.2', end_time: '2026-06-01T12:00:00.000Z', post_only: false } });
    expect(createOrderBody(order({ timeInForce: 'FOK' })).order_configuration).toEqual({ limit_limit_fok: { base_size: '4', limit_price: '0.2' } });
    expect(createOrderBody(order({ type: 'stop_limit', triggerPrice: price('0.3'), timeInForce: 'GTD', expireAt })).order_configuration).toEqual({
      stop_limit_stop_limit_gtd: { base_size: '4', limit_price: '0.2', stop_price: '0.3', stop_direction: 'STOP_DIRECTION_STOP_UP', end_time: '2026-06-01T12:00:00.000Z' },
    });
  });

  it.each([
    [{ type: 'stop' as const, triggerPrice: price('1') }, 'ORDER_TYPE_UNSUPPORTED'],
    [{ type: 'trailing_stop' as const }, 'ORDER_TYPE_UNSUPPORTED'],
    [{ timeInForce: 'DAY' as const }, 'ORDER_TYPE_UNSUPPORTED'],
    [{ type: 'market' as const, timeInForce: 'FOK' as const }, 'ORDER_TYPE_UNSUPPORTED'],
    [{ type: 'stop_limit' as const, triggerPrice: price('1'), timeInForce: 'IOC' as const }, 'ORDER_TYPE_UNSUPPORTED'],
    [{ timeInForce: 'IOC' as const, postOnly: true }, 'ORDER_TYPE_UNSUPPORTED'],
    [{ timeInForce: 'GTD' as const }, 'ORDER_INVALID'],
    [{ price: undefined }, 'ORDER_INVALID'],
  ])('refuses %o before anything is sent (%s)', (o, code) => {
    try {
      createOrderBody(order(o));
      expect.unreachable();
    } catch (error) {
      expect(isAutotraderError(error, code as 'ORDER_INVALID')).toBe(true);
    }
  });

  it('builds a market buy by quote size (ccxt example: spend 5 USDT)', () => {
    expect(marketQuoteConfiguration(money('5'))).toEqual({ market_market_ioc: { quote_size: '5' } });
  });

  it('sends our client order ids unchanged and reads them back', () => {
    expect(wireClientOrderId('at-7/x')).toBe('at-7/x');
    expect(ourClientOrderId('a0f970a2-05fa-4e1f-9517-f6702c33cfd1')).toBe('a0f970a2-05fa-4e1f-9517-f6702c33cfd1');
    expect(productIdOf(instrumentIdOf('BTC-USD'))).toBe('BTC-USD');
  });
});

describe('answers', () => {
  it('reads an order (documentation example): open, half filled, limit price', () => {
    const o = orderAnswerSchema.parse(fixture('http_order.json')).order;
    expect(orderStateOf(o)).toEqual({
      clientOrderId: '11111-000000-000000',
      venueOrderId: '0000-000000-000000',
      instrumentId: 'BTC-USD.COINBASE',
      status: 'partially_filled',
      side: 'buy',
      quantity: quantity('0.001'),
      filledQuantity: quantity('0.001'),
      price: price('10000.00'),
    });
  });

  it('reads a real filled market sell and its fill (ccxt captures): commission in the quote currency', () => {
    const o = ordersPageSchema.parse(fixture('orders_historical_batch_filled_market_sell.json')).orders[0]!;
    const state = orderStateOf(o);
    expect(state.status).toBe('filled');
    expect(state.quantity.toFixed()).toBe('10');
    expect(state.price).toBeUndefined();
    const f = fillsPageSchema.parse(fixture('orders_historical_fills_spot.json')).fills[0]!;
    const fill = fillOf(f, state.clientOrderId, 5);
    expect(fill).toMatchObject({ clientOrderId: 'a0f970a2-05fa-4e1f-9517-f6702c33cfd1', venueOrderId: o.order_id, tradeId: '19fc7eee-f4b4-40a7-8104-033da1db5311', instrumentId: 'ADA-USDT.COINBASE', side: 'sell', feeCurrency: 'USDT', liquidity: 'taker', tsEvent: Date.parse('2023-11-26T10:19:47.504Z'), tsInit: 5 });
    expect([fill.price.toFixed(), fill.quantity.toFixed(), fill.fee.toFixed()]).toEqual(['0.392', '10', '0.03136']);
  });

  it('turns a quote-sized fill into base quantity', () => {
    const f = { ...fillsPageSchema.parse(fixture('http_fills.json')).fills[0]!, size: '225.6172500', size_in_quote: true };
    expect(fillOf(f, 'x', 0).quantity.toFixed()).toBe('0.005');
    expect(fillOf(f, 'x', 0).liquidity).toBe('maker');
  });

  it('reads balances: available is free, hold is locked', () => {
    const b = balancesOf(accountsPageSchema.parse(fixture('http_accounts.json')), 9);
    expect(b.map((x) => [x.currency, x.free.toFixed(), x.locked.toFixed(), x.total.toFixed()])).toEqual([
      ['BTC', '1.23456789', '0.005', '1.23956789'],
      ['USD', '10000.5', '450', '10450.5'],
    ]);
  });

  it('maps refused orders by their failure reason, the new-order reason first', () => {
    const refused = (e: Record<string, string>) => createOrderError(createOrderResponseSchema.parse({ success: false, error_response: e }), 'at-9');
    const funds = refused({ error: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account', preview_failure_reason: 'PREVIEW_INSUFFICIENT_FUND', new_order_failure_reason: 'UNKNOWN_FAILURE_REASON' });
    expect(funds.code).toBe('INSUFFICIENT_FUNDS');
    expect(funds.details).toMatchObject({ venueCode: 'PREVIEW_INSUFFICIENT_FUND', clientOrderId: 'at-9' });
    expect(refused({ error: 'UNKNOWN_FAILURE_REASON', new_order_failure_reason: 'INVALID_PRICE_PRECISION', preview_failure_reason: 'UNKNOWN_PREVIEW_FAILURE_REASON' }).code).toBe('TICK_SIZE');
    expect(refused({ error: 'UNSUPPORTED_ORDER_CONFIGURATION' }).code).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(refused({ error: 'SOMETHING_NEW' }).code).toBe('VENUE_REJECTED');
  });
});
