import type { Bar } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { barPath, matchBar, type MatchOut, type MatchState } from './matching';

const bar = (open: number, high: number, low: number, close: number): Bar => ({ instrumentId: 'X.SIM', tsOpen: 0, tsEvent: 60_000, tsInit: 60_000, open, high, low, close, volume: 1 });

const state = (s: Partial<MatchState> & Pick<MatchState, 'side' | 'type'>): MatchState => ({
  postOnly: false,
  limitNum: NaN,
  triggerNum: NaN,
  offsetNum: NaN,
  triggered: false,
  fresh: true,
  watermark: NaN,
  trailTrigger: NaN,
  ...s,
});

const out = (): MatchOut => ({ price: NaN, source: 'market', liquidity: 'maker', at: NaN });

describe('barPath', () => {
  it('goes open → low → high → close when the close is nearer the high', () => {
    const p = new Float64Array(4);
    barPath(bar(100, 110, 90, 108), p);
    expect([...p]).toEqual([100, 90, 110, 108]);
  });

  it('goes open → high → low → close when the close is nearer the low, and on a tie', () => {
    const p = new Float64Array(4);
    barPath(bar(100, 110, 90, 92), p);
    expect([...p]).toEqual([100, 110, 90, 92]);
    barPath(bar(100, 110, 90, 100), p);
    expect([...p]).toEqual([100, 110, 90, 100]);
  });
});

describe('matchBar', () => {
  it('fills a buy market-if-touched when the price falls to its trigger (a stop would need it to rise), at the trigger inside a bar', () => {
    // Close nearer the low: 100 → 104 → 97 → 98. A buy MIT at 99 is touched on the way down, at 99.
    const mit = state({ side: 'buy', type: 'market_if_touched', triggerNum: 99 });
    const o = out();
    expect(matchBar(mit, bar(100, 104, 97, 98), o)).toBe(true);
    expect(o.price).toBe(99);
    expect(o.liquidity).toBe('taker');
    // The same trigger as a buy stop fires only on a rise to 99 from below: not at 100 falling.
    const stop = state({ side: 'buy', type: 'stop', triggerNum: 105 });
    expect(matchBar(stop, bar(100, 104, 97, 98), out())).toBe(false);
    // A sell MIT above the market fills when the price rises to it; at the open when it opens beyond.
    const sell = state({ side: 'sell', type: 'market_if_touched', triggerNum: 103 });
    const o2 = out();
    expect(matchBar(sell, bar(105, 106, 101, 102), o2)).toBe(true);
    expect(o2.price).toBe(105);
  });

  it('fills a buy stop-limit whose limit is below its trigger only when the path comes back down after the trigger', () => {
    // Close nearer the high: 100 → 99 → 106 → 105.5. Triggers at 105 on the way up, never returns to 103.
    const up = state({ side: 'buy', type: 'stop_limit', triggerNum: 105, limitNum: 103 });
    expect(matchBar(up, bar(100, 106, 99, 105.5), out())).toBe(false);
    expect(up.triggered).toBe(true);
    // Close nearer the low: 100 → 106 → 99 → 99.5. Triggers at 105, then falls through 103: maker at 103.
    const down = state({ side: 'buy', type: 'stop_limit', triggerNum: 105, limitNum: 103 });
    const o = out();
    expect(matchBar(down, bar(100, 106, 99, 99.5), o)).toBe(true);
    expect(o).toEqual({ price: 103, source: 'limit', liquidity: 'maker', at: 1 + 3 / 7 });
  });

  it('fills a stop-limit whose limit is beyond its trigger at the trigger, as taker', () => {
    const s = state({ side: 'sell', type: 'stop_limit', triggerNum: 95, limitNum: 94 });
    const o = out();
    expect(matchBar(s, bar(100, 101, 90, 91), o)).toBe(true);
    expect(o).toEqual({ price: 95, source: 'trigger', liquidity: 'taker', at: 1 + 6 / 11 });
  });

  it('trails a sell stop from the best price along the path and fills at the trailed trigger', () => {
    const s = state({ side: 'sell', type: 'trailing_stop', offsetNum: 2 });
    // 100 → 99.5 → 105 → 104.8: the watermark rises to 105, trigger 103, not hit.
    expect(matchBar(s, bar(100, 105, 99.5, 104.8), out())).toBe(false);
    expect(s.watermark).toBe(105);
    expect(s.trailTrigger).toBeCloseTo(103, 9);
    // 104 → 104.5 → 101 → 101.5: falls through 103.
    const o = out();
    expect(matchBar(s, bar(104, 104.5, 101, 101.5), o)).toBe(true);
    expect(o).toMatchObject({ source: 'trail', liquidity: 'taker' });
    expect(o.price).toBeCloseTo(103, 9);
    expect(o.at).toBeCloseTo(1 + 1.5 / 3.5, 9);
  });

  it('fills a trailing stop at the open when the market gaps through its trigger', () => {
    const s = state({ side: 'buy', type: 'trailing_stop', offsetNum: 1, watermark: 50, trailTrigger: 51 });
    const o = out();
    expect(matchBar(s, bar(53, 54, 52, 53), o)).toBe(true);
    expect(o).toEqual({ price: 53, source: 'market', liquidity: 'taker', at: 0 });
  });

  it('gives a post-only limit the maker fill at its own price even when the open gaps through it', () => {
    const s = state({ side: 'buy', type: 'limit', limitNum: 100, postOnly: true });
    const o = out();
    expect(matchBar(s, bar(98, 99, 97, 98), o)).toBe(true);
    expect(o).toEqual({ price: 100, source: 'limit', liquidity: 'maker', at: 0 });
  });
});
