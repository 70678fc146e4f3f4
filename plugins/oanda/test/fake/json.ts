/**
 * Wire JSON: the fake keeps DateTimes as nanosecond bigints and prints them in the format the
 * request asked for (`Accept-Datetime-Format`), everywhere they occur.
 * @module
 */
import { formatTime, type DatetimeFormat } from './wire';

/** A deep copy of `value` with every bigint (a nanosecond time) printed in `format`. */
export function toWire(value: unknown, format: DatetimeFormat): unknown {
  if (typeof value === 'bigint') return formatTime(value, format);
  if (Array.isArray(value)) return value.map((v) => toWire(v, format));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, format);
    return out;
  }
  return value;
}
