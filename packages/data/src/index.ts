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
export { readSeries } from './arrow-read';
export { writeSeries, seriesToArrow } from './arrow-write';
export { FORMAT_VERSION, LAYOUT, META } from './arrow-schema';
export { parseFile, symbolFromPath, type ImportOptions } from './parse';
export { IMPORT_FORMATS, type ImportFormat } from './detect';
export { importFile, loadSeries, formatImportSummary, formatInterval, type ImportSummary } from './load';
export { mergeByTime, type MergeOrder } from './merge';
export { parseTime, parseInterval, inferIntervalMs } from './time';
