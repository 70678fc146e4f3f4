/**
 * The same strategy gets the same market data in a backtest, a paper session and live (issue 10):
 * bars without declaring anything, built by the engine's one aggregator where the data or the venue
 * has none at the interval, and those built bars equal the venue's own.
 *
 * `fixtures/binance-xrpeth-1m-klines.json` is Binance's own 1-minute XRP/ETH klines, 2019-10-11 00:00 →
 * 2019-10-13 11:19 UTC (3,560 rows `[open time, open, high, low, close, volume]`), committed to
 * freqtrade/freqtrade as `tests/testdata/XRP_ETH-1m.json` in 56de81a1f9705c5f551bcd4cf3afd5ba16d4cd19
 * together with the trades `data/xrpeth-trades.arrow` was made from (same repository, GPL-3.0; see
 * data/README.md), copied byte for byte (sha256 86e15380…c48335).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import {
  createLogger,
  defineStrategy,
  EventBus,
  isAutotraderError,
  makeInstrument,
  RealtimeClock,
  silentLogger,
  type Bar,
  type StrategyDefinition,
} from '@autotrader/core';
import { readSeries, type Series } from '@autotrader/data';
import { LiveSession, runBacktest, seriesToFeed, type BacktestResult, type BarSettings } from '@autotrader/engine';
import { binancePlugin } from '@autotrader/plugin-binance';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { smaCross } from '@autotrader/strategy-sma-cross';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli';
import readmeBreakout from './fixtures/readme-breakout';

type Ohlcv = [tsOpen: number, open: number, high: number, low: number, close: number, volume: number];
const ohlcv = (b: Bar): Ohlcv => [b.tsOpen, b.open, b.high, b.low, b.close, b.volume];

/** A strategy that reads bars, declares nothing, and keeps every bar it gets in `into`. */
function barRecorder(into: Bar[]): StrategyDefinition {
  return defineStrategy({
    name: 'bar-recorder',
    params: z.object({}),
    create(ctx) {
      ctx.bars().subscribe((b) => into.push(b));
    },
  });
}

function backtestFile(path: string, strategy: StrategyDefinition, params: unknown = {}, bars?: BarSettings): Promise<BacktestResult> {
  const series = readSeries(resolve(ROOT, path));
  return backtestSeries(series, strategy, params, bars);
}

function backtestSeries(series: Series, strategy: StrategyDefinition, params: unknown = {}, bars?: BarSettings): Promise<BacktestResult> {
  const instrument = makeInstrument(series.meta.instrument);
  return runBacktest({
    strategy,
    params,
    feeds: [seriesToFeed(series, instrument.id)],
    instruments: [instrument],
    venue: (ctx) => createSimulatedVenue({ config: { startingBalances: { [instrument.quote]: '100000' } }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus }),
    startingCash: 100_000,
    bars,
  });
}

async function codeOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    if (isAutotraderError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

/** A paper session on BTCUSDT against the fake Binance, its log lines kept. */
async function paperSession(fake: FakeBinance, strategy: StrategyDefinition, params: unknown, options: { barInterval?: string; recordDir?: string } = {}) {
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const lines: string[] = [];
  const errors: string[] = [];
  bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  const connection = await binancePlugin.create(binancePlugin.configSchema.parse({ restUrl: fake.restUrl, wsApiUrl: fake.wsApiUrl, streamUrl: fake.streamUrl }), {
    bus,
    clock,
    logger: silentLogger,
    env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET },
  });
  const session = new LiveSession({
    strategy,
    params,
    venue: { name: 'binance', capabilities: binancePlugin.capabilities, loadInstruments: () => connection.instruments.load(), data: connection.data!, execution: connection.execution },
    instrumentIds: ['BTCUSDT'],
    barInterval: options.barInterval,
    recordDir: options.recordDir,
    paperExecution: (ctx) =>
      createSimulatedVenue({ config: { venue: 'PAPER', startingBalances: { USDT: '100000' } }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus, logger: ctx.logger }),
    paperCash: 100_000,
    logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
    bus,
    clock,
  });
  return {
    session,
    lines,
    errors,
    async close(): Promise<void> {
      await session.stop();
      await connection.close?.();
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('bars built by the engine equal the venue’s own', () => {
  it('Binance’s XRPETH trades, replayed, give exactly Binance’s own 1m klines, flat zero-volume klines included', async () => {
    const klines = JSON.parse(readFileSync(join(ROOT, 'test/e2e/src/fixtures/binance-xrpeth-1m-klines.json'), 'utf8')) as Ohlcv[];
    const bars: Bar[] = [];
    const result = await backtestFile('data/xrpeth-trades.arrow', barRecorder(bars));
    expect(result.marketData).toEqual([{ instrumentId: 'XRPETH.BINANCE', kind: 'bar', from: 'trade', interval: '1m', quotePrice: undefined }]);
    // The data ends inside the last kline's minute: that bar never closes, every other one must match.
    expect(bars.length).toBe(klines.length - 1);
    expect(klines.filter((k) => k[5] === 0).length).toBeGreaterThan(500);
    const firstDifference = bars.findIndex((b, i) => JSON.stringify(ohlcv(b)) !== JSON.stringify(klines[i]));
    expect(firstDifference === -1 ? 'all equal' : { bar: ohlcv(bars[firstDifference]!), kline: klines[firstDifference] }).toBe('all equal');
    // A bar is known when it closes: at the first trade of a later minute.
    for (const b of bars) expect(b.tsInit).toBeGreaterThanOrEqual(b.tsEvent);
  }, 60_000);
});

describe('a strategy gets bars in every mode without declaring them', () => {
  it('sma-cross trades on the EURUSD quote ticks, on 1m bars built from the mid', async () => {
    const result = await backtestFile('data/eurusd-ticks-2014-05.arrow', smaCross, { fast: 10, slow: 30, size: 1000 });
    expect(result.marketData).toEqual([{ instrumentId: 'EURUSD.OANDA', kind: 'bar', from: 'quote', interval: '1m', quotePrice: 'mid' }]);
    expect(result.trades.length).toBeGreaterThan(10);
    // The bid gives other bars, so other trades: the choice is real.
    const bid = await backtestFile('data/eurusd-ticks-2014-05.arrow', smaCross, { fast: 10, slow: 30, size: 1000 }, { quotePrice: 'bid', interval: '5m' });
    expect(bid.marketData[0]).toMatchObject({ from: 'quote', interval: '5m', quotePrice: 'bid' });
    expect(bid.trades.length).toBeGreaterThan(0);
    expect(bid.trades.length).not.toBe(result.trades.length);
  }, 60_000);

  it('says so on the command line, in the text and in --json', async () => {
    const json = await runCli(['backtest', '--data', 'data/eurusd-ticks-2014-05.arrow', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { summary: { trades: number }; marketData: unknown[] };
    expect(out.summary.trades).toBeGreaterThan(0);
    expect(out.marketData).toEqual([{ instrumentId: 'EURUSD.OANDA', kind: 'bar', from: 'quote', interval: '1m', quotePrice: 'mid' }]);
    const text = await runCli(['backtest', '--data', 'data/eurusd-ticks-2014-05.arrow', '--bar-price', 'ask', '--interval', '15m']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Market data: EURUSD.OANDA: 15m bars built by the engine from quotes (ask price)');
  }, 120_000);

  it('a strategy that starts reading bars later (on its first trade) gets them from then on', async () => {
    const bars: Bar[] = [];
    const late = defineStrategy({
      name: 'late-bars',
      params: z.object({}),
      create(ctx) {
        let subscribed = false;
        ctx.trades().subscribe(() => {
          if (subscribed) return;
          subscribed = true;
          ctx.bars().subscribe((b) => bars.push(b));
        });
      },
    });
    const result = await backtestFile('data/xrpeth-trades.arrow', late);
    expect(result.marketData.map((r) => `${r.kind} from ${r.from}`)).toEqual(['trade from data', 'bar from trade']);
    expect(bars.length).toBeGreaterThan(3000);
  }, 60_000);

  it('refuses what cannot be served, with a coded error naming the strategy and the data', async () => {
    const readsQuotes = defineStrategy({ name: 'reads-quotes', params: z.object({}), create: (ctx) => void ctx.quotes().subscribe() });
    expect(await codeOf(backtestFile('data/btc-perp-1m.arrow', readsQuotes))).toBe(
      "CAPABILITY_MISSING: strategy 'reads-quotes' reads quotes of BTC-PERP.FTX, but the data has only 1m bars of it",
    );
    const undeclared = defineStrategy({ name: 'undeclared', params: z.object({}), requires: { data: ['trade'] }, create: (ctx) => void ctx.bars().subscribe() });
    expect(await codeOf(backtestFile('data/xrpeth-trades.arrow', undeclared))).toMatch(/^STRATEGY_INVALID: strategy 'undeclared' reads bars but its requires\.data lists trade/);
    expect(await codeOf(backtestFile('data/btc-perp-1m.arrow', barRecorder([]), {}, { interval: '5m' }))).toMatch(/^CONFIG_INVALID: the data has 1m bars of BTC-PERP\.FTX and the interval asked for is 5m/);
    expect(await codeOf(backtestFile('data/xrpeth-trades.arrow', barRecorder([]), {}, { interval: '1w' }))).toMatch(/^CONFIG_INVALID: the data has no bars of XRPETH\.BINANCE, and the engine cannot build 1w bars/);
  }, 60_000);

  it('the README’s example strategy, as printed there, gets the venue’s 1m klines in a paper session and trades on them', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(ROOT, 'test/e2e/src/fixtures/readme-breakout.ts'), 'utf8'));
    expect(readmeBreakout.requires).toBeUndefined();

    const fake = await startFakeBinance({ balances: { USDT: '100000' } });
    const s = await paperSession(fake, readmeBreakout, { lookback: 2, size: 0.01 });
    try {
      await s.session.start();
      expect(s.lines.join('\n')).toContain('paper session started on binance: BTCUSDT.BINANCE: 1m bars from binance');
      // Klines in the future, so the simulated venue takes them as after the order.
      const t0 = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
      const kline = (k: number, o: string, h: string, l: string, c: string): void => fake.kline('BTCUSDT', '1m', { t: t0 + k * 60_000, o, h, l, c, v: '1', closed: true });
      kline(0, '30000', '30000', '29900', '29950');
      kline(1, '29950', '30100', '29900', '30050');
      await sleep(300);
      expect(s.session.engine.openOrders()).toEqual([]);
      kline(2, '30050', '30250', '30000', '30200'); // closes above the last two highs: buy
      await waitFor('the breakout order', () => s.session.engine.oms.all().length === 1);
      kline(3, '30300', '30400', '30200', '30350'); // the market order fills at this bar's open
      await waitFor('the fill', () => s.session.engine.oms.allFills().length === 1);
      expect(s.session.engine.oms.allFills()[0]!.price.toString()).toBe('30300');
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
      await fake.close();
    }
  }, 60_000);

  it('where the venue has no bars at the interval (Binance: no 2s klines), the paper session builds them from trades exactly as the backtest of its recording does', async () => {
    const fake = await startFakeBinance({ balances: { USDT: '100000' } });
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-same-data-'));
    const paperBars: Bar[] = [];
    const s = await paperSession(fake, barRecorder(paperBars), {}, { barInterval: '2s', recordDir: dir });
    try {
      await s.session.start();
      expect(s.lines.join('\n')).toContain('paper session started on binance: BTCUSDT.BINANCE: 2s bars built by the engine from trades');
      let price = 30_000;
      for (let k = 0; k < 36; k++) {
        price += ((k * 7919) % 11) - 5;
        fake.trade('BTCUSDT', price.toFixed(2), ((k % 4) + 1).toFixed(3));
        await sleep(130);
      }
      // The market goes quiet: the clock closes the last bar (2 s interval + 1 s delay at most).
      const traded = paperBars.length;
      await waitFor('the quiet market’s bar', () => paperBars.length > traded, 5_000);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
      await fake.close();
    }
    expect(readdirSync(dir)).toEqual(['BTCUSDT.BINANCE-trade.arrow']);
    const recording = readSeries(join(dir, 'BTCUSDT.BINANCE-trade.arrow'));
    expect(recording.length).toBe(36);

    // The recording replayed in a backtest: the same bars, except the last, which no later trade closes.
    const replayBars: Bar[] = [];
    const replay = await backtestSeries(recording, barRecorder(replayBars), {}, { interval: '2s' });
    expect(replay.marketData[0]).toMatchObject({ kind: 'bar', from: 'trade', interval: '2s' });
    expect(replayBars.length).toBeGreaterThanOrEqual(2);
    expect(paperBars.slice(0, replayBars.length).map(ohlcv)).toEqual(replayBars.map(ohlcv));

    // And both equal a plain grouping of the recorded trades into 2 s intervals of the UTC epoch.
    const c = (recording as Extract<Series, { meta: { kind: 'trade' } }>).columns;
    const groups = new Map<number, number[][]>();
    for (let i = 0; i < recording.length; i++) {
      const start = Math.floor(c.ts[i]! / 2000) * 2000;
      groups.set(start, [...(groups.get(start) ?? []), [c.price[i]!, c.size[i]!]]);
    }
    const plain: Ohlcv[] = [];
    const starts = [...groups.keys()];
    for (let start = starts[0]!; start <= starts[starts.length - 1]!; start += 2000) {
      const g = groups.get(start);
      const close = plain[plain.length - 1]?.[4] ?? NaN;
      plain.push(
        g === undefined
          ? [start, close, close, close, close, 0]
          : [start, g[0]![0]!, Math.max(...g.map((x) => x[0]!)), Math.min(...g.map((x) => x[0]!)), g[g.length - 1]![0]!, g.reduce((v, x) => v + x[1]!, 0)],
      );
    }
    expect(paperBars.slice(0, plain.length).map(ohlcv)).toEqual(plain);
  }, 60_000);
});
