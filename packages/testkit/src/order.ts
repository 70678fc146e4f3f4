import { money, price, quantity, type Fill, type Order } from '@autotrader/core';

/**
 * An order as the engine would build it before sending: a buy limit GTC, `initialized`, nothing filled.
 * Tests name the fields they care about in `over`; everything else has a plain, valid default.
 */
export function testOrder(over: Partial<Order> = {}): Order {
  return {
    clientOrderId: 'test-1',
    instrumentId: 'X.SIM',
    side: 'buy',
    type: 'limit',
    quantity: quantity(1),
    price: price(100),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    status: 'initialized',
    filledQuantity: quantity(0),
    fees: money(0),
    tsCreated: 0,
    tsUpdated: 0,
    ...over,
  };
}

/**
 * A fill of {@link testOrder}'s defaults: a maker buy of 1 at 100, no fee, in USD. Tests name the fields
 * they care about in `over`; `tsInit` follows `tsEvent` unless given.
 */
export function testFill(over: Partial<Fill> = {}): Fill {
  return {
    clientOrderId: 'test-1',
    tradeId: 't-1',
    instrumentId: 'X.SIM',
    side: 'buy',
    price: price(100),
    quantity: quantity(1),
    fee: money(0),
    feeCurrency: 'USD',
    liquidity: 'maker',
    tsEvent: over.tsEvent ?? 0,
    tsInit: over.tsInit ?? over.tsEvent ?? 0,
    ...over,
  };
}
