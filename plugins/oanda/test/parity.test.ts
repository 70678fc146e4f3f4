import { describe, expect, it } from 'vitest';
import { EventBus, money, RealtimeClock, silentLogger } from '@autotrader/core';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { fillKey, orderKey, parityWalk, pingPong, runParity } from '@autotrader/testkit';
import { createOanda, oandaPlugin } from '../src/index';
import { NETTING_ACCOUNT_ID, PRACTICE_TOKEN, startFakeOanda } from './fake-venue';

const INST = 'EUR_USD';

describe('parity: live against the fake OANDA, then the recording replayed in a backtest on a margin account', () => {
  it('produces the same orders, the same fills and the same balance', async () => {
    const fake = await startFakeOanda({ heartbeatMs: 1000 });
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const config = oandaPlugin.configSchema.parse({ restUrl: fake.restUrl, streamUrl: fake.streamUrl, accountId: NETTING_ACCOUNT_ID });
    const connection = createOanda(config, { bus, clock, logger: silentLogger, env: { OANDA_API_TOKEN: PRACTICE_TOKEN } });
    const params = { every: 3, size: '10000', on: 'quote' as const };
    // 61 bid/ask pairs on EUR_USD's 0.00001 tick with a 1-pip spread: the order the 60th quote triggers
    // fills on the 61st in the backtest, as it fills at once live.
    const walk = parityWalk(61, params.every, 110_000).map((bid) => [(bid / 100_000).toFixed(5), ((bid + 10) / 100_000).toFixed(5)] as const);
    const fills = (): number => (fake.orders(NETTING_ACCOUNT_ID) as { fills: unknown[] }[]).reduce((n, o) => n + o.fills.length, 0);
    let venueBalance = '';
    const account = { type: 'margin' as const, baseCurrency: 'USD' };
    const run = await runParity({
      strategy: pingPong,
      params,
      venue: { name: 'oanda', capabilities: oandaPlugin.capabilities, rateLimits: oandaPlugin.rateLimits, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
      bus,
      clock,
      instrumentId: `${INST}.OANDA`,
      dataKind: 'quote',
      events: walk.length,
      print: (k) => fake.price(INST, [[walk[k]![0], '10000000']], [[walk[k]![1], '10000000']]),
      venueCounts: () => ({ orders: fake.orders(NETTING_ACCOUNT_ID).length, fills: fills() }),
      // OANDA sends at most 4 prices a second per instrument: the next one would be held back.
      pauseMs: 260,
      account,
      replayVenue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'OANDA', account, startingBalances: { USD: '100000' }, partialFills: false, fees: { maker: '0', taker: '0' } },
          instruments: ctx.instruments,
          clock: ctx.clock,
          bus: ctx.bus,
        }),
      startingCash: 100_000,
      close: async () => {
        venueBalance = fake.account(NETTING_ACCOUNT_ID).balance;
        await connection.close();
        await fake.close();
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.liveOrders.length).toBeGreaterThanOrEqual(19);
    expect(run.liveFills.length).toBe(run.liveOrders.length);
    expect(run.liveFills.every((f) => f.feeCurrency === 'USD' && f.fee.isZero())).toBe(true);
    // The round trips paid the spread and moved with the price: the balance is not where it started.
    expect(money(venueBalance).eq(100_000)).toBe(false);
    expect(run.files).toEqual(['EUR_USD.OANDA-quote.arrow']);
    expect(run.recordedRows).toBe(walk.length);
    expect(run.instrument.marginRate?.toString()).toBe('0.02');
    expect(run.replay.orders.map(orderKey)).toEqual(run.liveOrders.map(orderKey));
    expect(run.replay.fills.map(fillKey)).toEqual(run.liveFills.map(fillKey));
    // The margin account's balance after the round trips is OANDA's, to the cent (OANDA books 4 places).
    expect(money(run.replay.account!.balance).toFixed(2)).toBe(money(venueBalance).toFixed(2));
  }, 90_000);
});
