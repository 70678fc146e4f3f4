import { generateKeyPairSync } from 'node:crypto';
import {
  createLogger,
  Decimal,
  EventBus,
  isAutotraderError,
  money,
  price,
  quantity,
  RealtimeClock,
  silentLogger,
  type BookSnapshot,
  type ExecutionReport,
  type Fill,
  type OrderSnapshot,
} from '@autotrader/core';
import { Kernel } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { fillKey, orderKey, parityWalk, pingPong, runParity, waitFor } from '@autotrader/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { coinbasePlugin, createCoinbase, type CoinbaseConnection } from '../src/index';
import { API_PREFIX, FAKE_PORTFOLIO_UUID, ORDER_CREATION, startFakeCoinbase, TEST_EC_PRIVATE_KEY, TEST_ED25519_PRIVATE_KEY, TEST_KEY_NAME, type FakeCoinbase } from './fake-venue';

const ENV = { COINBASE_API_KEY: TEST_KEY_NAME, COINBASE_API_SECRET: TEST_EC_PRIVATE_KEY };
const BTC = 'BTC-USD.COINBASE';

interface Opened {
  readonly fake: FakeCoinbase;
  readonly connection: CoinbaseConnection;
  readonly bus: EventBus;
  readonly reports: ExecutionReport[];
  readonly logs: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fake Coinbase and the plugin pointed at it with --venue-opt style overrides; execution connected unless told not to. */
async function open(o: { env?: Record<string, string>; connect?: boolean; balances?: Record<string, string> } = {}): Promise<Opened> {
  const fake = await startFakeCoinbase({ balances: o.balances ?? { USD: '100000', BTC: '1', ETH: '10' } });
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const config = coinbasePlugin.configSchema.parse({ restUrl: fake.restUrl, wsUrl: fake.wsUrl, wsUserUrl: fake.wsUserUrl, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  const connection = createCoinbase(config, { bus, clock, logger, env: o.env ?? ENV });
  cleanups.push(async () => {
    clock.cancelAll();
    await connection.close();
    await fake.close();
  });
  const reports: ExecutionReport[] = [];
  if (o.connect !== false) await connection.execution.connect((r) => reports.push(r));
  return { fake, connection, bus, reports, logs };
}

let seq = 0;
const order = (o: Partial<OrderSnapshot>): OrderSnapshot => ({
  clientOrderId: `cb-test-${++seq}`,
  instrumentId: BTC,
  side: 'buy',
  type: 'limit',
  quantity: quantity('0.1'),
  price: price('30000'),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  status: 'submitted',
  filledQuantity: quantity(0),
  fees: money(0),
  tsCreated: 0,
  tsUpdated: 0,
  ...o,
});

const fills = (reports: readonly ExecutionReport[]): Fill[] => reports.flatMap((r) => (r.kind === 'fill' ? [r.fill] : []));

describe('environments', () => {
  it('refuses orders on the production exchange without --mainnet, pointing to paper trading; the sandbox and --mainnet pass the preflight', () => {
    const make = (input: Record<string, unknown>, env: Record<string, string> = ENV) =>
      createCoinbase(coinbasePlugin.configSchema.parse(input), { bus: new EventBus('isolate'), clock: new RealtimeClock(), logger: silentLogger, env });
    try {
      make({}).execution.preflight();
      expect.unreachable();
    } catch (error) {
      expect(isAutotraderError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('pnpm paper --venue coinbase');
      expect((error as Error).message).toContain('--mainnet');
    }
    // Overriding only the REST URL still leaves the user channel on the real exchange.
    expect(() => make({ restUrl: 'http://127.0.0.1:1' }).execution.preflight()).toThrow(/--mainnet/);
    expect(() => make({ environment: 'sandbox' }).execution.preflight()).not.toThrow();
    expect(() => make({ mainnet: true }).execution.preflight()).not.toThrow();
    expect(() => make({ mainnet: true }, {}).execution.preflight()).toThrow(/COINBASE_API_KEY and COINBASE_API_SECRET are not set/);
    expect(() => coinbasePlugin.configSchema.parse({ restUrll: 'http://127.0.0.1:1' })).toThrow(/restUrll/);
  });
});

describe('REST against the fake Coinbase', () => {
  it('loads products with their increments and minimums; a product not online takes no order, refused before anything is sent', async () => {
    const { fake, connection } = await open();
    fake.setProductStatus('ETH-USD', 'offline');
    const instruments = await connection.instruments.load();
    const btc = instruments.find((i) => i.id === BTC)!;
    expect([btc.tickSize.toFixed(), btc.lotSize.toFixed(), btc.minQuantity.toFixed(), btc.minNotional.toFixed()]).toEqual(['0.01', '0.00000001', '0.00000001', '1']);
    const before = fake.requests().filter(ORDER_CREATION).length;
    await expect(connection.execution.submit(order({ instrumentId: 'ETH-USD.COINBASE', price: price('2000') }))).rejects.toMatchObject({ code: 'VENUE_REJECTED' });
    await expect(connection.execution.submit(order({ price: price('30000.001') }))).rejects.toMatchObject({ code: 'TICK_SIZE' });
    expect(fake.requests().filter(ORDER_CREATION).length).toBe(before);
  });

  it('a key the venue does not know is AUTH_FAILED, and neither the error nor the logs show the secret', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    const { connection, logs } = await open({ env: { COINBASE_API_KEY: 'organizations/x/apiKeys/unknown', COINBASE_API_SECRET: pem }, connect: false });
    const error = await connection.execution.balances().catch((e: unknown) => e);
    expect(isAutotraderError(error, 'AUTH_FAILED')).toBe(true);
    const body = pem.split('\n').find((l) => l.length > 40)!;
    expect(JSON.stringify({ m: (error as Error).message, d: (error as { details: unknown }).details, logs })).not.toContain(body);
  });

  it('names the portfolio the keys trade (venueAccount, for the journal) from /key_permissions', async () => {
    const { connection } = await open({ connect: false });
    expect(await connection.execution.venueAccount!()).toEqual({ accountId: FAKE_PORTFOLIO_UUID, accountType: 'cash' });
  });

  it('signs with an Ed25519 key too', async () => {
    const { connection } = await open({ env: { COINBASE_API_KEY: TEST_KEY_NAME, COINBASE_API_SECRET: TEST_ED25519_PRIVATE_KEY }, connect: false });
    const balances = await connection.execution.balances();
    expect(balances.find((b) => b.currency === 'USD')?.free.toFixed()).toBe('100000');
  });

  it('a 429 is RATE_LIMITED with the wait from its headers; usage is reported from x-ratelimit-*', async () => {
    const { fake, connection } = await open({ connect: false });
    const usage: unknown[] = [];
    connection.onUsage((u) => usage.push(u.usedWeight['1s']));
    await connection.execution.balances();
    expect(usage.at(-1)).toBeGreaterThanOrEqual(1);
    fake.faults.rateLimit(1, { retryAfterSec: 2 });
    const error = await connection.execution.balances().catch((e: unknown) => e);
    expect(isAutotraderError(error, 'RATE_LIMITED')).toBe(true);
    expect((error as { details: { retryAfterMs: number } }).details.retryAfterMs).toBeGreaterThan(1000);
  });

  it('a submit resent with the same client order id is one order at Coinbase, accepted once', async () => {
    const { fake, connection, reports } = await open();
    const o = order({});
    await connection.execution.submit(o);
    await connection.execution.submit(o);
    expect(fake.orders().filter((x) => x.clientOrderId === o.clientOrderId)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(reports.filter((r) => r.kind === 'accepted')).toHaveLength(1);
    const state = await connection.execution.order(o.clientOrderId, BTC);
    expect(state).toMatchObject({ clientOrderId: o.clientOrderId, status: 'accepted' });
    // An id Coinbase never saw is undefined (never ORDER_UNKNOWN): the engine resends only then.
    expect(await connection.execution.order('never-sent', BTC)).toBeUndefined();
    await connection.execution.cancel(o);
    await waitFor('canceled at the venue', () => fake.orders()[0]!.status === 'CANCELLED');
    await expect(connection.execution.cancel(o)).rejects.toMatchObject({ code: 'ORDER_UNKNOWN' });
    expect(reports.filter((r) => r.kind === 'canceled')).toHaveLength(1);
  });
});

describe('order updates from the user channel', () => {
  it('turns cumulative quantities into fills exactly once, with the venue trade ids, prices, sizes and commissions, through duplicated updates', async () => {
    const { fake, connection, reports } = await open();
    const o = order({ quantity: quantity('0.3') });
    await connection.execution.submit(o);
    fake.faults.duplicateUserUpdates(5);
    // One trade at a time: each later update's fetch lists the earlier fills again, which must not be passed on twice.
    const sizes = ['0.1', '0.05', '0.15'];
    for (let i = 0; i < sizes.length; i++) {
      fake.trade('BTC-USD', '29990', sizes[i]!, 'SELL');
      await waitFor(`fill ${i + 1}`, () => fills(reports).length >= i + 1 || undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
    const venue = fake.orders()[0]!;
    expect(venue.status).toBe('FILLED');
    expect(fills(reports).map((f) => [f.tradeId, f.price.toFixed(), f.quantity.toFixed(), f.fee.toFixed(), f.feeCurrency, f.clientOrderId])).toEqual(
      venue.fills.map((f) => [f.tradeId, new Decimal(f.price).toFixed(), new Decimal(f.size).toFixed(), new Decimal(f.commission).toFixed(), 'USD', o.clientOrderId]),
    );
  });

  it('fillsSince pages through /orders/historical/fills and answers oldest first', async () => {
    const { fake, connection } = await open({ connect: true });
    const since = Date.now() - 1000;
    await connection.execution.submit(order({ quantity: quantity('1.3') }));
    for (let i = 0; i < 130; i++) fake.trade('BTC-USD', '29990', '0.01', 'SELL');
    await waitFor('130 fills at the venue', () => fake.orders()[0]!.fills.length === 130 || undefined);
    const got = await connection.execution.fillsSince(BTC, since);
    expect(got.map((f) => f.tradeId)).toEqual(fake.orders()[0]!.fills.map((f) => f.tradeId));
    const pages = fake.requests().filter((r) => r.path === `${API_PREFIX}/orders/historical/fills` && r.params.product_ids === 'BTC-USD');
    expect(pages.length).toBeGreaterThanOrEqual(2);
  });
});

describe('modify: /orders/edit where Coinbase edits, cancel-replace by the engine elsewhere', () => {
  it('says which orders it edits in place: limit GTC only, never to a size at or below what filled', async () => {
    const { connection } = await open({ connect: false });
    const x = connection.execution;
    expect(x.canModify(order({}), { price: price('29000') })).toBe(true);
    expect(x.canModify(order({ timeInForce: 'IOC' }), { price: price('29000') })).toBe(false);
    expect(x.canModify(order({ timeInForce: 'GTD', expireAt: Date.now() + 60_000 }), { price: price('29000') })).toBe(false);
    expect(x.canModify(order({ type: 'stop_limit', triggerPrice: price('31000') }), { price: price('31010') })).toBe(false);
    expect(x.canModify(order({ filledQuantity: quantity('0.05') }), { quantity: quantity('0.05') })).toBe(false);
  });

  it('edits a GTC limit in place (the same venue order, one order at Coinbase), cancels and replaces a stop-limit, and books fills at the edited terms', async () => {
    const { fake, connection } = await open({ connect: false });
    const instruments = (await connection.instruments.load()).filter((i) => i.id === BTC);
    const kernel = new Kernel({ clock: new RealtimeClock(), instruments, execution: connection.execution, capabilities: coinbasePlugin.capabilities, startingBalances: { USD: '100000', BTC: '1' }, errorPolicy: 'isolate' });
    const errors: string[] = [];
    kernel.bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await kernel.connect();
    cleanups.push(() => kernel.stop());
    fake.trade('BTC-USD', '30000', '0.01');
    const limit = kernel.submit({ instrumentId: BTC, side: 'buy', type: 'limit', quantity: '0.1', price: '29000', timeInForce: 'GTC' });
    const stop = kernel.submit({ instrumentId: BTC, side: 'buy', type: 'stop_limit', quantity: '0.1', price: '31010', triggerPrice: '31000', timeInForce: 'GTC' });
    await waitFor('both orders accepted', () => [limit, stop].every((o) => kernel.order(o.clientOrderId)?.status === 'accepted'));
    const venueOrderId = kernel.order(limit.clientOrderId)!.venueOrderId;

    kernel.modify(limit.clientOrderId, { price: '28900', quantity: '0.2' });
    kernel.modify(stop.clientOrderId, { price: '31020' });
    await waitFor('the edit confirmed', () => {
      const o = kernel.order(limit.clientOrderId)!;
      return o.status === 'accepted' && o.price?.eq('28900') === true && o.quantity.eq('0.2');
    });
    const replacement = await waitFor('the stop-limit replaced', () => kernel.order(stop.clientOrderId)?.status === 'canceled' && kernel.openOrders(BTC).find((o) => o.clientOrderId !== limit.clientOrderId && o.status === 'accepted'));
    expect([replacement.type, replacement.price?.toFixed(), replacement.triggerPrice?.toFixed(), replacement.quantity.toFixed()]).toEqual(['stop_limit', '31020', '31000', '0.1']);
    expect(kernel.order(limit.clientOrderId)!.venueOrderId).toBe(venueOrderId);
    const edited = fake.orders().find((o) => o.orderId === venueOrderId)!;
    expect([edited.clientOrderId, edited.configuration, edited.status, edited.size]).toEqual([limit.clientOrderId, 'limit_limit_gtc', 'OPEN', '0.2']);

    // An edit to a larger size at a price that crosses trades at once: the fills come after the new size, never an overfill.
    fake.quote('BTC-USD', '28000', '1', '29500', '5');
    // Coinbase's answer to the edit comes late, after the user channel has told of the fill.
    fake.faults.delayAck(1, 400, (r) => r.method === 'POST' && r.path === `${API_PREFIX}/orders/edit`);
    kernel.modify(limit.clientOrderId, { price: '29500', quantity: '0.3' });
    await waitFor('filled at the edited terms', () => kernel.order(limit.clientOrderId)?.status === 'filled');
    const filled = kernel.order(limit.clientOrderId)!;
    expect([filled.filledQuantity.toFixed(), filled.averagePrice?.toFixed()]).toEqual(['0.3', '29500']);

    expect(fake.orders().map((o) => [o.clientOrderId, o.configuration, o.status])).toEqual([
      [limit.clientOrderId, 'limit_limit_gtc', 'FILLED'],
      [stop.clientOrderId, 'stop_limit_stop_limit_gtc', 'CANCELLED'],
      [replacement.clientOrderId, 'stop_limit_stop_limit_gtc', 'OPEN'],
    ]);
    expect(fake.requests().filter((r) => r.path === `${API_PREFIX}/orders/edit`)).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('a refused edit is a coded modifyRejected and the order stands; an edit Coinbase finds already applied counts as done', async () => {
    const { fake, connection, reports } = await open();
    const o = order({});
    await connection.execution.submit(o);
    // A size Coinbase refuses: its hold would need more than the account has.
    await expect(connection.execution.modify(o, { quantity: quantity('1000') })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { venueCode: 'PREVIEW_INSUFFICIENT_FUND' } });
    expect(fake.orders()[0]!.size).toBe('0.1');
    await connection.execution.modify(o, { price: price('29500') });
    // Sent again (its answer lost): Coinbase says it equals the order, which is what was asked.
    await connection.execution.modify(o, { price: price('29500') });
    expect(reports.filter((r) => r.kind === 'updated').map((r) => r.kind === 'updated' && [r.quantity?.toFixed(), r.price?.toFixed()])).toEqual([
      ['0.1', '29500'],
      ['0.1', '29500'],
    ]);
    await expect(connection.execution.modify({ ...o, timeInForce: 'IOC' }, { price: price('29400') })).rejects.toMatchObject({ code: 'ORDER_TYPE_UNSUPPORTED' });
  });
});

describe('market data over the WebSocket', () => {
  it('keeps the level2 book from its snapshot and updates, and resubscribes for a new snapshot after a sequence gap', async () => {
    const { fake, connection, bus, logs } = await open({ connect: false });
    fake.book('BTC-USD', [['29999', '1']], [['30001', '2']]);
    const books: BookSnapshot[] = [];
    bus.on('book', (b) => books.push(b));
    await connection.data.subscribe({ kind: 'book', instrumentId: BTC });
    await waitFor('snapshot', () => books.length >= 1 || undefined);
    fake.book('BTC-USD', [['29998', '3']], [['30001', '0']]);
    await waitFor('update', () => books.at(-1)?.asks.length === 0 || undefined);
    expect(books.at(-1)!.bids).toEqual([[29999, 1], [29998, 3]]);
    fake.faults.level2Gap();
    fake.book('BTC-USD', [['29997', '4']], [['30002', '5']]);
    // The gapped update is not applied blindly: a fresh snapshot brings the whole book, every change included.
    await waitFor('resynced book', () => (books.at(-1)?.asks.length === 1 && books.at(-1)!.bids.length === 3 ? true : undefined));
    expect(books.at(-1)!.bids).toEqual([[29999, 1], [29998, 3], [29997, 4]]);
    expect(books.at(-1)!.asks).toEqual([[30002, 5]]);
    expect(logs.filter((l) => l.includes('resubscribing the books for new snapshots'))).toHaveLength(1);
  });

  it('streams quotes and trades; 5-minute candles become bars when the next candle starts; other intervals are refused', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    await expect(connection.data.subscribe({ kind: 'bar', instrumentId: BTC, interval: '1m' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const seen: string[] = [];
    bus.on('quote', (q) => seen.push(`quote ${q.bid}/${q.ask}`));
    bus.on('trade', (t) => seen.push(`trade ${t.price} ${t.size} ${t.aggressor}`));
    bus.on('bar', (b) => seen.push(`bar ${b.open} ${b.high} ${b.low} ${b.close} ${b.volume} ${b.tsEvent - b.tsOpen}`));
    await connection.data.subscribe({ kind: 'quote', instrumentId: BTC });
    await connection.data.subscribe({ kind: 'trade', instrumentId: BTC });
    await connection.data.subscribe({ kind: 'bar', instrumentId: BTC, interval: '5m' });
    fake.quote('BTC-USD', '29999', '1', '30001', '1');
    fake.trade('BTC-USD', '30000', '0.5', 'BUY');
    fake.trade('BTC-USD', '30010', '0.25', 'SELL');
    await waitFor('two trades', () => seen.filter((s) => s.startsWith('trade')).length === 2 || undefined);
    expect(seen.some((s) => s.startsWith('bar'))).toBe(false);
    // The venue's clock moves to the next 5-minute window: the next trade starts a new candle and closes the last.
    fake.faults.skewClock(300_000);
    fake.trade('BTC-USD', '30020', '1', 'BUY');
    await waitFor('a bar', () => seen.find((s) => s.startsWith('bar')));
    expect(seen).toContain('quote 29999/30001');
    expect(seen).toContain('trade 30000 0.5 buy');
    expect(seen).toContain('trade 30010 0.25 sell');
    expect(seen.filter((s) => s.startsWith('bar'))).toEqual(['bar 30000 30010 30000 30010 0.75 300000']);
  });
});

describe('parity: live against the fake Coinbase, then the recording replayed in a backtest', () => {
  it('produces the same orders and the same fills', async () => {
    const fake = await startFakeCoinbase({ balances: { USD: '100000' }, takerFeeRate: '0.006', makerFeeRate: '0.004' });
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const config = coinbasePlugin.configSchema.parse({ restUrl: fake.restUrl, wsUrl: fake.wsUrl, wsUserUrl: fake.wsUserUrl });
    const connection = createCoinbase(config, { bus, clock, logger: silentLogger, env: ENV });
    const params = { every: 3, size: '0.01' };
    // 91 trades on BTC-USD's 0.01 tick: the order the 90th one triggers fills on the 91st in the backtest, as it fills at once live.
    const walk = parityWalk(91, params.every, 30_000).map((p) => p.toFixed(2));
    const run = await runParity({
      strategy: pingPong,
      params,
      venue: { name: 'coinbase', capabilities: coinbasePlugin.capabilities, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
      bus,
      clock,
      instrumentId: 'BTC-USD',
      dataKind: 'trade',
      events: walk.length,
      print: (k) => fake.trade('BTC-USD', walk[k]!, '1'),
      venueCounts: () => ({ orders: fake.orders().length, fills: fake.orders().reduce((n, o) => n + o.fills.length, 0) }),
      replayVenue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'COINBASE', startingBalances: { USD: '100000' }, partialFills: false, fees: { maker: '0.004', taker: '0.006', currency: 'quote' } },
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
    expect(run.files).toEqual(['BTC-USD.COINBASE-trade.arrow']);
    expect(run.recordedRows).toBe(walk.length);
    expect(run.replay.orders.map(orderKey)).toEqual(run.liveOrders.map(orderKey));
    expect(run.replay.fills.map(fillKey)).toEqual(run.liveFills.map(fillKey));
  }, 60_000);
});
