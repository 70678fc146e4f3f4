/**
 * The Binance plugin against the fake Binance venue: real HTTP and WebSocket connections on
 * 127.0.0.1, signatures verified by the fake, Binance's error codes and faults injected by the fake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  EventBus,
  price,
  quantity,
  RealtimeClock,
  type BusEvents,
  type ExecutionReport,
  type Fill,
  type OrderSnapshot,
  type PluginContext,
} from '@autotrader/core';
import { binancePlugin, type BinanceConnection, type BinanceConfigInput } from '../src/index';
import { rejectionOf, testOrder } from '@autotrader/testkit';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance, type FakeBinance, type FakeBinanceOptions } from './fake-venue';

const BTC = 'BTCUSDT.BINANCE';
const ENV = { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET };

interface Harness {
  readonly venue: FakeBinance;
  readonly conn: BinanceConnection;
  readonly events: { [K in keyof BusEvents]: Array<BusEvents[K]> };
  readonly reports: ExecutionReport[];
  readonly logLines: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(options: { venue?: FakeBinanceOptions; config?: BinanceConfigInput; env?: Record<string, string> } = {}): Promise<Harness> {
  const venue = await startFakeBinance(options.venue);
  cleanups.push(() => venue.close());
  const bus = new EventBus('isolate');
  const events = {} as Harness['events'];
  for (const topic of ['trade', 'quote', 'bar', 'book', 'balance', 'venueBalance', 'error', 'venueStatus'] as const) {
    events[topic] = [] as never;
    bus.on(topic, (e) => (events[topic] as unknown[]).push(e));
  }
  const logLines: string[] = [];
  const ctx: PluginContext = {
    clock: new RealtimeClock(),
    bus,
    logger: createLogger({ level: 'debug', write: (l) => logLines.push(l) }),
    env: options.env ?? ENV,
  };
  const config = binancePlugin.configSchema.parse({
    restUrl: venue.restUrl,
    wsApiUrl: venue.wsApiUrl,
    streamUrl: venue.streamUrl,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    timeouts: { requestMs: 2000, wsRequestMs: 2000 },
    ...options.config,
  });
  const conn = (await binancePlugin.create(config, ctx)) as BinanceConnection;
  cleanups.push(() => conn.close());
  return { venue, conn, events, reports: [], logLines };
}

async function connected(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const h = await harness(options);
  await h.conn.instruments.load();
  await h.conn.execution.connect((r) => h.reports.push(r));
  return h;
}

async function until(cond: () => boolean, what = 'condition', ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let seq = 0;
function order(over: Partial<OrderSnapshot> & Pick<OrderSnapshot, 'side' | 'type'>): OrderSnapshot {
  const now = Date.now();
  // No default price: a market order must reach the plugin without one.
  return testOrder({ clientOrderId: `it-${now.toString(36)}-${++seq}`, instrumentId: BTC, quantity: quantity('0.1'), price: undefined, status: 'submitted', tsCreated: now, tsUpdated: now, ...over });
}

const kinds = (h: Harness, id: string): string[] => h.reports.filter((r) => (r.kind === 'fill' ? r.fill.clientOrderId : r.clientOrderId) === id).map((r) => r.kind);
const fills = (h: Harness, id: string): Fill[] => h.reports.flatMap((r) => (r.kind === 'fill' && r.fill.clientOrderId === id ? [r.fill] : []));
const posts = (h: Harness, path: string): number => h.venue.requests().filter((r) => r.method === 'POST' && r.path === path).length;
/** The venue's balance of `currency` in the latest snapshot that lists it. */
const venueBalance = (h: Harness, currency: string) =>
  h.events.venueBalance.flatMap((e) => (e.kind === 'snapshot' ? e.balances.filter((b) => b.currency === currency) : [])).at(-1);

describe('instruments', () => {
  it('loads exchangeInfo into core instruments with the venue filters', async () => {
    const h = await harness();
    const list = await h.conn.instruments.load();
    expect(list.map((i) => i.id)).toEqual(['BTCUSDT.BINANCE', 'ETHUSDT.BINANCE']);
    const btc = list[0]!;
    expect(btc).toMatchObject({ symbol: 'BTCUSDT', venue: 'BINANCE', assetClass: 'spot', base: 'BTC', quote: 'USDT', pricePrecision: 2, sizePrecision: 5 });
    expect(btc.tickSize.toFixed()).toBe('0.01');
    expect(btc.lotSize.toFixed()).toBe('0.00001');
    expect(btc.minQuantity.toFixed()).toBe('0.00001');
    expect(btc.minNotional.toFixed()).toBe('5');
    expect(h.conn.usage().usedWeight['1m']).toBeGreaterThanOrEqual(20);
  });
});

describe('market data', () => {
  it('streams trades, quotes, closed bars and a synced book', async () => {
    const h = await harness();
    await h.conn.data.connect();
    for (const kind of ['trade', 'quote', 'book'] as const) await h.conn.data.subscribe({ kind, instrumentId: BTC });
    await h.conn.data.subscribe({ kind: 'bar', instrumentId: BTC, interval: '1m' });

    h.venue.trade('BTCUSDT', '50000.5', '0.25', true);
    h.venue.bookTicker('BTCUSDT', '49999.99', '1.5', '50000.01', '2');
    h.venue.kline('BTCUSDT', '1m', { t: 1_700_000_040_000, o: '1', h: '3', l: '0.5', c: '2', v: '10', closed: false });
    h.venue.kline('BTCUSDT', '1m', { t: 1_700_000_040_000, o: '1', h: '3', l: '0.5', c: '2.5', v: '12', closed: true });
    h.venue.depthUpdate('BTCUSDT', [['49999', '1']], [['50001', '2']]);
    h.venue.depthUpdate('BTCUSDT', [['49998', '3'], ['49999', '0']], []);

    await until(() => h.events.trade.length === 1 && h.events.quote.length === 1 && h.events.bar.length === 1, 'trade, quote and bar');
    expect(h.events.trade[0]).toMatchObject({ instrumentId: BTC, price: 50000.5, size: 0.25, aggressor: 'sell' });
    expect(h.events.quote[0]).toMatchObject({ instrumentId: BTC, bid: 49999.99, bidSize: 1.5, ask: 50000.01, askSize: 2 });
    expect(h.events.bar).toEqual([
      { instrumentId: BTC, tsOpen: 1_700_000_040_000, tsEvent: 1_700_000_100_000, tsInit: expect.any(Number), open: 1, high: 3, low: 0.5, close: 2.5, volume: 12 },
    ]);
    await until(() => h.events.book.at(-1)?.bids[0]?.[0] === 49998, 'book with the second diff');
    const book = h.events.book.at(-1)!;
    expect(book.bids).toEqual([[49998, 3]]);
    expect(book.asks).toEqual([[50001, 2]]);
  });

  it('re-syncs the book from a new snapshot after a depth gap', async () => {
    const h = await harness();
    await h.conn.data.subscribe({ kind: 'book', instrumentId: BTC });
    h.venue.depthUpdate('BTCUSDT', [['100', '1']], [['101', '1']]);
    await until(() => h.events.book.at(-1)?.bids.length === 1, 'first book');
    const snapshotsBefore = h.venue.requests().filter((r) => r.path === '/api/v3/depth').length;
    h.venue.faults.skipDepthSequence();
    h.venue.depthUpdate('BTCUSDT', [['99', '2']], []);
    await until(() => h.venue.requests().filter((r) => r.path === '/api/v3/depth').length > snapshotsBefore, 'a new snapshot request');
    await until(() => h.events.book.at(-1)?.bids.length === 2, 'book after resync');
    h.venue.depthUpdate('BTCUSDT', [], [['102', '5']]);
    await until(() => h.events.book.at(-1)?.asks.length === 2, 'diff applied after resync');
    expect(h.events.book.at(-1)).toMatchObject({ bids: [[100, 1], [99, 2]], asks: [[101, 1], [102, 5]] });
  });

  it('reconnects and resubscribes after the venue drops the streams', async () => {
    const h = await harness();
    await h.conn.data.subscribe({ kind: 'trade', instrumentId: BTC });
    h.venue.faults.dropStreams();
    await until(() => h.events.venueStatus.filter((s) => s.state === 'connected').length === 2, 'reconnected');
    expect(h.events.venueStatus.map((s) => s.state)).toEqual(['connected', 'reconnecting', 'connected']);
    h.venue.trade('BTCUSDT', '50000', '1');
    await until(() => h.events.trade.length === 1, 'trade after reconnect');
  });

  it('skips a malformed frame with an error event and keeps streaming', async () => {
    const h = await harness();
    await h.conn.data.subscribe({ kind: 'trade', instrumentId: BTC });
    expect(h.venue.faults.malformedFrame('stream')).toBe(1);
    h.venue.trade('BTCUSDT', '50000', '1');
    await until(() => h.events.trade.length === 1, 'trade after the bad frame');
    expect(h.events.error.map((e) => e.code)).toEqual(['VENUE_MESSAGE_MALFORMED']);
  });
});

describe('execution', () => {
  it('submits a market order; the fill arrives over the user data stream', async () => {
    const h = await connected();
    expect(h.venue.requests().some((r) => r.path === 'userDataStream.subscribe.signature')).toBe(true);
    h.venue.trade('BTCUSDT', '50000', '5');
    const o = order({ side: 'buy', type: 'market' });
    await h.conn.execution.submit(o);
    await until(() => kinds(h, o.clientOrderId).includes('fill'), 'market fill');
    expect(kinds(h, o.clientOrderId)).toEqual(['accepted', 'fill']);
    const [fill] = fills(h, o.clientOrderId);
    const venueOrder = h.venue.orders().find((x) => x.clientOrderId === o.clientOrderId)!;
    expect(venueOrder.status).toBe('FILLED');
    // Binance charges a buy's commission in the asset received: 0.1% of 0.1 BTC, in BTC.
    expect(fill).toMatchObject({ instrumentId: BTC, side: 'buy', liquidity: 'taker', feeCurrency: 'BTC', venueOrderId: String(venueOrder.orderId), tradeId: String(venueOrder.fills[0]!.tradeId) });
    expect(fill!.price.toFixed()).toBe('50000');
    expect(fill!.quantity.toFixed()).toBe('0.1');
    expect(fill!.fee.toFixed()).toBe('0.0001');
    await until(() => venueBalance(h, 'BTC') !== undefined, 'venue balance snapshot');
    const snapshot = h.events.venueBalance.at(-1)!;
    expect(snapshot).toMatchObject({ kind: 'snapshot', venue: 'BINANCE' });
    expect(snapshot.kind === 'snapshot' && snapshot.balances.map((b) => [b.currency, b.total.toFixed(), b.free.toFixed(), b.locked.toFixed()])).toEqual([
      ['USDT', '95000', '95000', '0'],
      ['BTC', '1.0999', '1.0999', '0'],
    ]);
    // What the venue says is not our ledger's balance topic.
    expect(h.events.balance).toEqual([]);
    // The REST answer and the NEW report were one acceptance.
    expect(kinds(h, o.clientOrderId).filter((k) => k === 'accepted')).toHaveLength(1);
  });

  it('rests a limit order, reports partial fills as maker, and answers order() with its state', async () => {
    const h = await connected();
    const o = order({ side: 'buy', type: 'limit', quantity: quantity('1'), price: price('49000') });
    await h.conn.execution.submit(o);
    h.venue.trade('BTCUSDT', '49000', '0.4');
    await until(() => fills(h, o.clientOrderId).length === 1, 'first partial fill');
    const state = await h.conn.execution.order(o.clientOrderId, BTC);
    expect(state).toMatchObject({ clientOrderId: o.clientOrderId, status: 'partially_filled', side: 'buy', instrumentId: BTC });
    expect(state!.filledQuantity.toFixed()).toBe('0.4');
    expect(state!.price!.toFixed()).toBe('49000');
    h.venue.trade('BTCUSDT', '48999', '2');
    await until(() => fills(h, o.clientOrderId).length === 2, 'second fill');
    expect(fills(h, o.clientOrderId).map((f) => [f.quantity.toFixed(), f.price.toFixed(), f.liquidity])).toEqual([
      ['0.4', '49000', 'maker'],
      ['0.6', '49000', 'maker'],
    ]);
    expect((await h.conn.execution.order(o.clientOrderId, BTC))!.status).toBe('filled');
    expect(await h.conn.execution.order('never-sent', BTC)).toBeUndefined();
  });

  it('cancels by client order id, reporting the cancel once', async () => {
    const h = await connected();
    const o = order({ side: 'sell', type: 'limit', quantity: quantity('0.5'), price: price('60000') });
    await h.conn.execution.submit(o);
    expect((await h.conn.execution.openOrders(BTC)).map((s) => s.clientOrderId)).toEqual([o.clientOrderId]);
    await h.conn.execution.cancel(o);
    await until(() => venueBalance(h, 'BTC')?.locked.isZero() === true, 'unlock');
    await new Promise((r) => setTimeout(r, 50));
    expect(kinds(h, o.clientOrderId)).toEqual(['accepted', 'canceled']);
    expect(await h.conn.execution.openOrders()).toEqual([]);
    expect((await rejectionOf(h.conn.execution.cancel(o))).code).toBe('ORDER_UNKNOWN');
  });

  it('modifies with cancelReplace, keeping our client order id', async () => {
    const h = await connected();
    const o = order({ side: 'buy', type: 'limit', quantity: quantity('1'), price: price('49000') });
    await h.conn.execution.submit(o);
    h.venue.trade('BTCUSDT', '49000', '0.25');
    await until(() => fills(h, o.clientOrderId).length === 1, 'partial fill');
    const live = { ...o, status: 'partially_filled' as const, filledQuantity: quantity('0.25') };
    await h.conn.execution.modify(live, { price: price('49500.5') });
    await until(() => kinds(h, o.clientOrderId).includes('updated'), 'updated report');
    await new Promise((r) => setTimeout(r, 50));
    expect(kinds(h, o.clientOrderId)).toEqual(['accepted', 'fill', 'updated']);
    const updated = h.reports.find((r) => r.kind === 'updated')!;
    expect(updated.kind === 'updated' && [updated.quantity?.toFixed(), updated.price?.toFixed()]).toEqual(['1', '49500.5']);
    const legs = h.venue.orders().filter((x) => x.clientOrderId === o.clientOrderId);
    expect(legs.map((l) => [l.status, l.origQty, l.price])).toEqual([
      ['CANCELED', '1.00000000', '49000.00000000'],
      ['NEW', '0.75000000', '49500.50000000'],
    ]);
    // The engine's view holds across the replacement: total 1, filled 0.25.
    const state = await h.conn.execution.order(o.clientOrderId, BTC);
    expect([state!.status, state!.quantity.toFixed(), state!.filledQuantity.toFixed(), state!.venueOrderId]).toEqual(['accepted', '1', '0.25', String(legs[1]!.orderId)]);
    h.venue.trade('BTCUSDT', '49500.5', '0.75');
    await until(() => fills(h, o.clientOrderId).length === 2, 'fill of the new leg');
    expect(fills(h, o.clientOrderId)[1]!.clientOrderId).toBe(o.clientOrderId);
  });

  it('a modify that cannot be placed after the cancel reports the order canceled', async () => {
    const h = await connected({ venue: { balances: { USDT: '60000' } } });
    const o = order({ side: 'buy', type: 'limit', quantity: quantity('1'), price: price('49000') });
    await h.conn.execution.submit(o);
    // 1 BTC at 70000 needs more USDT than the account has: cancel succeeds, the new leg fails (-2021).
    await h.conn.execution.modify(o, { price: price('70000') });
    await until(() => kinds(h, o.clientOrderId).includes('canceled'), 'canceled report');
    await new Promise((r) => setTimeout(r, 100));
    expect(kinds(h, o.clientOrderId)).toEqual(['accepted', 'canceled']);
    const canceled = h.reports.find((r) => r.kind === 'canceled');
    expect(canceled?.kind === 'canceled' && canceled.reason).toContain('-2010');
  });

  it('a modify of an order the venue no longer has is ORDER_UNKNOWN (-2022), and changes nothing', async () => {
    const h = await connected();
    const o = order({ side: 'buy', type: 'limit', quantity: quantity('0.5'), price: price('49000') });
    await h.conn.execution.submit(o);
    h.venue.trade('BTCUSDT', '48000', '1');
    await until(() => fills(h, o.clientOrderId).length === 1, 'fill');
    const e = await rejectionOf(h.conn.execution.modify(o, { price: price('48500') }));
    expect(e.code).toBe('ORDER_UNKNOWN');
    expect(e.details.venueCode).toBe(-2011);
    expect(kinds(h, o.clientOrderId)).toEqual(['accepted', 'fill']);
    expect(h.venue.orders().filter((x) => x.clientOrderId === o.clientOrderId)).toHaveLength(1);
  });

  it('refuses orders with coded reasons: locally before sending, and from the venue', async () => {
    const h = await connected();
    h.venue.trade('BTCUSDT', '50000', '5');
    const tooSmall = await rejectionOf(h.conn.execution.submit(order({ side: 'buy', type: 'limit', quantity: quantity('0.00001'), price: price('50000') })));
    expect(tooSmall.code).toBe('MIN_NOTIONAL');
    const offTick = await rejectionOf(h.conn.execution.submit(order({ side: 'buy', type: 'limit', price: price('50000.001') })));
    expect(offTick.code).toBe('TICK_SIZE');
    expect(posts(h, '/api/v3/order')).toBe(0);
    // A market order has no price to check locally; the venue applies NOTIONAL to it (-1013).
    const venueSmall = await rejectionOf(h.conn.execution.submit(order({ side: 'buy', type: 'market', quantity: quantity('0.00001') })));
    expect(venueSmall.code).toBe('MIN_NOTIONAL');
    expect(venueSmall.details.venueCode).toBe(-1013);
    const poor = order({ side: 'buy', type: 'limit', quantity: quantity('10'), price: price('49000') });
    const noFunds = await rejectionOf(h.conn.execution.submit(poor));
    expect(noFunds.code).toBe('INSUFFICIENT_FUNDS');
    expect(noFunds.retryable).toBe(false);
    expect(posts(h, '/api/v3/order')).toBe(2);
    expect(kinds(h, poor.clientOrderId)).toEqual([]);
  });

  it('re-syncs the clock on -1021 and retries that request once', async () => {
    const h = await connected();
    h.venue.faults.skewClock(30_000);
    const balances = await h.conn.execution.balances();
    expect(balances.find((b) => b.currency === 'USDT')?.total.toFixed()).toBe('100000');
    const paths = h.venue.requests().map((r) => r.path);
    expect(paths.slice(-3)).toEqual(['/api/v3/account', '/api/v3/time', '/api/v3/account']);
    expect(Math.abs(h.venue.now() - Date.now() - 30_000)).toBeLessThan(1000);
  });

  it('429 is RATE_LIMITED with retryAfterMs from Retry-After', async () => {
    const h = await connected();
    h.venue.faults.rateLimit(1, { retryAfterSec: 3 });
    const e = await rejectionOf(h.conn.execution.balances());
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.details.retryAfterMs).toBe(3000);
  });

  it('a 5xx or an unanswered submit leaves the outcome unknown and is not retried by the plugin', async () => {
    const h = await connected({ config: { timeouts: { requestMs: 400 } } });
    h.venue.trade('BTCUSDT', '50000', '5');
    h.venue.faults.serverError(1);
    const e503 = await rejectionOf(h.conn.execution.submit(order({ side: 'buy', type: 'market' })));
    expect(e503.retryable).toBe(true);
    expect(e503.details.outcomeUnknown).toBe(true);
    expect(posts(h, '/api/v3/order')).toBe(1);

    h.venue.faults.acceptThenTimeout(1);
    const o = order({ side: 'buy', type: 'market' });
    const timeout = await rejectionOf(h.conn.execution.submit(o));
    expect(timeout.code).toBe('VENUE_TIMEOUT');
    expect(timeout.details.outcomeUnknown).toBe(true);
    expect(posts(h, '/api/v3/order')).toBe(2);
    // The venue did act: the stream still reports it, and order() finds it.
    await until(() => kinds(h, o.clientOrderId).includes('fill'), 'fill of the timed-out order');
    expect((await h.conn.execution.order(o.clientOrderId, BTC))!.status).toBe('filled');
  });

  it('passes each report on once when the venue duplicates and reorders them', async () => {
    const h = await connected();
    h.venue.bookTicker('BTCUSDT', '49999', '1', '50000', '1');
    h.venue.faults.duplicateNextExecutionReports();
    const o = order({ side: 'buy', type: 'limit', quantity: quantity('0.2'), price: price('50000') });
    await h.conn.execution.submit(o);
    await until(() => fills(h, o.clientOrderId).length === 1, 'fill');
    await new Promise((r) => setTimeout(r, 100));
    // The fill came first (TRADE before NEW): a later acceptance would move a filled order back, so none follows.
    expect(kinds(h, o.clientOrderId)).toEqual(['fill']);
    expect(fills(h, o.clientOrderId)[0]!.quantity.toFixed()).toBe('0.2');
  });

  it('resubscribes the user data stream after a drop and keeps reporting', async () => {
    const h = await connected();
    h.venue.faults.dropStreams();
    await until(() => h.venue.requests().filter((r) => r.path === 'userDataStream.subscribe.signature').length === 2, 'second subscription');
    await until(() => h.events.venueStatus.filter((s) => s.state === 'connected').length === 2, 'reconnected');
    h.venue.trade('BTCUSDT', '50000', '5');
    const o = order({ side: 'buy', type: 'market' });
    await h.conn.execution.submit(o);
    await until(() => fills(h, o.clientOrderId).length === 1, 'fill after reconnect');
  });

  it('skips a malformed user data event with an error event', async () => {
    const h = await connected();
    expect(h.venue.faults.malformedFrame('userData')).toBe(1);
    h.venue.trade('BTCUSDT', '50000', '5');
    const o = order({ side: 'buy', type: 'market' });
    await h.conn.execution.submit(o);
    await until(() => fills(h, o.clientOrderId).length === 1, 'fill after the bad event');
    expect(h.events.error.map((e) => [e.source, e.code])).toEqual([['binance:execution', 'VENUE_MESSAGE_MALFORMED']]);
  });

  it('reconciles: balances, positions and fills since a time match the venue', async () => {
    const h = await connected();
    const since = Date.now() - 1000;
    h.venue.trade('BTCUSDT', '50000', '5');
    const o = order({ side: 'buy', type: 'market', quantity: quantity('0.2') });
    await h.conn.execution.submit(o);
    await until(() => fills(h, o.clientOrderId).length === 1, 'fill');
    const fromRest = await h.conn.execution.fillsSince!(BTC, since);
    expect(fromRest.map((f) => [f.clientOrderId, f.tradeId, f.quantity.toFixed(), f.fee.toFixed()])).toEqual(
      fills(h, o.clientOrderId).map((f) => [f.clientOrderId, f.tradeId, f.quantity.toFixed(), f.fee.toFixed()]),
    );
    const balances = await h.conn.execution.balances();
    // 0.2 BTC bought, 0.0002 BTC of it paid as commission: the position is the net base credited.
    expect(Object.fromEntries(balances.map((b) => [b.currency, b.total.toFixed()]))).toEqual({ USDT: '90000', BTC: '1.1998', ETH: '10' });
    const positions = await h.conn.execution.positions();
    expect(positions.map((p) => [p.instrumentId, p.quantity.toFixed()])).toEqual([
      ['BTCUSDT.BINANCE', '1.1998'],
      ['ETHUSDT.BINANCE', '10'],
    ]);
  });

  it('a sell pays its fee in the quote asset, and with BNB fees on a fill reports the fee in BNB', async () => {
    const h = await connected({ venue: { balances: { USDT: '100000', BTC: '1', BNB: '1' }, payFeesInBnb: true, bnbPrices: { USDT: '500' } } });
    h.venue.trade('BTCUSDT', '50000', '5');
    const buy = order({ side: 'buy', type: 'market' });
    await h.conn.execution.submit(buy);
    await until(() => fills(h, buy.clientOrderId).length === 1, 'buy fill');
    // 0.0001 BTC = 5 USDT = 0.01 BNB, 25% off.
    expect([fills(h, buy.clientOrderId)[0]!.fee.toFixed(), fills(h, buy.clientOrderId)[0]!.feeCurrency]).toEqual(['0.0075', 'BNB']);

    const plain = await connected();
    plain.venue.trade('BTCUSDT', '50000', '5');
    const sell = order({ side: 'sell', type: 'market' });
    await plain.conn.execution.submit(sell);
    await until(() => fills(plain, sell.clientOrderId).length === 1, 'sell fill');
    expect([fills(plain, sell.clientOrderId)[0]!.fee.toFixed(), fills(plain, sell.clientOrderId)[0]!.feeCurrency]).toEqual(['5', 'USDT']);
    // Reconciliation reads the same fee asset from myTrades.
    const fromRest = await plain.conn.execution.fillsSince!(BTC, 0);
    expect(fromRest.map((f) => [f.side, f.fee.toFixed(), f.feeCurrency])).toEqual([['sell', '5', 'USDT']]);
  });

  it('publishes the venue balance as snapshots and deposits and withdrawals as deltas on venueBalance', async () => {
    const h = await connected();
    h.venue.deposit('BTC', '0.25');
    await until(() => h.events.venueBalance.length === 2, 'delta and snapshot');
    const [delta, snapshot] = h.events.venueBalance;
    expect(delta).toMatchObject({ kind: 'delta', venue: 'BINANCE', currency: 'BTC' });
    expect(delta!.kind === 'delta' && delta!.delta.toFixed()).toBe('0.25');
    expect(snapshot!.kind === 'snapshot' && snapshot!.balances.map((b) => [b.currency, b.total.toFixed()])).toEqual([['BTC', '1.25']]);
    h.venue.withdraw('USDT', '100.5');
    await until(() => h.events.venueBalance.length === 4, 'withdrawal');
    const out = h.events.venueBalance[2]!;
    expect(out.kind === 'delta' && [out.currency, out.delta.toFixed()]).toEqual(['USDT', '-100.5']);
    expect(venueBalance(h, 'USDT')?.free.toFixed()).toBe('99899.5');
    expect(h.events.balance).toEqual([]);
  });

  it('a resting order shows as locked in the venue balance', async () => {
    const h = await connected();
    const o = order({ side: 'buy', type: 'limit', quantity: quantity('0.5'), price: price('40000') });
    await h.conn.execution.submit(o);
    await until(() => venueBalance(h, 'USDT') !== undefined, 'snapshot');
    const usdt = venueBalance(h, 'USDT')!;
    expect([usdt.total.toFixed(), usdt.free.toFixed(), usdt.locked.toFixed()]).toEqual(['100000', '80000', '20000']);
  });

  it('venueAccount() is the uid of GET /api/v3/account, as a cash account', async () => {
    const h = await connected({ venue: { accountUid: 777123 } });
    expect(await h.conn.execution.venueAccount()).toEqual({ accountId: '777123', accountType: 'cash' });
    const other = await connected();
    expect((await other.conn.execution.venueAccount()).accountId).toBe('354937868');
  });

  it.each([
    [{}, ['BINANCE_API_KEY', 'BINANCE_API_SECRET']],
    [{ BINANCE_API_KEY: FAKE_API_KEY }, ['BINANCE_API_SECRET']],
    [{ BINANCE_API_KEY: '', BINANCE_API_SECRET: FAKE_API_SECRET }, ['BINANCE_API_KEY']],
    [{ BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: '  ' }, ['BINANCE_API_SECRET']],
  ])('preflight() refuses missing or empty keys with AUTH_MISSING naming them, without a request (%#)', async (env, names) => {
    const h = await harness({ env });
    let error: unknown;
    try {
      h.conn.execution.preflight();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'AUTH_MISSING', details: { variables: names } });
    for (const name of names) expect((error as Error).message).toContain(name);
    expect(h.venue.requests()).toEqual([]);
  });

  it('preflight() passes with keys and still sends nothing', async () => {
    const h = await harness();
    expect(() => h.conn.execution.preflight()).not.toThrow();
    expect(h.venue.requests()).toEqual([]);
  });

  it('needs credentials to trade, and never logs them', async () => {
    const h = await harness({ env: {} });
    const e = await rejectionOf(h.conn.execution.connect(() => {}));
    expect(e.code).toBe('AUTH_MISSING');
    expect(e.message).toContain('BINANCE_API_KEY');

    const ok = await connected();
    ok.venue.trade('BTCUSDT', '50000', '5');
    await ok.conn.execution.submit(order({ side: 'buy', type: 'market' }));
    await ok.conn.execution.balances();
    expect(ok.logLines.length).toBeGreaterThan(0);
    for (const line of ok.logLines) {
      expect(line).not.toContain(FAKE_API_SECRET);
      expect(line).not.toContain(FAKE_API_KEY);
    }
  });

  it('a wrong secret is AUTH_FAILED at connect', async () => {
    const h = await harness({ env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: 'not-the-secret-0000' } });
    const e = await rejectionOf(h.conn.execution.connect(() => {}));
    expect(e.code).toBe('AUTH_FAILED');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('not-the-secret-0000');
  });
});
