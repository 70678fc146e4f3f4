import { AutotraderError } from '@autotrader/core';

/** One day in milliseconds: every interval the engine builds divides it, so bars line up with UTC days. */
export const DAY_MS = 86_400_000;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** A bar interval as asked for (`1m`), and its length when the engine can build bars of it. */
export interface BarInterval {
  /** The text the user gave, passed on as is to a venue that has bars of its own (`1m`, `1w`, `1M`). */
  readonly text: string;
  /**
   * The length in ms when the engine's aggregator can build this interval: a whole number of
   * milliseconds that divides one day, so every boundary is a multiple of it since the UTC epoch and a
   * day boundary is always a bar boundary. Undefined for calendar intervals (`1w`, `1M`) and lengths
   * that do not divide a day (`7m`, `3d`): only a venue that has such bars itself can serve them.
   */
  readonly ms: number | undefined;
  /** Why the engine cannot build it (when `ms` is undefined). */
  readonly unbuildable?: string;
}

/**
 * Parses a bar interval: `<n>ms`, `<n>s`, `<n>m`, `<n>h`, `<n>d` (a bare number is milliseconds), or
 * the calendar intervals venues list (`<n>w`, `<n>M`, which the engine does not build). Throws
 * CONFIG_INVALID naming the text when it is none of these.
 */
export function parseBarInterval(text: string): BarInterval {
  const t = text.trim();
  const m = /^(\d+)(ms|s|m|h|d|w|M)?$/.exec(t);
  const n = m === null ? NaN : Number(m[1]);
  if (m === null || !(n > 0) || !Number.isSafeInteger(n)) {
    throw new AutotraderError('CONFIG_INVALID', `'${text}' is not a bar interval; use a length such as 1s, 15s, 1m, 5m, 1h, 4h or 1d`, { details: { interval: text } });
  }
  const unit = m[2] ?? 'ms';
  if (unit === 'w' || unit === 'M') {
    return { text: t, ms: undefined, unbuildable: `${t} is a calendar interval (weeks start on a weekday, months differ in length)` };
  }
  const ms = n * UNIT_MS[unit]!;
  if (ms > DAY_MS || DAY_MS % ms !== 0) {
    return { text: t, ms: undefined, unbuildable: `${t} does not divide a day, so its bars would not line up with UTC days` };
  }
  return { text: t, ms };
}

/** The interval the engine builds, or CONFIG_INVALID saying why it cannot (and what it can). */
export function buildableInterval(interval: BarInterval, why: string): number {
  if (interval.ms !== undefined) return interval.ms;
  throw new AutotraderError(
    'CONFIG_INVALID',
    `${why}, and the engine cannot build ${interval.text} bars itself: ${interval.unbuildable}; use an interval that divides a day (1s … 1d)`,
    { details: { interval: interval.text } },
  );
}

/** A length in ms as the shortest interval text (`60000` → `1m`, `1500` → `1500ms`). */
export function formatInterval(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
