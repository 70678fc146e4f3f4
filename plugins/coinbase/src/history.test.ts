import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AutotraderError, createLogger, EventBus, RealtimeClock, type Bar } from '@autotrader/core';
import { startFakeCoinbase, type Candle, type FakeCoinbase } from '../test/fake-venue';
import { parseCoinbaseConfig } from './config';
import { CoinbaseDataPort } from './data';
import { CoinbaseHttp } from './http';

const MINUTE = 60_000;
/** 2024-01-01T00:00Z. */
const T0 = Date.UTC(2024, 0, 1);
/** 800 one-minute candles: windows of 350, 350 and 100. */
const N = 800;

let fake: FakeCoinbase;
let http: CoinbaseHttp;
let port: CoinbaseDataPort;

/** The candle starting at minute `i` (prices on the 0.01 increment). */
function candleAt(i: number): Candle {
  const o = 42_000 + ((i * 37) % 500);
  const c = o + ((i % 11) - 5);
  return { start: (T0 + i * MINUTE) / 1000, open: o.toFixed(2), high: (Math.max(o, c) + 3.25).toFixed(2), low: (Math.min(o, c) - 2.5).toFixed(2), close: c.toFixed(2), volume: ((i % 97) / 8).toFixed(5) };
}

const barAt = (i: number): Omit<Bar, 'tsInit'> => {
  const c = candleAt(i);
  return { instrumentId: 'BTC-USD.COINBASE', tsOpen: c.start * 1000, tsEvent: c.start * 1000 + MINUTE, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) };
};

async function collect(from: number, to: number): Promise<{ pages: number[]; bars: Omit<Bar, 'tsInit'>[] }> {
  const pages: number[] = [];
  const bars: Omit<Bar, 'tsInit'>[] = [];
  for await (const page of port.history({ kind: 'bar', instrumentId: 'BTC-USD.COINBASE', interval: '1m', from, to })) {
    pages.push(page.length);
    for (const { tsInit: _, ...b } of page) bars.push(b);
  }
  return { pages, bars };
}

const candleRequests = (): { start: number; end: number }[] =>
  fake
    .requests()
    .filter((r) => r.path.endsWith('/candles'))
    .map((r) => ({ start: Number(r.params.start), end: Number(r.params.end) }));

beforeEach(async () => {
  fake = await startFakeCoinbase();
  const logger = createLogger({ level: 'error' });
  const clock = new RealtimeClock();
  const config = parseCoinbaseConfig({ restUrl: fake.restUrl });
  http = new CoinbaseHttp({ baseUrl: fake.restUrl, timeoutMs: 5000, now: () => Date.now(), logger, credentials: () => { throw new AutotraderError('AUTH_MISSING', 'no key in this test'); } });
  port = new CoinbaseDataPort({ wsUrl: 'ws://127.0.0.1:1', bus: new EventBus('isolate'), clock, logger, config, http });
  fake.candles('BTC-USD', 'ONE_MINUTE', Array.from({ length: N }, (_, i) => candleAt(i)));
});
afterEach(async () => {
  await http.close();
  await fake.close();
});

describe('CoinbaseDataPort.history against the fake Coinbase', () => {
  it('reads every candle oldest first in windows of 350, with no key and no duplicate', async () => {
    const { pages, bars } = await collect(T0, T0 + N * MINUTE);
    expect(pages).toEqual([350, 350, 100]);
    expect(bars).toEqual(Array.from({ length: N }, (_, i) => barAt(i)));
    expect(candleRequests()).toEqual([
      { start: T0 / 1000, end: T0 / 1000 + 349 * 60 },
      { start: T0 / 1000 + 350 * 60, end: T0 / 1000 + 699 * 60 },
      { start: T0 / 1000 + 700 * 60, end: (T0 + N * MINUTE - 1 - 999) / 1000 },
    ]);
  });

  it('skips an empty window (no candles there) and keeps going', async () => {
    const { bars } = await collect(T0 - 400 * MINUTE, T0 + 10 * MINUTE);
    expect(bars).toEqual(Array.from({ length: 10 }, (_, i) => barAt(i)));
  });

  it('waits out a 429 and asks for the same window again', async () => {
    const second = String(T0 / 1000 + 350 * 60);
    fake.faults.rateLimit(1, { retryAfterSec: 1, target: (r) => r.path.endsWith('/candles') && r.params.start === second });
    const began = Date.now();
    const { bars } = await collect(T0, T0 + N * MINUTE);
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    expect(bars).toEqual(Array.from({ length: N }, (_, i) => barAt(i)));
    expect(candleRequests().map((r) => r.start)).toEqual([T0 / 1000, T0 / 1000 + 350 * 60, T0 / 1000 + 350 * 60, T0 / 1000 + 700 * 60]);
  });

  it('refuses an interval Coinbase has no candles for', async () => {
    const it = port.history({ kind: 'bar', instrumentId: 'BTC-USD.COINBASE', interval: '3m', from: T0, to: T0 + MINUTE });
    await expect(it[Symbol.asyncIterator]().next()).rejects.toThrow(/candles only, at one of 1m, 5m/);
  });
});
