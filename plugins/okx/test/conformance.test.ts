import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { describeVenueConformance } from '@autotrader/testkit';
import { createOkx, okxPlugin, ourClientOrderId, wireClientOrderId, type OkxConnection } from '../src/index';
import { DEMO_KEY, ORDER_PATH, startFakeOkx } from './fake-venue';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
const INST = 'BTC-USDT';

/**
 * The OKX plugin through the conformance suite every venue plugin passes, against the fake OKX on
 * loopback (demo environment, orders as WebSocket operations: the default). Every hook applies: OKX
 * charges a spot fee in the asset received (a buy's in the base asset), answers 429 (50011) then bans a
 * client that keeps asking, and keeps the account while a process restarts.
 */
describeVenueConformance('okx', async () => {
  const fake = await startFakeOkx({ balances: { USDT: '100000', BTC: '1' } });
  const config = okxPlugin.configSchema.parse({
    restUrl: fake.restUrl,
    ...fake.demo,
    // A lost answer to an order operation is given up after 1.5 s (then the order is looked up).
    timeouts: { requestMs: 1_500 },
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  const processes: { connection: OkxConnection; clock: RealtimeClock }[] = [];
  /** One process's connection to the fake: its own bus and clock, as a new `pnpm live` would have. */
  const connect = (): { connection: OkxConnection; bus: EventBus; clock: RealtimeClock } => {
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const connection = createOkx(config, { bus, clock, logger: silentLogger, env: { OKX_API_KEY: DEMO_KEY.apiKey, OKX_API_SECRET: DEMO_KEY.secret, OKX_API_PASSPHRASE: DEMO_KEY.passphrase } });
    processes.push({ connection, clock });
    return { connection, bus, clock };
  };
  const { connection, bus, clock } = connect();
  let minute = Math.floor(Date.now() / 60_000) * 60_000;
  const orders = () => fake.orders('demo');
  return {
    plugin: okxPlugin,
    connection,
    bus,
    clock,
    instrumentId: 'BTC-USDT.OKX',
    orderQuantity: '0.01',
    referencePrice: '30000',
    market: {
      async trade(price, qty) {
        fake.trade(INST, price, qty, 'buy');
        await settle();
      },
      async quote(bid, bidQty, ask, askQty) {
        fake.ticker(INST, bid, bidQty, ask, askQty);
        await settle();
      },
      async bar(o, h, l, c, v) {
        minute += 60_000;
        fake.candles(INST, '1m', [{ ts: minute, o, h, l, c, vol: v, confirm: true }]);
        await settle();
      },
      async book(bids, asks) {
        fake.book(INST, bids, asks);
        await settle();
      },
    },
    venueTruth: {
      openOrderIds: async () => orders().filter((o) => o.state === 'live' || o.state === 'partially_filled').map((o) => ourClientOrderId(o.clOrdId)),
      balance: async (currency) => fake.balances('demo')[currency]?.cashBal,
      balances: async () => Object.fromEntries(Object.entries(fake.balances('demo')).map(([c, b]) => [c, { free: b.availBal, locked: b.frozenBal }])),
      fills: async () => orders().flatMap((o) => o.fills.map((f) => ({ clientOrderId: ourClientOrderId(o.clOrdId), tradeId: f.tradeId }))),
      ordersWithClientId: async (id) => orders().filter((o) => o.clOrdId === wireClientOrderId(id)).length,
      orderRequests: async () => fake.requests().filter((r) => r.method === 'POST' && r.path === ORDER_PATH).length + fake.wsOps().filter((x) => x.op === 'order').length,
      bans: async () => fake.bans(),
    },
    faults: {
      // The venue places the order; its answer never comes.
      unknownOutcome: async () => fake.faults.acceptThenTimeout(1),
      orderUpdatesDown: async () => {
        fake.faults.refuseConnections(true);
        fake.faults.dropPrivateSockets();
        return { restore: async () => fake.faults.refuseConnections(false) };
      },
      rateLimitStorm: async (count) => fake.faults.rateLimit(count),
    },
    dropConnections: async () => {
      fake.faults.dropPublicSockets();
      fake.faults.dropPrivateSockets();
    },
    feesInBaseAsset: true,
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
