import { roundPrice, type Decimal, type Instrument, type Price } from '@autotrader/core';
import { pipsToPrice, priceToPips } from './pips';
import type { MidRange } from './range';

/** Where the breakout orders of one day go, on the instrument's tick grid. */
export interface BreakoutLevels {
  /** The buy stop: the range high plus the offset, rounded up. */
  readonly buyTrigger: Price;
  /** The sell stop: the range low minus the offset, rounded down. */
  readonly sellTrigger: Price;
  /** A long position's stop-loss: the other side of the range, its low (rounded down). */
  readonly longStop: Price;
  /** A short position's stop-loss: the range high (rounded up). */
  readonly shortStop: Price;
  /** high − low, the distance the take-profit is a multiple of. */
  readonly width: Decimal;
  readonly widthPips: number;
}

/** Why a day is not traded, or the levels to trade it at. */
export type LevelsDecision = { readonly trade: true; readonly levels: BreakoutLevels } | { readonly trade: false; readonly reason: string };

/**
 * The day's orders from its range: stops `offsetPips` beyond each side, stop-losses at the other
 * side, or no trade when the range is narrower than `minRangePips` (no real consolidation) or wider
 * than `maxRangePips` (the move already happened).
 */
export function breakoutLevels(instrument: Instrument, range: MidRange, p: { offsetPips: number; minRangePips: number; maxRangePips: number }): LevelsDecision {
  const width = range.high.minus(range.low);
  const widthPips = priceToPips(instrument, width);
  if (widthPips < p.minRangePips) return { trade: false, reason: `range ${widthPips.toFixed(1)} pips is narrower than minRangePips ${p.minRangePips}` };
  if (widthPips > p.maxRangePips) return { trade: false, reason: `range ${widthPips.toFixed(1)} pips is wider than maxRangePips ${p.maxRangePips}` };
  const offset = pipsToPrice(instrument, p.offsetPips);
  return {
    trade: true,
    levels: {
      buyTrigger: roundPrice(instrument, range.high.plus(offset), 'up'),
      sellTrigger: roundPrice(instrument, range.low.minus(offset), 'down'),
      longStop: roundPrice(instrument, range.low, 'down'),
      shortStop: roundPrice(instrument, range.high, 'up'),
      width,
      widthPips,
    },
  };
}

/**
 * The take-profit of a position entered at `entry`: k × the range width away, rounded away from the
 * entry (a sell limit up, a buy limit down) so that rounding never brings the target closer.
 */
export function takeProfitPrice(instrument: Instrument, side: 'long' | 'short', entry: Decimal, width: Decimal, k: number): Price {
  const distance = width.mul(k);
  return side === 'long' ? roundPrice(instrument, entry.plus(distance), 'up') : roundPrice(instrument, entry.minus(distance), 'down');
}
