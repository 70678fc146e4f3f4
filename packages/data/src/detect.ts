import { DataError, importCommand } from './errors';
import type { SeriesKind } from './series';
import type { CsvText } from './text';
import { parseTime } from './time';

/** The layouts `parseFile` understands (see data/README.md, "Import formats"). */
export const IMPORT_FORMATS = ['ohlcv-csv', 'binance-kline', 'trades-csv', 'binance-trades', 'freqtrade-trades', 'quotes-csv'] as const;
/** One of {@link IMPORT_FORMATS}. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The series kind each format produces. */
export const FORMAT_KIND: Readonly<Record<ImportFormat, SeriesKind>> = {
  'ohlcv-csv': 'bar',
  'binance-kline': 'bar',
  'trades-csv': 'trade',
  'binance-trades': 'trade',
  'freqtrade-trades': 'trade',
  'quotes-csv': 'quote',
};

const unknown = (path: string, what: string): DataError =>
  new DataError('DATA_FORMAT_UNKNOWN', `${path}: cannot tell the layout from ${what}; pass --format (one of ${IMPORT_FORMATS.join(', ')}).`, `Give the layout: \`${importCommand(path, '--format <layout>')}\` (the layouts are described in data/README.md).`, {
    details: { path },
  });

const isBool = (s: string | undefined): boolean => s !== undefined && /^\s*(true|false)\s*$/i.test(s);
const isInteger = (s: string | undefined): boolean => s !== undefined && /^\s*\d+\s*$/.test(s);

/**
 * Guesses a CSV layout. With a header: bid+ask → quotes, open/high/low/close → OHLCV, price+qty → trades.
 * Headerless, by column count: ≥12 with an integer epoch first → Binance klines; 6–8 with a true/false
 * is_buyer_maker in Binance's place → Binance trades; 3 → quotes; 5–7 starting with a time → OHLCV.
 */
export function detectCsvFormat(csv: CsvText): ImportFormat {
  if (csv.header) {
    const h = new Set(csv.header);
    const has = (...names: string[]): boolean => names.some((n) => h.has(n));
    if (has('bid', 'bid_price', 'best_bid', 'bidprice') && has('ask', 'ask_price', 'best_ask', 'askprice', 'offer')) return 'quotes-csv';
    if (has('open', 'o') && has('high', 'h') && has('low', 'l') && has('close', 'c')) return 'ohlcv-csv';
    if (has('price', 'p', 'px') && has('qty', 'quantity', 'size', 'amount', 'volume', 'q')) return 'trades-csv';
    throw unknown(csv.path, `its header [${csv.header.join(', ')}]`);
  }
  const f = csv.first ?? [];
  const n = f.length;
  if (n >= 12 && isInteger(f[0])) return 'binance-kline';
  if ((n === 6 || n === 7) && isBool(f[5])) return 'binance-trades';
  if (n === 8 && isBool(f[6])) return 'binance-trades';
  const startsWithTime = !Number.isNaN(parseTime(f[0] ?? ''));
  if (n === 3 && startsWithTime) return 'quotes-csv';
  if (n >= 5 && n <= 7 && startsWithTime) return 'ohlcv-csv';
  throw unknown(csv.path, `its first row (${n} headerless columns: ${JSON.stringify(f.join(csv.delimiter).slice(0, 80))})`);
}

/**
 * Guesses a JSON layout from its first element: `[ts, id, type, "buy"|"sell", price, amount, cost]` →
 * freqtrade trades; `[openTime, o, h, l, c, v, ...]` → Binance klines; `{a, p, q, T, m}` or
 * `{id, price, qty, time, isBuyerMaker}` → Binance trades.
 */
export function detectJsonFormat(path: string, rows: readonly unknown[]): ImportFormat {
  const r = rows[0];
  if (Array.isArray(r)) {
    if (r.length === 7 && (r[3] === 'buy' || r[3] === 'sell' || r[3] === null) && typeof r[0] === 'number') return 'freqtrade-trades';
    if (r.length >= 6 && typeof r[0] === 'number') return 'binance-kline';
  } else if (typeof r === 'object' && r !== null) {
    const o = r as Record<string, unknown>;
    if ('p' in o && 'q' in o && 'T' in o) return 'binance-trades';
    if ('price' in o && 'qty' in o && 'time' in o) return 'binance-trades';
  }
  throw unknown(path, `its first JSON element ${JSON.stringify(r)?.slice(0, 80)}`);
}
