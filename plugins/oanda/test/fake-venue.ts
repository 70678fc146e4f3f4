/**
 * A fake OANDA v20 venue on 127.0.0.1: the REST host (`restUrl` + `/v3/...`) and the streaming host
 * (`streamUrl`: pricing and transaction streams, chunked HTTP with one JSON object per line), on two
 * ports, speaking v20's wire protocol as published in v20.json and captured by oandapyV20 (fixtures/).
 * Spread-based dealing without commission, netting and hedging accounts, home-currency conversion,
 * margin and margin closeout, financing, and the faults of {@link FakeOandaFaults}.
 *
 * ```ts
 * const venue = await startFakeOanda();
 * venue.price('EUR_USD', [['1.10000', '1000000']], [['1.10010', '1000000']]);
 * // point the plugin at venue.restUrl / venue.streamUrl with PRACTICE_TOKEN and NETTING_ACCOUNT_ID
 * await venue.close();
 * ```
 *
 * Behaviour and the choices made where OANDA's documentation is silent: fake/README.md.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { AutotraderError, Decimal } from '@autotrader/core';
import { BackoffGate, FaultPlan, SlidingWindowCounter, startLoopbackServer, type FakeRequest } from '@autotrader/testkit/fake-venue';
import { Account, figures, orderJson, positionInstruments, positionJson, tradeJson, type FakeOandaAccountSpec } from './fake/account';
import { CandleStore, type FakeCandle } from './fake/candles';
import { Dealer } from './fake/dealing';
import { DEFAULT_INSTRUMENTS, Market, toInstruments, type FakeOandaInstrumentSpec, type Level } from './fake/instruments';
import { toWire } from './fake/json';
import { createHosts, type LoggedRequest } from './fake/rest';
import { StreamHub } from './fake/streams';
import { decimalInput, money, nanosAt } from './fake/wire';

export { DEFAULT_INSTRUMENTS, type FakeOandaInstrumentSpec } from './fake/instruments';
export type { FakeOandaAccountSpec } from './fake/account';
export type { FakeCandle } from './fake/candles';
export type { LoggedRequest } from './fake/rest';
export { CONNECTION_RATE_LIMITED, FORBIDDEN, RATE_LIMITED, TOO_MANY_STREAMS, UNAUTHORIZED } from './fake/rest';
export { MALFORMED_LINE, PRICE_SPACING_MS } from './fake/streams';
export { MAX_CANDLES } from './fake/candles';

/** A made-up practice-environment token (not a credential). */
export const PRACTICE_TOKEN = 'f4k3p7ac71c3000000000000000000ab-f4k3p7ac71c3000000000000000000cd';
/** A made-up live-environment token (not a credential). */
export const LIVE_TOKEN = 'f4k3l1v3000000000000000000000000ab-f4k3l1v3000000000000000000000000cd';
/** The netting (non-hedging) account of the defaults: the account id of the oandapyV20 captures. */
export const NETTING_ACCOUNT_ID = '101-004-1435156-001';
/** The hedging account of the defaults (the captures' second account). */
export const HEDGING_ACCOUNT_ID = '101-004-1435156-002';

/** How to start the fake. Every field is optional. */
export interface FakeOandaOptions {
  /** Which host this fake is; a token of the other environment gets 401 {@link UNAUTHORIZED}. Default practice. */
  environment?: 'practice' | 'live';
  /** Default: {@link NETTING_ACCOUNT_ID} and {@link HEDGING_ACCOUNT_ID}, USD, 100000, owned by this environment's token. */
  accounts?: FakeOandaAccountSpec[];
  /** Default {@link DEFAULT_INSTRUMENTS}: EUR_USD, USD_JPY, EUR_GBP, GBP_USD. */
  instruments?: FakeOandaInstrumentSpec[];
  /** The venue's clock (epoch ms); default Date.now. `skewClock` moves it. */
  now?: () => number;
  /** HEARTBEAT interval of both streams; default 5000 ms. */
  heartbeatMs?: number;
  /** Margin closeout when NAV < closeoutRatio × margin used; default '0.5'. */
  closeoutRatio?: string;
  /** OANDA's limits, lowered or raised for a test: REST requests/s (120), open streams (20), new connections/s per host (2). */
  limits?: { restPerSecond?: number; streams?: number; newConnectionsPerSecond?: number };
}

/** Faults a test can inject. */
export interface FakeOandaFaults {
  /** The next `count` REST requests get 429 {@link RATE_LIMITED} (no Retry-After: OANDA documents none). */
  rateLimit(count: number): void;
  /** The next `count` REST requests get `status` (default 503) with `{"errorMessage"}`, unprocessed. */
  serverError(count: number, status?: number): void;
  /** The next `count` order-changing REST requests (POST/PUT) are acted on and never answered. */
  acceptThenTimeout(count: number): void;
  /** While on, streams stay open and send nothing (no heartbeats). */
  stallStreams(on: boolean): void;
  /** While on, each stream line is written in 2–3 chunks cut mid-line, chunks holding parts of several lines. */
  splitLines(on: boolean): void;
  /** Destroys every open stream's connection; returns how many. */
  dropStreams(): number;
  /** The next `times` transactions (default 1) are each sent twice on the transaction streams. */
  duplicateTransactions(times?: number): void;
  /** While on, transactions are not pushed on the streams (only /sinceid has them); heartbeats carry the real lastTransactionID. */
  transactionGap(on: boolean): void;
  /** Moves the venue's clock by `ms` (cumulative). */
  skewClock(ms: number): void;
  /** Writes a line that is not JSON ({@link MALFORMED_LINE}) on every open stream. */
  malformedLine(): void;
}

/** An account's figures as `account()` reports them (wire strings). */
export interface FakeOandaAccountView {
  balance: string;
  NAV: string;
  unrealizedPL: string;
  marginUsed: string;
  marginAvailable: string;
  financing: string;
  pl: string;
  lastTransactionID: string;
  positions: unknown[];
  trades: unknown[];
}

/** A running fake. */
export interface FakeOanda {
  /** `http://127.0.0.1:<port>` (REST; paths start with /v3). */
  readonly restUrl: string;
  /** `http://127.0.0.1:<port2>` (streams). */
  readonly streamUrl: string;
  readonly faults: FakeOandaFaults;
  close(): Promise<void>;
  /** The venue's clock, epoch ms. */
  now(): number;
  /** Sets a price (levels best first): PRICE lines on pricing streams, resting orders triggered, positions marked (margin, closeout). */
  price(instrument: string, bids: [price: string, liquidity: string][], asks: [string, string][]): void;
  /** Loads candles for GET .../candles (`time` in epoch ms). */
  candles(instrument: string, granularity: string, rows: FakeCandle[], component?: 'M' | 'B' | 'A'): void;
  account(id: string): FakeOandaAccountView;
  /** Every order of the account (v20 Order JSON, RFC3339 times) with `fills`: its ORDER_FILL transactions. */
  orders(id: string): unknown[];
  /** The account's transaction log, id order (RFC3339 times). */
  transactions(id: string): unknown[];
  /** Every request received on both hosts, oldest first. */
  requests(): LoggedRequest[];
  /** A DAILY_FINANCING transaction (amounts per instrument in the account currency; default see README), pushed on the transaction stream. */
  applyFinancing(id: string, amountsByInstrument?: Record<string, string>): void;
}

function dec(what: string, v: string, signed = false): Decimal {
  const d = decimalInput(v, signed);
  if (d === undefined) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: ${what} must be a decimal string like "1.10000", got ${JSON.stringify(v)}.`);
  return d;
}

/** Starts a fake OANDA (REST and stream hosts) on 127.0.0.1, free ports. */
export async function startFakeOanda(options: FakeOandaOptions = {}): Promise<FakeOanda> {
  const environment = options.environment ?? 'practice';
  const token = environment === 'practice' ? PRACTICE_TOKEN : LIVE_TOKEN;
  let skew = 0;
  const base = options.now ?? Date.now;
  const nowMs = (): number => base() + skew;
  const instruments = toInstruments(options.instruments ?? DEFAULT_INSTRUMENTS);
  const market = new Market(instruments, nowMs);
  const closeoutRatio = dec('closeoutRatio', options.closeoutRatio ?? '0.5');
  const accounts = new Map<string, Account>();
  const specs: FakeOandaAccountSpec[] = options.accounts ?? [
    { id: NETTING_ACCOUNT_ID, currency: 'USD', balance: '100000', hedging: false },
    { id: HEDGING_ACCOUNT_ID, currency: 'USD', balance: '100000', hedging: true },
  ];
  const streams = new StreamHub({ nowMs, heartbeatMs: options.heartbeatMs ?? 5000 });
  const dealer = new Dealer({ market, nowMs, closeoutRatio, emit: (a, txs) => streams.transactions(a, txs) });
  for (const s of specs) {
    if (!/^\d+-\d+-\d+-\d+$/.test(s.id)) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: account id ${JSON.stringify(s.id)} is not "{siteID}-{divisionID}-{userID}-{accountNumber}".`);
    if (accounts.has(s.id)) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: account ${s.id} is listed twice.`);
    const a = new Account(s, dec(`balance of ${s.id}`, s.balance), dec(`marginRate of ${s.id}`, s.marginRate ?? '0.02'), s.tokens ?? [token], nanosAt(nowMs()));
    const time = a.createdTime;
    const common = { time, userID: a.userID, accountID: a.id, requestID: dealer.requestId() };
    const [site, division, user, number] = s.id.split('-');
    a.append({ id: '1', batchID: '1', ...common, type: 'CREATE', divisionID: Number(division), siteID: Number(site), accountUserID: Number(user), accountNumber: Number(number), homeCurrency: s.currency });
    a.append({ id: '2', batchID: '2', ...common, type: 'TRANSFER_FUNDS', amount: money(a.balance), fundingReason: 'CLIENT_FUNDING', accountBalance: money(a.balance) });
    accounts.set(s.id, a);
  }
  const limits = { restPerSecond: 120, streams: 20, newConnectionsPerSecond: 2, ...options.limits };
  const faultPlan = new FaultPlan<FakeRequest>('Fake OANDA');
  let hold: (res: ServerResponse) => void = () => {};
  const log: LoggedRequest[] = [];
  const candleStore = new CandleStore();
  const hosts = createHosts({
    environmentToken: token,
    accounts,
    market,
    dealer,
    candles: candleStore,
    streams,
    closeoutRatio,
    faults: faultPlan,
    gate: new BackoffGate(nowMs),
    restLimit: new SlidingWindowCounter(nowMs, 1000, limits.restPerSecond),
    maxStreams: limits.streams,
    newConnections: {
      rest: new SlidingWindowCounter(nowMs, 1000, limits.newConnectionsPerSecond),
      stream: new SlidingWindowCounter(nowMs, 1000, limits.newConnectionsPerSecond),
    },
    log,
    nowMs,
    hold: (res) => hold(res),
  });
  const restServer = await startLoopbackServer({ onRequest: hosts.rest });
  const streamServer = await startLoopbackServer({ onRequest: hosts.stream });
  hold = restServer.hold;
  // GTD and GFD expiries happen when due, not only when the next price arrives.
  const expiry = setInterval(() => dealer.expireDue(accounts.values()), 100);
  expiry.unref();

  const accountOf = (id: string): Account => {
    const a = accounts.get(id);
    if (a === undefined) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA has no account ${JSON.stringify(id)}; its accounts: ${[...accounts.keys()].join(', ')}.`);
    return a;
  };
  const levels = (what: string, rows: [string, string][]): Level[] =>
    rows.map(([p, l]) => {
      const liquidity = Number(l);
      if (!Number.isSafeInteger(liquidity) || liquidity <= 0) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: ${what} liquidity must be a whole number of units > 0 (v20 PriceBucket.liquidity is an integer), got ${JSON.stringify(l)}.`);
      return { price: dec(`${what} price`, p), liquidity };
    });

  return {
    restUrl: restServer.httpUrl,
    streamUrl: streamServer.httpUrl,
    now: nowMs,
    async close() {
      clearInterval(expiry);
      streams.close();
      await Promise.all([restServer.close(), streamServer.close()]);
    },
    price(instrument, bids, asks) {
      if (!instruments.has(instrument)) throw new AutotraderError('INSTRUMENT_UNKNOWN', `Fake OANDA does not list ${JSON.stringify(instrument)}; list it in options.instruments.`);
      market.set(instrument, levels('bid', bids), levels('ask', asks));
      streams.price(instrument, (a) => hosts.priceView(a, instrument));
      dealer.onPrice(accounts.values(), instrument);
    },
    candles(instrument, granularity, rows, component = 'M') {
      if (!instruments.has(instrument)) throw new AutotraderError('INSTRUMENT_UNKNOWN', `Fake OANDA does not list ${JSON.stringify(instrument)}.`);
      candleStore.put(instrument, granularity, rows, component);
    },
    account(id) {
      const a = accountOf(id);
      const f = figures(a, market, closeoutRatio);
      return {
        balance: money(a.balance),
        NAV: money(f.NAV),
        unrealizedPL: money(f.unrealizedPL),
        marginUsed: money(f.marginUsed),
        marginAvailable: money(f.marginAvailable),
        financing: money(a.financing),
        pl: money(a.pl),
        lastTransactionID: a.lastTransactionID,
        positions: toWire(positionInstruments(a, true).map((i) => positionJson(a, market, i)), 'RFC3339') as unknown[],
        trades: toWire(a.openTrades().map((t) => tradeJson(a, market, t)), 'RFC3339') as unknown[],
      };
    },
    orders(id) {
      const a = accountOf(id);
      return [...a.orders.values()]
        .sort((x, y) => Number(x.id) - Number(y.id))
        .map((o) => toWire({ ...orderJson(o, market), fills: o.fills.map((f) => a.transactions.find((t) => t.id === f)) }, 'RFC3339'));
    },
    transactions: (id) => toWire(accountOf(id).transactions, 'RFC3339') as unknown[],
    requests: () => log.map((r) => ({ ...r, headers: { ...r.headers } })),
    applyFinancing(id, amounts) {
      if (amounts !== undefined) for (const [i, v] of Object.entries(amounts)) dec(`financing of ${i}`, v, true);
      dealer.applyFinancing(accountOf(id), amounts);
    },
    faults: {
      rateLimit: (count) => faultPlan.rateLimit(count, { target: (r) => r.transport.startsWith('rest') }),
      serverError: (count, status = 503) => faultPlan.serverError(count, status),
      acceptThenTimeout: (count) => faultPlan.acceptThenTimeout(count, (r) => r.transport === 'rest-order'),
      stallStreams: (on) => streams.stall(on),
      splitLines: (on) => streams.splitLines(on),
      dropStreams: () => streams.dropAll(),
      duplicateTransactions: (times = 1) => {
        if (!Number.isInteger(times) || times < 1) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: duplicateTransactions takes a whole number >= 1, got ${times}.`);
        streams.duplicate(times);
      },
      transactionGap: (on) => streams.transactionGap(on),
      skewClock: (ms) => {
        if (!Number.isFinite(ms)) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: clock skew must be a finite number of ms, got ${ms}.`);
        skew += ms;
      },
      malformedLine: () => streams.malformed(),
    },
  };
}
