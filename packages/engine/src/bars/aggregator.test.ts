import { mulberry32, type Bar } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { TimeBarAggregator } from './aggregator';

interface Tick {
  readonly ts: number;
  readonly price: number;
  readonly size: number;
}

type Ohlcv = Pick<Bar, 'tsOpen' | 'tsEvent' | 'open' | 'high' | 'low' | 'close' | 'volume'>;

/**
 * The bars of `ticks` written out plainly, apart from the aggregator: group by interval, then walk
 * every interval from the first tick's to the last one that ends at or before `closedThrough`, an
 * empty one repeating the previous close with no volume.
 */
function expectedBars(ticks: readonly Tick[], intervalMs: number, closedThrough: number): Ohlcv[] {
  const groups = new Map<number, Tick[]>();
  for (const t of ticks) {
    const start = Math.floor(t.ts / intervalMs) * intervalMs;
    const g = groups.get(start) ?? [];
    g.push(t);
    groups.set(start, g);
  }
  const out: Ohlcv[] = [];
  if (ticks.length === 0) return out;
  let previousClose = NaN;
  for (let start = Math.floor(ticks[0]!.ts / intervalMs) * intervalMs; start + intervalMs <= closedThrough; start += intervalMs) {
    const g = groups.get(start);
    const bar =
      g === undefined
        ? { open: previousClose, high: previousClose, low: previousClose, close: previousClose, volume: 0 }
        : {
            open: g[0]!.price,
            high: Math.max(...g.map((t) => t.price)),
            low: Math.min(...g.map((t) => t.price)),
            close: g[g.length - 1]!.price,
            volume: g.reduce((v, t) => v + t.size, 0),
          };
    out.push({ tsOpen: start, tsEvent: start + intervalMs, ...bar });
    previousClose = bar.close;
  }
  return out;
}

const ohlcv = (b: Bar): Ohlcv => ({ tsOpen: b.tsOpen, tsEvent: b.tsEvent, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });

/** Ticks in time order: bursts, equal times, and gaps of several intervals (weekends, quiet hours). */
function randomTicks(seed: number, n: number, intervalMs: number): Tick[] {
  const rnd = mulberry32(seed);
  const out: Tick[] = [];
  let ts = 1_700_000_000_000 + Math.floor(rnd() * intervalMs);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    ts += r < 0.1 ? 0 : r < 0.9 ? Math.floor(rnd() * intervalMs * 0.4) : Math.floor(rnd() * intervalMs * 5);
    price = Math.max(0.01, Math.round((price + (rnd() - 0.5) * 2) * 100) / 100);
    out.push({ ts, price, size: Math.round(rnd() * 1000) / 100 });
  }
  return out;
}

describe('TimeBarAggregator', () => {
  it('builds the bars a plain grouping by UTC interval gives, flat bars in empty intervals, however the clock interleaves', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const intervalMs = [1_000, 60_000, 300_000, 3_600_000][seed % 4]!;
      const ticks = randomTicks(seed, 400, intervalMs);
      const rnd = mulberry32(seed * 7919);
      const bars: Bar[] = [];
      const agg = new TimeBarAggregator('X.SIM', intervalMs, (b) => bars.push(b));
      let closedThrough = -Infinity;
      for (let i = 0; i < ticks.length; i++) {
        const t = ticks[i]!;
        expect(agg.update(t.ts, t.price, t.size, t.ts)).toBe(true);
        closedThrough = Math.max(closedThrough, Math.floor(t.ts / intervalMs) * intervalMs);
        // The clock may close bars between events, never beyond the next event's time (time never runs back).
        const next = ticks[i + 1]?.ts ?? t.ts + 10 * intervalMs;
        if (rnd() < 0.3) {
          const until = t.ts + Math.floor(rnd() * (next - t.ts + 1));
          agg.closeUntil(until, until);
          closedThrough = Math.max(closedThrough, until);
        }
      }
      // Compared by first difference: a failure shows one bar, not two arrays of hundreds.
      const got = bars.map(ohlcv);
      const want = expectedBars(ticks, intervalMs, closedThrough);
      const at = want.findIndex((w, i) => JSON.stringify(w) !== JSON.stringify(got[i]));
      expect({ seed, bars: got.length, at, got: got[at], want: want[at] }).toEqual({ seed, bars: want.length, at: -1, got: undefined, want: undefined });
    }
  });

  it('leaves the last interval open until a later event or the clock closes it', () => {
    const bars: Bar[] = [];
    const agg = new TimeBarAggregator('X.SIM', 60_000, (b) => bars.push(b));
    agg.update(60_000, 10, 1, 60_000);
    agg.update(119_999, 12, 2, 119_999);
    expect(bars).toEqual([]);
    expect(agg.currentEnd).toBe(120_000);
    agg.closeUntil(120_000, 121_000);
    expect(bars).toEqual([{ instrumentId: 'X.SIM', tsOpen: 60_000, tsEvent: 120_000, tsInit: 121_000, open: 10, high: 12, low: 10, close: 12, volume: 3 }]);
    // Two quiet intervals later: two flat bars at the last close.
    agg.closeUntil(240_000, 240_500);
    expect(bars.slice(1).map(ohlcv)).toEqual([
      { tsOpen: 120_000, tsEvent: 180_000, open: 12, high: 12, low: 12, close: 12, volume: 0 },
      { tsOpen: 180_000, tsEvent: 240_000, open: 12, high: 12, low: 12, close: 12, volume: 0 },
    ]);
  });

  it('refuses an event older than the bar being built, changing nothing', () => {
    const bars: Bar[] = [];
    const agg = new TimeBarAggregator('X.SIM', 1_000, (b) => bars.push(b));
    agg.update(5_500, 1, 1, 5_500);
    agg.update(6_100, 2, 1, 6_100);
    expect(agg.update(5_900, 99, 50, 6_200)).toBe(false);
    agg.update(7_000, 3, 1, 7_000);
    expect(bars.map((b) => [b.tsOpen, b.open, b.high, b.low, b.close, b.volume])).toEqual([
      [5_000, 1, 1, 1, 1, 1],
      [6_000, 2, 2, 2, 2, 1],
    ]);
  });

  it('stamps a bar with the time it was closed and its end as tsEvent', () => {
    const bars: Bar[] = [];
    const agg = new TimeBarAggregator('X.SIM', 60_000, (b) => bars.push(b));
    agg.update(0, 1, 0, 0);
    agg.update(60_250, 2, 0, 60_300);
    expect(bars[0]).toMatchObject({ tsOpen: 0, tsEvent: 60_000, tsInit: 60_300 });
  });
});
