import { AutotraderError } from '@autotrader/core';
import type { QuoteColumns } from './series';
import { findColumn, forEachRow, TIME_NAMES, type CsvText } from './text';
import { checkOrder, csvNumber, csvTime, headerTime, type CsvTimeReader, type PriceScale } from './fields';

/** Parsed quote rows (typed arrays trimmed to `length`). */
export interface ParsedQuotes {
  length: number;
  columns: QuoteColumns;
}

const NAMES = {
  bid: ['bid', 'bid_price', 'bidprice', 'best_bid', 'bid_px'],
  ask: ['ask', 'ask_price', 'askprice', 'best_ask', 'ask_px', 'offer'],
  bidSize: ['bid_size', 'bidsize', 'bid_qty', 'bid_volume', 'bid_sz', 'bid_amount'],
  askSize: ['ask_size', 'asksize', 'ask_qty', 'ask_volume', 'ask_sz', 'ask_amount'],
} as const;

/**
 * Quotes CSV: ts,bid,ask[,bid_size,ask_size], with or without a header. Missing sizes are stored as 0,
 * which means "unknown" (a real quote never has size 0 on both sides).
 */
export function parseQuotesCsv(csv: CsvText, ps: PriceScale): ParsedQuotes {
  const { path } = csv;
  let time: CsvTimeReader;
  let bid = 1;
  let ask = 2;
  let bidSize = -1;
  let askSize = -1;
  if (csv.header) {
    const h = csv.header;
    const t = headerTime(path, h, TIME_NAMES);
    bid = findColumn(h, NAMES.bid);
    ask = findColumn(h, NAMES.ask);
    const missing = [...(t ? [] : ['time']), ...(bid < 0 ? ['bid'] : []), ...(ask < 0 ? ['ask'] : [])];
    if (missing.length > 0) {
      throw new AutotraderError('DATA_PARSE', `${path} line ${csv.start}: the header [${h.join(', ')}] has no ${missing.join(', ')} column; quote files need ts, bid and ask (sizes optional).`, {
        details: { path, line: csv.start, column: missing[0], header: h },
      });
    }
    time = t!.read;
    bidSize = findColumn(h, NAMES.bidSize);
    askSize = findColumn(h, NAMES.askSize);
  } else {
    time = (f, line) => csvTime(path, f, 0, 'ts', line);
    if ((csv.first?.length ?? 0) >= 5) {
      bidSize = 3;
      askSize = 4;
    }
  }
  const capacity = csv.lines.length - csv.start;
  const c: QuoteColumns = {
    ts: new Float64Array(capacity),
    bid: new Float64Array(capacity),
    ask: new Float64Array(capacity),
    bidSize: new Float64Array(capacity),
    askSize: new Float64Array(capacity),
  };
  let prev = -Infinity;
  const n = forEachRow(csv, (f, line, i) => {
    const ts = time(f, line);
    checkOrder(path, ts, prev, false, () => ({ line }));
    prev = ts;
    c.ts[i] = ts;
    c.bid[i] = csvNumber(path, f, bid, 'bid', line) * ps.mul / ps.div;
    c.ask[i] = csvNumber(path, f, ask, 'ask', line) * ps.mul / ps.div;
    if (bidSize >= 0) c.bidSize[i] = csvNumber(path, f, bidSize, 'bid_size', line);
    if (askSize >= 0) c.askSize[i] = csvNumber(path, f, askSize, 'ask_size', line);
  });
  return {
    length: n,
    columns: {
      ts: c.ts.subarray(0, n),
      bid: c.bid.subarray(0, n),
      ask: c.ask.subarray(0, n),
      bidSize: c.bidSize.subarray(0, n),
      askSize: c.askSize.subarray(0, n),
    },
  };
}
