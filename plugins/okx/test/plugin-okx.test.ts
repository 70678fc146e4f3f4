import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  EventBus,
  isAutotraderError,
  money,
  price,
  quantity,
  RealtimeClock,
  type BookSnapshot,
  type ExecutionReport,
  type Fill,
  type OrderSnapshot,
  type VenueBalanceEvent,
} from '@autotrader/core';
import { waitFor } from '@autotrader/testkit';
import { createOkx, okxPlugin, wireClientOrderId, type OkxConfigInput, type OkxConnection } from '../src/index';
import { DEMO_KEY, LIVE_KEY, ORDER_PATH, startFakeOkx, type FakeOkx, type FakeOkxKey, type FakeOkxOptions } from './fake-venue';

const BTC = 'BTC-USDT.OKX';
const envOf = (k: FakeOkxKey): Record<string, string> => ({ OKX_API_KEY: k.apiKey, OKX_API_SECRET: k.secret, OKX_API_PASSPHRASE: k.passphrase });

interface Opened {
  readonly fake: FakeOkx;
  readonly connection: OkxConnection;
  readonly bus: EventBus;
  readonly reports: ExecutionReport[];
  readonly logs: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fake OKX and the plugin pointed at it with --venue-opt style overrides (demo unless `mainnet`); execution connected unless told not to. */
async function open(
  o: { env?: Record<string, string>; connect?: boolean; config?: OkxConfigInput; fake?: FakeOkx; fakeOptions?: FakeOkxOptions } = {},
): Promise<Opened> {
  const fake = o.fake ?? (await startFakeOkx(o.fakeOptions));
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const sockets = o.config?.mainnet === true ? fake.live : fake.demo;
  const config = okxPlugin.configSchema.parse({ restUrl: fake.restUrl, ...sockets, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...o.config });
  const connection = createOkx(config, { bus, clock, logger, env: o.env ?? envOf(DEMO_KEY) });
  cleanups.push(async () => {
    clock.cancelAll();
    await connection.close();
    if (o.fake === undefined) await fake.close();
  });
  const reports: ExecutionReport[] = [];
  if (o.connect !== false) await connection.execution.connect((r) => reports.push(r));
  return { fake, connection, bus, reports, logs };
}

let seq = 0;
const order = (o: Partial<OrderSnapshot> = {}): OrderSnapshot => ({
  clientOrderId: `okx-test-${++seq}`,
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

const fillsOf = (reports: readonly ExecutionReport[]): Fill[] => reports.flatMap((r) => (r.kind === 'fill' ? [r.fill] : []));
const kinds = (reports: readonly ExecutionReport[]): string[] => reports.map((r) => r.kind);

describe('environments and signing', () => {
  it('trades the demo by default: x-simulated-trading 1 on every REST request, signed, and the demo sockets', async () => {
    const { fake, connection } = await open({ config: { orderTransport: 'rest' } });
    await connection.instruments.load();
    await connection.execution.submit(order());
    const reqs = fake.requests();
    expect(reqs.length).toBeGreaterThan(2);
    for (const r of reqs) expect(r.headers['x-simulated-trading']).toBe('1');
    const signed = reqs.filter((r) => r.path === ORDER_PATH);
    expect(signed).toHaveLength(1);
    expect(signed[0]!.headers['ok-access-key']).toBe(DEMO_KEY.apiKey);
    expect(signed[0]!.headers['ok-access-timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(fake.orders('demo')).toHaveLength(1);
    expect(fake.orders('live')).toHaveLength(0);
    // The private socket logged in on the demo too: a WebSocket order lands in the demo account.
    const viaWs = await open({ fake, config: { orderTransport: 'ws' } });
    await viaWs.connection.execution.submit(order());
    expect(fake.wsOps().map((x) => x.op)).toEqual(['order']);
    expect(fake.orders('demo')).toHaveLength(2);
  });

  it('a live key on the demo is AUTH_FAILED saying so (50101); with --mainnet the demo key is told the reverse', async () => {
    const fake = await startFakeOkx();
    cleanups.push(() => fake.close());
    const onDemo = await open({ fake, env: envOf(LIVE_KEY), connect: false });
    const e1 = await onDemo.connection.execution.balances().catch((e: unknown) => e);
    expect(isAutotraderError(e1, 'AUTH_FAILED')).toBe(true);
    expect((e1 as Error).message).toMatch(/50101.*a live key on the demo environment/);
    const onLive = await open({ fake, env: envOf(DEMO_KEY), connect: false, config: { mainnet: true } });
    const e2 = await onLive.connection.execution.balances().catch((e: unknown) => e);
    expect((e2 as Error).message).toMatch(/50101.*a demo key on the live environment \(--mainnet\)/);
    // The live environment has no simulated-trading header.
    expect(fake.requests().filter((r) => r.headers['x-simulated-trading'] === undefined).length).toBeGreaterThan(0);
    // The private socket's login says the same.
    await expect(onDemo.connection.execution.connect(() => undefined)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('a wrong secret is AUTH_FAILED, and neither the error nor the logs show any secret', async () => {
    const env = { ...envOf(DEMO_KEY), OKX_API_SECRET: 'not-the-secret-0123456789' };
    const { connection, logs } = await open({ env, connect: false });
    const e = await connection.execution.balances().catch((x: unknown) => x);
    expect(isAutotraderError(e, 'AUTH_FAILED')).toBe(true);
    const text = `${(e as Error).message} ${JSON.stringify((e as { details: unknown }).details)} ${logs.join('\n')}`;
    for (const s of ['not-the-secret-0123456789', DEMO_KEY.passphrase]) expect(text).not.toContain(s);
  });

  it('re-syncs the clock from /public/time when a timestamp is more than 30 s off (50102), and sends once more', async () => {
    const { fake, connection } = await open({ connect: false });
    fake.faults.skewClock(45_000);
    const balances = await connection.execution.balances();
    expect(balances.find((b) => b.currency === 'USDT')?.total.toString()).toBe('100000');
    const paths = fake.requests().map((r) => r.path);
    expect(paths).toEqual(['/api/v5/account/balance', '/api/v5/public/time', '/api/v5/account/balance']);
    expect(Math.abs(connection.http.timeOffsetMs - 45_000)).toBeLessThan(2_000);
  });
});

describe('instruments', () => {
  it('loads spot instruments with tick, lot and minimum; one that is not live takes no order, refused before anything is sent', async () => {
    const { fake, connection } = await open();
    const list = await connection.instruments.load();
    const btc = list.find((i) => i.id === BTC)!;
    expect([btc.tickSize.toString(), btc.lotSize.toFixed(), btc.minQuantity.toString()]).toEqual(['0.1', '0.00000001', '0.00001']);
    fake.setInstrumentState('ETH-USDT', 'suspend');
    await connection.instruments.load();
    await expect(connection.execution.submit(order({ instrumentId: 'ETH-USDT.OKX', price: price('2000') }))).rejects.toMatchObject({ code: 'VENUE_REJECTED' });
    await expect(connection.execution.submit(order({ price: price('30000.05') }))).rejects.toMatchObject({ code: 'TICK_SIZE' });
    expect(fake.requests().filter((r) => r.path === ORDER_PATH)).toHaveLength(0);
  });
});

describe('market data', () => {
  it('streams quotes and trades, and candles as bars once they close', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    const seen: string[] = [];
    bus.on('quote', (q) => seen.push(`quote ${q.bid}/${q.ask}`));
    bus.on('trade', (t) => seen.push(`trade ${t.price} ${t.size} ${t.aggressor}`));
    bus.on('bar', (b) => seen.push(`bar ${b.open} ${b.close} ${b.volume} ${b.tsEvent - b.tsOpen}`));
    await connection.data.connect();
    await connection.data.subscribe({ kind: 'quote', instrumentId: BTC });
    await connection.data.subscribe({ kind: 'trade', instrumentId: BTC });
    await connection.data.subscribe({ kind: 'bar', instrumentId: BTC, interval: '1m' });
    fake.ticker('BTC-USDT', '29999.9', '1', '30000.1', '2');
    fake.trade('BTC-USDT', '30000', '0.5', 'buy');
    const t0 = Math.floor(Date.now() / 60_000) * 60_000;
    fake.candles('BTC-USDT', '1m', [{ ts: t0 - 60_000, o: '29990', h: '30010', l: '29980', c: '30000', vol: '3', confirm: false }]);
    fake.candles('BTC-USDT', '1m', [{ ts: t0 - 60_000, o: '29990', h: '30010', l: '29980', c: '30005', vol: '4', confirm: true }]);
    await waitFor('quote, trade and bar', () => seen.length >= 3 && seen.some((s) => s.startsWith('bar')));
    expect(seen).toContain('quote 29999.9/30000.1');
    expect(seen).toContain('trade 30000 0.5 buy');
    expect(seen.filter((s) => s.startsWith('bar'))).toEqual(['bar 29990 30005 4 60000']);
    await expect(connection.data.subscribe({ kind: 'bar', instrumentId: BTC, interval: '7m' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('keeps the book by seqId with checksums; a gap or a bad checksum resubscribes it; checksum 0 is not checked', async () => {
    const { fake, connection, bus, logs } = await open({ connect: false });
    const books: BookSnapshot[] = [];
    bus.on('book', (b) => books.push(b));
    fake.book('BTC-USDT', [['29999.9', '1'], ['29999.8', '2']], [['30000.1', '1.5']]);
    await connection.data.connect();
    await connection.data.subscribe({ kind: 'book', instrumentId: BTC });
    await waitFor('the snapshot', () => books.length >= 1);
    expect(books.at(-1)!.bids).toEqual([[29999.9, 1], [29999.8, 2]]);

    fake.book('BTC-USDT', [['29999.9', '3']], [['30000.1', '1.5'], ['30000.2', '4']]);
    await waitFor('the update', () => books.at(-1)!.bids.length === 1);
    expect(books.at(-1)!.asks).toEqual([[30000.1, 1.5], [30000.2, 4]]);

    const subscribes = (): number => logs.filter((l) => l.includes('resubscribing for a new snapshot')).length;
    fake.faults.bookGap('BTC-USDT');
    fake.book('BTC-USDT', [['29999.9', '5']], [['30000.2', '4']]);
    await waitFor('a resync after the gap', () => subscribes() === 1 && books.at(-1)!.bids[0]![1] === 5);
    expect(books.at(-1)!.asks).toEqual([[30000.2, 4]]);

    fake.faults.badChecksum('BTC-USDT');
    fake.book('BTC-USDT', [['29999.9', '6']], [['30000.2', '4']]);
    await waitFor('a resync after the bad checksum', () => subscribes() === 2 && books.at(-1)!.bids[0]![1] === 6);

    fake.faults.zeroChecksums(true);
    fake.book('BTC-USDT', [['29999.9', '7']], [['30000.3', '1']]);
    await waitFor('an update with checksum 0 applied', () => books.at(-1)!.bids[0]![1] === 7);
    expect(subscribes()).toBe(2);
    expect(books.at(-1)!.asks).toEqual([[30000.3, 1]]);
  });

  it('a malformed push is reported and skipped, never fatal', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    const errors: string[] = [];
    bus.on('error', (e) => errors.push(e.code));
    const trades: number[] = [];
    bus.on('trade', (t) => trades.push(t.price));
    await connection.data.subscribe({ kind: 'trade', instrumentId: BTC });
    fake.faults.malformedPush('trades');
    fake.trade('BTC-USDT', '30001', '1', 'sell');
    await waitFor('the next trade', () => trades.includes(30001));
    expect(errors).toContain('VENUE_MESSAGE_MALFORMED');
  });

  it('keeps an idle connection alive with ping, and resubscribes after the venue drops it', async () => {
    const fake = await startFakeOkx({ idleMs: 1_200 });
    cleanups.push(() => fake.close());
    const { connection, bus } = await open({ fake, connect: false, config: { timeouts: { pingIntervalMs: 400, deadAfterMs: 3_000 } } });
    const states: string[] = [];
    bus.on('venueStatus', (s) => states.push(s.state));
    const trades: number[] = [];
    bus.on('trade', (t) => trades.push(t.price));
    await connection.data.subscribe({ kind: 'trade', instrumentId: BTC });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(states.filter((s) => s !== 'connected')).toEqual([]);
    fake.faults.dropPublicSockets();
    await waitFor('reconnected', () => states.at(-1) === 'connected' && states.length >= 3);
    fake.trade('BTC-USDT', '30002', '1', 'buy');
    await waitFor('a trade after the reconnect', () => trades.includes(30002));
  }, 15_000);

  it('a socket that only receives still writes a ping in time (the fake closes a socket that sent nothing for idleMs)', async () => {
    const fake = await startFakeOkx({ idleMs: 1_200 });
    cleanups.push(() => fake.close());
    const { connection, bus } = await open({ fake, config: { timeouts: { pingIntervalMs: 400, deadAfterMs: 3_000 } } });
    const states: string[] = [];
    bus.on('venueStatus', (s) => states.push(s.state));
    const trades: number[] = [];
    bus.on('trade', (t) => trades.push(t.price));
    await connection.data.subscribe({ kind: 'trade', instrumentId: BTC });
    // A trade every 100 ms for 3 s: the sockets always receive, so only an outbound ping keeps them open.
    for (let k = 0; k < 30; k++) {
      fake.trade('BTC-USDT', String(30_000 + k), '0.001', 'buy');
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor('every trade', () => trades.length === 30);
    expect(states.filter((s) => s !== 'connected')).toEqual([]);
  }, 15_000);

  it('downloads history candles oldest first in windows of 100', async () => {
    const { fake, connection } = await open({ connect: false });
    const t0 = Date.UTC(2026, 0, 1);
    const rows = Array.from({ length: 250 }, (_, k) => ({ ts: t0 + k * 60_000, o: '100', h: '103', l: '99', c: String(100 + (k % 3)), vol: '1', confirm: true }));
    fake.candles('BTC-USDT', '1m', rows);
    const got: number[] = [];
    for await (const page of connection.data.history({ kind: 'bar', instrumentId: BTC, interval: '1m', from: t0, to: t0 + 250 * 60_000 })) got.push(...page.map((b) => b.tsOpen));
    expect(got).toEqual(rows.map((r) => r.ts));
    expect(fake.requests().filter((r) => r.path === '/api/v5/market/history-candles')).toHaveLength(3);
  });
});

describe.each(['rest', 'ws'] as const)('orders over %s', (orderTransport) => {
  const opened = (o: Parameters<typeof open>[0] = {}) => open({ ...o, config: { orderTransport, ...o.config } });
  const placedVia = (fake: FakeOkx, op: string): number =>
    orderTransport === 'ws' ? fake.wsOps().filter((x) => x.op === op).length : fake.requests().filter((r) => r.path === `/api/v5/trade/${op}`).length;

  it('places, fills partly and fully (each fill once, fee in the asset received, charged as a positive cost), and cancels', async () => {
    const { fake, connection, reports } = await opened();
    const o = order({ quantity: quantity('0.3'), price: price('30000') });
    await connection.execution.submit(o);
    expect(placedVia(fake, 'order')).toBe(1);
    fake.trade('BTC-USDT', '30000', '0.1', 'sell');
    fake.trade('BTC-USDT', '30000', '0.05', 'sell');
    await waitFor('two fills', () => fillsOf(reports).length === 2);
    const fills = fillsOf(reports);
    expect(fills.map((f) => [f.quantity.toString(), f.price.toString(), f.feeCurrency, f.liquidity])).toEqual([
      ['0.1', '30000', 'BTC', 'maker'],
      ['0.05', '30000', 'BTC', 'maker'],
    ]);
    const venue = fake.orders()[0]!;
    expect(fills.map((f) => f.tradeId)).toEqual(venue.fills.map((f) => f.tradeId));
    expect(fills.map((f) => f.fee.toString())).toEqual(venue.fills.map((f) => f.fee));
    expect(fills[0]!.fee.gt(0)).toBe(true);
    await connection.execution.cancel({ ...o, venueOrderId: venue.ordId });
    await waitFor('canceled', () => reports.some((r) => r.kind === 'canceled'));
    expect(kinds(reports)).toEqual(['accepted', 'fill', 'fill', 'canceled']);
    expect(fake.orders()[0]!.state).toBe('canceled');
  });

  it('reports each fill exactly once and the end after the fills, through duplicated and reordered pushes', async () => {
    const { fake, connection, reports } = await opened();
    fake.faults.duplicatePrivatePushes(2);
    fake.faults.reorderPrivatePushes(true);
    const o = order({ quantity: quantity('0.4'), price: price('30000') });
    await connection.execution.submit(o);
    for (const sz of ['0.1', '0.1', '0.1']) fake.trade('BTC-USDT', '30000', sz, 'sell');
    await connection.execution.cancel(o);
    await waitFor('canceled', () => reports.some((r) => r.kind === 'canceled'), 8_000);
    await new Promise((r) => setTimeout(r, 600));
    const fills = fillsOf(reports);
    expect(fills.map((f) => f.tradeId).sort()).toEqual(fake.orders()[0]!.fills.map((f) => f.tradeId).sort());
    // Each fill with its own fee, whatever order the pushes came in.
    const feeByTrade = (xs: readonly { tradeId: string; fee: { toString(): string } }[]) => Object.fromEntries(xs.map((f) => [f.tradeId, f.fee.toString()]));
    expect(feeByTrade(fills)).toEqual(feeByTrade(fake.orders()[0]!.fills));
    expect(kinds(reports).filter((k) => k === 'accepted')).toHaveLength(1);
    expect(kinds(reports).at(-1)).toBe('canceled');
    expect(kinds(reports).filter((k) => k === 'canceled')).toHaveLength(1);
  });

  it('without fillFee on the pushes, each fill gets its own fee: from the running total in order, from /trade/fills out of order', async () => {
    const { fake, connection, reports } = await opened();
    fake.faults.omitFillFee(true);
    const o = order({ quantity: quantity('0.4'), price: price('30000') });
    await connection.execution.submit(o);
    // Two fills in order: the second's fee is what the running total adds to the first's.
    fake.trade('BTC-USDT', '30000', '0.1', 'sell');
    await waitFor('the first fill', () => fillsOf(reports).length === 1);
    fake.trade('BTC-USDT', '30000', '0.15', 'sell');
    await waitFor('the second fill', () => fillsOf(reports).length === 2);
    // Two more with their pushes swapped: each is taken from /trade/fills with its own fee.
    fake.faults.reorderPrivatePushes(true);
    for (const sz of ['0.05', '0.1']) fake.trade('BTC-USDT', '30000', sz, 'sell');
    await waitFor('four fills', () => fillsOf(reports).length === 4, 8_000);
    const feeByTrade = (xs: readonly { tradeId: string; fee: { toString(): string } }[]) => Object.fromEntries(xs.map((f) => [f.tradeId, f.fee.toString()]));
    expect(feeByTrade(fillsOf(reports))).toEqual(feeByTrade(fake.orders()[0]!.fills));
    expect(fillsOf(reports).every((f) => f.feeCurrency === 'BTC')).toBe(true);
  });

  it('amends in place: price and size, and on a partly filled order newSz counts what filled', async () => {
    const { fake, connection, reports } = await opened();
    const o = order({ quantity: quantity('0.5'), price: price('30000') });
    await connection.execution.submit(o);
    fake.trade('BTC-USDT', '30000', '0.2', 'sell');
    await waitFor('a fill', () => fillsOf(reports).length === 1);
    const partly = { ...o, filledQuantity: quantity('0.2'), status: 'partially_filled' as const };
    expect(connection.execution.canModify(partly, { quantity: quantity('0.2') })).toBe(false);
    await connection.execution.modify(partly, { quantity: quantity('0.6'), price: price('29990') });
    await waitFor('updated', () => reports.some((r) => r.kind === 'updated'));
    const updated = reports.find((r) => r.kind === 'updated') as Extract<ExecutionReport, { kind: 'updated' }>;
    expect([updated.quantity?.toString(), updated.price?.toString()]).toEqual(['0.6', '29990']);
    const venue = fake.orders()[0]!;
    expect([venue.sz, venue.px, venue.accFillSz, venue.state]).toEqual(['0.6', '29990', '0.2', 'partially_filled']);
    expect(fake.orders()).toHaveLength(1);
    fake.trade('BTC-USDT', '29990', '1', 'sell');
    await waitFor('filled at the amended terms', () => fillsOf(reports).reduce((s, f) => s + Number(f.quantity), 0) >= 0.6 - 1e-9);
    expect(placedVia(fake, 'amend-order')).toBe(1);
  });

  it('an amend of a finished order is ORDER_UNKNOWN, and the venue order stays as it was', async () => {
    const { fake, connection, reports } = await opened();
    const o = order({ quantity: quantity('0.1'), price: price('30000') });
    await connection.execution.submit(o);
    fake.trade('BTC-USDT', '30000', '0.1', 'sell');
    await waitFor('filled', () => fillsOf(reports).length === 1);
    await expect(connection.execution.modify(o, { price: price('29000') })).rejects.toMatchObject({ code: 'ORDER_UNKNOWN' });
    expect(fake.orders()[0]!.px).toBe('30000');
    expect(reports.some((r) => r.kind === 'updated')).toBe(false);
  });

  it('a cancel of a finished order is resolved from the venue (no error); of an unknown one is ORDER_UNKNOWN', async () => {
    const { fake, connection, reports } = await opened();
    const o = order({ quantity: quantity('0.1'), price: price('30000') });
    await connection.execution.submit(o);
    fake.trade('BTC-USDT', '30000', '0.1', 'sell');
    await waitFor('filled', () => fillsOf(reports).length === 1);
    await expect(connection.execution.cancel(o)).resolves.toBeUndefined();
    expect(kinds(reports)).toEqual(['accepted', 'fill']);
    await expect(connection.execution.cancel(order())).rejects.toMatchObject({ code: 'ORDER_UNKNOWN' });
  });

  it('51008 is INSUFFICIENT_FUNDS; 51016 (a resend of an order OKX has) is looked up, never placed twice', async () => {
    const { fake, connection, reports } = await opened();
    await expect(connection.execution.submit(order({ quantity: quantity('10'), price: price('30000') }))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { venueCode: '51008' } });
    const o = order();
    await connection.execution.submit(o);
    await connection.execution.submit(o);
    expect(fake.orders().filter((x) => x.clOrdId === wireClientOrderId(o.clientOrderId))).toHaveLength(1);
    expect(kinds(reports)).toEqual(['accepted']);
    expect((await connection.execution.order(o.clientOrderId, BTC))?.status).toBe('accepted');
    expect(await connection.execution.order('never-sent', BTC)).toBeUndefined();
  });

  it('a lost answer is outcome unknown, then the order is found by clOrdId; 50004 is unknown too; busy is retryable with nothing done', async () => {
    const { fake, connection } = await opened({ config: { timeouts: { requestMs: 800 } } });
    fake.faults.acceptThenTimeout(1);
    const a = order();
    const e = await connection.execution.submit(a).catch((x: unknown) => x);
    expect(isAutotraderError(e)).toBe(true);
    expect((e as { details: Record<string, unknown> }).details.outcomeUnknown).toBe(true);
    expect((await connection.execution.order(a.clientOrderId, BTC))?.status).toBe('accepted');

    fake.faults.endpointTimeout(1);
    const b = order();
    await expect(connection.execution.submit(b)).rejects.toMatchObject({ code: 'VENUE_TIMEOUT', details: { outcomeUnknown: true, venueCode: '50004' } });
    expect((await connection.execution.order(b.clientOrderId, BTC))?.status).toBe('accepted');

    fake.faults.busy(1, '50013');
    const c = order();
    const busy = await connection.execution.submit(c).catch((x: unknown) => x);
    expect(isAutotraderError(busy, 'VENUE_UNAVAILABLE')).toBe(true);
    expect((busy as { retryable: boolean }).retryable).toBe(true);
    expect(await connection.execution.order(c.clientOrderId, BTC)).toBeUndefined();
  });

  it('429 / 50011 is RATE_LIMITED with a wait', async () => {
    const { fake, connection } = await opened();
    fake.faults.rateLimit(1);
    const e = await connection.execution.submit(order()).catch((x: unknown) => x);
    expect(isAutotraderError(e, 'RATE_LIMITED')).toBe(true);
    expect((e as { details: Record<string, unknown> }).details.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('account', () => {
  it('balances, spot positions, open orders, and fillsSince from /trade/fills oldest first', async () => {
    const { fake, connection, reports } = await open();
    const before = Date.now() - 1;
    const a = order({ quantity: quantity('0.2'), price: price('30000') });
    const b = order({ side: 'sell', quantity: quantity('0.1'), price: price('31000') });
    await connection.execution.submit(a);
    await connection.execution.submit(b);
    fake.trade('BTC-USDT', '30000', '0.05', 'sell');
    fake.trade('BTC-USDT', '30000', '0.05', 'sell');
    await waitFor('two fills', () => fillsOf(reports).length === 2);
    const open_ = await connection.execution.openOrders(BTC);
    expect(open_.map((x) => [x.clientOrderId, x.status, x.filledQuantity.toString()]).sort()).toEqual(
      [
        [a.clientOrderId, 'partially_filled', '0.1'],
        [b.clientOrderId, 'accepted', '0'],
      ].sort(),
    );
    const fills = await connection.execution.fillsSince(BTC, before);
    expect(fills.map((f) => f.tradeId)).toEqual(fillsOf(reports).map((f) => f.tradeId));
    expect(fills.map((f) => f.fee.toString())).toEqual(fillsOf(reports).map((f) => f.fee.toString()));
    expect(fills.every((f) => f.clientOrderId === a.clientOrderId)).toBe(true);
    const venue = fake.balances();
    const usdt = (await connection.execution.balances()).find((x) => x.currency === 'USDT')!;
    expect([usdt.total.toString(), usdt.free.toString(), usdt.locked.toString()]).toEqual([venue.USDT!.cashBal, venue.USDT!.availBal, venue.USDT!.frozenBal]);
    const positions = await connection.execution.positions();
    expect(positions.find((p) => p.instrumentId === BTC)?.quantity.toString()).toBe(venue.BTC!.cashBal);
  });

  it('publishes the venue balances as venueBalance snapshots, and a deposit as a delta', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    const events: VenueBalanceEvent[] = [];
    bus.on('venueBalance', (e) => events.push(e));
    await connection.execution.balances();
    await connection.execution.connect(() => undefined);
    fake.deposit('demo', 'USDT', '250');
    await waitFor('the deposit delta', () => events.some((e) => e.kind === 'delta'));
    const delta = events.find((e) => e.kind === 'delta') as Extract<VenueBalanceEvent, { kind: 'delta' }>;
    expect([delta.currency, delta.delta.toString()]).toEqual(['USDT', '250']);
    expect(events.some((e) => e.kind === 'snapshot' && e.balances.some((b) => b.currency === 'USDT' && b.total.toString() === '100250'))).toBe(true);
  });

  it('publishes a balance snapshot only after the fills pushed before it are reported (no false BALANCE_MISMATCH)', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    const seq: string[] = [];
    bus.on('venueBalance', (e) => {
      const btc = e.kind === 'snapshot' ? e.balances.find((b) => b.currency === 'BTC') : undefined;
      if (btc !== undefined) seq.push(`balance BTC ${btc.total.toString()}`);
    });
    await connection.execution.connect((r) => seq.push(r.kind));
    await connection.execution.submit(order({ quantity: quantity('0.1'), price: price('30000') }));
    fake.trade('BTC-USDT', '30000', '0.1', 'sell');
    await waitFor('the balance after the fill', () => seq.some((x) => x.startsWith('balance BTC') && x !== 'balance BTC 1'));
    const fillAt = seq.indexOf('fill');
    const changedAt = seq.findIndex((x) => x.startsWith('balance BTC') && x !== 'balance BTC 1');
    expect(fillAt).toBeGreaterThanOrEqual(0);
    expect(fillAt).toBeLessThan(changedAt);
  });

  it('names the account (venueAccount, for the journal) from /account/config', async () => {
    const { fake, connection } = await open({ connect: false });
    const account = await connection.execution.venueAccount();
    expect(account.accountId).toMatch(/^\d+$/);
    expect(fake.requests().filter((r) => r.path === '/api/v5/account/config')).toHaveLength(1);
  });
});
