/**
 * Candles: the history GET /products/{id}/candles serves (rows a test loads, and 5-minute buckets
 * built from printed trades), and the live 5-minute candle the `candles` channel streams.
 * @module
 */
import type { Decimal } from '@autotrader/core';

/** One candle as Coinbase prints it: `start` in unix seconds, prices and volume as decimal strings. */
export interface Candle {
  readonly start: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

/** Coinbase's granularity names and their length in seconds. */
export const GRANULARITIES: Readonly<Record<string, number>> = {
  ONE_MINUTE: 60,
  FIVE_MINUTE: 300,
  FIFTEEN_MINUTE: 900,
  THIRTY_MINUTE: 1800,
  ONE_HOUR: 3600,
  TWO_HOUR: 7200,
  SIX_HOUR: 21600,
  ONE_DAY: 86400,
};

/** Candle history per product and granularity. */
export class CandleStore {
  private readonly rows = new Map<string, Map<number, Candle>>();

  granularitySeconds(name: string): number | undefined {
    return GRANULARITIES[name];
  }

  /** Adds or replaces candles (by start). */
  put(productId: string, granularity: string, candles: readonly Candle[]): void {
    const key = `${productId} ${granularity}`;
    let m = this.rows.get(key);
    if (m === undefined) {
      m = new Map();
      this.rows.set(key, m);
    }
    for (const c of candles) m.set(c.start, c);
  }

  /** Candles starting in [start, end] (unix seconds), newest first as Coinbase returns them. */
  range(productId: string, granularity: string, start: number, end: number): Candle[] {
    const m = this.rows.get(`${productId} ${granularity}`);
    if (m === undefined) return [];
    return [...m.values()].filter((c) => c.start >= start && c.start <= end).sort((a, b) => b.start - a.start);
  }

  /** Folds a trade into the FIVE_MINUTE candle of its time and returns that candle. */
  addTrade(productId: string, timeMs: number, price: Decimal, size: Decimal): Candle {
    const start = Math.floor(timeMs / 300_000) * 300;
    const prev = this.rows.get(`${productId} FIVE_MINUTE`)?.get(start);
    const p = price.toString();
    const c: Candle = prev
      ? {
          start,
          open: prev.open,
          high: price.gt(prev.high) ? p : prev.high,
          low: price.lt(prev.low) ? p : prev.low,
          close: p,
          volume: size.plus(prev.volume).toString(),
        }
      : { start, open: p, high: p, low: p, close: p, volume: size.toString() };
    this.put(productId, 'FIVE_MINUTE', [c]);
    return c;
  }
}
