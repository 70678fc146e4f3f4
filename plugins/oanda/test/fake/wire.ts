/**
 * OANDA's wire values: DateTimes in the two formats a client may ask for (`Accept-Datetime-Format`:
 * RFC3339, the default, or UNIX), and decimals as strings with the precision the venue prints
 * (prices to the instrument's display precision, account amounts to 4 places as in every captured
 * response, units to the instrument's units precision).
 * @module
 */
import { Decimal } from '@autotrader/core';

/** The two DateTime formats of v20 (definitions.AcceptDatetimeFormat). */
export type DatetimeFormat = 'RFC3339' | 'UNIX';

/** A venue timestamp in nanoseconds since the epoch (OANDA prints nine fractional digits). */
export type Nanos = bigint;

let lastNanos = 0n;

/**
 * A nanosecond timestamp for venue time `ms`: the millisecond plus a sub-millisecond part, strictly
 * increasing across calls within a millisecond, so every transaction has a distinct time with nine
 * meaningful digits as OANDA's do (`2016-10-25T19:45:38.558056359Z`).
 */
export function nanosAt(ms: number): Nanos {
  const base = BigInt(Math.floor(ms)) * 1_000_000n;
  let n = base + (process.hrtime.bigint() % 1_000_000n);
  if (n <= lastNanos && lastNanos - base < 1_000_000n - 1n) n = lastNanos + 1n;
  lastNanos = n > lastNanos ? n : lastNanos;
  return n;
}

/** Milliseconds of a nanosecond timestamp (floor). */
export function msOf(n: Nanos): number {
  return Number(n / 1_000_000n);
}

/** `2016-06-22T18:41:29.264030555Z` (RFC3339) or `1466620889.264030555` (UNIX). */
export function formatTime(n: Nanos, format: DatetimeFormat): string {
  const seconds = n / 1_000_000_000n;
  const frac = (n % 1_000_000_000n).toString().padStart(9, '0');
  if (format === 'UNIX') return `${seconds}.${frac}`;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/**
 * Parses a DateTime a client sent, in the format its header announced. RFC3339 accepts any number of
 * fractional digits and an offset; UNIX is seconds with up to nine fractional digits. Undefined when
 * the text is not a DateTime of that format.
 */
export function parseTime(text: string, format: DatetimeFormat): Nanos | undefined {
  if (format === 'UNIX') {
    const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
    if (m === null) return undefined;
    return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
  }
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4] === 'Z' ? 'Z' : m[4]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
}

/** The format a request asked for: `Accept-Datetime-Format` UNIX or RFC3339 (default); undefined for anything else. */
export function datetimeFormatOf(header: string | string[] | undefined): DatetimeFormat | undefined {
  if (header === undefined) return 'RFC3339';
  const v = Array.isArray(header) ? header[0] : header;
  if (v === 'UNIX' || v === 'RFC3339') return v;
  return undefined;
}

/** An amount of the account currency as OANDA prints it: 4 decimal places (`"33848.1208"`, `"0.0000"`). */
export function money(d: Decimal): string {
  return d.toFixed(4);
}

/** A price at `precision` decimal places (`"1.20000"`). */
export function priceText(d: Decimal, precision: number): string {
  return d.toFixed(precision);
}

/** Signed units at the instrument's units precision (`"-100"`). */
export function unitsText(d: Decimal, precision: number): string {
  return d.toFixed(precision);
}

/**
 * A DecimalNumber a client sent (a JSON string, optionally signed): undefined when `value` is not a
 * string holding a plain decimal (OANDA's decimals are strings; a JSON number is refused).
 */
export function decimalInput(value: unknown, signed: boolean): Decimal | undefined {
  if (typeof value !== 'string') return undefined;
  const re = signed ? /^[+-]?(\d+(\.\d*)?|\.\d+)$/ : /^\+?(\d+(\.\d*)?|\.\d+)$/;
  if (!re.test(value)) return undefined;
  return new Decimal(value);
}

/** Number of decimal places `text` was written with (`"1.10"` → 2). */
export function placesOf(d: Decimal): number {
  return d.decimalPlaces();
}

/** The smaller of two decimals. */
export function minDec(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}
