/**
 * @packageDocumentation
 * Run reports: performance metrics (returns, Sharpe, Sortino, drawdown, exposure, trade statistics),
 * a text summary, JSON output, CSV files and a self-contained HTML report, plus a terminal progress bar.
 */
export type { EquityCurve, RoundTripTrade, FillRecord, RunResult, Summary, SummaryMeta, AccountFigures } from './types';
export { computeMetrics, DAY_MS, YEAR_MS } from './metrics';
export { formatSummary, summaryRows, accountRows, tradeCurrenciesOf, formatMoney, formatPercent, formatTime, formatDuration, formatFixed, formatCount, formatParams, NOT_AVAILABLE, type SummaryRow } from './format';
export { summaryToJson, type ReportJson, type JsonSummary, type JsonRoundTripTrade, type JsonFillRecord, type JsonAccountFigures } from './json';
export { toJsonSafe, type JsonValue } from './json-safe';
export { writeReport, TRADES_CSV_HEADER, TRADES_CSV_ACCOUNT_COLUMNS, FILLS_CSV_HEADER, EQUITY_CSV_HEADER, type WriteReportOptions } from './write-report';
export { prepareOutputDir } from './output-dir';
export { formatRefusals, refusalTotals, type Refusals } from './refusals';
export { renderReportHtml, type HtmlReportOptions } from './html';
export { csvField, CsvWriter, writeCsv } from './csv';
export { lastPerBucket, MinMaxDownsampler, type Series } from './downsample';
export { escapeHtml } from './escape';
export { renderChart, niceTicks, type ChartSpec, type ChartMarker } from './svg';
export { createProgressBar, renderLine, type ProgressBar, type ProgressBarOptions } from './progress';
