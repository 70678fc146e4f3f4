/**
 * The fake's market, shared by the demo and live environments (OKX's demo market mirrors the
 * real one): tickers, printed trades, the order book with `seqId`/`prevSeqId` and `checksum`, and
 * candles. What our orders take from the book or the ticker is removed from it and published.
 * @module
 */
import { Decimal } from '@autotrader/core';
import { ArmedCount, LevelBook, SequenceGaps } from '@autotrader/testkit/fake-venue';
import { bookChecksum } from './checksum';
import { dec, ms } from './wire';

/** Depth of the books channel (OKX `books`: 400 levels). */
export const BOOK_DEPTH = 400;

/** The last quote and trade of an instrument. */
export interface Ticker {
  bidPx: Decimal;
  bidSz: Decimal;
  askPx: Decimal;
  askSz: Decimal;
  last: Decimal;
  lastSz: Decimal;
  ts: number;
}

/** A printed trade. */
export interface PrintedTrade {
  readonly instId: string;
  readonly tradeId: string;
  readonly px: Decimal;
  readonly sz: Decimal;
  readonly side: 'buy' | 'sell';
  readonly ts: number;
}

/** One candle row as the test gives it. */
export interface CandleRow {
  readonly ts: number;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly c: string;
  readonly vol: string;
  readonly confirm: boolean;
}

/** A level our orders can take: price, size and where it comes from. */
export interface TakeLevel {
  readonly px: Decimal;
  readonly sz: Decimal;
}

interface BookState {
  readonly levels: LevelBook;
  seqId: number;
  readonly gaps: SequenceGaps;
  readonly badChecksum: ArmedCount;
}

/** Where market data goes (the WebSocket channels). */
export interface MarketSink {
  ticker(instId: string, data: Record<string, unknown>): void;
  trade(instId: string, data: Record<string, unknown>): void;
  books(instId: string, action: 'update', data: Record<string, unknown>): void;
  candle(instId: string, bar: string, row: string[]): void;
}

/** Bars of OKX candles (`candle1m` … `candle1M`, and the UTC variants). */
export const BARS = ['1s', '1m', '3m', '5m', '15m', '30m', '1H', '2H', '4H', '6H', '12H', '1D', '2D', '3D', '1W', '1M', '6Hutc', '12Hutc', '1Dutc', '2Dutc', '3Dutc', '1Wutc', '1Mutc'] as const;

/** A candle row on the wire: [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]. */
export function candleWire(r: CandleRow): string[] {
  // Spot: vol is in the base currency, volCcy and volCcyQuote in the quote currency; the test gives
  // only vol, so the quote volume is vol × close.
  const quoteVol = dec(new Decimal(r.vol).mul(r.c));
  return [ms(r.ts), r.o, r.h, r.l, r.c, r.vol, quoteVol, quoteVol, r.confirm ? '1' : '0'];
}

/** The shared market of one fake. */
export class Market {
  private readonly tickers = new Map<string, Ticker>();
  private readonly bookStates = new Map<string, BookState>();
  private readonly recent = new Map<string, PrintedTrade[]>();
  private readonly candleRows = new Map<string, Map<number, CandleRow>>();
  private tradeSeq = 400_000_000;
  /** OKX's announced change: every books frame carries checksum 0. */
  zeroChecksums = false;
  sink: MarketSink | undefined;

  constructor(private readonly now: () => number) {}

  tickerOf(instId: string): Ticker | undefined {
    return this.tickers.get(instId);
  }

  /** Sets the best bid and ask (and the last price, default the previous one or the bid) and publishes `tickers`. */
  setTicker(instId: string, bidPx: Decimal, bidSz: Decimal, askPx: Decimal, askSz: Decimal, last?: Decimal): void {
    const prev = this.tickers.get(instId);
    const t: Ticker = { bidPx, bidSz, askPx, askSz, last: last ?? prev?.last ?? bidPx, lastSz: prev?.lastSz ?? new Decimal(0), ts: this.now() };
    this.tickers.set(instId, t);
    this.sink?.ticker(instId, this.tickerJson(instId)!);
  }

  /** The `tickers` channel / GET /market/ticker object. */
  tickerJson(instId: string): Record<string, unknown> | undefined {
    const t = this.tickers.get(instId);
    if (t === undefined) return undefined;
    const last = dec(t.last);
    return {
      instType: 'SPOT',
      instId,
      last,
      lastSz: dec(t.lastSz),
      askPx: dec(t.askPx),
      askSz: dec(t.askSz),
      bidPx: dec(t.bidPx),
      bidSz: dec(t.bidSz),
      open24h: last,
      high24h: last,
      low24h: last,
      volCcy24h: '0',
      vol24h: '0',
      sodUtc0: last,
      sodUtc8: last,
      ts: ms(t.ts),
    };
  }

  /** Records a market trade and publishes `trades` (and `tickers` when there is a ticker). */
  print(instId: string, px: Decimal, sz: Decimal, side: 'buy' | 'sell'): PrintedTrade {
    const t: PrintedTrade = { instId, tradeId: String(++this.tradeSeq), px, sz, side, ts: this.now() };
    const list = this.recent.get(instId) ?? [];
    list.push(t);
    if (list.length > 500) list.shift();
    this.recent.set(instId, list);
    this.sink?.trade(instId, tradeJson(t));
    const tick = this.tickers.get(instId);
    if (tick !== undefined) {
      tick.last = px;
      tick.lastSz = sz;
      tick.ts = t.ts;
      this.sink?.ticker(instId, this.tickerJson(instId)!);
    }
    return t;
  }

  /** Recent trades, newest first. */
  recentTrades(instId: string, limit: number): PrintedTrade[] {
    return [...(this.recent.get(instId) ?? [])].reverse().slice(0, limit);
  }

  private bookState(instId: string): BookState {
    let b = this.bookStates.get(instId);
    if (b === undefined) {
      b = { levels: new LevelBook(), seqId: 1000 + Math.floor(Math.random() * 1_000_000), gaps: new SequenceGaps(), badChecksum: new ArmedCount() };
      this.bookStates.set(instId, b);
    }
    return b;
  }

  /** Arms a skipped seqId on the next books update of `instId`. */
  armGap(instId: string): void {
    this.bookState(instId).gaps.arm(1);
  }

  /** Arms a wrong checksum on the next books update of `instId`. */
  armBadChecksum(instId: string): void {
    this.bookState(instId).badChecksum.arm(1);
  }

  /** True when `instId` has book levels on either side. */
  hasBook(instId: string): boolean {
    const b = this.bookStates.get(instId);
    return b !== undefined && (b.levels.best('bid') !== undefined || b.levels.best('ask') !== undefined);
  }

  /** Replaces every level of the book and publishes the difference as one `update`. */
  replaceBook(instId: string, bids: readonly TakeLevel[], asks: readonly TakeLevel[]): void {
    const b = this.bookState(instId);
    const changes: { side: 'bid' | 'ask'; px: Decimal; sz: Decimal }[] = [];
    for (const side of ['bid', 'ask'] as const) {
      const next = side === 'bid' ? bids : asks;
      const keep = new Map(next.map((l) => [l.px.toString(), l]));
      for (const [px] of b.levels.top(side)) if (!keep.has(px.toString())) changes.push({ side, px, sz: new Decimal(0) });
      for (const l of next) {
        const cur = b.levels.top(side).find(([p]) => p.eq(l.px));
        if (cur === undefined || !cur[1].eq(l.sz)) changes.push({ side, px: l.px, sz: l.sz });
      }
    }
    this.applyBookChanges(instId, changes);
  }

  /** The books snapshot a new subscriber gets: `prevSeqId` -1, the current `seqId`. */
  bookSnapshot(instId: string): Record<string, unknown> {
    const b = this.bookState(instId);
    const [bids, asks] = this.topLevels(b, BOOK_DEPTH);
    return { asks: asks.map(wireLevel), bids: bids.map(wireLevel), ts: ms(this.now()), checksum: this.zeroChecksums ? 0 : bookChecksum(bids, asks), prevSeqId: -1, seqId: b.seqId };
  }

  /** Book levels for GET /market/books (`sz` levels per side). */
  bookLevels(instId: string, depth: number): { bids: string[][]; asks: string[][] } {
    const [bids, asks] = this.topLevels(this.bookState(instId), depth);
    return { bids: bids.map(wireLevel), asks: asks.map(wireLevel) };
  }

  /** What a taker on `side` can take: the book's opposite side when it has levels, else the ticker's touch. */
  liquidity(instId: string, takerSide: 'buy' | 'sell'): TakeLevel[] {
    const side = takerSide === 'buy' ? 'ask' : 'bid';
    const b = this.bookStates.get(instId);
    const levels = b?.levels.top(side) ?? [];
    if (levels.length > 0) return levels.map(([px, sz]) => ({ px, sz }));
    const t = this.tickers.get(instId);
    if (t === undefined) return [];
    const px = side === 'ask' ? t.askPx : t.bidPx;
    const sz = side === 'ask' ? t.askSz : t.bidSz;
    return sz.gt(0) ? [{ px, sz }] : [];
  }

  /** Removes what a taker took (from the book, or from the ticker's touch) and publishes it. */
  take(instId: string, takerSide: 'buy' | 'sell', taken: readonly TakeLevel[]): void {
    if (taken.length === 0) return;
    const side: 'bid' | 'ask' = takerSide === 'buy' ? 'ask' : 'bid';
    const b = this.bookStates.get(instId);
    if (b !== undefined && b.levels.best(side) !== undefined) {
      const changes = taken.map((t) => {
        const cur = b.levels.top(side).find(([p]) => p.eq(t.px));
        const left = (cur?.[1] ?? t.sz).minus(t.sz);
        return { side, px: t.px, sz: left.isNeg() ? new Decimal(0) : left };
      });
      this.applyBookChanges(instId, changes);
      return;
    }
    const tick = this.tickers.get(instId);
    if (tick === undefined) return;
    const total = taken.reduce((s, t) => s.plus(t.sz), new Decimal(0));
    if (side === 'ask') tick.askSz = Decimal.max(0, tick.askSz.minus(total));
    else tick.bidSz = Decimal.max(0, tick.bidSz.minus(total));
    tick.ts = this.now();
    this.sink?.ticker(instId, this.tickerJson(instId)!);
  }

  private topLevels(b: BookState, depth: number): [[string, string][], [string, string][]] {
    const w = (side: 'bid' | 'ask'): [string, string][] => b.levels.top(side, depth).map(([p, s]) => [dec(p), dec(s)]);
    return [w('bid'), w('ask')];
  }

  private applyBookChanges(instId: string, changes: readonly { side: 'bid' | 'ask'; px: Decimal; sz: Decimal }[]): void {
    const b = this.bookState(instId);
    for (const c of changes) b.levels.set(c.side, c.px, c.sz);
    const skip = b.gaps.take();
    const prevSeqId = b.seqId + skip;
    b.seqId = prevSeqId + 1;
    const [bids, asks] = this.topLevels(b, BOOK_DEPTH);
    let checksum = bookChecksum(bids, asks);
    if (b.badChecksum.take()) checksum = (checksum ^ 0x5a5a5a5a) | 0;
    if (this.zeroChecksums) checksum = 0;
    const lvl = (side: 'bid' | 'ask'): string[][] => changes.filter((c) => c.side === side).map((c) => [dec(c.px), dec(c.sz), '0', c.sz.isZero() ? '0' : '1']);
    this.sink?.books(instId, 'update', { asks: lvl('ask'), bids: lvl('bid'), ts: ms(this.now()), checksum, prevSeqId, seqId: b.seqId });
  }

  /** Adds or replaces candle rows (by ts) and publishes each on `candle<bar>`. */
  putCandles(instId: string, bar: string, rows: readonly CandleRow[]): void {
    const key = `${instId} ${bar}`;
    const m = this.candleRows.get(key) ?? new Map<number, CandleRow>();
    this.candleRows.set(key, m);
    for (const r of rows) {
      m.set(r.ts, r);
      this.sink?.candle(instId, bar, candleWire(r));
    }
  }

  /** Candle rows newest first. */
  candles(instId: string, bar: string): CandleRow[] {
    return [...(this.candleRows.get(`${instId} ${bar}`)?.values() ?? [])].sort((a, b) => b.ts - a.ts);
  }
}

function wireLevel([px, sz]: [string, string]): string[] {
  // [price, size, liquidated orders (deprecated, "0"), number of orders]
  return [px, sz, '0', '1'];
}

/** The `trades` channel / GET /market/trades object. */
export function tradeJson(t: PrintedTrade): Record<string, unknown> {
  return { instId: t.instId, tradeId: t.tradeId, px: dec(t.px), sz: dec(t.sz), side: t.side, ts: ms(t.ts), count: '1' };
}
