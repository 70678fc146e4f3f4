import { makeInstrument } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { BTC, harness, MIN, T0, type Harness } from './test-harness';

/** The code and reason of the first report, which must be a rejection. */
function rejection(h: Harness): { code: string; reason: string } {
  const r = h.reports[0];
  if (r?.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(h.kinds())}`);
  return { code: r.code, reason: r.reason };
}

async function rejectedWith(fields: Parameters<Harness['submit']>[0], config = {}): Promise<{ code: string; reason: string }> {
  const h = await harness(config);
  h.bar(T0 + MIN, 100, 100, 100, 100);
  await h.submit(fields);
  h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
  expect(h.fills()).toEqual([]);
  return rejection(h);
}

describe('venue rules', () => {
  it('rejects a price off the tick grid with TICK_SIZE', async () => {
    expect(await rejectedWith({ type: 'limit', price: '99.995' })).toMatchObject({ code: 'TICK_SIZE', reason: expect.stringContaining('tick size 0.01') });
    expect((await rejectedWith({ type: 'stop', triggerPrice: '101.001' })).code).toBe('TICK_SIZE');
  });

  it('rejects a quantity off the lot grid, below the minimum or above the maximum with LOT_SIZE', async () => {
    expect((await rejectedWith({ quantity: '0.0015' })).code).toBe('LOT_SIZE');
    const h = await harness({}, [makeInstrument({ symbol: 'ETHUSD', venue: 'SIM', tickSize: '0.01', lotSize: '0.01', minQuantity: '0.1', maxQuantity: '50' })]);
    h.clock.advanceTo(T0 + MIN);
    h.bus.publish('bar', { instrumentId: 'ETHUSD.SIM', tsOpen: T0, tsEvent: T0 + MIN, tsInit: T0 + MIN, open: 10, high: 10, low: 10, close: 10, volume: 1 });
    await h.submit({ instrumentId: 'ETHUSD.SIM', quantity: '0.05' });
    await h.submit({ instrumentId: 'ETHUSD.SIM', quantity: '51' });
    h.clock.advanceTo(T0 + MIN + 1);
    expect(h.reports.map((r) => r.kind === 'rejected' && r.code)).toEqual(['LOT_SIZE', 'LOT_SIZE']);
  });

  it('rejects a notional below the minimum with MIN_NOTIONAL, valuing a market order at the last price', async () => {
    expect((await rejectedWith({ quantity: '0.05' })).code).toBe('MIN_NOTIONAL'); // 0.05 × 100 = 5 < 10
    expect((await rejectedWith({ type: 'limit', price: '50', quantity: '0.1' })).code).toBe('MIN_NOTIONAL');
  });

  it('rejects a buy larger than the free cash (notional + taker fee) with INSUFFICIENT_FUNDS, never shrinking it', async () => {
    const r = await rejectedWith({ quantity: '10' }, { startingBalances: { USD: '1000.5' }, fees: { taker: '0.001' } }); // needs 1001
    expect(r.code).toBe('INSUFFICIENT_FUNDS');
    expect(r.reason).toContain('1001');
  });

  it('rejects a sell beyond the position with INSUFFICIENT_FUNDS unless shorting is allowed', async () => {
    expect((await rejectedWith({ side: 'sell', quantity: '1' })).code).toBe('INSUFFICIENT_FUNDS');
    const h = await harness({ allowShort: true });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'sell', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    expect(h.kinds()).toEqual(['accepted', 'fill']);
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('100100');
  });

  it('locks cash for open buy limits, so a second order that does not fit is rejected, and frees it on cancel', async () => {
    const h = await harness({ startingBalances: { USD: '1000' } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    const first = await h.submit({ type: 'limit', price: '90', quantity: '10' }); // locks 900
    h.clock.advanceTo(T0 + MIN + 1);
    expect(h.venue.balanceOf('USD')).toMatchObject({ currency: 'USD' });
    expect(h.venue.balanceOf('USD')!.locked.toString()).toBe('900');
    await h.submit({ type: 'limit', price: '90', quantity: '2' });
    h.clock.advanceTo(T0 + MIN + 2);
    expect(h.of('C-2')).toMatchObject([{ kind: 'rejected', code: 'INSUFFICIENT_FUNDS' }]);
    await h.venue.cancel(first);
    h.clock.advanceTo(T0 + MIN + 3);
    expect(h.venue.balanceOf('USD')!.free.toString()).toBe('1000');
  });

  it('locks the position for open sells so two sells cannot sell it twice', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    await h.submit({ side: 'sell', type: 'limit', price: '120', quantity: '1' });
    await h.submit({ side: 'sell', type: 'limit', price: '130', quantity: '1' });
    h.clock.advanceTo(T0 + 2 * MIN + 1);
    expect(h.of('C-3')).toMatchObject([{ kind: 'rejected', code: 'INSUFFICIENT_FUNDS' }]);
  });

  it('rejects an unsupported order type or time in force with ORDER_TYPE_UNSUPPORTED', async () => {
    expect((await rejectedWith({ type: 'stop', triggerPrice: '110' }, { orderTypes: ['market', 'limit'] })).code).toBe('ORDER_TYPE_UNSUPPORTED');
    expect((await rejectedWith({ timeInForce: 'FOK' }, { timeInForce: ['GTC', 'IOC'] })).code).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('rejects malformed orders and market orders with no price yet with ORDER_INVALID', async () => {
    expect((await rejectedWith({ type: 'limit' })).code).toBe('ORDER_INVALID');
    expect((await rejectedWith({ type: 'trailing_stop', side: 'sell' })).code).toBe('ORDER_INVALID');
    expect((await rejectedWith({ timeInForce: 'GTD', expireAt: T0 })).code).toBe('ORDER_INVALID');
    const h = await harness();
    await h.submit({ side: 'buy' }); // no market data at all
    h.clock.advanceTo(T0 + 1);
    expect(rejection(h)).toMatchObject({ code: 'ORDER_INVALID', reason: expect.stringContaining('no market price') });
  });

  it('rejects an order for an instrument it does not list with INSTRUMENT_UNKNOWN', async () => {
    expect((await rejectedWith({ instrumentId: 'DOGEUSD.SIM' })).code).toBe('INSTRUMENT_UNKNOWN');
  });

  it('rejects a post-only order that would take liquidity on arrival, and fills a resting one as maker', async () => {
    const h = await harness();
    h.quote(T0 + 1, 99.9, 100.1, 10, 10);
    await h.submit({ type: 'limit', price: '100.1', postOnly: true });
    await h.submit({ type: 'limit', price: '100', postOnly: true });
    h.quote(T0 + 2, 99.9, 100.1, 10, 10);
    expect(h.of('C-1')).toMatchObject([{ kind: 'rejected', code: 'ORDER_INVALID', reason: expect.stringContaining('post-only') }]);
    expect(h.of('C-2').map((r) => r.kind)).toEqual(['accepted']);
    h.quote(T0 + 3, 99.5, 99.8, 10, 10);
    expect(h.fills().map((f) => [f.price.toString(), f.liquidity])).toEqual([['100', 'maker']]);
  });

  it('rejects a reduce-only order that would increase the position', async () => {
    const h = await harness({ allowShort: true });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1', reduceOnly: true }); // long already: buying adds
    await h.submit({ side: 'sell', quantity: '2', reduceOnly: true }); // would flip to short 1
    await h.submit({ side: 'sell', quantity: '1', reduceOnly: true }); // closes: fine
    h.bar(T0 + 3 * MIN, 101, 101, 101, 101);
    expect(h.of('C-2')).toMatchObject([{ kind: 'rejected', code: 'ORDER_INVALID' }]);
    expect(h.of('C-3')).toMatchObject([{ kind: 'rejected', code: 'ORDER_INVALID' }]);
    expect(h.of('C-4').map((r) => r.kind)).toEqual(['accepted', 'fill']);
    expect(await h.venue.positions()).toEqual([]);
  });

  it('accepts the BTC test instrument’s exact grid values', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ type: 'limit', price: '99.99', quantity: '0.101' });
    h.clock.advanceTo(T0 + MIN + 1);
    expect(h.kinds()).toEqual(['accepted']);
    expect(BTC.tickSize.toString()).toBe('0.01');
  });
});
