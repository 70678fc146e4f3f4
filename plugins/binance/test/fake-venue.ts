/**
 * A fake Binance Spot venue on 127.0.0.1: a real HTTP + WebSocket server speaking Binance's wire
 * protocol (REST `/api/v3/...`, WebSocket API `/ws-api/v3`, market streams `/ws` and `/stream`),
 * with verified HMAC signatures, Binance's error codes, request weights and rate limits, a matching
 * engine for our orders driven by market data the test publishes, and injectable faults.
 *
 * ```ts
 * const venue = await startFakeBinance();
 * venue.bookTicker('BTCUSDT', '50000', '1', '50001', '1');
 * // point the plugin at venue.restUrl / venue.wsApiUrl / venue.streamUrl, with FAKE_API_KEY / FAKE_API_SECRET
 * venue.trade('BTCUSDT', '50000', '0.5');
 * await venue.close();
 * ```
 *
 * Behaviour and the choices made where Binance's documentation is silent: see test/fake/README.md.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { AutotraderError, type Decimal } from '@autotrader/core';
import { VenueClock, startLoopbackServer } from '@autotrader/testkit/fake-venue';
import { MatchingEngine, type MarketFillRule } from './fake/engine';
import { FeeSchedule, type FeeOptions } from './fake/fees';
import { ANY_REQUEST, ORDER_PLACEMENT, createFaultState, type FakeRequest, type RequestMatcher } from './fake/faults';
import { inputDecimal, wire } from './fake/format';
import { Gateway } from './fake/gateway';
import { createLedger, takeAccountPosition, wireBalances } from './fake/ledger';
import { RateLimiter } from './fake/limits';
import { MarketData, type KlineInput } from './fake/market-data';
import { MarketStreams } from './fake/market-streams';
import { createOperations } from './fake/operations';
import type { FakeOrderStatus, FakeOrderType, FakeTimeInForce, OrderRecord, Side } from './fake/orders';
import { createRestHandler } from './fake/rest';
import { DEFAULT_SYMBOLS, toRules, type FakeSymbolSpec, type SymbolRules } from './fake/symbols';
import { WS_API_PATH, WsApi } from './fake/ws-api';

export { ANY_REQUEST, ORDER_PLACEMENT, type FakeRequest, type RequestMatcher } from './fake/faults';
export { DEFAULT_SYMBOLS, type FakeSymbolSpec, type NotionalFilterName } from './fake/symbols';
export type { MarketFillRule } from './fake/engine';
export type { FeeOptions } from './fake/fees';
export type { KlineInput } from './fake/market-data';
export type { FakeOrderStatus, FakeOrderType, FakeTimeInForce, Side } from './fake/orders';
export { hmacSha256Hex, restSignaturePayload, wsApiSignaturePayload } from './fake/signing';

/**
 * The API key the fake accepts by default: the example key of Binance's own documentation
 * (rest-api.md "SIGNED Endpoint Examples"), not a real credential.
 */
export const FAKE_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
/** The HMAC secret the fake accepts by default: the documentation's example secret (signature vectors B1–B5). */
export const FAKE_API_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

/** The balances an account starts with unless told otherwise. */
export const DEFAULT_BALANCES: Readonly<Record<string, string>> = { USDT: '100000', BTC: '1', ETH: '10' };

/** The account's `uid` (GET /api/v3/account) unless told otherwise: the documentation's example uid. */
export const DEFAULT_ACCOUNT_UID = 354937868;

/**
 * How to start a fake venue. Every field is optional. Fees ({@link FeeOptions}): maker/taker rates
 * of the amount received, taken from the asset received (a buy pays in the base asset, a sell in the
 * quote asset), or in BNB at a discount with `payFeesInBnb`.
 */
export interface FakeBinanceOptions extends FeeOptions {
  /** Default {@link FAKE_API_KEY}. */
  readonly apiKey?: string;
  /** Default {@link FAKE_API_SECRET}. */
  readonly apiSecret?: string;
  /** Default {@link DEFAULT_SYMBOLS}: BTCUSDT (tick 0.01, step 0.00001, minQty 0.00001, minNotional 5) and ETHUSDT. */
  readonly symbols?: readonly FakeSymbolSpec[];
  /** Free balance per asset; default {@link DEFAULT_BALANCES}. Assets of listed symbols start at 0. */
  readonly balances?: Readonly<Record<string, string>>;
  /** Market orders fill at once at the last trade ('last-trade', default) or at the next trade printed ('next-trade'). */
  readonly marketFillRule?: MarketFillRule;
  /** Server clock = Date.now() + this (to provoke -1021). Default 0. */
  readonly clockOffsetMs?: number;
  /** REQUEST_WEIGHT limit per minute; default 6000. */
  readonly weightLimitPerMinute?: number;
  /** ORDERS limit per 10 seconds; default 50. */
  readonly orderLimitPer10s?: number;
  /** ORDERS limit per day; default 160000. */
  readonly orderLimitPerDay?: number;
  /** `uid` of GET /api/v3/account; default {@link DEFAULT_ACCOUNT_UID}. */
  readonly accountUid?: number;
  /** Server ping interval on every WebSocket; default 20000 (Binance's). */
  readonly pingIntervalMs?: number;
  /** A WebSocket that has not answered a ping with a pong for this long is dropped; default 60000. */
  readonly pongTimeoutMs?: number;
}

/** One execution of an order, as {@link FakeBinance.orders} reports it. */
export interface FakeFill {
  readonly tradeId: number;
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  readonly time: number;
}

/** An order the venue accepted, with its state at the time of the call. */
export interface FakeOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: FakeOrderType;
  readonly timeInForce: FakeTimeInForce;
  /** "0.00000000" for market orders. */
  readonly price: string;
  readonly origQty: string;
  readonly origQuoteOrderQty: string;
  readonly executedQty: string;
  readonly cummulativeQuoteQty: string;
  readonly status: FakeOrderStatus;
  readonly time: number;
  readonly updateTime: number;
  readonly fills: readonly FakeFill[];
}

/** A REST or WebSocket API request the venue received (`signature` removed; WebSocket API: method `WS`, path = method name). */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  /** Wall-clock receive time, epoch ms. */
  readonly at: number;
}

/** Options of the rate-limit fault. */
export interface RateLimitFaultOptions {
  /** Retry-After of each 429, seconds; default 1. */
  readonly retryAfterSec?: number;
  /** After a 429, this many more requests inside its Retry-After window still get 429; the next one gets 418 (ban). Default: never ban. */
  readonly escalateTo418AfterIgnored?: number;
  /** Length of the 418 ban, seconds; default 120 (Binance's shortest ban). */
  readonly banSec?: number;
  /** Which requests the 429s apply to; default every REST and WebSocket API request. */
  readonly target?: RequestMatcher;
}

/**
 * Injectable faults. Counted faults (rateLimit, serverError, acceptThenTimeout, dropRequest) are
 * consumed in the order they were armed, each by the requests its target matches.
 */
export interface FakeBinanceFaults {
  /** The next `count` requests get 429 -1003 with Retry-After; ignoring it can escalate to a 418 ban. */
  rateLimit(count: number, options?: RateLimitFaultOptions): void;
  /**
   * The next `count` requests get a 5xx (default 503, -1007; 500/502: -1001). They are NOT processed,
   * unless `options.processed`: then the venue acts first and answers the 5xx after (Binance's -1007
   * "execution status unknown" when the order was in fact placed).
   */
  serverError(count: number, status?: number, target?: RequestMatcher, options?: { readonly processed?: boolean }): void;
  /** The next `count` order placements (default target {@link ORDER_PLACEMENT}) are processed but never answered; the connection stays open. */
  acceptThenTimeout(count: number, target?: RequestMatcher): void;
  /** The next `count` requests are not processed and their connection is destroyed. */
  dropRequest(count: number, target?: RequestMatcher): void;
  /** Delays every later REST and WebSocket API response by `ms` (0 turns it off); processing is not delayed. */
  delayResponses(ms: number): void;
  /** Terminates every market-stream and WebSocket API connection now. */
  dropStreams(): void;
  /**
   * While `refuse` is true, new WebSocket connections (market streams and WebSocket API) are answered
   * 503 and closed: the venue is down for sockets, so clients keep retrying. Open ones are untouched
   * (drop them with {@link dropStreams}); REST is served as usual.
   */
  refuseConnections(refuse: boolean): void;
  /** Sends now one bad frame: `stream`: not valid JSON, to every stream connection; `userData`: a schema-breaking event, to every user data subscription. Returns how many frames were sent. */
  malformedFrame(kind: 'stream' | 'userData'): number;
  /** The next action that produces execution reports sends each of them twice, with the first two swapped. */
  duplicateNextExecutionReports(): void;
  /** The next depthUpdate skips 10 update ids before its U. */
  skipDepthSequence(): void;
  /** Moves the server clock by `ms` (cumulative; negative moves it back). */
  skewClock(ms: number): void;
}

/** A running fake venue. */
export interface FakeBinance {
  /** `http://127.0.0.1:<port>`; REST paths are `/api/v3/...`. */
  readonly restUrl: string;
  /** `ws://127.0.0.1:<port>/ws-api/v3`. */
  readonly wsApiUrl: string;
  /** `ws://127.0.0.1:<port>`; connect to `/ws/<stream>` or `/stream?streams=a/b`. */
  readonly streamUrl: string;
  /** Stops the server and drops every connection. Safe to call twice. */
  close(): Promise<void>;
  /** The server clock, epoch ms. */
  now(): number;
  /** Prints a trade: `<sym>@trade` and `<sym>@aggTrade`, and fills resting orders it reaches. */
  trade(symbol: string, price: string, qty: string, buyerIsMaker?: boolean): void;
  /** Sets the best bid/ask: `<sym>@bookTicker`, REST bookTicker, and the touch crossing orders fill at. */
  bookTicker(symbol: string, bid: string, bidQty: string, ask: string, askQty: string): void;
  /** Publishes (and stores for GET /api/v3/klines) a kline on `<sym>@kline_<interval>`. */
  kline(symbol: string, interval: string, k: KlineInput): void;
  /** Applies a diff to the server-side book and publishes it on `@depth` / `@depth@100ms` (and `@depth5/10/20`). */
  depthUpdate(symbol: string, bids: [string, string][], asks: [string, string][]): void;
  /** Every order ever accepted. */
  orders(): FakeOrder[];
  /** Free and locked balance per asset. */
  balances(): Record<string, { free: string; locked: string }>;
  /**
   * A deposit credited to the account now (free balance): sends `balanceUpdate` (positive `d`) and then
   * `outboundAccountPosition` with the asset, to every user data subscription.
   */
  deposit(asset: string, amount: string): void;
  /**
   * A withdrawal taken from the free balance now: sends `balanceUpdate` (negative `d`) and then
   * `outboundAccountPosition`. More than the free balance is the test's mistake (CONFIG_INVALID).
   */
  withdraw(asset: string, amount: string): void;
  /** Every REST and WebSocket API request received, oldest first. */
  requests(): LoggedRequest[];
  /** How many 418 bans the venue has imposed since it started (a client that ignores Retry-After is banned). */
  bans(): number;
  readonly faults: FakeBinanceFaults;
}

function toFakeOrder(o: OrderRecord): FakeOrder {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: wire(o.price),
    origQty: wire(o.origQty),
    origQuoteOrderQty: wire(o.origQuoteOrderQty),
    executedQty: wire(o.executedQty),
    cummulativeQuoteQty: wire(o.cummulativeQuoteQty),
    status: o.status,
    time: o.time,
    updateTime: o.updateTime,
    fills: o.fills.map((f) => ({
      tradeId: f.tradeId,
      price: wire(f.price),
      qty: wire(f.qty),
      commission: wire(f.commission),
      commissionAsset: f.commissionAsset,
      isMaker: f.isMaker,
      time: f.time,
    })),
  };
}

function buildRules(specs: readonly FakeSymbolSpec[]): Map<string, SymbolRules> {
  const rules = new Map<string, SymbolRules>();
  for (const spec of specs) {
    if (rules.has(spec.symbol)) throw new AutotraderError('CONFIG_INVALID', `Fake Binance: symbol ${spec.symbol} is listed twice; list each symbol once.`);
    rules.set(spec.symbol, toRules(spec));
  }
  return rules;
}

/** Starts a fake venue on 127.0.0.1 on a free port. */
export async function startFakeBinance(options: FakeBinanceOptions = {}): Promise<FakeBinance> {
  const clock = new VenueClock(options.clockOffsetMs ?? 0);
  const now = clock.now;
  const rules = buildRules(options.symbols ?? DEFAULT_SYMBOLS);
  // Given balances first (in their order), then every other asset of a listed symbol at zero.
  const startBalances: Record<string, string> = { ...(options.balances ?? DEFAULT_BALANCES) };
  for (const r of rules.values()) for (const asset of [r.base, r.quote]) startBalances[asset] ??= '0';
  const ledger = createLedger(startBalances, now);
  const faults = createFaultState();
  const limiter = new RateLimiter(now, options.weightLimitPerMinute ?? 6000, options.orderLimitPer10s ?? 50, options.orderLimitPerDay ?? 160_000);
  const fees = new FeeSchedule(options, rules.values());
  const accountUid = options.accountUid ?? DEFAULT_ACCOUNT_UID;
  if (!Number.isSafeInteger(accountUid) || accountUid <= 0) throw new AutotraderError('CONFIG_INVALID', `Fake Binance: accountUid must be a positive whole number, got ${accountUid}.`);
  let wsApi: WsApi | undefined;
  const engine = new MatchingEngine({
    rules,
    ledger,
    now,
    marketFillRule: options.marketFillRule ?? 'last-trade',
    fees,
    emit: (batch) => wsApi?.pushUserEvents(batch),
  });
  const market = new MarketData(now);
  const gateway = new Gateway({
    operations: createOperations({ engine, market, ledger, limiter, rules, now, fees, accountUid }),
    faults: faults.requests,
    limiter,
    apiKey: options.apiKey ?? FAKE_API_KEY,
    apiSecret: options.apiSecret ?? FAKE_API_SECRET,
    now,
  });
  const heartbeat = { intervalMs: options.pingIntervalMs ?? 20_000, pongTimeoutMs: options.pongTimeoutMs ?? 60_000 };
  const api = new WsApi({ gateway, reports: faults.reports, limiter, heartbeat, now });
  wsApi = api;
  const streams = new MarketStreams(heartbeat);
  // The WebSocket API path first, then the market streams; anything else is 404.
  let hold: (res: ServerResponse) => void = () => {};
  const server = await startLoopbackServer({
    onRequest: createRestHandler({ gateway, limiter, hold: (res) => hold(res) }),
    upgrades: [api.endpoint, streams.endpoint],
  });
  hold = server.hold;
  const port = server.port;

  const listed = (symbol: string): void => {
    if (!rules.has(symbol)) {
      throw new AutotraderError('INSTRUMENT_UNKNOWN', `Fake Binance does not list ${JSON.stringify(symbol)}; list it in options.symbols (upper case, e.g. BTCUSDT).`);
    }
  };
  /** Books a deposit (positive) or withdrawal (negative) and reports it as Binance does. */
  const transfer = (asset: string, delta: Decimal): void => {
    if (!/^[A-Z0-9]+$/.test(asset)) throw new AutotraderError('CONFIG_INVALID', `Fake Binance: asset ${JSON.stringify(asset)} must be upper case letters and digits, like BTC.`);
    if (delta.isZero()) throw new AutotraderError('CONFIG_INVALID', `Fake Binance: a deposit or withdrawal of ${asset} must be above 0.`);
    if (delta.isNeg() && ledger.free(asset).lt(delta.neg())) {
      throw new AutotraderError('CONFIG_INVALID', `Fake Binance: cannot withdraw ${wire(delta.neg())} ${asset}: only ${wire(ledger.free(asset))} is free.`);
    }
    if (delta.isNeg()) ledger.spendFree(asset, delta.neg());
    else ledger.credit(asset, delta);
    const at = now();
    const position = takeAccountPosition(ledger, at);
    api.pushUserEvents([{ e: 'balanceUpdate', E: at, a: asset, d: wire(delta), T: at }, ...(position ? [position] : [])]);
  };
  return {
    restUrl: `http://127.0.0.1:${port}`,
    wsApiUrl: `ws://127.0.0.1:${port}${WS_API_PATH}`,
    streamUrl: `ws://127.0.0.1:${port}`,
    now,
    close: () => server.close(),
    trade(symbol, price, qty, buyerIsMaker = false) {
      listed(symbol);
      const p = inputDecimal('trade price', price);
      const q = inputDecimal('trade quantity', qty);
      streams.publish(market.trade(symbol, engine.nextTradeId(symbol), p, q, buyerIsMaker));
      engine.onTrade(symbol, p, q);
    },
    bookTicker(symbol, bid, bidQty, ask, askQty) {
      listed(symbol);
      const b = inputDecimal('bid', bid);
      const bq = inputDecimal('bid quantity', bidQty);
      const a = inputDecimal('ask', ask);
      const aq = inputDecimal('ask quantity', askQty);
      streams.publish(market.bookTicker(symbol, b, bq, a, aq));
      engine.onQuote(symbol, b, bq, a, aq);
    },
    kline(symbol, interval, k) {
      listed(symbol);
      streams.publish(market.kline(symbol, interval, k));
    },
    depthUpdate(symbol, bids, asks) {
      listed(symbol);
      streams.publish(market.depthUpdate(symbol, bids, asks, faults.depthGaps.take()));
    },
    orders: () => engine.orders().map(toFakeOrder),
    balances: () => wireBalances(ledger),
    deposit(asset, amount) {
      transfer(asset, inputDecimal('deposit amount', amount));
    },
    withdraw(asset, amount) {
      transfer(asset, inputDecimal('withdrawal amount', amount).neg());
    },
    requests: () => gateway.requests(),
    bans: () => limiter.gate.banCount,
    faults: {
      rateLimit(count, o = {}) {
        faults.requests.rateLimit(count, {
          target: o.target ?? ANY_REQUEST,
          retryAfterSec: o.retryAfterSec,
          escalateAfterIgnored: o.escalateTo418AfterIgnored,
          banSec: o.banSec,
        });
      },
      serverError(count, status = 503, target = ANY_REQUEST, o = {}) {
        faults.requests.serverError(count, status, { target, processed: o.processed });
      },
      acceptThenTimeout(count, target = ORDER_PLACEMENT) {
        faults.requests.acceptThenTimeout(count, target);
      },
      dropRequest(count, target = ANY_REQUEST) {
        faults.requests.dropRequest(count, target);
      },
      delayResponses(ms) {
        faults.requests.delayResponses(ms);
      },
      dropStreams() {
        streams.dropAll();
        api.dropAll();
      },
      refuseConnections(refuse) {
        server.refuseUpgrades(refuse ? 503 : undefined);
      },
      malformedFrame(kind) {
        return kind === 'stream' ? streams.sendMalformed() : api.sendMalformedUserData();
      },
      duplicateNextExecutionReports() {
        faults.reports.arm();
      },
      skipDepthSequence() {
        faults.depthGaps.arm(10);
      },
      skewClock(ms) {
        clock.skew(ms);
      },
    },
  };
}
