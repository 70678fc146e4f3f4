import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { readSeries } from './arrow-read';
import { ArrowOutput } from './arrow-write';
import { DataError, importCommand, shellPath } from './errors';
import { fileSize, formatBytes, notFound } from './files';
import { Importer, type ImportResult } from './import';
import { CHUNK_BYTES, isGzip, parseFile, type ImportOptions } from './parse';
import { reimportArrow } from './reimport';
import { formatRepair, type RepairReport } from './repair';
import { isBarSeries, isoOrNumber, rowTimes, sliceByEventTime, type Series, type SeriesKind, type TimeRange } from './series';

/** What {@link importFile} did. `from`/`to` are the first and last row times as in the source (bar open times for bars). */
export interface ImportSummary {
  out: string;
  kind: SeriesKind;
  rows: number;
  from: number;
  to: number;
  intervalMs?: number;
  /** What `--repair` changed, when it was asked for. */
  repair?: RepairReport;
}

/** Options of {@link importFile}: the import options, the files, and a progress callback. */
export interface ImportFileOptions extends ImportOptions {
  input: string;
  out: string;
  /** Called as the input is read: bytes read so far (of the file as stored, compressed or not) and the file's size. */
  onProgress?: (read: number, total: number) => void;
}

const ARROW_EXTENSIONS = ['.arrow', '.feather', '.ipc'];
const isArrowPath = (path: string): boolean => ARROW_EXTENSIONS.some((e) => path.toLowerCase().endsWith(e));

/** True when the file starts with gzip's magic bytes. */
function startsWithGzip(path: string): boolean {
  const head = new Uint8Array(2);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw notFound(path, 'import', cause);
  }
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && isGzip(head);
  } finally {
    closeSync(fd);
  }
}

/** Streams a CSV/JSON file (gzipped or not) through an importer, chunk by chunk. */
async function streamInto(importer: Importer, path: string, size: number, onProgress: ImportFileOptions['onProgress']): Promise<void> {
  const gzip = startsWithGzip(path);
  const source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const chunks = gzip ? source.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : source;
  if (gzip) source.on('error', (e) => (chunks as ReturnType<typeof createGunzip>).destroy(e));
  try {
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      importer.push(chunk);
      onProgress?.(source.bytesRead, size);
    }
  } catch (cause) {
    if (cause instanceof DataError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new DataError('DATA_CORRUPT', `${path} starts like gzip but cannot be decompressed (${(cause as Error).message}).`, `Download it again, or check it with \`gzip -t ${shellPath(path)}\`.`, {
        details: { path, code },
        cause,
      });
    }
    if (typeof code === 'string' && code.startsWith('E')) throw notFound(path, 'import', cause);
    throw cause;
  } finally {
    source.destroy();
  }
}

/**
 * Imports `input` into an uncompressed Arrow file at `out`. CSV and JSON (gzipped or not) are streamed:
 * the text is read in chunks and never held whole, and rows go straight into typed columns, so a file of
 * any size imports in the memory its columns take. One of our Arrow files is re-imported (its rows
 * checked, `--repair` applied). `out` is opened before the input is read, so an unwritable path fails
 * at once; the file appears only when complete.
 *
 * Every row is checked with the market-data rules; a bad row is refused naming the file, line and
 * column, unless `repair` is `drop` (remove bad rows) or `clip` (move a bar's open/close into [low, high]);
 * the summary reports what a repair changed.
 */
export async function importFile(options: ImportFileOptions): Promise<ImportSummary> {
  const { input, out, onProgress, ...rest } = options;
  let result: ImportResult;
  let output: ArrowOutput;
  if (isArrowPath(input)) {
    result = reimportArrow(input, rest);
    output = new ArrowOutput(out);
  } else {
    const size = fileSize(input, 'import');
    // Gzip hides the text's size; the columns then grow as rows come.
    const importer = new Importer(input, rest, startsWithGzip(input) ? undefined : size);
    output = new ArrowOutput(out);
    try {
      await streamInto(importer, input, size, onProgress);
      result = importer.finish();
    } catch (e) {
      output.abandon();
      throw e;
    }
  }
  output.write(result.series);
  const t = rowTimes(result.series);
  return {
    out,
    kind: result.series.meta.kind,
    rows: result.series.length,
    from: t[0],
    to: t[t.length - 1],
    ...(isBarSeries(result.series) ? { intervalMs: result.series.meta.intervalMs } : {}),
    ...(result.repair === undefined ? {} : { repair: result.repair }),
  };
}

/**
 * The largest CSV/JSON file `loadSeries` (and so `pnpm backtest --data`) parses in memory on every run.
 * A larger file is imported once with `pnpm data import`, which streams it, and the Arrow file is used.
 */
export const IN_MEMORY_IMPORT_LIMIT = 256 * 1024 * 1024;

/**
 * Loads any supported file: `.arrow` (and `.feather`/`.ipc`) through {@link readSeries}; anything else
 * (`.csv`, `.txt`, `.json`, optionally `.gz`) through {@link parseFile} with auto-detection, so a backtest
 * can run straight from a CSV of up to {@link IN_MEMORY_IMPORT_LIMIT} bytes. `from`/`to` slice by event
 * time in both cases. A larger text file is refused (CONFIG_INVALID) with the import command to run.
 */
export function loadSeries(path: string, options: ImportOptions & TimeRange = {}): Series {
  const { from, to, ...importOptions } = options;
  if (isArrowPath(path)) return readSeries(path, { from, to });
  const size = fileSize(path, 'import');
  if (size > IN_MEMORY_IMPORT_LIMIT) {
    throw new DataError(
      'CONFIG_INVALID',
      `${path} is ${formatBytes(size)} of CSV/JSON; --data parses text files of up to ${formatBytes(IN_MEMORY_IMPORT_LIMIT)} in memory on every run.`,
      `Import it once, then use the Arrow file: \`${importCommand(path)}\` (it streams files of any size), and pass the .arrow file to --data.`,
      { details: { path, bytes: size, limit: IN_MEMORY_IMPORT_LIMIT } },
    );
  }
  return sliceByEventTime(parseFile(path, importOptions), { from, to }, path);
}

/** A bar length as short text: 60000 → `1m`, 86400000 → `1d`, 1500 → `1500ms`. */
export function formatInterval(ms: number): string {
  const units: [string, number][] = [
    ['w', 604_800_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [u, size] of units) if (ms % size === 0) return `${ms / size}${u}`;
  return `${ms}ms`;
}

/** The report of an import: rows, kind, time range, out path; and on a second line what a repair changed. */
export function formatImportSummary(s: ImportSummary): string {
  const interval = s.intervalMs === undefined ? '' : ` of ${formatInterval(s.intervalMs)}`;
  const line = `${s.rows} ${s.kind} rows${interval}, ${isoOrNumber(s.from)} → ${isoOrNumber(s.to)}, written to ${s.out}`;
  return s.repair === undefined ? line : `${line}\n${formatRepair(s.repair)}`;
}
