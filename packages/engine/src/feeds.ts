import { AutotraderError } from '@autotrader/core';
import type { Series } from '@autotrader/data';

/**
 * Column-oriented market data for replay, as typed arrays. The backtest builds one event object per
 * row just before publishing it; nothing else is allocated per row.
 */
export interface BarFeed {
  readonly kind: 'bar';
  readonly instrumentId: string;
  readonly length: number;
  readonly intervalMs: number;
  readonly tsOpen: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Trade prints as columns. */
export interface TradeFeed {
  readonly kind: 'trade';
  readonly instrumentId: string;
  readonly length: number;
  readonly ts: Float64Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  /** 1 buy, -1 sell, 0 unknown. */
  readonly aggressor: Int8Array;
  tradeId(row: number): string;
}

/** Top-of-book quotes as columns. */
export interface QuoteFeed {
  readonly kind: 'quote';
  readonly instrumentId: string;
  readonly length: number;
  readonly ts: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly bidSize: Float64Array;
  readonly askSize: Float64Array;
}

/** Any replayable feed. */
export type MarketFeed = BarFeed | TradeFeed | QuoteFeed;

/** The event time of each row: a bar is known at its close (`tsOpen + intervalMs`), a tick at its time. */
export function feedEventTimes(feed: MarketFeed): Float64Array {
  if (feed.kind !== 'bar') return feed.ts;
  const out = new Float64Array(feed.length);
  for (let i = 0; i < feed.length; i++) out[i] = feed.tsOpen[i]! + feed.intervalMs;
  return out;
}

/** Turns a data-package series into an engine feed (no copies: the typed arrays are shared). */
export function seriesToFeed(series: Series, instrumentId: string): MarketFeed {
  switch (series.meta.kind) {
    case 'bar': {
      const c = (series as Extract<Series, { meta: { kind: 'bar' } }>).columns;
      const intervalMs = series.meta.intervalMs;
      if (intervalMs === undefined || !(intervalMs > 0)) {
        throw new AutotraderError('DATA_CORRUPT', `bar data for ${instrumentId} has no bar interval; re-import it with --interval`);
      }
      return { kind: 'bar', instrumentId, length: series.length, intervalMs, ...c };
    }
    case 'trade': {
      const c = (series as Extract<Series, { meta: { kind: 'trade' } }>).columns;
      return { kind: 'trade', instrumentId, length: series.length, ts: c.ts, price: c.price, size: c.size, aggressor: c.aggressor, tradeId: (i) => c.tradeId(i) };
    }
    case 'quote': {
      const c = (series as Extract<Series, { meta: { kind: 'quote' } }>).columns;
      return { kind: 'quote', instrumentId, length: series.length, ...c };
    }
  }
}
