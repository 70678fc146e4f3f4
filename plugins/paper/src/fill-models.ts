import { Decimal, roundToStep, type Instrument, type Liquidity, type Money, type OrderSide, type OrderType, type Price, type Quantity } from '@autotrader/core';
import type { PaperVenueConfig, SlippageConfig } from './config';

/** Fee rates as exact decimals, parsed once from the config. */
export interface FeeSchedule {
  readonly maker: Decimal;
  readonly taker: Decimal;
  readonly perContract: Decimal;
  /** The rate a resting buy holds back cash for: the larger of the two, never a rebate. */
  readonly lockRate: Decimal;
}

/** Parses the config's fee section. */
export function feeSchedule(fees: PaperVenueConfig['fees']): FeeSchedule {
  const maker = new Decimal(fees.maker);
  const taker = new Decimal(fees.taker);
  return { maker, taker, perContract: new Decimal(fees.perContract), lockRate: Decimal.max(taker, maker, 0) };
}

/** Price × quantity × multiplier, in the quote currency. */
export function notional(instrument: Instrument, px: Decimal, qty: Decimal): Money {
  return px.mul(qty).mul(instrument.multiplier) as Money;
}

/** The fee of one fill: notional × the maker or taker rate, plus the per-contract amount. */
export function feeFor(schedule: FeeSchedule, instrument: Instrument, px: Decimal, qty: Decimal, liquidity: Liquidity): Money {
  const rate = liquidity === 'maker' ? schedule.maker : schedule.taker;
  return notional(instrument, px, qty).mul(rate).add(schedule.perContract.mul(qty)) as Money;
}

/**
 * What an open buy order holds back from free cash: its notional at `px` plus the taker fee on it (the
 * worst fee it can pay; a rebate is not counted on).
 */
export function buyLock(schedule: FeeSchedule, instrument: Instrument, px: Decimal, qty: Decimal): Money {
  const n = notional(instrument, px, qty);
  return n.add(n.mul(schedule.lockRate)).add(schedule.perContract.mul(qty)) as Money;
}

/** Rounds a price to the tick against the order: up for a buy, down for a sell. Never below one tick. */
export function roundAdverse(instrument: Instrument, px: Decimal, side: OrderSide): Price {
  const r = roundToStep(px, instrument.tickSize, side === 'buy' ? 'up' : 'down');
  return (r.lte(0) ? instrument.tickSize : r) as Price;
}

/** True when slippage by ticks applies to this order type (market-like orders only). */
const takesTickSlippage = (type: OrderType): boolean => type === 'market' || type === 'stop' || type === 'trailing_stop';

/**
 * Applies the slippage model to a taker fill's base price. `share` is the fill's share of the event's
 * volume (for volume-share impact). Limit and stop-limit fills never go beyond their limit. Maker
 * fills are not moved: they execute at the order's own price.
 */
export function slipped(
  slippage: SlippageConfig,
  instrument: Instrument,
  side: OrderSide,
  type: OrderType,
  base: Price,
  share: number,
  limit: Price | undefined,
): Price {
  let px: Decimal = base;
  if (slippage.kind === 'ticks' && takesTickSlippage(type) && slippage.ticks > 0) {
    const move = instrument.tickSize.mul(slippage.ticks);
    px = side === 'buy' ? px.add(move) : px.sub(move);
  } else if (slippage.kind === 'volumeShare' && slippage.impact > 0 && share > 0) {
    const s = Math.min(share, slippage.limit);
    const impact = px.mul(slippage.impact).mul(s * s);
    px = side === 'buy' ? px.add(impact) : px.sub(impact);
  }
  let out = roundAdverse(instrument, px, side);
  if (limit !== undefined && (side === 'buy' ? out.gt(limit) : out.lt(limit))) out = limit;
  return out;
}

/** The most one event lets fill under volume share: limit × volume, down to the lot. */
export function volumeShareCap(instrument: Instrument, volume: number, limit: number): Quantity {
  if (!(volume > 0)) return new Decimal(0) as Quantity;
  return roundToStep(new Decimal(volume).mul(limit), instrument.lotSize, 'down') as Quantity;
}

/** An event's size (trade size, touch size) as a quantity cap, down to the lot. */
export function sizeCap(instrument: Instrument, size: number): Quantity {
  return roundToStep(new Decimal(size), instrument.lotSize, 'down') as Quantity;
}
