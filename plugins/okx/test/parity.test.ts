import { describe, expect, it } from 'vitest';
import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { fillKey, orderKey, parityWalk, pingPong, runParity } from '@autotrader/testkit';
import { createOkx, okxPlugin } from '../src/index';
import { DEMO_KEY, startFakeOkx } from './fake-venue';

const INST = 'BTC-USDT';

describe('parity: live against the fake OKX, then the recording replayed in a backtest', () => {
  it('produces the same orders and the same fills (fees in the asset received)', async () => {
    const fake = await startFakeOkx({ balances: { USDT: '100000' }, fees: { maker: '0.001', taker: '0.001' } });
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const config = okxPlugin.configSchema.parse({ restUrl: fake.restUrl, ...fake.demo });
    const connection = createOkx(config, { bus, clock, logger: silentLogger, env: { OKX_API_KEY: DEMO_KEY.apiKey, OKX_API_SECRET: DEMO_KEY.secret, OKX_API_PASSPHRASE: DEMO_KEY.passphrase } });
    const params = { every: 3, size: '0.01' };
    // 91 trades on BTC-USDT's 0.1 tick: the order the 90th one triggers fills on the 91st in the backtest, as it fills at once live.
    const walk = parityWalk(91, params.every, 30_000).map((p) => p.toFixed(1));
    const run = await runParity({
      strategy: pingPong,
      params,
      venue: { name: 'okx', capabilities: okxPlugin.capabilities, rateLimits: okxPlugin.rateLimits, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
      bus,
      clock,
      instrumentId: INST,
      dataKind: 'trade',
      events: walk.length,
      print: (k) => {
        // The touch a market order takes live is the last trade's price, deep enough for any of ours.
        fake.ticker(INST, walk[k]!, '100', walk[k]!, '100', walk[k]!);
        fake.trade(INST, walk[k]!, '1', k % 2 === 0 ? 'buy' : 'sell');
      },
      venueCounts: () => ({ orders: fake.orders('demo').length, fills: fake.orders('demo').reduce((n, o) => n + o.fills.length, 0) }),
      replayVenue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'OKX', startingBalances: { USDT: '100000' }, partialFills: false, fees: { maker: '0.001', taker: '0.001', currency: 'received' } },
          instruments: ctx.instruments,
          clock: ctx.clock,
          bus: ctx.bus,
        }),
      startingCash: 100_000,
      close: async () => {
        await connection.close();
        await fake.close();
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.liveOrders.length).toBeGreaterThan(20);
    expect(run.liveFills.length).toBe(run.liveOrders.length);
    expect(run.liveFills.filter((f) => f.side === 'buy').every((f) => f.feeCurrency === 'BTC')).toBe(true);
    expect(run.files).toEqual(['BTC-USDT.OKX-trade.arrow']);
    expect(run.recordedRows).toBe(walk.length);
    expect(run.replay.orders.map(orderKey)).toEqual(run.liveOrders.map(orderKey));
    expect(run.replay.fills.map(fillKey)).toEqual(run.liveFills.map(fillKey));
  }, 60_000);
});
