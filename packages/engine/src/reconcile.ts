import { compareAccountSummaries } from './account-compare';
import {
  AutotraderError,
  Decimal,
  isOpen,
  isTerminal,
  money,
  quantity,
  type Balance,
  type Clock,
  type EventBus,
  type ExecutionPort,
  type ExecutionReport,
  type Fill,
  type InstrumentCatalog,
  type Logger,
  type Order,
  type TradingState,
  type VenueOrderState,
} from '@autotrader/core';
import { snapshot, type OrderManager } from './oms';
import type { Portfolio } from './portfolio';

/** What to do with an open order the venue has and this process does not know. */
export type UnknownOrderPolicy = 'adopt' | 'cancel' | 'report';

/**
 * What reconciliation may see and do: the venue's execution port, our orders and books, and the ways
 * to change them that the journal records (a report applied, an order adopted) or to halt. A narrow
 * view rather than the whole kernel, so this module does not depend on the kernel.
 */
export interface ReconcileView {
  readonly execution: ExecutionPort;
  readonly clock: Pick<Clock, 'now'>;
  readonly instruments: InstrumentCatalog;
  readonly oms: Pick<OrderManager, 'get' | 'open' | 'allFills' | 'hasFill'>;
  readonly portfolio: Pick<Portfolio, 'position' | 'balanceOf' | 'general' | 'accountSummary'>;
  readonly bus: Pick<EventBus, 'publish'>;
  readonly log: Logger;
  /** Journals a report, then applies it: the one way a venue's word changes our orders and books. */
  applyReport(report: ExecutionReport): void;
  /** Journals an order found at the venue, then takes it over. */
  adoptOrder(order: Order): void;
  setTradingState(state: TradingState, reason: string): void;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /** Orders with one of these client-id prefixes are ours (this session's and, after recovery, earlier ones'): always adopted. */
  readonly ourPrefixes: readonly string[];
  /** Foreign open orders: adopt them into the OMS, cancel them, or only report them (default). */
  readonly unknownOrders?: UnknownOrderPolicy;
  /** Fetch fills at or after this time (default: the last fill we know, or one day back). */
  readonly fillsSince?: number;
  /**
   * Holdings are compared again this many times, this far apart, before a difference counts: a fill
   * in flight on the stream can make a snapshot and our books disagree for a moment (default 3 × 300 ms).
   */
  readonly settle?: { readonly attempts: number; readonly delayMs: number };
}

/** One holding that differs between our books and the venue. */
export interface HoldingMismatch {
  /** The instrument (positions) or `currency balance` (spot base assets, balances). */
  readonly what: string;
  readonly ours: string;
  readonly venue: string;
}

/** What reconciliation found and did. */
export interface ReconcileReport {
  readonly fillsApplied: number;
  readonly resolved: { clientOrderId: string; outcome: string }[];
  readonly adopted: string[];
  readonly cancelled: string[];
  readonly reported: string[];
  /** Positions (a spot instrument's position is its base asset's balance) that still differ: trading halts. */
  readonly positionMismatches: HoldingMismatch[];
  /** Other balances (the quote asset, a fee asset) that differ: reported, trading goes on. */
  readonly balanceMismatches: HoldingMismatch[];
  readonly ok: boolean;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Compares our orders, fills and holdings with the venue's and repairs ours from theirs, in order:
 * missed fills first (applied oldest first; duplicates are dropped by trade id), then orders the venue
 * no longer has open (resolved from its answer to a query by client order id), then open orders only the
 * venue has (adopted, cancelled or reported), then holdings. Every change goes through the journal
 * before it is applied. Holdings are compared like with like: a spot instrument's position with its
 * base asset's balance at the venue (fees in the base asset included on both sides), other
 * instruments' positions with the venue's positions. If a position still disagrees after the settle
 * attempts, trading is halted with RECONCILIATION_FAILED and both figures: we refuse to trade on a
 * state we cannot explain. Other balances that differ are reported with both figures.
 */
export async function reconcile(view: ReconcileView, options: ReconcileOptions): Promise<ReconcileReport> {
  const exec = view.execution;
  const now = (): number => view.clock.now();
  const report: { -readonly [K in keyof ReconcileReport]: ReconcileReport[K] } = {
    fillsApplied: 0,
    resolved: [],
    adopted: [],
    cancelled: [],
    reported: [],
    positionMismatches: [],
    balanceMismatches: [],
    ok: true,
  };
  const ours = (id: string): boolean => view.oms.get(id) !== undefined || options.ourPrefixes.some((p) => id.startsWith(`${p}-`));

  // 1. Fills we missed, per instrument, oldest first.
  const missedFills = async (): Promise<void> => {
    if (exec.fillsSince === undefined) return;
    const known = view.oms.allFills();
    const since = options.fillsSince ?? (known.length > 0 ? known[known.length - 1]!.tsEvent - 60_000 : now() - 86_400_000);
    for (const instrument of view.instruments.list()) {
      const fills: Fill[] = await exec.fillsSince(instrument.id, since);
      for (const fill of fills.sort((a, b) => a.tsEvent - b.tsEvent)) {
        if (!ours(fill.clientOrderId) || view.oms.hasFill(fill.instrumentId, fill.tradeId)) continue;
        if (view.oms.get(fill.clientOrderId) === undefined) continue; // adopted below, then its fills are applied on the next pass
        view.applyReport({ kind: 'fill', fill });
        if (view.oms.hasFill(fill.instrumentId, fill.tradeId)) report.fillsApplied++;
      }
    }
  };
  await missedFills();

  // 2. Our open orders the venue no longer lists as open.
  const venueOpen = await exec.openOrders();
  const venueOpenById = new Map(venueOpen.map((o) => [o.clientOrderId, o]));
  for (const order of view.oms.open()) {
    const listed = venueOpenById.get(order.clientOrderId);
    if (listed !== undefined) {
      if (order.status === 'submitted') view.applyReport({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: listed.venueOrderId, tsEvent: now() });
      continue;
    }
    const state = await exec.order(order.clientOrderId, order.instrumentId);
    report.resolved.push({ clientOrderId: order.clientOrderId, outcome: resolveFromVenue(view, order, state) });
  }

  // 3. Open orders only the venue has.
  for (const v of venueOpen) {
    if (view.oms.get(v.clientOrderId) !== undefined) continue;
    const policy: UnknownOrderPolicy = ours(v.clientOrderId) ? 'adopt' : (options.unknownOrders ?? 'report');
    if (policy === 'adopt') {
      view.adoptOrder(orderFromVenue(v, now()));
      report.adopted.push(v.clientOrderId);
    } else if (policy === 'cancel') {
      await exec.cancel(snapshot(orderFromVenue(v, now())));
      report.cancelled.push(v.clientOrderId);
    } else {
      report.reported.push(v.clientOrderId);
    }
  }
  if (report.reported.length > 0) view.log.warn(`reconciliation: ${report.reported.length} open order(s) at the venue are not ours; left alone`, { clientOrderIds: report.reported });
  // Fills of orders adopted just now.
  if (report.adopted.length > 0) await missedFills();

  // 4. Holdings, like with like, compared again while they differ (a fill may be in flight).
  const settle = options.settle ?? { attempts: 3, delayMs: 300 };
  for (let attempt = 1; ; attempt++) {
    const { positions, balances } = await compareHoldings(view);
    report.positionMismatches = positions;
    report.balanceMismatches = balances;
    if ((positions.length === 0 && balances.length === 0) || attempt >= settle.attempts) break;
    await wait(settle.delayMs);
  }
  // A margin or multi-currency account: the venue's NAV, balance and margin against ours, where it reports them.
  if (view.portfolio.general && view.execution.accountSummary !== undefined) {
    report.balanceMismatches.push(...compareAccountSummaries(view.portfolio.accountSummary(), await view.execution.accountSummary()));
  }
  if (report.balanceMismatches.length > 0) {
    const why = describe(report.balanceMismatches);
    view.log.warn(`reconciliation: balances differ from the venue: ${why}`);
    view.bus.publish('error', { source: 'reconciliation', code: 'BALANCE_MISMATCH', message: `balances differ from the venue: ${why}`, tsEvent: now() });
  }
  if (report.positionMismatches.length > 0) {
    const why = describe(report.positionMismatches);
    report.ok = false;
    view.setTradingState('halted', `reconciliation failed: positions disagree after applying the venue's fills (${why})`);
    view.bus.publish('error', {
      source: 'reconciliation',
      code: 'RECONCILIATION_FAILED',
      message: `positions disagree with the venue: ${why}`,
      tsEvent: now(),
      error: new AutotraderError('RECONCILIATION_FAILED', why),
    });
  }
  return report;
}

const describe = (list: readonly HoldingMismatch[]): string => list.map((m) => `${m.what}: ours ${m.ours}, venue ${m.venue}`).join('; ');

/**
 * Our holdings against the venue's. A spot instrument's position is its base asset's balance, so it is
 * compared with the venue's balance of that asset (once per asset); other instruments' positions with
 * the venue's positions. The quote assets and any other currency both sides know are balances.
 */
export async function compareHoldings(view: Pick<ReconcileView, 'execution' | 'instruments' | 'portfolio'>): Promise<{ positions: HoldingMismatch[]; balances: HoldingMismatch[] }> {
  const venueBalances = new Map<string, Balance>((await view.execution.balances()).map((b) => [b.currency, b]));
  const venueTotal = (ccy: string): Decimal => venueBalances.get(ccy)?.total ?? new Decimal(0);
  const positions: HoldingMismatch[] = [];
  const balances: HoldingMismatch[] = [];
  const baseAssets = new Set<string>();
  const nonSpot = view.instruments.list().filter((i) => !(i.assetClass === 'spot' && i.base !== i.quote));
  const venuePositions = nonSpot.length === 0 ? new Map<string, Decimal>() : new Map((await view.execution.positions()).map((p) => [p.instrumentId, p.quantity as Decimal]));
  for (const inst of view.instruments.list()) {
    if (inst.assetClass === 'spot' && inst.base !== inst.quote) {
      if (baseAssets.has(inst.base)) continue;
      baseAssets.add(inst.base);
      const ours = view.portfolio.balanceOf(inst.base).total;
      const venue = venueTotal(inst.base);
      if (!ours.eq(venue)) positions.push({ what: `${inst.id} (${inst.base} balance)`, ours: ours.toString(), venue: venue.toString() });
    } else {
      const ours = view.portfolio.position(inst.id)?.quantity ?? quantity(0);
      const venue = venuePositions.get(inst.id) ?? new Decimal(0);
      if (!ours.eq(venue)) positions.push({ what: inst.id, ours: ours.toString(), venue: venue.toString() });
    }
  }
  const quotes = new Set(view.instruments.list().map((i) => i.quote));
  for (const ccy of quotes) {
    if (baseAssets.has(ccy)) continue;
    const ours = view.portfolio.balanceOf(ccy).total;
    const venue = venueTotal(ccy);
    if (!ours.eq(venue)) balances.push({ what: `${ccy} balance`, ours: ours.toString(), venue: venue.toString() });
  }
  return { positions, balances };
}

/** Applies, through the journal, what the venue says about one of our orders it does not list as open. */
export function resolveFromVenue(view: Pick<ReconcileView, 'clock' | 'log' | 'applyReport'>, order: Order, state: VenueOrderState | undefined): string {
  const ts = view.clock.now();
  if (state === undefined) {
    // The venue never had it (or forgot it): it cannot fill any more.
    if (order.status === 'submitted') view.applyReport({ kind: 'rejected', clientOrderId: order.clientOrderId, code: 'ORDER_UNKNOWN', reason: 'the venue does not know this order (reconciliation)', tsEvent: ts });
    else view.applyReport({ kind: 'canceled', clientOrderId: order.clientOrderId, reason: 'the venue does not know this order (reconciliation)', tsEvent: ts });
    return 'unknown at the venue';
  }
  if (order.status === 'submitted' && state.venueOrderId) view.applyReport({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: state.venueOrderId, tsEvent: ts });
  if (state.filledQuantity.gt(order.filledQuantity)) {
    view.log.warn(`reconciliation: ${order.clientOrderId} is filled ${state.filledQuantity.toString()} at the venue, ${order.filledQuantity.toString()} here, and the venue did not return the missing fills`);
  }
  if (state.status === 'canceled' || state.status === 'expired' || state.status === 'rejected') {
    view.applyReport(
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
