import { AutotraderError, Decimal, roundToStep, type Instrument, type Liquidity, type Money, type OrderSide, type OrderType, type Price, type Quantity } from '@autotrader/core';
import type { PaperVenueConfig, SlippageConfig } from './config';

/** Which asset fees are charged in: always the quote currency, or the asset a fill gives the account (Binance). */
export type FeeCurrencyMode = PaperVenueConfig['fees']['currency'];

/** Fee rates as exact decimals, parsed once from the config. */
export interface FeeSchedule {
  readonly maker: Decimal;
  readonly taker: Decimal;
  readonly perContract: Decimal;
  /** The rate a resting buy holds back cash for: the larger of the two, never a rebate (0 when a buy's fee is not paid in the quote currency). */
  readonly lockRate: Decimal;
  readonly currency: FeeCurrencyMode;
  /** Decimal places a fee is rounded to (half-even) in `received` mode. */
  readonly precision: number;
}

/**
 * Parses the config's fee section. A per-contract fee is an amount of the quote currency, which a buy
 * paying its fee in the base asset cannot be charged: that combination is refused (CONFIG_INVALID).
 */
export function feeSchedule(fees: PaperVenueConfig['fees']): FeeSchedule {
  const maker = new Decimal(fees.maker);
  const taker = new Decimal(fees.taker);
  const perContract = new Decimal(fees.perContract);
  if (fees.currency === 'received' && !perContract.isZero()) {
    throw new AutotraderError(
      'CONFIG_INVALID',
      `paper venue config is invalid: fees.perContract (${fees.perContract}) is an amount of the quote currency, but fees.currency 'received' charges a spot buy in the base asset; use a rate, or fees.currency 'quote'`,
    );
  }
  return { maker, taker, perContract, lockRate: Decimal.max(taker, maker, 0), currency: fees.currency, precision: fees.precision };
}

/**
 * True when the instrument's base asset is a holding of the account (spot): the venue keeps it as a
 * balance and the position is that balance. Other asset classes are netting positions in contracts.
 */
export const holdsBase = (instrument: Instrument): boolean => instrument.assetClass === 'spot';

/**
 * True when a fill of this side pays its fee in the base asset: in `received` mode, a buy of a spot
 * instrument (the base asset is what it receives). Everything else pays in the quote currency.
 */
export function feeInBase(schedule: FeeSchedule, instrument: Instrument, side: OrderSide): boolean {
  return side === 'buy' && schedule.currency === 'received' && holdsBase(instrument);
}

/** Price × quantity × multiplier, in the quote currency. */
export function notional(instrument: Instrument, px: Decimal, qty: Decimal): Money {
  return px.mul(qty).mul(instrument.multiplier) as Money;
}

/**
 * The fee of one fill, in {@link feeAsset}'s currency. In the quote currency: notional × the maker or
 * taker rate, plus the per-contract amount (exact, not rounded, in `quote` mode). In the base asset
 * (`received` mode, a spot buy): quantity × rate. In `received` mode the fee is rounded half-even to
 * `precision` places, as a venue rounds a commission to its commission precision.
 */
export function feeFor(schedule: FeeSchedule, instrument: Instrument, side: OrderSide, px: Decimal, qty: Decimal, liquidity: Liquidity): Money {
  const rate = liquidity === 'maker' ? schedule.maker : schedule.taker;
  if (schedule.currency === 'quote') return notional(instrument, px, qty).mul(rate).add(schedule.perContract.mul(qty)) as Money;
  const base = feeInBase(schedule, instrument, side) ? qty.mul(rate) : notional(instrument, px, qty).mul(rate);
  return base.toDecimalPlaces(schedule.precision, Decimal.ROUND_HALF_EVEN) as Money;
}

/** The currency a fill's fee is charged in (see {@link feeInBase}). */
export function feeAsset(schedule: FeeSchedule, instrument: Instrument, side: OrderSide): string {
  return feeInBase(schedule, instrument, side) ? instrument.base : instrument.quote;
}

/**
 * What an open buy order holds back from free quote cash: its notional at `px`, plus the taker fee on
 * it (the worst fee it can pay; a rebate is not counted on) when the buy pays its fee in the quote
 * currency. A buy paying in the base asset locks the notional only, as Binance does.
 */
export function buyLock(schedule: FeeSchedule, instrument: Instrument, px: Decimal, qty: Decimal): Money {
  const n = notional(instrument, px, qty);
  if (feeInBase(schedule, instrument, 'buy')) return n;
  return n.add(n.mul(schedule.lockRate)).add(schedule.perContract.mul(qty)) as Money;
}

/** Rounds a price to the tick against the order: up for a buy, down for a sell. Never below one tick. */
export function roundAdverse(instrument: Instrument, px: Decimal, side: OrderSide): Price {
  const r = roundToStep(px, instrument.tickSize, side === 'buy' ? 'up' : 'down');
  return (r.lte(0) ? instrument.tickSize : r) as Price;
}

/** True when slippage by ticks applies to this order type (market-like orders only). */
const takesTickSlippage = (type: OrderType): boolean => type === 'market' || type === 'stop' || type === 'trailing_stop' || type === 'market_if_touched';

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
