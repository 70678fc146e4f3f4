import { describe, expect, it } from 'vitest';
import { testOrder } from '@autotrader/testkit';
import { AutotraderError, Decimal, makeInstrument, price, quantity, ZERO, money, type OrderSnapshot } from '@autotrader/core';
import {
  formatDecimal,
  instrumentIdOf,
  ORDER_TYPE_FROM_VENUE,
  orderParams,
  orderTypeToVenue,
  rejectReasonCode,
  SIDE_FROM_VENUE,
  SIDE_TO_VENUE,
  STATUS_FROM_VENUE,
  symbolOf,
  TIF_FROM_VENUE,
  timeInForceToVenue,
} from './mapping';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

function order(over: Partial<OrderSnapshot>): OrderSnapshot {
  return testOrder({ clientOrderId: 'at-1', instrumentId: 'BTCUSDT.BINANCE', quantity: quantity('0.5'), price: price('30000.5'), ...over });
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AutotraderError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('enum tables', () => {
  it('maps sides both ways', () => {
    expect(SIDE_TO_VENUE).toEqual({ buy: 'BUY', sell: 'SELL' });
    expect(SIDE_FROM_VENUE).toEqual({ BUY: 'buy', SELL: 'sell' });
  });

  it('maps every Binance order status', () => {
    expect(STATUS_FROM_VENUE).toEqual({
      NEW: 'accepted',
      PENDING_NEW: 'submitted',
      PARTIALLY_FILLED: 'partially_filled',
      FILLED: 'filled',
      CANCELED: 'canceled',
      PENDING_CANCEL: 'pending_cancel',
      REJECTED: 'rejected',
      EXPIRED: 'expired',
      EXPIRED_IN_MATCH: 'expired',
    });
  });

  it('maps Binance order types and TIFs to core', () => {
    expect(ORDER_TYPE_FROM_VENUE.LIMIT_MAKER).toBe('limit');
    expect(ORDER_TYPE_FROM_VENUE.STOP_LOSS).toBe('stop');
    expect(ORDER_TYPE_FROM_VENUE.STOP_LOSS_LIMIT).toBe('stop_limit');
    expect(ORDER_TYPE_FROM_VENUE.TAKE_PROFIT_LIMIT).toBe('stop_limit');
    expect(TIF_FROM_VENUE.GTX).toBe('GTC');
  });

  it('maps core order types to Binance, post-only limits to LIMIT_MAKER', () => {
    expect(orderTypeToVenue('market', false)).toBe('MARKET');
    expect(orderTypeToVenue('limit', false)).toBe('LIMIT');
    expect(orderTypeToVenue('limit', true)).toBe('LIMIT_MAKER');
    expect(orderTypeToVenue('stop', false)).toBe('STOP_LOSS');
    expect(orderTypeToVenue('stop_limit', false)).toBe('STOP_LOSS_LIMIT');
    expect(codeOf(() => orderTypeToVenue('trailing_stop', false))).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(codeOf(() => orderTypeToVenue('market', true))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('accepts GTC, IOC, FOK and refuses GTD and DAY', () => {
    expect(timeInForceToVenue('GTC')).toBe('GTC');
    expect(timeInForceToVenue('IOC')).toBe('IOC');
    expect(timeInForceToVenue('FOK')).toBe('FOK');
    expect(codeOf(() => timeInForceToVenue('GTD'))).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(codeOf(() => timeInForceToVenue('DAY'))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('maps reject reasons', () => {
    expect(rejectReasonCode('INSUFFICIENT_BALANCES')).toBe('INSUFFICIENT_FUNDS');
    expect(rejectReasonCode('GTX_ORDER_REJECT')).toBe('VENUE_REJECTED');
  });

  it('maps symbols and instrument ids', () => {
    expect(instrumentIdOf('BTCUSDT')).toBe('BTCUSDT.BINANCE');
    expect(symbolOf('BTCUSDT.BINANCE')).toBe('BTCUSDT');
    expect(codeOf(() => symbolOf('BTC-USD.COINBASE'))).toBe('INSTRUMENT_UNKNOWN');
    expect(codeOf(() => symbolOf('BTCUSDT'))).toBe('INSTRUMENT_UNKNOWN');
  });
});

describe('formatDecimal', () => {
  it('writes fixed-point with the instrument precision, never scientific notation', () => {
    expect(formatDecimal(new Decimal('1e-8'), 8)).toBe('0.00000001');
    expect(formatDecimal(new Decimal('1e21'), 2)).toBe('1000000000000000000000.00');
    expect(formatDecimal(new Decimal('0.5'), 5)).toBe('0.50000');
    expect(formatDecimal(new Decimal('42'), 0)).toBe('42');
    expect(formatDecimal(ZERO, 2)).toBe('0.00');
  });

  it('refuses to round silently', () => {
    expect(codeOf(() => formatDecimal(new Decimal('0.123'), 2, 'price'))).toBe('ORDER_INVALID');
  });
});

describe('orderParams', () => {
  it('builds a limit order with our client order id and RESULT responses', () => {
    expect(orderParams(order({}), btc)).toEqual([
      ['symbol', 'BTCUSDT'],
      ['side', 'BUY'],
      ['type', 'LIMIT'],
      ['timeInForce', 'GTC'],
      ['quantity', '0.50000'],
      ['price', '30000.50'],
      ['newClientOrderId', 'at-1'],
      ['newOrderRespType', 'RESULT'],
    ]);
  });

  it('builds a market order without price or TIF', () => {
    expect(orderParams(order({ type: 'market', side: 'sell', price: undefined, quantity: quantity('0.00001') }), btc)).toEqual([
      ['symbol', 'BTCUSDT'],
      ['side', 'SELL'],
      ['type', 'MARKET'],
      ['quantity', '0.00001'],
      ['newClientOrderId', 'at-1'],
      ['newOrderRespType', 'RESULT'],
    ]);
    expect(codeOf(() => orderParams(order({ type: 'market', timeInForce: 'FOK' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('builds post-only as LIMIT_MAKER without TIF', () => {
    const p = orderParams(order({ postOnly: true }), btc);
    expect(p).toContainEqual(['type', 'LIMIT_MAKER']);
    expect(p.find(([k]) => k === 'timeInForce')).toBeUndefined();
    expect(codeOf(() => orderParams(order({ postOnly: true, timeInForce: 'IOC' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('builds stops with stopPrice', () => {
    const stop = orderParams(order({ type: 'stop', price: undefined, triggerPrice: price('29000') }), btc);
    expect(stop).toContainEqual(['type', 'STOP_LOSS']);
    expect(stop).toContainEqual(['stopPrice', '29000.00']);
    expect(stop.find(([k]) => k === 'price')).toBeUndefined();
    const stopLimit = orderParams(order({ type: 'stop_limit', triggerPrice: price('29000'), timeInForce: 'IOC' }), btc);
    expect(stopLimit).toContainEqual(['type', 'STOP_LOSS_LIMIT']);
    expect(stopLimit).toContainEqual(['timeInForce', 'IOC']);
    expect(stopLimit).toContainEqual(['price', '30000.50']);
    expect(stopLimit).toContainEqual(['stopPrice', '29000.00']);
  });

  it('refuses orders missing a price or trigger, or with unsupported TIF', () => {
    expect(codeOf(() => orderParams(order({ price: undefined }), btc))).toBe('ORDER_INVALID');
    expect(codeOf(() => orderParams(order({ type: 'stop', price: undefined }), btc))).toBe('ORDER_INVALID');
    expect(codeOf(() => orderParams(order({ timeInForce: 'DAY' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(codeOf(() => orderParams(order({ type: 'trailing_stop' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
  });
});
