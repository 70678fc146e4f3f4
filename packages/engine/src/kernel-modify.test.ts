import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AutotraderError,
  makeInstrument,
  money,
  quantity,
  RealtimeClock,
  type Balance,
  type ExecutionPort,
  type ExecutionReportSink,
  type OrderSnapshot,
  type VenueCapabilities,
  type VenueOrderChanges,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import { waitFor } from '@autotrader/testkit';
import { OrderJournal, readJournal } from './journal';
import { Kernel } from './kernel';

const btc = makeInstrument({ symbol: 'BTC-USD', venue: 'EDITS', base: 'BTC', quote: 'USD', tickSize: '0.01', lotSize: '0.001' });
const capabilities: VenueCapabilities = { assetClasses: ['spot'], orderTypes: ['limit', 'stop_limit'], timeInForce: ['GTC', 'IOC'], nativeModify: true, data: ['trade'], execution: true };

/**
 * A venue at the port boundary that amends some orders in place (limit GTC, like Coinbase's
 * `/orders/edit`) and not others: its `canModify` says which. Everything it is asked is recorded.
 */
class PartlyAmendingVenue implements ExecutionPort {
  readonly venue = 'EDITS';
  readonly calls: string[] = [];
  readonly book = new Map<string, { venueOrderId: string; order: OrderSnapshot }>();
  /** Orders whose amendment the venue refuses (as Coinbase answers `success: false`). */
  readonly refuseEdits = new Set<string>();
  private sink: ExecutionReportSink | undefined;
  private seq = 0;

  canModify(order: OrderSnapshot): boolean {
    return order.type === 'limit' && order.timeInForce === 'GTC';
  }
  connect(sink: ExecutionReportSink): Promise<void> {
    this.sink = sink;
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  async submit(order: OrderSnapshot): Promise<void> {
    const venueOrderId = `v${++this.seq}`;
    this.calls.push(`submit ${order.clientOrderId} ${order.quantity.toString()}@${order.price?.toString() ?? '-'}`);
    this.book.set(order.clientOrderId, { venueOrderId, order });
    await Promise.resolve();
    this.sink?.({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId, tsEvent: Date.now() });
  }
  async cancel(order: OrderSnapshot): Promise<void> {
    this.calls.push(`cancel ${order.clientOrderId}`);
    this.book.delete(order.clientOrderId);
    await Promise.resolve();
    this.sink?.({ kind: 'canceled', clientOrderId: order.clientOrderId, tsEvent: Date.now() });
  }
  async modify(order: OrderSnapshot, changes: VenueOrderChanges): Promise<void> {
    this.calls.push(`modify ${order.clientOrderId}`);
    await Promise.resolve();
    if (this.refuseEdits.has(order.clientOrderId)) throw new AutotraderError('VENUE_REJECTED', `edit of ${order.clientOrderId} refused: INVALID_EDITED_PRICE`);
    this.sink?.({ kind: 'updated', clientOrderId: order.clientOrderId, quantity: changes.quantity, price: changes.price, tsEvent: Date.now() });
  }
  order(clientOrderId: string): Promise<VenueOrderState | undefined> {
    const held = this.book.get(clientOrderId);
    return Promise.resolve(
      held === undefined
        ? undefined
        : { clientOrderId, venueOrderId: held.venueOrderId, instrumentId: held.order.instrumentId, status: 'accepted', side: held.order.side, quantity: held.order.quantity, filledQuantity: quantity(0), price: held.order.price },
    );
  }
  openOrders(): Promise<VenueOrderState[]> {
    return Promise.resolve([]);
  }
  positions(): Promise<VenuePosition[]> {
    return Promise.resolve([]);
  }
  balances(): Promise<Balance[]> {
    return Promise.resolve([]);
  }
}

/** A kernel on the venue, journaling to a fresh file (whose entries are every command and report, in order). */
async function kernelOn(venue: PartlyAmendingVenue): Promise<{ kernel: Kernel; journal: OrderJournal; journalPath: string }> {
  const journalPath = join(mkdtempSync(join(tmpdir(), 'autotrader-kernel-modify-')), 'orders.journal');
  const journal = OrderJournal.open(journalPath, { fsync: 'never' });
  const kernel = new Kernel({ clock: new RealtimeClock(), instruments: [btc], execution: venue, capabilities, startingBalances: { USD: money(1_000_000) }, errorPolicy: 'isolate', journal });
  await kernel.connect();
  return { kernel, journal, journalPath };
}

describe('Kernel.modify with a venue that amends only some orders (ExecutionPort.canModify)', () => {
  it('amends in place what canModify accepts, and cancels and replaces what it refuses', async () => {
    const venue = new PartlyAmendingVenue();
    const { kernel, journal } = await kernelOn(venue);
    const gtc = kernel.submit({ instrumentId: btc.id, side: 'buy', type: 'limit', quantity: '0.5', price: '100.00', timeInForce: 'GTC' });
    const stop = kernel.submit({ instrumentId: btc.id, side: 'buy', type: 'stop_limit', quantity: '0.5', price: '120.00', triggerPrice: '119.00', timeInForce: 'GTC' });
    await waitFor('both orders accepted', () => kernel.openOrders().filter((o) => o.status === 'accepted').length === 2);

    kernel.modify(gtc.clientOrderId, { price: '99.00', quantity: '0.7' });
    kernel.modify(stop.clientOrderId, { price: '121.00' });
    await waitFor('the amendment and the replacement', () => kernel.openOrders().filter((o) => o.status === 'accepted').length === 2 && kernel.openOrders().every((o) => o.clientOrderId !== stop.clientOrderId));

    // The limit GTC: one venue call, same client order id, new terms.
    const amended = kernel.order(gtc.clientOrderId)!;
    expect([amended.status, amended.price?.toString(), amended.quantity.toString()]).toEqual(['accepted', '99', '0.7']);
    // The stop-limit: cancelled, and a new order with the new price and the old remainder.
    expect(kernel.order(stop.clientOrderId)?.status).toBe('canceled');
    const replacement = kernel.openOrders().find((o) => o.clientOrderId !== gtc.clientOrderId)!;
    expect([replacement.type, replacement.price?.toString(), replacement.triggerPrice?.toString(), replacement.quantity.toString()]).toEqual(['stop_limit', '121', '119', '0.5']);
    expect(venue.calls.slice(2)).toEqual([`modify ${gtc.clientOrderId}`, `cancel ${stop.clientOrderId}`, `submit ${replacement.clientOrderId} 0.5@121`]);
    await kernel.stop();
    journal.close();
  });

  it('a refused amendment is a modifyRejected: the order stands as it was', async () => {
    const venue = new PartlyAmendingVenue();
    const { kernel, journal, journalPath } = await kernelOn(venue);
    const gtc = kernel.submit({ instrumentId: btc.id, side: 'sell', type: 'limit', quantity: '0.5', price: '100.00', timeInForce: 'GTC' });
    await waitFor('accepted', () => kernel.order(gtc.clientOrderId)?.status === 'accepted');
    venue.refuseEdits.add(gtc.clientOrderId);
    kernel.modify(gtc.clientOrderId, { price: '101.00' });
    expect(kernel.order(gtc.clientOrderId)?.status).toBe('pending_update');
    await waitFor('the refusal', () => kernel.order(gtc.clientOrderId)?.status === 'accepted');
    const refusals = readJournal(journalPath).entries.flatMap((e) => (e.t === 'report' && e.report.kind === 'modifyRejected' ? [e.report.reason] : []));
    expect(refusals).toEqual([`edit of ${gtc.clientOrderId} refused: INVALID_EDITED_PRICE`]);
    expect(kernel.order(gtc.clientOrderId)?.price?.toString()).toBe('100');
    expect(venue.calls).toEqual([`submit ${gtc.clientOrderId} 0.5@100`, `modify ${gtc.clientOrderId}`]);
    await kernel.stop();
    journal.close();
  });
});
