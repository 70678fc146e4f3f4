import { z } from 'zod';
import { Decimal, roundToStep, type Price, type Quantity, type Money, type RoundingMode, price, quantity, money } from './decimal';

/** What kind of thing an instrument is. */
export type AssetClass = 'spot' | 'perpetual' | 'future' | 'option' | 'fx' | 'equity';

/**
 * A tradable instrument with the venue rules an order must satisfy before it leaves the process.
 * `id` is `SYMBOL.VENUE` (for example `BTCUSDT.BINANCE`).
 */
export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly venue: string;
  readonly assetClass: AssetClass;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: Price;
  readonly lotSize: Quantity;
  readonly minQuantity: Quantity;
  readonly maxQuantity?: Quantity;
  readonly minNotional: Money;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
  readonly multiplier: Decimal;
  /** Futures and options: when trading ends (epoch ms). A position still open then is settled by the venue. */
  readonly expiry?: number;
  /** Options: the strike price. */
  readonly strike?: Price;
  /** Options: call or put. */
  readonly right?: 'call' | 'put';
  /** Futures and options: the instrument id whose price settles this one (an option's intrinsic value). */
  readonly underlying?: string;
  /**
   * Initial margin as a fraction of notional (0.02 = 50:1), where the venue publishes one (OANDA's
   * `marginRate`). A margin account may override it per instrument or with a leverage.
   */
  readonly marginRate?: Decimal;
  /** Maintenance margin as a fraction of notional, where it differs from the initial margin. */
  readonly maintenanceMarginRate?: Decimal;
  /** FX: the power of ten of one pip (−4 for EUR/USD: 0.0001). Units follow `lotSize`. */
  readonly pipLocation?: number;
  /**
   * True when the instrument's prices may be zero or negative (spreads; futures such as WTI in April
   * 2020). Market data for any other instrument must have positive prices, or it is refused.
   */
  readonly allowNonPositivePrices: boolean;
}

/** A decimal in a config or metadata file: a string (exact) or a number, refused when it is not a finite decimal. */
export const decimalText = z.union([z.string(), z.number()]).refine((v) => {
  try {
    return new Decimal(v).isFinite();
  } catch {
    return false;
  }
}, 'must be a decimal number');

/** The plain-JSON form of an instrument, as stored in Arrow metadata and config files. */
export const instrumentSpecSchema = z.object({
  symbol: z.string().min(1),
  venue: z.string().min(1).default('SIM'),
  assetClass: z.enum(['spot', 'perpetual', 'future', 'option', 'fx', 'equity']).default('spot'),
  base: z.string().min(1).optional(),
  quote: z.string().min(1).default('USD'),
  tickSize: decimalText.default('0.00000001'),
  lotSize: decimalText.default('0.00000001'),
  minQuantity: decimalText.optional(),
  maxQuantity: decimalText.optional(),
  minNotional: decimalText.default('0'),
  multiplier: decimalText.default('1'),
  expiry: z.number().int().optional(),
  strike: decimalText.optional(),
  right: z.enum(['call', 'put']).optional(),
  underlying: z.string().min(1).optional(),
  marginRate: decimalText.optional(),
  maintenanceMarginRate: decimalText.optional(),
  pipLocation: z.number().int().optional(),
  /** Prices may be zero or negative (absent: false). Only written to a file when true. */
  allowNonPositivePrices: z.boolean().optional(),
});
/** Input accepted by {@link makeInstrument}. */
export type InstrumentSpec = z.input<typeof instrumentSpecSchema>;

const decimalsOf = (step: Decimal): number => Math.max(0, step.decimalPlaces());

/** Builds an {@link Instrument} from its plain spec, validating every field. */
export function makeInstrument(spec: InstrumentSpec): Instrument {
  const s = instrumentSpecSchema.parse(spec);
  const tickSize = price(s.tickSize);
  const lotSize = quantity(s.lotSize);
  return {
    id: `${s.symbol}.${s.venue}`,
    symbol: s.symbol,
    venue: s.venue,
    assetClass: s.assetClass,
    base: s.base ?? s.symbol,
    quote: s.quote,
    tickSize,
    lotSize,
    minQuantity: quantity(s.minQuantity ?? s.lotSize),
    maxQuantity: s.maxQuantity === undefined ? undefined : quantity(s.maxQuantity),
    minNotional: money(s.minNotional),
    pricePrecision: decimalsOf(tickSize),
    sizePrecision: decimalsOf(lotSize),
    multiplier: new Decimal(s.multiplier),
    expiry: s.expiry,
    ...(s.strike === undefined ? {} : { strike: price(s.strike) }),
    ...(s.right === undefined ? {} : { right: s.right }),
    ...(s.underlying === undefined ? {} : { underlying: s.underlying }),
    ...(s.marginRate === undefined ? {} : { marginRate: new Decimal(s.marginRate) }),
    ...(s.maintenanceMarginRate === undefined ? {} : { maintenanceMarginRate: new Decimal(s.maintenanceMarginRate) }),
    ...(s.pipLocation === undefined ? {} : { pipLocation: s.pipLocation }),
    allowNonPositivePrices: s.allowNonPositivePrices ?? false,
  };
}

/** The plain spec of an instrument, the inverse of {@link makeInstrument}. */
export function instrumentToSpec(i: Instrument): InstrumentSpec {
  return {
    symbol: i.symbol,
    venue: i.venue,
    assetClass: i.assetClass,
    base: i.base,
    quote: i.quote,
    tickSize: i.tickSize.toString(),
    lotSize: i.lotSize.toString(),
    minQuantity: i.minQuantity.toString(),
    maxQuantity: i.maxQuantity?.toString(),
    minNotional: i.minNotional.toString(),
    multiplier: i.multiplier.toString(),
    expiry: i.expiry,
    // The contract fields only when set, so that the metadata of every spot instrument stays as it was.
    ...(i.strike === undefined ? {} : { strike: i.strike.toString() }),
    ...(i.right === undefined ? {} : { right: i.right }),
    ...(i.underlying === undefined ? {} : { underlying: i.underlying }),
    ...(i.marginRate === undefined ? {} : { marginRate: i.marginRate.toString() }),
    ...(i.maintenanceMarginRate === undefined ? {} : { maintenanceMarginRate: i.maintenanceMarginRate.toString() }),
    ...(i.pipLocation === undefined ? {} : { pipLocation: i.pipLocation }),
    // Only when set, so that the metadata of every ordinary instrument stays as it was.
    ...(i.allowNonPositivePrices ? { allowNonPositivePrices: true } : {}),
  };
}

/**
 * Rounds a price onto the instrument's tick. Buyers usually want `down` and sellers `up`, so that
 * rounding never makes a limit order more aggressive than asked.
 */
export function roundPrice(instrument: Instrument, value: number | string | Decimal, mode: RoundingMode): Price {
  return roundToStep(price(value), instrument.tickSize, mode);
}

/** Rounds a quantity onto the instrument's lot size (default: down, never more than asked). */
export function roundQuantity(instrument: Instrument, value: number | string | Decimal, mode: RoundingMode = 'down'): Quantity {
  return roundToStep(quantity(value), instrument.lotSize, mode);
}
