import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Schema } from 'apache-arrow';
import { AutotraderError, describeProblem, describeZodIssues, instrumentSpecSchema } from '@autotrader/core';
import { bytesBuffer, writeArrowFile, type BodyBuffer, type ByteSink } from './arrow-file';
import { FORMAT_VERSION, LAYOUT, META, arrowFields } from './arrow-schema';
import { DataError, shellPath } from './errors';
import { barInterval, isBarSeries, isTradeSeries, type Series } from './series';
import { encodeIds } from './trade-ids';
import { findBadRow } from './validate';

/** Rows of the time column converted to int64 at a time while writing. */
const TIME_CHUNK = 65_536;

/** The int64 epoch-ms time column, converted in pieces as it is written (no second copy of the column). */
function timestampBuffer(name: string, ts: Float64Array): BodyBuffer {
  return {
    byteLength: ts.length * 8,
    write(sink) {
      const scratch = new Int32Array(2 * Math.min(ts.length, TIME_CHUNK));
      for (let start = 0; start < ts.length; start += TIME_CHUNK) {
        const end = Math.min(ts.length, start + TIME_CHUNK);
        for (let i = start, k = 0; i < end; i++, k += 2) {
          // Sub-millisecond digits are truncated, as the importers do; floor keeps the order of the rows.
          const v = Math.floor(ts[i]);
          if (!Number.isSafeInteger(v)) {
            throw new AutotraderError('DATA_CORRUPT', `Column ${name} row ${i + 1} is ${ts[i]}, not an epoch time in ms; fix the times before writing.`, { details: { column: name, row: i + 1, value: ts[i] } });
          }
          // Little-endian int64 as two 32-bit halves: the low word's bits, then the signed high word.
          const hi = Math.floor(v / 4294967296);
          scratch[k] = v - hi * 4294967296;
          scratch[k + 1] = hi;
        }
        sink(new Uint8Array(scratch.buffer, 0, (end - start) * 8));
      }
    },
  };
}

/** The body buffers of every column in {@link LAYOUT} order, checking every column has `length` rows. */
function columnBuffers(series: Series): BodyBuffer[][] {
  const n = series.length;
  const cols = series.columns as unknown as Record<string, unknown>;
  return LAYOUT[series.meta.kind].map((spec): BodyBuffer[] => {
    if (spec.type === 'utf8') {
      const given = isTradeSeries(series) ? series.columns.arrowIds : undefined;
      const { bytes, offsets } = given !== undefined && given.offsets.length === n + 1 && given.offsets[0] === 0 ? given : encodeIds(n, (i) => (series.columns as { tradeId(i: number): string }).tradeId(i));
      return [bytesBuffer(offsets), bytesBuffer(bytes.subarray(0, offsets[n]))];
    }
    const values = cols[spec.key] as Float64Array | Int8Array;
    if (spec.type === 'timestamp') return [timestampBuffer(spec.name, values instanceof Float64Array ? values : Float64Array.from(values))];
    // Arrow takes the bytes of whatever typed array it is given, so a column of the wrong array type
    // would be reinterpreted, not converted: convert it here.
    if (spec.type === 'int8') return [bytesBuffer(values instanceof Int8Array ? values : Int8Array.from(values))];
    return [bytesBuffer(values instanceof Float64Array ? values : Float64Array.from(values))];
  });
}

/** The schema metadata that makes a file ours (see data/README.md). */
function schemaMetadata(series: Series): Map<string, string> {
  const m = new Map<string, string>([
    [META.version, FORMAT_VERSION],
    [META.kind, series.meta.kind],
    [META.instrument, JSON.stringify(series.meta.instrument)],
  ]);
  if (isBarSeries(series)) m.set(META.intervalMs, String(barInterval(series)));
  if (series.meta.source !== undefined) m.set(META.source, series.meta.source);
  return m;
}

/**
 * Checks a series can be written: every row meets the market-data rules (in time order, finite positive
 * prices unless the instrument allows otherwise, bars consistent), trades have ids. A file is never
 * written with a row that readers would refuse.
 */
function checkWritable(series: Series): void {
  // The reader refuses a file whose instrument is not a valid spec, so writing one would make a file nothing can read.
  const spec = instrumentSpecSchema.safeParse(series.meta.instrument);
  if (!spec.success) {
    throw new AutotraderError('CONFIG_INVALID', `The series' instrument is not a valid instrument spec (${describeZodIssues(spec.error.issues)}); a file is written only with one its reader accepts.`, {
      details: { instrument: series.meta.instrument },
    });
  }
  if (isTradeSeries(series) && typeof series.columns.tradeId !== 'function') {
    throw new AutotraderError('DATA_CORRUPT', 'Trade series columns need a tradeId(i) function.');
  }
  const n = series.length;
  const cols = series.columns as unknown as Record<string, ArrayLike<number> | undefined>;
  for (const spec of LAYOUT[series.meta.kind]) {
    if (spec.type === 'utf8') continue;
    const values = cols[spec.key];
    if (values === undefined || values.length !== n) {
      throw new AutotraderError('DATA_CORRUPT', `Column ${spec.key} has ${values?.length ?? 'no'} rows but the series has ${n}; every column must have one value per row.`, {
        details: { column: spec.key, rows: values?.length, length: n },
      });
    }
  }
  const bad = findBadRow(series);
  if (bad === undefined) return;
  if ('unsorted' in bad) {
    const field = isBarSeries(series) ? 'tsOpen' : 'ts';
    const strict = bad.unsorted.strict ? ' (bars need strictly increasing open times)' : '';
    throw new AutotraderError('DATA_UNSORTED', `Row ${bad.index + 1} goes back in time${strict}; sort the series by ${field} before writing.`, { details: { row: bad.index + 1 } });
  }
  throw new AutotraderError('DATA_PARSE', `Row ${bad.index + 1}, column ${bad.problem.column}: ${describeProblem(bad.problem)}; a series is written only when every row is good (fix or drop the row first).`, {
    details: { row: bad.index + 1, column: bad.problem.column, value: bad.problem.value },
  });
}

/** Streams a checked series as an Arrow file to `sink`. */
function writeTo(sink: ByteSink, series: Series): void {
  const buffers = columnBuffers(series);
  writeArrowFile(sink, new Schema(arrowFields(series.meta.kind), schemaMetadata(series)), series.length, buffers);
}

/** The series as the bytes of an uncompressed Arrow IPC file (one record batch). */
export function seriesToArrow(series: Series): Uint8Array {
  checkWritable(series);
  let out = new Uint8Array(1 << 16);
  let length = 0;
  writeTo((bytes) => {
    if (length + bytes.length > out.length) {
      const bigger = new Uint8Array(Math.max(length + bytes.length, out.length * 2));
      bigger.set(out.subarray(0, length));
      out = bigger;
    }
    out.set(bytes, length);
    length += bytes.length;
  }, series);
  return out.slice(0, length);
}

/** True when `path` is an existing folder (anything else, including a path that cannot be looked at, is left to the write to report). */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * An Arrow file being written: opened (and so checked for writing) before the work that fills it, written
 * beside its final path, and renamed into place only when complete, so that a crash or an error never
 * leaves half a file behind.
 */
export class ArrowOutput {
  private readonly tmp: string;
  private fd: number | undefined;

  /** Creates the folder and opens the file. CONFIG_INVALID when the path cannot be written. */
  constructor(readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
    if (isFolder(path)) {
      throw new DataError('CONFIG_INVALID', `Cannot write ${path}: it is a folder.`, `Give the Arrow file's name, for example \`--out ${shellPath(join(path, 'data.arrow'))}\`.`, { details: { path } });
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.tmp, 'w');
    } catch (cause) {
      throw this.cannotWrite(cause);
    }
  }

  /** Writes the series (checking every row first) and moves the file into place. */
  write(series: Series): void {
    if (this.fd === undefined) throw new AutotraderError('INTERNAL', `${this.path} was already written or abandoned`);
    checkWritable(series);
    const fd = this.fd;
    try {
      writeTo((bytes) => {
        // writeSync takes at most 2 GiB at once.
        for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at, Math.min(bytes.byteLength - at, 1 << 30));
      }, series);
      this.fd = undefined;
      closeSync(fd);
      renameSync(this.tmp, this.path);
    } catch (cause) {
      this.abandon();
      if (cause instanceof AutotraderError) throw cause;
      throw this.cannotWrite(cause);
    }
  }

  /** Closes and removes the unfinished file (after an error elsewhere). */
  abandon(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed or failing: removing the file is what matters.
      }
      this.fd = undefined;
    }
    rmSync(this.tmp, { force: true });
  }

  private cannotWrite(cause: unknown): DataError {
    const code = (cause as NodeJS.ErrnoException).code;
    const dir = dirname(this.path) || '.';
    const why = code === 'ENOSPC' ? 'the disk is full' : (cause as Error).message;
    return new DataError('CONFIG_INVALID', `Cannot write ${this.path}: ${why}.`, code === 'ENOSPC' ? `Free some space (\`df -h ${shellPath(dir)}\`) or choose another --out.` : `Choose an --out path in a folder you can write to (\`ls -ld ${shellPath(dir)}\`).`, {
      cause,
      details: { path: this.path, code },
    });
  }
}

/**
 * Writes an UNCOMPRESSED Arrow IPC file (RecordBatchFile), creating the folder if needed. Times are
 * stored as whole ms (sub-ms fractions are truncated). Every row is checked first; the file is written
 * beside the target and renamed into place. Errors: DATA_UNSORTED (rows out of time order), DATA_PARSE
 * (a row that breaks the market-data rules), DATA_CORRUPT (ragged columns, times that are not epoch ms),
 * CONFIG_INVALID (bars without intervalMs, an unwritable path).
 */
export function writeSeries(path: string, series: Series): void {
  checkWritable(series);
  new ArrowOutput(path).write(series);
}
