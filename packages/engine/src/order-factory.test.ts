import { ClientOrderIdFactory, isAutotraderError, makeInstrument, type OrderIntent } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { buildOrder } from './order-factory';

const inst = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001', minQuantity: '0.0001', minNotional: '5' });
const build = (i: Partial<OrderIntent>, last = 30_000) =>
  buildOrder({ instrumentId: inst.id, side: 'buy', quantity: '0.01', ...i } as OrderIntent, inst, new ClientOrderIdFactory('t'), 1_000, last);
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isAutotraderError(e)) return e.code;
    throw e;
  }
  return 'accepted';
};

describe('buildOrder refuses numeric edge cases before anything reaches a venue', () => {
  it.each([
    ['zero quantity', { quantity: '0' }, 'ORDER_INVALID'],
    ['negative quantity', { quantity: -1 }, 'ORDER_INVALID'],
    ['NaN quantity', { quantity: Number.NaN }, 'ORDER_INVALID'],
    ['infinite quantity', { quantity: Number.POSITIVE_INFINITY }, 'ORDER_INVALID'],
    ['text quantity', { quantity: 'lots' }, 'ORDER_INVALID'],
    ['quantity off the lot', { quantity: '0.000015' }, 'LOT_SIZE'],
    ['quantity below the minimum', { quantity: '0.00005' }, 'LOT_SIZE'],
    ['price off the tick', { type: 'limit', price: '30000.005' }, 'TICK_SIZE'],
    ['zero price', { type: 'limit', price: 0 }, 'ORDER_INVALID'],
    ['negative price', { type: 'limit', price: '-1' }, 'ORDER_INVALID'],
    ['NaN price', { type: 'limit', price: Number.NaN }, 'ORDER_INVALID'],
    ['limit without price', { type: 'limit' }, 'ORDER_INVALID'],
    ['market with a price', { type: 'market', price: '30000' }, 'ORDER_INVALID'],
    ['stop without trigger', { type: 'stop' }, 'ORDER_INVALID'],
    ['trigger off the tick', { type: 'stop', triggerPrice: '29000.001' }, 'TICK_SIZE'],
    ['below min notional', { type: 'limit', price: '100', quantity: '0.01' }, 'MIN_NOTIONAL'],
    ['GTD in the past', { type: 'limit', price: '30000', timeInForce: 'GTD', expireAt: 500 }, 'ORDER_INVALID'],
    ['post-only market', { type: 'market', postOnly: true }, 'ORDER_INVALID'],
  ] as const)('%s → %s', (_name, intent, code) => {
    expect(codeOf(() => build(intent as Partial<OrderIntent>))).toBe(code);
  });

  it('accepts a well-formed order and keeps its values exact', () => {
    const o = build({ type: 'limit', price: '30000.01', quantity: '0.01234' });
    expect(o.price!.toString()).toBe('30000.01');
    expect(o.quantity.toString()).toBe('0.01234');
    expect(o.status).toBe('initialized');
    expect(o.clientOrderId).toBe('t-1');
  });

  it('values a market order at the last price for the min-notional check', () => {
    expect(codeOf(() => build({ quantity: '0.0001' }, 30_000))).toBe('MIN_NOTIONAL');
    expect(codeOf(() => build({ quantity: '0.001' }, 30_000))).toBe('accepted');
  });
});
