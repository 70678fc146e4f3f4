import { AutotraderError, canTransition, EventBus, isOpen, isTerminal, money, quantity, type Fill, type Order, type OrderStatus } from '@autotrader/core';
import { OrderManager } from '../oms';
import type { JournalEntry } from './codec';

/** The trading state rebuilt from a journal, to seed the OMS and portfolio before reconciliation. */
export interface RecoveredState {
  /** Every journalled order, in submit order, its state rebuilt by the OMS itself. */
  readonly orders: Order[];
  /** Applied fills in journal order, deduplicated by instrument and trade id (positions are rebuilt from these). */
  readonly fills: Fill[];
  /** Orders not in a terminal state: reconcile these with the venue before trading resumes. */
  readonly openOrders: Order[];
  /** Client order id prefixes already used, from session entries and from the ids themselves. Never reuse one. */
  readonly prefixes: string[];
  /** Open orders the venue never said anything about: they may or may not exist there. Query each by client order id. */
  readonly inFlight: Order[];
  /** Entries that did not fit the state (the same anomalies the OMS reports live); they were not applied. */
  readonly anomalies: AutotraderError[];
}

/** `prefix` of an id made by core's ClientOrderIdFactory (`${prefix}-${n}`), or undefined. */
function prefixOf(clientOrderId: string): string | undefined {
  return /^(.+)-\d+$/.exec(clientOrderId)?.[1];
}

/**
 * Rebuilds orders, fills and used id prefixes by replaying journal entries through an
 * {@link OrderManager}: the same transitions, duplicate-fill rule, overfill and late-report handling
 * as live, because it is the same code. Pure: touches no file, clock or shared bus.
 */
export function recover(entries: readonly JournalEntry[]): RecoveredState {
  const anomalies: AutotraderError[] = [];
  let now = 0;
  const oms = new OrderManager(new EventBus('isolate'), { applyFill: () => {} }, () => now, (e) => anomalies.push(e));
  const prefixes = new Set<string>();
  /** Orders the venue (or reconciliation) has spoken about. */
  const heard = new Set<string>();

  const find = (clientOrderId: string, what: string): Order | undefined => {
    const order = oms.get(clientOrderId);
    if (order === undefined) {
      anomalies.push(new AutotraderError('ORDER_UNKNOWN', `journalled '${what}' is for order ${clientOrderId}, which has no submit entry`, { details: { clientOrderId } }));
    }
    return order;
  };
  const move = (order: Order, to: OrderStatus, source: string): boolean => {
    if (!canTransition(order.status, to)) {
      anomalies.push(
        new AutotraderError('ORDER_TRANSITION_ILLEGAL', `journalled ${source} moves order ${order.clientOrderId} from ${order.status} to ${to}, which is not allowed; not applied`, {
          details: { clientOrderId: order.clientOrderId, from: order.status, to },
        }),
      );
      return false;
    }
    oms.setStatus(order, to, now);
    return true;
  };

  for (const entry of entries) {
    now = entry.ts;
    switch (entry.t) {
      case 'session':
        prefixes.add(entry.prefix);
        break;
      case 'submit': {
        const snap = entry.order;
        if (oms.get(snap.clientOrderId) !== undefined) {
          anomalies.push(
            new AutotraderError('INTERNAL', `order ${snap.clientOrderId} was journalled as submitted twice; the second submit was ignored`, { details: { clientOrderId: snap.clientOrderId } }),
          );
          break;
        }
        // Written just before the order left: it is on its way. Fill totals are rebuilt from the fills that follow.
        oms.adopt({ ...snap, status: 'submitted', filledQuantity: quantity(0), averagePrice: undefined, fees: money(0), rejection: undefined, tsUpdated: entry.ts });
        break;
      }
      case 'adopt':
        // Found open at the venue by reconciliation: the venue is the authority on its state.
        heard.add(entry.order.clientOrderId);
        oms.adopt({ ...entry.order });
        break;
      case 'balance':
        // A venue-side balance change: the books are set from the venue's snapshot at start-up, which holds it.
        break;
      case 'cancel': {
        const order = find(entry.clientOrderId, 'cancel');
        // As the kernel does: a cancel of a closed order, or a repeated cancel, changes nothing.
        if (order !== undefined && isOpen(order.status) && order.status !== 'pending_cancel') move(order, 'pending_cancel', 'cancel');
        break;
      }
      case 'modify': {
        const order = find(entry.clientOrderId, 'modify');
        // The new amounts apply only when the venue confirms them with an `updated` report.
        if (order !== undefined && isOpen(order.status)) move(order, 'pending_update', 'modify');
        break;
      }
      case 'status': {
        const order = find(entry.clientOrderId, `status ${entry.status}`);
        if (order === undefined) break;
        heard.add(order.clientOrderId);
        if (order.status === entry.status) break;
        if (entry.status === 'rejected') order.rejection = { code: entry.code ?? 'ORDER_INVALID', message: entry.reason ?? 'rejected' };
        move(order, entry.status, 'status');
        break;
      }
      case 'report': {
        const r = entry.report;
        const id = r.kind === 'fill' ? r.fill.clientOrderId : r.clientOrderId;
        if (oms.get(id) !== undefined) heard.add(id);
        // Unknown orders, duplicates and late reports are the OMS's to judge, exactly as live.
        oms.apply(r);
        break;
      }
    }
  }

  const orders = oms.all();
  for (const o of orders) {
    const p = prefixOf(o.clientOrderId);
    if (p !== undefined) prefixes.add(p);
  }
  const openOrders = orders.filter((o) => !isTerminal(o.status));
  return {
    orders,
    fills: [...oms.allFills()],
    openOrders,
    prefixes: [...prefixes],
    inFlight: openOrders.filter((o) => !heard.has(o.clientOrderId)),
    anomalies,
  };
}
