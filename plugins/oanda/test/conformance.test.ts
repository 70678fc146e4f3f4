import { EventBus, price as toPrice, RealtimeClock, silentLogger } from '@autotrader/core';
import { describeVenueConformance, notApplicable } from '@autotrader/testkit';
import { createOanda, oandaPlugin, ourClientOrderId, wireClientOrderId, type OandaConnection } from '../src/index';
import { NETTING_ACCOUNT_ID, PRACTICE_TOKEN, startFakeOanda } from './fake-venue';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
const INST = 'EUR_USD';
const TICK = toPrice('0.00001');

interface FakeOrder {
  state: string;
  clientExtensions?: { id?: string };
  fills: { id: string }[];
}

/**
 * The OANDA plugin through the conformance suite every venue plugin passes, against the fake OANDA
 * on loopback (practice, the netting account). OANDA is a dealer: it prints no trades, so the harness's
 * "trade at p for q" is a price whose ask is p (the bid one tick under) with q units of liquidity on
 * each side: a market order takes it, and a resting buy at or above p fills when its size fits.
 */
describeVenueConformance('oanda', async () => {
  const fake = await startFakeOanda({ heartbeatMs: 500 });
  const config = oandaPlugin.configSchema.parse({
    restUrl: fake.restUrl,
    streamUrl: fake.streamUrl,
    accountId: NETTING_ACCOUNT_ID,
    // A lost answer is given up after 1.5 s (then the order is looked up by @clientID).
    timeouts: { requestMs: 1_500 },
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  const processes: { connection: OandaConnection; clock: RealtimeClock }[] = [];
  /** One process's connection to the fake: its own bus and clock, as a new `pnpm live` would have. */
  const connect = (): { connection: OandaConnection; bus: EventBus; clock: RealtimeClock } => {
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const connection = createOanda(config, { bus, clock, logger: silentLogger, env: { OANDA_API_TOKEN: PRACTICE_TOKEN } });
    processes.push({ connection, clock });
    return { connection, bus, clock };
  };
  const { connection, bus, clock } = connect();
  const orders = (): FakeOrder[] => fake.orders(NETTING_ACCOUNT_ID) as FakeOrder[];
  const idOf = (o: FakeOrder): string | undefined => (o.clientExtensions?.id === undefined ? undefined : ourClientOrderId(o.clientExtensions.id));
  const dealerPrice = (p: string, q: string): void => {
    const ask = toPrice(p);
    fake.price(INST, [[ask.minus(TICK).toFixed(5), q]], [[ask.toFixed(5), q]]);
  };
  return {
    plugin: oandaPlugin,
    connection,
    bus,
    clock,
    instrumentId: 'EUR_USD.OANDA',
    orderQuantity: '100',
    referencePrice: '1.10000',
    market: {
      async trade(p, qty) {
        dealerPrice(p, qty);
        await settle();
      },
      async quote(bid, bidQty, ask, askQty) {
        fake.price(INST, [[bid, bidQty]], [[ask, askQty]]);
        await settle();
      },
      async book(bids, asks) {
        fake.price(INST, bids, asks);
        await settle();
      },
    },
    venueTruth: {
      openOrderIds: async () => orders().filter((o) => o.state === 'PENDING').flatMap((o) => idOf(o) ?? []),
      balance: async (currency) => (currency === 'USD' ? fake.account(NETTING_ACCOUNT_ID).balance : undefined),
      balances: notApplicable('a margin account: OANDA locks no cash for pending orders and books P/L, not assets (compared through accountSummary instead)'),
      fills: async () => orders().flatMap((o) => o.fills.map((f) => ({ clientOrderId: idOf(o) ?? '', tradeId: f.id }))),
      ordersWithClientId: async (id) => orders().filter((o) => o.clientExtensions?.id === wireClientOrderId(id)).length,
      orderRequests: async () => fake.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/orders')).length,
      // OANDA documents a 429 and no ban: the fake never bans, so none can be counted.
      bans: async () => 0,
    },
    faults: {
      // The venue acts on the order; its answer never comes.
      unknownOutcome: async () => fake.faults.acceptThenTimeout(1),
      // The streams stay open and go silent (no lines, no heartbeats) until restored; what happens meanwhile is only learnt by asking.
      orderUpdatesDown: async () => {
        fake.faults.stallStreams(true);
        return { restore: async () => fake.faults.stallStreams(false) };
      },
      rateLimitStorm: async (count) => fake.faults.rateLimit(count),
    },
    dropConnections: async () => {
      fake.faults.dropStreams();
    },
    feesInBaseAsset: notApplicable('OANDA charges no commission: the spread is in the price, and P/L is booked in the account currency'),
    partialFills: notApplicable('OANDA fills a limit order whole when the price reaches it (liquidity permitting), never a part of it'),
    pendingOrdersLockFunds: notApplicable('a margin account: OANDA holds no cash for pending orders; margin is taken when a trade opens'),
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
