import { EventBus, RealtimeClock, silentLogger } from '@autotrader/core';
import { describeVenueConformance } from '@autotrader/testkit';
import { binancePlugin, createBinance } from '../src/index';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from './fake-venue';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** The Binance plugin through the conformance suite every venue plugin passes, against the fake Binance on loopback. */
describeVenueConformance('binance', async () => {
  const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '1' } });
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const connection = createBinance(binancePlugin.configSchema.parse({ restUrl: fake.restUrl, wsApiUrl: fake.wsApiUrl, streamUrl: fake.streamUrl }), {
    bus,
    clock,
    logger: silentLogger,
    env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET },
  });
  let minute = Math.floor(Date.now() / 60_000) * 60_000;
  return {
    plugin: binancePlugin,
    connection,
    bus,
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
    },
    dropConnections: async () => fake.faults.dropStreams(),
    teardown: async () => {
      clock.cancelAll();
      await connection.close();
      await fake.close();
    },
  };
});
