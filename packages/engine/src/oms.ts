import {
  AutotraderError,
  IdIndex,
  canTransition,
  isOpen,
  isTerminal,
  price,
  quantity,
  money,
  type EventBus,
  type ExecutionReport,
  type Fill,
  type Order,
  type OrderSnapshot,
  type OrderStatus,
} from '@autotrader/core';
import type { Portfolio } from './portfolio';

/**
 * Where the OMS books fills: the portfolio in a kernel. Journal recovery replays through the OMS with a
 * ledger that only collects, so the same rules decide every order's state live and after a crash.
 */
export type FillLedger = Pick<Portfolio, 'applyFill'> & Partial<Pick<Portfolio, 'position' | 'balancesAfter'>>;

/** Something the venue told us that does not fit our state. The kernel decides how loud to be. */
export type AnomalyHandler = (error: AutotraderError) => void;

/**
 * The order manager: owns every order, applies execution reports through the state machine, drops
 * duplicate fills by trade id, detects overfills and fills for unknown orders, and publishes
 * `order`, `fill`, `position` and `balance` events after its own state and the portfolio are updated.
 */
export class OrderManager {
  private readonly orders = new IdIndex<Order>();
  /** Every order in the order it was first seen (creation, adoption or restore). */
  private readonly list: Order[] = [];
  /**
   * Open orders in the order they opened. A set of the order objects (not of ids: hashing id strings
   * was a measurable share of the backtest order path). It was an array, whose indexOf and splice made
   * every order's open and close cost in proportion to the orders open: 1e5 orders placed in one
   * handler cost ~40 µs each instead of ~10 µs, and a flood of 1e6 never finished (issue 11).
   */
  private readonly openOrders = new Set<Order>();
  /**
   * Trade ids already booked, per instrument (trade ids are unique per instrument, not across them).
   * An IdIndex: venues number their trades, and a set of hundreds of thousands of id strings was the
   * largest single cost of booking a fill in a long backtest.
   */
  private readonly seenTrades = new Map<string, IdIndex<true>>();
  private hotInstrument = '';
  private hotTrades: IdIndex<true> | undefined;
  private readonly fills: Fill[] = [];
  /** Called after every status change, before the `order` event (the kernel's cancel-replace uses it). */
  onStatusChange: ((order: Order) => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly portfolio: FillLedger,
    private readonly now: () => number,
    private readonly onAnomaly: AnomalyHandler,
  ) {}

  /** Registers a new order (status `initialized`). */
  add(order: Order): void {
    if (this.orders.has(order.clientOrderId)) {
      throw new AutotraderError('INTERNAL', `client order id ${order.clientOrderId} is already in use`);
    }
    this.store(order);
  }

  /**
   * Takes over an order found at the venue (reconciliation, recovery) in the state given, without
   * the state machine's path from `initialized`: the venue is the authority on where it is.
   */
  adopt(order: Order): void {
    if (this.orders.has(order.clientOrderId)) return;
    this.store(order);
    this.track(order);
    if (this.bus.hasListeners('order')) this.bus.publish('order', { order: snapshot(order), previous: undefined, tsEvent: order.tsUpdated });
  }

  /**
   * Loads orders and fills recovered from the journal after a restart, without publishing: the fills
   * go to the portfolio in journal order, their trade ids are remembered so a venue resend is dropped.
   */
  restore(orders: readonly Order[], fills: readonly Fill[]): void {
    for (const order of orders) {
      this.store(order);
      this.track(order);
    }
    for (const fill of fills) {
      const seen = this.tradesOf(fill.instrumentId);
      if (seen.has(fill.tradeId)) continue;
      seen.set(fill.tradeId, true);
      this.fills.push(fill);
      this.portfolio.applyFill(fill);
    }
  }

  /** The live order object (engine-internal; strategies get snapshots). */
  get(clientOrderId: string): Order | undefined {
    return this.orders.get(clientOrderId);
  }

  /** The order, or throws ORDER_UNKNOWN. */
  require(clientOrderId: string): Order {
    const o = this.orders.get(clientOrderId);
    if (o === undefined) throw new AutotraderError('ORDER_UNKNOWN', `no order with client order id '${clientOrderId}'`, { details: { clientOrderId } });
    return o;
  }

  /** Orders that are live or on their way (optionally of one instrument). */
  open(instrumentId?: string): Order[] {
    if (instrumentId === undefined) return [...this.openOrders];
    const found: Order[] = [];
    for (const o of this.openOrders) if (o.instrumentId === instrumentId) found.push(o);
    return found;
  }

  /** Every order ever seen, in creation order. */
  all(): Order[] {
    return [...this.list];
  }

  /** True when a fill with this trade id was booked for this instrument. */
  hasFill(instrumentId: string, tradeId: string): boolean {
    return this.tradesOf(instrumentId).has(tradeId);
  }

  /** Every fill applied, in order. */
  allFills(): readonly Fill[] {
    return this.fills;
  }

  /** Moves an order to a new status and publishes the change. Throws on an illegal transition. */
  setStatus(order: Order, to: OrderStatus, ts: number = this.now()): void {
    const previous = order.status;
    if (!canTransition(previous, to)) {
      throw new AutotraderError('ORDER_TRANSITION_ILLEGAL', `order ${order.clientOrderId}: ${previous} → ${to} is not allowed`, {
        details: { clientOrderId: order.clientOrderId, from: previous, to },
      });
    }
    order.status = to;
    order.tsUpdated = ts;
    this.track(order, previous);
    this.onStatusChange?.(order);
    // Events nobody listens to are not built: on the backtest hot path that is most of them.
    if (this.bus.hasListeners('order')) this.bus.publish('order', { order: snapshot(order), previous, tsEvent: ts });
  }

  /** Applies one report from the venue. Reports that do not fit are reported as anomalies, never applied half-way. */
  apply(report: ExecutionReport): void {
    if (report.kind === 'fill') return this.applyFill(report.fill);
    const order = this.orders.get(report.clientOrderId);
    if (order === undefined) {
      this.onAnomaly(
        new AutotraderError('ORDER_UNKNOWN', `venue reported '${report.kind}' for unknown order ${report.clientOrderId}`, { details: { report } }),
      );
      return;
    }
    switch (report.kind) {
      case 'accepted':
        order.venueOrderId = report.venueOrderId;
        // A late ack after fills or a cancel carries nothing new but the venue id.
        if (order.status === 'submitted') this.transitionOrAnomaly(order, 'accepted', report.tsEvent);
        return;
      case 'rejected':
        order.rejection = { code: report.code, message: report.reason };
        this.transitionOrAnomaly(order, 'rejected', report.tsEvent);
        return;
      case 'canceled':
        this.transitionOrAnomaly(order, 'canceled', report.tsEvent);
        return;
      case 'expired':
        this.transitionOrAnomaly(order, 'expired', report.tsEvent);
        return;
      case 'updated': {
        if (report.venueOrderId !== undefined) order.venueOrderId = report.venueOrderId;
        if (report.quantity !== undefined) order.quantity = report.quantity;
        if (report.price !== undefined) order.price = report.price;
        if (report.triggerPrice !== undefined) order.triggerPrice = report.triggerPrice;
        const back: OrderStatus = order.filledQuantity.isZero() ? 'accepted' : 'partially_filled';
        if (order.status === 'pending_update') this.transitionOrAnomaly(order, back, report.tsEvent);
        else if (this.bus.hasListeners('order')) this.bus.publish('order', { order: snapshot(order), previous: order.status, tsEvent: report.tsEvent });
        return;
      }
      case 'cancelRejected':
      case 'modifyRejected': {
        const back: OrderStatus = order.filledQuantity.isZero() ? 'accepted' : 'partially_filled';
        if (order.status === 'pending_cancel' || order.status === 'pending_update') this.transitionOrAnomaly(order, back, report.tsEvent);
        return;
      }
    }
  }

  private applyFill(fill: Fill): void {
    const seen = this.tradesOf(fill.instrumentId);
    if (seen.has(fill.tradeId)) return; // the same execution reported twice (REST and stream, or a resend)
    const order = this.orders.get(fill.clientOrderId);
    if (order === undefined) {
      // Not booked, and not remembered: the same fill is accepted once the order is known.
      this.onAnomaly(
        new AutotraderError('FILL_UNKNOWN_ORDER', `fill ${fill.tradeId} for unknown order ${fill.clientOrderId}`, { details: { tradeId: fill.tradeId, clientOrderId: fill.clientOrderId } }),
      );
      return;
    }
    seen.set(fill.tradeId, true);
    const filled = order.filledQuantity.plus(fill.quantity);
    order.averagePrice = price(
      order.averagePrice === undefined ? fill.price : order.averagePrice.mul(order.filledQuantity).plus(fill.price.mul(fill.quantity)).div(filled),
    );
    order.filledQuantity = quantity(filled);
    order.fees = money(order.fees.plus(fill.fee));
    order.tsUpdated = fill.tsEvent;
    const overfilled = filled.gt(order.quantity);
    const previous = order.status;
    const next: OrderStatus = filled.gte(order.quantity) ? 'filled' : 'partially_filled';
    const changed = !isTerminal(previous) && canTransition(previous, next);
    if (changed) {
      order.status = next;
      this.track(order, previous);
    } else if (previous !== next) {
      // A fill after a cancel or expiry is still real money: apply it, keep the terminal status, and say so.
      this.onAnomaly(
        new AutotraderError('ORDER_TRANSITION_ILLEGAL', `fill ${fill.tradeId} arrived for order ${order.clientOrderId} in state ${previous}`, {
          details: { clientOrderId: order.clientOrderId, from: previous, to: next },
        }),
      );
    }
    this.fills.push(fill);
    this.portfolio.applyFill(fill);
    if (changed) this.onStatusChange?.(order);
    const bus = this.bus;
    if (bus.hasListeners('order')) bus.publish('order', { order: snapshot(order), previous, tsEvent: fill.tsEvent });
    bus.publish('fill', fill);
    const ledger = this.portfolio;
    if (ledger.position !== undefined && bus.hasListeners('position')) bus.publish('position', ledger.position(fill.instrumentId)!);
    // Every currency the fill moved: the quote, the base of a spot instrument, and the fee's own currency.
    if (ledger.balancesAfter !== undefined && bus.hasListeners('balance')) for (const b of ledger.balancesAfter(fill)) bus.publish('balance', b);
    if (overfilled) {
      this.onAnomaly(
        new AutotraderError('ORDER_OVERFILL', `order ${order.clientOrderId} is filled ${filled.toString()} of ${order.quantity.toString()}`, {
          details: { clientOrderId: order.clientOrderId, filled: filled.toString(), quantity: order.quantity.toString() },
        }),
      );
    }
  }

  private transitionOrAnomaly(order: Order, to: OrderStatus, ts: number): void {
    if (order.status === to) return; // a repeated report: nothing changes
    if (!canTransition(order.status, to)) {
      this.onAnomaly(
        new AutotraderError('ORDER_TRANSITION_ILLEGAL', `order ${order.clientOrderId}: venue reported ${to} while ${order.status}; not applied`, {
          details: { clientOrderId: order.clientOrderId, from: order.status, to },
        }),
      );
      return;
    }
    this.setStatus(order, to, ts);
  }

  /** Adds or replaces an order (a restore may bring an id twice: the later record wins, in the first one's place). */
  private store(order: Order): void {
    const previous = this.orders.get(order.clientOrderId);
    this.orders.set(order.clientOrderId, order);
    if (previous === undefined) this.list.push(order);
    else {
      this.list[this.list.indexOf(previous)] = order;
      this.openOrders.delete(previous);
    }
  }

  private tradesOf(instrumentId: string): IdIndex<true> {
    if (instrumentId === this.hotInstrument && this.hotTrades !== undefined) return this.hotTrades;
    let seen = this.seenTrades.get(instrumentId);
    if (seen === undefined) this.seenTrades.set(instrumentId, (seen = new IdIndex()));
    this.hotInstrument = instrumentId;
    this.hotTrades = seen;
    return seen;
  }

  /** Keeps the set of open orders; touched only when an order opens or closes, not on every step. */
  private track(order: Order, previous?: OrderStatus): void {
    const open = isOpen(order.status);
    if (previous !== undefined && open === isOpen(previous)) return;
    if (open) this.openOrders.add(order);
    else this.openOrders.delete(order);
  }
}

/**
 * A copy of an order at this moment, safe to hand out and to keep. Built field by field in one fixed
 * order so every snapshot shares one hidden class (an object spread of orders with different optional
 * fields made the OMS megamorphic and was a top item in the backtest profile).
 */
export function snapshot(o: Order): OrderSnapshot {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    instrumentId: o.instrumentId,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    price: o.price,
    triggerPrice: o.triggerPrice,
    trailingOffset: o.trailingOffset,
    timeInForce: o.timeInForce,
    expireAt: o.expireAt,
    postOnly: o.postOnly,
    reduceOnly: o.reduceOnly,
    status: o.status,
    filledQuantity: o.filledQuantity,
    averagePrice: o.averagePrice,
    fees: o.fees,
    tsCreated: o.tsCreated,
    tsUpdated: o.tsUpdated,
    rejection: o.rejection,
    tag: o.tag,
  };
}
