import { describeProblem, type RowProblem } from '@autotrader/core';
import { DataError, badRowHint, importCommand } from './errors';

/**
 * Where a row is, as the user counts it: a 1-based line of a CSV file, a 0-based element of a JSON
 * array (shown as the 1-based row it is), or a 1-based row of an Arrow file.
 */
export type RowLocation = { readonly line: number } | { readonly element: number } | { readonly row: number };

/** `line 12`, `row 6 (element [5] of the JSON array)`, `row 101`. */
export function locationText(at: RowLocation): string {
  if ('line' in at) return `line ${at.line}`;
  if ('element' in at) return `row ${at.element + 1} (element [${at.element}] of the JSON array)`;
  return `row ${at.row}`;
}

/** A DATA_PARSE error that names the line (or JSON element), the column and the bad text. */
export function parseError(path: string, at: RowLocation, column: string, text: string, why: string): DataError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return new DataError(
    'DATA_PARSE',
    `${path} ${locationText(at)}, column ${column}: ${JSON.stringify(shown)} ${why}.`,
    `Fix that row in the file, or \`${importCommand(path, '--repair drop')}\` imports it without the rows that cannot be read.`,
    { details: { path, ...at, column, text: shown } },
  );
}

/** A DATA_PARSE error for a row whose values break the market-data rules (a negative price, high below low...). */
export function valueError(path: string, at: RowLocation, problem: RowProblem, extra = ''): DataError {
  return new DataError('DATA_PARSE', `${path} ${locationText(at)}, column ${problem.column}: ${describeProblem(problem)}${extra}.`, badRowHint(path, problem.outsideRange === true), {
    details: { path, ...at, column: problem.column, value: problem.value },
  });
}

/** A DATA_UNSORTED error naming the line (or JSON element, or Arrow row) whose time goes backwards. */
export function unsortedError(path: string, at: RowLocation, ts: number, prev: number, strict: boolean): DataError {
  const rule = strict ? 'bar open times must strictly increase' : 'tick times must not decrease';
  return new DataError(
    'DATA_UNSORTED',
    `${path} ${locationText(at)}: time ${isoOr(ts)} is ${ts === prev ? 'the same as' : 'before'} the previous row's ${isoOr(prev)} (${rule}).`,
    `Sort the source by time and import it again, or \`${importCommand(path, '--repair drop')}\` drops every row that does not move forward in time.`,
    { details: { path, ...at, ts, prev } },
  );
}

const isoOr = (ms: number): string => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms));

/** A number from CSV/JSON text, or NaN when the text is not entirely a finite number ('' is not 0). */
export function toNumber(text: string): number {
  const v = Number(text);
  if (v === 0) {
    // Number('') and Number('  ') are 0: insist on a digit.
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c >= 48 && c <= 57) return 0;
    }
    return NaN;
  }
  return Number.isFinite(v) ? v : NaN;
}

/** Splits one CSV line; quotes are honoured only when the line has one (the fast path has none). */
export function splitFields(line: string, delimiter: string): string[] {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** The start of a CSV file: its delimiter, its header if it has one, and its first data row. */
export interface CsvText {
  readonly path: string;
  readonly delimiter: string;
  /** Normalised header names (lower case, `_` for spaces), or undefined for a headerless file. */
  readonly header?: string[];
  /** The 1-based line of the header (when there is one). */
  readonly headerLine?: number;
  /** Fields of the first data line, for format detection. */
  readonly first?: string[];
}

/** Lower case, trimmed, without quotes or `<>`, spaces and dashes as `_`: `Adj Close` → `adj_close`. */
export function normaliseName(name: string): string {
  return name
    .trim()
    .replace(/^["'<]+|["'>]+$/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** True when a field looks like data (a time or a number) rather than a column name. */
const looksLikeData = (field: string, parseTime: (s: string) => number): boolean =>
  field.trim() !== '' && (!Number.isNaN(parseTime(field)) || !Number.isNaN(toNumber(field)));

/** The delimiter of a CSV line: `,`, else tab, else `;`. */
export const delimiterOf = (line: string): string => (line.includes(',') ? ',' : line.includes('\t') ? '\t' : line.includes(';') ? ';' : ',');

/**
 * Reads the start of a CSV file from its first non-blank line (`line`, at 1-based `lineNo`) and, when
 * that is a header, the first data line after it: the first line is a header unless its first field
 * parses as a time or a number.
 */
export function csvHead(path: string, first: { text: string; lineNo: number }, next: string | undefined, parseTime: (s: string) => number): CsvText {
  const delimiter = delimiterOf(first.text);
  const fields = splitFields(first.text, delimiter);
  if (looksLikeData(fields[0], parseTime)) return { path, delimiter, first: fields };
  return { path, delimiter, header: fields.map(normaliseName), headerLine: first.lineNo, first: next === undefined ? undefined : splitFields(next, delimiter) };
}

/** True for a line with nothing but spaces (a trailing newline, spacing), which every reader skips. */
export const isBlank = (line: string): boolean => line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '');

/** Index of the first of `names` found in `header`, or -1. Earlier names win. */
export function findColumn(header: readonly string[], names: readonly string[]): number {
  for (const name of names) {
    const k = header.indexOf(name);
    if (k >= 0) return k;
  }
  return -1;
}

/** Header names accepted for the time column, best first. */
export const TIME_NAMES = [
  'timestamp',
  'datetime',
  'date_time',
  'open_time',
  'opentime',
  'time_open',
  'ts_open',
  'ts',
  'time',
  'date',
  'dt',
  't',
  'gmt_time',
  'local_time',
] as const;
