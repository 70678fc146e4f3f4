import { AutotraderError } from '@autotrader/core';
import type { TradeColumns } from './series';
import { findColumn, forEachRow, parseError, TIME_NAMES, type CsvText } from './text';
import { buyerMakerText, checkOrder, csvNumber, csvTime, headerTime, jsonNumber, jsonTime, sideText, type PriceScale } from './fields';
import { arrayIds } from './trade-ids';

/** Parsed trade rows (typed arrays trimmed to `length`). */
export interface ParsedTrades {
  length: number;
  columns: TradeColumns;
}

/** Growing trade columns: typed arrays of a known capacity plus the ids as strings. */
class TradeBuilder {
  readonly ts: Float64Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly aggressor: Int8Array;
  readonly ids: string[] = [];
  private prev = -Infinity;

  constructor(
    private readonly path: string,
    capacity: number,
  ) {
    this.ts = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.size = new Float64Array(capacity);
    this.aggressor = new Int8Array(capacity);
  }

  /** Stores row `i`; `at` names the row if its time goes backwards. */
  set(i: number, ts: number, price: number, size: number, aggressor: number, id: string, at: () => { line: number } | { element: number }): void {
    checkOrder(this.path, ts, this.prev, false, at);
    this.prev = ts;
    this.ts[i] = ts;
    this.price[i] = price;
    this.size[i] = size;
    this.aggressor[i] = aggressor;
    this.ids[i] = id;
  }

  done(n: number): ParsedTrades {
    return {
      length: n,
      columns: {
        ts: this.ts.subarray(0, n),
        price: this.price.subarray(0, n),
        size: this.size.subarray(0, n),
        aggressor: this.aggressor.subarray(0, n),
        tradeId: arrayIds(this.ids),
      },
    };
  }
}

const NAMES = {
  price: ['price', 'p', 'px', 'trade_price'],
  size: ['qty', 'quantity', 'size', 'amount', 'volume', 'q', 'sz', 'base_qty'],
  side: ['side', 'aggressor', 'aggressor_side', 'taker_side'],
  buyerMaker: ['is_buyer_maker', 'buyer_maker', 'isbuyermaker', 'm'],
  id: ['trade_id', 'id', 'tradeid', 'agg_trade_id', 'a'],
} as const;

/**
 * Trades CSV with a header: time, price, qty|quantity|size|amount, optional side (buy/sell, the
 * aggressor) or is_buyer_maker (true means the seller was the aggressor), optional id|trade_id.
 */
export function parseTradesCsv(csv: CsvText, ps: PriceScale): ParsedTrades {
  const { path } = csv;
  const header = csv.header!;
  const time = headerTime(path, header, TIME_NAMES);
  const price = findColumn(header, NAMES.price);
  const size = findColumn(header, NAMES.size);
  const missing = [...(time ? [] : ['time']), ...(price < 0 ? ['price'] : []), ...(size < 0 ? ['qty'] : [])];
  if (missing.length > 0) {
    throw new AutotraderError('DATA_PARSE', `${path} line ${csv.start}: the header [${header.join(', ')}] has no ${missing.join(', ')} column; trade files need ts, price and qty (side and id optional).`, {
      details: { path, line: csv.start, column: missing[0], header },
    });
  }
  const side = findColumn(header, NAMES.side);
  const buyerMaker = side >= 0 ? -1 : findColumn(header, NAMES.buyerMaker);
  const id = findColumn(header, NAMES.id);
  const b = new TradeBuilder(path, csv.lines.length - csv.start);
  const n = forEachRow(csv, (f, line, i) => {
    let aggressor = 0;
    if (side >= 0 || buyerMaker >= 0) {
      const text = f[side >= 0 ? side : buyerMaker] ?? '';
      const a = side >= 0 ? sideText(text) : buyerMakerText(text);
      if (a === undefined) throw parseError(path, { line }, header[side >= 0 ? side : buyerMaker], text, side >= 0 ? 'is not a side (buy, sell, or empty)' : 'is not true or false');
      aggressor = a;
    }
    b.set(i, time!.read(f, line), csvNumber(path, f, price, 'price', line) * ps.mul / ps.div, csvNumber(path, f, size, 'qty', line), aggressor, id >= 0 ? (f[id] ?? '').trim() : '', () => ({ line }));
  });
  return b.done(n);
}

/**
 * Binance trades CSV (headerless), in either of Binance's two dumps:
 * trades `id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]` (6–7 columns), or aggTrades
 * `agg_id,price,qty,first_id,last_id,time,is_buyer_maker,is_best_match` (8 columns).
 */
export function parseBinanceTradesCsv(csv: CsvText, ps: PriceScale): ParsedTrades {
  const { path } = csv;
  if (csv.header) return parseTradesCsv(csv, ps);
  const agg = (csv.first?.length ?? 0) >= 8;
  const tsCol = agg ? 5 : 4;
  const makerCol = agg ? 6 : 5;
  const b = new TradeBuilder(path, csv.lines.length - csv.start);
  const n = forEachRow(csv, (f, line, i) => {
    const text = f[makerCol] ?? '';
    const aggressor = buyerMakerText(text);
    if (aggressor === undefined) throw parseError(path, { line }, 'is_buyer_maker', text, 'is not true or false');
    b.set(i, csvTime(path, f, tsCol, 'time', line), csvNumber(path, f, 1, 'price', line) * ps.mul / ps.div, csvNumber(path, f, 2, 'qty', line), aggressor, (f[0] ?? '').trim(), () => ({ line }));
  });
  return b.done(n);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Binance trades JSON: aggTrades `[{a, p, q, f, l, T, m}]` or trades `[{id, price, qty, time, isBuyerMaker}]`.
 * `m`/`isBuyerMaker` true means the seller was the aggressor.
 */
export function parseBinanceTradesJson(path: string, rows: readonly unknown[], ps: PriceScale): ParsedTrades {
  const b = new TradeBuilder(path, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRecord(r)) throw parseError(path, { element: i }, 'row', JSON.stringify(r) ?? 'undefined', 'is not a Binance trade object');
    const agg = 'T' in r;
    const maker = agg ? r.m : r.isBuyerMaker;
    if (typeof maker !== 'boolean') throw parseError(path, { element: i }, agg ? 'm' : 'isBuyerMaker', JSON.stringify(maker) ?? 'undefined', 'is not true or false');
    const id = agg ? r.a : r.id;
    b.set(
      i,
      jsonTime(path, agg ? r.T : r.time, agg ? 'T' : 'time', i),
      jsonNumber(path, agg ? r.p : r.price, agg ? 'p' : 'price', i) * ps.mul / ps.div,
      jsonNumber(path, agg ? r.q : r.qty, agg ? 'q' : 'qty', i),
      maker ? -1 : 1,
      id === undefined || id === null ? '' : String(id),
      () => ({ element: i }),
    );
  }
  return b.done(rows.length);
}

/** freqtrade trades JSON: `[[ts_ms, id, type, side, price, amount, cost], ...]`; side is the aggressor. */
export function parseFreqtradeJson(path: string, rows: readonly unknown[], ps: PriceScale): ParsedTrades {
  const b = new TradeBuilder(path, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length < 6) {
      throw parseError(path, { element: i }, 'row', JSON.stringify(r) ?? 'undefined', 'is not a freqtrade trade [timestamp, id, type, side, price, amount, cost]');
    }
    const sideValue = r[3] === null || r[3] === undefined ? '' : String(r[3]);
    const aggressor = sideText(sideValue);
    if (aggressor === undefined) throw parseError(path, { element: i }, 'side', sideValue, 'is not a side (buy, sell, or null)');
    b.set(
      i,
      jsonTime(path, r[0], 'timestamp', i),
      jsonNumber(path, r[4], 'price', i) * ps.mul / ps.div,
      jsonNumber(path, r[5], 'amount', i),
      aggressor,
      r[1] === null || r[1] === undefined ? '' : String(r[1]),
      () => ({ element: i }),
    );
  }
  return b.done(rows.length);
}
