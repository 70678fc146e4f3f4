import type { QuoteBuilder } from './builders';
import { DataError } from './errors';
import { csvNumber, csvTime, headerTime, type CsvTimeReader, type PriceScale } from './fields';
import { findColumn, TIME_NAMES, type CsvText } from './text';

const NAMES = {
  bid: ['bid', 'bid_price', 'bidprice', 'best_bid', 'bid_px'],
  ask: ['ask', 'ask_price', 'askprice', 'best_ask', 'ask_px', 'offer'],
  bidSize: ['bid_size', 'bidsize', 'bid_qty', 'bid_volume', 'bid_sz', 'bid_amount'],
  askSize: ['ask_size', 'asksize', 'ask_qty', 'ask_volume', 'ask_sz', 'ask_amount'],
} as const;

/**
 * Quotes CSV rows into a quote builder: ts,bid,ask[,bid_size,ask_size], with or without a header.
 * Missing sizes are stored as 0, which means "unknown" (a real quote never has size 0 on both sides).
 */
export function quotesCsvRows(csv: CsvText, ps: PriceScale, b: QuoteBuilder): (fields: string[], line: number) => void {
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
      throw new DataError(
        'DATA_PARSE',
        `${path} line ${csv.headerLine}: the header [${h.join(', ')}] has no ${missing.join(', ')} column; quote files need ts, bid and ask (sizes optional).`,
        `Rename the header's columns, or give the layout with \`pnpm data import ${path} --out <file.arrow> --format <layout>\` (layouts: see data/README.md).`,
        { details: { path, line: csv.headerLine, column: missing[0], header: h } },
      );
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
  const { mul, div } = ps;
  return (f, line) => {
    b.add(
      line,
      time(f, line),
      (csvNumber(path, f, bid, 'bid', line) * mul) / div,
      (csvNumber(path, f, ask, 'ask', line) * mul) / div,
      bidSize >= 0 ? csvNumber(path, f, bidSize, 'bid_size', line) : 0,
      askSize >= 0 ? csvNumber(path, f, askSize, 'ask_size', line) : 0,
    );
  };
}
