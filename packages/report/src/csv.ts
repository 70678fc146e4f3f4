import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a quote, CR or LF (quotes doubled inside).
 * Numbers print in their shortest exact form; NaN, infinities, null and undefined print as an empty field.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Bytes buffered before a write to disk: large enough to be fast, small enough to bound memory. */
const FLUSH_CHARS = 1 << 16;

/**
 * Writes a CSV file row by row through a small buffer, so that a million rows never become one huge
 * string. Lines end with `\n`. Call {@link close} when done (also on error, to release the handle).
 */
export class CsvWriter {
  private readonly fd: number;
  private buffer = '';
  private closed = false;

  /** Creates (or truncates) `path` and writes the header row. */
  constructor(path: string, header: readonly string[]) {
    this.fd = openSync(path, 'w');
    this.row(header);
  }

  /** Appends one row. */
  row(fields: ReadonlyArray<string | number | null | undefined>): void {
    let line = '';
    for (let i = 0; i < fields.length; i++) line += (i === 0 ? '' : ',') + csvField(fields[i]);
    this.buffer += line + '\n';
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  /** Writes what is buffered and closes the file. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer);
    this.buffer = '';
  }
}

/** Writes a whole CSV file: header, then `rows(write)` calls `write` once per row. */
export function writeCsv(path: string, header: readonly string[], rows: (write: (fields: ReadonlyArray<string | number | null | undefined>) => void) => void): void {
  const writer = new CsvWriter(path, header);
  try {
    rows((fields) => writer.row(fields));
  } finally {
    writer.close();
  }
}
