import { readSeries } from './arrow-read';
import { writeSeries } from './arrow-write';
import { parseFile, type ImportOptions } from './parse';
import { isBarSeries, isoOrNumber, rowTimes, sliceByEventTime, type Series, type SeriesKind, type TimeRange } from './series';

/** What {@link importFile} did. `from`/`to` are the first and last row times as in the source (bar open times for bars). */
export interface ImportSummary {
  out: string;
  kind: SeriesKind;
  rows: number;
  from: number;
  to: number;
  intervalMs?: number;
}

/** Parses `input` (see {@link parseFile}) and writes it to `out` as an uncompressed Arrow file. */
export function importFile(options: ImportOptions & { input: string; out: string }): ImportSummary {
  const { input, out, ...rest } = options;
  const series = parseFile(input, rest);
  writeSeries(out, series);
  const t = rowTimes(series);
  return {
    out,
    kind: series.meta.kind,
    rows: series.length,
    from: t[0],
    to: t[t.length - 1],
    ...(isBarSeries(series) ? { intervalMs: series.meta.intervalMs } : {}),
  };
}

const ARROW_EXTENSIONS = ['.arrow', '.feather', '.ipc'];

/**
 * Loads any supported file: `.arrow` (and `.feather`/`.ipc`) through {@link readSeries}; anything else
 * (`.csv`, `.txt`, `.json`, optionally `.gz`) through {@link parseFile} with auto-detection, so a backtest
 * can run straight from a CSV. `from`/`to` slice by event time in both cases.
 */
export function loadSeries(path: string, options: ImportOptions & TimeRange = {}): Series {
  const { from, to, ...importOptions } = options;
  const lower = path.toLowerCase();
  if (ARROW_EXTENSIONS.some((e) => lower.endsWith(e))) return readSeries(path, { from, to });
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

/** The one-line report of an import: rows, kind, time range, out path. */
export function formatImportSummary(s: ImportSummary): string {
  const interval = s.intervalMs === undefined ? '' : ` of ${formatInterval(s.intervalMs)}`;
  return `${s.rows} ${s.kind} rows${interval}, ${isoOrNumber(s.from)} → ${isoOrNumber(s.to)}, written to ${s.out}`;
}
