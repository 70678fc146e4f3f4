import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  AutotraderError,
  backoffDelay,
  barProblem,
  describeProblem,
  quoteProblem,
  timeProblem,
  type Bar,
  type BarHistoryRequest,
  type Clock,
  type DataPort,
  type DataSubscription,
  type EventBus,
  type Logger,
} from '@autotrader/core';
import { checkFrame, pause, reportSkippedFrame, venueStateOf, type FrameProblemSink, type LineStream } from '@autotrader/venue-kit';
import type { OandaConfig } from './config';
import type { OandaHttp } from './http';
import { decimalString, instrumentIdOf, instrumentNameOf, parseTime, priceLineSchema, timeText, VENUE, type PriceLine } from './mapping';
import { oandaStream } from './streams';

/** Bar intervals OANDA has candles for (v20 CandlestickGranularity), by our interval name. */
export const GRANULARITIES: Readonly<Record<string, { granularity: string; ms: number }>> = {
  '5s': { granularity: 'S5', ms: 5_000 },
  '10s': { granularity: 'S10', ms: 10_000 },
  '15s': { granularity: 'S15', ms: 15_000 },
  '30s': { granularity: 'S30', ms: 30_000 },
  '1m': { granularity: 'M1', ms: 60_000 },
  '2m': { granularity: 'M2', ms: 120_000 },
  '4m': { granularity: 'M4', ms: 240_000 },
  '5m': { granularity: 'M5', ms: 300_000 },
  '10m': { granularity: 'M10', ms: 600_000 },
  '15m': { granularity: 'M15', ms: 900_000 },
  '30m': { granularity: 'M30', ms: 1_800_000 },
  '1h': { granularity: 'H1', ms: 3_600_000 },
  '2h': { granularity: 'H2', ms: 7_200_000 },
  '3h': { granularity: 'H3', ms: 10_800_000 },
  '4h': { granularity: 'H4', ms: 14_400_000 },
  '6h': { granularity: 'H6', ms: 21_600_000 },
  '8h': { granularity: 'H8', ms: 28_800_000 },
  '12h': { granularity: 'H12', ms: 43_200_000 },
  '1d': { granularity: 'D', ms: 86_400_000 },
};

/** The most candles one request returns (v20: "the maximum value for count is 5000"). */
export const CANDLES_PER_REQUEST = 5000;

const candleSchema = z.looseObject({
  time: z.string(),
  volume: z.number(),
  complete: z.boolean(),
  mid: z.looseObject({ o: decimalString, h: decimalString, l: decimalString, c: decimalString }),
});
/** `GET /v3/instruments/{instrument}/candles?price=M`. */
export const candlesAnswerSchema = z.looseObject({ candles: z.array(candleSchema) });

/** A mid candle as a bar (`tsEvent` is its end); VENUE_MESSAGE_MALFORMED when it breaks core's market-data rules. */
export function barOfCandle(c: z.output<typeof candleSchema>, instrumentId: string, intervalMs: number, tsInit: number): Bar {
  const tsOpen = parseTime(c.time);
  const bar = { open: Number(c.mid.o), high: Number(c.mid.h), low: Number(c.mid.l), close: Number(c.mid.c), volume: c.volume };
  const bad = timeProblem('time', tsOpen) ?? barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
  if (bad !== undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OANDA candle of ${instrumentId} at ${c.time}: ${describeProblem(bad)}`, { details: { instrumentId } });
  return { instrumentId, tsOpen, tsEvent: tsOpen + intervalMs, tsInit, ...bar };
}

/** What the data port needs from the plugin. */
export interface OandaDataPortOptions {
  readonly streamUrl: string;
  readonly http: OandaHttp;
  readonly accountId: () => Promise<string>;
  readonly token: () => string;
  readonly practice: boolean;
  readonly dispatcher: Dispatcher;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<OandaConfig, 'stallMs' | 'timeouts' | 'reconnect'>;
}

const SOURCE = 'oanda:data';

/**
 * The OANDA market-data port: one pricing stream (`/v3/accounts/{id}/pricing/stream`, chunked HTTP)
 * for every instrument subscribed. PRICE lines become quotes (best bid and ask with their liquidity)
 * and books (every level the line carries); heartbeats keep it alive; no line for `stallMs` reopens it.
 * OANDA has no trade prints and no live candles: bars are the engine's, built from the quotes, and
 * history comes from `/v3/instruments/{instrument}/candles` (mid prices). A change of instruments
 * reopens the stream with the new list (the URL names them).
 */
export class OandaDataPort implements DataPort {
  private readonly refs = new Map<string, number>();
  private stream: LineStream | undefined;
  private streamKey = '';
  private running = false;
  /** Serializes stream changes: subscribes arriving together reopen it once each, in order. */
  private chain: Promise<void> = Promise.resolve();
  private bookSequence = 0;
  private readonly problems: FrameProblemSink;

  constructor(private readonly o: OandaDataPortOptions) {
    this.problems = { name: 'OANDA pricing stream', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
  }

  /** Resolves the account (the stream is per account); the stream opens with the first subscription. */
  async connect(): Promise<void> {
    this.running = true;
    await this.o.accountId();
  }

  /** Closes the stream and forgets every subscription. */
  async disconnect(): Promise<void> {
    this.running = false;
    this.refs.clear();
    await this.enqueue(() => this.reopen());
  }

  /** Quotes and books: the pricing stream of the instrument, open when this resolves. Trades and bars: CAPABILITY_MISSING. */
  async subscribe(sub: DataSubscription): Promise<void> {
    this.check(sub);
    const key = `${sub.kind}|${instrumentNameOf(sub.instrumentId)}`;
    this.refs.set(key, (this.refs.get(key) ?? 0) + 1);
    try {
      await this.enqueue(() => this.reopen());
    } catch (error) {
      this.release(key);
      throw error;
    }
  }

  /** Drops one reference; the last one of an instrument takes it off the stream. */
  async unsubscribe(sub: DataSubscription): Promise<void> {
    const key = `${sub.kind}|${instrumentNameOf(sub.instrumentId)}`;
    if (!this.refs.has(key)) return;
    this.release(key);
    await this.enqueue(() => this.reopen());
  }

  /**
   * Past mid candles as bars, `[from, to)` by open time, from `GET /v3/instruments/{name}/candles`
   * (`price=M`, `from`/`to` windows of at most 5000 candles), oldest first; complete candles only.
   * A 429 is waited out (one second: OANDA sends no Retry-After) and the window asked again; 5xx and
   * network failures are retried with backoff.
   */
  async *history(request: BarHistoryRequest): AsyncGenerator<readonly Bar[]> {
    const g = GRANULARITIES[request.interval];
    if (request.kind !== 'bar' || g === undefined) {
      throw new AutotraderError('CONFIG_INVALID', `OANDA history has candles only, at one of ${Object.keys(GRANULARITIES).join(', ')}; got ${request.kind} ${request.interval}`, { details: { interval: request.interval } });
    }
    const name = instrumentNameOf(request.instrumentId);
    let start = Math.ceil(request.from / g.ms) * g.ms;
    while (start < request.to) {
      const end = Math.min(start + CANDLES_PER_REQUEST * g.ms, request.to);
      let failures = 0;
      let answer: z.output<typeof candlesAnswerSchema>;
      for (;;) {
        request.signal?.throwIfAborted();
        try {
          const query = [['price', 'M'], ['granularity', g.granularity], ['from', timeText(start)], ['to', timeText(end)]] as const;
          answer = await this.o.http.request('GET', `/v3/instruments/${name}/candles`, candlesAnswerSchema, { query });
          break;
        } catch (error) {
          if (!(error instanceof AutotraderError)) throw error;
          if (error.code === 'RATE_LIMITED' && ++failures <= 10) {
            await pause(Number(error.details.retryAfterMs ?? 1000), request.signal);
            continue;
          }
          if ((error.code === 'VENUE_UNAVAILABLE' || error.code === 'VENUE_TIMEOUT') && ++failures < 5) {
            const wait = backoffDelay({ baseDelayMs: 500, maxDelayMs: this.o.config.reconnect.maxDelayMs, jitter: 0 }, failures, 0);
            this.o.logger.warn(`OANDA candles failed (${error.message}); retrying in ${wait} ms`, { name, start });
            await pause(wait, request.signal);
            continue;
          }
          throw error;
        }
      }
      const tsInit = this.o.clock.now();
      const bars = answer.candles
        .filter((c) => c.complete)
        .map((c) => barOfCandle(c, request.instrumentId, g.ms, tsInit))
        .filter((b) => b.tsOpen >= start && b.tsOpen < end)
        .sort((a, b) => a.tsOpen - b.tsOpen);
      if (bars.length > 0) yield bars;
      start = end;
    }
  }

  // ---- internals ----

  private check(sub: DataSubscription): void {
    if (sub.kind === 'quote' || sub.kind === 'book') return;
    const why = sub.kind === 'trade' ? 'OANDA publishes no trades (it is a dealer: prices only)' : 'OANDA streams no candles: the engine builds bars from the quotes';
    throw new AutotraderError('CAPABILITY_MISSING', `${why}; ${sub.kind} of ${sub.instrumentId} cannot be subscribed`, { details: { kind: sub.kind, instrumentId: sub.instrumentId } });
  }

  private release(key: string): void {
    const n = (this.refs.get(key) ?? 0) - 1;
    if (n > 0) this.refs.set(key, n);
    else this.refs.delete(key);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private instruments(): string[] {
    return [...new Set([...this.refs.keys()].map((k) => k.split('|')[1]!))].sort();
  }

  private wants(kind: 'quote' | 'book', name: string): boolean {
    return this.refs.has(`${kind}|${name}`);
  }

  /** Opens the stream for the instruments subscribed now, closing one for another list (none: closed). */
  private async reopen(): Promise<void> {
    const names = this.running ? this.instruments() : [];
    const key = names.join(',');
    if (key === this.streamKey && (this.stream !== undefined || names.length === 0)) return;
    const old = this.stream;
    this.stream = undefined;
    this.streamKey = '';
    await old?.close();
    if (names.length === 0) return;
    const accountId = await this.o.accountId();
    const url = `${this.o.streamUrl}/v3/accounts/${accountId}/pricing/stream?instruments=${encodeURIComponent(key)}&snapshot=true`;
    const stream = oandaStream({
      name: 'OANDA pricing stream',
      url: () => url,
      token: this.o.token,
      practice: this.o.practice,
      dispatcher: this.o.dispatcher,
      config: this.o.config,
      logger: this.o.logger,
      onLine: (value) => this.onLine(value),
      onMalformed: (line, reason) => reportSkippedFrame(this.problems, `${reason}: ${line.slice(0, 80)}`),
      onState: (state, reason) => this.o.bus.publish('venueStatus', { venue: VENUE, state: venueStateOf(state, this.stream === stream), reason, tsEvent: this.o.clock.now() }),
    });
    this.stream = stream;
    this.streamKey = key;
    try {
      await stream.start();
    } catch (error) {
      this.stream = undefined;
      this.streamKey = '';
      throw error;
    }
  }

  /** One PRICE line: a quote and a book of the instrument, as subscribed. Never throws. */
  private onLine(value: unknown): void {
    const p = checkFrame(priceLineSchema, value);
    if (!p.success) {
      // Other line types (none are documented besides PRICE and HEARTBEAT) are skipped quietly.
      if ((value as { type?: unknown } | null)?.type !== 'PRICE') return;
      return reportSkippedFrame(this.problems, `bad PRICE line: ${p.problem}`);
    }
    const line: PriceLine = p.data;
    let tsEvent: number;
    try {
      tsEvent = parseTime(line.time);
    } catch (error) {
      return reportSkippedFrame(this.problems, (error as Error).message, error);
    }
    const tsInit = this.o.clock.now();
    const instrumentId = instrumentIdOf(line.instrument);
    const bids = line.bids.map((b) => [Number(b.price), Number(b.liquidity)] as const);
    const asks = line.asks.map((a) => [Number(a.price), Number(a.liquidity)] as const);
    if (this.wants('quote', line.instrument) && bids.length > 0 && asks.length > 0) {
      const q = { bid: bids[0]![0], bidSize: bids[0]![1], ask: asks[0]![0], askSize: asks[0]![1] };
      const bad = quoteProblem(q.bid, q.ask, q.bidSize, q.askSize);
      if (bad !== undefined) reportSkippedFrame(this.problems, `bad price of ${line.instrument}: ${describeProblem(bad)}`);
      else this.o.bus.publish('quote', { instrumentId, tsEvent, tsInit, ...q });
    }
    if (this.wants('book', line.instrument)) {
      this.o.bus.publish('book', { instrumentId, tsEvent, tsInit, sequence: ++this.bookSequence, bids, asks });
    }
  }
}
