/**
 * A fake Coinbase Advanced Trade venue on 127.0.0.1: REST under `/api/v3/brokerage` with CDP JWTs
 * verified on every private request, the WebSocket channels (market data on `wsUrl`, the `user`
 * channel on `wsUserUrl`), matching of our orders against trades the test prints, Coinbase's fees
 * in the quote currency and holds, and every fault of the kit's fault plan.
 *
 * ```ts
 * const venue = await startFakeCoinbase();
 * venue.quote('BTC-USD', '50000', '1', '50001', '1');
 * // point the plugin at venue.restUrl / venue.wsUrl / venue.wsUserUrl with TEST_KEY_NAME / TEST_EC_PRIVATE_KEY
 * venue.trade('BTC-USD', '50000', '0.5');
 * await venue.close();
 * ```
 *
 * Behaviour and the choices made where Coinbase's documentation is silent: fake/README.md.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { AutotraderError, Decimal } from '@autotrader/core';
import {
  BackoffGate,
  FaultPlan,
  FeeSchedule,
  LevelBook,
  Ledger,
  ReportShuffle,
  RequestLog,
  SequenceGaps,
  SlidingWindowCounter,
  VenueClock,
  startLoopbackServer,
  type FakeRequest,
  type RateLimitFaultOptions,
  type RequestMatcher,
} from '@autotrader/testkit/fake-venue';
import { CandleStore, type Candle } from './fake/candles';
import { ChannelServer, type PrintedTrade } from './fake/channels';
import { MatchingEngine } from './fake/engine';
import { cdpKey, type CdpKey } from './fake/jwt';
import type { FakeOrderStatus, OrderRecord, Side } from './fake/orders';
import { DEFAULT_PRODUCTS, toProduct, type FakeProductSpec, type Product } from './fake/products';
import { API_PREFIX, createRest, type KeyPermissions } from './fake/rest';
import { rfc3339 } from './fake/wire';

export { signCdpJwt, verifyCdpJwt, MAX_JWT_LIFETIME_SEC, type SignJwtOptions } from './fake/jwt';
export { DEFAULT_PRODUCTS, type FakeProductSpec } from './fake/products';
export { API_PREFIX, FAKE_PORTFOLIO_UUID, type KeyPermissions } from './fake/rest';
export type { Candle } from './fake/candles';
export type { FakeRequest, RequestMatcher } from '@autotrader/testkit/fake-venue';

const KEYS = JSON.parse(readFileSync(new URL('./fixtures/jwt_test_keys.json', import.meta.url), 'utf8')) as Record<string, string>;

/** The key name of the Coinbase SDK's unit tests (fixtures/jwt_test_keys.json), accepted by default. */
export const TEST_KEY_NAME: string = KEYS.TEST_API_KEY!;
/** The SDK's test EC P-256 private key (SEC1 PEM): not a real credential. */
export const TEST_EC_PRIVATE_KEY: string = KEYS.TEST_API_SECRET_EC_SEC1_PEM!;
/** The SDK's test Ed25519 private key (PKCS#8 PEM): not a real credential. */
export const TEST_ED25519_PRIVATE_KEY: string = KEYS.TEST_ED25519_PKCS8_API_SECRET!;

/** Balances an account starts with unless told otherwise. */
export const DEFAULT_BALANCES: Readonly<Record<string, string>> = { USD: '100000', BTC: '1', ETH: '10' };

/** A key the fake accepts: its name and a PEM (public, or private: its public half is used). */
export interface FakeKey {
  readonly name: string;
  readonly pem: string;
}

/** How to start the fake. Every field is optional. */
export interface FakeCoinbaseOptions {
  /** Default: the SDK's test EC and Ed25519 keys, both named {@link TEST_KEY_NAME}. */
  readonly keys?: readonly FakeKey[];
  /** Hosts accepted in the JWT `uri` claim besides the fake's own `127.0.0.1:<port>` (e.g. `api.coinbase.com`). */
  readonly uriHosts?: readonly string[];
  readonly products?: readonly FakeProductSpec[];
  /** Free balance per currency; default {@link DEFAULT_BALANCES}. */
  readonly balances?: Readonly<Record<string, string>>;
  /** Default 0.004 and 0.006 (Coinbase's first tier: 0.40% maker, 0.60% taker). */
  readonly makerFeeRate?: string;
  readonly takerFeeRate?: string;
  /** Server clock = wall clock + this. */
  readonly clockOffsetMs?: number;
  /** Private REST requests per second; default 30. */
  readonly privateRatePerSec?: number;
  /** Public REST requests per second; default 10. */
  readonly publicRatePerSec?: number;
  /** `heartbeats` channel interval; default 1000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** A WebSocket with no subscription after this long is closed; default 5000 ms. */
  readonly subscribeTimeoutMs?: number;
  /** What GET /key_permissions reports; default view and trade, no transfer. */
  readonly permissions?: Partial<KeyPermissions>;
}

/** One fill, as {@link FakeCoinbase.orders} reports it. */
export interface FakeFill {
  readonly tradeId: string;
  readonly price: string;
  readonly size: string;
  readonly commission: string;
  readonly liquidity: 'MAKER' | 'TAKER';
  readonly time: number;
}

/** An order the venue accepted, as it is now. */
export interface FakeOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly productId: string;
  readonly side: Side;
  readonly configuration: string;
  readonly status: FakeOrderStatus;
  readonly size: string;
  readonly filledSize: string;
  readonly filledValue: string;
  readonly totalFees: string;
  /** What the order still holds. */
  readonly hold: string;
  readonly fills: readonly FakeFill[];
}

/** A REST request received (`body` in params when there was one). */
export type LoggedRequest = FakeRequest & { readonly at: number };

/** Faults a test can inject. */
export interface FakeCoinbaseFaults {
  /** The next `count` requests get 429 with Retry-After; with `escalateAfterIgnored`, ignoring it leads to a ban (429s until it ends). */
  rateLimit(count: number, options?: RateLimitFaultOptions): void;
  /** The next `count` requests get a 5xx, before processing (default) or after it (`processed`: the venue acted). */
  serverError(count: number, status?: number, options?: { readonly target?: RequestMatcher; readonly processed?: boolean }): void;
  /** The next `count` matching requests (default: order creation) are processed and never answered. */
  acceptThenTimeout(count: number, target?: RequestMatcher): void;
  /** The next `count` requests are not processed and their connection is destroyed. */
  dropRequest(count: number, target?: RequestMatcher): void;
  /** The next `count` matching requests (default: order creation) are processed at once and answered `delayMs` later. */
  delayAck(count: number, delayMs: number, target?: RequestMatcher): void;
  /** Delays every later REST answer (processing is not delayed). */
  delayResponses(ms: number): void;
  /** Terminates every WebSocket connection; returns how many. */
  dropSockets(): number;
  /** While true, new WebSocket upgrades get 503. */
  refuseConnections(refuse: boolean): void;
  /** Sends a frame that is not JSON to every subscribed connection (of `channel`, when given); returns how many got it. */
  malformedFrame(channel?: 'heartbeats' | 'ticker' | 'market_trades' | 'level2' | 'candles' | 'user'): number;
  /** The next `times` user-channel batches send each order update twice, the first two swapped. */
  duplicateUserUpdates(times?: number): void;
  /** The next level2 update skips `ids` sequence numbers (default 10). */
  level2Gap(ids?: number): void;
  /** While true, user-channel sockets are dropped, new user subscriptions refused, and no update is sent (fills still happen). */
  userChannelDown(down: boolean): void;
  /** Moves the venue's clock (JWT `nbf`/`exp` are checked against it). */
  skewClock(ms: number): void;
}

/** A running fake. */
export interface FakeCoinbase {
  /** `http://127.0.0.1:<port>`: REST is under `/api/v3/brokerage`. */
  readonly restUrl: string;
  /** Market data: `ws://127.0.0.1:<port>/ws`. */
  readonly wsUrl: string;
  /** The user channel: `ws://127.0.0.1:<port>/ws-user`. */
  readonly wsUserUrl: string;
  /** `127.0.0.1:<port>`: the host a JWT `uri` names. */
  readonly host: string;
  readonly faults: FakeCoinbaseFaults;
  close(): Promise<void>;
  /** The venue's clock, epoch ms. */
  now(): number;
  /** Prints a trade (`side` is the taker's, default BUY): market_trades, ticker, candles; fills resting orders it reaches. */
  trade(productId: string, price: string, size: string, side?: Side): void;
  /** Sets the best bid and ask (ticker; the touch market orders fill at). */
  quote(productId: string, bid: string, bidSize: string, ask: string, askSize: string): void;
  /** Applies level changes to the book (size "0" removes a level) and publishes them on level2. */
  book(productId: string, bids: readonly [string, string][], asks: readonly [string, string][]): void;
  /** Loads candle history for GET /products/{id}/candles. */
  candles(productId: string, granularity: string, rows: readonly Candle[]): void;
  /** Changes a product's status (`online`, `offline`, `delisted`). */
  setProductStatus(productId: string, status: string): void;
  orders(): FakeOrder[];
  /** Available and hold per currency. */
  balances(): Record<string, { available: string; hold: string }>;
  requests(): LoggedRequest[];
  /** Bans imposed (a client that kept asking through 429s with escalation armed). */
  bans(): number;
}

/** True for order creation (POST /orders). */
export const ORDER_CREATION: RequestMatcher = (r) => r.method === 'POST' && r.path === `${API_PREFIX}/orders`;

function inputDecimal(what: string, text: string): Decimal {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) throw new AutotraderError('CONFIG_INVALID', `Fake Coinbase: ${what} must be a decimal string like "123.45", got ${JSON.stringify(text)}.`);
  return new Decimal(text);
}

function toFakeOrder(o: OrderRecord): FakeOrder {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    productId: o.productId,
    side: o.side,
    configuration: o.spec.key,
    status: o.status,
    size: o.size.toString(),
    filledSize: o.filledSize.toString(),
    filledValue: o.filledValue.toString(),
    totalFees: o.totalFees.toString(),
    hold: o.hold.locked.toString(),
    fills: o.fills.map((f) => ({ tradeId: f.tradeId, price: f.price.toString(), size: f.size.toString(), commission: f.commission.toString(), liquidity: f.liquidity, time: f.time })),
  };
}

/** Starts a fake Coinbase on 127.0.0.1 on a free port. */
export async function startFakeCoinbase(options: FakeCoinbaseOptions = {}): Promise<FakeCoinbase> {
  const clock = new VenueClock(options.clockOffsetMs ?? 0);
  const now = clock.now;
  const products = new Map<string, Product>();
  for (const spec of options.products ?? DEFAULT_PRODUCTS) {
    if (products.has(spec.productId)) throw new AutotraderError('CONFIG_INVALID', `Fake Coinbase: product ${spec.productId} is listed twice.`);
    products.set(spec.productId, toProduct(spec));
  }
  const start: Record<string, Decimal> = {};
  for (const [c, v] of Object.entries(options.balances ?? DEFAULT_BALANCES)) start[c] = inputDecimal(`balance of ${c}`, v);
  for (const p of products.values()) for (const c of [p.base, p.quote]) start[c] ??= new Decimal(0);
  const ledger = new Ledger(start, now);
  const keys: CdpKey[] = (options.keys ?? [
    { name: TEST_KEY_NAME, pem: TEST_EC_PRIVATE_KEY },
    { name: TEST_KEY_NAME, pem: TEST_ED25519_PRIVATE_KEY },
  ]).map((k) => cdpKey(k.name, k.pem));
  const fees = new FeeSchedule({
    makerRate: inputDecimal('makerFeeRate', options.makerFeeRate ?? '0.004'),
    takerRate: inputDecimal('takerFeeRate', options.takerFeeRate ?? '0.006'),
    paidIn: 'quote',
    // Coinbase prints commissions exactly (0.03136 on a 3.92 fill at 0.8%): no rounding.
    round: (d) => d,
  });
  const faultPlan = new FaultPlan<FakeRequest>('Fake Coinbase');
  const gate = new BackoffGate(now);
  const log = new RequestLog<FakeRequest>();
  const l2Gaps = new SequenceGaps();
  const userShuffle = new ReportShuffle();
  let userDown = false;
  const books = new Map<string, LevelBook>();
  const bookOf = (id: string): LevelBook => {
    let b = books.get(id);
    if (b === undefined) {
      b = new LevelBook();
      books.set(id, b);
    }
    return b;
  };
  const recent = new Map<string, PrintedTrade[]>();
  const candleStore = new CandleStore();
  const current = new Map<string, Candle>();
  const servers: ChannelServer[] = [];
  const engine = new MatchingEngine({ ledger, fees, now, emit: (changed) => {
      if (userDown) return;
      const batch = ChannelServer.userBatch(changed, userShuffle);
      for (const s of servers) s.userUpdate(batch);
    },
  });
  const tickerOf = (id: string): Record<string, unknown> | undefined => {
    const last = engine.lastPrice(id);
    const bid = engine.bestBid(id) ?? bookOf(id).best('bid')?.[0];
    const ask = engine.bestAsk(id) ?? bookOf(id).best('ask')?.[0];
    if (last === undefined && bid === undefined) return undefined;
    const sizeAt = (side: 'bid' | 'ask'): string => bookOf(id).best(side)?.[1].toString() ?? '0';
    return {
      type: 'ticker',
      product_id: id,
      price: last?.toString() ?? '',
      volume_24_h: '0',
      low_24_h: '0',
      high_24_h: '0',
      low_52_w: '0',
      high_52_w: '0',
      price_percent_chg_24_h: '0',
      best_bid: bid?.toString() ?? '',
      best_bid_quantity: quotes.get(id)?.bidSize ?? sizeAt('bid'),
      best_ask: ask?.toString() ?? '',
      best_ask_quantity: quotes.get(id)?.askSize ?? sizeAt('ask'),
    };
  };
  const quotes = new Map<string, { bidSize: string; askSize: string }>();
  const channelOptions = {
    keys,
    now,
    knownProduct: (id: string) => products.has(id),
    openOrders: () => engine.orders().filter((o) => o.status === 'OPEN'),
    book: bookOf,
    ticker: tickerOf,
    recentTrades: (id: string) => recent.get(id) ?? [],
    currentCandle: (id: string) => current.get(id),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
    subscribeTimeoutMs: options.subscribeTimeoutMs ?? 5000,
    l2Gaps,
    userDown: () => userDown,
  };
  const market = new ChannelServer({ ...channelOptions, path: '/ws' });
  const user = new ChannelServer({ ...channelOptions, path: '/ws-user' });
  servers.push(market, user);
  let host = '';
  let hold: (res: ServerResponse) => void = () => {};
  const rest = createRest({
    engine,
    products,
    ledger,
    candles: candleStore,
    keys,
    uriHosts: () => [host, ...(options.uriHosts ?? [])],
    faults: faultPlan,
    gate,
    privateLimit: new SlidingWindowCounter(now, 1000, options.privateRatePerSec ?? 30),
    publicLimit: new SlidingWindowCounter(now, 1000, options.publicRatePerSec ?? 10),
    log,
    now,
    hold: (res) => hold(res),
    permissions: { canView: true, canTrade: true, canTransfer: false, ...options.permissions },
  });
  const server = await startLoopbackServer({ onRequest: rest, upgrades: [market.endpoint, user.endpoint] });
  hold = server.hold;
  host = `127.0.0.1:${server.port}`;
  // GTD expiries are sent when due, not only when the next request arrives.
  const expiry = setInterval(() => engine.expireDue(), 100);
  expiry.unref();

  const listed = (id: string): Product => {
    const p = products.get(id);
    if (p === undefined) throw new AutotraderError('INSTRUMENT_UNKNOWN', `Fake Coinbase does not list ${JSON.stringify(id)}; list it in options.products (e.g. BTC-USD).`);
    return p;
  };
  return {
    restUrl: server.httpUrl,
    wsUrl: `${server.wsUrl}/ws`,
    wsUserUrl: `${server.wsUrl}/ws-user`,
    host,
    now,
    close: async () => {
      clearInterval(expiry);
      market.close();
      user.close();
      await server.close();
    },
    trade(productId, price, size, side = 'BUY') {
      const p = listed(productId);
      const px = inputDecimal('trade price', price);
      const sz = inputDecimal('trade size', size);
      const t: PrintedTrade = { tradeId: randomUUID(), productId, price: px, size: sz, side, time: now() };
      const list = recent.get(productId) ?? [];
      list.push(t);
      if (list.length > 50) list.shift();
      recent.set(productId, list);
      const candle = candleStore.addTrade(productId, t.time, px, sz);
      current.set(productId, candle);
      engine.trade(p, px, sz);
      for (const s of servers) s.tradePrinted(t, candle);
    },
    quote(productId, bid, bidSize, ask, askSize) {
      listed(productId);
      engine.quote(productId, inputDecimal('bid', bid), inputDecimal('bid size', bidSize), inputDecimal('ask', ask), inputDecimal('ask size', askSize));
      quotes.set(productId, { bidSize, askSize });
      for (const s of servers) s.tickerUpdate(productId);
    },
    book(productId, bids, asks) {
      listed(productId);
      const b = bookOf(productId);
      const changes = [
        ...bids.map(([px, sz]) => ({ side: 'bid' as const, price: inputDecimal('bid price', px), size: inputDecimal('bid size', sz) })),
        ...asks.map(([px, sz]) => ({ side: 'offer' as const, price: inputDecimal('ask price', px), size: inputDecimal('ask size', sz) })),
      ];
      for (const c of changes) b.set(c.side === 'bid' ? 'bid' : 'ask', c.price, c.size);
      for (const s of servers) s.bookUpdate(productId, changes);
    },
    candles(productId, granularity, rows) {
      listed(productId);
      if (candleStore.granularitySeconds(granularity) === undefined) throw new AutotraderError('CONFIG_INVALID', `Fake Coinbase: unknown granularity ${granularity}.`);
      candleStore.put(productId, granularity, rows);
    },
    setProductStatus(productId, status) {
      listed(productId).status = status;
    },
    orders: () => engine.orders().map(toFakeOrder),
    balances() {
      const out: Record<string, { available: string; hold: string }> = {};
      for (const c of ledger.assets()) out[c] = { available: ledger.free(c).toString(), hold: ledger.locked(c).toString() };
      return out;
    },
    requests: () => log.list(),
    bans: () => gate.banCount,
    faults: {
      rateLimit: (count, o) => faultPlan.rateLimit(count, o),
      serverError: (count, status = 503, o = {}) => faultPlan.serverError(count, status, o),
      acceptThenTimeout: (count, target = ORDER_CREATION) => faultPlan.acceptThenTimeout(count, target),
      dropRequest: (count, target) => faultPlan.dropRequest(count, target),
      delayAck: (count, delayMs, target = ORDER_CREATION) => faultPlan.delayAck(count, delayMs, target),
      delayResponses: (ms) => faultPlan.delayResponses(ms),
      dropSockets: () => market.endpoint.dropAll() + user.endpoint.dropAll(),
      refuseConnections: (refuse) => server.refuseUpgrades(refuse ? 503 : undefined),
      malformedFrame: (channel) => market.malformed('{"channel":', channel) + user.malformed('{"channel":', channel),
      duplicateUserUpdates: (times = 1) => userShuffle.arm(times),
      level2Gap: (ids = 10) => l2Gaps.arm(ids),
      userChannelDown(down) {
        userDown = down;
        if (down) {
          market.dropUserSockets();
          user.dropUserSockets();
        }
      },
      skewClock: (ms) => clock.skew(ms),
    },
  };
}

/** An RFC 3339 time as the fake prints it (for tests comparing timestamps). */
export const formatTime = rfc3339;
