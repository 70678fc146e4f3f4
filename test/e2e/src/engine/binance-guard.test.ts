/**
 * The guard in front of the real Binance execution port, against the fake Binance venue (real HTTP
 * and WebSocket on 127.0.0.1, signatures verified, faults injected by the fake), on the real-time
 * clock.
 *
 * It lives in test/e2e because it needs a plugin, and the engine's own tests import none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AutotraderError, EventBus, price, quantity, RealtimeClock, silentLogger, type ExecutionReport, type OrderSnapshot, type VenueOrderState } from '@autotrader/core';
import { binancePlugin, type BinanceConnection } from '@autotrader/plugin-binance';
import { FAKE_API_KEY, FAKE_API_SECRET, ORDER_PLACEMENT, startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { GuardedExecution, usageByInterval } from '@autotrader/engine';
import { testOrder } from '@autotrader/testkit';

const BTC = 'BTCUSDT.BINANCE';

interface Harness {
  readonly venue: FakeBinance;
  readonly conn: BinanceConnection;
  readonly guard: GuardedExecution;
  readonly reports: ExecutionReport[];
  readonly recovered: VenueOrderState[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(requestMs = 2000): Promise<Harness> {
  const venue = await startFakeBinance();
  cleanups.push(() => venue.close());
  const clock = new RealtimeClock();
  cleanups.push(async () => clock.cancelAll());
  const bus = new EventBus('isolate', () => clock.now());
  const config = binancePlugin.configSchema.parse({
    restUrl: venue.restUrl,
    wsApiUrl: venue.wsApiUrl,
    streamUrl: venue.streamUrl,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    timeouts: { requestMs, wsRequestMs: 2000 },
  });
  const conn = (await binancePlugin.create(config, {
    clock,
    bus,
    logger: silentLogger,
    env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET },
  })) as BinanceConnection;
  cleanups.push(() => conn.close());
  const rules = binancePlugin.rateLimits ?? [];
  const recovered: VenueOrderState[] = [];
  const guard = new GuardedExecution(conn.execution, {
    rateLimits: rules,
    // Binance's weights (rest-api.md): GET /api/v3/order 4, openOrders 6 per symbol, account 20.
    requestWeights: { order: 4, openOrders: 6, balances: 20, positions: 20 },
    clock,
    bus,
    policy: { retry: { baseDelayMs: 50, maxDelayMs: 500 } },
    onRecovered: (s) => recovered.push(s),
  });
  conn.onUsage((u) => guard.reportUsage({ ...usageByInterval(rules, 'requests', u.usedWeight), ...usageByInterval(rules, 'orders', u.orderCount) }));
  await conn.instruments.load();
  const reports: ExecutionReport[] = [];
  await guard.connect((r) => reports.push(r));
  return { venue, conn, guard, reports, recovered };
}

let seq = 0;
function restingBuy(): OrderSnapshot {
  const now = Date.now();
  return testOrder({ clientOrderId: `guard-${now.toString(36)}-${++seq}`, instrumentId: BTC, quantity: quantity('0.01'), price: price('40000'), status: 'submitted', tsCreated: now, tsUpdated: now });
}

const orderPosts = (venue: FakeBinance) => venue.requests().filter((r) => r.method === 'POST' && r.path === '/api/v3/order');

describe('GuardedExecution in front of Binance (fake venue)', () => {
  it('429: every request waits for Retry-After, so the venue never escalates to a 418 ban', async () => {
    const h = await harness();
    h.venue.trade('BTCUSDT', '50000', '1');
    const burst = 4;
    // One 429 opens a 1 s window; the fake tolerates the requests already in flight, one more and it bans.
    h.venue.faults.rateLimit(1, { retryAfterSec: 1, escalateTo418AfterIgnored: burst - 1 });
    const orders = Array.from({ length: burst }, () => restingBuy());
    await Promise.all(orders.map((o) => h.guard.submit(o)));

    const posts = orderPosts(h.venue);
    const firstWave = posts.slice(0, burst);
    const retries = posts.slice(burst);
    expect(h.guard.stats().rateLimited).toBe(burst);
    expect(retries).toHaveLength(burst);
    for (const r of retries) expect(r.at).toBeGreaterThanOrEqual(firstWave[0]!.at + 1000);
    // Each order exists once, under our client order id.
    expect(h.venue.orders().map((o) => o.clientOrderId).sort()).toEqual(orders.map((o) => o.clientOrderId).sort());
    expect(retries.map((r) => r.params.newClientOrderId).sort()).toEqual(orders.map((o) => o.clientOrderId).sort());

    // The premise: without the guard, one request too many inside the window is a 418 ban.
    h.venue.faults.rateLimit(1, { retryAfterSec: 1, escalateTo418AfterIgnored: 0 });
    const raw: AutotraderError[] = [];
    for (let i = 0; i < 2; i++) await h.conn.execution.balances().catch((e: AutotraderError) => raw.push(e));
    expect(raw.map((e) => e.details.status)).toEqual([429, 418]);
  });

  it('a submit that timed out after the venue took it is resolved by a query, without a second order', async () => {
    const h = await harness(300);
    h.venue.faults.acceptThenTimeout(1);
    const o = restingBuy();
    await h.guard.submit(o);
    expect(orderPosts(h.venue)).toHaveLength(1);
    expect(h.venue.requests().filter((r) => r.method === 'GET' && r.path === '/api/v3/order')).toHaveLength(1);
    expect(h.venue.orders().map((v) => v.clientOrderId)).toEqual([o.clientOrderId]);
    expect(h.recovered).toHaveLength(1);
    expect(h.recovered[0]).toMatchObject({ clientOrderId: o.clientOrderId, status: 'accepted', instrumentId: BTC });
    expect(h.recovered[0]!.venueOrderId).toBe(String(h.venue.orders()[0]!.orderId));
    expect(h.guard.stats().recovered).toBe(1);
  });

  it('a submit refused with a 5xx is looked up, not found, and resent with the same client order id', async () => {
    const h = await harness();
    h.venue.faults.serverError(1, 503, ORDER_PLACEMENT);
    const o = restingBuy();
    await h.guard.submit(o);
    const posts = orderPosts(h.venue);
    expect(posts.map((p) => p.params.newClientOrderId)).toEqual([o.clientOrderId, o.clientOrderId]);
    expect(h.venue.orders().map((v) => v.clientOrderId)).toEqual([o.clientOrderId]);
    expect(h.recovered).toEqual([]);
  });
});
