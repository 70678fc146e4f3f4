import { Decimal, money, price, quantity, type Fill, type Order } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, type JournalEntry } from './codec';

const order: Order = {
  clientOrderId: 'at1-7',
  venueOrderId: 'V123',
  instrumentId: 'BTCUSDT.BINANCE',
  side: 'sell',
  type: 'stop_limit',
  quantity: quantity('0.00000001'),
  price: price('123456789012345678.123456789'),
  triggerPrice: price('0.1'),
  trailingOffset: price('2.5'),
  timeInForce: 'GTD',
  expireAt: 1_700_000_123_456,
  postOnly: false,
  reduceOnly: true,
  status: 'submitted',
  filledQuantity: quantity('0'),
  averagePrice: price('0.30000000000000000000000000000001'),
  fees: money('-0.0000001'),
  tsCreated: 1_700_000_000_000,
  tsUpdated: 1_700_000_000_001,
  rejection: { code: 'TICK_SIZE', message: 'off the grid' },
  tag: 'grid #3 "quoted"',
};

const fill: Fill = {
  clientOrderId: 'at1-7',
  venueOrderId: 'V123',
  tradeId: 'T9',
  instrumentId: 'BTCUSDT.BINANCE',
  side: 'sell',
  price: price('0.1'),
  quantity: quantity('0.2'),
  fee: money('0.00000000000000000001'),
  feeCurrency: 'BNB',
  liquidity: 'taker',
  tsEvent: 5,
  tsInit: 6,
};

const every: JournalEntry[] = [
  { t: 'session', ts: 1, prefix: 'at1', venue: 'BINANCE' },
  { t: 'submit', ts: 2, order },
  { t: 'cancel', ts: 3, clientOrderId: 'at1-7' },
  { t: 'modify', ts: 4, clientOrderId: 'at1-7', changes: { quantity: '0.5', price: '100.25', triggerPrice: '99' } },
  { t: 'modify', ts: 4, clientOrderId: 'at1-7', changes: { price: '100.5' } },
  { t: 'report', ts: 5, report: { kind: 'accepted', clientOrderId: 'at1-7', venueOrderId: 'V123', tsEvent: 5 } },
  { t: 'report', ts: 5, report: { kind: 'rejected', clientOrderId: 'at1-7', code: 'VENUE_REJECTED', reason: 'no', tsEvent: 5 } },
  { t: 'report', ts: 5, report: { kind: 'canceled', clientOrderId: 'at1-7', tsEvent: 5, reason: 'user' } },
  { t: 'report', ts: 5, report: { kind: 'expired', clientOrderId: 'at1-7', tsEvent: 5 } },
  { t: 'report', ts: 5, report: { kind: 'updated', clientOrderId: 'at1-7', venueOrderId: 'V124', quantity: quantity('1.5'), price: price('7.77'), triggerPrice: price('7'), tsEvent: 5 } },
  { t: 'report', ts: 5, report: { kind: 'cancelRejected', clientOrderId: 'at1-7', reason: 'too late', tsEvent: 5 } },
  { t: 'report', ts: 5, report: { kind: 'modifyRejected', clientOrderId: 'at1-7', reason: 'too late', tsEvent: 5 } },
  { t: 'report', ts: 6, report: { kind: 'fill', fill } },
  { t: 'status', ts: 7, clientOrderId: 'at1-7', status: 'rejected', reason: 'max position', code: 'ORDER_INVALID' },
  { t: 'status', ts: 8, clientOrderId: 'at1-7', status: 'canceled' },
];

/** Every Decimal in a value, by its path, as exact text. */
function decimals(value: unknown, path = '', out: Record<string, string> = {}): Record<string, string> {
  if (value instanceof Decimal) out[path] = value.toFixed();
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) decimals(v, `${path}.${k}`, out);
  return out;
}

describe('journal codec', () => {
  it.each(every.map((e, i) => [`${i} ${e.t}${e.t === 'report' ? ` ${e.report.kind}` : ''}`, e] as const))('round-trips %s exactly', (_, entry) => {
    const line = encodeEntry(entry);
    expect(line).not.toContain('\n');
    const back = decodeEntry(line);
    if (!back.ok) throw new Error(back.error);
    expect(back.entry).toEqual(entry);
    // toEqual would pass for Decimals of different value only if their internals matched; compare the text too.
    expect(decimals(back.entry)).toEqual(decimals(entry));
  });

  it('restores Decimals as Decimal instances, not strings', () => {
    const back = decodeEntry(encodeEntry({ t: 'submit', ts: 2, order }));
    if (!back.ok || back.entry.t !== 'submit') throw new Error('decode failed');
    expect(back.entry.order.price).toBeInstanceOf(Decimal);
    expect(back.entry.order.price!.toFixed()).toBe('123456789012345678.123456789');
    expect(back.entry.order.quantity.plus(back.entry.order.quantity).toFixed()).toBe('0.00000002');
    expect(back.entry.order.averagePrice!.toFixed()).toBe('0.30000000000000000000000000000001');
  });

  it('writes decimals as strings so no amount passes through a float', () => {
    const line = encodeEntry({ t: 'report', ts: 6, report: { kind: 'fill', fill } });
    expect(line).toContain('"price":"0.1"');
    expect(line).toContain('"fee":"0.00000000000000000001"');
  });

  it('leaves absent optional fields out', () => {
    const minimal: Order = { ...order, venueOrderId: undefined, price: undefined, averagePrice: undefined, rejection: undefined, tag: undefined };
    const line = encodeEntry({ t: 'submit', ts: 1, order: minimal });
    expect(line).not.toContain('venueOrderId');
    expect(line).not.toContain('averagePrice');
    const back = decodeEntry(line);
    expect(back.ok && back.entry.t === 'submit' && back.entry.order.price).toBe(undefined);
  });

  it.each([
    ['not JSON', '{"t":"cancel","ts":3,', /not JSON/],
    ['an unknown entry kind', '{"t":"explode","ts":1}', /t/],
    ['a decimal written as a JSON number', encodeEntry({ t: 'submit', ts: 2, order }).replace('"quantity":"0.00000001"', '"quantity":0.00000001'), /order\.quantity/],
    ['a decimal that is not a number', encodeEntry({ t: 'submit', ts: 2, order }).replace('"quantity":"0.00000001"', '"quantity":"abc"'), /order\.quantity/],
    ['an unknown order status', '{"t":"status","ts":1,"clientOrderId":"a-1","status":"done"}', /status/],
    ['an unknown error code', '{"t":"report","ts":1,"report":{"kind":"rejected","clientOrderId":"a-1","code":"NOPE","reason":"x","tsEvent":1}}', /report\.code/],
    ['a missing field', '{"t":"cancel","ts":3}', /clientOrderId/],
    ['an empty line', '', /not JSON/],
  ])('refuses %s and says where', (_, line, message) => {
    const back = decodeEntry(line);
    expect(back.ok).toBe(false);
    if (!back.ok) expect(back.error).toMatch(message);
  });
});
