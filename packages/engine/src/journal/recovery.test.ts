import {
  mulberry32,
  AutotraderError,
  EventBus,
  canTransition,
  isOpen,
  makeInstrument,
  money,
  price,
  quantity,
  type ExecutionReport,
  type Fill,
  type Order,
} from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { StaticInstrumentCatalog } from '../instrument-catalog';
import { OrderManager, snapshot } from '../oms';
import { Portfolio } from '../portfolio';
import type { JournalEntry } from './codec';
import { recover } from './recovery';
import { testFill, testOrder } from '@autotrader/testkit';

const inst = makeInstrument({ symbol: 'X', venue: 'SIM', quote: 'USD', tickSize: '0.01', lotSize: '0.001' });

function newOrder(id: string, qty: string, px = '100.00', status: Order['status'] = 'submitted'): Order {
  return testOrder({ clientOrderId: id, instrumentId: inst.id, quantity: quantity(qty), price: price(px), status, tsCreated: 1, tsUpdated: 1 });
}

const fill = (id: string, tradeId: string, qty: string, px: string, fee = '0.01', ts = 10): Fill =>
  testFill({ clientOrderId: id, tradeId, instrumentId: inst.id, price: price(px), quantity: quantity(qty), fee: money(fee), tsEvent: ts });

const submit = (id: string, qty: string, ts = 1): JournalEntry => ({ t: 'submit', ts, order: newOrder(id, qty) });
const report = (r: ExecutionReport, ts = 5): JournalEntry => ({ t: 'report', ts, report: r });
const accepted = (id: string, ts = 5): JournalEntry => report({ kind: 'accepted', clientOrderId: id, venueOrderId: `V-${id}`, tsEvent: ts }, ts);
const filled = (f: Fill): JournalEntry => report({ kind: 'fill', fill: f }, f.tsEvent);
const ids = (orders: readonly Order[]) => orders.map((o) => o.clientOrderId);

describe('recover', () => {
  const history: JournalEntry[] = [
    { t: 'session', ts: 0, prefix: 'at1', venue: 'SIM' },
    // at1-1: accepted, filled in two parts, one fill reported twice
    submit('at1-1', '4'),
    accepted('at1-1', 2),
    filled(fill('at1-1', 'T1', '1', '100.10', '0.01', 3)),
    filled(fill('at1-1', 'T2', '3', '100.30', '0.03', 4)),
    filled(fill('at1-1', 'T2', '3', '100.30', '0.03', 5)),
    // at1-2: sent, never heard of again
    submit('at1-2', '1', 6),
    // at1-3: accepted, cancel sent, no answer yet
    submit('at1-3', '1', 7),
    accepted('at1-3', 8),
    { t: 'cancel', ts: 9, clientOrderId: 'at1-3' },
    // at1-4: cancelled before the venue acknowledged it
    submit('at1-4', '1', 10),
    { t: 'cancel', ts: 11, clientOrderId: 'at1-4' },
    // at1-5: refused by risk after the submit entry
    submit('at1-5', '1', 12),
    { t: 'status', ts: 13, clientOrderId: 'at1-5', status: 'rejected', reason: 'max position 10 exceeded' },
    // at1-6: modified natively and confirmed
    submit('at1-6', '2', 14),
    accepted('at1-6', 15),
    { t: 'modify', ts: 16, clientOrderId: 'at1-6', changes: { price: '101.5' } },
    report({ kind: 'updated', clientOrderId: 'at1-6', price: price('101.50'), tsEvent: 17 }, 17),
    { t: 'session', ts: 18, prefix: 'at2', venue: 'SIM' },
    // at2-1: refused by the venue
    submit('at2-1', '1', 19),
    report({ kind: 'rejected', clientOrderId: 'at2-1', code: 'INSUFFICIENT_FUNDS', reason: 'no cash', tsEvent: 20 }, 20),
  ];

  const state = recover(history);
  const byId = new Map(state.orders.map((o) => [o.clientOrderId, o]));

  it('rebuilds every order in submit order', () => {
    expect(ids(state.orders)).toEqual(['at1-1', 'at1-2', 'at1-3', 'at1-4', 'at1-5', 'at1-6', 'at2-1']);
    expect(state.orders.map((o) => o.status)).toEqual(['filled', 'submitted', 'pending_cancel', 'pending_cancel', 'rejected', 'accepted', 'rejected']);
    expect(state.anomalies).toEqual([]);
  });

  it('recomputes filled quantity, average price and fees exactly, counting a repeated fill once', () => {
    const o = byId.get('at1-1')!;
    expect(o.filledQuantity.toFixed()).toBe('4');
    expect(o.averagePrice!.toFixed()).toBe('100.25'); // (1 × 100.10 + 3 × 100.30) / 4
    expect(o.fees.toFixed()).toBe('0.04');
    expect(o.venueOrderId).toBe('V-at1-1');
    expect(o.tsUpdated).toBe(4);
    expect(state.fills.map((f) => f.tradeId)).toEqual(['T1', 'T2']);
  });

  it('lists open orders, and as in flight those the venue never spoke about', () => {
    expect(ids(state.openOrders)).toEqual(['at1-2', 'at1-3', 'at1-4', 'at1-6']);
    expect(ids(state.inFlight)).toEqual(['at1-2', 'at1-4']);
  });

  it('keeps local rejections with their reason, and venue rejections with their code', () => {
    expect(byId.get('at1-5')!.rejection).toEqual({ code: 'ORDER_INVALID', message: 'max position 10 exceeded' });
    expect(byId.get('at2-1')!.rejection).toEqual({ code: 'INSUFFICIENT_FUNDS', message: 'no cash' });
  });

  it('applies a confirmed modify', () => {
    expect(byId.get('at1-6')!.price!.toFixed()).toBe('101.5');
  });

  it('lists every prefix used, from sessions and from the order ids themselves', () => {
    expect(state.prefixes).toEqual(['at1', 'at2']);
    expect(recover([submit('old-3', '1')]).prefixes).toEqual(['old']);
  });

  it('starts a submitted order from zero whatever its snapshot carried', () => {
    const snap = { ...newOrder('a-1', '2', '100.00', 'initialized'), filledQuantity: quantity('1'), averagePrice: price('99') };
    const [o] = recover([{ t: 'submit', ts: 3, order: snap }]).orders;
    expect(o!.status).toBe('submitted');
    expect(o!.filledQuantity.toFixed()).toBe('0');
    expect(o!.averagePrice).toBeUndefined();
    expect(o!.tsUpdated).toBe(3);
  });

  it('reports what does not fit, applies nothing of it, and never makes an order twice', () => {
    const s = recover([
      submit('a-1', '1'),
      accepted('a-1'),
      filled(fill('a-1', 'T1', '1', '100')),
      submit('a-1', '5'), // the same id again
      report({ kind: 'canceled', clientOrderId: 'a-1', tsEvent: 6 }), // a filled order cannot be cancelled
      filled(fill('zz-9', 'T9', '1', '100')), // an order with no submit
      { t: 'cancel', ts: 7, clientOrderId: 'nope-1' },
    ]);
    expect(s.orders).toHaveLength(1);
    expect(s.orders[0]!.quantity.toFixed()).toBe('1');
    expect(s.orders[0]!.status).toBe('filled');
    expect(s.fills.map((f) => f.tradeId)).toEqual(['T1']);
    expect(s.anomalies.map((a) => a.code)).toEqual(['INTERNAL', 'ORDER_TRANSITION_ILLEGAL', 'FILL_UNKNOWN_ORDER', 'ORDER_UNKNOWN']);
  });

  it('keeps a fill that arrives after a cancel (real money) but leaves the order cancelled', () => {
    const s = recover([
      submit('a-1', '2'),
      accepted('a-1'),
      report({ kind: 'canceled', clientOrderId: 'a-1', tsEvent: 6 }),
      filled(fill('a-1', 'T1', '1', '100')),
    ]);
    expect(s.orders[0]!.status).toBe('canceled');
    expect(s.orders[0]!.filledQuantity.toFixed()).toBe('1');
    expect(s.fills).toHaveLength(1);
    expect(s.anomalies.map((a) => a.code)).toEqual(['ORDER_TRANSITION_ILLEGAL']);
  });

  it('flags an overfill', () => {
    const s = recover([submit('a-1', '1'), filled(fill('a-1', 'T1', '1.5', '100'))]);
    expect(s.orders[0]!.status).toBe('filled');
    expect(s.anomalies.map((a) => a.code)).toEqual(['ORDER_OVERFILL']);
  });

  it('resolves an in-flight order through a reconciliation status entry', () => {
    const s = recover([submit('a-1', '1'), { t: 'status', ts: 9, clientOrderId: 'a-1', status: 'canceled', reason: 'venue does not know it' }]);
    expect(s.orders[0]!.status).toBe('canceled');
    expect(s.openOrders).toEqual([]);
    expect(s.inFlight).toEqual([]);
  });
});

/** Seeded, so a failing case can be replayed. */
const rng = mulberry32;

describe('recover agrees with the live OMS', () => {
  /** Which report kinds met which order states, over all seeds: the comparison is only as good as this. */
  const covered = new Set<string>();

  // The same random commands and venue reports go to a real OrderManager (as the kernel drives it)
  // and into a journal; replaying the journal must rebuild the same orders, fills and anomalies.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('on random history %i', (seed) => {
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const portfolio = new Portfolio(new StaticInstrumentCatalog([inst]), { USD: money(1_000_000) }, 'USD');
    const omsAnomalies: AutotraderError[] = [];
    let now = 1;
    const oms = new OrderManager(new EventBus(), portfolio, () => now, (e) => omsAnomalies.push(e));
    const journal: JournalEntry[] = [];
    const known: string[] = [];
    let trade = 0;

    for (let step = 0; step < 400; step++) {
      now += 1 + Math.floor(rand() * 3);
      const id = known.length === 0 || rand() < 0.07 ? undefined : rand() < 0.03 ? 'ghost-1' : pick(known);
      if (id === undefined) {
        const order = newOrder(`r-${known.length + 1}`, pick(['1', '2', '0.5']), pick(['99.99', '100.00', '100.01']), 'initialized');
        oms.add(order);
        oms.setStatus(order, 'submitted', now);
        journal.push({ t: 'submit', ts: now, order: snapshot(order) });
        known.push(order.clientOrderId);
        continue;
      }
      const live = oms.get(id);
      const action = rand();
      if (action < 0.08 && live !== undefined) {
        journal.push({ t: 'cancel', ts: now, clientOrderId: id });
        if (isOpen(live.status) && live.status !== 'pending_cancel') oms.setStatus(live, 'pending_cancel', now);
      } else if (action < 0.2 && live !== undefined && canTransition(live.status, 'pending_update')) {
        journal.push({ t: 'modify', ts: now, clientOrderId: id, changes: { price: '100.02' } });
        oms.setStatus(live, 'pending_update', now);
      } else {
        const kinds = ['accepted', 'accepted', 'fill', 'fill', 'fill', 'dupfill', 'canceled', 'expired', 'rejected', 'updated', 'cancelRejected', 'modifyRejected'] as const;
        // A venue answers what it was asked: pending orders mostly get the answer to their request.
        const answers = ['updated', 'modifyRejected', 'cancelRejected', 'canceled', 'fill'] as const;
        const pending = live?.status === 'pending_cancel' || live?.status === 'pending_update';
        const kind = pending && rand() < 0.5 ? pick(answers) : pick(kinds);
        let r: ExecutionReport;
        switch (kind) {
          case 'fill':
            r = { kind: 'fill', fill: fill(id, `T${++trade}`, pick(['0.25', '0.5', '1']), pick(['99.97', '100.03', '100.11']), pick(['0.001', '0.02']), now) };
            break;
          case 'dupfill':
            r = { kind: 'fill', fill: fill(id, `T${Math.max(1, trade)}`, '0.25', '100.00', '0.001', now) };
            break;
          case 'accepted':
            r = { kind, clientOrderId: id, venueOrderId: `V${id}`, tsEvent: now };
            break;
          case 'rejected':
            r = { kind, clientOrderId: id, code: 'VENUE_REJECTED', reason: 'no', tsEvent: now };
            break;
          case 'updated':
            r = {
              kind,
              clientOrderId: id,
              venueOrderId: rand() < 0.3 ? `W${id}` : undefined, // replaced under a new venue id
              price: price('100.02'),
              quantity: rand() < 0.5 ? quantity('3') : undefined,
              tsEvent: now,
            };
            break;
          case 'cancelRejected':
          case 'modifyRejected':
            r = { kind, clientOrderId: id, reason: 'late', tsEvent: now };
            break;
          default:
            r = { kind, clientOrderId: id, tsEvent: now };
        }
        journal.push({ t: 'report', ts: now, report: r });
        if (live !== undefined) covered.add(`${r.kind}@${live.status}`);
        oms.apply(r);
      }
    }

    const state = recover(journal);
    const view = (o: Order) => ({
      id: o.clientOrderId,
      status: o.status,
      venueOrderId: o.venueOrderId,
      quantity: o.quantity.toFixed(),
      price: o.price?.toFixed(),
      filled: o.filledQuantity.toFixed(),
      averagePrice: o.averagePrice?.toFixed(),
      fees: o.fees.toFixed(),
      rejection: o.rejection,
      tsUpdated: o.tsUpdated,
    });
    expect(state.orders.map(view)).toEqual(oms.all().map(view));
    expect(ids(state.openOrders).sort()).toEqual(ids(oms.open()).sort());
    expect(state.fills.map((f) => `${f.tradeId}:${f.quantity.toFixed()}`)).toEqual(oms.allFills().map((f) => `${f.tradeId}:${f.quantity.toFixed()}`));
    expect(state.anomalies.map((a) => a.code)).toEqual(omsAnomalies.map((a) => a.code));
    // Enough happened for the comparison to mean something.
    expect(state.fills.length).toBeGreaterThan(5);
    expect(new Set(state.orders.map((o) => o.status)).size).toBeGreaterThan(3);

    // Positions rebuilt from the recovered fills match the live portfolio's, exactly.
    const rebuilt = new Portfolio(new StaticInstrumentCatalog([inst]), { USD: money(1_000_000) }, 'USD');
    for (const f of state.fills) rebuilt.applyFill(f);
    expect(rebuilt.position(inst.id)?.quantity.toFixed()).toBe(portfolio.position(inst.id)?.quantity.toFixed());
    expect(rebuilt.position(inst.id)?.averagePrice.toFixed()).toBe(portfolio.position(inst.id)?.averagePrice.toFixed());
    expect(rebuilt.cash().toFixed()).toBe(portfolio.cash().toFixed());
  });

  it('covered the races that matter', () => {
    for (const race of [
      'modifyRejected@pending_update',
      'cancelRejected@pending_cancel',
      'updated@pending_update',
      'fill@pending_cancel',
      'fill@pending_update',
      'fill@canceled',
      'canceled@submitted',
      'rejected@pending_cancel',
      'accepted@partially_filled',
      'fill@filled',
    ]) {
      expect(covered, race).toContain(race);
    }
  });
});
