/**
 * Number and id formatting the way Binance Spot prints them on the wire.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { AutotraderError, Decimal, type DecimalLike } from '@autotrader/core';

/** Decimal places Binance prints for prices, quantities, balances and fees on BTCUSDT-like symbols. */
export const WIRE_PLACES = 8;

/** Zero, shared because Decimals are immutable. */
export const ZERO = new Decimal(0);

/** An exact decimal from a string or number the fake itself produced (never from a request: see `Params.decimal`). */
export const dec = (value: DecimalLike): Decimal => (value instanceof Decimal ? value : new Decimal(value));

/** Prints a decimal with 8 places, as Binance prints `"0.10000000"`. */
export const wire = (value: Decimal): string => value.toFixed(WIRE_PLACES);

/** Rounds a computed amount (a fee, a lock) to 8 places with banker's rounding, so balances stay on the wire grid. */
export const round8 = (value: Decimal): Decimal => value.toDecimalPlaces(WIRE_PLACES);

/** Rounds up to 8 places: used for funds locked by a buy, which must never be less than what the fill costs. */
export const ceil8 = (value: Decimal): Decimal => value.toDecimalPlaces(WIRE_PLACES, Decimal.ROUND_UP);

/**
 * Reads a decimal string a test passed to the fake (market data, balances). A bad value is the test's
 * mistake, so it throws CONFIG_INVALID naming `what`, not a Binance error.
 */
export function inputDecimal(what: string, text: string): Decimal {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) {
    throw new AutotraderError('CONFIG_INVALID', `Fake Binance: ${what} must be a non-negative decimal string like "123.45", got ${JSON.stringify(text)}.`);
  }
  return new Decimal(text);
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A client order id like the ones Binance generates when the request has none
 * (22 characters of [A-Za-z0-9], e.g. `6gCrw2kRUAF9CvJDGP16IP`).
 */
export function generatedClientOrderId(): string {
  const bytes = randomBytes(22);
  let id = '';
  for (const b of bytes) id += BASE62[b % 62];
  return id;
}
