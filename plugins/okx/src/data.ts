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
import { BookSync, checkFrame, checkLinked, parseJsonFrame, pause, PendingRequests, ReconnectingSocket, reportSkippedFrame, socketSettings, venueStateOf, type FrameProblemSink, type WireLevel } from '@autotrader/venue-kit';
import { TextBookSide, verifyChecksum } from './books-checksum';
import type { OkxConfig } from './config';
import type { OkxHttp } from './http';
import { instIdOf, instrumentIdOf, VENUE } from './mapping';
import {
  argKey,
  booksSchema,
  CANDLE_BARS,
  candleRowSchema,
  eventFrameSchema,
  okxHeartbeat,
  pushFrameSchema,
  subscriptionFrame,
  tickerSchema,
  tradeSchema,
  type BooksItem,
  type ChannelArg,
  type PushFrame,
} from './ws';

/** Which socket carries a channel: candles are on the business socket, the rest on the public one. */
type SocketKind = 'public' | 'business';

/** The channel (and socket) of one market-data subscription. Bars at an interval OKX does not stream are CONFIG_INVALID. */
export function channelOf(sub: DataSubscription): { arg: ChannelArg; socket: SocketKind } {
  const instId = instIdOf(sub.instrumentId);
  switch (sub.kind) {
    case 'trade':
      return { arg: { channel: 'trades', instId }, socket: 'public' };
    case 'quote':
      return { arg: { channel: 'tickers', instId }, socket: 'public' };
    case 'book':
      return { arg: { channel: 'books', instId }, socket: 'public' };
    case 'bar': {
      const interval = sub.interval ?? '1m';
      const c = CANDLE_BARS[interval];
      if (c === undefined) {
        throw new AutotraderError('CONFIG_INVALID', `OKX streams candles at ${Object.keys(CANDLE_BARS).join(', ')}, not '${interval}'`, { details: { interval, instrumentId: sub.instrumentId } });
      }
      return { arg: { channel: `candle${c.bar}`, instId }, socket: 'business' };
    }
  }
}

/** The candle length of a `candle…` channel name. */
const candleMsOf = (channel: string): number | undefined => Object.values(CANDLE_BARS).find((c) => `candle${c.bar}` === channel)?.ms;

/** One book: the kit's sequencing and numeric levels, and the venue's text of each level for the checksum. */
interface Book {
  readonly sync: BookSync<BooksItem>;
  readonly textBids: TextBookSide;
  readonly textAsks: TextBookSide;
}

function newBook(): Book {
  const textBids = new TextBookSide(true);
  const textAsks = new TextBookSide(false);
  const sync = new BookSync<BooksItem>({
    verdict: (last, u) => checkLinked(last, u.prevSeqId, u.seqId),
    sequenceOf: (u) => u.seqId,
    // The kit's book reads an update's levels exactly when it applies it: the text book follows in step.
    bids: (u) => {
      textBids.update(u.bids as WireLevel[]);
      return u.bids as WireLevel[];
    },
    asks: (u) => {
      textAsks.update(u.asks as WireLevel[]);
      return u.asks as WireLevel[];
    },
  });
  return { sync, textBids, textAsks };
}

interface Entry {
  readonly arg: ChannelArg;
  readonly socket: SocketKind;
  refs: number;
}

/** One socket with the subscriptions it carries and the acknowledgements it waits for. */
interface Channel {
  readonly socket: ReconnectingSocket;
  readonly pending: PendingRequests<void>;
  running: boolean;
  /** Keys subscribed on the current connection (a subscribe that raced the connection's onOpen is sent after it). */
  readonly sent: Set<string>;
}

/** What the data port needs from the plugin. */
export interface OkxDataPortOptions {
  readonly wsPublicUrl: string;
  readonly wsBusinessUrl: string;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<OkxConfig, 'timeouts' | 'reconnect'>;
  /** The REST client, for {@link OkxDataPort.history}; without it the port has no history. */
  readonly http?: OkxHttp;
}

const SOURCE = 'okx:data';
/** Candles per `history-candles` request (OKX's maximum `limit`). */
export const CANDLES_PER_REQUEST = 100;
/** Least time between two history requests: under OKX's 20 requests per 2 s for `history-candles`. */
const HISTORY_SPACING_MS = 110;
const num = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');
/** `GET /api/v5/market/history-candles`: rows newest first, `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]`. */
export const historyCandlesSchema = z.looseObject({ code: z.literal('0'), data: z.array(z.tuple([num, num, num, num, num, num]).rest(z.string())) });

/** A REST candle row as a bar (`tsEvent` is its end); VENUE_MESSAGE_MALFORMED when it breaks core's market-data rules. */
export function barOfRow(row: readonly string[], instrumentId: string, intervalMs: number, tsInit: number): Bar {
  const tsOpen = Number(row[0]);
  const bar = { open: Number(row[1]), high: Number(row[2]), low: Number(row[3]), close: Number(row[4]), volume: Number(row[5]) };
  const bad = timeProblem('ts', tsOpen) ?? barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
  if (bad !== undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OKX candle of ${instrumentId} at ${row[0]}: ${describeProblem(bad)}`, { details: { instrumentId, row } });
  return { instrumentId, tsOpen, tsEvent: tsOpen + intervalMs, tsInit, ...bar };
}

/**
 * The OKX market-data port. The public socket carries `tickers` → quotes, `trades` → trades and
 * `books` → books; the business socket carries `candle<bar>` → bars (a candle is published once, when
 * its `confirm` flag says it closed). Books follow `prevSeqId` → `seqId` (the kit's BookSync with
 * checkLinked; a snapshot has prevSeqId -1) and each update's CRC32 checksum is verified (0 = not
 * checked, OKX's announced change); a gap or a mismatch resubscribes that book for a new snapshot. Both
 * sockets send `ping` when idle (OKX drops a silent connection after 30 s) and resubscribe everything
 * after a reconnect.
 */
export class OkxDataPort implements DataPort {
  private readonly channels: Record<SocketKind, Channel>;
  private readonly entries = new Map<string, Entry>();
  private readonly books = new Map<string, Book>();
  /** Per candle subscription, the open time of the last candle published (each closed candle once). */
  private readonly lastBar = new Map<string, number>();
  private readonly problems: FrameProblemSink;

  constructor(private readonly o: OkxDataPortOptions) {
    this.problems = { name: 'OKX market data', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
    const make = (kind: SocketKind, url: string): Channel => {
      const socket: ReconnectingSocket = new ReconnectingSocket({
        name: `okx ${kind}`,
        url: () => url,
        logger: o.logger,
        ...socketSettings(o.config, okxHeartbeat(o.config.timeouts.pingIntervalMs)),
        onOpen: async () => {
          await this.subscribeAll(kind);
        },
        onMessage: (text) => this.onFrame(kind, text),
        onState: (state, reason) => {
          if (state === 'disconnected') {
            if (kind === 'public') for (const b of this.books.values()) b.sync.unsync();
            channel.pending.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', `OKX ${kind} socket: ${reason}`));
          }
          o.bus.publish('venueStatus', { venue: VENUE, state: venueStateOf(state, channel.running), reason, tsEvent: o.clock.now() });
        },
      });
      const channel: Channel = {
        pending: new PendingRequests(`OKX ${kind} socket`, o.config.timeouts.wsRequestMs),
        running: false,
        sent: new Set(),
        socket,
      };
      return channel;
    };
    this.channels = { public: make('public', o.wsPublicUrl), business: make('business', o.wsBusinessUrl) };
  }

  /** Opens the public socket (idempotent); the business socket opens with the first candle subscription. */
  async connect(): Promise<void> {
    await this.start('public');
  }

  /** Closes both sockets and forgets every subscription. */
  async disconnect(): Promise<void> {
    for (const c of Object.values(this.channels)) {
      c.running = false;
      c.pending.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', 'OKX market data: disconnected before the subscription was confirmed'));
    }
    this.entries.clear();
    this.books.clear();
    this.lastBar.clear();
    await Promise.all(Object.values(this.channels).map((c) => c.socket.close()));
  }

  /** Subscribes (opening the socket first) and resolves once OKX acknowledges it. */
  async subscribe(sub: DataSubscription): Promise<void> {
    const { arg, socket } = channelOf(sub);
    const key = argKey(arg);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.refs++;
      return;
    }
    this.entries.set(key, { arg, socket, refs: 1 });
    if (arg.channel === 'books') this.books.set(arg.instId!, newBook());
    try {
      const c = this.channels[socket];
      await this.start(socket);
      // A fresh connection subscribed everything in onOpen; otherwise subscribe this one now (a socket
      // that is reconnecting subscribes it in its next onOpen).
      if (!c.sent.has(key) && c.socket.connected) {
        c.sent.add(key);
        await c.pending.request(key, `subscribe ${key}`, () => c.socket.send(subscriptionFrame('subscribe', [arg])), { channel: arg.channel, instId: arg.instId });
      }
    } catch (error) {
      this.entries.delete(key);
      this.channels[socket].sent.delete(key);
      if (arg.channel === 'books') this.books.delete(arg.instId!);
      throw error;
    }
  }

  /** Drops one reference; the last one unsubscribes at the venue. */
  async unsubscribe(sub: DataSubscription): Promise<void> {
    const { arg, socket } = channelOf(sub);
    const key = argKey(arg);
    const entry = this.entries.get(key);
    if (entry === undefined || --entry.refs > 0) return;
    this.entries.delete(key);
    if (arg.channel === 'books') this.books.delete(arg.instId!);
    this.lastBar.delete(key);
    const c = this.channels[socket];
    c.sent.delete(key);
    if (c.socket.connected) c.socket.send(subscriptionFrame('unsubscribe', [arg]));
  }

  /**
   * Past candles as bars, `[from, to)` by open time, from the public `GET /api/v5/market/history-candles`
   * (no key needed): windows of 100 candles asked with `before`/`after` (OKX pages by timestamp, newest
   * first), yielded oldest first, at most 9 requests a second. A 429 is waited out and the window asked
   * again; 5xx and network failures are retried with backoff. An empty window is skipped, not the end.
   */
  async *history(request: BarHistoryRequest): AsyncGenerator<readonly Bar[]> {
    const http = this.o.http;
    const c = CANDLE_BARS[request.interval];
    if (http === undefined) throw new AutotraderError('CAPABILITY_MISSING', 'this OKX data port was made without a REST client, so it has no history');
    if (request.kind !== 'bar' || c === undefined) {
      throw new AutotraderError('CONFIG_INVALID', `OKX history has candles only, at one of ${Object.keys(CANDLE_BARS).join(', ')}; got ${request.kind} ${request.interval}`, { details: { interval: request.interval } });
    }
    const instId = instIdOf(request.instrumentId);
    let start = Math.ceil(request.from / c.ms) * c.ms;
    let lastSent = -Infinity;
    while (start < request.to) {
      const end = Math.min(start + CANDLES_PER_REQUEST * c.ms, request.to);
      let failures = 0;
      let rateLimits = 0;
      let answer: z.output<typeof historyCandlesSchema>;
      for (;;) {
        request.signal?.throwIfAborted();
        await pause(Math.max(0, lastSent + HISTORY_SPACING_MS - Date.now()), request.signal);
        lastSent = Date.now();
        try {
          // `before`: newer than; `after`: older than (both exclusive): the candles opening in [start, end).
          const query = [['instId', instId], ['bar', c.bar], ['before', start - 1], ['after', end], ['limit', CANDLES_PER_REQUEST]] as const;
          answer = await http.request('GET', '/api/v5/market/history-candles', historyCandlesSchema, { query });
          break;
        } catch (error) {
          if (!(error instanceof AutotraderError)) throw error;
          if (error.code === 'RATE_LIMITED' && ++rateLimits <= 10) {
            const wait = Number(error.details.retryAfterMs ?? 2000);
            this.o.logger.warn(`OKX rate limit on history-candles: waiting ${wait} ms before asking again`, { instId, start });
            await pause(wait, request.signal);
            continue;
          }
          if ((error.code === 'VENUE_UNAVAILABLE' || error.code === 'VENUE_TIMEOUT') && ++failures < 5) {
            const wait = backoffDelay({ baseDelayMs: 500, maxDelayMs: this.o.config.reconnect.maxDelayMs, jitter: 0 }, failures, 0);
            this.o.logger.warn(`OKX history-candles failed (${error.message}); retrying in ${wait} ms`, { instId, start });
            await pause(wait, request.signal);
            continue;
          }
          throw error;
        }
      }
      const bars = answer.data
        .map((row) => barOfRow(row, request.instrumentId, c.ms, this.o.clock.now()))
        .filter((b) => b.tsOpen >= start && b.tsOpen < end)
        .sort((a, b) => a.tsOpen - b.tsOpen);
      if (bars.length > 0) yield bars;
      start = end;
    }
  }

  // ---- internals ----

  private async start(kind: SocketKind): Promise<void> {
    const c = this.channels[kind];
    if (c.running) return;
    // Concurrent calls share the socket's one start.
    await c.socket.start();
    c.running = true;
  }

  /** After every (re)connect: one subscribe frame with every channel of this socket, each acknowledgement awaited. */
  private async subscribeAll(kind: SocketKind): Promise<void> {
    const c = this.channels[kind];
    const args = [...this.entries.values()].filter((e) => e.socket === kind).map((e) => e.arg);
    c.sent.clear();
    for (const arg of args) c.sent.add(argKey(arg));
    if (kind === 'public') for (const b of this.books.values()) b.sync.unsync();
    if (args.length === 0) return;
    const acks = args.map((arg) => c.pending.request(argKey(arg), `subscribe ${argKey(arg)}`, () => undefined, { channel: arg.channel, instId: arg.instId }));
    c.socket.send(subscriptionFrame('subscribe', args));
    await Promise.all(acks);
  }

  /** A book missed an update or disagrees with the venue's checksum: resubscribe it for a new snapshot. */
  private resyncBook(instId: string, why: string): void {
    const book = this.books.get(instId);
    if (book === undefined) return;
    this.o.logger.warn(`OKX books ${instId}: ${why}; resubscribing for a new snapshot`);
    book.sync.unsync();
    const c = this.channels.public;
    if (!c.socket.connected) return;
    const arg: ChannelArg = { channel: 'books', instId };
    c.socket.send(subscriptionFrame('unsubscribe', [arg]));
    c.socket.send(subscriptionFrame('subscribe', [arg]));
  }

  /** One frame. Never throws: a bad frame is reported and skipped. */
  private onFrame(kind: SocketKind, text: string): void {
    const parsed = parseJsonFrame(text);
    if (!parsed.success) return reportSkippedFrame(this.problems, parsed.problem);
    const data = parsed.data as { event?: unknown };
    if (typeof data === 'object' && data !== null && 'event' in data) {
      const e = checkFrame(eventFrameSchema, parsed.data);
      if (!e.success) return reportSkippedFrame(this.problems, `bad event frame: ${e.problem}`);
      const c = this.channels[kind];
      if (e.data.event === 'subscribe' && e.data.arg !== undefined) c.pending.resolve(argKey(e.data.arg), undefined);
      else if (e.data.event === 'error') {
        const message = `OKX ${kind} socket: the venue sent an error: ${e.data.code ?? '?'} ${e.data.msg ?? ''}`.trim();
        this.o.logger.warn(message);
        this.o.bus.publish('error', { source: SOURCE, code: 'VENUE_REJECTED', message, tsEvent: this.o.clock.now() });
        // Error frames name no request: every subscribe still waiting fails with the venue's words.
        c.pending.rejectAll(new AutotraderError('VENUE_REJECTED', message, { details: { venueCode: e.data.code } }));
      }
      return;
    }
    const push = checkFrame(pushFrameSchema, parsed.data);
    if (!push.success) return reportSkippedFrame(this.problems, `not an OKX push: ${push.problem}`);
    this.route(push.data);
  }

  private route(push: PushFrame): void {
    const tsInit = this.o.clock.now();
    const channel = push.arg.channel;
    if (!this.entries.has(argKey(push.arg))) return;
    if (channel === 'tickers') {
      for (const raw of push.data) {
        const t = checkFrame(tickerSchema, raw);
        if (!t.success) return reportSkippedFrame(this.problems, `bad tickers item: ${t.problem}`);
        const q = { bid: Number(t.data.bidPx), bidSize: Number(t.data.bidSz), ask: Number(t.data.askPx), askSize: Number(t.data.askSz) };
        const bad = quoteProblem(q.bid, q.ask, q.bidSize, q.askSize);
        if (bad !== undefined) return reportSkippedFrame(this.problems, `bad ticker of ${t.data.instId}: ${describeProblem(bad)}`);
        this.o.bus.publish('quote', { instrumentId: instrumentIdOf(t.data.instId), tsEvent: Number(t.data.ts), tsInit, ...q });
      }
    } else if (channel === 'trades') {
      for (const raw of push.data) {
        const t = checkFrame(tradeSchema, raw);
        if (!t.success) return reportSkippedFrame(this.problems, `bad trades item: ${t.problem}`);
        const px = Number(t.data.px);
        const size = Number(t.data.sz);
        const bad = tradeProblem(px, size);
        if (bad !== undefined) return reportSkippedFrame(this.problems, `bad trade ${t.data.tradeId}: ${describeProblem(bad)}`);
        this.o.bus.publish('trade', { instrumentId: instrumentIdOf(t.data.instId), tsEvent: Number(t.data.ts), tsInit, price: px, size, aggressor: t.data.side, tradeId: t.data.tradeId });
      }
    } else if (channel === 'books') {
      for (const raw of push.data) {
        const b = checkFrame(booksSchema, raw);
        if (!b.success) return reportSkippedFrame(this.problems, `bad books item: ${b.problem}`);
        this.onBook(push.arg.instId!, push.action, b.data, tsInit);
      }
    } else if (channel.startsWith('candle')) {
      const ms = candleMsOf(channel);
      if (ms === undefined) return;
      for (const raw of push.data) {
        const row = checkFrame(candleRowSchema, raw);
        if (!row.success) return reportSkippedFrame(this.problems, `bad candle row: ${row.problem}`);
        this.onCandle(argKey(push.arg), push.arg.instId!, row.data, ms, tsInit);
      }
    }
  }

  private onBook(instId: string, action: string | undefined, u: BooksItem, tsInit: number): void {
    const book = this.books.get(instId);
    if (book === undefined) return;
    if (action === 'snapshot' || u.prevSeqId === -1) {
      book.textBids.clear();
      book.textAsks.clear();
      book.textBids.update(u.bids as WireLevel[]);
      book.textAsks.update(u.asks as WireLevel[]);
      const r = book.sync.snapshot(u.seqId, u.bids as WireLevel[], u.asks as WireLevel[]);
      if (r !== 'synced') return this.resyncBook(instId, `the snapshot at seqId ${u.seqId} does not link with the updates held (${r})`);
    } else {
      const r = book.sync.update(u);
      if (r === 'gap') return this.resyncBook(instId, `prevSeqId ${u.prevSeqId} does not follow seqId ${book.sync.sequence === -1 ? '(none)' : book.sync.sequence}`);
      if (r !== 'applied') return;
    }
    // The checksum describes the book after this very update (held updates applied on top change it).
    if (book.sync.sequence === u.seqId && verifyChecksum(u.checksum, book.textBids.best(), book.textAsks.best()) === 'mismatch') {
      return this.resyncBook(instId, `checksum ${u.checksum} does not match the local book at seqId ${u.seqId}`);
    }
    // A keep-alive update (seqId = prevSeqId, no levels) changes nothing.
    if (u.bids.length === 0 && u.asks.length === 0 && action !== 'snapshot' && u.prevSeqId !== -1) return;
    if (!this.o.bus.hasListeners('book')) return;
    this.o.bus.publish('book', { instrumentId: instrumentIdOf(instId), tsEvent: Number(u.ts), tsInit, sequence: book.sync.sequence, bids: book.sync.bids.sorted(), asks: book.sync.asks.sorted() });
  }

  private onCandle(key: string, instId: string, row: readonly string[], ms: number, tsInit: number): void {
    // `confirm` (index 8): "1" once the candle has closed; an open candle is never published.
    if (row[8] !== '1') return;
    const tsOpen = Number(row[0]);
    const last = this.lastBar.get(key);
    if (last !== undefined && tsOpen <= last) return;
    let bar: Bar;
    try {
      bar = barOfRow(row, instrumentIdOf(instId), ms, tsInit);
    } catch (error) {
      return reportSkippedFrame(this.problems, (error as Error).message, error);
    }
    this.lastBar.set(key, tsOpen);
    this.o.bus.publish('bar', bar);
  }
}
