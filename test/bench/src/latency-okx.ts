/**
 * Tick-to-order latency against the fake OKX on loopback, for the plugin's two order transports:
 * REST (`POST /api/v5/trade/order`) and the private socket's `order` operation. From a public-socket
 * frame received (diagnostics channel `autotrader:venue:frame`) to the order written: over REST undici's
 * `undici:client:sendHeaders`, over the WebSocket the plugin's `autotrader:okx:order-op` (published right
 * after the frame is handed to the socket). Also to the venue's acknowledgement (the order `accepted` on
 * the bus), which includes the fake's work and the way back. One trade at a time, each causing one market
 * order. OKX limits placements to 60 per 2 s per instrument, so the ticks rotate over many instruments.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { z } from 'zod';
import { defineStrategy, EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { LiveSession } from '@autotrader/engine';
import { createOkx, FRAME_CHANNEL, okxPlugin, ORDER_OP_CHANNEL } from '@autotrader/plugin-okx';
import { DEMO_KEY, startFakeOkx } from '@autotrader/fake-okx';

/** Buys on one trade of an instrument and sells on its next: one market order per tick. */
const everyTick = defineStrategy({
  name: 'every-tick-okx',
  params: z.object({}),
  create(ctx) {
    const long = new Map<string, boolean>();
    ctx.trades().subscribe((t) => {
      const isLong = long.get(t.instrumentId) === true;
      ctx.submit({ instrumentId: t.instrumentId, side: isLong ? 'sell' : 'buy', quantity: '0.001' });
      long.set(t.instrumentId, !isLong);
    });
  },
});

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Latency figures in microseconds. */
export interface OkxLatency {
  readonly transport: 'rest' | 'ws';
  readonly n: number;
  /** Frame received → order written to the socket. */
  readonly written: { p50: number; p99: number; max: number };
  /** Frame received → the venue's acknowledgement booked (`accepted` on the bus). */
  readonly acked: { p50: number; p99: number; max: number };
}

/** Instruments the ticks rotate over: 50 keeps each under OKX's 60 placements per 2 s at any pace this loop reaches. */
const INSTRUMENTS = 50;

/** Runs `ticks` paced ticks with orders over `transport`. */
export async function measureOkxTickToOrder(ticks: number, transport: 'rest' | 'ws'): Promise<OkxLatency> {
  const ids = Array.from({ length: INSTRUMENTS }, (_, i) => `T${i}-USDT`);
  const balances: Record<string, string> = { USDT: '1000000000' };
  for (let i = 0; i < INSTRUMENTS; i++) balances[`T${i}`] = '1000';
  const fake = await startFakeOkx({
    instruments: ids.map((instId, i) => ({ instId, baseCcy: `T${i}`, quoteCcy: 'USDT', tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001' })),
    balances,
  });
  for (const instId of ids) fake.ticker(instId, '29999.9', '1000000', '30000.1', '1000000', '30000');
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  let frameAt = NaN;
  const written: number[] = [];
  const acked: number[] = [];
  let wake: (() => void) | undefined;
  const done = (): void => {
    if (written.length === acked.length && wake !== undefined) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  const onFrame = (m: unknown): void => {
    const msg = m as { socket: string; at: number };
    if (msg.socket === 'okx public') frameAt = msg.at;
  };
  const onSend = (m: unknown): void => {
    const { request } = m as { request: { method: string; path: string } };
    if (request.method !== 'POST' || !request.path.startsWith('/api/v5/trade/order')) return;
    written.push((performance.now() - frameAt) * 1000);
  };
  const onOp = (m: unknown): void => {
    const msg = m as { op: string; at: number };
    if (msg.op === 'order') written.push((msg.at - frameAt) * 1000);
  };
  subscribe(FRAME_CHANNEL, onFrame);
  subscribe('undici:client:sendHeaders', onSend);
  subscribe(ORDER_OP_CHANNEL, onOp);
  const problems: string[] = [];
  bus.on('error', (e) => problems.push(`${e.code}: ${e.message}`));
  let lastOrder = '';
  bus.on('submit', (e) => (lastOrder = `${e.order.clientOrderId}: submitted`));
  bus.on('order', (e) => {
    if (lastOrder.startsWith(`${e.order.clientOrderId}:`)) lastOrder += ` → ${e.order.status}`;
    if (e.order.status === 'rejected') problems.push(`rejected ${e.order.clientOrderId}: ${e.order.rejection?.code} ${e.order.rejection?.message}`);
    if (e.order.status !== 'accepted' || e.previous !== 'submitted') return;
    acked.push((performance.now() - frameAt) * 1000);
    done();
  });
  const connection = createOkx(okxPlugin.configSchema.parse({ restUrl: fake.restUrl, ...fake.demo, orderTransport: transport }), {
    bus,
    clock,
    logger: silentLogger,
    env: { OKX_API_KEY: DEMO_KEY.apiKey, OKX_API_SECRET: DEMO_KEY.secret, OKX_API_PASSPHRASE: DEMO_KEY.passphrase },
  });
  const session = new LiveSession({
    strategy: everyTick,
    venue: { name: 'okx', capabilities: okxPlugin.capabilities, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
    instrumentIds: ids,
    dataKinds: ['trade'],
    bus,
    clock,
  });
  await session.start();
  try {
    for (let k = 0; k < ticks; k++) {
      const acknowledged = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`order ${k} not acknowledged within 10 s (${written.length} written, ${acked.length} acknowledged); last order ${lastOrder}; ${problems.length} problems, the first: ${problems.slice(0, 2).join(' | ') || 'none'}; the last: ${problems.slice(-2).join(' | ')}`)), 10_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      fake.trade(ids[k % INSTRUMENTS]!, (30_000 + (k % 7) / 10).toFixed(1), '5', k % 2 === 0 ? 'buy' : 'sell');
      await acknowledged;
      if (written.length !== k + 1 || acked.length !== k + 1) throw new Error(`tick ${k}: ${written.length} orders written, ${acked.length} acknowledged`);
    }
  } finally {
    unsubscribe(FRAME_CHANNEL, onFrame);
    unsubscribe('undici:client:sendHeaders', onSend);
    unsubscribe(ORDER_OP_CHANNEL, onOp);
    await session.stop();
    await connection.close();
    await fake.close();
  }
  const stats = (xs: number[]): { p50: number; p99: number; max: number } => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1]! };
  };
  return { transport, n: written.length, written: stats(written), acked: stats(acked) };
}
