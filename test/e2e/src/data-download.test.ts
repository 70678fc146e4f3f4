import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { readSeries, type BarSeries } from '@autotrader/data';
import { waitFor } from '@autotrader/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from './cli';

const MINUTE = 60_000;
/** 2024-01-01T00:00Z: the first kline the fake serves. */
const T0 = Date.UTC(2024, 0, 1);
/** 3500 one-minute klines: three full pages of 1000 and one of 500. */
const N = 3500;
const KLINES = '/api/v3/klines';
/** Where page `k` of a download from T0 starts: 1 ms after the open time of the last kline of page k − 1. */
const pageStart = (k: number): number => (k === 0 ? T0 : T0 + (k * 1000 - 1) * MINUTE + 1);

let fake: FakeBinance;
let dir: string;

/** The kline opening at minute `i`: a deterministic, valid OHLCV row (prices on the 0.01 tick). */
function klineAt(i: number): { t: number; o: string; h: string; l: string; c: string; v: string } {
  const mod = (x: number, m: number): number => ((x % m) + m) % m;
  const base = 42_000 + mod(i * 37, 500) + mod(i, 7) / 100;
  const o = base;
  const c = base + (mod(i, 11) - 5);
  return { t: T0 + i * MINUTE, o: o.toFixed(2), h: (Math.max(o, c) + 3.25).toFixed(2), l: (Math.min(o, c) - 2.5).toFixed(2), c: c.toFixed(2), v: (mod(i * 13, 97) / 8).toFixed(5) };
}

/** Feeds klines `from..to-1` to the fake (each closed, stored for GET /api/v3/klines). */
function serveKlines(from: number, to: number): void {
  for (let i = from; i < to; i++) fake.kline('BTCUSDT', '1m', { ...klineAt(i), closed: true });
}

/** What the file must hold for klines `from..to-1`, as the fake serves them. */
function expectedRows(from: number, to: number): { tsOpen: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] } {
  const rows = { tsOpen: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
  for (let i = from; i < to; i++) {
    const k = klineAt(i);
    rows.tsOpen.push(k.t);
    rows.open.push(Number(k.o));
    rows.high.push(Number(k.h));
    rows.low.push(Number(k.l));
    rows.close.push(Number(k.c));
    rows.volume.push(Number(k.v));
  }
  return rows;
}

function rowsOf(series: BarSeries): ReturnType<typeof expectedRows> {
  const c = series.columns;
  return { tsOpen: [...c.tsOpen], open: [...c.open], high: [...c.high], low: [...c.low], close: [...c.close], volume: [...c.volume] };
}

const klineRequests = (): { startTime: number; at: number }[] => fake.requests().filter((r) => r.path === KLINES).map((r) => ({ startTime: Number(r.params.startTime), at: r.at }));

const iso = (t: number): string => new Date(t).toISOString();
const download = (out: string, from: number, to: number, extra: string[] = []): string[] => [
  'data', 'download', '--venue', 'binance', '--symbol', 'BTCUSDT', '--interval', '1m', '--from', iso(from), '--to', iso(to), '--out', out,
  '--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`, ...extra,
];

beforeEach(async () => {
  fake = await startFakeBinance();
  dir = mkdtempSync(join(tmpdir(), 'autotrader-download-'));
});
afterEach(async () => {
  await fake.close();
});

describe('pnpm data download against the fake Binance', () => {
  it('downloads every kline in pages of 1000, then a second run fetches nothing, and a wider range fetches only what is missing', async () => {
    serveKlines(0, N);
    const out = join(dir, 'btcusdt-1m.arrow');
    const first = await runCli(download(out, T0, T0 + N * MINUTE));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${N} new bars; ${N} bars from 2024-01-01T00:00Z`);
    const series = readSeries(out) as BarSeries;
    expect(series.meta.kind).toBe('bar');
    expect(series.meta.intervalMs).toBe(MINUTE);
    expect(series.meta.instrument.symbol).toBe('BTCUSDT');
    expect(series.meta.instrument.venue).toBe('BINANCE');
    expect(rowsOf(series)).toEqual(expectedRows(0, N));
    // Four pages, each starting after the last kline of the one before.
    expect(klineRequests().map((r) => r.startTime)).toEqual([0, 1, 2, 3].map(pageStart));

    const again = await runCli(download(out, T0, T0 + N * MINUTE));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`nothing new; ${N} bars`);
    expect(klineRequests()).toHaveLength(4);

    // The venue now has an hour before and an hour after: a wider range asks only for those.
    fake.kline('BTCUSDT', '1m', { ...klineAt(-60), closed: true });
    for (let i = -59; i < 0; i++) fake.kline('BTCUSDT', '1m', { ...klineAt(i), closed: true });
    serveKlines(N, N + 60);
    const wider = await runCli(download(out, T0 - 60 * MINUTE, T0 + (N + 60) * MINUTE));
    expect(wider.code, wider.stderr).toBe(0);
    expect(wider.stdout).toContain(`120 new bars; ${N + 120} bars`);
    expect(klineRequests().slice(4).map((r) => r.startTime)).toEqual([T0 - 60 * MINUTE, T0 + N * MINUTE]);
    expect(rowsOf(readSeries(out) as BarSeries)).toEqual(expectedRows(-60, N + 60));
  }, 60_000);

  it('waits out a 429 in the middle of a download (Retry-After), asks for that page again, and writes no duplicate row', async () => {
    serveKlines(0, N);
    const out = join(dir, 'rate-limited.arrow');
    const thirdPage = String(pageStart(2));
    fake.faults.rateLimit(1, { retryAfterSec: 1, target: (r) => r.path === KLINES && r.params.startTime === thirdPage });
    const run = await runCli(download(out, T0, T0 + N * MINUTE));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/rate limit on GET \/api\/v3\/klines: waiting \d+ ms \(Retry-After\)/);
    const starts = klineRequests();
    expect(starts.map((r) => r.startTime)).toEqual([0, 1, 2, 2, 3].map(pageStart));
    // The page was asked again only after the Retry-After (1 s; the venue's window may end a little sooner).
    expect(starts[3]!.at - starts[2]!.at).toBeGreaterThanOrEqual(900);
    expect(fake.bans()).toBe(0);
    const series = readSeries(out) as BarSeries;
    expect(series.length).toBe(N);
    expect(rowsOf(series)).toEqual(expectedRows(0, N));
  }, 60_000);

  it('saves what it has when stopped with Ctrl-C, and the next run continues after the last bar saved', async () => {
    serveKlines(0, N);
    const out = join(dir, 'resumed.arrow');
    fake.faults.delayResponses(300);
    const cli = startCli(download(out, T0, T0 + N * MINUTE));
    await waitFor('two kline pages', () => klineRequests().length >= 2 || cli.child.exitCode !== null, 20_000);
    cli.child.kill('SIGINT');
    const stopped = await cli.exited;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/stopped early: run the same command again to continue/);
    const partial = readSeries(out) as BarSeries;
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(N);
    expect(rowsOf(partial)).toEqual(expectedRows(0, partial.length));

    fake.faults.delayResponses(0);
    const before = klineRequests().length;
    const resumed = await runCli(download(out, T0, T0 + N * MINUTE));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${N - partial.length} new bars; ${N} bars`);
    // The first page of the resumed run starts right after the last bar saved.
    expect(klineRequests()[before]!.startTime).toBe(T0 + partial.length * MINUTE);
    expect(rowsOf(readSeries(out) as BarSeries)).toEqual(expectedRows(0, N));
  }, 60_000);

  it('refuses a kline that breaks the market-data rules, naming it, and writes no file', async () => {
    serveKlines(0, 10);
    fake.kline('BTCUSDT', '1m', { t: T0 + 10 * MINUTE, o: '42000.00', h: '41000.00', l: '41990.00', c: '42000.00', v: '1', closed: true });
    const out = join(dir, 'bad.arrow');
    const run = await runCli(download(out, T0, T0 + 20 * MINUTE));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error VENUE_MESSAGE_MALFORMED: Binance kline of BTCUSDT.BINANCE opening at 1704067800000: \[\d\] (high|open|close|low) /);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('refuses to add to a file of other bars', async () => {
    serveKlines(0, 10);
    const out = join(dir, 'other.arrow');
    expect((await runCli(download(out, T0, T0 + 10 * MINUTE))).code).toBe(0);
    const run = await runCli([...download(out, T0, T0 + 10 * MINUTE).map((a) => (a === '1m' ? '5m' : a))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error CONFIG_INVALID: .*holds bars of BTCUSDT.BINANCE at 1m, not 5m bars of BTCUSDT.BINANCE/);
  }, 60_000);
});

describe('pnpm data download checks what any plugin gives', () => {
  const plugin = './test/e2e/src/fixtures/history-venue.ts';
  const run = (out: string, mode: string, to = '2024-01-01T00:10Z'): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    runCli(['data', 'download', '--venue', plugin, '--symbol', 'TEST', '--interval', '1m', '--from', '2024-01-01', '--to', to, '--out', out, '--venue-opt', `mode=${mode}`]);

  it('refuses a bar that repeats the one before, after saving the good page before it', async () => {
    const out = join(dir, 'dup.arrow');
    const r = await run(out, 'duplicate');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error VENUE_MESSAGE_MALFORMED: TEST.HIST bar from the venue opens at 2024-01-01T00:04:00.000Z, not after the bar before (2024-01-01T00:04:00.000Z): a duplicate or out of order');
    expect(r.stderr).toContain(`saved 5 new bars to ${out} before the error; run the same command again to continue`);
    expect([...(readSeries(out) as BarSeries).columns.tsOpen]).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * MINUTE));
  }, 60_000);

  it('leaves out a bar that has not closed yet', async () => {
    const out = join(dir, 'open.arrow');
    const r = await run(out, 'open', iso(Date.now() + 10 * MINUTE));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('6 new bars; 6 bars from 2024-01-01T00:00Z to 2024-01-01T00:05Z');
  }, 60_000);

  it('says so when the venue has no history', async () => {
    const r = await run(join(dir, 'none.arrow'), 'none');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error CAPABILITY_MISSING: venue history-venue has no historical market data to download');
  }, 60_000);

  it('a good download of a scripted venue is exactly its bars', async () => {
    const out = join(dir, 'good.arrow');
    const r = await run(out, 'good');
    expect(r.code, r.stderr).toBe(0);
    const s = readSeries(out) as BarSeries;
    expect([...s.columns.tsOpen]).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * MINUTE));
    expect([...s.columns.close]).toEqual(Array.from({ length: 10 }, (_, i) => 100.5 + i));
    expect(s.meta.instrument.symbol).toBe('TEST');
    expect(s.meta.source).toBe('history-venue (pnpm data download)');
  }, 60_000);
});
