import { z } from 'zod';
import {
  AutotraderError,
  backoffDelay,
  barProblem,
  describeProblem,
  describeZodIssues,
  quoteProblem,
  timeProblem,
  tradeProblem,
  type Bar,
  type BarHistoryRequest,
  type BookLevel,
  type Clock,
  type DataPort,
  type DataSubscription,
  type EventBus,
  type Logger,
  type MarketDataKind,
  type RowProblem,
} from '@autotrader/core';
import type { BinanceConfig } from './config';
import type { BinanceHttp } from './http';
import { barOfKlineRow, instrumentIdOf, klinesSchema, symbolOf, VENUE } from './mapping';
import { PendingRequests, ReconnectingSocket, socketSettings, venueStateOf, pause } from '@autotrader/venue-kit';

/** Kline intervals Binance Spot streams (web-socket-streams.md). */
export const KLINE_INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;

/** The market stream name for a subscription (stream names are lower case). */
export function streamName(sub: DataSubscription, depthSpeedMs: 100 | 1000 = 100): string {
  const sym = symbolOf(sub.instrumentId).toLowerCase();
  switch (sub.kind) {
    case 'trade':
      return `${sym}@trade`;
    case 'quote':
      return `${sym}@bookTicker`;
    case 'book':
      return depthSpeedMs === 100 ? `${sym}@depth@100ms` : `${sym}@depth`;
    case 'bar': {
      const interval = sub.interval ?? '1m';
      if (!(KLINE_INTERVALS as readonly string[]).includes(interval)) {
        throw new AutotraderError('CONFIG_INVALID', `'${interval}' is not a Binance kline interval; use one of ${KLINE_INTERVALS.join(', ')}`, {
          details: { interval, instrumentId: sub.instrumentId },
        });
      }
      return `${sym}@kline_${interval}`;
    }
  }
}

const num = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');
const level = z.tuple([num, num]).rest(z.unknown());

/** `<symbol>@trade` payload. */
export const tradeSchema = z.looseObject({ e: z.literal('trade'), E: z.number(), s: z.string(), t: z.number(), p: num, q: num, T: z.number(), m: z.boolean() });
/** `<symbol>@bookTicker` payload (no event type; `E`/`T` only on some deployments). */
export const bookTickerSchema = z.looseObject({ u: z.number(), s: z.string(), b: num, B: num, a: num, A: num, E: z.number().optional(), T: z.number().optional() });
/** `<symbol>@kline_<interval>` payload. */
export const klineSchema = z.looseObject({
  e: z.literal('kline'),
  E: z.number(),
  s: z.string(),
  k: z.looseObject({ t: z.number(), T: z.number(), s: z.string(), i: z.string(), o: num, c: num, h: num, l: num, v: num, x: z.boolean() }),
});
/** `<symbol>@depth` diff payload. */
export const depthUpdateSchema = z.looseObject({ e: z.literal('depthUpdate'), E: z.number(), s: z.string(), U: z.number(), u: z.number(), b: z.array(level), a: z.array(level) });
/** `GET /api/v3/depth` answer. */
export const depthSnapshotSchema = z.looseObject({ lastUpdateId: z.number(), bids: z.array(level), asks: z.array(level) });

/** A diff as the book applies it. */
export type DepthDiff = Pick<z.output<typeof depthUpdateSchema>, 'U' | 'u' | 'b' | 'a'>;

/** What happened to a diff offered to the book. */
export type ApplyResult = 'applied' | 'stale' | 'gap';

/**
 * A local order book kept by Binance's documented procedure: seeded from a REST snapshot, then
 * diffs are applied in update-id order. A diff wholly at or before the book's id is stale (dropped);
 * one that starts after id + 1 is a gap, and the book must be re-seeded. Quantity 0 removes a level.
 */
export class LocalOrderBook {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private id = -1;

  /** The last update id applied, or -1 before a snapshot. */
  get lastUpdateId(): number {
    return this.id;
  }

  /** Replaces the book with a snapshot. */
  reset(lastUpdateId: number, bids: ReadonlyArray<readonly [string, string, ...unknown[]]>, asks: ReadonlyArray<readonly [string, string, ...unknown[]]>): void {
    this.bids.clear();
    this.asks.clear();
    this.id = lastUpdateId;
    setLevels(this.bids, bids);
    setLevels(this.asks, asks);
  }

  /** Applies one diff, or says why not. The first diff after a snapshot must straddle `lastUpdateId + 1`. */
  apply(diff: DepthDiff): ApplyResult {
    if (this.id < 0) return 'gap';
    if (diff.u <= this.id) return 'stale';
    if (diff.U > this.id + 1) return 'gap';
    setLevels(this.bids, diff.b);
    setLevels(this.asks, diff.a);
    this.id = diff.u;
    return 'applied';
  }

  /** Bids best (highest) first. */
  bidLevels(): BookLevel[] {
    return sortedLevels(this.bids, true);
  }

  /** Asks best (lowest) first. */
  askLevels(): BookLevel[] {
    return sortedLevels(this.asks, false);
  }
}

function setLevels(side: Map<number, number>, levels: ReadonlyArray<readonly [string, string, ...unknown[]]>): void {
  for (const [p, q] of levels) {
    const price = Number(p);
    const size = Number(q);
    if (size === 0) side.delete(price);
    else side.set(price, size);
  }
}

function sortedLevels(side: Map<number, number>, descending: boolean): BookLevel[] {
  const out: BookLevel[] = [];
  for (const [p, q] of side) out.push([p, q]);
  out.sort(descending ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
  return out;
}

/** What the data port needs from the plugin. */
export interface BinanceDataPortOptions {
  readonly streamUrl: string;
  readonly http: BinanceHttp;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<BinanceConfig, 'timeouts' | 'reconnect' | 'depthSnapshotLimit'>;
  /** 100 ms diffs (`@depth@100ms`, the default) or 1 s diffs (`@depth`). */
  readonly depthSpeedMs?: 100 | 1000;
}

interface StreamEntry {
  readonly name: string;
  readonly kind: MarketDataKind;
  readonly instrumentId: string;
  refs: number;
  /** The connection generation this stream was last subscribed on (0: not yet). */
  subscribedOn: number;
}

interface BookState {
  readonly instrumentId: string;
  readonly symbol: string;
  readonly book: LocalOrderBook;
  synced: boolean;
  buffer: DepthDiff[];
  fetching: boolean;
  /** Consecutive failed or stale snapshot fetches, for backoff. */
  failures: number;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every resync so that a snapshot answering an older attempt is discarded. */
  generation: number;
}

const SOURCE = 'binance:data';
/** Klines per `GET /api/v3/klines` request: the maximum (rest-api.md "Kline/Candlestick data": default 500, max 1000). */
export const KLINES_PER_REQUEST = 1000;
/** The request weight of `GET /api/v3/klines` (rest-api.md). */
const KLINES_WEIGHT = 2;
/**
 * The share of Binance's REQUEST_WEIGHT limit (6000 a minute, exchangeInfo `rateLimits`) a history fetch
 * uses before it waits for the next minute: the rest is left to sessions sharing the IP.
 */
const HISTORY_WEIGHT_PER_MINUTE = 3000;
/** Consecutive 5xx or network failures of one page before a history fetch gives up. */
const HISTORY_MAX_FAILURES = 5;
/** Consecutive 429s of one page before a history fetch gives up (each one is waited out first). */
const HISTORY_MAX_RATE_LIMITS = 10;
/** Streams per SUBSCRIBE frame, well under Binance's per-message and per-connection limits. */
const SUBSCRIBE_CHUNK = 100;
/** Buffered diffs kept while a snapshot is fetched; beyond this the oldest are dropped and the sync restarts. */
const MAX_BUFFER = 10_000;

/**
 * The Binance data port: one combined-stream WebSocket, subscriptions by SUBSCRIBE frames
 * (replayed after every reconnect), and frames turned into bus events: `trade`, `quote` from
 * bookTicker, `bar` from closed klines, `book` from depth diffs synced with REST snapshots.
 * A frame that fails its schema, or whose prices, sizes or times break core's market-data rules (a
 * non-positive or non-finite price, a kline whose high is below its low...), is logged, published as a
 * VENUE_MESSAGE_MALFORMED `error` event and skipped: it never reaches a strategy.
 */
export class BinanceDataPort implements DataPort {
  private readonly socket: ReconnectingSocket;
  private readonly streams = new Map<string, StreamEntry>();
  private readonly books = new Map<string, BookState>();
  private readonly pending: PendingRequests<void>;
  private nextId = 1;
  /** Bumped on every open, so each stream is subscribed exactly once per connection. */
  private generation = 0;
  private running = false;
  private readonly depthSpeedMs: 100 | 1000;

  constructor(private readonly o: BinanceDataPortOptions) {
    this.depthSpeedMs = o.depthSpeedMs ?? 100;
    this.pending = new PendingRequests('Binance market streams', o.config.timeouts.wsRequestMs);
    this.socket = new ReconnectingSocket({
      name: 'binance market streams',
      url: () => o.streamUrl,
      logger: o.logger,
      ...socketSettings(o.config),
      onOpen: () => this.resubscribeAll(),
      onMessage: (text) => this.onFrame(text),
      onState: (state, reason) => this.onSocketState(state, reason),
    });
  }

  /** Opens the stream connection (idempotent). */
  async connect(): Promise<void> {
    if (this.running) return;
    // Concurrent calls share the socket's one start.
    await this.socket.start();
    this.running = true;
  }

  /** Closes the connection and forgets every subscription. */
  async disconnect(): Promise<void> {
    this.running = false;
    for (const b of this.books.values()) if (b.retryTimer !== undefined) clearTimeout(b.retryTimer);
    this.books.clear();
    this.streams.clear();
    this.pending.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', 'Binance market streams: disconnected before the venue answered'));
    await this.socket.close();
  }

  /** Subscribes (connecting first if needed). A second subscription to the same stream only counts a reference. */
  async subscribe(sub: DataSubscription): Promise<void> {
    const name = streamName(sub, this.depthSpeedMs);
    const existing = this.streams.get(name);
    if (existing !== undefined) {
      existing.refs++;
      return;
    }
    const entry: StreamEntry = { name, kind: sub.kind, instrumentId: sub.instrumentId, refs: 1, subscribedOn: 0 };
    this.streams.set(name, entry);
    if (sub.kind === 'book') this.books.set(name, this.newBookState(sub.instrumentId));
    try {
      await this.connect();
      // When (re)connecting, onOpen subscribes every stream not yet subscribed on that connection.
      if (this.socket.connected && entry.subscribedOn !== this.generation) {
        entry.subscribedOn = this.generation;
        await this.request('SUBSCRIBE', [name]);
      }
    } catch (error) {
      this.streams.delete(name);
      this.dropBook(name);
      throw error;
    }
    const book = this.books.get(name);
    if (book !== undefined && !book.synced && !book.fetching) this.resync(book, 'subscribed');
  }

  /** Drops one reference; the last one unsubscribes at the venue. */
  async unsubscribe(sub: DataSubscription): Promise<void> {
    const name = streamName(sub, this.depthSpeedMs);
    const entry = this.streams.get(name);
    if (entry === undefined) return;
    if (--entry.refs > 0) return;
    this.streams.delete(name);
    this.dropBook(name);
    if (this.socket.connected) await this.request('UNSUBSCRIBE', [name]);
  }

  /**
   * Past klines as bars, `[from, to)` by open time, from `GET /api/v3/klines` (no key needed): 1000 per
   * request, each page starting after the last kline of the one before, so no bar comes twice. Pages
   * keep under half of Binance's request weight a minute (from the `X-MBX-USED-WEIGHT-1M` header);
   * a 429 or 418 is waited out for its Retry-After and the page asked again, and 5xx or network
   * failures are retried with backoff. Every row is checked by {@link barOfKlineRow}.
   */
  async *history(request: BarHistoryRequest): AsyncGenerator<readonly Bar[]> {
    const interval = request.interval;
    if (request.kind !== 'bar' || !(KLINE_INTERVALS as readonly string[]).includes(interval)) {
      throw new AutotraderError('CONFIG_INVALID', `Binance history has klines only, at one of ${KLINE_INTERVALS.join(', ')}; got ${request.kind} ${interval}`, { details: { ...request, signal: undefined } });
    }
    const symbol = symbolOf(request.instrumentId);
    let start = request.from;
    while (start < request.to) {
      const rows = await this.klinePage(symbol, interval, start, request.to - 1, request.signal);
      const bars = rows.filter((r) => r[0] >= start && r[0] < request.to).map((r) => barOfKlineRow(r, request.instrumentId, this.o.clock.now()));
      if (bars.length > 0) yield bars;
      // A short page is the end of what the venue has in the range.
      if (rows.length < KLINES_PER_REQUEST) return;
      const last = rows[rows.length - 1]![0];
      if (!(last >= start)) {
        throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance GET /api/v3/klines answered ${rows.length} klines from ${start} whose last opens at ${last}, before the start; cannot page on`, { details: { symbol, interval, start, last } });
      }
      start = last + 1;
    }
  }

  /** One `GET /api/v3/klines` page, paced under the weight budget, with 429s waited out and failures retried. */
  private async klinePage(symbol: string, interval: string, startTime: number, endTime: number, signal: AbortSignal | undefined): Promise<z.output<typeof klinesSchema>> {
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      signal?.throwIfAborted();
      await this.paceHistory(signal);
      try {
        const params = [['symbol', symbol], ['interval', interval], ['startTime', startTime], ['endTime', endTime], ['limit', KLINES_PER_REQUEST]] as const;
        return await this.o.http.request('GET', '/api/v3/klines', params, klinesSchema);
      } catch (error) {
        if (!(error instanceof AutotraderError)) throw error;
        if (error.code === 'RATE_LIMITED' && ++rateLimits <= HISTORY_MAX_RATE_LIMITS) {
          const wait = Number(error.details.retryAfterMs ?? 1000);
          this.o.logger.warn(`Binance rate limit on GET /api/v3/klines: waiting ${wait} ms (Retry-After) before asking again`, { symbol, startTime });
          await pause(wait, signal);
          continue;
        }
        if ((error.code === 'VENUE_UNAVAILABLE' || error.code === 'VENUE_TIMEOUT') && ++failures < HISTORY_MAX_FAILURES) {
          const wait = backoffDelay({ baseDelayMs: 500, maxDelayMs: this.o.config.reconnect.maxDelayMs, jitter: 0 }, failures, 0);
          this.o.logger.warn(`Binance GET /api/v3/klines failed (${error.message}); retrying in ${wait} ms`, { symbol, startTime });
          await pause(wait, signal);
          continue;
        }
        throw error;
      }
    }
  }

  /** Waits for the next minute of the venue's clock when one more page would pass the history weight budget. */
  private async paceHistory(signal: AbortSignal | undefined): Promise<void> {
    const usage = this.o.http.usage();
    const used = usage.usedWeight['1m'];
    if (used === undefined || used + KLINES_WEIGHT <= HISTORY_WEIGHT_PER_MINUTE) return;
    const now = this.o.http.venueNow();
    const wait = 60_000 - (now % 60_000) + 50;
    this.o.logger.info(`Binance request weight ${used} of the minute used; waiting ${wait} ms for the next minute`);
    await pause(wait, signal);
  }

  private newBookState(instrumentId: string): BookState {
    return { instrumentId, symbol: symbolOf(instrumentId), book: new LocalOrderBook(), synced: false, buffer: [], fetching: false, failures: 0, retryTimer: undefined, generation: 0 };
  }

  private dropBook(name: string): void {
    const b = this.books.get(name);
    if (b?.retryTimer !== undefined) clearTimeout(b.retryTimer);
    this.books.delete(name);
  }

  private async resubscribeAll(): Promise<void> {
    const generation = ++this.generation;
    // Loop: streams added while a SUBSCRIBE is in flight are picked up by the next round.
    for (;;) {
      const due = [...this.streams.values()].filter((e) => e.subscribedOn !== generation).slice(0, SUBSCRIBE_CHUNK);
      if (due.length === 0) break;
      for (const e of due) e.subscribedOn = generation;
      await this.request('SUBSCRIBE', due.map((e) => e.name));
    }
    // Diffs were missed while disconnected: every book starts over from a fresh snapshot.
    for (const b of this.books.values()) this.resync(b, 'reconnected');
  }

  private request(method: 'SUBSCRIBE' | 'UNSUBSCRIBE', params: string[]): Promise<void> {
    if (params.length === 0) return Promise.resolve();
    const id = this.nextId++;
    return this.pending.request(String(id), method, () => this.socket.send(JSON.stringify({ method, params, id })), { streams: params });
  }

  private onSocketState(state: 'connected' | 'disconnected', reason: string): void {
    if (state === 'disconnected') for (const b of this.books.values()) this.unsync(b);
    this.o.bus.publish('venueStatus', {
      venue: VENUE,
      state: venueStateOf(state, this.running),
      reason,
      tsEvent: this.o.clock.now(),
    });
  }

  private malformed(message: string, error?: unknown): void {
    this.o.logger.warn(`Binance market stream: ${message}; frame skipped`);
    this.o.bus.publish('error', { source: SOURCE, code: 'VENUE_MESSAGE_MALFORMED', message: `Binance market stream: ${message}`, tsEvent: this.o.clock.now(), error });
  }

  /** Handles one text frame. Never throws: a bad frame becomes an `error` event. */
  private onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch (error) {
      this.malformed(`frame is not JSON (${text.length} bytes)`, error);
      return;
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      this.malformed('frame is not a JSON object');
      return;
    }
    const f = frame as Record<string, unknown>;
    if ('id' in f && ('result' in f || 'code' in f || 'error' in f)) {
      this.onReply(f);
      return;
    }
    if (typeof f.stream === 'string' && 'data' in f) {
      this.route(f.stream, f.data);
      return;
    }
    // A raw (non-combined) frame: route by its content.
    const name = rawStreamName(f, this.depthSpeedMs);
    if (name === undefined) {
      this.malformed('frame has neither a stream name nor a known event type');
      return;
    }
    this.route(name, f);
  }

  private onReply(f: Record<string, unknown>): void {
    const id = String(f.id);
    if ('result' in f && !('code' in f) && !('error' in f)) {
      this.pending.resolve(id, undefined);
      return;
    }
    const err = (f.error ?? f) as { code?: unknown; msg?: unknown };
    this.pending.reject(id, new AutotraderError('VENUE_REJECTED', `Binance market streams refused a request: ${String(err.code)} ${String(err.msg)}`, { details: { venueCode: err.code } }));
  }

  private route(name: string, data: unknown): void {
    if (name.endsWith('serverShutdown')) {
      // The server will close soon; reconnecting now avoids a gap.
      this.socket.recycle('server announced shutdown');
      return;
    }
    const entry = this.streams.get(name);
    if (entry === undefined) {
      this.o.logger.debug('Binance market stream: frame for a stream we are not subscribed to', { stream: name });
      return;
    }
    const tsInit = this.o.clock.now();
    switch (entry.kind) {
      case 'trade': {
        const r = tradeSchema.safeParse(data);
        if (!r.success) return this.malformed(`bad ${name} payload: ${issueText(r.error)}`, r.error);
        const d = r.data;
        const price = Number(d.p);
        const size = Number(d.q);
        const bad = timeProblem('T', d.T) ?? tradeProblem(price, size);
        if (bad !== undefined) return this.malformed(`bad ${name} payload: ${wireProblem(bad, TRADE_FIELDS)}`);
        this.o.bus.publish('trade', {
          instrumentId: entry.instrumentId,
          tsEvent: d.T,
          tsInit,
          price,
          size,
          // The buyer was the maker, so the seller crossed the spread.
          aggressor: d.m ? 'sell' : 'buy',
          tradeId: String(d.t),
        });
        return;
      }
      case 'quote': {
        const r = bookTickerSchema.safeParse(data);
        if (!r.success) return this.malformed(`bad ${name} payload: ${issueText(r.error)}`, r.error);
        const d = r.data;
        const q = { bid: Number(d.b), bidSize: Number(d.B), ask: Number(d.a), askSize: Number(d.A) };
        const bad = (d.E === undefined ? undefined : timeProblem('E', d.E)) ?? (d.T === undefined ? undefined : timeProblem('T', d.T)) ?? quoteProblem(q.bid, q.ask, q.bidSize, q.askSize);
        if (bad !== undefined) return this.malformed(`bad ${name} payload: ${wireProblem(bad, QUOTE_FIELDS)}`);
        this.o.bus.publish('quote', { instrumentId: entry.instrumentId, tsEvent: d.E ?? d.T ?? tsInit, tsInit, ...q });
        return;
      }
      case 'bar': {
        const r = klineSchema.safeParse(data);
        if (!r.success) return this.malformed(`bad ${name} payload: ${issueText(r.error)}`, r.error);
        const k = r.data.k;
        // Only a closed kline is a bar; its close time T is the last millisecond inside it.
        if (!k.x) return;
        const bar = { open: Number(k.o), high: Number(k.h), low: Number(k.l), close: Number(k.c), volume: Number(k.v) };
        // The close time must be a time at or after the open: the bar's event time is T + 1 (found by the fuzz suite: T 0 made a bar known before it opened).
        const closeProblem = timeProblem('k.T', k.T) ?? (k.T >= k.t ? undefined : { column: 'k.T', value: k.T, reason: `is before the open time k.t ${k.t}` });
        const bad = timeProblem('k.t', k.t) ?? closeProblem ?? barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
        if (bad !== undefined) return this.malformed(`bad ${name} payload: ${wireProblem(bad, KLINE_FIELDS)}`);
        this.o.bus.publish('bar', { instrumentId: entry.instrumentId, tsOpen: k.t, tsEvent: k.T + 1, tsInit, ...bar });
        return;
      }
      case 'book': {
        const r = depthUpdateSchema.safeParse(data);
        if (!r.success) return this.malformed(`bad ${name} payload: ${issueText(r.error)}`, r.error);
        const b = this.books.get(name);
        if (b !== undefined) this.onDiff(b, r.data, tsInit);
        return;
      }
    }
  }

  private onDiff(b: BookState, d: z.output<typeof depthUpdateSchema>, tsInit: number): void {
    if (!b.synced) {
      b.buffer.push(d);
      if (b.buffer.length > MAX_BUFFER) b.buffer.shift();
      return;
    }
    const result = b.book.apply(d);
    if (result === 'stale') return;
    if (result === 'gap') {
      this.o.logger.warn('Binance depth: sequence gap; re-syncing the book', { instrumentId: b.instrumentId, expected: b.book.lastUpdateId + 1, got: d.U });
      this.resync(b, 'gap');
      b.buffer.push(d);
      return;
    }
    this.publishBook(b, d.E, tsInit);
  }

  private unsync(b: BookState): void {
    b.synced = false;
    b.buffer = [];
  }

  /** Starts (or restarts) the snapshot + buffered diff procedure for one book. */
  private resync(b: BookState, why: string): void {
    this.unsync(b);
    b.generation++;
    if (b.retryTimer !== undefined) clearTimeout(b.retryTimer);
    b.retryTimer = undefined;
    this.o.logger.debug('Binance depth: fetching snapshot', { instrumentId: b.instrumentId, why });
    void this.fetchSnapshot(b, b.generation);
  }

  private async fetchSnapshot(b: BookState, generation: number): Promise<void> {
    b.fetching = true;
    try {
      const snapshot = await this.o.http.request('GET', '/api/v3/depth', [['symbol', b.symbol], ['limit', this.o.config.depthSnapshotLimit]], depthSnapshotSchema);
      if (generation !== b.generation || !this.isTracked(b)) return;
      this.applySnapshot(b, snapshot);
    } catch (error) {
      if (generation !== b.generation || !this.isTracked(b)) return;
      const message = error instanceof Error ? error.message : String(error);
      this.o.logger.warn('Binance depth: snapshot failed; retrying', { instrumentId: b.instrumentId, error: message });
      this.o.bus.publish('error', {
        source: SOURCE,
        code: error instanceof AutotraderError ? error.code : 'VENUE_UNAVAILABLE',
        message: `Binance depth snapshot for ${b.instrumentId} failed: ${message}`,
        tsEvent: this.o.clock.now(),
        error,
      });
      this.retryLater(b);
    } finally {
      if (generation === b.generation) b.fetching = false;
    }
  }

  private retryLater(b: BookState): void {
    b.failures++;
    // Core's one backoff: 250 ms doubling per failure, capped by the reconnect block's maximum.
    const delay = backoffDelay({ baseDelayMs: 250, maxDelayMs: this.o.config.reconnect.maxDelayMs, jitter: 0 }, b.failures, 0);
    const generation = b.generation;
    b.retryTimer = setTimeout(() => {
      b.retryTimer = undefined;
      if (generation === b.generation && this.isTracked(b)) void this.fetchSnapshot(b, generation);
    }, delay);
  }

  private isTracked(b: BookState): boolean {
    for (const v of this.books.values()) if (v === b) return true;
    return false;
  }

  private applySnapshot(b: BookState, snapshot: z.output<typeof depthSnapshotSchema>): void {
    const buffered = b.buffer.filter((d) => d.u > snapshot.lastUpdateId);
    // The snapshot is older than the first diff we still hold: the diffs between are lost, fetch again.
    if (buffered.length > 0 && buffered[0]!.U > snapshot.lastUpdateId + 1) {
      this.o.logger.debug('Binance depth: snapshot older than the buffered diffs; fetching again', { instrumentId: b.instrumentId });
      b.buffer = buffered;
      this.retryLater(b);
      return;
    }
    b.book.reset(snapshot.lastUpdateId, snapshot.bids, snapshot.asks);
    b.buffer = [];
    b.synced = true;
    b.failures = 0;
    let lastEventTime: number | undefined;
    for (const d of buffered) {
      const result = b.book.apply(d);
      if (result === 'gap') {
        this.resync(b, 'gap in buffered diffs');
        return;
      }
      if (result === 'applied') lastEventTime = (d as { E?: number }).E;
    }
    this.publishBook(b, lastEventTime ?? this.o.clock.now(), this.o.clock.now());
  }

  private publishBook(b: BookState, tsEvent: number, tsInit: number): void {
    if (!this.o.bus.hasListeners('book')) return;
    this.o.bus.publish('book', {
      instrumentId: b.instrumentId,
      tsEvent,
      tsInit,
      sequence: b.book.lastUpdateId,
      bids: b.book.bidLevels(),
      asks: b.book.askLevels(),
    });
  }
}

/** Wire field names of the values the market-data rules check, so a refusal names the field as Binance sent it. */
const TRADE_FIELDS: Readonly<Record<string, string>> = { price: 'p', size: 'q' };
const QUOTE_FIELDS: Readonly<Record<string, string>> = { bid: 'b', ask: 'a', bid_size: 'B', ask_size: 'A' };
const KLINE_FIELDS: Readonly<Record<string, string>> = { open: 'k.o', high: 'k.h', low: 'k.l', close: 'k.c', volume: 'k.v' };

/** A value that breaks core's market-data rules, named by its wire field: `k.h 95.7 is below low 99.1`. */
function wireProblem(p: RowProblem, fields: Readonly<Record<string, string>>): string {
  return describeProblem({ ...p, column: fields[p.column] ?? p.column });
}

/** A payload's schema problems, in core's one zod issue format. */
const issueText = (error: z.ZodError): string => describeZodIssues(error.issues, undefined, { max: 3 });

/** The stream a raw (non-combined) payload belongs to, from its event type and symbol. */
function rawStreamName(f: Record<string, unknown>, depthSpeedMs: 100 | 1000): string | undefined {
  // An empty symbol names no instrument (symbolOf would throw out of the frame handler; found by the fuzz suite).
  const s = typeof f.s === 'string' && f.s !== '' ? f.s : undefined;
  if (f.e === 'serverShutdown') return '!serverShutdown';
  if (s === undefined) return undefined;
  const id = instrumentIdOf(s);
  switch (f.e) {
    case 'trade':
      return streamName({ kind: 'trade', instrumentId: id });
    case 'depthUpdate':
      return streamName({ kind: 'book', instrumentId: id }, depthSpeedMs);
    case 'kline': {
      const k = f.k as { i?: unknown } | undefined;
      return typeof k?.i === 'string' ? `${s.toLowerCase()}@kline_${k.i}` : undefined;
    }
    case undefined:
      return 'b' in f && 'a' in f && 'u' in f ? streamName({ kind: 'quote', instrumentId: id }) : undefined;
    default:
      return undefined;
  }
}
