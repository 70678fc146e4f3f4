import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { barProblem, describeProblem, instrumentToSpec, quoteProblem, timeProblem, tradeProblem, type EventBus, type InstrumentCatalog, type RowProblem } from '@autotrader/core';
import { writeSeries, type Series } from '@autotrader/data';
import { GrowableFloat64 } from './growable';

/** What every buffer has: the instrument's price rule, the last time recorded, and how many events were skipped. */
interface BufferState {
  allowNonPositivePrices: boolean;
  lastTime: number;
  skipped: number;
}
interface BarBuffer extends BufferState {
  kind: 'bar';
  intervalMs: number;
  cols: Record<'tsOpen' | 'open' | 'high' | 'low' | 'close' | 'volume', GrowableFloat64>;
}
interface TradeBuffer extends BufferState {
  kind: 'trade';
  cols: Record<'ts' | 'price' | 'size' | 'aggressor', GrowableFloat64>;
  ids: string[];
}
interface QuoteBuffer extends BufferState {
  kind: 'quote';
  cols: Record<'ts' | 'bid' | 'ask' | 'bidSize' | 'askSize', GrowableFloat64>;
}
type Buffer = BarBuffer | TradeBuffer | QuoteBuffer;

const columns = <K extends string>(names: readonly K[]): Record<K, GrowableFloat64> =>
  Object.fromEntries(names.map((n) => [n, new GrowableFloat64()])) as Record<K, GrowableFloat64>;

/**
 * Records the market data a paper or live session receives (bars, trades, quotes; books are not
 * recorded) and writes one uncompressed Arrow file per instrument and kind, readable by
 * `pnpm backtest --data <dir>`. Events are stamped with the venue's time (`tsEvent`), which is
 * what a replay orders by. Nothing secret is ever on these topics, so nothing secret is recorded.
 *
 * Every event is checked with core's market-data rules before it is recorded, as `readSeries` will check
 * the file: one that breaks them (a non-positive price, a bar whose high is below its low, a time that
 * goes back) is skipped and reported as a VENUE_MESSAGE_MALFORMED `error` event, the first of each
 * instrument and kind, so that one bad event cannot make the whole recording unreadable.
 */
export class MarketDataRecorder {
  private readonly buffers = new Map<string, Buffer>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly instruments: InstrumentCatalog,
    private readonly dir: string,
  ) {
    // Lowest priority of all: record exactly what was delivered, after everyone else saw it.
    const opts = { priority: 10_000, owner: 'recorder' };
    this.unsubscribe.push(
      bus.on('bar', (b) => {
        const buf = this.buffer(b.instrumentId, 'bar', b.tsEvent - b.tsOpen) as BarBuffer;
        const bad = timeProblem('tsOpen', b.tsOpen) ?? (b.tsOpen > buf.lastTime ? barProblem(b.open, b.high, b.low, b.close, b.volume, buf.allowNonPositivePrices) : goesBack('tsOpen', b.tsOpen, buf.lastTime, true));
        if (bad !== undefined) return this.skip(buf, b.instrumentId, bad, b.tsEvent);
        buf.lastTime = b.tsOpen;
        const c = buf.cols;
        c.tsOpen.push(b.tsOpen);
        c.open.push(b.open);
        c.high.push(b.high);
        c.low.push(b.low);
        c.close.push(b.close);
        c.volume.push(b.volume);
      }, opts),
      bus.on('trade', (t) => {
        const buf = this.buffer(t.instrumentId, 'trade') as TradeBuffer;
        const bad = timeProblem('tsEvent', t.tsEvent) ?? (t.tsEvent >= buf.lastTime ? tradeProblem(t.price, t.size, buf.allowNonPositivePrices) : goesBack('tsEvent', t.tsEvent, buf.lastTime, false));
        if (bad !== undefined) return this.skip(buf, t.instrumentId, bad, t.tsEvent);
        buf.lastTime = t.tsEvent;
        buf.cols.ts.push(t.tsEvent);
        buf.cols.price.push(t.price);
        buf.cols.size.push(t.size);
        buf.cols.aggressor.push(t.aggressor === 'buy' ? 1 : t.aggressor === 'sell' ? -1 : 0);
        buf.ids.push(t.tradeId);
      }, opts),
      bus.on('quote', (q) => {
        const buf = this.buffer(q.instrumentId, 'quote') as QuoteBuffer;
        const bad = timeProblem('tsEvent', q.tsEvent) ?? (q.tsEvent >= buf.lastTime ? quoteProblem(q.bid, q.ask, q.bidSize, q.askSize, buf.allowNonPositivePrices) : goesBack('tsEvent', q.tsEvent, buf.lastTime, false));
        if (bad !== undefined) return this.skip(buf, q.instrumentId, bad, q.tsEvent);
        buf.lastTime = q.tsEvent;
        const c = buf.cols;
        c.ts.push(q.tsEvent);
        c.bid.push(q.bid);
        c.ask.push(q.ask);
        c.bidSize.push(q.bidSize);
        c.askSize.push(q.askSize);
      }, opts),
    );
  }

  /** Events skipped so far because they broke the market-data rules. */
  get skipped(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.skipped;
    return n;
  }

  /** Skips an event a replay would refuse; the first of each instrument and kind is reported on the bus. */
  private skip(buf: Buffer, instrumentId: string, problem: RowProblem, tsEvent: number): void {
    if (buf.skipped++ > 0) return;
    this.bus.publish('error', {
      source: 'recorder',
      code: 'VENUE_MESSAGE_MALFORMED',
      message: `not recording a ${buf.kind} of ${instrumentId}: ${describeProblem(problem)} (later ones of this instrument and kind are skipped without a word; the recording keeps every good event)`,
      tsEvent,
    });
  }

  /** Events recorded so far. */
  get count(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += (b.kind === 'bar' ? b.cols.tsOpen : b.cols.ts).length;
    return n;
  }

  /** Stops recording and writes the files. Returns their paths. */
  close(): string[] {
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
    return this.flush();
  }

  /** Writes every buffer to `<dir>/<instrument>-<kind>.arrow` (rewritten whole each time). */
  flush(): string[] {
    mkdirSync(this.dir, { recursive: true });
    const written: string[] = [];
    for (const [key, buf] of this.buffers) {
      const [instrumentId] = key.split('|') as [string];
      const instrument = instrumentToSpec(this.instruments.get(instrumentId));
      const path = join(this.dir, `${instrumentId}-${buf.kind}.arrow`);
      const series = this.toSeries(buf, instrument);
      if (series.length === 0) continue;
      writeSeries(path, series);
      written.push(path);
    }
    return written;
  }

  private toSeries(buf: Buffer, instrument: ReturnType<typeof instrumentToSpec>): Series {
    const source = 'recorded live by autotrader';
    switch (buf.kind) {
      case 'bar': {
        const c = buf.cols;
        return {
          meta: { kind: 'bar', instrument, intervalMs: buf.intervalMs, source },
          length: c.tsOpen.length,
          columns: { tsOpen: c.tsOpen.view(), open: c.open.view(), high: c.high.view(), low: c.low.view(), close: c.close.view(), volume: c.volume.view() },
        };
      }
      case 'trade': {
        const c = buf.cols;
        const ids = buf.ids;
        return {
          meta: { kind: 'trade', instrument, source },
          length: c.ts.length,
          columns: { ts: c.ts.view(), price: c.price.view(), size: c.size.view(), aggressor: Int8Array.from(c.aggressor.view()), tradeId: (i: number) => ids[i]! },
        };
      }
      case 'quote': {
        const c = buf.cols;
        return {
          meta: { kind: 'quote', instrument, source },
          length: c.ts.length,
          columns: { ts: c.ts.view(), bid: c.bid.view(), ask: c.ask.view(), bidSize: c.bidSize.view(), askSize: c.askSize.view() },
        };
      }
    }
  }

  private buffer(instrumentId: string, kind: Buffer['kind'], intervalMs = 0): Buffer {
    const key = `${instrumentId}|${kind}`;
    let buf = this.buffers.get(key);
    if (buf === undefined) {
      const state: BufferState = { allowNonPositivePrices: this.instruments.has(instrumentId) && this.instruments.get(instrumentId).allowNonPositivePrices, lastTime: -Infinity, skipped: 0 };
      buf =
        kind === 'bar'
          ? { kind, intervalMs, ...state, cols: columns(['tsOpen', 'open', 'high', 'low', 'close', 'volume'] as const) }
          : kind === 'trade'
            ? { kind, ...state, cols: columns(['ts', 'price', 'size', 'aggressor'] as const), ids: [] }
            : { kind, ...state, cols: columns(['ts', 'bid', 'ask', 'bidSize', 'askSize'] as const) };
      this.buffers.set(key, buf);
    }
    return buf;
  }
}

/** The problem of a time that goes back from the last one recorded (bars: must strictly increase). */
function goesBack(column: string, ts: number, last: number, strict: boolean): RowProblem {
  return { column, value: ts, reason: `is ${strict && ts === last ? 'the same as' : 'before'} the last one recorded (${last}); ${strict ? 'bar open times must strictly increase' : 'times must not go back'}` };
}
