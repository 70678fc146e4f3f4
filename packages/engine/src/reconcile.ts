import {
  AutotraderError,
  isOpen,
  isTerminal,
  money,
  quantity,
  type Fill,
  type Order,
  type VenueOrderState,
} from '@autotrader/core';
import type { Kernel } from './kernel';
import { snapshot } from './oms';

/** What to do with an open order the venue has and this process does not know. */
export type UnknownOrderPolicy = 'adopt' | 'cancel' | 'report';

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /** Orders with one of these client-id prefixes are ours (this session's and, after recovery, earlier ones'): always adopted. */
  readonly ourPrefixes: readonly string[];
  /** Foreign open orders: adopt them into the OMS, cancel them, or only report them (default). */
  readonly unknownOrders?: UnknownOrderPolicy;
  /** Fetch fills at or after this time (default: the last fill we know, or one day back). */
  readonly fillsSince?: number;
}

/** What reconciliation found and did. */
export interface ReconcileReport {
  readonly fillsApplied: number;
  readonly resolved: { clientOrderId: string; outcome: string }[];
  readonly adopted: string[];
  readonly cancelled: string[];
  readonly reported: string[];
  readonly positionMismatches: { instrumentId: string; ours: string; venue: string }[];
  readonly ok: boolean;
}

/**
 * Compares our orders, fills and positions with the venue's and repairs ours from theirs, in order:
 * missed fills first (applied oldest first; duplicates are dropped by trade id), then orders the venue
 * no longer has open (resolved from its answer to a query by client order id), then open orders only the
 * venue has (adopted, cancelled or reported), then positions. If positions still disagree, trading is
 * halted with RECONCILIATION_FAILED and the reason: we refuse to trade on a state we cannot explain.
 */
export async function reconcile(kernel: Kernel, options: ReconcileOptions): Promise<ReconcileReport> {
  const exec = kernel.execution;
  const now = (): number => kernel.clock.now();
  const report: { -readonly [K in keyof ReconcileReport]: ReconcileReport[K] } = { fillsApplied: 0, resolved: [], adopted: [], cancelled: [], reported: [], positionMismatches: [], ok: true };
  const ours = (id: string): boolean => kernel.oms.get(id) !== undefined || options.ourPrefixes.some((p) => id.startsWith(`${p}-`));

  // 1. Fills we missed, per instrument, oldest first.
  if (exec.fillsSince !== undefined) {
    const known = kernel.oms.allFills();
    const since = options.fillsSince ?? (known.length > 0 ? known[known.length - 1]!.tsEvent - 60_000 : now() - 86_400_000);
    for (const instrument of kernel.instruments.list()) {
      const fills: Fill[] = await exec.fillsSince(instrument.id, since);
      for (const fill of fills.sort((a, b) => a.tsEvent - b.tsEvent)) {
        if (!ours(fill.clientOrderId)) continue;
        if (kernel.oms.get(fill.clientOrderId) === undefined) continue; // adopted below, then its fills are applied on the next pass
        const before = kernel.oms.allFills().length;
        kernel.oms.apply({ kind: 'fill', fill });
        report.fillsApplied += kernel.oms.allFills().length - before;
      }
    }
  }

  // 2. Our open orders the venue no longer lists as open.
  const venueOpen = await exec.openOrders();
  const venueOpenIds = new Set(venueOpen.map((o) => o.clientOrderId));
  for (const order of kernel.oms.open()) {
    if (venueOpenIds.has(order.clientOrderId)) {
      if (order.status === 'submitted') kernel.oms.apply({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: venueOpen.find((v) => v.clientOrderId === order.clientOrderId)!.venueOrderId, tsEvent: now() });
      continue;
    }
    const state = await exec.order(order.clientOrderId, order.instrumentId);
    report.resolved.push({ clientOrderId: order.clientOrderId, outcome: resolveFromVenue(kernel, order, state) });
  }

  // 3. Open orders only the venue has.
  for (const v of venueOpen) {
    if (kernel.oms.get(v.clientOrderId) !== undefined) continue;
    const policy: UnknownOrderPolicy = ours(v.clientOrderId) ? 'adopt' : (options.unknownOrders ?? 'report');
    if (policy === 'adopt') {
      kernel.oms.adopt(orderFromVenue(v, now()));
      report.adopted.push(v.clientOrderId);
    } else if (policy === 'cancel') {
      await exec.cancel(snapshot(orderFromVenue(v, now())));
      report.cancelled.push(v.clientOrderId);
    } else {
      report.reported.push(v.clientOrderId);
    }
  }
  if (report.reported.length > 0) kernel.log.warn(`reconciliation: ${report.reported.length} open order(s) at the venue are not ours; left alone`, { clientOrderIds: report.reported });

  // 4. Positions.
  const venuePositions = new Map((await exec.positions()).map((p) => [p.instrumentId, p.quantity]));
  for (const instrument of kernel.instruments.list()) {
    const ourQty = kernel.portfolio.position(instrument.id)?.quantity ?? quantity(0);
    const venueQty = venuePositions.get(instrument.id) ?? quantity(0);
    if (!ourQty.eq(venueQty)) report.positionMismatches.push({ instrumentId: instrument.id, ours: ourQty.toString(), venue: venueQty.toString() });
  }
  if (report.positionMismatches.length > 0) {
    const why = report.positionMismatches.map((m) => `${m.instrumentId}: ours ${m.ours}, venue ${m.venue}`).join('; ');
    report.ok = false;
    kernel.setTradingState('halted', `reconciliation failed: positions disagree after applying the venue's fills (${why})`);
    kernel.bus.publish('error', {
      source: 'reconciliation',
      code: 'RECONCILIATION_FAILED',
      message: `positions disagree with the venue: ${why}`,
      tsEvent: now(),
      error: new AutotraderError('RECONCILIATION_FAILED', why),
    });
  }
  return report;
}

/** Applies what the venue says about one of our orders it does not list as open. */
export function resolveFromVenue(kernel: Kernel, order: Order, state: VenueOrderState | undefined): string {
  const ts = kernel.clock.now();
  if (state === undefined) {
    // The venue never had it (or forgot it): it cannot fill any more.
    if (order.status === 'submitted') kernel.oms.apply({ kind: 'rejected', clientOrderId: order.clientOrderId, code: 'ORDER_UNKNOWN', reason: 'the venue does not know this order (reconciliation)', tsEvent: ts });
    else kernel.oms.apply({ kind: 'canceled', clientOrderId: order.clientOrderId, reason: 'the venue does not know this order (reconciliation)', tsEvent: ts });
    return 'unknown at the venue';
  }
  if (order.status === 'submitted' && state.venueOrderId) kernel.oms.apply({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: state.venueOrderId, tsEvent: ts });
  if (state.filledQuantity.gt(order.filledQuantity)) {
    kernel.log.warn(`reconciliation: ${order.clientOrderId} is filled ${state.filledQuantity.toString()} at the venue, ${order.filledQuantity.toString()} here, and the venue did not return the missing fills`);
  }
  if (state.status === 'canceled' || state.status === 'expired' || state.status === 'rejected') {
    kernel.oms.apply(
      state.status === 'rejected'
        ? { kind: 'rejected', clientOrderId: order.clientOrderId, code: 'VENUE_REJECTED', reason: 'rejected at the venue (reconciliation)', tsEvent: ts }
        : { kind: state.status, clientOrderId: order.clientOrderId, tsEvent: ts },
    );
  }
  return state.status;
}

/** An order rebuilt from the venue's view, for adoption. */
function orderFromVenue(v: VenueOrderState, ts: number): Order {
  return {
    clientOrderId: v.clientOrderId,
    venueOrderId: v.venueOrderId,
    instrumentId: v.instrumentId,
    side: v.side,
    type: v.price === undefined ? 'market' : 'limit',
    quantity: v.quantity,
    price: v.price,
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    status: isTerminal(v.status) || !isOpen(v.status) ? 'accepted' : v.status,
    filledQuantity: v.filledQuantity,
    fees: money(0),
    tsCreated: ts,
    tsUpdated: ts,
    tag: 'adopted',
  };
}
