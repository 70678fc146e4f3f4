import type { BarBuilder } from './builders';
import { DataError } from './errors';
import { csvNumber, csvTime, headerTime, jsonNumber, jsonTime, type CsvTimeReader, type PriceScale } from './fields';
import { findColumn, TIME_NAMES, type CsvText } from './text';

const NAMES = {
  open: ['open', 'o', 'open_price'],
  high: ['high', 'h', 'high_price'],
  low: ['low', 'l', 'low_price'],
  close: ['close', 'c', 'close_price', 'last'],
  volume: ['volume', 'vol', 'v', 'base_volume'],
} as const;

/** Column positions of a bar layout; volume -1 when the file has none (stored as 0 = unknown). */
interface BarLayout {
  time: CsvTimeReader;
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
    throw new DataError(
      'DATA_PARSE',
      `${csv.path} line ${csv.headerLine}: the header [${header.join(', ')}] has no ${missing.join(', ')} column; OHLCV files need timestamp, open, high, low, close (volume optional).`,
      `Rename the header's columns, or give the layout with \`pnpm data import ${csv.path} --out <file.arrow> --format <layout>\` (layouts: see data/README.md).`,
      { details: { path: csv.path, line: csv.headerLine, column: missing[0], header } },
    );
  }
  return { time: time!.read, ...cols, volume: findColumn(header, NAMES.volume) };
}

/**
 * OHLCV CSV rows into a bar builder. With a header, columns are found by name (case-insensitive; extra
 * columns such as `Adj Close` or an unnamed index are ignored). Without one: ts,open,high,low,close
 * [,volume,...], which also covers Binance's headerless 12-column kline CSV (open time in ms or µs).
 * Returns the function that takes each data row's fields and 1-based line.
 */
export function ohlcvCsvRows(csv: CsvText, ps: PriceScale, b: BarBuilder): (fields: string[], line: number) => void {
  const path = csv.path;
  const l: BarLayout = csv.header
    ? headerLayout(csv, csv.header)
    : { time: (f, line) => csvTime(path, f, 0, 'ts', line), open: 1, high: 2, low: 3, close: 4, volume: (csv.first?.length ?? 0) > 5 ? 5 : -1 };
  const { mul, div } = ps;
  return (f, line) => {
    b.add(
      line,
      l.time(f, line),
      (csvNumber(path, f, l.open, 'open', line) * mul) / div,
      (csvNumber(path, f, l.high, 'high', line) * mul) / div,
      (csvNumber(path, f, l.low, 'low', line) * mul) / div,
      (csvNumber(path, f, l.close, 'close', line) * mul) / div,
      l.volume < 0 ? 0 : csvNumber(path, f, l.volume, 'volume', line),
    );
  };
}

/** One element of Binance kline REST JSON, `[openTime, "open", "high", "low", "close", "volume", closeTime, ...]`, into a bar builder. */
export function klineJsonRow(path: string, r: unknown, i: number, ps: PriceScale, b: BarBuilder): void {
  if (!Array.isArray(r) || r.length < 6) {
    throw new DataError('DATA_PARSE', `${path} row ${i + 1} (element [${i}] of the JSON array) is not a kline [openTime, open, high, low, close, volume, ...]: ${JSON.stringify(r)?.slice(0, 80)}.`, `Check the file is Binance kline JSON (\`head -c 300 ${path}\`), or give its layout with --format.`, {
      details: { path, element: i, column: 'row' },
    });
  }
  const { mul, div } = ps;
  b.add(
    i,
    jsonTime(path, r[0], 'open_time', i),
    (jsonNumber(path, r[1], 'open', i) * mul) / div,
    (jsonNumber(path, r[2], 'high', i) * mul) / div,
    (jsonNumber(path, r[3], 'low', i) * mul) / div,
    (jsonNumber(path, r[4], 'close', i) * mul) / div,
    jsonNumber(path, r[5], 'volume', i),
  );
}
