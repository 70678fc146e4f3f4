import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { binancePlugin } from '@autotrader/plugin-binance';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from '@autotrader/fake-binance';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { fillKey, orderKey, pingPong, runParity } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';

/** A deterministic walk of trade prices on BTCUSDT's 0.01 tick (the fake fills at the next trade, as the simulated venue does: no price needs to hold). */
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
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const connection = await binancePlugin.create(
      binancePlugin.configSchema.parse({ restUrl: fake.restUrl, wsApiUrl: fake.wsApiUrl, streamUrl: fake.streamUrl }),
      { bus, clock, logger: silentLogger, env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET } },
    );
    const walk = prices(90);
    const run = await runParity({
      strategy: pingPong,
      params: { every: 3, size: '0.01' },
      venue: { name: 'binance', capabilities: binancePlugin.capabilities, loadInstruments: () => connection.instruments.load(), data: connection.data!, execution: connection.execution },
      bus,
      clock,
      instrumentId: 'BTCUSDT',
      dataKind: 'trade',
      events: walk.length,
      print: (k) => fake.trade('BTCUSDT', walk[k]!, '1'),
      venueCounts: () => ({ orders: fake.orders().length, fills: fake.orders().reduce((n, o) => n + o.fills.length, 0) }),
      // The simulated venue set to the fake's rules: fees in the asset received, as Binance charges them.
      replayVenue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'BINANCE', startingBalances: { USDT: '100000' }, partialFills: false, fees: { maker: '0.001', taker: '0.001', currency: 'received' } },
          instruments: ctx.instruments,
          clock: ctx.clock,
          bus: ctx.bus,
        }),
      startingCash: 100_000,
      close: async () => {
        await (connection as unknown as { close?: () => Promise<void> }).close?.();
        await fake.close();
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.liveOrders.length).toBeGreaterThan(20);
    expect(run.liveFills.length).toBeGreaterThan(20);
    expect(run.files).toEqual(['BTCUSDT.BINANCE-trade.arrow']);
    expect(run.recordedRows).toBe(90);
    expect(run.replay.orders.map(orderKey)).toEqual(run.liveOrders.map(orderKey));
    expect(run.replay.fills.map(fillKey)).toEqual(run.liveFills.map(fillKey));
  }, 60_000);
});
