import { AutotraderError } from '@autotrader/core';
import { readSeriesUnchecked } from './arrow-read';
import { BarBuilder, QuoteBuilder, TradeBuilder, type RowRules } from './builders';
import type { ImportResult } from './import';
import { checkImportOptions, type ImportOptions } from './parse';
import { isBarSeries, isTradeSeries, type Series, type SeriesMeta } from './series';
import { parseInterval } from './time';

/**
 * Re-imports one of our Arrow files: every row is checked with the market-data rules as an import checks
 * a CSV, so `--repair drop|clip` can keep a file that `readSeries` refuses (rows are named 1-based, as the
 * refusal named them). The file's instrument, interval and source are kept; instrument options given
 * (for example `allowNonPositivePrices`) are laid over them. `format` and `priceScale` apply only to text.
 */
export function reimportArrow(path: string, options: ImportOptions): ImportResult {
  for (const k of ['format', 'priceScale'] as const) {
    if (options[k] !== undefined) {
      throw new AutotraderError('CONFIG_INVALID', `--${k === 'format' ? 'format' : 'price-scale'} applies to CSV and JSON files; ${path} is an Arrow file, re-imported as it is.`, { details: { [k]: options[k] } });
    }
  }
  const src = readSeriesUnchecked(path);
  const o = checkImportOptions(path, options, src.meta.instrument);
  const rules: RowRules = { path, repair: o.repair, allowNonPositivePrices: o.instrument.allowNonPositivePrices === true, locate: (i) => ({ row: i + 1 }) };
  const meta: SeriesMeta = { ...src.meta, instrument: o.instrument };
  if (o.source !== undefined) meta.source = o.source;
  if (o.interval !== undefined) meta.intervalMs = parseInterval(o.interval);
  const n = src.length;
  let series: Series;
  let b: BarBuilder | TradeBuilder | QuoteBuilder;
  if (isBarSeries(src)) {
    const c = src.columns;
    const bars = new BarBuilder(rules);
    bars.reserve(n);
    for (let i = 0; i < n; i++) bars.add(i, c.tsOpen[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]);
    series = { meta: meta as typeof src.meta, length: bars.length, columns: bars.columns() };
    b = bars;
  } else if (isTradeSeries(src)) {
    const c = src.columns;
    const trades = new TradeBuilder(rules);
    trades.reserve(n);
    for (let i = 0; i < n; i++) trades.add(i, c.ts[i], c.price[i], c.size[i], c.aggressor[i], c.tradeId(i));
    series = { meta: meta as typeof src.meta, length: trades.length, columns: trades.columns() };
    b = trades;
  } else {
    const c = src.columns;
    const quotes = new QuoteBuilder(rules);
    quotes.reserve(n);
    for (let i = 0; i < n; i++) quotes.add(i, c.ts[i], c.bid[i], c.ask[i], c.bidSize[i], c.askSize[i]);
    series = { meta: meta as never, length: quotes.length, columns: quotes.columns() } as Series;
    b = quotes;
  }
  const repair = b.log?.report();
  return { series, format: 'arrow', ...(repair === undefined ? {} : { repair }) };
}
