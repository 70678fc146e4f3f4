/**
 * A fake OKX v5 venue on 127.0.0.1: signed REST under `/api/v5` (demo or live by the
 * `x-simulated-trading` header, each environment with its own keys, ledger and orders), the
 * public, private and business WebSockets of both environments, spot matching (`tdMode: cash`)
 * against the book and printed trades with fees in the asset received, amend and cancel as OKX
 * documents them, OKX's per-endpoint rate limits, and every fault of the agreed interface.
 *
 * ```ts
 * const venue = await startFakeOkx();
 * venue.book('BTC-USDT', [['50000', '1']], [['50001', '1']]);
 * // point the plugin at venue.restUrl and venue.demo.ws*Url with DEMO_KEY
 * venue.trade('BTC-USDT', '50000', '0.5', 'sell');
 * await venue.close();
 * ```
 *
 * Behaviour, sources, and the choices made where OKX's documentation is silent: fake/README.md.
 * @module
 */
import { AutotraderError, Decimal } from '@autotrader/core';
import { startLoopbackServer } from '@autotrader/testkit/fake-venue';
import { Account, type AccountEvent } from './fake/account';
import { Channels, socketPath, type SocketKind } from './fake/channels';
import { Gatekeeper } from './fake/gatekeeper';
import { DEFAULT_INSTRUMENTS, toInstrument, type FakeOkxInstrumentSpec, type Instrument } from './fake/instruments';
import { DEMO_KEY, LIVE_KEY, type FakeOkxKey } from './fake/keys';
import { BARS, Market, type CandleRow } from './fake/market';
import type { Environment, OkxOrder } from './fake/orders';
import { createRest, type LoggedRestRequest } from './fake/rest';
import { dec } from './fake/wire';

export { DEMO_KEY, LIVE_KEY, MAX_SKEW_MS, type FakeOkxKey } from './fake/keys';
export { DEFAULT_INSTRUMENTS, type FakeOkxInstrumentSpec } from './fake/instruments';
export { isoTimestamp, restSign, wsLoginSign, WS_LOGIN_PATH } from './fake/sign';
export { bookChecksum, checksumString } from './fake/checksum';
export { BACKOFF_SEC, BAN_SEC, IGNORED_BEFORE_BAN } from './fake/gatekeeper';
export type { LoggedRestRequest } from './fake/rest';

/** The place-order path. */
export const ORDER_PATH = '/api/v5/trade/order';

/** Balances each environment starts with unless told otherwise. */
export const DEFAULT_BALANCES: Readonly<Record<string, string>> = { USDT: '100000', BTC: '1', ETH: '10' };

/** How to start the fake. Every field is optional. */
export interface FakeOkxOptions {
  /** Default [DEMO_KEY, LIVE_KEY]. */
  keys?: FakeOkxKey[];
  /** Default BTC-USDT (tick 0.1, lot 0.00000001, min 0.00001) and ETH-USDT. */
  instruments?: FakeOkxInstrumentSpec[];
  /** The same starting balances in each environment; default {@link DEFAULT_BALANCES}. */
  balances?: Record<string, string>;
  /** Fee rates, default maker 0.0008 taker 0.001; charged in the asset received. */
  fees?: { maker: string; taker: string };
  /** The fake's clock (ms); default Date.now. */
  now?: () => number;
  /** A socket that sent nothing for this long is closed (OKX: 30 s); default 30_000. */
  idleMs?: number;
}

/** One fill, as {@link FakeOkx.orders} reports it. `fee` is what was charged (positive), in `feeCcy`. */
export interface FakeOkxFill {
  readonly tradeId: string;
  readonly px: string;
  readonly sz: string;
  readonly fee: string;
  readonly feeCcy: string;
  readonly execType: 'T' | 'M';
  readonly ts: number;
}

/** An order the venue accepted, as it is now. */
export interface FakeOkxOrder {
  readonly environment: Environment;
  readonly ordId: string;
  readonly clOrdId: string;
  readonly instId: string;
  readonly side: 'buy' | 'sell';
  readonly ordType: string;
  readonly tgtCcy: string;
  readonly state: string;
  readonly px: string;
  readonly sz: string;
  readonly accFillSz: string;
  readonly avgPx: string;
  /** Fees charged so far (positive), in `feeCcy`. */
  readonly fee: string;
  readonly feeCcy: string;
  readonly cancelSource: string;
  readonly fills: readonly FakeOkxFill[];
}

/** Faults a test can inject (see fake/README.md for what each does exactly). */
export interface FakeOkxFaults {
  /** The next `count` private requests: HTTP 429 `{"code":"50011","msg":"Too Many Requests","data":[]}`; asking 3 more times inside the 2 s back-off starts a 10 s ban. */
  rateLimit(count: number): void;
  /** The next `count` private requests are answered 50001 (HTTP 503) or 50013 (HTTP 429) and not processed. */
  busy(count: number, code?: '50001' | '50013'): void;
  /** The next `count` order operations (REST or WebSocket) are acted on, then the connection is destroyed (REST) or no reply is sent (WS). */
  acceptThenTimeout(count: number): void;
  /** The next `count` order operations are acted on and answered 50004. */
  endpointTimeout(count: number): void;
  /** Closes every public and business socket; returns how many. */
  dropPublicSockets(): number;
  /** Closes every private socket; returns how many. */
  dropPrivateSockets(): number;
  /** Every later orders/account/balance_and_position push is sent `times` extra times (0 stops it). */
  duplicatePrivatePushes(times?: number): void;
  /** While on, each orders push is held and sent after the next one (or 300 ms later if none follows). */
  reorderPrivatePushes(on: boolean): void;
  /** While on, orders pushes carry no `fillFee`/`fillFeeCcy`: a fill's fee is only the change of the running `fee`. */
  omitFillFee(on: boolean): void;
  /** The next books update of `instId` skips a seqId (its prevSeqId is not the last seqId). */
  bookGap(instId: string): void;
  /** The next books update of `instId` carries a wrong checksum. */
  badChecksum(instId: string): void;
  /** While on, every books frame carries checksum 0 (OKX's announced change). */
  zeroChecksums(on: boolean): void;
  /** Moves the fake's clock `ms` ahead (cumulative): OK-ACCESS-TIMESTAMPs more than 30 s off get 50102. */
  skewClock(ms: number): void;
  /** Whether a socket that sent nothing for `idleMs` is closed (on by default). */
  idleDisconnect(on: boolean): void;
  /** Sends a frame that is not valid JSON to every socket subscribed to `channel`. */
  malformedPush(channel: string): void;
  /** While true, WebSocket upgrades are answered HTTP 503. */
  refuseConnections(refuse: boolean): void;
}

/** WebSocket URLs of one environment. */
export interface FakeOkxSockets {
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
  readonly wsBusinessUrl: string;
}

/** A running fake. */
export interface FakeOkx {
  /** `http://127.0.0.1:<port>`: REST is under `/api/v5`; the environment is the `x-simulated-trading` header. */
  readonly restUrl: string;
  /** Like wss://wspap.okx.com:8443/ws/v5/... (paths under `/wspap`). */
  readonly demo: FakeOkxSockets;
  /** Like wss://ws.okx.com:8443/ws/v5/... */
  readonly live: FakeOkxSockets;
  readonly faults: FakeOkxFaults;
  close(): Promise<void>;
  /** The fake's clock, epoch ms. */
  now(): number;
  /** Sets the best bid and ask (and last): `tickers` in both environments; the touch takers fill at when the book is empty. */
  ticker(instId: string, bidPx: string, bidSz: string, askPx: string, askSz: string, last?: string): void;
  /** A market trade: `trades`; fills resting orders it reaches in both environments (makers, at their price, up to `sz`). */
  trade(instId: string, px: string, sz: string, side: 'buy' | 'sell'): void;
  /** Replaces every level of the book and pushes the difference as one `books` update. */
  book(instId: string, bids: [string, string][], asks: [string, string][]): void;
  /** Loads candles (history endpoints) and pushes each row on `candle<bar>`. */
  candles(instId: string, bar: string, rows: { ts: number; o: string; h: string; l: string; c: string; vol: string; confirm: boolean }[]): void;
  setInstrumentState(instId: string, state: string): void;
  /** Every order ever accepted (of one environment, or both), oldest first. */
  orders(environment?: Environment): FakeOkxOrder[];
  /** Balances per currency (default environment: demo). */
  balances(environment?: Environment): Record<string, { cashBal: string; availBal: string; frozenBal: string }>;
  requests(): { method: string; path: string; query: string; headers: Record<string, string>; body: string; at: number }[];
  /** Order ops received over the private sockets. */
  wsOps(): { op: string; id?: string; args: unknown[] }[];
  /** Credits `amount` of `ccy` in `environment`: pushes `account` and `balance_and_position`. */
  deposit(environment: Environment, ccy: string, amount: string): void;
  /** Bans imposed on clients that kept asking through an injected 429. */
  bans(): number;
}

function inputDecimal(what: string, text: string): Decimal {
  if (typeof text !== 'string' || !/^[0-9]+(\.[0-9]+)?$/.test(text)) throw new AutotraderError('CONFIG_INVALID', `Fake OKX: ${what} must be a decimal string like "123.45", got ${JSON.stringify(text)}.`);
  return new Decimal(text);
}

function toFakeOrder(o: OkxOrder): FakeOkxOrder {
  return {
    environment: o.env,
    ordId: o.ordId,
    clOrdId: o.clOrdId,
    instId: o.instId,
    side: o.side,
    ordType: o.ordType,
    tgtCcy: o.tgtCcy,
    state: o.state,
    px: o.px === undefined ? '' : dec(o.px),
    sz: dec(o.sz),
    accFillSz: dec(o.accFillSz),
    avgPx: o.accFillSz.isZero() ? '' : dec(o.filledNotional.div(o.accFillSz)),
    fee: dec(o.fee),
    feeCcy: o.feeCcy,
    cancelSource: o.cancelSource,
    fills: o.fills.map((f) => ({ tradeId: f.tradeId, px: dec(f.px), sz: dec(f.sz), fee: dec(f.fee), feeCcy: f.feeCcy, execType: f.execType, ts: f.ts })),
  };
}

/** Starts a fake OKX on 127.0.0.1 on a free port. */
export async function startFakeOkx(options: FakeOkxOptions = {}): Promise<FakeOkx> {
  let skewMs = 0;
  const base = options.now ?? Date.now;
  const now = (): number => base() + skewMs;
  const keys = options.keys ?? [DEMO_KEY, LIVE_KEY];
  const instruments = new Map<string, Instrument>();
  for (const spec of options.instruments ?? DEFAULT_INSTRUMENTS) {
    if (instruments.has(spec.instId)) throw new AutotraderError('CONFIG_INVALID', `Fake OKX: instrument ${spec.instId} is listed twice.`);
    instruments.set(spec.instId, toInstrument(spec, now() - 86_400_000));
  }
  const start: Record<string, Decimal> = {};
  for (const [c, v] of Object.entries(options.balances ?? DEFAULT_BALANCES)) start[c] = inputDecimal(`balance of ${c}`, v);
  for (const i of instruments.values()) for (const c of [i.baseCcy, i.quoteCcy]) start[c] ??= new Decimal(0);
  const fees = { maker: inputDecimal('maker fee', options.fees?.maker ?? '0.0008'), taker: inputDecimal('taker fee', options.fees?.taker ?? '0.001') };
  const idleMs = options.idleMs ?? 30_000;
  if (!(idleMs > 0)) throw new AutotraderError('CONFIG_INVALID', `Fake OKX: idleMs must be positive, got ${idleMs}.`);

  const market = new Market(now);
  const gatekeeper = new Gatekeeper(now);
  let ordSeq = 2_896_576_259_728_695_296n + BigInt(Math.floor(Math.random() * 1_000_000));
  let tradeSeq = 1_518_905_529;
  let channels: Channels | undefined;
  const sinkFor = (env: Environment) => (e: AccountEvent): void => channels?.accountEvent(env, e);
  const accountOptions = (env: Environment) => ({
    env,
    balances: start,
    instruments,
    market,
    fees,
    now,
    sink: sinkFor(env),
    nextOrdId: () => String((ordSeq += BigInt(1 + Math.floor(Math.random() * 4096)))),
    nextTradeId: () => String(++tradeSeq),
  });
  const accounts: Record<Environment, Account> = { demo: new Account(accountOptions('demo')), live: new Account(accountOptions('live')) };
  const wsOpLog: { op: string; id?: string; args: unknown[] }[] = [];
  const restLog: LoggedRestRequest[] = [];
  const uids = new Map(keys.map((k, i) => [k.apiKey, String(447_058_923_436_195_840n + BigInt(i))]));
  channels = new Channels({
    keys,
    now,
    market,
    instruments,
    accounts,
    gatekeeper,
    uid: (k) => uids.get(k.apiKey) ?? '0',
    logOp: (op) => wsOpLog.push(JSON.parse(JSON.stringify(op)) as { op: string; id?: string; args: unknown[] }),
    idleMs,
  });
  const ch = channels;
  market.sink = {
    ticker: (instId, data) => ch.publish('public', 'tickers', instId, (arg) => ({ arg, data: [data] })),
    trade: (instId, data) => ch.publish('public', 'trades', instId, (arg) => ({ arg, data: [data] })),
    books: (instId, action, data) => ch.publish('public', 'books', instId, (arg) => ({ arg, action, data: [data] })),
    candle: (instId, bar, row) => ch.publish('business', `candle${bar}`, instId, (arg) => ({ arg, data: [row] })),
  };
  const rest = createRest({ keys, now, market, instruments, accounts, gatekeeper, log: restLog, uid: (k) => uids.get(k.apiKey) ?? '0' });
  const server = await startLoopbackServer({ onRequest: rest, upgrades: [ch.endpoints.public, ch.endpoints.private, ch.endpoints.business] });
  const urls = (env: Environment): FakeOkxSockets => {
    const u = (kind: SocketKind): string => `${server.wsUrl}${socketPath(env, kind)}`;
    return { wsPublicUrl: u('public'), wsPrivateUrl: u('private'), wsBusinessUrl: u('business') };
  };
  const listed = (instId: string): Instrument => {
    const i = instruments.get(instId);
    if (i === undefined) throw new AutotraderError('CONFIG_INVALID', `Fake OKX: unknown instrument ${instId}.`);
    return i;
  };
  const levels = (what: string, ls: [string, string][]): { px: Decimal; sz: Decimal }[] => ls.map(([p, s]) => ({ px: inputDecimal(`${what} price`, p), sz: inputDecimal(`${what} size`, s) }));
  const envOrBoth = (e: Environment | undefined): Environment[] => (e === undefined ? ['demo', 'live'] : [e]);

  return {
    restUrl: server.httpUrl,
    demo: urls('demo'),
    live: urls('live'),
    close: async () => {
      ch.stop();
      await server.close();
    },
    now,
    ticker(instId, bidPx, bidSz, askPx, askSz, last) {
      listed(instId);
      market.setTicker(instId, inputDecimal('bidPx', bidPx), inputDecimal('bidSz', bidSz), inputDecimal('askPx', askPx), inputDecimal('askSz', askSz), last === undefined ? undefined : inputDecimal('last', last));
    },
    trade(instId, px, sz, side) {
      listed(instId);
      if (side !== 'buy' && side !== 'sell') throw new AutotraderError('CONFIG_INVALID', `Fake OKX: a trade's side is buy or sell, got ${String(side)}.`);
      const p = inputDecimal('trade price', px);
      const s = inputDecimal('trade size', sz);
      market.print(instId, p, s, side);
      for (const a of Object.values(accounts)) a.onPrint(instId, p, s);
    },
    book(instId, bids, asks) {
      listed(instId);
      market.replaceBook(instId, levels('bid', bids), levels('ask', asks));
    },
    candles(instId, bar, rows) {
      listed(instId);
      if (!(BARS as readonly string[]).includes(bar)) throw new AutotraderError('CONFIG_INVALID', `Fake OKX: unknown bar ${bar} (OKX bars: ${BARS.join(', ')}).`);
      const checked: CandleRow[] = rows.map((r) => {
        for (const k of ['o', 'h', 'l', 'c', 'vol'] as const) inputDecimal(`candle ${k}`, r[k]);
        return { ...r };
      });
      market.putCandles(instId, bar, checked);
    },
    setInstrumentState(instId, state) {
      listed(instId).state = state;
    },
    orders: (environment) => envOrBoth(environment).flatMap((e) => accounts[e].orders().map(toFakeOrder)),
    balances(environment = 'demo') {
      const l = accounts[environment].ledger;
      const out: Record<string, { cashBal: string; availBal: string; frozenBal: string }> = {};
      for (const c of l.assets()) out[c] = { cashBal: dec(l.total(c)), availBal: dec(l.free(c)), frozenBal: dec(l.locked(c)) };
      return out;
    },
    requests: () => restLog.map((r) => ({ ...r, headers: { ...r.headers } })),
    wsOps: () => wsOpLog.map((o) => JSON.parse(JSON.stringify(o)) as { op: string; id?: string; args: unknown[] }),
    deposit(environment, ccy, amount) {
      accounts[environment].deposit(ccy, inputDecimal('deposit', amount));
    },
    bans: () => gatekeeper.gate.banCount,
    faults: {
      rateLimit: (count) => gatekeeper.rateLimit(count),
      busy: (count, code = '50001') => gatekeeper.busy(count, code),
      acceptThenTimeout: (count) => gatekeeper.acceptThenTimeout(count),
      endpointTimeout: (count) => gatekeeper.endpointTimeout(count),
      dropPublicSockets: () => ch.endpoints.public.dropAll() + ch.endpoints.business.dropAll(),
      dropPrivateSockets: () => ch.endpoints.private.dropAll(),
      duplicatePrivatePushes: (times = 1) => {
        ch.duplicates = Math.max(0, Math.floor(times));
      },
      reorderPrivatePushes: (on) => {
        ch.reorder = on;
      },
      omitFillFee: (on) => {
        ch.omitFillFee = on;
      },
      bookGap: (instId) => market.armGap(listed(instId).instId),
      badChecksum: (instId) => market.armBadChecksum(listed(instId).instId),
      zeroChecksums: (on) => {
        market.zeroChecksums = on;
      },
      skewClock: (ms) => {
        if (!Number.isFinite(ms)) throw new RangeError(`clock skew must be a finite number of milliseconds, got ${ms}`);
        skewMs += ms;
      },
      idleDisconnect: (on) => {
        ch.idleDisconnect = on;
      },
      malformedPush: (channel) => void ch.malformed(channel),
      refuseConnections: (refuse) => server.refuseUpgrades(refuse ? 503 : undefined),
    },
  };
}
