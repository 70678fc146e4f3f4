import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { describeVenueConformance } from '@autotrader/testkit';
import { binancePlugin, createBinance, type BinanceConnection } from '../src/index';
import { FAKE_API_KEY, FAKE_API_SECRET, ORDER_PLACEMENT, startFakeBinance } from './fake-venue';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/**
 * The Binance plugin through the conformance suite every venue plugin passes, against the fake
 * Binance on loopback. Every hook applies: Binance charges a buy's fee in the base asset, answers
 * 429 then 418, and keeps the account while a process restarts.
 */
describeVenueConformance('binance', async () => {
  const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '1' } });
  const config = binancePlugin.configSchema.parse({
    restUrl: fake.restUrl,
    wsApiUrl: fake.wsApiUrl,
    streamUrl: fake.streamUrl,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  const processes: { connection: BinanceConnection; clock: RealtimeClock }[] = [];
  /** One process's connection to the fake: its own bus and clock, as a new `pnpm live` would have. */
  const connect = (): { connection: BinanceConnection; bus: EventBus; clock: RealtimeClock } => {
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const connection = createBinance(config, { bus, clock, logger: silentLogger, env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET } });
    processes.push({ connection, clock });
    return { connection, bus, clock };
  };
  const { connection, bus, clock } = connect();
  let minute = Math.floor(Date.now() / 60_000) * 60_000;
  return {
    plugin: binancePlugin,
    connection,
    bus,
    clock,
    instrumentId: 'BTCUSDT.BINANCE',
    orderQuantity: '0.01',
    referencePrice: '30000',
    market: {
      async trade(price, qty) {
        fake.trade('BTCUSDT', price, qty);
        await settle();
      },
      async quote(bid, bidQty, ask, askQty) {
        fake.bookTicker('BTCUSDT', bid, bidQty, ask, askQty);
        await settle();
      },
      async bar(o, h, l, c, v) {
        minute += 60_000;
        fake.kline('BTCUSDT', '1m', { t: minute, o, h, l, c, v, closed: true });
        await settle();
      },
      async book(bids, asks) {
        fake.depthUpdate('BTCUSDT', bids, asks);
        await settle();
      },
    },
    venueTruth: {
      openOrderIds: async () => fake.orders().filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').map((o) => o.clientOrderId),
      balance: async (currency) => {
        const b = fake.balances()[currency];
        return b === undefined ? undefined : String(Number(b.free) + Number(b.locked));
      },
      balances: async () => fake.balances(),
      fills: async () => fake.orders().flatMap((o) => o.fills.map((f) => ({ clientOrderId: o.clientOrderId, tradeId: String(f.tradeId) }))),
      ordersWithClientId: async (id) => fake.orders().filter((o) => o.clientOrderId === id).length,
      orderRequests: async () => fake.requests().filter((r) => ORDER_PLACEMENT({ ...r, transport: r.method === 'WS' ? 'ws-api' : 'rest' })).length,
      bans: async () => fake.bans(),
    },
    faults: {
      // Binance's -1007 "execution status unknown", after the order was in fact placed.
      unknownOutcome: async () => fake.faults.serverError(1, 503, ORDER_PLACEMENT, { processed: true }),
      orderUpdatesDown: async () => {
        fake.faults.refuseConnections(true);
        fake.faults.dropStreams();
        return { restore: async () => fake.faults.refuseConnections(false) };
      },
      // Requests already in flight when the first 429 lands are tolerated; asking again inside Retry-After gets a 418.
      rateLimitStorm: async (count) => fake.faults.rateLimit(count, { retryAfterSec: 1, escalateTo418AfterIgnored: 3 }),
    },
    dropConnections: async () => fake.faults.dropStreams(),
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
