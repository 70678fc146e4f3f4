/**
 * The engine on top of a plugin, assembled the way a live session assembles it (LiveSession.boot):
 * the plugin's execution port behind the guard (rate limits from the manifest, usage from the venue,
 * retries with the same client order id, submits with an unknown outcome looked up before any
 * resend), a kernel with the plugin's capabilities, reconciliation on, and optionally the order
 * journal; then connect, books set from the venue's snapshot, and a first reconciliation.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, sessionPrefix, silentLogger, type Clock, type EventBus, type Instrument, type OrderSnapshot, type VenueConnection, type VenuePlugin } from '@autotrader/core';
import {
  GuardedExecution,
  Kernel,
  OrderJournal,
  checkJournalIdentity,
  compareHoldings,
  readJournal,
  recover,
  resolveFromVenue,
  usageByInterval,
  type RecoveredState,
} from '@autotrader/engine';
import { expect } from 'vitest';
import type { VenueBalanceTruth } from './harness';

/** A process: the plugin's connection with the bus and clock it was created with. */
export interface ProcessPorts {
  readonly plugin: VenuePlugin;
  readonly connection: VenueConnection;
  readonly bus: EventBus;
  readonly clock: Clock;
}

/** Options of {@link startEngine}. */
export interface EngineRunOptions {
  /** The journal file; a restart passes the same path. */
  readonly journal?: string;
  /** An order with no ack this long is queried by client order id (default 1,000 ms). */
  readonly ackTimeoutMs?: number;
}

/** A running engine. */
export interface EngineRun {
  readonly kernel: Kernel;
  readonly guard: GuardedExecution;
  readonly instrument: Instrument;
  /** What the journal held when this process started (a restart). */
  readonly recovered: RecoveredState | undefined;
  /** Every order as it was sent to the venue, by client order id (the `submit` events). */
  readonly sent: ReadonlyMap<string, OrderSnapshot>;
  /** Stops the engine without cancelling anything and closes the journal (a stop, or the state a crash leaves). */
  stop(): Promise<void>;
}

/** A temporary folder for journals, removed by the returned function. */
export function scratchDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'autotrader-conformance-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts the engine on `ports`, trading `instrumentId`, as a live session does. */
export async function startEngine(ports: ProcessPorts, instrumentId: string, options: EngineRunOptions = {}): Promise<EngineRun> {
  const { plugin, connection, bus, clock } = ports;
  const port = connection.execution;
  if (port === undefined) throw new Error(`${plugin.name}: the connection has no execution port`);
  const instrument = (await connection.instruments.load()).find((i) => i.id === instrumentId);
  if (instrument === undefined) throw new Error(`${plugin.name}: instrument ${instrumentId} was not loaded`);
  let kernelRef: Kernel | undefined;
  const guard = new GuardedExecution(port, {
    rateLimits: plugin.rateLimits,
    requestWeights: plugin.requestWeights,
    clock,
    bus,
    logger: silentLogger,
    // Short waits: a conformance run should not sit through the production backoff.
    policy: { retry: { baseDelayMs: 50, maxDelayMs: 2_000 } },
    onRecovered: (state) => {
      const order = kernelRef?.oms.get(state.clientOrderId);
      if (order !== undefined && kernelRef !== undefined) resolveFromVenue(kernelRef, order, state);
    },
  });
  const rules = plugin.rateLimits ?? [];
  const stopUsage = connection.onUsage?.((u) => guard.reportUsage({ ...usageByInterval(rules, 'requests', u.usedWeight), ...usageByInterval(rules, 'orders', u.orderCount) }));
  const account = await guard.venueAccount?.();
  let journal: OrderJournal | undefined;
  let recovered: RecoveredState | undefined;
  let prefix = sessionPrefix();
  if (options.journal !== undefined) {
    const contents = readJournal(options.journal);
    checkJournalIdentity(contents.entries, options.journal, port.venue, account?.accountId);
    recovered = recover(contents.entries);
    while (recovered.prefixes.includes(prefix)) prefix = sessionPrefix();
    journal = OrderJournal.open(options.journal, { fsync: 'always' });
  }
  const kernel = new Kernel({
    clock,
    bus,
    instruments: [instrument],
    execution: guard,
    capabilities: plugin.capabilities,
    startingBalances: {},
    errorPolicy: 'isolate',
    clientOrderIdPrefix: prefix,
    journal,
    venueAccount: account?.accountId,
    ackTimeoutMs: options.ackTimeoutMs ?? 1_000,
    reconcile: { ourPrefixes: recovered?.prefixes ?? [] },
    logger: silentLogger,
  });
  kernelRef = kernel;
  const sent = new Map<string, OrderSnapshot>();
  const stopSent = bus.on('submit', (e) => void sent.set(e.order.clientOrderId, e.order));
  if (recovered !== undefined) kernel.restore(recovered);
  await kernel.connect();
  await kernel.syncWithVenue();
  await kernel.reconcile();
  let stopped: Promise<void> | undefined;
  return {
    kernel,
    guard,
    instrument,
    recovered,
    sent,
    stop() {
      stopped ??= (async () => {
        stopSent();
        stopUsage?.();
        await kernel.stop().catch(() => {});
        journal?.close();
      })();
      return stopped;
    },
  };
}

/** Our fills of one order, as the engine booked them. */
export function bookedFills(run: EngineRun, clientOrderId: string): string[] {
  return run.kernel.oms
    .allFills()
    .filter((f) => f.clientOrderId === clientOrderId)
    .map((f) => f.tradeId);
}

/** A balance in words, exact, for comparisons that show both sides when they differ. */
const words = (free: Decimal, locked: Decimal): string => `total ${free.plus(locked).toString()}, free ${free.toString()}, locked ${locked.toString()}`;

/** Our books (every balance's total, free and locked) in words, next to the venue's, for each currency either side holds. */
export function booksNextToVenue(run: EngineRun, venue: Readonly<Record<string, VenueBalanceTruth>>): { ours: Record<string, string>; venue: Record<string, string> } {
  const ours: Record<string, string> = {};
  const theirs: Record<string, string> = {};
  const currencies = new Set([...run.kernel.portfolio.balances().map((b) => b.currency), ...Object.keys(venue)]);
  for (const ccy of [...currencies].sort()) {
    const b = run.kernel.portfolio.balanceOf(ccy);
    const v = venue[ccy] ?? { free: '0', locked: '0' };
    const vFree = new Decimal(v.free);
    const vLocked = new Decimal(v.locked);
    // A currency nobody holds is not a difference.
    if (b.total.isZero() && b.locked.isZero() && vFree.plus(vLocked).isZero()) continue;
    ours[ccy] = words(b.free, b.locked);
    theirs[ccy] = words(vFree, vLocked);
  }
  return { ours, venue: theirs };
}

/**
 * Our position and every balance (total, free, locked) equal the venue's, exactly; and the engine's
 * own comparison (a spot position with its base asset's balance, other positions with the venue's)
 * finds no difference either.
 */
export async function expectBooksEqualVenue(run: EngineRun, venue: Readonly<Record<string, VenueBalanceTruth>>): Promise<void> {
  const { ours, venue: theirs } = booksNextToVenue(run, venue);
  expect(ours, 'our balances (total, free, locked) differ from the venue').toEqual(theirs);
  const i = run.instrument;
  if (i.assetClass === 'spot' && i.base !== i.quote) {
    const v = venue[i.base] ?? { free: '0', locked: '0' };
    const position = run.kernel.portfolio.position(i.id)?.quantity.toString() ?? '0';
    expect(position, `the ${i.id} position is the ${i.base} the venue holds`).toBe(new Decimal(v.free).plus(v.locked).toString());
  }
  const { positions, balances } = await compareHoldings(run.kernel);
  expect(positions, 'the engine finds its positions differ from the venue').toEqual([]);
  expect(balances, 'the engine finds its balances differ from the venue').toEqual([]);
}
