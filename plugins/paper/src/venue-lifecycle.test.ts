import { EventBus, SimulatedClock, isAutotraderError, price, quantity, type ExecutionReport } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { createSimulatedVenue, nextDayEnd } from './venue';
import { BTC, harness, MIN, T0 } from './test-harness';

describe('time in force', () => {
  it('IOC: fills what it can on the first eligible bar and expires the rest', async () => {
    const h = await harness({ slippage: { kind: 'volumeShare', limit: 0.01, impact: 0 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ quantity: '5', timeInForce: 'IOC' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100, 300); // 3 available
    expect(h.of('C-1').map((r) => (r.kind === 'fill' ? `fill ${r.fill.quantity.toString()}` : r.kind))).toEqual(['accepted', 'fill 3', 'expired']);
    h.bar(T0 + 3 * MIN, 100, 100, 100, 100, 300);
    expect(h.fills()).toHaveLength(1);
  });

  it('IOC: a limit not reached on its first bar expires unfilled', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ type: 'limit', price: '95', timeInForce: 'IOC' });
    h.bar(T0 + 2 * MIN, 100, 101, 99, 100);
    expect(h.kinds()).toEqual(['accepted', 'expired']);
  });

  it('FOK: expires with no fill when the event cannot fill it all, fills it all when it can', async () => {
    const h = await harness({ slippage: { kind: 'volumeShare', limit: 0.01, impact: 0 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ quantity: '5', timeInForce: 'FOK' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100, 300);
    expect(h.kinds()).toEqual(['accepted', 'expired']);
    await h.submit({ quantity: '5', timeInForce: 'FOK' });
    h.bar(T0 + 3 * MIN, 100, 100, 100, 100, 600);
    expect(h.of('C-2').map((r) => r.kind)).toEqual(['accepted', 'fill']);
    expect(h.fills()[0]!.quantity.toString()).toBe('5');
  });

  it('IOC on a stop waits for the trigger, then applies', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ type: 'stop', triggerPrice: '105', timeInForce: 'IOC' });
    h.bar(T0 + 2 * MIN, 100, 101, 99, 100);
    expect(h.kinds()).toEqual(['accepted']);
    h.bar(T0 + 3 * MIN, 100, 106, 99, 105);
    expect(h.kinds()).toEqual(['accepted', 'fill']);
  });

  it('DAY: expires at the next 00:00 UTC after acceptance, or at the configured hour', async () => {
    expect(nextDayEnd(Date.UTC(2024, 0, 1, 13), 0)).toBe(Date.UTC(2024, 0, 2));
    expect(nextDayEnd(Date.UTC(2024, 0, 1, 0), 0)).toBe(Date.UTC(2024, 0, 2));
    expect(nextDayEnd(Date.UTC(2024, 0, 1, 13), 21)).toBe(Date.UTC(2024, 0, 1, 21));
    expect(nextDayEnd(Date.UTC(2024, 0, 1, 22), 21)).toBe(Date.UTC(2024, 0, 2, 21));

    const h = await harness({ dayEndUtcHour: 21 });
    h.bar(T0 + 13 * 60 * MIN, 100, 100, 100, 100);
    await h.submit({ type: 'limit', price: '90', timeInForce: 'DAY' });
    h.bar(T0 + 20 * 60 * MIN, 100, 100, 100, 100);
    expect(h.kinds()).toEqual(['accepted']);
    h.bar(T0 + 22 * 60 * MIN, 100, 100, 80, 100); // would fill, but the order expired at 21:00
    expect(h.reports[1]).toEqual({ kind: 'expired', clientOrderId: 'C-1', tsEvent: T0 + 21 * 60 * MIN });
    expect(h.fills()).toEqual([]);
  });

  it('GTD: expires at expireAt', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ type: 'limit', price: '90', timeInForce: 'GTD', expireAt: T0 + 150_000 });
    h.bar(T0 + 2 * MIN, 100, 100, 95, 100);
    h.bar(T0 + 3 * MIN, 100, 100, 85, 100);
    expect(h.kinds()).toEqual(['accepted', 'expired']);
    expect(h.reports[1]!.kind === 'expired' && h.reports[1]!.tsEvent).toBe(T0 + 150_000);
  });
});

describe('latency, cancel and modify', () => {
  it('applies submit latency on the clock: no fill on ticks before the order arrives', async () => {
    const h = await harness({ latency: { submitMs: 50 } });
    h.trade(T0 + 1, 100, 10);
    await h.submit({ side: 'buy', quantity: '1' });
    h.trade(T0 + 20, 100.1, 10);
    h.trade(T0 + 50, 100.2, 10); // arrives at T0 + 51
    expect(h.reports).toEqual([]);
    h.trade(T0 + 60, 100.3, 10);
    expect(h.reports[0]).toMatchObject({ kind: 'accepted', tsEvent: T0 + 51 });
    expect(h.fills().map((f) => f.price.toString())).toEqual(['100.3']);
  });

  it('cancels a live order after the cancel latency and releases its lock', async () => {
    const h = await harness({ latency: { cancelMs: 10 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    const o = await h.submit({ type: 'limit', price: '90', quantity: '2' });
    h.clock.advanceTo(T0 + MIN + 1);
    expect(h.venue.balanceOf('USD')!.locked.toString()).toBe('180');
    await h.venue.cancel(o);
    h.clock.advanceTo(T0 + MIN + 5);
    expect(h.kinds()).toEqual(['accepted']);
    h.clock.advanceTo(T0 + MIN + 11);
    expect(h.reports[1]).toEqual({ kind: 'canceled', clientOrderId: o.clientOrderId, tsEvent: T0 + MIN + 11 });
    expect(h.venue.balanceOf('USD')!.locked.toString()).toBe('0');
    expect(await h.venue.openOrders()).toEqual([]);
  });

  it('answers cancelRejected when a fill wins the race against a cancel', async () => {
    const h = await harness({ latency: { cancelMs: 90_000 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    const o = await h.submit({ type: 'limit', price: '99' });
    h.clock.advanceTo(T0 + MIN + 1);
    await h.venue.cancel(o); // reaches the venue at T0 + 2.5 min, after the next bar
    h.bar(T0 + 2 * MIN, 100, 100, 98, 99);
    h.clock.advanceTo(T0 + 3 * MIN);
    expect(h.kinds()).toEqual(['accepted', 'fill', 'cancelRejected']);
    expect(h.reports[2]).toMatchObject({ reason: 'the order is already filled' });
  });

  it('throws ORDER_UNKNOWN for a cancel or modify of an order it never received', async () => {
    const h = await harness();
    const ghost = h.order();
    expect(() => h.venue.cancel(ghost)).toThrow(expect.objectContaining({ code: 'ORDER_UNKNOWN' }));
    expect(() => h.venue.modify(ghost, { price: price(1) })).toThrow(expect.objectContaining({ code: 'ORDER_UNKNOWN' }));
  });

  it('modifies a resting limit natively: updated report, new lock, fills at the new price', async () => {
    const h = await harness({ latency: { modifyMs: 5 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    const o = await h.submit({ type: 'limit', price: '90', quantity: '1' });
    h.clock.advanceTo(T0 + MIN + 1);
    await h.venue.modify(o, { price: price('97'), quantity: quantity('2') });
    h.clock.advanceTo(T0 + MIN + 10);
    expect(h.reports[1]).toMatchObject({ kind: 'updated', clientOrderId: 'C-1', tsEvent: T0 + MIN + 6 });
    const updated = h.reports[1]!;
    expect(updated.kind === 'updated' && [updated.price?.toString(), updated.quantity?.toString(), updated.triggerPrice]).toEqual(['97', '2', undefined]);
    expect(h.venue.balanceOf('USD')!.locked.toString()).toBe('194');
    h.bar(T0 + 2 * MIN, 100, 100, 96, 99);
    expect(h.fills().map((f) => [f.price.toString(), f.quantity.toString()])).toEqual([['97', '2']]);
  });

  it('refuses a modify off the tick grid, below the filled quantity, or of a finished order', async () => {
    const h = await harness({ slippage: { kind: 'volumeShare', limit: 0.01, impact: 0 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    const o = await h.submit({ type: 'limit', price: '99', quantity: '5' });
    h.bar(T0 + 2 * MIN, 100, 100, 98, 99, 200); // fills 2
    await h.venue.modify(o, { price: price('98.555') });
    await h.venue.modify(o, { quantity: quantity('2') });
    h.clock.advanceTo(T0 + 2 * MIN + 1);
    const refusals = h.of('C-1').filter((r) => r.kind === 'modifyRejected');
    expect(refusals.map((r) => r.kind === 'modifyRejected' && r.reason.split(':')[0])).toEqual(['TICK_SIZE', 'ORDER_INVALID']);
    await h.venue.cancel(o);
    h.clock.advanceTo(T0 + 2 * MIN + 2);
    await h.venue.modify(o, { price: price('98') });
    h.clock.advanceTo(T0 + 2 * MIN + 3);
    expect(h.reports.at(-1)).toMatchObject({ kind: 'modifyRejected', reason: 'the order is already canceled' });
  });

  it('ignores a second submit of the same client order id (a retry never makes a second order)', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    const o = await h.submit({ quantity: '1' });
    await h.venue.submit(o);
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    expect(h.kinds()).toEqual(['accepted', 'fill']);
    expect(h.venue.positionOf(BTC.id)!.quantity.toString()).toBe('1');
  });

  it('refuses requests before connect with a retryable VENUE_UNAVAILABLE', async () => {
    const clock = new SimulatedClock(T0);
    const venue = createSimulatedVenue({ config: {}, instruments: [BTC], clock, bus: new EventBus() });
    const h = await harness();
    let error: unknown;
    try {
      venue.submit(h.order());
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'VENUE_UNAVAILABLE') && error.retryable).toBe(true);
  });

  it('answers queries: the order while travelling is unknown, then its state', async () => {
    const h = await harness({ latency: { submitMs: 100 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ type: 'limit', price: '90', quantity: '1' });
    expect(await h.venue.order('C-1', BTC.id)).toBeUndefined();
    h.clock.advanceTo(T0 + MIN + 100);
    expect(await h.venue.order('C-1', BTC.id)).toEqual({
      clientOrderId: 'C-1',
      venueOrderId: 'SIM-O1',
      instrumentId: BTC.id,
      status: 'accepted',
      side: 'buy',
      quantity: quantity('1'),
      filledQuantity: quantity('0'),
      price: price('90'),
    });
    expect((await h.venue.openOrders(BTC.id)).map((o) => o.clientOrderId)).toEqual(['C-1']);
    expect(await h.venue.openOrders('OTHER.SIM')).toEqual([]);
  });
});

describe('determinism', () => {
  async function run(seed: number): Promise<ExecutionReport[]> {
    const h = await harness({ seed, latency: { submitMs: 10, jitterMs: 40_000 }, faults: { rejectProbability: 0.2, dropAckProbability: 0.2 } });
    for (let k = 1; k <= 40; k++) {
      const close = 100 + 5 * Math.sin(k / 3);
      h.bar(T0 + k * MIN, close - 0.5, close + 1, close - 1, close);
      if (k % 2 === 0) await h.submit({ side: 'buy', type: 'limit', price: (close - 0.5).toFixed(2), quantity: '0.5' });
    }
    return h.reports;
  }

  it('gives the same report sequence for the same seed, and jitter and faults really draw from it', async () => {
    const a = await run(7);
    const b = await run(7);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.some((r) => r.kind === 'rejected' && r.code === 'VENUE_REJECTED')).toBe(true);
    const c = await run(8);
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });
});
