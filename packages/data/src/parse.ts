import { basename } from 'node:path';
import { AutotraderError, instrumentSpecSchema, type AssetClass, type InstrumentSpec } from '@autotrader/core';
import { parseKlineJson, parseOhlcvCsv } from './bars';
import { detectCsvFormat, detectJsonFormat, FORMAT_KIND, IMPORT_FORMATS, type ImportFormat } from './detect';
import { priceScaleOf, type PriceScale } from './fields';
import { parseQuotesCsv } from './quotes';
import type { BarSeries, QuoteSeries, Series, SeriesMeta, TradeSeries } from './series';
import { csvText, readText } from './text';
import { inferIntervalMs, parseInterval, parseTime } from './time';
import { parseBinanceTradesCsv, parseBinanceTradesJson, parseFreqtradeJson, parseTradesCsv } from './trades';

/** How to read a CSV/JSON file and which instrument its rows belong to. */
export interface ImportOptions {
  /** The source layout; auto-detected from the header, first row or JSON shape when absent. */
  format?: ImportFormat;
  /** Default: the file name upper-cased, without extensions (`btc-perp.csv.gz` → `BTC-PERP`). */
  symbol?: string;
  /** Default 'SIM'. */
  venue?: string;
  assetClass?: AssetClass;
  base?: string;
  quote?: string;
  tickSize?: string | number;
  lotSize?: string | number;
  minNotional?: string | number;
  /** Bars: bar length, `1m`, `1d`, `15s` or ms. Default: the most common gap between bars. */
  interval?: string | number;
  /** Multiplies every price (not sizes), e.g. 0.0001 for Lean's deci-cents. */
  priceScale?: number;
  /** Free text stored with the data: where it came from. */
  source?: string;
}

/** The default symbol of a file: its name upper-cased, without `.gz` and its extension. */
export function symbolFromPath(path: string): string {
  let name = basename(path);
  if (name.toLowerCase().endsWith('.gz')) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  if (dot > 0) name = name.slice(0, dot);
  return name.toUpperCase();
}

/** The instrument spec from the options, validated with core's schema (CONFIG_INVALID names the field). */
export function instrumentFromOptions(path: string, o: ImportOptions): InstrumentSpec {
  const raw: Record<string, unknown> = { symbol: o.symbol ?? symbolFromPath(path) };
  const fields = ['venue', 'assetClass', 'base', 'quote', 'tickSize', 'lotSize', 'minNotional'] as const;
  for (const k of fields) if (o[k] !== undefined) raw[k] = o[k];
  const parsed = instrumentSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.');
    throw new AutotraderError('CONFIG_INVALID', `Instrument ${field} ${JSON.stringify(raw[field])} is invalid: ${issue.message}.`, { details: { field, value: raw[field] } });
  }
  return parsed.data;
}

/** JSON.parse with DATA_PARSE naming the line of a syntax error. */
function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const m = /position (\d+)/.exec((cause as Error).message);
    const pos = m ? Number(m[1]) : -1;
    const line = pos >= 0 ? text.slice(0, pos).split('\n').length : 0;
    throw new AutotraderError('DATA_PARSE', `${path}${line ? ` line ${line}` : ''}: not valid JSON (${(cause as Error).message}); fix the file and import again.`, {
      details: { path, line },
      cause,
    });
  }
}

type Rows = { length: number; columns: Series['columns'] };

function parseJsonRows(path: string, text: string, format: ImportFormat | undefined, ps: PriceScale): { format: ImportFormat; rows: Rows } {
  const doc = parseJson(path, text);
  if (!Array.isArray(doc)) {
    throw new AutotraderError('DATA_FORMAT_UNKNOWN', `${path}: the JSON is not an array of rows; supported JSON layouts are Binance klines, Binance (agg)trades and freqtrade trades.`, {
      details: { path },
    });
  }
  if (doc.length === 0) throw new AutotraderError('DATA_EMPTY', `${path} is an empty JSON array; there is nothing to import.`, { details: { path } });
  const f = format ?? detectJsonFormat(path, doc);
  switch (f) {
    case 'binance-kline':
      return { format: f, rows: parseKlineJson(path, doc, ps) };
    case 'binance-trades':
      return { format: f, rows: parseBinanceTradesJson(path, doc, ps) };
    case 'freqtrade-trades':
      return { format: f, rows: parseFreqtradeJson(path, doc, ps) };
    default:
      throw new AutotraderError('DATA_FORMAT_UNKNOWN', `${path} is JSON, but --format ${f} is a CSV layout; use binance-kline, binance-trades or freqtrade-trades, or give a CSV file.`, {
        details: { path, format: f },
      });
  }
}

function parseCsvRows(path: string, text: string, format: ImportFormat | undefined, ps: PriceScale): { format: ImportFormat; rows: Rows } {
  const csv = csvText(path, text, parseTime);
  const f = format ?? detectCsvFormat(csv);
  switch (f) {
    case 'ohlcv-csv':
    case 'binance-kline':
      return { format: f, rows: parseOhlcvCsv(csv, ps) };
    case 'trades-csv':
      if (!csv.header) {
        throw new AutotraderError('DATA_FORMAT_UNKNOWN', `${path}: trades-csv needs a header (ts, price, qty[, side][, id]); for Binance's headerless dumps use --format binance-trades.`, {
          details: { path },
        });
      }
      return { format: f, rows: parseTradesCsv(csv, ps) };
    case 'binance-trades':
      return { format: f, rows: parseBinanceTradesCsv(csv, ps) };
    case 'quotes-csv':
      return { format: f, rows: parseQuotesCsv(csv, ps) };
    case 'freqtrade-trades':
      throw new AutotraderError('DATA_FORMAT_UNKNOWN', `${path}: freqtrade-trades is a JSON layout but the file is not JSON.`, { details: { path } });
  }
}

/**
 * Parses a CSV/JSON file (`.csv`, `.txt`, `.json`, gzipped or not: gzip is recognised by its magic bytes)
 * into a series in memory. JSON vs CSV is decided by the content, the layout by `options.format` or by
 * detection. Errors: DATA_NOT_FOUND, DATA_EMPTY, DATA_FORMAT_UNKNOWN, DATA_PARSE (names the line, column
 * and text), DATA_UNSORTED (names the line), CONFIG_INVALID (bad instrument or interval option).
 */
export function parseFile(path: string, options: ImportOptions = {}): Series {
  if (options.format !== undefined && !IMPORT_FORMATS.includes(options.format)) {
    throw new AutotraderError('CONFIG_INVALID', `--format ${JSON.stringify(options.format)} is not one of ${IMPORT_FORMATS.join(', ')}.`, { details: { format: options.format } });
  }
  const instrument = instrumentFromOptions(path, options);
  const scale = options.priceScale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new AutotraderError('CONFIG_INVALID', `--price-scale ${scale} must be a positive number (e.g. 0.0001 for deci-cents).`, {
      details: { priceScale: scale },
    });
  }
  const ps = priceScaleOf(scale);
  const text = readText(path);
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (i === text.length) throw new AutotraderError('DATA_EMPTY', `${path} is empty; there is nothing to import.`, { details: { path } });
  const isJson = text[i] === '[' || text[i] === '{';
  const { format, rows } = isJson ? parseJsonRows(path, text, options.format, ps) : parseCsvRows(path, text, options.format, ps);
  if (rows.length === 0) throw new AutotraderError('DATA_EMPTY', `${path} has a header but no data rows; there is nothing to import.`, { details: { path } });
  const kind = FORMAT_KIND[format];
  const meta: SeriesMeta = { kind, instrument };
  if (options.source !== undefined) meta.source = options.source;
  if (kind === 'bar') {
    const ts = (rows.columns as BarSeries['columns']).tsOpen;
    const intervalMs = options.interval !== undefined ? parseInterval(options.interval) : inferIntervalMs(ts);
    if (intervalMs === undefined) {
      throw new AutotraderError('CONFIG_INVALID', `${path} has a single bar, so its interval cannot be inferred; pass --interval (e.g. 1m, 1d).`, { details: { path } });
    }
    meta.intervalMs = intervalMs;
    return { meta: meta as BarSeries['meta'], length: rows.length, columns: rows.columns as BarSeries['columns'] };
  }
  if (kind === 'trade') return { meta: meta as TradeSeries['meta'], length: rows.length, columns: rows.columns as TradeSeries['columns'] };
  return { meta: meta as QuoteSeries['meta'], length: rows.length, columns: rows.columns as QuoteSeries['columns'] };
}
