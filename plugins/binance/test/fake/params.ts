/**
 * Request parameters as Binance reads them: mandatory/optional checks, decimal and integer syntax,
 * and the "every sent parameter must be read" rule (-1104), with Binance's error codes.
 * @module
 */
import { Decimal } from '@autotrader/core';
import { BinanceApiError, DECIMAL_RANGE, binanceErrors } from './errors';
import { WIRE_PLACES } from './format';

const DECIMAL_SYNTAX = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const INTEGER_SYNTAX = /^-?[0-9]{1,20}$/;
const INTEGER_RANGE = '^-?[0-9]{1,20}$';

/**
 * Parses `application/x-www-form-urlencoded` text into a map. A name repeated within the same text is
 * Binance error -1101; across query string and body the query string wins (rest-api.md).
 */
export function parseUrlEncoded(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(raw)) {
    if (out.has(k)) throw binanceErrors.duplicateParam();
    out.set(k, v);
  }
  return out;
}

/** Merges query-string and body parameters; the query string wins on duplicates. */
export function mergeQueryAndBody(query: Map<string, string>, body: Map<string, string>): Map<string, string> {
  const out = new Map(body);
  for (const [k, v] of query) out.set(k, v);
  return out;
}

/** The parameters of one request, read through typed accessors that throw Binance errors. */
export class Params {
  /** @param values - every parameter sent, `signature` already removed. */
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** Every parameter as a plain record (for the request log). */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  /** The raw text of a parameter, unchecked (for request weights, which never fail). */
  peek(name: string): string | undefined {
    return this.values.get(name);
  }

  /** True when the parameter was sent (even empty). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** -1104 when a parameter outside `known` was sent: Binance refuses parameters it did not read. */
  assertOnly(known: ReadonlySet<string>): void {
    let read = 0;
    for (const k of this.values.keys()) if (known.has(k)) read++;
    if (read !== this.values.size) throw binanceErrors.unreadParams(read, this.values.size);
  }

  /** The text of an optional parameter; -1105 when it was sent empty. */
  optional(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (v === '') throw binanceErrors.emptyParam(name);
    return v;
  }

  /** The text of a mandatory parameter; -1102 when missing or empty. */
  required(name: string): string {
    const v = this.values.get(name);
    if (v === undefined || v === '') throw binanceErrors.mandatory(name);
    return v;
  }

  /** An optional decimal; -1100 on bad syntax, -1111 beyond 8 decimal places. */
  decimal(name: string): Decimal | undefined {
    const v = this.optional(name);
    return v === undefined ? undefined : parseDecimalParam(name, v);
  }

  /** A mandatory decimal. */
  requiredDecimal(name: string): Decimal {
    return parseDecimalParam(name, this.required(name));
  }

  /** An optional integer (ids, times, limits); -1100 on bad syntax. */
  integer(name: string): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!INTEGER_SYNTAX.test(v)) throw binanceErrors.illegalChars(name, INTEGER_RANGE);
    return Number(v);
  }

  /** An optional enum value; `invalid` builds the error for a value outside `allowed`. */
  enumOf<T extends string>(name: string, allowed: readonly T[], invalid: () => BinanceApiError): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw invalid();
    return v as T;
  }
}

/** Parses a decimal request parameter with Binance's syntax and precision rules. */
export function parseDecimalParam(name: string, text: string): Decimal {
  if (!DECIMAL_SYNTAX.test(text)) throw binanceErrors.illegalChars(name, DECIMAL_RANGE);
  const value = new Decimal(text);
  if (value.decimalPlaces() > WIRE_PLACES) throw binanceErrors.tooMuchPrecision(name);
  return value;
}
