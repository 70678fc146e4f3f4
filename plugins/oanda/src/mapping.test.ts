import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { money, price, quantity, type OrderSnapshot } from '@autotrader/core';
import { accountSummaryOf, balanceOf, venuePositionOf } from './account';
import { instrumentOf } from './instruments';
import {
  CLIENT_ORDER_IDS,
  fillOf,
  instrumentSchema,
  isHeartbeatLine,
  orderRequestBody,
  ourClientOrderId,
  parseTime,
  priceLineSchema,
  reasonCode,
  replaceRequestBody,
  summaryAnswerSchema,
  transactionSchema,
  wireClientOrderId,
} from './mapping';

const fixture = (name: string): any => JSON.parse(readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8'));
const lines = (name: string): unknown[] =>
  readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));

const EUR_RULES = { displayPrecision: 5, tradeUnitsPrecision: 0 };
const base: OrderSnapshot = {
  clientOrderId: 'at-7',
  instrumentId: 'EUR_USD.OANDA',
  side: 'sell',
  type: 'limit',
  quantity: quantity('500000'),
  price: price('1.25'),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  status: 'submitted',
  filledQuantity: quantity(0),
  fees: money(0),
  tsCreated: 0,
  tsUpdated: 0,
};

describe('times', () => {
  it('reads RFC3339 with nine fractional digits and UNIX seconds exactly, to the millisecond (truncated)', () => {
    expect(parseTime('2016-10-25T19:45:38.558056359Z')).toBe(Date.UTC(2016, 9, 25, 19, 45, 38, 558));
    expect(parseTime('1477424738.558999999')).toBe(1477424738558);
    expect(parseTime('2016-10-25T21:45:38.5+02:00')).toBe(Date.UTC(2016, 9, 25, 19, 45, 38, 500));
    expect(() => parseTime('yesterday')).toThrow(/neither RFC3339 nor UNIX/);
  });
});

describe('client order ids', () => {
  it('sends our ids unchanged, escapes the rest with ~, and reads back only what it wrote', () => {
    expect(wireClientOrderId('at-7')).toBe('at-7');
    expect(wireClientOrderId('a/b@c')).toBe('a~2fb~40c');
    expect(ourClientOrderId('a~2fb~40c')).toBe('a/b@c');
    expect(CLIENT_ORDER_IDS.decode('a~2D')).toBeUndefined();
    expect(ourClientOrderId('myID')).toBe('myID');
    expect(() => wireClientOrderId('x'.repeat(129))).toThrow(/ORDER_INVALID|characters/);
  });
});

describe('order requests', () => {
  it('a limit sell as the captured request: signed units, price at display precision, our id in clientExtensions', () => {
    expect(orderRequestBody(base, EUR_RULES)).toEqual({
      order: { type: 'LIMIT', instrument: 'EUR_USD', units: '-500000', price: '1.25000', timeInForce: 'GTC', positionFill: 'DEFAULT', clientExtensions: { id: 'at-7' } },
    });
  });

  it('market FOK/IOC with priceBound, stop with its trigger, GTD with gtdTime, DAY as GFD, reduce-only as REDUCE_ONLY', () => {
    const m = orderRequestBody({ ...base, side: 'buy', type: 'market', price: undefined, quantity: quantity('100') }, EUR_RULES).order;
    expect(m).toMatchObject({ type: 'MARKET', units: '100', timeInForce: 'FOK' });
    expect(m.priceBound).toBeUndefined();
    expect(orderRequestBody({ ...base, type: 'market', timeInForce: 'IOC', price: price('1.2') }, EUR_RULES).order).toMatchObject({ timeInForce: 'IOC', priceBound: '1.20000' });
    expect(orderRequestBody({ ...base, type: 'stop', price: undefined, triggerPrice: price('1.3'), reduceOnly: true }, EUR_RULES).order).toMatchObject({ type: 'STOP', price: '1.30000', positionFill: 'REDUCE_ONLY' });
    expect(orderRequestBody({ ...base, timeInForce: 'GTD', expireAt: Date.UTC(2030, 0, 1) }, EUR_RULES).order).toMatchObject({ timeInForce: 'GTD', gtdTime: '2030-01-01T00:00:00.000Z' });
    expect(orderRequestBody({ ...base, timeInForce: 'DAY' }, EUR_RULES).order).toMatchObject({ timeInForce: 'GFD' });
    expect(orderRequestBody({ ...base, side: 'buy', type: 'market_if_touched', price: undefined, triggerPrice: price('1.1') }, EUR_RULES).order).toMatchObject({ type: 'MARKET_IF_TOUCHED', price: '1.10000', units: expect.not.stringMatching(/^-/) });
    expect(() => orderRequestBody({ ...base, type: 'market_if_touched', price: undefined, triggerPrice: price('1.1'), timeInForce: 'IOC' }, EUR_RULES)).toThrow(expect.objectContaining({ code: 'ORDER_TYPE_UNSUPPORTED' }));
  });

  it('refuses what OANDA lacks or would refuse, before anything is sent', () => {
    expect(() => orderRequestBody({ ...base, type: 'stop_limit', triggerPrice: price('1.3') }, EUR_RULES)).toThrow(expect.objectContaining({ code: 'ORDER_TYPE_UNSUPPORTED' }));
    expect(() => orderRequestBody({ ...base, type: 'trailing_stop' }, EUR_RULES)).toThrow(expect.objectContaining({ code: 'ORDER_TYPE_UNSUPPORTED' }));
    expect(() => orderRequestBody({ ...base, type: 'market', price: undefined, timeInForce: 'GTD' }, EUR_RULES)).toThrow(expect.objectContaining({ code: 'ORDER_TYPE_UNSUPPORTED' }));
    expect(() => orderRequestBody({ ...base, price: price('1.250001') }, EUR_RULES)).toThrow(expect.objectContaining({ code: 'TICK_SIZE' }));
    expect(() => orderRequestBody({ ...base, quantity: quantity('1.5') }, EUR_RULES)).toThrow(expect.objectContaining({ code: 'LOT_SIZE' }));
  });

  it('a replacement keeps the type, time in force and client id, with the new price', () => {
    expect(replaceRequestBody(base, { price: price('1.24') }, EUR_RULES).order).toMatchObject({ type: 'LIMIT', price: '1.24000', units: '-500000', clientExtensions: { id: 'at-7' } });
  });
});

describe('captured answers', () => {
  it('the trade-close fill: side from the units, pl as the account P/L, the deprecated price when the legs have none, closes', () => {
    const tx = transactionSchema.parse(fixture('trades__v3_account_accountID_trades_close.json').response.orderFillTransaction);
    const fill = fillOf(tx, { clientOrderId: 'x' }, 'USD', 5);
    expect(fill).toMatchObject({ side: 'sell', tradeId: '2317', venueOrderId: '2316', instrumentId: 'EUR_USD.OANDA', feeCurrency: 'USD', closes: true, tsInit: 5 });
    expect(fill.price.toString()).toBe('1.09289');
    expect(fill.quantity.toString()).toBe('100');
    expect(fill.accountPnl?.toString()).toBe('-0.1455');
    expect(fill.fee.toString()).toBe('0');
    expect(fill.tsEvent).toBe(Date.UTC(2016, 9, 28, 15, 11, 58, 23));
  });

  it('the replace answer: a REPLACEMENT create naming the order it replaces, and its CLIENT_REQUEST_REPLACED cancel', () => {
    const r = fixture('orders__v3_accounts_accountID_order_replace.json').response;
    const create = transactionSchema.parse(r.orderCreateTransaction);
    expect(create).toMatchObject({ reason: 'REPLACEMENT', replacesOrderID: '2304', clientExtensions: { id: 'myID' } });
    expect(transactionSchema.parse(r.orderCancelTransaction)).toMatchObject({ reason: 'CLIENT_REQUEST_REPLACED', replacedByOrderID: '2307' });
  });

  it('instruments: a CFD (EU50_EUR) as fx with base and quote from the name, tick and lot from the precisions', () => {
    const raw = fixture('accounts__v3_account_by_accountID_instruments.json').response.instruments;
    const eu50 = instrumentOf(instrumentSchema.parse(raw[0]));
    expect(eu50.instrument).toMatchObject({ id: 'EU50_EUR.OANDA', assetClass: 'fx', base: 'EU50', quote: 'EUR', pipLocation: 0 });
    expect(eu50.instrument.tickSize.toString()).toBe('0.1');
    expect(eu50.instrument.lotSize.toString()).toBe('1');
    expect(eu50.instrument.maxQuantity?.toString()).toBe('3000');
    expect(eu50.instrument.marginRate?.toString()).toBe('0.05');
    for (const i of raw) expect(() => instrumentOf(instrumentSchema.parse(i))).not.toThrow();
  });

  it('the summary as a margin account in its currency; the balance with the margin used as locked', () => {
    const s = summaryAnswerSchema.parse(fixture('accounts__v3_account_by_accountID_summary.json').response).account;
    const a = accountSummaryOf(s, 1);
    expect(a).toMatchObject({ accountType: 'margin', baseCurrency: 'EUR' });
    expect([a.balance, a.nav, a.marginUsed, a.marginAvailable, a.unrealizedPnl].map(String)).toEqual(['35454.474', '35454.474', '10581.5', '24872.974', '0']);
    const b = balanceOf(s, 1);
    expect([b.total, b.free, b.locked].map(String)).toEqual(['35454.474', '24872.974', '10581.5']);
  });

  it('open positions: net units, and the legs apart on a hedging account', () => {
    const [de30, eur] = fixture('positions__v3_accounts_accountID_openpositions.json').response.positions;
    expect(venuePositionOf(de30, false)).toEqual({ instrumentId: 'DE30_EUR.OANDA', quantity: quantity('10'), averagePrice: price('10678.3') });
    const hedged = venuePositionOf(eur, true)!;
    expect(hedged.quantity.toString()).toBe('-100');
    expect(hedged.short?.averagePrice.toString()).toBe('1.09843');
    expect(hedged.long).toBeUndefined();
  });

  it('stream lines: PRICE lines parse, HEARTBEATs of both streams are heartbeats', () => {
    const pricing = lines('pricing__v3_accounts_accountID_pricing_stream.jsonl');
    const prices = pricing.filter((l) => !isHeartbeatLine(l));
    expect(prices.length).toBeGreaterThan(0);
    for (const p of prices) expect(priceLineSchema.safeParse(p).success).toBe(true);
    expect(pricing.some(isHeartbeatLine)).toBe(true);
    expect(lines('transactions__v3_accounts_transactions_stream.jsonl').every(isHeartbeatLine)).toBe(true);
  });
});

describe('reasons', () => {
  it('maps reject and cancel reasons to codes', () => {
    expect(reasonCode('INSUFFICIENT_MARGIN')).toBe('INSUFFICIENT_MARGIN');
    expect(reasonCode('ORDER_DOESNT_EXIST')).toBe('ORDER_UNKNOWN');
    expect(reasonCode('UNITS_MIMIMUM_NOT_MET')).toBe('LOT_SIZE');
    expect(reasonCode('PRICE_BOUND_INVALID')).toBe('ORDER_INVALID');
    expect(reasonCode('BOUNDS_VIOLATION')).toBe('VENUE_REJECTED');
  });
});
