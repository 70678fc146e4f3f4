/**
 * Market data the test publishes, turned into Binance stream payloads (web-socket-streams.md;
 * fixtures `docs/stream_*.json`) and kept for the REST market endpoints (depth, bookTicker, klines).
 * @module
 */
import { AutotraderError, type Decimal } from '@autotrader/core';
import { DepthBook, type DepthSnapshot } from './depth-book';
import { inputDecimal, wire } from './format';

/** A payload for one stream name. */
export interface StreamMessage {
  readonly stream: string;
  readonly payload: unknown;
}

/** A kline as the test gives it (decimal strings); q, n, V, Q default to zero. */
export interface KlineInput {
  readonly t: number;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly c: string;
  readonly v: string;
  readonly closed: boolean;
  /** Quote asset volume. */
  readonly q?: string;
  /** Number of trades. */
  readonly n?: number;
  /** Taker buy base volume. */
  readonly V?: string;
  /** Taker buy quote volume. */
  readonly Q?: string;
}

interface KlineRow {
  readonly t: number;
  readonly T: number;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly c: string;
  readonly v: string;
  readonly q: string;
  readonly n: number;
  readonly V: string;
  readonly Q: string;
  readonly x: boolean;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The kline intervals Binance lists (web-socket-streams.md "Kline/Candlestick chart intervals"). */
export const KLINE_INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;

/** Close time of the kline of `interval` that opens at `t` (open + length - 1 ms; months are calendar months). */
export function klineCloseTime(interval: string, t: number): number {
  if (!(KLINE_INTERVALS as readonly string[]).includes(interval)) {
    throw new AutotraderError('CONFIG_INVALID', `Fake Binance: kline interval ${JSON.stringify(interval)} is not one of ${KLINE_INTERVALS.join(', ')}.`);
  }
  const n = Number(interval.slice(0, -1));
  const unit = interval.slice(-1);
  if (unit === 'M') {
    const d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1) - 1;
  }
  return t + n * (UNIT_MS[unit] as number) - 1;
}

/** Market state per symbol and the payloads it streams. */
export class MarketData {
  private readonly books = new Map<string, DepthBook>();
  private readonly quotes = new Map<string, { bid: string; bidQty: string; ask: string; askQty: string }>();
  private readonly quoteIds = new Map<string, number>();
  private readonly aggIds = new Map<string, number>();
  private readonly klineRows = new Map<string, Map<number, KlineRow>>();

  constructor(private readonly now: () => number) {}

  /** `trade` and `aggTrade` payloads for a print with trade id `t`. */
  trade(symbol: string, t: number, price: Decimal, qty: Decimal, buyerIsMaker: boolean): StreamMessage[] {
    const lower = symbol.toLowerCase();
    const E = this.now();
    const a = (this.aggIds.get(symbol) ?? 0) + 1;
    this.aggIds.set(symbol, a);
    const p = wire(price);
    const q = wire(qty);
    return [
      { stream: `${lower}@trade`, payload: { e: 'trade', E, s: symbol, t, p, q, T: E, m: buyerIsMaker, M: true } },
      { stream: `${lower}@aggTrade`, payload: { e: 'aggTrade', E, s: symbol, a, p, q, f: t, l: t, T: E, m: buyerIsMaker, M: true } },
    ];
  }

  /** `bookTicker` payload; `u` is a per-symbol sequence of its own, so depth update ids stay gap-free. */
  bookTicker(symbol: string, bid: Decimal, bidQty: Decimal, ask: Decimal, askQty: Decimal): StreamMessage[] {
    const u = (this.quoteIds.get(symbol) ?? 0) + 1;
    this.quoteIds.set(symbol, u);
    const q = { bid: wire(bid), bidQty: wire(bidQty), ask: wire(ask), askQty: wire(askQty) };
    this.quotes.set(symbol, q);
    return [{ stream: `${symbol.toLowerCase()}@bookTicker`, payload: { u, s: symbol, b: q.bid, B: q.bidQty, a: q.ask, A: q.askQty } }];
  }

  /** Stores (or updates) a kline and returns its `kline_<interval>` payload. */
  kline(symbol: string, interval: string, k: KlineInput): StreamMessage[] {
    const T = klineCloseTime(interval, k.t);
    const num = (field: string, text: string | undefined): string => wire(inputDecimal(`kline ${field}`, text ?? '0'));
    const row: KlineRow = {
      t: k.t,
      T,
      o: num('o', k.o),
      h: num('h', k.h),
      l: num('l', k.l),
      c: num('c', k.c),
      v: num('v', k.v),
      q: num('q', k.q),
      n: k.n ?? 0,
      V: num('V', k.V),
      Q: num('Q', k.Q),
      x: k.closed,
    };
    const key = `${symbol}|${interval}`;
    let rows = this.klineRows.get(key);
    if (!rows) {
      rows = new Map();
      this.klineRows.set(key, rows);
    }
    rows.set(k.t, row);
    const payload = {
      e: 'kline',
      E: this.now(),
      s: symbol,
      k: { t: row.t, T: row.T, s: symbol, i: interval, f: -1, L: -1, o: row.o, c: row.c, h: row.h, l: row.l, v: row.v, n: row.n, x: row.x, q: row.q, V: row.V, Q: row.Q, B: '0' },
    };
    return [{ stream: `${symbol.toLowerCase()}@kline_${interval}`, payload }];
  }

  /**
   * Applies a depth diff and returns the `depthUpdate` payload for `@depth` and `@depth@100ms`
   * (sent at once; the fake does not batch by time) and the partial-depth payloads `@depth5/10/20`.
   */
  depthUpdate(symbol: string, bids: readonly (readonly [string, string])[], asks: readonly (readonly [string, string])[], gap: number): StreamMessage[] {
    const diff = this.book(symbol).apply(bids, asks, gap);
    const lower = symbol.toLowerCase();
    const event = { e: 'depthUpdate', E: this.now(), s: symbol, U: diff.U, u: diff.u, b: diff.b, a: diff.a };
    const out: StreamMessage[] = [
      { stream: `${lower}@depth`, payload: event },
      { stream: `${lower}@depth@100ms`, payload: event },
    ];
    for (const levels of [5, 10, 20]) {
      const snap = this.book(symbol).snapshot(levels);
      out.push({ stream: `${lower}@depth${levels}`, payload: snap }, { stream: `${lower}@depth${levels}@100ms`, payload: snap });
    }
    return out;
  }

  /** `GET /api/v3/depth`. */
  depthSnapshot(symbol: string, limit: number): DepthSnapshot {
    return this.book(symbol).snapshot(limit);
  }

  /** Best bid/ask for `GET /api/v3/ticker/bookTicker`: the last bookTicker, else the depth book's top, else zeros. */
  bestBidAsk(symbol: string): { bidPrice: string; bidQty: string; askPrice: string; askQty: string } {
    const q = this.quotes.get(symbol);
    if (q) return { bidPrice: q.bid, bidQty: q.bidQty, askPrice: q.ask, askQty: q.askQty };
    const top = this.book(symbol).snapshot(1);
    const zero = '0.00000000';
    return {
      bidPrice: top.bids[0]?.[0] ?? zero,
      bidQty: top.bids[0]?.[1] ?? zero,
      askPrice: top.asks[0]?.[0] ?? zero,
      askQty: top.asks[0]?.[1] ?? zero,
    };
  }

  /** `GET /api/v3/klines` rows, oldest first. */
  klines(symbol: string, interval: string, from: number | undefined, to: number | undefined, limit: number): unknown[][] {
    const rows = [...(this.klineRows.get(`${symbol}|${interval}`)?.values() ?? [])]
      .filter((r) => (from === undefined || r.t >= from) && (to === undefined || r.t <= to))
      .sort((x, y) => x.t - y.t);
    // With no start time Binance returns the most recent `limit` rows.
    const picked = from === undefined ? rows.slice(-limit) : rows.slice(0, limit);
    return picked.map((r) => [r.t, r.o, r.h, r.l, r.c, r.v, r.T, r.q, r.n, r.V, r.Q, '0']);
  }

  private book(symbol: string): DepthBook {
    let b = this.books.get(symbol);
    if (!b) {
      b = new DepthBook();
      this.books.set(symbol, b);
    }
    return b;
  }
}
