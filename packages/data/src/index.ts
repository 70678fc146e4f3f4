/**
 * @packageDocumentation
 * The Arrow data catalog: import CSV/JSON market data into uncompressed Arrow IPC files, read them back
 * column by column into typed arrays, and merge several streams in event-time order.
 */
export {
  eventTimes,
  isBarSeries,
  isTradeSeries,
  isQuoteSeries,
  sliceByEventTime,
  type SeriesKind,
  type SeriesMeta,
  type BarColumns,
  type TradeColumns,
  type QuoteColumns,
  type BarSeries,
  type TradeSeries,
  type QuoteSeries,
  type Series,
  type TimeRange,
} from './series';
export { readSeries, readSeriesUnchecked } from './arrow-read';
export { writeSeries, seriesToArrow, ArrowOutput } from './arrow-write';
export { FORMAT_VERSION, LAYOUT, META, arrowFields } from './arrow-schema';
export { parseFile, parseFileWithReport, symbolFromPath, type ImportOptions } from './parse';
export { Importer, type ImportResult } from './import';
export { IMPORT_FORMATS, type ImportFormat } from './detect';
export { importFile, loadSeries, formatImportSummary, formatInterval, IN_MEMORY_IMPORT_LIMIT, type ImportSummary, type ImportFileOptions } from './load';
export { REPAIR_MODES, formatRepair, type RepairMode, type RepairReport } from './repair';
export { findBadRow, type BadRow } from './validate';
export { DataError } from './errors';
export { MAX_FILE_BYTES, formatBytes } from './files';
export { mergeByTime, type MergeOrder } from './merge';
export { parseTime, parseInterval, inferIntervalMs } from './time';
