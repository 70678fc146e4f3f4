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

/** Parses a time given as an ISO date/time (UTC when no zone) or epoch milliseconds. */
export function parseTime(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(trimmed) ? trimmed : `${trimmed}Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new AutotraderError('CONFIG_INVALID', `${flag} '${text}' is not a date (use 2022-01-15, 2022-01-15T12:00 or epoch ms)`);
  return t;
}

/** Checks that --from is before --to. */
export function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && from >= to) {
    throw new AutotraderError('RANGE_INVALID', `--from ${new Date(from).toISOString()} is not before --to ${new Date(to).toISOString()}`);
  }
}
