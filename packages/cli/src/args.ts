import { AutotraderError } from '@autotrader/core';

/** The repeatable `name=value` flags, and the error code a malformed pair of each gets. */
const PAIR_FLAGS = { '--param': 'PARAM_INVALID', '--risk': 'CONFIG_INVALID', '--venue-opt': 'CONFIG_INVALID' } as const;

/** A flag that takes `name=value` pairs. */
export type PairFlag = keyof typeof PAIR_FLAGS;

/**
 * Parses the `name=value` pairs of one flag (`--param`, `--risk`, `--venue-opt`). Values that read as
 * JSON (numbers, booleans, arrays, objects) become those; the rest stay text. A pair without a name or
 * `=` is an error that names the flag it came from.
 */
export function parseParams(pairs: readonly string[] | undefined, flag: PairFlag = '--param'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AutotraderError(PAIR_FLAGS[flag], `${flag} '${pair}' is not of the form name=value`);
    const key = pair.slice(0, eq).trim();
    if (key === '') throw new AutotraderError(PAIR_FLAGS[flag], `${flag} '${pair}' has no name before '='`);
    const raw = pair.slice(eq + 1).trim();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // plain text
    }
    out[key] = value;
  }
  return out;
}

const TIME_FORMS = 'use 2022-01-15, 2022-01-15T12:00 or epoch ms';
/** `YYYY-MM-DD`, then optionally `Thh:mm[:ss[.fff]]` (or a space) and a zone (`Z`, `+02:00`, `+0200`). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?([zZ]|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a time given as an ISO date/time (UTC when no zone) or epoch milliseconds. The date must be
 * a real calendar day and the clock a real time: `Date.parse` would quietly roll `2022-02-30` over to
 * 2022-03-02 and `T24:00` to the next day, and a backtest over a range nobody asked for looks right.
 */
export function parseTime(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  const m = ISO_TIME.exec(trimmed);
  if (m === null) throw new AutotraderError('CONFIG_INVALID', `${flag} '${text}' is not a date (${TIME_FORMS})`, { details: { flag, usage: true } });
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const probe = new Date(Date.UTC(year!, month! - 1, day!));
  if (month! < 1 || month! > 12) throw new AutotraderError('CONFIG_INVALID', `${flag} '${text}' is not a calendar date (there is no month ${m[2]}); ${TIME_FORMS}`, { details: { flag, usage: true } });
  if (probe.getUTCMonth() !== month! - 1 || probe.getUTCDate() !== day) {
    throw new AutotraderError('CONFIG_INVALID', `${flag} '${text}' is not a calendar date (${trimmed.slice(0, 7)} has no day ${m[3]}); ${TIME_FORMS}`, { details: { flag, usage: true } });
  }
  if (hour > 23 || minute > 59 || second > 59) throw new AutotraderError('CONFIG_INVALID', `${flag} '${text}' is not a time of day (hours 00-23, minutes and seconds 00-59)`, { details: { flag, usage: true } });
  const zone = m[7];
  const iso = m[4] === undefined ? `${trimmed}T00:00:00Z` : zone === undefined ? `${trimmed.replace(' ', 'T')}Z` : trimmed.replace(' ', 'T');
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new AutotraderError('CONFIG_INVALID', `${flag} '${text}' is not a date (${TIME_FORMS})`, { details: { flag, usage: true } });
  return t;
}

/** Checks that --from is before --to. */
export function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && from >= to) {
    throw new AutotraderError('RANGE_INVALID', `--from ${new Date(from).toISOString()} is not before --to ${new Date(to).toISOString()}`);
  }
}
