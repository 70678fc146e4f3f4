import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, makeInstrument, RealtimeClock, silentLogger, type Fill, type OrderSnapshot } from '@autotrader/core';
import { readSeries } from '@autotrader/data';
import { LiveSession, runBacktest } from '@autotrader/engine';
import { seriesToFeed } from '@autotrader/engine';
import { binancePlugin } from '@autotrader/plugin-binance';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from '@autotrader/fake-binance';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import pingPong from './fixtures/ping-pong';

const orderKey = (o: OrderSnapshot): string => `${o.side} ${o.type} ${o.quantity.toString()} ${o.price?.toString() ?? '-'}`;
const fillKey = (f: Fill): string => `${f.side} ${f.quantity.toString()} @ ${f.price.toString()} fee ${f.fee.toString()} ${f.feeCurrency}`;

/** A deterministic walk of trade prices on BTCUSDT's 0.01 tick. */
function prices(n: number): string[] {
  const out: string[] = [];
  let p = 30_000;
  for (let i = 0; i < n; i++) {
    p += ((i * 7919) % 13) - 6;
    out.push(p.toFixed(2));
  }
  return out;
}

describe('parity: live against the fake Binance, then the recording replayed in a backtest', () => {
  it('produces the same orders and the same fills', async () => {
    // The fake fills a market order at the next trade it prints; the simulated venue is configured the same way.
    const fake = await startFakeBinance({ balances: { USDT: '100000' }, marketFillRule: 'next-trade', takerCommission: '0.001', makerCommission: '0.001' });
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-parity-'));
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const liveOrders: OrderSnapshot[] = [];
    const liveFills: Fill[] = [];
    const errors: string[] = [];
    bus.on('submit', (e) => liveOrders.push(e.order));
    bus.on('fill', (f) => liveFills.push(f));
    bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    let tradesSeen = 0;
    bus.on('trade', () => tradesSeen++);
    const connection = await binancePlugin.create(
      binancePlugin.configSchema.parse({ restUrl: fake.restUrl, wsApiUrl: fake.wsApiUrl, streamUrl: fake.streamUrl }),
      { bus, clock, logger: silentLogger, env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET } },
    );
    const session = new LiveSession({
      strategy: pingPong,
      params: { every: 3, size: '0.01' },
      venue: { name: 'binance', capabilities: binancePlugin.capabilities, loadInstruments: () => connection.instruments.load(), data: connection.data!, execution: connection.execution },
      instrumentIds: ['BTCUSDT'],
      dataKinds: ['trade'],
      recordDir: dir,
      bus,
      clock,
    });
    try {
      await session.start();
      const walk = prices(90);
      for (let k = 0; k < walk.length; k++) {
        fake.trade('BTCUSDT', walk[k]!, '1');
        // One trade at a time: it is delivered, any order it caused has reached the fake, and every fill the fake made is booked.
        await waitFor(`trade ${k} delivered`, () => tradesSeen === k + 1);
        await waitFor(`orders after trade ${k} reached the venue`, () => fake.orders().length === liveOrders.length);
        await waitFor(`fills after trade ${k} booked`, () => fake.orders().reduce((n, o) => n + o.fills.length, 0) === liveFills.length);
      }
    } finally {
      await session.stop();
      await (connection as unknown as { close?: () => Promise<void> }).close?.();
      await fake.close();
    }
    expect(errors).toEqual([]);
    expect(liveOrders.length).toBeGreaterThan(20);
    expect(liveFills.length).toBeGreaterThan(20);

    // Replay the recording with the simulated venue set to the fake's rules: fees in the asset received, as Binance charges them.
    const files = readdirSync(dir);
    expect(files).toEqual(['BTCUSDT.BINANCE-trade.arrow']);
    const series = readSeries(join(dir, files[0]!));
    expect(series.length).toBe(90);
    const instrument = makeInstrument(series.meta.instrument);
    const replay = await runBacktest({
      strategy: pingPong,
      params: { every: 3, size: '0.01' },
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      venue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'BINANCE', startingBalances: { USDT: '100000' }, partialFills: false, fees: { maker: '0.001', taker: '0.001', currency: 'received' } },
          instruments: ctx.instruments,
          clock: ctx.clock,
          bus: ctx.bus,
        }),
      startingCash: 100_000,
    });
    expect(replay.orders.map(orderKey)).toEqual(liveOrders.map(orderKey));
    expect(replay.fills.map(fillKey)).toEqual(liveFills.map(fillKey));
  }, 60_000);
});
