import { EventBus, isAutotraderError, makeInstrument, money, price, quantity, type AutotraderError, type Fill, type Order } from '@autotrader/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { testFill, testOrder } from '@autotrader/testkit';
import { StaticInstrumentCatalog } from './instrument-catalog';
import { OrderManager } from './oms';
import { Portfolio } from './portfolio';

const inst = makeInstrument({ symbol: 'X', venue: 'SIM', quote: 'USD', tickSize: '0.01', lotSize: '1' });

function newOrder(id: string, qty = 10): Order {
  return testOrder({ clientOrderId: id, instrumentId: inst.id, quantity: quantity(qty) });
}

const fill = (id: string, tradeId: string, qty: number, px = 100): Fill =>
  testFill({ clientOrderId: id, tradeId, instrumentId: inst.id, price: price(px), quantity: quantity(qty), fee: money('0.1'), tsEvent: 5 });

describe('OrderManager', () => {
  let bus: EventBus;
  let oms: OrderManager;
  let portfolio: Portfolio;
  let anomalies: AutotraderError[];
  let events: string[];

  beforeEach(() => {
    bus = new EventBus();
    portfolio = new Portfolio(new StaticInstrumentCatalog([inst]), { USD: money(10_000) }, 'USD');
    anomalies = [];
    oms = new OrderManager(bus, portfolio, () => 1, (e) => anomalies.push(e));
    events = [];
    bus.on('order', (e) => events.push(`order:${e.previous}->${e.order.status}`));
    // A handler reading the portfolio on `fill` sees the fill already applied.
    bus.on('fill', (f) => events.push(`fill:${f.tradeId}:pos=${portfolio.positionSize(inst.id)}`));
    bus.on('position', (p) => events.push(`position:${p.quantity.toString()}`));
  });

  it('applies acks and partial fills through the state machine, updating before publishing', () => {
    const o = newOrder('a');
    oms.add(o);
    oms.setStatus(o, 'submitted');
    oms.apply({ kind: 'accepted', clientOrderId: 'a', venueOrderId: 'V1', tsEvent: 2 });
    oms.apply({ kind: 'fill', fill: fill('a', 't1', 4, 100) });
    oms.apply({ kind: 'fill', fill: fill('a', 't2', 6, 110) });
    expect(o.status).toBe('filled');
    expect(o.venueOrderId).toBe('V1');
    expect(o.averagePrice!.toString()).toBe('106');
    expect(o.fees.toString()).toBe('0.2');
    expect(events).toEqual([
      'order:initialized->submitted',
      'order:submitted->accepted',
      'order:accepted->partially_filled',
      'fill:t1:pos=4',
      'position:4',
      'order:partially_filled->filled',
      'fill:t2:pos=10',
      'position:10',
    ]);
    expect(oms.open()).toHaveLength(0);
  });

  it('drops a duplicate fill (same trade id) without touching the position', () => {
    const o = newOrder('a');
    oms.add(o);
    oms.setStatus(o, 'submitted');
    oms.apply({ kind: 'fill', fill: fill('a', 't1', 4) });
    oms.apply({ kind: 'fill', fill: fill('a', 't1', 4) });
    expect(o.filledQuantity.toString()).toBe('4');
    expect(portfolio.positionSize(inst.id)).toBe(4);
    expect(oms.allFills()).toHaveLength(1);
  });

  it('reports an overfill but still books the real fill', () => {
    const o = newOrder('a', 5);
    oms.add(o);
    oms.setStatus(o, 'submitted');
    oms.apply({ kind: 'fill', fill: fill('a', 't1', 4) });
    oms.apply({ kind: 'fill', fill: fill('a', 't2', 4) });
    expect(portfolio.positionSize(inst.id)).toBe(8);
    expect(anomalies.map((e) => e.code)).toEqual(['ORDER_OVERFILL']);
  });

  it('reports a fill for an unknown order and does not book it', () => {
    oms.apply({ kind: 'fill', fill: fill('ghost', 't9', 1) });
    expect(anomalies.map((e) => e.code)).toEqual(['FILL_UNKNOWN_ORDER']);
    expect(portfolio.positionSize(inst.id)).toBe(0);
  });

  it('refuses an illegal transition from the venue and leaves the order as it was', () => {
    const o = newOrder('a');
    oms.add(o);
    oms.setStatus(o, 'submitted');
    oms.apply({ kind: 'canceled', clientOrderId: 'a', tsEvent: 3 });
    oms.apply({ kind: 'accepted', clientOrderId: 'a', venueOrderId: 'V1', tsEvent: 4 });
    oms.apply({ kind: 'rejected', clientOrderId: 'a', code: 'VENUE_REJECTED', reason: 'late', tsEvent: 5 });
    expect(o.status).toBe('canceled');
    expect(anomalies).toHaveLength(1);
    expect(isAutotraderError(anomalies[0], 'ORDER_TRANSITION_ILLEGAL')).toBe(true);
  });

  it('returns to a live state when a cancel is refused', () => {
    const o = newOrder('a');
    oms.add(o);
    oms.setStatus(o, 'submitted');
    oms.apply({ kind: 'accepted', clientOrderId: 'a', venueOrderId: 'V1', tsEvent: 2 });
    oms.setStatus(o, 'pending_cancel');
    oms.apply({ kind: 'cancelRejected', clientOrderId: 'a', reason: 'too late', tsEvent: 3 });
    expect(o.status).toBe('accepted');
  });
});
