import { basename, dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AutotraderError, instrumentSpecSchema, type AssetClass, type InstrumentSpec } from '@autotrader/core';
import { IMPORT_FORMATS, type ImportFormat } from './detect';
import { DataError, shellPath } from './errors';
import { priceScaleOf, type PriceScale } from './fields';
import { readBytes } from './files';
import { Importer, type ImportResult } from './import';
import { checkRepairMode, type RepairMode } from './repair';
import type { Series } from './series';

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
  /** The instrument's prices may be zero or negative (spreads, some futures); stored in the file. */
  allowNonPositivePrices?: boolean;
  /** Bars: bar length, `1m`, `1d`, `15s` or ms. Default: the most common gap between bars. */
  interval?: string | number;
  /** Multiplies every price (not sizes), e.g. 0.0001 for Lean's deci-cents. */
  priceScale?: number;
  /** Free text stored with the data: where it came from. */
  source?: string;
  /** What to do with a row that breaks the market-data rules: refuse the file (default), `drop` it or `clip` it. */
  repair?: RepairMode;
}

/** The default symbol of a file: its name upper-cased, without `.gz` and its extension. */
export function symbolFromPath(path: string): string {
  let name = basename(path);
  if (name.toLowerCase().endsWith('.gz')) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  if (dot > 0) name = name.slice(0, dot);
  return name.toUpperCase();
}

const INSTRUMENT_FIELDS = ['symbol', 'venue', 'assetClass', 'base', 'quote', 'tickSize', 'lotSize', 'minNotional', 'allowNonPositivePrices'] as const;

/**
 * The instrument spec from the options, validated with core's schema (CONFIG_INVALID names the field).
 * `base` is a spec the options are laid over (an Arrow file's own instrument, when one is re-imported).
 */
export function instrumentFromOptions(path: string, o: ImportOptions, base?: InstrumentSpec): InstrumentSpec {
  const raw: Record<string, unknown> = base === undefined ? { symbol: o.symbol ?? symbolFromPath(path) } : { ...base };
  for (const k of INSTRUMENT_FIELDS) if (o[k] !== undefined) raw[k] = o[k];
  const parsed = instrumentSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.');
    throw new AutotraderError('CONFIG_INVALID', `Instrument ${field} ${JSON.stringify(raw[field])} is invalid: ${issue.message}.`, { details: { field, value: raw[field] } });
  }
  return parsed.data;
}

/** The options of an import, checked: CONFIG_INVALID names a bad format, price scale, repair mode or instrument field. */
export function checkImportOptions(path: string, options: ImportOptions, base?: InstrumentSpec): { instrument: InstrumentSpec; priceScale: PriceScale; format?: ImportFormat; interval?: string | number; source?: string; repair?: RepairMode } {
  if (options.format !== undefined && !IMPORT_FORMATS.includes(options.format)) {
    throw new AutotraderError('CONFIG_INVALID', `--format ${JSON.stringify(options.format)} is not one of ${IMPORT_FORMATS.join(', ')}.`, { details: { format: options.format } });
  }
  const scale = options.priceScale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new AutotraderError('CONFIG_INVALID', `--price-scale ${scale} must be a positive number (e.g. 0.0001 for deci-cents).`, {
      details: { priceScale: scale },
    });
  }
  const repair = checkRepairMode(options.repair);
  return {
    instrument: instrumentFromOptions(path, options, base),
    priceScale: priceScaleOf(scale),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.interval === undefined ? {} : { interval: options.interval }),
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(repair === undefined ? {} : { repair }),
  };
}

/** Bytes fed to an {@link Importer} at a time. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** True when the bytes start with gzip's magic number (whatever the file is called). */
export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Parses a CSV/JSON file (`.csv`, `.txt`, `.json`, gzipped or not: gzip is recognised by its magic bytes)
 * into a series in memory, with a report of what `options.repair` changed. The text is read in chunks
 * and never held as one string. For files of any size use {@link importFile}, which also streams the
 * reading. Errors: DATA_NOT_FOUND, DATA_EMPTY, DATA_FORMAT_UNKNOWN, DATA_PARSE (names the line, column
 * and text, or the rule a value breaks), DATA_UNSORTED (names the line), CONFIG_INVALID (a bad option).
 */
export function parseFileWithReport(path: string, options: ImportOptions = {}): ImportResult {
  const importer = new Importer(path, options);
  let bytes: Uint8Array = readBytes(path, 'import');
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new DataError('DATA_CORRUPT', `${path} starts like gzip but cannot be decompressed (${(cause as Error).message}).`, `Download it again, or check it with \`gzip -t ${shellPath(path)}\`.`, {
        details: { path },
        cause,
      });
    }
  }
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) importer.push(bytes.subarray(at, at + CHUNK_BYTES));
  return importer.finish();
}

/** {@link parseFileWithReport} without the report: the series. */
export function parseFile(path: string, options: ImportOptions = {}): Series {
  return parseFileWithReport(path, options).series;
}

/** The folder of a path, for hints that list it. */
export const folderOf = (path: string): string => dirname(path) || '.';
