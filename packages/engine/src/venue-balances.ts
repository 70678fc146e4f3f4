import type { Balance, Clock, EventBus, Logger, VenueBalanceEvent } from '@autotrader/core';
import type { OrderJournal } from './journal';
import type { Portfolio } from './portfolio';

/** What the balance watch needs from the kernel. */
export interface VenueBalanceView {
  readonly bus: Pick<EventBus, 'on' | 'publish'>;
  readonly clock: Pick<Clock, 'now' | 'setAlert' | 'cancel'>;
  readonly portfolio: Pick<Portfolio, 'balanceOf' | 'applyVenueDelta'>;
  readonly log: Logger;
  readonly journal?: OrderJournal;
}

/** Options of {@link watchVenueBalances}. */
export interface VenueBalanceWatchOptions {
  /**
   * How long after a venue snapshot its figures are compared with ours (default 500 ms). The venue
   * sends a balance snapshot right after the reports of the same action, but a duplicated or reordered
   * report can be on its way; a newer snapshot of the same currency replaces the pending comparison.
   */
  readonly settleMs?: number;
}

/**
 * Watches what the venue itself says about our balances (`venueBalance` topic):
 * - a `delta` (a deposit, a withdrawal, a transfer made outside our orders) is journaled, then booked;
 * - a `snapshot` is compared with our ledger, currency by currency, once the moment has settled; a
 *   difference in the total or in what is locked is reported with both figures (BALANCE_MISMATCH on
 *   the `error` topic and a warning). It does not halt: reconciliation after a reconnect decides that,
 *   on positions.
 * Returns the function that stops watching.
 */
export function watchVenueBalances(view: VenueBalanceView, options: VenueBalanceWatchOptions = {}): () => void {
  const settleMs = options.settleMs ?? 500;
  const pending = new Set<string>();
  // Fills booked so far: a snapshot compared after more fills were booked may simply predate them.
  let fills = 0;
  const compare = (venueName: string, theirs: Balance, fillsAtSnapshot: number): void => {
    pending.delete(theirs.currency);
    const ours = view.portfolio.balanceOf(theirs.currency);
    if (ours.total.eq(theirs.total) && ours.locked.eq(theirs.locked)) return;
    // Fills were booked after this snapshot arrived: it may not include them, and the venue sends a newer
    // one after each. Only a difference that holds once trading pauses for the settle time is told (a
    // real drift persists; reconciliation after a reconnect compares everything again).
    if (fills !== fillsAtSnapshot) return;
    const message =
      `${venueName} ${theirs.currency} balance differs from ours: ` +
      `venue total ${theirs.total.toString()} (free ${theirs.free.toString()}, locked ${theirs.locked.toString()}), ` +
      `ours total ${ours.total.toString()} (free ${ours.free.toString()}, locked ${ours.locked.toString()})`;
    view.log.warn(message);
    view.bus.publish('error', { source: 'venue-balances', code: 'BALANCE_MISMATCH', message, tsEvent: view.clock.now() });
  };
  const onEvent = (event: VenueBalanceEvent): void => {
    if (event.kind === 'delta') {
      bookDelta(view, event, view.clock.now());
      view.log.info(`${event.venue} booked a ${event.delta.isNegative() ? 'withdrawal' : 'deposit'} of ${event.delta.abs().toString()} ${event.currency} outside our orders`);
      return;
    }
    const atSnapshot = fills;
    for (const b of event.balances) {
      const name = `engine:venue-balance:${b.currency}`;
      pending.add(b.currency);
      view.clock.setAlert(name, view.clock.now() + settleMs, () => compare(event.venue, b, atSnapshot));
    }
  };
  const off = view.bus.on('venueBalance', onEvent, { priority: -50, owner: 'engine:venue-balances' });
  const offFills = view.bus.on(
    'fill',
    () => {
      fills++;
    },
    { priority: -50, owner: 'engine:venue-balances' },
  );
  return () => {
    off();
    offFills();
    for (const currency of pending) view.clock.cancel(`engine:venue-balance:${currency}`);
    pending.clear();
  };
}

/** Journals a venue's change to a balance, then books it. */
function bookDelta(view: Pick<VenueBalanceView, 'portfolio' | 'journal'>, event: Extract<VenueBalanceEvent, { kind: 'delta' }>, now: number): void {
  view.journal?.append({ t: 'balance', ts: now, currency: event.currency, delta: event.delta.toString() });
  view.portfolio.applyVenueDelta(event.currency, event.delta, event.tsEvent);
}

/**
 * Books what a simulated venue changes in the account outside our orders (financing, in backtest and
 * paper), journaled first where there is a journal. Snapshots are not compared: the simulated venue and
 * our ledger are fed the same fills. Returns the function that stops booking.
 */
export function bookVenueDeltas(view: Pick<VenueBalanceView, 'bus' | 'portfolio' | 'journal'>): () => void {
  return view.bus.on(
    'venueBalance',
    (event) => {
      if (event.kind === 'delta') bookDelta(view, event, event.tsEvent);
    },
    { priority: -50, owner: 'engine:venue-balances' },
  );
}
