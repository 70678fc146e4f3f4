import { makeInstrument, SimulatedClock, type Bar } from '@autotrader/core';
import { Kernel } from '@autotrader/engine';
import { createSimulatedVenue, type SimulatedVenue } from '@autotrader/plugin-paper';
import { describe, expect, it } from 'vitest';

const inst = makeInstrument({ symbol: 'BTCUSD', venue: 'SIM', base: 'BTC', quote: 'USD', tickSize: '0.5', lotSize: '0.001' });
const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

async function setup() {
  const clock = new SimulatedClock(T0);
  let venue!: SimulatedVenue;
  const kernel = new Kernel({
    clock,
    instruments: [inst],
    execution: (ctx) => (venue = createSimulatedVenue({ config: { startingBalances: { USD: '100000' }, fees: { maker: '0.001', taker: '0.001' } }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus })),
    startingBalances: { USD: '100000' },
    errorPolicy: 'isolate',
  });
  await kernel.start();
  let n = 0;
  const bar = (open: number, high: number, low: number, close: number): void => {
    n++;
    const tsEvent = T0 + n * MIN;
    clock.advanceTo(tsEvent);
    const b: Bar = { instrumentId: inst.id, tsOpen: tsEvent - MIN, tsEvent, tsInit: tsEvent, open, high, low, close, volume: 1_000 };
    kernel.bus.publish('bar', b);
  };
  return { kernel, venue, bar };
}

async function expectConsistentWithVenue(kernel: Kernel, venue: SimulatedVenue): Promise<void> {
  const venueFills = await venue.fillsSince(inst.id, 0);
  const booked = kernel.oms.allFills().map((f) => f.tradeId);
  expect(new Set(booked).size).toBe(booked.length);
  expect([...booked].sort()).toEqual(venueFills.map((f) => f.tradeId).sort());
  expect(kernel.portfolio.position(inst.id)?.quantity.toString() ?? '0').toBe(venue.positionOf(inst.id)?.quantity.toString() ?? '0');
  expect(kernel.portfolio.cash('USD').toString()).toBe(venue.balanceOf('USD')!.total.toString());
}

describe('fault injection: the simulated venue', () => {
  it('reports lost while disconnected are recovered by reconciliation', async () => {
    const { kernel, venue, bar } = await setup();
    bar(100, 100, 100, 100);
    const ids = [99, 98, 97, 96].map((p) => kernel.submit({ instrumentId: inst.id, side: 'buy', type: 'limit', price: p, quantity: '1' }).clientOrderId);
    bar(100, 100, 100, 100); // all four accepted
    bar(100, 100, 98.5, 99); // fills 99
    expect(kernel.oms.allFills()).toHaveLength(1);
    venue.faults.disconnect({ lose: true });
    bar(99, 99, 96, 96); // fills 98, 97, 96 at the venue; the reports are lost
    expect(kernel.oms.allFills()).toHaveLength(1);
    venue.faults.reconnect();
    const report = await kernel.reconcile();
    expect(report.fillsApplied).toBe(3);
    expect(report.ok).toBe(true);
    for (const id of ids) expect(kernel.order(id)?.status).toBe('filled');
    await expectConsistentWithVenue(kernel, venue);
  });

  it('a resubmit with the same client order id never makes a second order', async () => {
    const { kernel, venue, bar } = await setup();
    bar(100, 100, 100, 100);
    const o = kernel.submit({ instrumentId: inst.id, side: 'buy', quantity: '1' });
    await venue.submit(o); // a retry of the same order, as after a timeout
    bar(100, 101, 99, 100);
    expect(await venue.fillsSince(inst.id, 0)).toHaveLength(1);
    expect(kernel.portfolio.positionSize(inst.id)).toBe(1);
    await expectConsistentWithVenue(kernel, venue);
  });

  it('an injected venue rejection reaches the order with its code', async () => {
    const { kernel, venue, bar } = await setup();
    bar(100, 100, 100, 100);
    venue.faults.rejectNext('VENUE_REJECTED', 'injected');
    const o = kernel.submit({ instrumentId: inst.id, side: 'buy', quantity: '1' });
    bar(100, 100, 100, 100);
    expect(kernel.order(o.clientOrderId)?.status).toBe('rejected');
    expect(kernel.order(o.clientOrderId)?.rejection?.code).toBe('VENUE_REJECTED');
    await expectConsistentWithVenue(kernel, venue);
  });
});
