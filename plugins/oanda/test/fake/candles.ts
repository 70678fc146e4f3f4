/**
 * Candle history loaded by a test, served as GET /v3/instruments/{instrument}/candles does:
 * `price` (any of M, B, A; default M), `granularity` (default S5), `count` (default 500, at most
 * 5000), `from`, `to`, `includeFirst`; at most 5000 candles per answer; each candle with `time`,
 * `volume`, `complete` and one `mid` / `bid` / `ask` object per component asked.
 * @module
 */
import { parseTime, type DatetimeFormat, type Nanos } from './wire';
import { enumOf } from './spec';

/** One candle as a test gives it (`time` in epoch ms). */
export interface FakeCandle {
  time: number;
  o: string;
  h: string;
  l: string;
  c: string;
  volume: number;
  complete: boolean;
}

/** The most candles one request may return (v20 `count` description: "maximum value for count is 5000"). */
export const MAX_CANDLES = 5000;

const COMPONENT_KEY = { M: 'mid', B: 'bid', A: 'ask' } as const;

/** A candles query's answer, or a 400 message. */
export type CandleAnswer = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly message: string };

/** Candles by instrument, granularity and component. */
export class CandleStore {
  private readonly rows = new Map<string, FakeCandle[]>();

  private key(instrument: string, granularity: string, component: 'M' | 'B' | 'A'): string {
    return `${instrument}|${granularity}|${component}`;
  }

  /** Adds or replaces candles (by time). */
  put(instrument: string, granularity: string, rows: readonly FakeCandle[], component: 'M' | 'B' | 'A' = 'M'): void {
    if (!enumOf('CandlestickGranularity').includes(granularity)) throw new Error(`Fake OANDA: unknown granularity ${granularity}`);
    const k = this.key(instrument, granularity, component);
    const byTime = new Map((this.rows.get(k) ?? []).map((r) => [r.time, r]));
    for (const r of rows) byTime.set(r.time, { ...r });
    this.rows.set(k, [...byTime.values()].sort((a, b) => a.time - b.time));
  }

  /** Answers a candles request. */
  query(instrument: string, q: URLSearchParams, format: DatetimeFormat): CandleAnswer {
    const price = q.get('price') ?? 'M';
    if (!/^[MBA]{1,3}$/.test(price) || new Set(price).size !== price.length) return { ok: false, message: `Invalid value specified for 'price'` };
    const granularity = q.get('granularity') ?? 'S5';
    if (!enumOf('CandlestickGranularity').includes(granularity)) return { ok: false, message: `Invalid value specified for 'granularity'` };
    const countText = q.get('count');
    const fromText = q.get('from');
    const toText = q.get('to');
    if (countText !== null && fromText !== null && toText !== null) return { ok: false, message: "'count' cannot be specified when both 'from' and 'to' are" };
    let count = 500;
    if (countText !== null) {
      if (!/^\d+$/.test(countText)) return { ok: false, message: `Invalid value specified for 'count'` };
      count = Number(countText);
      if (count < 1 || count > MAX_CANDLES) return { ok: false, message: `Maximum value for 'count' exceeded` };
    }
    const parse = (text: string | null): Nanos | undefined | 'bad' => {
      if (text === null) return undefined;
      return parseTime(text, format) ?? 'bad';
    };
    const from = parse(fromText);
    const to = parse(toText);
    if (from === 'bad') return { ok: false, message: `Invalid value specified for 'from'` };
    if (to === 'bad') return { ok: false, message: `Invalid value specified for 'to'` };
    const includeFirst = q.get('includeFirst') !== 'false';
    const components = [...price] as ('M' | 'B' | 'A')[];
    const first = this.rows.get(this.key(instrument, granularity, components[0]!)) ?? [];
    const ns = (ms: number): Nanos => BigInt(ms) * 1_000_000n;
    let pick = first.filter((r) => (from === undefined || (includeFirst ? ns(r.time) >= from : ns(r.time) > from)) && (to === undefined || ns(r.time) < to));
    if (from !== undefined && to !== undefined) {
      if (pick.length > MAX_CANDLES) return { ok: false, message: `Maximum value for 'count' exceeded: the range holds more than ${MAX_CANDLES} candles` };
    } else if (from !== undefined) pick = pick.slice(0, count);
    else pick = pick.slice(-count);
    const candles = pick.map((r) => {
      const c: Record<string, unknown> = { complete: r.complete, volume: r.volume, time: ns(r.time) };
      for (const comp of components) {
        const row = comp === components[0] ? r : (this.rows.get(this.key(instrument, granularity, comp)) ?? []).find((x) => x.time === r.time);
        if (row !== undefined) c[COMPONENT_KEY[comp]] = { o: row.o, h: row.h, l: row.l, c: row.c };
      }
      return c;
    });
    return { ok: true, body: { instrument, granularity, candles } };
  }
}
