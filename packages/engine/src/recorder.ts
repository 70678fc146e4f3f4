import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentToSpec, type EventBus, type InstrumentCatalog } from '@autotrader/core';
import { writeSeries, type Series } from '@autotrader/data';
import { GrowableFloat64 } from './growable';

interface BarBuffer {
  kind: 'bar';
  intervalMs: number;
  cols: Record<'tsOpen' | 'open' | 'high' | 'low' | 'close' | 'volume', GrowableFloat64>;
}
interface TradeBuffer {
  kind: 'trade';
  cols: Record<'ts' | 'price' | 'size' | 'aggressor', GrowableFloat64>;
  ids: string[];
}
interface QuoteBuffer {
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
        buf.cols.ts.push(t.tsEvent);
        buf.cols.price.push(t.price);
        buf.cols.size.push(t.size);
        buf.cols.aggressor.push(t.aggressor === 'buy' ? 1 : t.aggressor === 'sell' ? -1 : 0);
        buf.ids.push(t.tradeId);
      }, opts),
      bus.on('quote', (q) => {
        const c = (this.buffer(q.instrumentId, 'quote') as QuoteBuffer).cols;
        c.ts.push(q.tsEvent);
        c.bid.push(q.bid);
        c.ask.push(q.ask);
        c.bidSize.push(q.bidSize);
        c.askSize.push(q.askSize);
      }, opts),
    );
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
      buf =
        kind === 'bar'
          ? { kind, intervalMs, cols: columns(['tsOpen', 'open', 'high', 'low', 'close', 'volume'] as const) }
          : kind === 'trade'
            ? { kind, cols: columns(['ts', 'price', 'size', 'aggressor'] as const), ids: [] }
            : { kind, cols: columns(['ts', 'bid', 'ask', 'bidSize', 'askSize'] as const) };
      this.buffers.set(key, buf);
    }
    return buf;
  }
}
