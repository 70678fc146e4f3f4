import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Decimal, price, quantity, type OrderSnapshot } from '@autotrader/core';
import {
  amendOrderBody,
  balanceAnswerSchema,
  balancesOf,
  errorCodeOf,
  failingCodeOf,
  feeOf,
  fillOfPush,
  instIdOf,
  instrumentIdOf,
  isAmendable,
  marketBuyByQuoteBody,
  okxError,
  orderAckSchema,
  ordersAnswerSchema,
  orderStateOf,
  ourClientOrderId,
  placeOrderBody,
  venueOrderSchema,
  wireClientOrderId,
} from './mapping';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

const order = (o: Partial<OrderSnapshot> = {}): OrderSnapshot =>
  ({
    clientOrderId: 'at-7',
    instrumentId: 'BTC-USDT.OKX',
    side: 'buy',
    type: 'limit',
    quantity: quantity('0.01'),
    price: price('30000'),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    filledQuantity: quantity('0'),
    status: 'accepted',
    ...o,
  }) as unknown as OrderSnapshot;

describe('OKX ids', () => {
  it('maps instrument ids both ways', () => {
    expect(instrumentIdOf('BTC-USDT')).toBe('BTC-USDT.OKX');
    expect(instIdOf('BTC-USDT.OKX')).toBe('BTC-USDT');
  });

  it('sends client order ids as 1-32 letters and digits, stable, and reads them back', () => {
    expect(wireClientOrderId('at-7')).toBe('atZ2d7');
    expect(wireClientOrderId('at-7')).toBe(wireClientOrderId('at-7'));
    expect(ourClientOrderId('atZ2d7')).toBe('at-7');
    // A clOrdId another tool made is reported as it is.
    expect(ourClientOrderId('001BTCUSDT20250106001')).toBe('001BTCUSDT20250106001');
    expect(() => wireClientOrderId('x'.repeat(33))).toThrow(/ORDER_INVALID|32/);
  });
});

describe('OKX order parameters', () => {
  it('places a spot limit order as a cash trade (the shape ccxt sends, fixture request_examples.json)', () => {
    const ccxt = JSON.parse(fixture('request_examples.json').requests[0].body)[0];
    const body = placeOrderBody(order({ instrumentId: 'LTC-USDT.OKX', quantity: quantity('2'), price: price('50') }));
    expect(body).toEqual({ instId: 'LTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '2', px: '50', clOrdId: 'atZ2d7' });
    for (const k of ['instId', 'side', 'ordType', 'sz', 'tdMode', 'px'] as const) expect(body[k]).toBe(ccxt[k]);
  });

  it('sizes a market buy in the base currency with tgtCcy base_ccy (OKX defaults a market buy to the quote)', () => {
    const ccxt = JSON.parse(fixture('request_examples.json').requests[1].body)[0];
    const body = placeOrderBody(order({ instrumentId: 'LTC-USDT.OKX', type: 'market', price: undefined, quantity: quantity('0.1'), timeInForce: 'IOC' }));
    expect(body).toEqual({ instId: 'LTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '0.1', clOrdId: 'atZ2d7', tgtCcy: 'base_ccy' });
    expect(body.tgtCcy).toBe(ccxt.tgtCcy);
    expect(placeOrderBody(order({ side: 'sell', type: 'market', price: undefined, timeInForce: 'IOC' })).tgtCcy).toBeUndefined();
    expect(marketBuyByQuoteBody('q-1', 'BTC-USDT.OKX', new Decimal('100'))).toEqual({ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '100', clOrdId: 'qZ2d1', tgtCcy: 'quote_ccy' });
  });

  it('maps post-only, FOK and IOC limits to their ordType, and refuses what OKX spot has not', () => {
    expect(placeOrderBody(order({ postOnly: true })).ordType).toBe('post_only');
    expect(placeOrderBody(order({ timeInForce: 'FOK' })).ordType).toBe('fok');
    expect(placeOrderBody(order({ timeInForce: 'IOC' })).ordType).toBe('ioc');
    expect(() => placeOrderBody(order({ timeInForce: 'GTD' }))).toThrow(/no limit GTD/);
    expect(() => placeOrderBody(order({ type: 'stop_limit' }))).toThrow(/ORDER_TYPE_UNSUPPORTED|no stop_limit/);
    expect(() => placeOrderBody(order({ postOnly: true, timeInForce: 'IOC' }))).toThrow(/post-only/);
    expect(() => placeOrderBody(order({ price: undefined }))).toThrow(/needs a price/);
  });

  it('amends with newSz counting what filled, cxlOnFail false and the reqId', () => {
    const partly = order({ quantity: quantity('1'), filledQuantity: quantity('0.4') });
    expect(amendOrderBody(partly, { quantity: quantity('0.7') }, 'r1')).toEqual({ instId: 'BTC-USDT', clOrdId: 'atZ2d7', reqId: 'r1', cxlOnFail: false, newSz: '0.7' });
    expect(amendOrderBody(partly, { price: price('29990') }, 'r2')).toEqual({ instId: 'BTC-USDT', clOrdId: 'atZ2d7', reqId: 'r2', cxlOnFail: false, newPx: '29990' });
    expect(isAmendable(partly, { quantity: quantity('0.7') })).toBe(true);
    // At or below what filled, nothing would rest: cancel-replace (by the engine) instead.
    expect(isAmendable(partly, { quantity: quantity('0.4') })).toBe(false);
    expect(isAmendable(order({ timeInForce: 'IOC' }), { price: price('1') })).toBe(false);
    expect(isAmendable(order({ type: 'market' }), { quantity: quantity('1') })).toBe(false);
  });
});

describe('OKX answers', () => {
  it('reads the place-order answer item (fixture http_place_order_response.json)', () => {
    expect(orderAckSchema.parse(fixture('http_place_order_response.json'))).toMatchObject({ ordId: '12345678901234567890', clOrdId: 'client_order_123', sCode: '0' });
  });

  it('reads a pending order (fixture http_get_orders_pending.json)', () => {
    const [o] = ordersAnswerSchema.parse(fixture('http_get_orders_pending.json')).data;
    expect(orderStateOf(o!)).toEqual({
      clientOrderId: 'client-order-1',
      venueOrderId: '1234567890123456789',
      instrumentId: 'BTC-USDT-SWAP.OKX',
      status: 'accepted',
      side: 'buy',
      quantity: quantity('0.10'),
      filledQuantity: quantity('0'),
      price: price('103500'),
    });
  });

  it('reads every order state, mmp_canceled as a cancel', () => {
    const base = ordersAnswerSchema.parse(fixture('http_get_orders_pending.json')).data[0]!;
    const status = (state: string, accFillSz = '0') => orderStateOf({ ...base, state, accFillSz }).status;
    expect(status('live')).toBe('accepted');
    expect(status('partially_filled', '0.02')).toBe('partially_filled');
    expect(status('filled', '0.10')).toBe('filled');
    expect(status('canceled')).toBe('canceled');
    expect(status('mmp_canceled')).toBe('canceled');
  });

  it('turns an orders push into one fill: OKX charges with a negative fee, ours is positive (fixture ws_orders.json)', () => {
    const o = venueOrderSchema.parse(fixture('ws_orders.json').data[0]);
    const fill = fillOfPush(o, ourClientOrderId(o.clOrdId!), 5, { fee: feeOf(o.fee), feeCcy: o.feeCcy! })!;
    expect(fill).toMatchObject({ clientOrderId: '001BTCUSDT20250106001', venueOrderId: '2497956918703120384', tradeId: '1518905529', side: 'buy', feeCurrency: 'USDT', liquidity: 'maker', tsEvent: 1746947317402, tsInit: 5 });
    expect(fill.price.toString()).toBe('103698.9');
    expect(fill.quantity.toString()).toBe('0.03');
    expect(fill.fee.toString()).toBe('0.021776769');
  });

  it('takes the per-fill fee from fillFee/fillFeeCcy, keeps a rebate as a negative cost, and never drops it', () => {
    const o = venueOrderSchema.parse({ ...fixture('ws_orders.json').data[0], fee: '-5', fillFee: '0.0012', fillFeeCcy: 'BTC' });
    const fill = fillOfPush(o, 'x', 0)!;
    expect(fill.fee.toString()).toBe('-0.0012');
    expect(fill.feeCurrency).toBe('BTC');
    expect(feeOf('-0.5').toString()).toBe('0.5');
    expect(feeOf('0.5').toString()).toBe('-0.5');
    expect(feeOf('').toString()).toBe('0');
  });

  it('finds no fill in a push without fillSz or tradeId', () => {
    const o = venueOrderSchema.parse(fixture('http_get_orders_pending.json').data[0]);
    expect(fillOfPush(o, 'x', 0)).toBeUndefined();
  });

  it('reads balances: availBal free, frozenBal locked, cashBal total (fixture http_get_account_balance.json)', () => {
    const res = balanceAnswerSchema.parse(fixture('http_get_account_balance.json'));
    const [b] = balancesOf(res.data[0]!.details, 0);
    expect(b!.currency).toBe('USDT');
    expect(b!.free.toString()).toBe('94.42612990333333');
    expect(b!.locked.toString()).toBe('5.468566666666667');
    expect(b!.total.toString()).toBe('94.42612990333333');
    expect(b!.tsEvent).toBe(1744498994783);
  });
});

describe('OKX errors', () => {
  it('reads the failing code from the item when the envelope says 1 (fixture http_place_algo_order_rejected.json)', () => {
    const body = fixture('http_place_algo_order_rejected.json');
    expect(failingCodeOf({ code: '1', msg: '', data: [{ sCode: '51008', sMsg: 'Insufficient balance' }] })).toEqual({ code: '51008', msg: 'Insufficient balance' });
    expect(failingCodeOf({ code: '50011', msg: 'Too Many Requests', data: [] })).toEqual({ code: '50011', msg: 'Too Many Requests' });
    expect(failingCodeOf(body).code).toBe(body.data[0].sCode);
  });

  it('maps the issue list of codes', () => {
    expect(errorCodeOf('50011')).toBe('RATE_LIMITED');
    expect(errorCodeOf('50001')).toBe('VENUE_UNAVAILABLE');
    expect(errorCodeOf('50013')).toBe('VENUE_UNAVAILABLE');
    expect(errorCodeOf('50004')).toBe('VENUE_TIMEOUT');
    expect(errorCodeOf('51008')).toBe('INSUFFICIENT_FUNDS');
    for (const c of ['51400', '51401', '51402', '51503', '51509', '51510', '51603']) expect(errorCodeOf(c)).toBe('ORDER_UNKNOWN');
    expect(errorCodeOf('59999')).toBe('VENUE_REJECTED');
  });

  it('says which environment a 50101 key belongs to', () => {
    const demo = okxError('50101', 'APIKey does not match current environment.', 'GET /api/v5/account/balance', true);
    expect(demo.code).toBe('AUTH_FAILED');
    expect(demo.message).toMatch(/a live key on the demo environment.*--mainnet/);
    const live = okxError('50101', '', 'GET /api/v5/account/balance', false);
    expect(live.message).toMatch(/a demo key on the live environment \(--mainnet\): remove --mainnet/);
    expect(demo.details.venueCode).toBe('50101');
  });
});
