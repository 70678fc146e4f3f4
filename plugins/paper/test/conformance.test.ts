import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { describeVenueConformance } from '@autotrader/testkit';
import { paperPlugin, type SimulatedVenue } from '../src/index';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/**
 * The simulated venue through the same conformance suite as every venue plugin. Its "fake venue" is
 * itself: market data is published on the bus, as a live data port would, and the venue's own books
 * are the truth the plugin is checked against.
 */
describeVenueConformance('paper', async () => {
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const config = paperPlugin.configSchema.parse({
    venue: 'SIM',
    startingBalances: { USD: '100000' },
    instruments: [{ symbol: 'BTCUSD', venue: 'SIM', base: 'BTC', quote: 'USD', tickSize: '0.5', lotSize: '0.001', minNotional: '5' }],
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
    },
    teardown: async () => {
      clock.cancelAll();
      venue.dispose();
    },
  };
});
