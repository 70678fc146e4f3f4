import { AutotraderError } from '@autotrader/core';
import type { BarColumns } from './series';
import { findColumn, forEachRow, TIME_NAMES, type CsvText } from './text';
import { checkOrder, csvNumber, csvTime, headerTime, jsonNumber, jsonTime, type CsvTimeReader, type PriceScale } from './fields';

/** Parsed bar rows (typed arrays trimmed to `length`). */
export interface ParsedBars {
  length: number;
  columns: BarColumns;
}

const NAMES = {
  open: ['open', 'o', 'open_price'],
  high: ['high', 'h', 'high_price'],
  low: ['low', 'l', 'low_price'],
  close: ['close', 'c', 'close_price', 'last'],
  volume: ['volume', 'vol', 'v', 'base_volume'],
} as const;

function allocate(capacity: number): BarColumns {
  return {
    tsOpen: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
}

function trim(c: BarColumns, n: number): ParsedBars {
  return {
    length: n,
    columns: {
      tsOpen: c.tsOpen.subarray(0, n),
      open: c.open.subarray(0, n),
      high: c.high.subarray(0, n),
      low: c.low.subarray(0, n),
      close: c.close.subarray(0, n),
      volume: c.volume.subarray(0, n),
    },
  };
}

/** Column positions of a bar layout; volume -1 when the file has none (stored as 0 = unknown). */
interface BarLayout {
  time: CsvTimeReader;
  timeName: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function headerLayout(csv: CsvText, header: string[]): BarLayout {
  const time = headerTime(csv.path, header, TIME_NAMES);
  const cols = { open: findColumn(header, NAMES.open), high: findColumn(header, NAMES.high), low: findColumn(header, NAMES.low), close: findColumn(header, NAMES.close) };
  const missing = [...(time ? [] : ['time']), ...Object.entries(cols).filter(([, k]) => k < 0).map(([n]) => n)];
  if (missing.length > 0) {
    throw new AutotraderError('DATA_PARSE', `${csv.path} line ${csv.start}: the header [${header.join(', ')}] has no ${missing.join(', ')} column; OHLCV files need timestamp, open, high, low, close (volume optional).`, {
      details: { path: csv.path, line: csv.start, column: missing[0], header },
    });
  }
  return { time: time!.read, timeName: time!.name, ...cols, volume: findColumn(header, NAMES.volume) };
}

/**
 * OHLCV CSV. With a header, columns are found by name (case-insensitive; extra columns such as
 * `Adj Close` or an unnamed index are ignored). Without one: ts,open,high,low,close[,volume,...], which
 * also covers Binance's headerless 12-column kline CSV (open time in ms or µs).
 */
export function parseOhlcvCsv(csv: CsvText, ps: PriceScale): ParsedBars {
  const path = csv.path;
  const layout: BarLayout = csv.header
    ? headerLayout(csv, csv.header)
    : {
        time: (f, line) => csvTime(path, f, 0, 'ts', line),
        timeName: 'ts',
        open: 1,
        high: 2,
        low: 3,
        close: 4,
        volume: (csv.first?.length ?? 0) > 5 ? 5 : -1,
      };
  const c = allocate(csv.lines.length - csv.start);
  let prev = -Infinity;
  const n = forEachRow(csv, (f, line, i) => {
    const ts = layout.time(f, line);
    checkOrder(path, ts, prev, true, () => ({ line }));
    prev = ts;
    c.tsOpen[i] = ts;
    c.open[i] = csvNumber(path, f, layout.open, 'open', line) * ps.mul / ps.div;
    c.high[i] = csvNumber(path, f, layout.high, 'high', line) * ps.mul / ps.div;
    c.low[i] = csvNumber(path, f, layout.low, 'low', line) * ps.mul / ps.div;
    c.close[i] = csvNumber(path, f, layout.close, 'close', line) * ps.mul / ps.div;
    c.volume[i] = layout.volume < 0 ? 0 : csvNumber(path, f, layout.volume, 'volume', line);
  });
  return trim(c, n);
}

/** Binance kline REST JSON: `[[openTime, "open", "high", "low", "close", "volume", closeTime, ...], ...]`. */
export function parseKlineJson(path: string, rows: readonly unknown[], ps: PriceScale): ParsedBars {
  const c = allocate(rows.length);
  let prev = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length < 6) {
      throw new AutotraderError('DATA_PARSE', `${path} element ${i} (0-based) of the JSON array is not a kline [openTime, open, high, low, close, volume, ...]: ${JSON.stringify(r)?.slice(0, 80)}.`, {
        details: { path, element: i },
      });
    }
    const ts = jsonTime(path, r[0], 'open_time', i);
    checkOrder(path, ts, prev, true, () => ({ element: i }));
    prev = ts;
    c.tsOpen[i] = ts;
    c.open[i] = jsonNumber(path, r[1], 'open', i) * ps.mul / ps.div;
    c.high[i] = jsonNumber(path, r[2], 'high', i) * ps.mul / ps.div;
    c.low[i] = jsonNumber(path, r[3], 'low', i) * ps.mul / ps.div;
    c.close[i] = jsonNumber(path, r[4], 'close', i) * ps.mul / ps.div;
    c.volume[i] = jsonNumber(path, r[5], 'volume', i);
  }
  return trim(c, rows.length);
}
