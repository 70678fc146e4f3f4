import { z } from 'zod';
import {
  AutotraderError,
  backoffDelay,
  barProblem,
  describeProblem,
  quoteProblem,
  timeProblem,
  tradeProblem,
  type Bar,
  type BarHistoryRequest,
  type Clock,
  type DataPort,
  type DataSubscription,
  type EventBus,
  type Logger,
} from '@autotrader/core';
import { BookSync, checkCounter, checkFrame, parseJsonFrame, PendingRequests, ReconnectingSocket, reportSkippedFrame, socketSettings, venueStateOf, type FrameProblemSink, type WireLevel, pause } from '@autotrader/venue-kit';
import type { CoinbaseConfig } from './config';
import type { CoinbaseHttp } from './http';
import { API_PREFIX } from './urls';
import { instrumentIdOf, productIdOf, timeOf, VENUE } from './mapping';
import {
  CANDLE_INTERVAL,
  CANDLE_MS,
  candlesEventSchema,
  confirmedKeys,
  envelopeSchema,
  errorFrameSchema,
  l2EventSchema,
  subscribeFrame,
  subscriptionKey,
  tickerEventSchema,
  tradesEventSchema,
  type Channel,
  type Envelope,
  type L2Event,
} from './ws';

/** The channel that carries one kind of market data. */
export function channelOf(sub: DataSubscription): Exclude<Channel, 'heartbeats' | 'user'> {
  switch (sub.kind) {
    case 'trade':
      return 'market_trades';
    case 'quote':
      return 'ticker';
    case 'book':
      return 'level2';
    case 'bar':
      // Coinbase streams 5-minute candles only: any other interval is refused here, and the engine builds it from trades.
      if ((sub.interval ?? '1m') !== CANDLE_INTERVAL) {
        throw new AutotraderError('CONFIG_INVALID', `Coinbase streams ${CANDLE_INTERVAL} candles only, not '${sub.interval ?? '1m'}'`, { details: { interval: sub.interval, instrumentId: sub.instrumentId } });
      }
      return 'candles';
  }
}

/** A level2 message as the book applies it: the envelope's sequence number and the changed levels. */
interface BookUpdate {
  readonly seq: number;
  readonly bids: WireLevel[];
  readonly asks: WireLevel[];
}

const levelsOf = (e: L2Event, seq: number): BookUpdate => ({
  seq,
  bids: e.updates.filter((u) => u.side === 'bid').map((u) => [u.price_level, u.new_quantity] as const),
  asks: e.updates.filter((u) => u.side === 'offer').map((u) => [u.price_level, u.new_quantity] as const),
});

/** Sequence rule inside one book: messages come in connection order; connection-wide gaps are checked before. */
const BOOK_RULES = {
  verdict: (last: number, u: BookUpdate) => (u.seq > last ? ('next' as const) : ('stale' as const)),
  sequenceOf: (u: BookUpdate) => u.seq,
  bids: (u: BookUpdate) => u.bids,
  asks: (u: BookUpdate) => u.asks,
};

interface Candle {
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

interface Entry {
  readonly channel: Exclude<Channel, 'heartbeats' | 'user'>;
  readonly productId: string;
  refs: number;
}

/** What the data port needs from the plugin. */
export interface CoinbaseDataPortOptions {
  readonly wsUrl: string;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<CoinbaseConfig, 'timeouts' | 'reconnect'>;
  /** The REST client, for {@link CoinbaseDataPort.history}; without it the port has no history. */
  readonly http?: CoinbaseHttp;
}

const SOURCE = 'coinbase:data';

/** Our interval names and Coinbase's candle granularities (get-public-product-candles). */
export const CANDLE_GRANULARITIES: Readonly<Record<string, { readonly name: string; readonly ms: number }>> = {
  '1m': { name: 'ONE_MINUTE', ms: 60_000 },
  '5m': { name: 'FIVE_MINUTE', ms: 300_000 },
  '15m': { name: 'FIFTEEN_MINUTE', ms: 900_000 },
  '30m': { name: 'THIRTY_MINUTE', ms: 1_800_000 },
  '1h': { name: 'ONE_HOUR', ms: 3_600_000 },
  '2h': { name: 'TWO_HOUR', ms: 7_200_000 },
  '6h': { name: 'SIX_HOUR', ms: 21_600_000 },
  '1d': { name: 'ONE_DAY', ms: 86_400_000 },
};
/** Candles per request: Coinbase answers at most 350 ("number of candles requested should be less than 350" past that). */
export const CANDLES_PER_REQUEST = 350;
/** Least time between two candle requests: under Coinbase's public limit of 10 requests a second (VENUES.md §2.6). */
const CANDLE_REQUEST_SPACING_MS = 125;
const numeric = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');
/** `GET /market/products/{id}/candles`: candles newest first, `start` in unix seconds. */
export const candlesResponseSchema = z.looseObject({
  candles: z.array(z.looseObject({ start: numeric, low: numeric, high: numeric, open: numeric, close: numeric, volume: numeric })),
});

/** A REST candle as a bar (`tsEvent` is its end); VENUE_MESSAGE_MALFORMED when it breaks core's market-data rules. */
export function barOfCandle(c: z.output<typeof candlesResponseSchema>['candles'][number], instrumentId: string, intervalMs: number, tsInit: number): Bar {
  const tsOpen = Number(c.start) * 1000;
  const bar = { open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) };
  const bad = timeProblem('start', tsOpen) ?? barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
  if (bad !== undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Coinbase candle of ${instrumentId} starting at ${c.start}: ${describeProblem(bad)}`, { details: { instrumentId, candle: c } });
  return { instrumentId, tsOpen, tsEvent: tsOpen + intervalMs, tsInit, ...bar };
}


/**
 * The Coinbase market-data port: one WebSocket with `heartbeats` subscribed, `ticker` → quotes,
 * `market_trades` → trades, `level2` → books (the channel's snapshot, then updates), `candles` → 5-minute
 * bars, each published when the next candle starts (the channel repeats the open candle as it grows).
 * `sequence_num` counts the connection's messages: a gap means a lost message, and every book is
 * resynced by resubscribing its level2 (Coinbase sends a new snapshot). A reconnect resubscribes all.
 */
export class CoinbaseDataPort implements DataPort {
  private readonly socket: ReconnectingSocket;
  private readonly entries = new Map<string, Entry>();
  private readonly books = new Map<string, BookSync<BookUpdate>>();
  private readonly candles = new Map<string, Candle>();
  private readonly problems: FrameProblemSink;
  /** Subscribes waiting for Coinbase's `subscriptions` message to list them. */
  private readonly pending: PendingRequests<void>;
  private lastSeq: number | undefined;
  private running = false;

  constructor(private readonly o: CoinbaseDataPortOptions) {
    this.problems = { name: 'Coinbase market data', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
    this.pending = new PendingRequests('Coinbase market data', o.config.timeouts.wsRequestMs);
    this.socket = new ReconnectingSocket({
      name: 'coinbase market data',
      url: () => o.wsUrl,
      logger: o.logger,
      ...socketSettings(o.config, { kind: 'server-ping' }),
      onOpen: async () => this.subscribeAll(),
      onMessage: (text) => this.onFrame(text),
      onState: (state, reason) => {
        if (state === 'disconnected') for (const b of this.books.values()) b.unsync();
        o.bus.publish('venueStatus', { venue: VENUE, state: venueStateOf(state, this.running), reason, tsEvent: o.clock.now() });
      },
    });
  }

  /**
   * Past candles as bars, `[from, to)` by start, from the public `GET /market/products/{id}/candles` (no
   * key needed): windows of 350 candles, oldest first, at most 8 requests a second. A 429 is waited out
   * (Retry-After or `x-ratelimit-reset`) and the window asked again; 5xx and network failures are retried
   * with backoff. A window with no candles (no trades, or before the listing) is skipped, not the end.
   */
  async *history(request: BarHistoryRequest): AsyncGenerator<readonly Bar[]> {
    const http = this.o.http;
    const granularity = CANDLE_GRANULARITIES[request.interval];
    if (http === undefined) throw new AutotraderError('CAPABILITY_MISSING', 'this Coinbase data port was made without a REST client, so it has no history');
    if (request.kind !== 'bar' || granularity === undefined) {
      throw new AutotraderError('CONFIG_INVALID', `Coinbase history has candles only, at one of ${Object.keys(CANDLE_GRANULARITIES).join(', ')}; got ${request.kind} ${request.interval}`, { details: { interval: request.interval } });
    }
    const product = productIdOf(request.instrumentId);
    const path = `${API_PREFIX}/market/products/${encodeURIComponent(product)}/candles`;
    let start = Math.ceil(request.from / granularity.ms) * granularity.ms;
    let lastSent = -Infinity;
    while (start < request.to) {
      // Both ends are inclusive, in unix seconds: 350 candle starts at most.
      const end = Math.min(start + (CANDLES_PER_REQUEST - 1) * granularity.ms, request.to - 1);
      let failures = 0;
      let rateLimits = 0;
      let answer: z.output<typeof candlesResponseSchema>;
      for (;;) {
        request.signal?.throwIfAborted();
        await pause(Math.max(0, lastSent + CANDLE_REQUEST_SPACING_MS - Date.now()), request.signal);
        lastSent = Date.now();
        try {
          const query = [['start', Math.floor(start / 1000)], ['end', Math.floor(end / 1000)], ['granularity', granularity.name], ['limit', CANDLES_PER_REQUEST]] as const;
          answer = await http.request('GET', path, candlesResponseSchema, { query });
          break;
        } catch (error) {
          if (!(error instanceof AutotraderError)) throw error;
          if (error.code === 'RATE_LIMITED' && ++rateLimits <= 10) {
            const wait = Number(error.details.retryAfterMs ?? 1000);
            this.o.logger.warn(`Coinbase rate limit on GET candles: waiting ${wait} ms before asking again`, { product, start });
            await pause(wait, request.signal);
            continue;
          }
          if ((error.code === 'VENUE_UNAVAILABLE' || error.code === 'VENUE_TIMEOUT') && ++failures < 5) {
            const wait = backoffDelay({ baseDelayMs: 500, maxDelayMs: this.o.config.reconnect.maxDelayMs, jitter: 0 }, failures, 0);
            this.o.logger.warn(`Coinbase GET candles failed (${error.message}); retrying in ${wait} ms`, { product, start });
            await pause(wait, request.signal);
            continue;
          }
          throw error;
        }
      }
      const bars = answer.candles
        .map((c) => barOfCandle(c, request.instrumentId, granularity.ms, this.o.clock.now()))
        .filter((b) => b.tsOpen >= start && b.tsOpen <= end && b.tsOpen < request.to)
        .sort((a, b) => a.tsOpen - b.tsOpen);
      if (bars.length > 0) yield bars;
      start += CANDLES_PER_REQUEST * granularity.ms;
    }
  }

  /** Opens the socket (idempotent). */
  async connect(): Promise<void> {
    if (this.running) return;
    // Concurrent calls share the socket's one start.
    await this.socket.start();
    this.running = true;
  }

  /** Closes the socket and forgets every subscription. */
  async disconnect(): Promise<void> {
    this.running = false;
    this.pending.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', 'Coinbase market data: disconnected before the subscription was confirmed'));
    this.entries.clear();
    this.books.clear();
    this.candles.clear();
    await this.socket.close();
  }

  /**
   * Subscribes (connecting first) and resolves once Coinbase lists the subscription, so nothing printed
   * after it is missed. Bars at any interval but 5m are CONFIG_INVALID before anything is sent.
   */
  async subscribe(sub: DataSubscription): Promise<void> {
    const channel = channelOf(sub);
    const productId = productIdOf(sub.instrumentId);
    const key = `${channel}:${productId}`;
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.refs++;
      return;
    }
    this.entries.set(key, { channel, productId, refs: 1 });
    if (channel === 'level2') this.books.set(productId, new BookSync(BOOK_RULES));
    try {
      const wasRunning = this.running;
      await this.connect();
      // A fresh connection subscribed everything in onOpen; otherwise subscribe this one now.
      if (wasRunning && this.socket.connected) {
        const k = subscriptionKey(channel, productId);
        await this.pending.request(k, `subscribe ${channel} ${productId}`, () => this.socket.send(subscribeFrame('subscribe', channel, [productId])), { channel, productId });
      }
    } catch (error) {
      this.entries.delete(key);
      if (channel === 'level2') this.books.delete(productId);
      throw error;
    }
  }

  /** Drops one reference; the last one unsubscribes at the venue. */
  async unsubscribe(sub: DataSubscription): Promise<void> {
    const channel = channelOf(sub);
    const productId = productIdOf(sub.instrumentId);
    const key = `${channel}:${productId}`;
    const entry = this.entries.get(key);
    if (entry === undefined || --entry.refs > 0) return;
    this.entries.delete(key);
    if (channel === 'level2') this.books.delete(productId);
    if (channel === 'candles') this.candles.delete(productId);
    if (this.socket.connected) this.socket.send(subscribeFrame('unsubscribe', channel, [productId]));
  }

  private async subscribeAll(): Promise<void> {
    // A new connection numbers its messages from the start again.
    this.lastSeq = undefined;
    for (const b of this.books.values()) b.unsync();
    this.socket.send(subscribeFrame('subscribe', 'heartbeats', []));
    const byChannel = new Map<Channel, string[]>();
    for (const e of this.entries.values()) byChannel.set(e.channel, [...(byChannel.get(e.channel) ?? []), e.productId]);
    const confirmed: Promise<void>[] = [];
    for (const [channel, products] of byChannel) {
      // One frame per channel; its first product's listing confirms the frame (Coinbase lists them all at once).
      const key = subscriptionKey(channel, products[0]);
      confirmed.push(this.pending.request(key, `subscribe ${channel}`, () => this.socket.send(subscribeFrame('subscribe', channel, products)), { channel, products }));
    }
    await Promise.all(confirmed);
  }

  /** A message was lost: resubscribe every book so Coinbase sends fresh snapshots. */
  private resyncBooks(why: string): void {
    const products = [...this.books.keys()];
    if (products.length === 0) return;
    this.o.logger.warn(`Coinbase level2: ${why}; resubscribing the books for new snapshots`, { products });
    for (const b of this.books.values()) b.unsync();
    if (!this.socket.connected) return;
    this.socket.send(subscribeFrame('unsubscribe', 'level2', products));
    this.socket.send(subscribeFrame('subscribe', 'level2', products));
  }

  private malformed(message: string, error?: unknown): void {
    reportSkippedFrame(this.problems, message, error);
  }

  /** One frame. Never throws: a bad frame is reported and skipped. */
  private onFrame(text: string): void {
    const parsed = parseJsonFrame(text);
    if (!parsed.success) return this.malformed(parsed.problem);
    const refused = errorFrameSchema.safeParse(parsed.data);
    if (refused.success) {
      const message = `Coinbase market data: the venue sent an error: ${refused.data.message ?? 'no message'}`;
      this.o.logger.warn(message);
      this.o.bus.publish('error', { source: SOURCE, code: 'VENUE_REJECTED', message, tsEvent: this.o.clock.now() });
      // Error frames name no request: every subscribe still waiting fails with the venue's words.
      this.pending.rejectAll(new AutotraderError('VENUE_REJECTED', message));
      return;
    }
    const env = checkFrame(envelopeSchema, parsed.data);
    if (!env.success) return this.malformed(`not a Coinbase message: ${env.problem}`);
    const verdict = checkCounter(this.lastSeq, env.data.sequence_num);
    if (verdict === 'stale') return; // a repeated message
    if (verdict === 'gap') this.resyncBooks(`sequence_num jumped from ${String(this.lastSeq)} to ${env.data.sequence_num}`);
    this.lastSeq = env.data.sequence_num;
    this.route(env.data);
  }

  private route(env: Envelope): void {
    const tsInit = this.o.clock.now();
    const tsEnvelope = timeOf(env.timestamp);
    for (const raw of env.events) {
      switch (env.channel) {
        case 'ticker': {
          const e = checkFrame(tickerEventSchema, raw);
          if (!e.success) return this.malformed(`bad ticker event: ${e.problem}`);
          for (const t of e.data.tickers) {
            if (!this.entries.has(`ticker:${t.product_id}`)) continue;
            const q = { bid: Number(t.best_bid), bidSize: Number(t.best_bid_quantity), ask: Number(t.best_ask), askSize: Number(t.best_ask_quantity) };
            const bad = quoteProblem(q.bid, q.ask, q.bidSize, q.askSize);
            if (bad !== undefined) return this.malformed(`bad ticker of ${t.product_id}: ${describeProblem(bad)}`);
            this.o.bus.publish('quote', { instrumentId: instrumentIdOf(t.product_id), tsEvent: tsEnvelope, tsInit, ...q });
          }
          break;
        }
        case 'market_trades': {
          const e = checkFrame(tradesEventSchema, raw);
          if (!e.success) return this.malformed(`bad market_trades event: ${e.problem}`);
          // The snapshot replays recent trades from before the subscription: they are history, not news.
          if (e.data.type === 'snapshot') break;
          for (const t of e.data.trades) {
            if (!this.entries.has(`market_trades:${t.product_id}`)) continue;
            const px = Number(t.price);
            const size = Number(t.size);
            const bad = tradeProblem(px, size);
            if (bad !== undefined) return this.malformed(`bad trade ${t.trade_id}: ${describeProblem(bad)}`);
            // `side` is taken as the taker's (the documentation does not say which side it names).
            this.o.bus.publish('trade', { instrumentId: instrumentIdOf(t.product_id), tsEvent: timeOf(t.time), tsInit, price: px, size, aggressor: t.side === 'BUY' ? 'buy' : 'sell', tradeId: t.trade_id });
          }
          break;
        }
        case 'l2_data': {
          const e = checkFrame(l2EventSchema, raw);
          if (!e.success) return this.malformed(`bad level2 event: ${e.problem}`);
          this.onBook(e.data, env.sequence_num, tsEnvelope, tsInit);
          break;
        }
        case 'candles': {
          const e = checkFrame(candlesEventSchema, raw);
          if (!e.success) return this.malformed(`bad candles event: ${e.problem}`);
          for (const c of e.data.candles) this.onCandle(c, tsInit);
          break;
        }
        case 'subscriptions':
          for (const key of confirmedKeys([raw])) this.pending.resolve(key, undefined);
          break;
        default:
          // heartbeats: a life sign only.
          return;
      }
    }
  }

  private onBook(e: L2Event, seq: number, tsEvent: number, tsInit: number): void {
    const book = this.books.get(e.product_id);
    if (book === undefined) return;
    const update = levelsOf(e, seq);
    if (e.type === 'snapshot') {
      book.snapshot(seq, update.bids, update.asks);
    } else if (book.update(update) !== 'applied') {
      return;
    }
    if (!book.synced || !this.o.bus.hasListeners('book')) return;
    this.o.bus.publish('book', { instrumentId: instrumentIdOf(e.product_id), tsEvent, tsInit, sequence: book.sequence, bids: book.bids.sorted(), asks: book.asks.sorted() });
  }

  private onCandle(c: { start: string; open: string; high: string; low: string; close: string; volume: string; product_id: string }, tsInit: number): void {
    if (!this.entries.has(`candles:${c.product_id}`)) return;
    const next: Candle = { start: Number(c.start) * 1000, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) };
    const bad = barProblem(next.open, next.high, next.low, next.close, next.volume);
    if (bad !== undefined) return this.malformed(`bad candle of ${c.product_id}: ${describeProblem(bad)}`);
    const last = this.candles.get(c.product_id);
    if (last !== undefined && next.start < last.start) return; // a late repeat of a closed candle
    this.candles.set(c.product_id, next);
    // A candle is closed once the next one starts: publish it then, never while it grows.
    if (last !== undefined && next.start > last.start) {
      const { start, ...ohlcv } = last;
      this.o.bus.publish('bar', { instrumentId: instrumentIdOf(c.product_id), tsOpen: start, tsEvent: start + CANDLE_MS, tsInit, ...ohlcv });
    }
  }
}
