import { AutotraderError, type InstrumentSpec } from '@autotrader/core';
import { DataError, importCommand, shellPath } from './errors';

/** What one row of a series is: an OHLCV bar, a trade print or a top-of-book quote. */
export type SeriesKind = 'bar' | 'trade' | 'quote';

/** Everything about a series except its rows. Stored as Arrow schema metadata. */
export interface SeriesMeta {
  kind: SeriesKind;
  /** The instrument the rows belong to (symbol, venue, asset class, tick and lot size...). */
  instrument: InstrumentSpec;
  /** Bars only: bar length in ms (inferred at import as the most common gap; overridable). */
  intervalMs?: number;
  /** Free text: where the data came from. */
  source?: string;
}

/** Bar columns. `tsOpen` is epoch ms of the bar's open; a volume of 0 means unknown. */
export interface BarColumns {
  tsOpen: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Trade columns. `aggressor`: 1 buy, -1 sell, 0 unknown. `tradeId(i)` is '' when the source had none. */
export interface TradeColumns {
  ts: Float64Array;
  price: Float64Array;
  size: Float64Array;
  aggressor: Int8Array;
  tradeId(i: number): string;
  /**
   * The ids as Arrow stores them (UTF-8 bytes, and `length + 1` offsets starting at 0), when the series
   * has them that way: a writer then copies them as they are instead of encoding every id again.
   */
  readonly arrowIds?: { readonly bytes: Uint8Array; readonly offsets: Int32Array };
}

/** Quote columns. A size of 0 means the source did not give one. */
export interface QuoteColumns {
  ts: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
}

/** A series of bars. */
export type BarSeries = { meta: SeriesMeta & { kind: 'bar' }; length: number; columns: BarColumns };
/** A series of trade prints. */
export type TradeSeries = { meta: SeriesMeta & { kind: 'trade' }; length: number; columns: TradeColumns };
/** A series of top-of-book quotes. */
export type QuoteSeries = { meta: SeriesMeta & { kind: 'quote' }; length: number; columns: QuoteColumns };
/** One instrument's market data of one kind, held column by column in typed arrays. */
export type Series = BarSeries | TradeSeries | QuoteSeries;

/** Narrows a {@link Series} to bars (TypeScript cannot narrow on the nested `meta.kind`). */
export const isBarSeries = (s: Series): s is BarSeries => s.meta.kind === 'bar';
/** Narrows a {@link Series} to trades. */
export const isTradeSeries = (s: Series): s is TradeSeries => s.meta.kind === 'trade';
/** Narrows a {@link Series} to quotes. */
export const isQuoteSeries = (s: Series): s is QuoteSeries => s.meta.kind === 'quote';

/** The bar length of a bar series; a bar series without one cannot be replayed, so it is an error. */
export function barInterval(series: BarSeries): number {
  const ms = series.meta.intervalMs;
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new AutotraderError('CONFIG_INVALID', `Bar series ${series.meta.instrument.symbol} has no valid meta.intervalMs (got ${ms}); set it or re-import with --interval.`, {
      details: { intervalMs: ms },
    });
  }
  return ms;
}

/** Row timestamps as stored: bar open times for bars, event times for ticks. */
export function rowTimes(series: Series): Float64Array {
  return isBarSeries(series) ? series.columns.tsOpen : series.columns.ts;
}

/**
 * Event time of each row: bars → tsOpen + intervalMs (a bar is known when it closes); ticks → ts.
 * For ticks the returned array is the `ts` column itself, not a copy.
 */
export function eventTimes(series: Series): Float64Array {
  if (!isBarSeries(series)) return series.columns.ts;
  const interval = barInterval(series);
  const ts = series.columns.tsOpen;
  const out = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) out[i] = ts[i] + interval;
  return out;
}

/** First index whose value is >= `x` in an ascending array. */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Index of the first row whose time goes backwards (bars: tsOpen must strictly increase; ticks: ts must
 * not decrease), or -1 when the rows are in order.
 */
export function firstUnsortedRow(series: Series): number {
  const strict = isBarSeries(series);
  const t = rowTimes(series);
  for (let i = 1; i < t.length; i++) {
    if (strict ? !(t[i] > t[i - 1]) : !(t[i] >= t[i - 1])) return i;
  }
  return -1;
}

/** Rows `start` (inclusive) to `end` (exclusive) of a series, as views on the same memory. */
export function sliceRows(series: Series, start: number, end: number): Series {
  if (start === 0 && end === series.length) return series;
  const length = end - start;
  if (isBarSeries(series)) {
    const c = series.columns;
    return {
      meta: series.meta,
      length,
      columns: {
        tsOpen: c.tsOpen.subarray(start, end),
        open: c.open.subarray(start, end),
        high: c.high.subarray(start, end),
        low: c.low.subarray(start, end),
        close: c.close.subarray(start, end),
        volume: c.volume.subarray(start, end),
      },
    };
  }
  if (isTradeSeries(series)) {
    const c = series.columns;
    const ids = c.tradeId.bind(c);
    return {
      meta: series.meta,
      length,
      columns: {
        ts: c.ts.subarray(start, end),
        price: c.price.subarray(start, end),
        size: c.size.subarray(start, end),
        aggressor: c.aggressor.subarray(start, end),
        tradeId: (i: number) => ids(i + start),
      },
    };
  }
  const c = (series as QuoteSeries).columns;
  return {
    meta: series.meta as QuoteSeries['meta'],
    length,
    columns: {
      ts: c.ts.subarray(start, end),
      bid: c.bid.subarray(start, end),
      ask: c.ask.subarray(start, end),
      bidSize: c.bidSize.subarray(start, end),
      askSize: c.askSize.subarray(start, end),
    },
  };
}

/** Options shared by everything that narrows a series to a time window. */
export interface TimeRange {
  /** Epoch ms, inclusive, compared with each row's event time. */
  from?: number;
  /** Epoch ms, exclusive, compared with each row's event time. */
  to?: number;
}

/**
 * Narrows a series to rows whose EVENT time is in [from, to), by binary search and without copying.
 * Throws RANGE_INVALID when from > to and DATA_EMPTY when no row is left.
 */
export function sliceByEventTime(series: Series, range: TimeRange, what: string): Series {
  const { from, to } = range;
  if (from !== undefined && to !== undefined && from > to) {
    throw new AutotraderError('RANGE_INVALID', `--from (${isoOrNumber(from)}) is after --to (${isoOrNumber(to)}); swap them.`, { details: { from, to } });
  }
  if (series.length === 0) {
    throw new DataError('DATA_EMPTY', `${what} has no rows.`, `Import a file that has rows: \`${importCommand('<file.csv>')}\`.`, { details: { path: what } });
  }
  if (from === undefined && to === undefined) return series;
  // Bars: eventTime = tsOpen + interval is monotonic in tsOpen, so search tsOpen against shifted bounds
  // instead of building an event-time array.
  const shift = isBarSeries(series) ? barInterval(series) : 0;
  const t = rowTimes(series);
  const start = from === undefined ? 0 : lowerBound(t, from - shift);
  const end = to === undefined ? t.length : lowerBound(t, to - shift);
  if (end <= start) {
    const first = isoOrNumber(t[0] + shift);
    const last = isoOrNumber(t[t.length - 1] + shift);
    throw new DataError(
      'DATA_EMPTY',
      `${what} has no rows with event time in [${isoOrNumber(from)}, ${isoOrNumber(to)}); its rows span ${first} to ${last}.`,
      `Choose --from/--to inside that span, for example \`pnpm backtest --data ${shellPath(what)} --from ${first.slice(0, 10)}\`.`,
      { details: { path: what, from, to } },
    );
  }
  return sliceRows(series, start, end);
}

/** An epoch-ms time as ISO text for messages; anything else as-is. */
export function isoOrNumber(ms: number | undefined): string {
  if (ms === undefined) return 'unbounded';
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms);
  return new Date(ms).toISOString();
}
