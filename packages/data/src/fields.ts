import { parseError, toNumber } from './text';
import { parseTime, scaleEpoch } from './time';

const TIME_FORMATS = 'is not a timestamp (use YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|±HH:MM], YYYYMMDD[ HH:MM[:SS]] or an epoch number in s, ms, µs or ns)';

/** Field `k` of a CSV row as a number; DATA_PARSE naming line, column and text otherwise. */
export function csvNumber(path: string, fields: readonly string[], k: number, column: string, line: number): number {
  const text = fields[k];
  if (text === undefined) throw parseError(path, { line }, column, '', `is missing (the row has ${fields.length} fields)`);
  const v = toNumber(text);
  if (Number.isNaN(v)) throw parseError(path, { line }, column, text, 'is not a number');
  return v;
}

/** Field `k` of a CSV row as epoch ms; DATA_PARSE naming line, column and text otherwise. */
export function csvTime(path: string, fields: readonly string[], k: number, column: string, line: number): number {
  const text = fields[k];
  if (text === undefined) throw parseError(path, { line }, column, '', `is missing (the row has ${fields.length} fields)`);
  const ts = parseTime(text);
  if (Number.isNaN(ts)) throw parseError(path, { line }, column, text, TIME_FORMATS);
  return ts;
}

/** A JSON value (number or numeric string) as a number; DATA_PARSE naming the element otherwise. */
export function jsonNumber(path: string, value: unknown, column: string, element: number): number {
  const v = typeof value === 'number' ? (Number.isFinite(value) ? value : NaN) : typeof value === 'string' ? toNumber(value) : NaN;
  if (Number.isNaN(v)) throw parseError(path, { element }, column, JSON.stringify(value) ?? 'undefined', 'is not a number');
  return v;
}

/** A JSON value (epoch number or timestamp text) as epoch ms; DATA_PARSE naming the element otherwise. */
export function jsonTime(path: string, value: unknown, column: string, element: number): number {
  const ts = typeof value === 'number' ? (Number.isFinite(value) ? Math.floor(scaleEpoch(value)) : NaN) : typeof value === 'string' ? parseTime(value) : NaN;
  if (Number.isNaN(ts)) throw parseError(path, { element }, column, JSON.stringify(value) ?? 'undefined', TIME_FORMATS);
  return ts;
}

/** Reads the aggressor (taker) side: buy/b/1 → 1, sell/s/-1 → -1, empty/unknown → 0; anything else undefined. */
export function sideText(text: string): 1 | -1 | 0 | undefined {
  switch (text.trim().toLowerCase()) {
    case 'buy':
    case 'b':
    case '1':
      return 1;
    case 'sell':
    case 's':
    case '-1':
      return -1;
    case '':
    case '0':
    case 'unknown':
    case 'none':
    case 'null':
      return 0;
    default:
      return undefined;
  }
}

/** Reads an is-buyer-maker flag: a maker buyer means the seller took liquidity (-1), otherwise the buyer did (1). */
export function buyerMakerText(text: string): 1 | -1 | undefined {
  switch (text.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 't':
      return -1;
    case 'false':
    case '0':
    case 'f':
      return 1;
    default:
      return undefined;
  }
}

/** Reads a row's time from a CSV header layout: one time column, or a `date` and a `time` column together. */
export type CsvTimeReader = (fields: readonly string[], line: number) => number;

/**
 * Finds the time column(s) of a header. A file with separate `date` and `time` columns (and no single
 * timestamp column) has them joined with a space. Returns undefined when there is no time column.
 */
export function headerTime(path: string, header: readonly string[], names: readonly string[]): { read: CsvTimeReader; name: string } | undefined {
  const date = header.indexOf('date');
  const time = header.indexOf('time');
  const single = names.filter((n) => n !== 'date' && n !== 'time').some((n) => header.includes(n));
  if (!single && date >= 0 && time >= 0) {
    return {
      name: 'date+time',
      read: (fields, line) => {
        const joined = [fields[date] ?? '', fields[time] ?? ''];
        return csvTime(path, [`${joined[0].trim()} ${joined[1].trim()}`], 0, 'date+time', line);
      },
    };
  }
  for (const n of names) {
    const k = header.indexOf(n);
    if (k >= 0) return { name: n, read: (fields, line) => csvTime(path, fields, k, n, line) };
  }
  return undefined;
}

/**
 * A price multiplier split so that decimal scales stay exact: 0.0001 is applied as ÷10000, because
 * 973100 × 0.0001 is 97.31000000000002 in binary floating point but 973100 ÷ 10000 is 97.31.
 */
export interface PriceScale {
  readonly mul: number;
  readonly div: number;
}

/** The {@link PriceScale} for a multiplier (default 1). */
export function priceScaleOf(scale = 1): PriceScale {
  const inverse = 1 / scale;
  if (scale < 1 && Math.abs(inverse - Math.round(inverse)) < 1e-9 * inverse) return { mul: 1, div: Math.round(inverse) };
  return { mul: scale, div: 1 };
}
