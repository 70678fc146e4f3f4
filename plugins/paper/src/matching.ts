import type { Bar, Liquidity, OrderSide, OrderType } from '@autotrader/core';

/**
 * The price decisions of the matching engine, in plain numbers (market data is `number`; exact
 * decimals start once a fill is certain). These functions decide *whether* and *at what price* an
 * order executes on one market event; quantity, fees and funds are the venue's job.
 *
 * Semantics (see README.md):
 * - A bar is walked along its intrabar path, {@link barPath}: the open is a jump from the last price,
 *   then the price moves in straight lines through the two extremes to the close.
 * - At a jump (a bar's open, a trade print, a quote's touch) a marketable order executes at the jump
 *   price as taker: that is how a gap through a limit gives a better price and a gap through a stop
 *   fills at the open, not at the stop.
 * - Along a line, the price passes every level between its ends, so a resting limit fills at its limit
 *   (maker) and a stop at its trigger (taker).
 */

/** Where a fill price comes from, so the venue can use the order's exact decimal where there is one. */
export type PriceSource =
  /** the market price given in `price` (a bar's open, a trade, a touch): round it to the tick */
  | 'market'
  /** exactly the order's limit price */
  | 'limit'
  /** exactly the order's trigger price */
  | 'trigger'
  /** the trailing stop's computed trigger, in `price`: round it to the tick against the order */
  | 'trail';

/** Written by the match functions when they return true. One object is reused: no allocation per match. */
export interface MatchOut {
  price: number;
  source: PriceSource;
  liquidity: Liquidity;
  /**
   * When on the event it happened: 0 at a jump (a bar's open, a tick); inside a bar, the segment
   * index plus the fraction of the segment travelled (0 < at ≤ 3). Fills of one bar are booked in
   * this order, so the level the path reaches first fills first.
   */
  at: number;
}

/** The part of an order the matcher reads and the state it keeps between events. */
export interface MatchState {
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly postOnly: boolean;
  /** Limit price as a number (NaN when none). */
  limitNum: number;
  /** Trigger price as a number (NaN when none). */
  triggerNum: number;
  /** Trailing offset as a number (NaN when none). */
  offsetNum: number;
  /** A stop, stop-limit or trailing stop whose trigger was hit: it now behaves as a market or limit order. */
  triggered: boolean;
  /** True until the order has been looked at once: a limit marketable on arrival takes liquidity. */
  fresh: boolean;
  /** Trailing stops: the best price seen (highest for a sell, lowest for a buy). */
  watermark: number;
  /** Trailing stops: the current trigger (NaN until a price is seen or a trigger price was given). */
  trailTrigger: number;
}

function set(out: MatchOut, price: number, source: PriceSource, liquidity: Liquidity): true {
  out.price = price;
  out.source = source;
  out.liquidity = liquidity;
  out.at = 0;
  return true;
}

/**
 * A trailed trigger is a difference of binary numbers (101.1 − 0.7 = 100.39999999999999): it is nudged
 * this much (relative) towards the market so a price exactly at the level still hits it. The fill price
 * itself is recomputed exactly by the venue.
 */
const TRAIL_EPSILON = 1e-12;

/** Moves a trailing stop's watermark and trigger with a price seen; the trigger only ever tightens. */
export function trail(o: MatchState, p: number): void {
  if (o.side === 'sell') {
    if (!(p <= o.watermark)) o.watermark = p;
    const candidate = (o.watermark - o.offsetNum) * (1 + TRAIL_EPSILON);
    if (!(candidate <= o.trailTrigger)) o.trailTrigger = candidate;
  } else {
    if (!(p >= o.watermark)) o.watermark = p;
    const candidate = (o.watermark + o.offsetNum) * (1 - TRAIL_EPSILON);
    if (!(candidate >= o.trailTrigger)) o.trailTrigger = candidate;
  }
}

/** True when the price `p` is at or through the level for this side (a buy wants p ≤ level). */
const reachesLimit = (buy: boolean, p: number, level: number): boolean => (buy ? p <= level : p >= level);
/** True when the price `p` hits a stop level for this side (a buy stop fires at p ≥ level). */
const hitsStop = (buy: boolean, p: number, level: number): boolean => (buy ? p >= level : p <= level);

/**
 * The market jumps to `p` (a bar's open, a trade print, the touch of a quote). `barOpen` says it is a
 * bar's open, where any limit through the open fills at the open (gap rule); on ticks only a limit
 * seen for the first time (`fresh`) takes liquidity, a resting one fills at its limit as maker.
 */
export function matchAtPoint(o: MatchState, p: number, barOpen: boolean, out: MatchOut): boolean {
  const buy = o.side === 'buy';
  switch (o.type) {
    case 'market':
      return set(out, p, 'market', 'taker');
    case 'limit':
      return matchLimitAt(o, buy, p, barOpen || o.fresh, out);
    case 'stop':
      if (o.triggered || hitsStop(buy, p, o.triggerNum)) {
        o.triggered = true;
        return set(out, p, 'market', 'taker');
      }
      return false;
    case 'stop_limit':
      if (o.triggered) return matchLimitAt(o, buy, p, barOpen, out);
      if (hitsStop(buy, p, o.triggerNum)) {
        o.triggered = true;
        // The limit order is born here: marketable at once means it takes liquidity at this price.
        return matchLimitAt(o, buy, p, true, out);
      }
      return false;
    case 'trailing_stop':
      if (o.triggered || hitsStop(buy, p, o.trailTrigger)) {
        o.triggered = true;
        return set(out, p, 'market', 'taker');
      }
      trail(o, p);
      return false;
    case 'market_if_touched':
      // Touched in its favour (a buy at or below its trigger): a market order at this price.
      if (o.triggered || reachesLimit(buy, p, o.triggerNum)) {
        o.triggered = true;
        return set(out, p, 'market', 'taker');
      }
      return false;
  }
}

function matchLimitAt(o: MatchState, buy: boolean, p: number, mayTake: boolean, out: MatchOut): boolean {
  if (!reachesLimit(buy, p, o.limitNum)) return false;
  // A post-only order never takes: it was resting at its limit when the market came through it.
  if (mayTake && !o.postOnly) return set(out, p, 'market', 'taker');
  return set(out, o.limitNum, 'limit', 'maker');
}

/**
 * The market moves in a straight line from `a` to `b` (inside a bar). The order was not executable
 * at `a` (it would have filled there), so it fills where the line crosses its level.
 */
export function matchSegment(o: MatchState, a: number, b: number, out: MatchOut): boolean {
  const buy = o.side === 'buy';
  switch (o.type) {
    case 'market':
      return false;
    case 'limit':
      return reachesLimit(buy, b, o.limitNum) ? set(out, o.limitNum, 'limit', 'maker') : false;
    case 'stop':
      if (o.triggered) return false;
      if (hitsStop(buy, b, o.triggerNum)) {
        o.triggered = true;
        return set(out, o.triggerNum, 'trigger', 'taker');
      }
      return false;
    case 'stop_limit':
      if (o.triggered) return reachesLimit(buy, b, o.limitNum) ? set(out, o.limitNum, 'limit', 'maker') : false;
      if (!hitsStop(buy, b, o.triggerNum)) return false;
      o.triggered = true;
      // At the trigger the price is the trigger: a limit at or beyond it takes liquidity there.
      if (reachesLimit(buy, o.triggerNum, o.limitNum)) return set(out, o.triggerNum, 'trigger', 'taker');
      // Otherwise the limit rests; the rest of this line moves away from it (it goes on through the trigger).
      return false;
    case 'trailing_stop': {
      if (o.triggered) return false;
      const favourable = buy ? b < a : b > a;
      if (favourable) {
        trail(o, b);
        return false;
      }
      if (hitsStop(buy, b, o.trailTrigger)) {
        o.triggered = true;
        return set(out, o.trailTrigger, 'trail', 'taker');
      }
      return false;
    }
    case 'market_if_touched':
      if (o.triggered) return false;
      if (reachesLimit(buy, b, o.triggerNum)) {
        o.triggered = true;
        return set(out, o.triggerNum, 'trigger', 'taker');
      }
      return false;
  }
}

/**
 * Writes the intrabar path of a bar into `out` (4 prices). open → low → high → close when the close
 * is nearer the high, open → high → low → close when it is nearer the low; a tie goes O→H→L→C. The
 * bar ends near the extreme it visited last, which is the physically consistent reading (backtrader,
 * nautilus).
 */
export function barPath(bar: Bar, out: Float64Array): void {
  out[0] = bar.open;
  out[3] = bar.close;
  if (bar.high - bar.close < bar.close - bar.low) {
    out[1] = bar.low;
    out[2] = bar.high;
  } else {
    out[1] = bar.high;
    out[2] = bar.low;
  }
}

const PATH = new Float64Array(4);

/** Decides whether and where an order executes on a bar, walking its intrabar path. */
export function matchBar(o: MatchState, bar: Bar, out: MatchOut): boolean {
  barPath(bar, PATH);
  if (matchAtPoint(o, PATH[0]!, true, out)) return true;
  for (let i = 1; i < 4; i++) {
    const a = PATH[i - 1]!;
    const b = PATH[i]!;
    if (matchSegment(o, a, b, out)) {
      out.at = i - 1 + (b === a ? 1 : Math.min(1, Math.abs(out.price - a) / Math.abs(b - a)));
      return true;
    }
  }
  return false;
}
