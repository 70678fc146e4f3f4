/**
 * The WebSocket side: three sockets per environment (`public`, `private`, `business`, demo and live
 * on separate paths), the text `ping` answered `pong`, `login`, `subscribe`/`unsubscribe` with their
 * acks and errors, snapshots, pushes, the order ops of the private socket, a socket idle for
 * `idleMs` closed, and the push faults (duplicates, reordering, malformed frames).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { WsEndpoint } from '@autotrader/testkit/fake-venue';
import type { WebSocket } from 'ws';
import type { Account, AccountEvent, ItemResult } from './account';
import { GATE_MESSAGES, type Gatekeeper, type OkxRequest } from './gatekeeper';
import type { Instrument } from './instruments';
import { checkLogin, type FakeOkxKey } from './keys';
import { rateRule } from './limits';
import { BARS, type Market } from './market';
import { orderJson, type Environment } from './orders';
import { dec, micros, ms } from './wire';

/** Which socket. */
export type SocketKind = 'public' | 'private' | 'business';

/** URL paths: live like `wss://ws.okx.com:8443/ws/v5/<kind>`, demo like `wss://wspap.okx.com:8443/ws/v5/<kind>` (here under `/wspap`). */
export function socketPath(env: Environment, kind: SocketKind): string {
  return `${env === 'demo' ? '/wspap' : ''}/ws/v5/${kind}`;
}

interface Sub {
  readonly arg: Record<string, string>;
}

interface Conn {
  readonly env: Environment;
  readonly kind: SocketKind;
  readonly connId: string;
  key: FakeOkxKey | undefined;
  readonly subs: Map<string, Sub>;
  lastHeard: number;
  held: string | undefined;
  heldTimer: NodeJS.Timeout | undefined;
}

/** Channel server wiring. */
export interface ChannelOptions {
  readonly keys: readonly FakeOkxKey[];
  readonly now: () => number;
  readonly market: Market;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly accounts: Readonly<Record<Environment, Account>>;
  readonly gatekeeper: Gatekeeper;
  readonly uid: (key: FakeOkxKey) => string;
  /** Records an order op received. */
  readonly logOp: (op: { op: string; id?: string; args: unknown[] }) => void;
  readonly idleMs: number;
}

const PRIVATE_CHANNELS = new Set(['orders', 'account', 'balance_and_position']);
const PUBLIC_CHANNELS = new Set(['tickers', 'trades', 'books']);
const ORDER_OPS = new Set(['order', 'amend-order', 'cancel-order']);

/** The sockets of one fake. */
export class Channels {
  readonly endpoints: Record<SocketKind, WsEndpoint<Conn>>;
  /** Extra copies of every private push. */
  duplicates = 0;
  /** Hold each orders push and send it after the next one. */
  reorder = false;
  /** Leave out `fillFee`/`fillFeeCcy` (the fee of the last fill) from orders pushes, as accounts on older API versions get them: only the running `fee` tells it. */
  omitFillFee = false;
  /** Close sockets idle for `idleMs`. */
  idleDisconnect = true;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(private readonly o: ChannelOptions) {
    const make = (kind: SocketKind): WsEndpoint<Conn> =>
      new WsEndpoint<Conn>({
        matches: (u) => u.pathname === socketPath('live', kind) || u.pathname === socketPath('demo', kind),
        onConnect: (_ws, _req, url) => ({
          env: url.pathname.startsWith('/wspap/') ? 'demo' : 'live',
          kind,
          connId: randomBytes(4).toString('hex'),
          key: undefined,
          subs: new Map(),
          lastHeard: Date.now(),
          held: undefined,
          heldTimer: undefined,
        }),
        onMessage: (ws, conn, data) => this.onMessage(ws, conn, data.toString()),
        onClose: (_ws, conn) => clearTimeout(conn.heldTimer),
      });
    this.endpoints = { public: make('public'), private: make('private'), business: make('business') };
    this.idleTimer = setInterval(() => this.closeIdle(), Math.max(10, Math.min(1000, Math.floor(o.idleMs / 10))));
    this.idleTimer.unref();
  }

  /** Stops the idle timer (the server closes the endpoints). */
  stop(): void {
    clearInterval(this.idleTimer);
  }

  private closeIdle(): void {
    if (!this.idleDisconnect) return;
    const now = Date.now();
    for (const ep of Object.values(this.endpoints)) {
      for (const [ws, conn] of ep.clients()) if (now - conn.lastHeard > this.o.idleMs) ws.close(4004, 'No data received in 30s.');
    }
  }

  private send(ws: WebSocket, frame: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  private error(ws: WebSocket, conn: Conn, code: string, msg: string): void {
    this.send(ws, { event: 'error', code, msg, connId: conn.connId });
  }

  private onMessage(ws: WebSocket, conn: Conn, text: string): void {
    conn.lastHeard = Date.now();
    if (text === 'ping') {
      this.send(ws, 'pong');
      return;
    }
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      this.error(ws, conn, '60012', `Invalid request: ${text}`);
      return;
    }
    const op = msg.op;
    const args = Array.isArray(msg.args) ? (msg.args as unknown[]) : undefined;
    if (op === 'login') this.login(ws, conn, args);
    else if (op === 'subscribe' || op === 'unsubscribe') this.subscribe(ws, conn, op, args);
    else if (typeof op === 'string' && ORDER_OPS.has(op)) this.orderOp(ws, conn, op, typeof msg.id === 'string' ? msg.id : undefined, args);
    else this.error(ws, conn, '60019', `Invalid op: ${String(op)}`);
  }

  private login(ws: WebSocket, conn: Conn, args: unknown[] | undefined): void {
    const r = checkLogin(args?.[0], this.o.keys, conn.env, this.o.now());
    if (!r.ok) {
      this.error(ws, conn, r.code, r.msg);
      return;
    }
    conn.key = r.key;
    this.send(ws, { event: 'login', code: '0', msg: '', connId: conn.connId });
  }

  private subscribe(ws: WebSocket, conn: Conn, op: 'subscribe' | 'unsubscribe', args: unknown[] | undefined): void {
    if (args === undefined || args.length === 0) {
      this.error(ws, conn, '60013', 'Invalid args');
      return;
    }
    for (const raw of args) {
      if (typeof raw !== 'object' || raw === null || typeof (raw as { channel?: unknown }).channel !== 'string') {
        this.error(ws, conn, '60013', 'Invalid args');
        continue;
      }
      const arg: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') arg[k] = v;
      const channel = arg.channel!;
      const problem = this.checkArg(conn, arg);
      if (problem !== undefined) {
        this.error(ws, conn, problem[0], problem[1]);
        continue;
      }
      const id = subKey(arg);
      if (op === 'unsubscribe') {
        conn.subs.delete(id);
        this.send(ws, { event: 'unsubscribe', arg, connId: conn.connId });
        continue;
      }
      conn.subs.set(id, { arg });
      this.send(ws, { event: 'subscribe', arg, connId: conn.connId });
      this.snapshot(ws, conn, channel, arg);
    }
  }

  /** Why `arg` cannot be subscribed on this socket: [code, message], or undefined. */
  private checkArg(conn: Conn, arg: Record<string, string>): [string, string] | undefined {
    const channel = arg.channel!;
    const wrong = (): [string, string] => ['60018', `Wrong URL or channel:${channel},instId:${arg.instId ?? ''} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`];
    const isCandle = channel.startsWith('candle') && (BARS as readonly string[]).includes(channel.slice(6));
    const onSocket = conn.kind === 'public' ? PUBLIC_CHANNELS.has(channel) : conn.kind === 'private' ? PRIVATE_CHANNELS.has(channel) : isCandle;
    if (!onSocket) return wrong();
    if (PRIVATE_CHANNELS.has(channel)) {
      if (conn.key === undefined) return ['60011', 'Please log in'];
      if (channel === 'orders') {
        if (arg.instType === undefined) return ['60013', 'Invalid args'];
        if (arg.instType !== 'SPOT' && arg.instType !== 'ANY' && arg.instType !== 'MARGIN' && arg.instType !== 'SWAP' && arg.instType !== 'FUTURES' && arg.instType !== 'OPTION') return wrong();
        if (arg.instId !== undefined && !this.o.instruments.has(arg.instId)) return wrong();
      }
      return undefined;
    }
    if (arg.instId === undefined || !this.o.instruments.has(arg.instId)) return wrong();
    return undefined;
  }

  private snapshot(ws: WebSocket, conn: Conn, channel: string, arg: Record<string, string>): void {
    if (channel === 'tickers') {
      const t = this.o.market.tickerJson(arg.instId!);
      if (t !== undefined) this.send(ws, { arg, data: [t] });
    } else if (channel === 'books') {
      this.send(ws, { arg, action: 'snapshot', data: [this.o.market.bookSnapshot(arg.instId!)] });
    } else if (channel === 'account') {
      const acct = this.o.accounts[conn.env];
      const ccys = acct.ledger.assets().filter((c) => arg.ccy === undefined || c === arg.ccy);
      this.send(ws, { arg: { ...arg, uid: this.o.uid(conn.key!) }, data: [accountData(acct, ccys, this.o.now())] });
    } else if (channel === 'balance_and_position') {
      const acct = this.o.accounts[conn.env];
      this.send(ws, { arg: { ...arg, uid: this.o.uid(conn.key!) }, data: [{ pTime: ms(this.o.now()), eventType: 'snapshot', balData: acct.ledger.assets().map((c) => balDatum(acct, c)), posData: [], trades: [] }] });
    }
  }

  private orderOp(ws: WebSocket, conn: Conn, op: string, id: string | undefined, args: unknown[] | undefined): void {
    const inTime = micros(this.o.now());
    const reply = (code: string, msg: string, data: unknown[]): void => {
      this.send(ws, { id: id ?? '', op, code, msg, data, inTime, outTime: micros(this.o.now(), 1) });
    };
    this.o.logOp({ op, id, args: args ?? [] });
    if (conn.kind !== 'private') {
      this.error(ws, conn, '60019', `Invalid op: ${op}`);
      return;
    }
    if (conn.key === undefined) {
      reply('60011', 'Please log in', []);
      return;
    }
    if (args === undefined || args.length !== 1 || typeof args[0] !== 'object' || args[0] === null) {
      reply('60013', 'Invalid args', []);
      return;
    }
    const arg = args[0] as Record<string, unknown>;
    const instId = typeof arg.instId === 'string' ? arg.instId : undefined;
    const request: OkxRequest = { transport: 'ws', method: 'WS', path: op, params: stringParams(arg), private: true, orderOp: true };
    const verdict = this.o.gatekeeper.admit(request, rateRule(`WS ${op}`, { env: conn.env, apiKey: conn.key.apiKey, instId, ip: '127.0.0.1' }));
    if (verdict.kind === 'throttled') {
      reply('50011', GATE_MESSAGES['50011'], []);
      return;
    }
    if (verdict.kind === 'busy') {
      reply(verdict.code, GATE_MESSAGES[verdict.code], []);
      return;
    }
    const acct = this.o.accounts[conn.env];
    const item: ItemResult = op === 'order' ? acct.place(arg) : op === 'amend-order' ? acct.amend(arg) : acct.cancel(arg);
    if (verdict.after === 'vanish') return;
    if (verdict.after === 'timeout') {
      reply('50004', GATE_MESSAGES['50004'], []);
      return;
    }
    reply(item.sCode === '0' ? '0' : '1', '', [item]);
  }

  /** Publishes an account's change to that environment's private subscribers. */
  accountEvent(env: Environment, e: AccountEvent): void {
    for (const [ws, conn] of this.endpoints.private.clients()) {
      if (conn.env !== env || conn.key === undefined) continue;
      for (const sub of conn.subs.values()) {
        const arg = { ...sub.arg, uid: this.o.uid(conn.key) };
        if (e.kind === 'order' && sub.arg.channel === 'orders') {
          if (sub.arg.instId !== undefined && sub.arg.instId !== e.order.instId) continue;
          if (sub.arg.instType !== 'SPOT' && sub.arg.instType !== 'ANY') continue;
          const item: Record<string, unknown> = orderJson(e.order, e.fill, e.extra);
          if (this.omitFillFee) {
            delete item.fillFee;
            delete item.fillFeeCcy;
          }
          this.privatePush(ws, conn, JSON.stringify({ arg, data: [item] }), true);
        } else if (e.kind === 'balance' && sub.arg.channel === 'account') {
          const ccys = e.ccys.filter((c) => sub.arg.ccy === undefined || c === sub.arg.ccy);
          if (ccys.length > 0) this.privatePush(ws, conn, JSON.stringify({ arg, data: [accountData(this.o.accounts[env], ccys, this.o.now())] }), false);
        } else if (e.kind === 'balance' && e.cashChanged && sub.arg.channel === 'balance_and_position') {
          const acct = this.o.accounts[env];
          this.privatePush(ws, conn, JSON.stringify({ arg, data: [{ pTime: ms(this.o.now()), eventType: e.eventType, balData: e.ccys.map((c) => balDatum(acct, c)), posData: [], trades: e.trades }] }), false);
        }
      }
    }
  }

  private privatePush(ws: WebSocket, conn: Conn, frame: string, isOrders: boolean): void {
    const out = (f: string): void => {
      for (let i = 0; i <= this.duplicates; i++) this.send(ws, f);
    };
    if (!isOrders || !this.reorder) {
      out(frame);
      return;
    }
    if (conn.held === undefined) {
      conn.held = frame;
      // Never lose a held push: if nothing follows, it goes out a little late.
      conn.heldTimer = setTimeout(() => this.releaseHeld(ws, conn), 300);
      conn.heldTimer.unref();
      return;
    }
    const held = conn.held;
    conn.held = undefined;
    clearTimeout(conn.heldTimer);
    out(frame);
    out(held);
  }

  private releaseHeld(ws: WebSocket, conn: Conn): void {
    const held = conn.held;
    conn.held = undefined;
    if (held !== undefined) for (let i = 0; i <= this.duplicates; i++) this.send(ws, held);
  }

  /** Publishes a public frame to subscribers of (`channel`, `instId`) on the `kind` sockets of both environments. */
  publish(kind: SocketKind, channel: string, instId: string, frame: (arg: Record<string, string>) => unknown): void {
    for (const [ws, conn] of this.endpoints[kind].clients()) {
      for (const sub of conn.subs.values()) if (sub.arg.channel === channel && sub.arg.instId === instId) this.send(ws, frame(sub.arg));
    }
  }

  /** Sends a frame that is not valid JSON to every socket subscribed to `channel`; returns how many got it. */
  malformed(channel: string): number {
    let n = 0;
    for (const ep of Object.values(this.endpoints)) {
      for (const [ws, conn] of ep.clients()) {
        if ([...conn.subs.values()].some((s) => s.arg.channel === channel)) {
          this.send(ws, `{"arg":{"channel":"${channel}"},"data":[{"instId":`);
          n++;
        }
      }
    }
    return n;
  }
}

function subKey(arg: Record<string, string>): string {
  return JSON.stringify(Object.entries(arg).sort(([a], [b]) => a.localeCompare(b)));
}

function stringParams(arg: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(arg)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** One currency of the `account` channel and GET /account/balance (`details[]`). */
export function balanceDetail(acct: Account, ccy: string): Record<string, unknown> {
  const l = acct.ledger;
  const total = dec(l.total(ccy));
  const free = dec(l.free(ccy));
  const locked = dec(l.locked(ccy));
  return {
    accAvgPx: '',
    availBal: free,
    availEq: free,
    borrowFroz: '',
    cashBal: total,
    ccy,
    clSpotInUseAmt: '',
    coinUsdPrice: '',
    colBorrAutoConversion: '0',
    collateralEnabled: false,
    collateralRestrict: false,
    crossLiab: '',
    disEq: '',
    eq: total,
    eqUsd: '',
    fixedBal: '0',
    frozenBal: locked,
    imr: '0',
    interest: '',
    isoEq: '0',
    isoLiab: '',
    isoUpl: '0',
    liab: '',
    maxLoan: '',
    maxSpotInUseAmt: '',
    mgnRatio: '',
    mmr: '0',
    notionalLever: '0',
    openAvgPx: '',
    ordFrozen: locked,
    rewardBal: '0',
    smtSyncEq: '0',
    spotBal: '',
    spotCopyTradingEq: '0',
    spotInUseAmt: '',
    spotIsoBal: '0',
    spotUpl: '',
    spotUplRatio: '',
    stgyEq: '0',
    totalPnl: '',
    totalPnlRatio: '',
    twap: '0',
    uTime: ms(l.updateTime()),
    upl: '0',
    uplLiab: '',
  };
}

/** The account object of the `account` channel and GET /account/balance. */
export function accountData(acct: Account, ccys: readonly string[], now: number): Record<string, unknown> {
  return {
    adjEq: '',
    availEq: '',
    borrowFroz: '',
    details: ccys.map((c) => balanceDetail(acct, c)),
    imr: '',
    isoEq: '0',
    mgnRatio: '',
    mmr: '',
    notionalUsd: '',
    notionalUsdForBorrow: '',
    notionalUsdForFutures: '',
    notionalUsdForOption: '',
    notionalUsdForSwap: '',
    ordFroz: '',
    totalEq: '',
    uTime: ms(now),
    upl: '',
  };
}

function balDatum(acct: Account, ccy: string): Record<string, unknown> {
  return { ccy, cashBal: dec(acct.ledger.total(ccy)), uTime: ms(acct.ledger.updateTime()) };
}
