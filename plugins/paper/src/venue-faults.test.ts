import { describe, expect, it } from 'vitest';
import { harness, MIN, T0 } from './test-harness';

describe('fault injection', () => {
  it('rejectNext: the next arriving order is rejected with the given code, the one after is not', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    h.venue.faults.rejectNext('VENUE_REJECTED', 'exchange is in maintenance');
    await h.submit();
    await h.submit();
    h.clock.advanceTo(T0 + MIN + 1);
    expect(h.reports).toEqual([
      { kind: 'rejected', clientOrderId: 'C-1', code: 'VENUE_REJECTED', reason: 'exchange is in maintenance', tsEvent: T0 + MIN },
      { kind: 'accepted', clientOrderId: 'C-2', venueOrderId: 'SIM-O2', tsEvent: T0 + MIN },
    ]);
  });

  it('dropNextAck: the order is live and fills, but its accepted report never comes', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    h.venue.faults.dropNextAck();
    await h.submit({ type: 'limit', price: '99' });
    h.clock.advanceTo(T0 + MIN + 1);
    expect(h.reports).toEqual([]);
    expect(await h.venue.order('C-1', 'BTCUSD.SIM')).toMatchObject({ status: 'accepted', venueOrderId: 'SIM-O1' });
    h.bar(T0 + 2 * MIN, 100, 100, 98, 99);
    expect(h.kinds()).toEqual(['fill']);
  });

  it('delayFills: fills arrive later on the clock, and the same order’s later reports wait behind them', async () => {
    const h = await harness({ slippage: { kind: 'volumeShare', limit: 0.01, impact: 0 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    h.venue.faults.delayFills(5_000);
    await h.submit({ quantity: '5', timeInForce: 'IOC' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100, 300);
    expect(h.kinds()).toEqual(['accepted']);
    // The venue's own state is already final.
    expect(h.venue.positionOf('BTCUSD.SIM')!.quantity.toString()).toBe('3');
    h.clock.advanceTo(T0 + 2 * MIN + 4_999);
    expect(h.kinds()).toEqual(['accepted']);
    h.clock.advanceTo(T0 + 2 * MIN + 5_000);
    expect(h.kinds()).toEqual(['accepted', 'fill', 'expired']);
    h.venue.faults.delayFills(0);
    await h.submit({ quantity: '1' });
    h.bar(T0 + 3 * MIN, 100, 100, 100, 100, 300);
    expect(h.kinds()).toEqual(['accepted', 'fill', 'expired', 'accepted', 'fill']);
  });

  it('disconnect/reconnect: reports are buffered while the stream is down and delivered in order after', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    h.venue.faults.disconnect();
    expect(h.venue.faults.connected).toBe(false);
    await h.submit({ quantity: '1' });
    await h.submit({ type: 'limit', price: '90' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    expect(h.reports).toEqual([]);
    h.venue.faults.reconnect();
    expect(h.kinds()).toEqual(['accepted', 'accepted', 'fill']);
    expect(h.reports.map((r) => (r.kind === 'fill' ? r.fill.clientOrderId : r.clientOrderId))).toEqual(['C-1', 'C-2', 'C-1']);
  });

  it('disconnect with lose: the reports are gone, the venue’s state and fill history are not', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    h.venue.faults.disconnect({ lose: true });
    await h.submit({ quantity: '1' });
    h.bar(T0 + 2 * MIN, 101, 101, 101, 101);
    h.venue.faults.reconnect();
    expect(h.reports).toEqual([]);
    const fills = await h.venue.fillsSince('BTCUSD.SIM', T0);
    expect(fills.map((f) => [f.clientOrderId, f.price.toString(), f.tradeId])).toEqual([['C-1', '101', 'SIM-T1']]);
    expect((await h.venue.positions()).map((p) => p.quantity.toString())).toEqual(['1']);
    // Reports flow again after the reconnect.
    await h.submit({ side: 'sell', quantity: '1' });
    h.bar(T0 + 3 * MIN, 102, 102, 102, 102);
    expect(h.kinds()).toEqual(['accepted', 'fill']);
  });

  it('port disconnect buffers reports until the next connect', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ quantity: '1' });
    await h.venue.disconnect();
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    expect(h.reports).toEqual([]);
    const later: string[] = [];
    await h.venue.connect((r) => later.push(r.kind));
    expect(later).toEqual(['accepted', 'fill']);
  });
});
