import type { TradeBuilder } from './builders';
import { DataError } from './errors';
import { buyerMakerText, csvNumber, csvTime, headerTime, jsonNumber, jsonTime, sideText, type PriceScale } from './fields';
import { findColumn, parseError, TIME_NAMES, type CsvText } from './text';

const NAMES = {
  price: ['price', 'p', 'px', 'trade_price'],
  size: ['qty', 'quantity', 'size', 'amount', 'volume', 'q', 'sz', 'base_qty'],
  side: ['side', 'aggressor', 'aggressor_side', 'taker_side'],
  buyerMaker: ['is_buyer_maker', 'buyer_maker', 'isbuyermaker', 'm'],
  id: ['trade_id', 'id', 'tradeid', 'agg_trade_id', 'a'],
} as const;

/** Data rows go to a function of their fields and 1-based line. */
type CsvRows = (fields: string[], line: number) => void;

/**
 * Trades CSV with a header: time, price, qty|quantity|size|amount, optional side (buy/sell, the
 * aggressor) or is_buyer_maker (true means the seller was the aggressor), optional id|trade_id.
 */
export function tradesCsvRows(csv: CsvText, ps: PriceScale, b: TradeBuilder): CsvRows {
  const { path } = csv;
  const header = csv.header!;
  const time = headerTime(path, header, TIME_NAMES);
  const price = findColumn(header, NAMES.price);
  const size = findColumn(header, NAMES.size);
  const missing = [...(time ? [] : ['time']), ...(price < 0 ? ['price'] : []), ...(size < 0 ? ['qty'] : [])];
  if (missing.length > 0) {
    throw new DataError(
      'DATA_PARSE',
      `${path} line ${csv.headerLine}: the header [${header.join(', ')}] has no ${missing.join(', ')} column; trade files need ts, price and qty (side and id optional).`,
      `Rename the header's columns, or give the layout with \`pnpm data import ${path} --out <file.arrow> --format <layout>\` (layouts: see data/README.md).`,
      { details: { path, line: csv.headerLine, column: missing[0], header } },
    );
  }
  const side = findColumn(header, NAMES.side);
  const buyerMaker = side >= 0 ? -1 : findColumn(header, NAMES.buyerMaker);
  const id = findColumn(header, NAMES.id);
  const { mul, div } = ps;
  return (f, line) => {
    let aggressor = 0;
    if (side >= 0 || buyerMaker >= 0) {
      const text = f[side >= 0 ? side : buyerMaker] ?? '';
      const a = side >= 0 ? sideText(text) : buyerMakerText(text);
      if (a === undefined) throw parseError(path, { line }, header[side >= 0 ? side : buyerMaker], text, side >= 0 ? 'is not a side (buy, sell, or empty)' : 'is not true or false');
      aggressor = a;
    }
    b.add(line, time!.read(f, line), (csvNumber(path, f, price, 'price', line) * mul) / div, csvNumber(path, f, size, 'qty', line), aggressor, id >= 0 ? (f[id] ?? '').trim() : '');
  };
}

/**
 * Binance trades CSV (headerless), in either of Binance's two dumps:
 * trades `id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]` (6–7 columns), or aggTrades
 * `agg_id,price,qty,first_id,last_id,time,is_buyer_maker,is_best_match` (8 columns).
 */
export function binanceTradesCsvRows(csv: CsvText, ps: PriceScale, b: TradeBuilder): CsvRows {
  const { path } = csv;
  if (csv.header) return tradesCsvRows(csv, ps, b);
  const agg = (csv.first?.length ?? 0) >= 8;
  const tsCol = agg ? 5 : 4;
  const makerCol = agg ? 6 : 5;
  const { mul, div } = ps;
  return (f, line) => {
    const text = f[makerCol] ?? '';
    const aggressor = buyerMakerText(text);
    if (aggressor === undefined) throw parseError(path, { line }, 'is_buyer_maker', text, 'is not true or false');
    b.add(line, csvTime(path, f, tsCol, 'time', line), (csvNumber(path, f, 1, 'price', line) * mul) / div, csvNumber(path, f, 2, 'qty', line), aggressor, (f[0] ?? '').trim());
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One element of Binance trades JSON: aggTrades `{a, p, q, f, l, T, m}` or trades `{id, price, qty, time,
 * isBuyerMaker}`. `m`/`isBuyerMaker` true means the seller was the aggressor.
 */
export function binanceTradeJsonRow(path: string, r: unknown, i: number, ps: PriceScale, b: TradeBuilder): void {
  if (!isRecord(r)) throw parseError(path, { element: i }, 'row', JSON.stringify(r) ?? 'undefined', 'is not a Binance trade object');
  const agg = 'T' in r;
  const maker = agg ? r.m : r.isBuyerMaker;
  if (typeof maker !== 'boolean') throw parseError(path, { element: i }, agg ? 'm' : 'isBuyerMaker', JSON.stringify(maker) ?? 'undefined', 'is not true or false');
  const id = agg ? r.a : r.id;
  b.add(
    i,
    jsonTime(path, agg ? r.T : r.time, agg ? 'T' : 'time', i),
    (jsonNumber(path, agg ? r.p : r.price, agg ? 'p' : 'price', i) * ps.mul) / ps.div,
    jsonNumber(path, agg ? r.q : r.qty, agg ? 'q' : 'qty', i),
    maker ? -1 : 1,
    id === undefined || id === null ? '' : String(id),
  );
}

/** One element of freqtrade trades JSON, `[ts_ms, id, type, side, price, amount, cost]`; side is the aggressor. */
export function freqtradeJsonRow(path: string, r: unknown, i: number, ps: PriceScale, b: TradeBuilder): void {
  if (!Array.isArray(r) || r.length < 6) {
    throw parseError(path, { element: i }, 'row', JSON.stringify(r) ?? 'undefined', 'is not a freqtrade trade [timestamp, id, type, side, price, amount, cost]');
  }
  const sideValue = r[3] === null || r[3] === undefined ? '' : String(r[3]);
  const aggressor = sideText(sideValue);
  if (aggressor === undefined) throw parseError(path, { element: i }, 'side', sideValue, 'is not a side (buy, sell, or null)');
  b.add(i, jsonTime(path, r[0], 'timestamp', i), (jsonNumber(path, r[4], 'price', i) * ps.mul) / ps.div, jsonNumber(path, r[5], 'amount', i), aggressor, r[1] === null || r[1] === undefined ? '' : String(r[1]));
}
