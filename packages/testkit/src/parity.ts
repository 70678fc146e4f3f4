/**
 * The parity test every venue plugin has: a strategy runs live against the plugin's fake venue with the
 * market data recorded, then the recording is replayed as a backtest on the simulated venue, and the two
 * runs must place the same orders and get the same fills. One runner, so that each plugin's test says
 * only what is its venue's: how to print a market event, and how the simulated venue must be set up.
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeInstrument, type RealtimeClock, type EventBus, type ExecutionPort, type Fill, type Instrument, type Clock, type Logger, type AccountConfigInput, type OrderSnapshot, type StrategyDefinition } from '@autotrader/core';
import { readSeries } from '@autotrader/data';
import { LiveSession, runBacktest, seriesToFeed, type BacktestResult, type LiveVenue } from '@autotrader/engine';
import { waitFor } from './wait';

/** An order as parity compares it: side, type, quantity and price. */
export const orderKey = (o: OrderSnapshot): string => `${o.side} ${o.type} ${o.quantity.toString()} ${o.price?.toString() ?? '-'}`;
/** A fill as parity compares it: side, quantity, price and fee with its currency. */
export const fillKey = (f: Fill): string => `${f.side} ${f.quantity.toString()} @ ${f.price.toString()} fee ${f.fee.toString()} ${f.feeCurrency}`;

/**
 * A deterministic walk of `n` prices (integers in units of the tick): from `start`, moving by a pseudo-
 * random −6…+6 ticks, but holding for the event after every `every`-th one. A fake venue fills a market
 * order at once at the price it holds; the simulated venue fills it at the next event: holding the price
 * for that event makes both fill at the same price.
 */
export function parityWalk(n: number, every: number, start: number): number[] {
  const out: number[] = [];
  let p = start;
  for (let k = 1; k <= n; k++) {
    if ((k - 1) % every !== 0 || k === 1) p += ((k * 7919) % 13) - 6;
    out.push(p);
  }
  return out;
}

/** What one parity run needs. */
export interface ParityOptions {
  readonly strategy: StrategyDefinition;
  readonly params: unknown;
  /** The plugin's ports on `bus` and `clock`, as LiveSession takes them. */
  readonly venue: LiveVenue;
  readonly bus: EventBus;
  readonly clock: RealtimeClock;
  readonly instrumentId: string;
  readonly dataKind: 'trade' | 'quote';
  /** How many market events to print. */
  readonly events: number;
  /** Prints market event `k` at the fake venue. */
  print(k: number): void | Promise<void>;
  /** How many orders and fills the fake venue holds for us now (the run waits for them after each event). */
  venueCounts(): { readonly orders: number; readonly fills: number };
  /** Waited between events (a venue that paces its stream, as OANDA sends at most 4 prices a second). */
  readonly pauseMs?: number;
  /** The simulated venue of the replay, set up as the fake venue trades. */
  replayVenue(ctx: { clock: Clock; bus: EventBus; instruments: readonly Instrument[]; logger: Logger }): ExecutionPort;
  readonly account?: AccountConfigInput;
  readonly startingCash: number;
  /** Closes the plugin's connection and the fake venue (after the live session has stopped). */
  close(): Promise<void>;
}

/** Both runs, for the test to compare (with {@link orderKey} and {@link fillKey}) and to check further. */
export interface ParityResult {
  readonly liveOrders: readonly OrderSnapshot[];
  readonly liveFills: readonly Fill[];
  readonly errors: readonly string[];
  /** The files the live session recorded. */
  readonly files: readonly string[];
  readonly recordedRows: number;
  readonly instrument: Instrument;
  readonly replay: BacktestResult;
}

/**
 * Runs the strategy live, one market event at a time (each delivered, any order it caused at the venue,
 * every fill the venue made booked, before the next), then replays the recording in a backtest.
 */
export async function runParity(o: ParityOptions): Promise<ParityResult> {
  const dir = mkdtempSync(join(tmpdir(), 'autotrader-parity-'));
  const liveOrders: OrderSnapshot[] = [];
  const liveFills: Fill[] = [];
  const errors: string[] = [];
  let seen = 0;
  o.bus.on('submit', (e) => liveOrders.push(e.order));
  o.bus.on('fill', (f) => liveFills.push(f));
  o.bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  o.bus.on(o.dataKind, () => seen++);
  const session = new LiveSession({ strategy: o.strategy, params: o.params, venue: o.venue, instrumentIds: [o.instrumentId], dataKinds: [o.dataKind], recordDir: dir, bus: o.bus, clock: o.clock });
  try {
    try {
      await session.start();
      for (let k = 0; k < o.events; k++) {
        await o.print(k);
        await waitFor(`${o.dataKind} ${k} delivered`, () => seen === k + 1);
        await waitFor(`orders after ${o.dataKind} ${k} reached the venue`, () => o.venueCounts().orders === liveOrders.length);
        await waitFor(`fills after ${o.dataKind} ${k} booked`, () => o.venueCounts().fills === liveFills.length);
        if (o.pauseMs !== undefined) await new Promise((r) => setTimeout(r, o.pauseMs));
      }
    } finally {
      await session.stop();
      await o.close();
    }
    const files = readdirSync(dir);
    const series = readSeries(join(dir, files[0]!));
    const instrument = makeInstrument(series.meta.instrument);
    const replay = await runBacktest({
      strategy: o.strategy,
      params: o.params,
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      ...(o.account === undefined ? {} : { account: o.account }),
      venue: o.replayVenue,
      startingCash: o.startingCash,
    });
    return { liveOrders, liveFills, errors, files, recordedRows: series.length, instrument, replay };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
