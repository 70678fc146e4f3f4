import {
  AutotraderError,
  canTransition,
  isOpen,
  isTerminal,
  money,
  price,
  quantity,
  type ExecutionReport,
  type Fill,
  type Order,
  type OrderStatus,
} from '@autotrader/core';
import type { JournalEntry } from './codec';

/** The trading state rebuilt from a journal, to seed the OMS and portfolio before reconciliation. */
export interface RecoveredState {
  /** Every journalled order, in submit order, its state rebuilt with the OMS's rules. */
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

/**
 * Rebuilds orders, fills and used id prefixes by replaying journal entries through the same rules as
 * the OMS: transitions checked with core's `canTransition`, fills deduplicated by
 * `${instrumentId}|${tradeId}`, filled quantity, average price and fees recomputed exactly from the
 * fills. Pure: touches no file, clock or bus.
 */
export function recover(entries: readonly JournalEntry[]): RecoveredState {
  const replay = new Replay();
  for (const entry of entries) replay.apply(entry);
  return replay.result();
}

/** `prefix` of an id made by core's ClientOrderIdFactory (`${prefix}-${n}`), or undefined. */
function prefixOf(clientOrderId: string): string | undefined {
  const m = /^(.+)-\d+$/.exec(clientOrderId);
  return m?.[1];
}

class Replay {
  private readonly orders = new Map<string, Order>();
  private readonly seenTrades = new Set<string>();
  /** Orders the venue (or reconciliation) has spoken about. */
  private readonly heard = new Set<string>();
  private readonly fills: Fill[] = [];
  private readonly prefixes = new Set<string>();
  private readonly anomalies: AutotraderError[] = [];

  apply(entry: JournalEntry): void {
    switch (entry.t) {
      case 'session':
        this.prefixes.add(entry.prefix);
        return;
      case 'submit':
        return this.submit(entry.order, entry.ts);
      case 'cancel': {
        const order = this.find(entry.clientOrderId, 'cancel');
        // As the kernel does: a cancel of a closed order, or a repeated cancel, changes nothing.
        if (order === undefined || !isOpen(order.status) || order.status === 'pending_cancel') return;
        this.transition(order, 'pending_cancel', entry.ts, 'cancel');
        return;
      }
      case 'modify': {
        const order = this.find(entry.clientOrderId, 'modify');
        if (order === undefined || !isOpen(order.status)) return;
        // The new amounts apply only when the venue confirms them with an `updated` report.
        this.transition(order, 'pending_update', entry.ts, 'modify');
        return;
      }
      case 'status': {
        const order = this.find(entry.clientOrderId, `status ${entry.status}`);
        if (order === undefined) return;
        this.heard.add(order.clientOrderId);
        if (order.status === entry.status) return;
        if (this.transition(order, entry.status, entry.ts, 'status') && entry.status === 'rejected') {
          order.rejection = { code: entry.code ?? 'ORDER_INVALID', message: entry.reason ?? 'rejected' };
        }
        return;
      }
      case 'report':
        return this.report(entry.report);
    }
  }

  result(): RecoveredState {
    const orders = [...this.orders.values()];
    for (const o of orders) {
      const p = prefixOf(o.clientOrderId);
      if (p !== undefined) this.prefixes.add(p);
    }
    const openOrders = orders.filter((o) => !isTerminal(o.status));
    return {
      orders,
      fills: this.fills,
      openOrders,
      prefixes: [...this.prefixes],
      inFlight: openOrders.filter((o) => !this.heard.has(o.clientOrderId)),
      anomalies: this.anomalies,
    };
  }

  private submit(snap: Order | Readonly<Order>, ts: number): void {
    if (this.orders.has(snap.clientOrderId)) {
      this.anomalies.push(
        new AutotraderError('INTERNAL', `order ${snap.clientOrderId} was journalled as submitted twice; the second submit was ignored`, {
          details: { clientOrderId: snap.clientOrderId },
        }),
      );
      return;
    }
    // A submit entry is written just before the order leaves: whatever status the snapshot carried,
    // the order is on its way. Fill totals start at zero and are rebuilt from the fills that follow.
    this.orders.set(snap.clientOrderId, {
      clientOrderId: snap.clientOrderId,
      venueOrderId: snap.venueOrderId,
      instrumentId: snap.instrumentId,
      side: snap.side,
      type: snap.type,
      quantity: snap.quantity,
      price: snap.price,
      triggerPrice: snap.triggerPrice,
      trailingOffset: snap.trailingOffset,
      timeInForce: snap.timeInForce,
      expireAt: snap.expireAt,
      postOnly: snap.postOnly,
      reduceOnly: snap.reduceOnly,
      status: 'submitted',
      filledQuantity: quantity(0),
      averagePrice: undefined,
      fees: money(0),
      tsCreated: snap.tsCreated,
      tsUpdated: ts,
      rejection: undefined,
      tag: snap.tag,
    });
  }

  // Mirrors OrderManager.apply: same transitions, same tolerance of late and repeated reports.
  private report(report: ExecutionReport): void {
    if (report.kind === 'fill') return this.fill(report.fill);
    const order = this.find(report.clientOrderId, report.kind);
    if (order === undefined) return;
    this.heard.add(order.clientOrderId);
    switch (report.kind) {
      case 'accepted':
        order.venueOrderId = report.venueOrderId;
        if (order.status === 'submitted') this.transitionIfNew(order, 'accepted', report.tsEvent);
        return;
      case 'rejected':
        order.rejection = { code: report.code, message: report.reason };
        this.transitionIfNew(order, 'rejected', report.tsEvent);
        return;
      case 'canceled':
        this.transitionIfNew(order, 'canceled', report.tsEvent);
        return;
      case 'expired':
        this.transitionIfNew(order, 'expired', report.tsEvent);
        return;
      case 'updated': {
        if (report.venueOrderId !== undefined) order.venueOrderId = report.venueOrderId;
        if (report.quantity !== undefined) order.quantity = report.quantity;
        if (report.price !== undefined) order.price = report.price;
        if (report.triggerPrice !== undefined) order.triggerPrice = report.triggerPrice;
        if (order.status === 'pending_update') this.transitionIfNew(order, this.liveStatus(order), report.tsEvent);
        return;
      }
      case 'cancelRejected':
      case 'modifyRejected':
        if (order.status === 'pending_cancel' || order.status === 'pending_update') this.transitionIfNew(order, this.liveStatus(order), report.tsEvent);
        return;
    }
  }

  private fill(fill: Fill): void {
    const key = `${fill.instrumentId}|${fill.tradeId}`;
    if (this.seenTrades.has(key)) return;
    const order = this.orders.get(fill.clientOrderId);
    if (order === undefined) {
      this.anomalies.push(
        new AutotraderError('FILL_UNKNOWN_ORDER', `journalled fill ${fill.tradeId} is for order ${fill.clientOrderId}, which has no submit entry`, {
          details: { tradeId: fill.tradeId, clientOrderId: fill.clientOrderId },
        }),
      );
      return;
    }
    this.seenTrades.add(key);
    this.heard.add(order.clientOrderId);
    const filled = order.filledQuantity.plus(fill.quantity);
    order.averagePrice = price(
      order.averagePrice === undefined ? fill.price : order.averagePrice.mul(order.filledQuantity).plus(fill.price.mul(fill.quantity)).div(filled),
    );
    order.filledQuantity = quantity(filled);
    order.fees = money(order.fees.plus(fill.fee));
    order.tsUpdated = fill.tsEvent;
    const previous = order.status;
    const next: OrderStatus = filled.gte(order.quantity) ? 'filled' : 'partially_filled';
    if (!isTerminal(previous) && canTransition(previous, next)) order.status = next;
    else if (previous !== next) {
      this.anomalies.push(
        new AutotraderError('ORDER_TRANSITION_ILLEGAL', `fill ${fill.tradeId} arrived for order ${order.clientOrderId} in state ${previous}`, {
          details: { clientOrderId: order.clientOrderId, from: previous, to: next },
        }),
      );
    }
    this.fills.push(fill);
    if (filled.gt(order.quantity)) {
      this.anomalies.push(
        new AutotraderError('ORDER_OVERFILL', `order ${order.clientOrderId} is filled ${filled.toString()} of ${order.quantity.toString()}`, {
          details: { clientOrderId: order.clientOrderId, filled: filled.toString(), quantity: order.quantity.toString() },
        }),
      );
    }
  }

  private liveStatus(order: Order): OrderStatus {
    return order.filledQuantity.isZero() ? 'accepted' : 'partially_filled';
  }

  private find(clientOrderId: string, what: string): Order | undefined {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) {
      this.anomalies.push(
        new AutotraderError('ORDER_UNKNOWN', `journalled '${what}' is for order ${clientOrderId}, which has no submit entry`, { details: { clientOrderId } }),
      );
    }
    return order;
  }

  private transitionIfNew(order: Order, to: OrderStatus, ts: number): void {
    if (order.status !== to) this.transition(order, to, ts, 'report');
  }

  private transition(order: Order, to: OrderStatus, ts: number, source: string): boolean {
    if (!canTransition(order.status, to)) {
      this.anomalies.push(
        new AutotraderError('ORDER_TRANSITION_ILLEGAL', `journalled ${source} moves order ${order.clientOrderId} from ${order.status} to ${to}, which is not allowed; not applied`, {
          details: { clientOrderId: order.clientOrderId, from: order.status, to },
        }),
      );
      return false;
    }
    order.status = to;
    order.tsUpdated = ts;
    return true;
  }
}
