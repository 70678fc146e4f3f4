import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { describeVenueConformance, notApplicable } from '@autotrader/testkit';
import { paperPlugin, type SimulatedVenue } from '../src/index';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/**
 * The simulated venue through the same conformance suite as every venue plugin. Its "fake venue" is
 * itself: market data is published on the bus, as a live data port would, and the venue's own books
 * are the truth the plugin is checked against. Hooks a simulated venue cannot have say why.
 */
describeVenueConformance('paper', async ({ feesInBaseAsset }) => {
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const config = paperPlugin.configSchema.parse({
    venue: 'SIM',
    startingBalances: { USD: '100000' },
    instruments: [{ symbol: 'BTCUSD', venue: 'SIM', base: 'BTC', quote: 'USD', tickSize: '0.5', lotSize: '0.001', minNotional: '5' }],
    // Binance's way, when a scenario asks for it: a buy pays 0.1% in the base asset it receives.
    ...(feesInBaseAsset ? { fees: { maker: '0.001', taker: '0.001', currency: 'received' } } : {}),
  });
  const connection = await paperPlugin.create(config, { bus, clock, logger: silentLogger, env: {} });
  const venue = connection.execution as SimulatedVenue;
  const instrumentId = 'BTCUSD.SIM';
  let tradeNo = 0;
  const now = (): number => clock.now();
  return {
    plugin: paperPlugin,
    connection,
    bus,
    clock,
    instrumentId,
    orderQuantity: '0.01',
    referencePrice: '30000',
    market: {
      // Let orders in flight arrive first (latency alerts run on the real clock), then print.
      async trade(price, qty) {
        await tick();
        bus.publish('trade', { instrumentId, tsEvent: now(), tsInit: now(), price: Number(price), size: Number(qty), aggressor: 'unknown', tradeId: `t${++tradeNo}` });
        await tick();
      },
      async quote(bid, bidQty, ask, askQty) {
        await tick();
        bus.publish('quote', { instrumentId, tsEvent: now(), tsInit: now(), bid: Number(bid), ask: Number(ask), bidSize: Number(bidQty), askSize: Number(askQty) });
        await tick();
      },
    },
    venueTruth: {
      openOrderIds: async () => (await venue.openOrders(instrumentId)).map((o) => o.clientOrderId),
      balance: async (currency) => venue.balanceOf(currency)?.total.toString(),
      balances: async () => Object.fromEntries((await venue.balances()).map((b) => [b.currency, { free: b.free.toString(), locked: b.locked.toString() }])),
      fills: async () => (await venue.fillsSince(instrumentId, 0)).map((f) => ({ clientOrderId: f.clientOrderId, tradeId: f.tradeId })),
      // The venue keeps one order per client order id and ignores a second submit of it.
      ordersWithClientId: async (id) => ((await venue.order(id, instrumentId)) === undefined ? 0 : 1),
      orderRequests: notApplicable('the simulated venue keeps no log of the requests it received'),
      bans: notApplicable('the simulated venue never bans: a request over its rate limits is refused with RATE_LIMITED'),
    },
    faults: {
      // The order goes live without its acknowledgement: the engine knows nothing until it asks.
      unknownOutcome: async () => venue.faults.dropNextAck(),
      orderUpdatesDown: async () => {
        venue.faults.disconnect({ lose: true });
        return { restore: async () => venue.faults.reconnect() };
      },
      rateLimitStorm: notApplicable('the simulated venue has no 429 answers to inject: over its configured limits it refuses each request with RATE_LIMITED'),
    },
    dropConnections: notApplicable('the simulated venue runs in the process: there is no connection to drop'),
    feesInBaseAsset: feesInBaseAsset ? true : notApplicable('this venue was started with every fee in the quote asset'),
    restart: notApplicable('the simulated venue lives in the trading process and is lost with it, so paper sessions keep no journal to restart from'),
    teardown: async () => {
      clock.cancelAll();
      venue.dispose();
    },
  };
});
