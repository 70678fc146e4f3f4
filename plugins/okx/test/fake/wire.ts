/**
 * How the fake writes OKX's wire values: decimals as plain strings (never exponent notation),
 * times as millisecond strings, gateway times (`inTime`/`outTime`) in microseconds, and the
 * `{"code","msg","data"}` envelope.
 * @module
 */
import type { Decimal } from '@autotrader/core';

/** A decimal as OKX prints it: plain notation, no exponent. */
export function dec(d: Decimal): string {
  const s = d.toFixed();
  return s === '-0' ? '0' : s;
}

/** Epoch ms as a string. */
export function ms(t: number): string {
  return String(Math.trunc(t));
}

/** Epoch microseconds as a string (OKX's `inTime`/`outTime`). */
export function micros(tMs: number, extraMicros = 0): string {
  return String(Math.trunc(tMs) * 1000 + extraMicros);
}

/** OKX's REST envelope. */
export interface Envelope {
  readonly code: string;
  readonly msg: string;
  readonly data: unknown[];
  readonly inTime?: string;
  readonly outTime?: string;
}

/** An error envelope with no data. */
export function failure(code: string, msg: string): Envelope {
  return { code, msg, data: [] };
}

/** A success envelope. */
export function success(data: unknown[]): Envelope {
  return { code: '0', msg: '', data };
}
