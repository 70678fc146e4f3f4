import { silentLogger, type Logger, type OrderSnapshot, type VenueOrderState } from '@autotrader/core';
import type { Kernel } from './kernel';
import { snapshot } from './oms';

/** How a session stops trading. */
export interface ShutdownOptions {
  /** Leave our open orders at the venue (`--keep-orders`). */
  readonly keepOrders?: boolean;
  /** How long to wait for submits in flight to be answered (default 10 s). */
  readonly submitTimeoutMs?: number;
  /** How long to wait for the venue to confirm our cancels (default 10 s). */
  readonly cancelTimeoutMs?: number;
  readonly log?: Logger;
}

/** What the shutdown did with our orders. */
export interface ShutdownReport {
  /** Our orders that were open when cancelling began and are closed now (cancelled, or filled first). */
  readonly closed: readonly string[];
  /** Our orders still open at the end, by our books or by the venue's list: left at the venue. */
  readonly leftOpen: readonly OrderSnapshot[];
  /** The orders were left open on purpose (`keepOrders`). */
  readonly kept: boolean;
  /** Submits still unanswered when `submitTimeoutMs` ran out. */
  readonly unansweredSubmits: number;
  /** The venue's own list of open orders was read at the end and has none of ours. */
  readonly venueConfirmed: boolean;
}

/** A cancel refused by the venue is sent again this often while the wait lasts, ms. */
const RESEND_MS = 500;
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves true when `work` settles within `ms`, false otherwise (the work goes on). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Like `within`, for a value: undefined when it fails or is late. */
async function valueWithin<T>(work: Promise<T>, ms: number, onError: (error: unknown) => void): Promise<T | undefined> {
  let value: T | undefined;
  const ok = await within(
    work.then(
      (v) => (value = v),
      (error: unknown) => onError(error),
    ),
    ms,
  );
  if (!ok) onError(new Error(`no answer within ${ms} ms`));
  return value;
}

const describe = (orders: readonly OrderSnapshot[]): string => orders.map((o) => `${o.clientOrderId} (${o.status})`).join(', ');

/**
 * Stops trading in the order a trader expects (issue 10, point 5), and says what it did:
 *
 * 1. the strategies stop: their timers and subscriptions are removed, and anything submitted from
 *    now on is refused (TRADING_HALTED) and never reaches the venue;
 * 2. submits in flight are waited for (up to `submitTimeoutMs`), so an order placed just before the
 *    stop is known before cancelling starts;
 * 3. unless `keepOrders`, every open order of ours is cancelled (those whose submit was in flight
 *    included) and the venue's confirmations are waited for up to `cancelTimeoutMs`; a refused
 *    cancel is sent again;
 * 4. the venue's own list of open orders is read, and any order of ours still on it is cancelled.
 *
 * It never claims an order was cancelled that the venue did not confirm: `leftOpen` lists what may
 * still be open. The connections stay up; the caller disconnects after.
 */
export async function stopTrading(kernel: Kernel, options: ShutdownOptions = {}): Promise<ShutdownReport> {
  const log = options.log ?? silentLogger;
  const submitTimeoutMs = options.submitTimeoutMs ?? 10_000;
  const cancelTimeoutMs = options.cancelTimeoutMs ?? 10_000;

  kernel.stopStrategies();
  const inFlight = kernel.submitsInFlight;
  log.info(`strategy stopped: no new orders are sent${inFlight > 0 ? `; waiting for ${inFlight} submit(s) in flight` : ''}`);
  const answered = await within(kernel.settleSubmits(), submitTimeoutMs);
  const unansweredSubmits = answered ? 0 : kernel.submitsInFlight;
  if (!answered) log.warn(`${unansweredSubmits} submit(s) still unanswered after ${submitTimeoutMs} ms; their orders are treated as open`);

  if (options.keepOrders === true) {
    const open = kernel.openOrders();
    if (open.length > 0) log.info(`left ${open.length} open order(s) at the venue (--keep-orders): ${describe(open)}`);
    return { closed: [], leftOpen: open, kept: true, unansweredSubmits, venueConfirmed: false };
  }

  const deadline = Date.now() + cancelTimeoutMs;
  const targeted = new Set(kernel.openOrders().map((o) => o.clientOrderId));
  if (targeted.size > 0) log.info(`cancelling ${targeted.size} open order(s): ${[...targeted].join(', ')}`);
  let lastSend = Number.NEGATIVE_INFINITY;
  while (kernel.openOrders().length > 0 && Date.now() < deadline) {
    if (Date.now() - lastSend >= RESEND_MS) {
      lastSend = Date.now();
      for (const o of kernel.openOrders()) targeted.add(o.clientOrderId);
      // Orders already waiting for their cancel are skipped; one whose cancel was refused is sent again.
      void kernel.cancelOpenOrders();
    }
    await sleep(POLL_MS);
  }

  // Our books may be wrong about the venue (a submit whose answer never came): ask the venue itself.
  let venueConfirmed = false;
  const onVenue = await valueWithin(kernel.execution.openOrders(), Math.max(1_000, deadline - Date.now()), (error) =>
    log.warn(`could not read the venue's open orders to confirm the shutdown: ${error instanceof Error ? error.message : String(error)}`),
  );
  const leftOpen = new Map(kernel.openOrders().map((o) => [o.clientOrderId, o]));
  if (onVenue !== undefined) {
    const ours = onVenue.filter((v) => kernel.oms.get(v.clientOrderId) !== undefined);
    const stray = ours.filter((v) => !leftOpen.has(v.clientOrderId));
    if (stray.length > 0) await cancelStray(kernel, stray, deadline, log);
    const still = stray.length > 0 ? await valueWithin(kernel.execution.openOrders(), 2_000, () => {}) : onVenue;
    for (const v of still ?? ours) {
      const order = kernel.oms.get(v.clientOrderId);
      if (order !== undefined && !leftOpen.has(v.clientOrderId)) leftOpen.set(v.clientOrderId, { ...snapshot(order), status: v.status });
    }
    venueConfirmed = still !== undefined && leftOpen.size === 0;
  }

  const closed = [...targeted].filter((id) => !leftOpen.has(id));
  const left = [...leftOpen.values()];
  if (left.length > 0) {
    log.warn(`${left.length} order(s) of ours may still be open at the venue after ${cancelTimeoutMs} ms: ${describe(left)}`);
  } else if (targeted.size > 0) {
    log.info(`cancelled ${closed.length} open order(s); ${venueConfirmed ? 'the venue lists none of ours as open' : 'the venue could not be asked to confirm'}`);
  }
  return { closed, leftOpen: left, kept: false, unansweredSubmits, venueConfirmed };
}

/** Cancels orders the venue lists as ours and open while our books have them closed. */
async function cancelStray(kernel: Kernel, stray: readonly VenueOrderState[], deadline: number, log: Logger): Promise<void> {
  log.warn(`the venue still lists ${stray.length} order(s) of ours as open that our books have closed; cancelling them: ${stray.map((v) => v.clientOrderId).join(', ')}`);
  const sends = stray.map((v) => {
    const order = kernel.oms.get(v.clientOrderId)!;
    try {
      return Promise.resolve(kernel.execution.cancel(snapshot(order))).catch((error: unknown) => log.warn(`cancel of ${v.clientOrderId} failed: ${String(error)}`));
    } catch (error) {
      log.warn(`cancel of ${v.clientOrderId} failed: ${String(error)}`);
      return Promise.resolve();
    }
  });
  await within(Promise.all(sends), Math.max(1_000, deadline - Date.now()));
}
