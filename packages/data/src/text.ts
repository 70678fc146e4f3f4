import { gunzipSync } from 'node:zlib';
import { AutotraderError } from '@autotrader/core';
import { readBytes } from './files';

/** Reads a text file, gunzipping it when it starts with the gzip magic bytes (whatever its extension). */
export function readText(path: string): string {
  let bytes: Uint8Array = readBytes(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new AutotraderError('DATA_CORRUPT', `${path} starts like gzip but cannot be decompressed (${(cause as Error).message}); download it again.`, {
        details: { path },
        cause,
      });
    }
  }
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** Where a row is: a 1-based line of a CSV file, or a 0-based element of a JSON array. */
export type RowLocation = { readonly line: number } | { readonly element: number };

const locationText = (at: RowLocation): string => ('line' in at ? `line ${at.line}` : `element ${at.element} (0-based) of the JSON array`);

/** A DATA_PARSE error that names the line (or JSON element), the column and the bad text. */
export function parseError(path: string, at: RowLocation, column: string, text: string, why: string): AutotraderError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return new AutotraderError('DATA_PARSE', `${path} ${locationText(at)}, column ${column}: ${JSON.stringify(shown)} ${why}.`, {
    details: { path, ...at, column, text: shown },
  });
}

/** A DATA_UNSORTED error naming the line (or JSON element) whose time goes backwards. */
export function unsortedError(path: string, at: RowLocation, ts: number, prev: number, strict: boolean): AutotraderError {
  const rule = strict ? 'bar open times must strictly increase' : 'tick times must not decrease';
  return new AutotraderError(
    'DATA_UNSORTED',
    `${path} ${locationText(at)}: time ${new Date(ts).toISOString()} is ${ts === prev ? 'the same as' : 'before'} the previous row's ${new Date(prev).toISOString()} (${rule}); sort the file by time and import again.`,
    { details: { path, ...at, ts, prev } },
  );
}

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

/** A CSV file split into lines, with its delimiter and (if it has one) its header. */
export interface CsvText {
  readonly path: string;
  readonly lines: string[];
  readonly delimiter: string;
  /** Normalised header names (lower case, `_` for spaces), or undefined for a headerless file. */
  readonly header?: string[];
  /** Index in `lines` of the first data line. */
  readonly start: number;
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

/**
 * Splits CSV text into lines and finds the delimiter (`,`, else tab or `;`) and whether the first
 * non-blank line is a header: it is one unless its first field parses as a time or a number.
 */
export function csvText(path: string, text: string, parseTime: (s: string) => number): CsvText {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i === lines.length) throw new AutotraderError('DATA_EMPTY', `${path} is empty; there is nothing to import.`, { details: { path } });
  const firstLine = stripCr(lines[i]);
  const delimiter = firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : firstLine.includes(';') ? ';' : ',';
  const fields = splitFields(firstLine, delimiter);
  if (looksLikeData(fields[0], parseTime)) return { path, lines, delimiter, start: i, first: fields };
  const header = fields.map(normaliseName);
  let j = i + 1;
  while (j < lines.length && lines[j].trim() === '') j++;
  return { path, lines, delimiter, header, start: i + 1, first: j < lines.length ? splitFields(stripCr(lines[j]), delimiter) : undefined };
}

/** A line without its trailing carriage return (CRLF files). */
export const stripCr = (line: string): string => (line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);

/**
 * Calls `row` for every non-blank data line with its fields and 1-based line number, and returns how
 * many rows there were. Blank lines (a trailing newline, spacing) are skipped.
 */
export function forEachRow(csv: CsvText, row: (fields: string[], line: number, index: number) => void): number {
  const { lines, delimiter } = csv;
  let n = 0;
  for (let i = csv.start; i < lines.length; i++) {
    const line = stripCr(lines[i]);
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) continue;
    row(splitFields(line, delimiter), i + 1, n++);
  }
  return n;
}

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
