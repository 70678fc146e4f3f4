/**
 * Tick-to-order latency inside the process, against the fake Binance on loopback: from a market-data
 * WebSocket frame received (diagnostics channel `autotrader:venue:frame`) to the order request's
 * headers written to the socket (undici's `undici:client:sendHeaders`). One trade at a time, each
 * causing one market order, so every order is matched to the frame that caused it. Also splits the
 * time into: frame → `trade` on the bus (parse, validate, publish), bus → `submit` (strategy,
 * pre-trade checks, OMS), `submit` → request written (plugin: validation, signing, HTTP client).
 */
import { subscribe } from 'node:diagnostics_channel';
import { z } from 'zod';
import { defineStrategy, EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { LiveSession } from '@autotrader/engine';
import { binancePlugin, FRAME_CHANNEL } from '@autotrader/plugin-binance';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';

/** Buys on one trade and sells on the next: one market order per tick, position always back to flat. */
const everyTick = defineStrategy({
  name: 'every-tick',
  params: z.object({}),
  create(ctx) {
    const id = ctx.instruments.list()[0]!.id;
    let long = false;
    ctx.trades(id).subscribe(() => {
      ctx.submit({ instrumentId: id, side: long ? 'sell' : 'buy', quantity: '0.001' });
      long = !long;
    });
  },
});

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Runs `ticks` paced ticks and returns the latency distribution in microseconds. */
export async function measureTickToOrder(ticks: number): Promise<{ n: number; p50: number; p99: number; max: number; parts: Record<string, { p50: number; p99: number }> }> {
  const fake = await startFakeBinance({
    balances: { USDT: '100000000', BTC: '0' },
    weightLimitPerMinute: 1e9,
    orderLimitPer10s: 1e9,
    orderLimitPerDay: 1e9,
    pingIntervalMs: 600_000,
  });
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  let frameAt = NaN;
  let busAt = NaN;
  let submitAt = NaN;
  const total: number[] = [];
  const parts = { 'frame → bus trade': [] as number[], 'bus trade → submit': [] as number[], 'submit → request written': [] as number[] };
  const onFrame = (m: unknown): void => {
    const msg = m as { socket: string; at: number };
    if (msg.socket === 'binance market streams') frameAt = msg.at;
  };
  const onSend = (m: unknown): void => {
    const { request } = m as { request: { method: string; path: string } };
    if (request.method !== 'POST' || !request.path.startsWith('/api/v3/order')) return;
    const at = performance.now();
    total.push((at - frameAt) * 1000);
    parts['frame → bus trade'].push((busAt - frameAt) * 1000);
    parts['bus trade → submit'].push((submitAt - busAt) * 1000);
    parts['submit → request written'].push((at - submitAt) * 1000);
  };
  subscribe(FRAME_CHANNEL, onFrame);
  subscribe('undici:client:sendHeaders', onSend);
  bus.on('trade', () => (busAt = performance.now()), { priority: -1_000_000 });
  bus.on('submit', () => (submitAt = performance.now()), { priority: -1_000_000 });
  const connection = binancePlugin.create(binancePlugin.configSchema.parse({ restUrl: fake.restUrl, wsApiUrl: fake.wsApiUrl, streamUrl: fake.streamUrl }), {
    bus,
    clock,
    logger: silentLogger,
    env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET },
  }) as Awaited<ReturnType<typeof binancePlugin.create>> & { close(): Promise<void> };
  const session = new LiveSession({
    strategy: everyTick,
    venue: { name: 'binance', capabilities: binancePlugin.capabilities, loadInstruments: () => connection.instruments.load(), data: connection.data!, execution: connection.execution },
    instrumentIds: ['BTCUSDT'],
    dataKinds: ['trade'],
    bus,
    clock,
  });
  await session.start();
  try {
    for (let k = 0; k < ticks; k++) {
      fake.trade('BTCUSDT', (30_000 + (k % 7)).toFixed(2), '5');
      await waitFor(`order ${k} written`, () => total.length === k + 1, 10_000);
    }
  } finally {
    await session.stop();
    await connection.close();
    await fake.close();
  }
  const sorted = [...total].sort((a, b) => a - b);
  const summary = (xs: number[]): { p50: number; p99: number } => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: pct(s, 50), p99: pct(s, 99) };
  };
  return {
    n: total.length,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    max: sorted[sorted.length - 1]!,
    parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summary(v)])),
  };
}
