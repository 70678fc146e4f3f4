import { EventBus, RealtimeClock, silentLogger, type VenuePlugin } from '@autotrader/core';
import { describeVenueConformance, notApplicable } from '@autotrader/testkit';
import { coinbasePlugin, createCoinbase, type CoinbaseConnection } from '../src/index';
import { ORDER_CREATION, startFakeCoinbase, TEST_EC_PRIVATE_KEY, TEST_KEY_NAME } from './fake-venue';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
const PRODUCT = 'BTC-USD';

/**
 * The suite subscribes bars at 1m only; Coinbase streams 5-minute candles and nothing else, and refuses
 * other intervals (the engine then builds them from trades). So the suite runs the plugin with its
 * declared data kinds minus `bar`; the 5-minute candles are tested in plugin-coinbase.test.ts.
 */
const pluginWithoutBarScenario: VenuePlugin = {
  ...(coinbasePlugin as unknown as VenuePlugin),
  capabilities: { ...coinbasePlugin.capabilities, data: coinbasePlugin.capabilities.data.filter((k) => k !== 'bar') },
};

/**
 * The Coinbase plugin through the conformance suite every venue plugin passes, against the fake
 * Coinbase on loopback. Coinbase charges commissions in the quote currency, so the base-asset fee
 * scenario does not apply.
 */
describeVenueConformance('coinbase', async () => {
  const fake = await startFakeCoinbase({ balances: { USD: '100000', BTC: '1' } });
  const config = coinbasePlugin.configSchema.parse({
    restUrl: fake.restUrl,
    wsUrl: fake.wsUrl,
    wsUserUrl: fake.wsUserUrl,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  const processes: { connection: CoinbaseConnection; clock: RealtimeClock }[] = [];
  /** One process's connection to the fake, with its own bus and clock, as a new `pnpm live` would have. */
  const connect = (): { connection: CoinbaseConnection; bus: EventBus; clock: RealtimeClock } => {
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const connection = createCoinbase(config, { bus, clock, logger: silentLogger, env: { COINBASE_API_KEY: TEST_KEY_NAME, COINBASE_API_SECRET: TEST_EC_PRIVATE_KEY } });
    processes.push({ connection, clock });
    return { connection, bus, clock };
  };
  const { connection, bus, clock } = connect();
  return {
    plugin: pluginWithoutBarScenario,
    connection,
    bus,
    clock,
    instrumentId: 'BTC-USD.COINBASE',
    orderQuantity: '0.01',
    referencePrice: '30000',
    market: {
      async trade(price, qty) {
        fake.trade(PRODUCT, price, qty);
        await settle();
      },
      async quote(bid, bidQty, ask, askQty) {
        fake.quote(PRODUCT, bid, bidQty, ask, askQty);
        await settle();
      },
      async book(bids, asks) {
        fake.book(PRODUCT, bids, asks);
        await settle();
      },
    },
    venueTruth: {
      openOrderIds: async () => fake.orders().filter((o) => o.status === 'OPEN').map((o) => o.clientOrderId),
      balance: async (currency) => {
        const b = fake.balances()[currency];
        return b === undefined ? undefined : String(Number(b.available) + Number(b.hold));
      },
      balances: async () => Object.fromEntries(Object.entries(fake.balances()).map(([c, b]) => [c, { free: b.available, locked: b.hold }])),
      fills: async () => fake.orders().flatMap((o) => o.fills.map((f) => ({ clientOrderId: o.clientOrderId, tradeId: f.tradeId }))),
      ordersWithClientId: async (id) => fake.orders().filter((o) => o.clientOrderId === id).length,
      orderRequests: async () => fake.requests().filter(ORDER_CREATION).length,
      bans: async () => fake.bans(),
    },
    faults: {
      // A 503 after the order was placed: the outcome is unknown until the plugin asks.
      unknownOutcome: async () => fake.faults.serverError(1, 503, { target: ORDER_CREATION, processed: true }),
      orderUpdatesDown: async () => {
        fake.faults.userChannelDown(true);
        return { restore: async () => fake.faults.userChannelDown(false) };
      },
      rateLimitStorm: async (count) => fake.faults.rateLimit(count, { retryAfterSec: 1, escalateAfterIgnored: 3 }),
    },
    dropConnections: async () => {
      fake.faults.dropSockets();
    },
    feesInBaseAsset: notApplicable('Coinbase charges every commission in the quote currency'),
    restart: async () => connect(),
    teardown: async () => {
      for (const p of processes) {
        p.clock.cancelAll();
        await p.connection.close();
      }
      await fake.close();
    },
  };
});
