/**
 * The REST API under `/api/v5`: every request is logged; private endpoints check the OK-ACCESS-*
 * headers over the exact path, query and body received (environment from `x-simulated-trading`);
 * then faults and OKX's per-endpoint rate limits decide; then the endpoint answers
 * `{"code","msg","data":[...]}` (order operations: per-item `sCode`/`sMsg`, and `inTime`/`outTime`).
 * HTTP statuses follow OKX's error-code table: 401 for authentication codes, 429 for 50011/50013,
 * 503 for 50001, 400 for 50004, 50014 and parameter errors, 200 otherwise (an order refused is
 * HTTP 200 with `code: "1"`).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpRouter, sendJson, type RoutedRequest } from '@autotrader/testkit/fake-venue';
import type { Account, ItemResult } from './account';
import { accountData } from './channels';
import { GATE_MESSAGES, type Gatekeeper, type OkxRequest } from './gatekeeper';
import { instrumentJson, type Instrument } from './instruments';
import { checkRest, restEnvironment, type FakeOkxKey } from './keys';
import { rateRule } from './limits';
import { BARS, candleWire, tradeJson, type Market } from './market';
import { fillJson, isOpen, orderJson, type Environment, type OkxFill, type OkxOrder } from './orders';
import { failure, micros, ms, success, type Envelope } from './wire';

/** A request as `requests()` reports it. */
export interface LoggedRestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly at: number;
}

/** REST wiring. */
export interface RestOptions {
  readonly keys: readonly FakeOkxKey[];
  readonly now: () => number;
  readonly market: Market;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly accounts: Readonly<Record<Environment, Account>>;
  readonly gatekeeper: Gatekeeper;
  readonly log: LoggedRestRequest[];
  /** The account's uid (the same as `arg.uid` of private pushes). */
  readonly uid: (key: FakeOkxKey) => string;
}

interface Reply {
  readonly status: number;
  readonly body: Envelope;
}

interface Ctx {
  readonly req: RoutedRequest;
  readonly env: Environment;
  /** The authenticated key (private endpoints). */
  readonly key: FakeOkxKey | undefined;
  readonly account: Account;
  /** The JSON body (private POSTs), or undefined. */
  readonly json: Record<string, unknown> | undefined;
}

type Handler = (ctx: Ctx) => Reply;

const ok = (data: unknown[]): Reply => ({ status: 200, body: success(data) });
const bad = (code: string, msg: string, status = 400): Reply => ({ status, body: failure(code, msg) });
const empty = (name: string): Reply => bad('50014', `Parameter ${name} can not be empty.`);

/** Builds the HTTP `onRequest` hook. */
export function createRest(o: RestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new HttpRouter((req, res) => {
    record(req);
    sendJson(res, 404, { code: '404', msg: 'Not Found', data: [] });
  });

  function record(req: RoutedRequest): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    o.log.push({ method: req.method, path: req.path, query: req.rawQuery, headers, body: req.body, at: Date.now() });
  }

  const route = (method: 'GET' | 'POST', path: string, kind: 'public' | 'private' | 'orderOp', h: Handler): void => {
    router.on(method, path, (req, res) => serve(req, res, `${method} ${path}`, kind, h));
  };

  function serve(req: RoutedRequest, res: ServerResponse, endpoint: string, kind: 'public' | 'private' | 'orderOp', h: Handler): void {
    record(req);
    const inTime = micros(o.now());
    const env = restEnvironment(req.headers);
    const isPrivate = kind !== 'public';
    let key: FakeOkxKey | undefined;
    if (isPrivate) {
      const auth = checkRest(req.headers, req.method, req.rawQuery === '' ? req.path : `${req.path}?${req.rawQuery}`, req.body, o.keys, env, o.now());
      if (!auth.ok) {
        sendJson(res, 401, failure(auth.code, auth.msg));
        return;
      }
      key = auth.key;
    }
    let json: Record<string, unknown> | undefined;
    if (req.method === 'POST') {
      if (req.body === '') {
        sendJson(res, 400, failure('50000', 'Body for POST request cannot be empty.'));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(req.body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        json = parsed as Record<string, unknown>;
      } catch {
        sendJson(res, 400, failure('50002', 'JSON syntax error'));
        return;
      }
    }
    const params: Record<string, string> = {};
    for (const [k, v] of req.query) params[k] = v;
    if (json !== undefined) for (const [k, v] of Object.entries(json)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    const request: OkxRequest = { transport: 'rest', method: req.method, path: req.path, params, private: isPrivate, orderOp: kind === 'orderOp' };
    const instId = params.instId;
    const verdict = o.gatekeeper.admit(request, rateRule(endpoint, { env, apiKey: key?.apiKey, instId, ip: req.raw.socket.remoteAddress ?? '' }));
    if (verdict.kind === 'throttled') {
      sendJson(res, 429, failure('50011', GATE_MESSAGES['50011']));
      return;
    }
    if (verdict.kind === 'busy') {
      sendJson(res, verdict.code === '50001' ? 503 : 429, failure(verdict.code, GATE_MESSAGES[verdict.code]));
      return;
    }
    const reply = h({ req, env, key, account: o.accounts[env], json });
    if (verdict.after === 'vanish') {
      // The venue acted; the answer never comes.
      res.socket?.destroy();
      return;
    }
    if (verdict.after === 'timeout') {
      sendJson(res, 400, failure('50004', GATE_MESSAGES['50004']));
      return;
    }
    const body = kind === 'orderOp' ? { ...reply.body, inTime, outTime: micros(o.now(), 1) } : reply.body;
    sendJson(res, reply.status, body);
  }

  const itemReply = (item: ItemResult): Reply => (item.sCode === '0' ? ok([item]) : { status: 200, body: { code: '1', msg: 'All operations failed', data: [item] } });

  // Public.
  route('GET', '/api/v5/public/time', 'public', () => ok([{ ts: ms(o.now()) }]));
  route('GET', '/api/v5/public/instruments', 'public', ({ req }) => {
    const instType = req.query.get('instType');
    if (instType === null || instType === '') return empty('instType');
    if (instType !== 'SPOT') return ok([]);
    const instId = req.query.get('instId');
    return ok([...o.instruments.values()].filter((i) => instId === null || i.instId === instId).map(instrumentJson));
  });
  const known = (req: RoutedRequest): Instrument | Reply => {
    const instId = req.query.get('instId');
    if (instId === null || instId === '') return empty('instId');
    return o.instruments.get(instId) ?? bad('51001', "Instrument ID or Spread ID doesn't exist.", 200);
  };
  const isReply = (x: Instrument | Reply): x is Reply => (x as Reply).body !== undefined;
  route('GET', '/api/v5/market/ticker', 'public', ({ req }) => {
    const inst = known(req);
    if (isReply(inst)) return inst;
    const t = o.market.tickerJson(inst.instId);
    return ok(t === undefined ? [] : [t]);
  });
  route('GET', '/api/v5/market/tickers', 'public', ({ req }) => {
    if ((req.query.get('instType') ?? '') === '') return empty('instType');
    if (req.query.get('instType') !== 'SPOT') return ok([]);
    return ok([...o.instruments.keys()].map((id) => o.market.tickerJson(id)).filter((t) => t !== undefined));
  });
  route('GET', '/api/v5/market/books', 'public', ({ req }) => {
    const inst = known(req);
    if (isReply(inst)) return inst;
    const sz = Math.min(400, Math.max(1, Number(req.query.get('sz') ?? '1') || 1));
    return ok([{ ...o.market.bookLevels(inst.instId, sz), ts: ms(o.now()) }]);
  });
  route('GET', '/api/v5/market/trades', 'public', ({ req }) => {
    const inst = known(req);
    if (isReply(inst)) return inst;
    const limit = Math.min(500, Math.max(1, Number(req.query.get('limit') ?? '100') || 100));
    return ok(o.market.recentTrades(inst.instId, limit).map(tradeJson));
  });
  const candles = (maxLimit: number): Handler => ({ req }) => {
    const inst = known(req);
    if (isReply(inst)) return inst;
    const bar = req.query.get('bar') ?? '1m';
    if (!(BARS as readonly string[]).includes(bar)) return bad('51000', 'Parameter bar error');
    const num = (name: string): number | undefined | null => {
      const v = req.query.get(name);
      if (v === null || v === '') return undefined;
      return /^\d+$/.test(v) ? Number(v) : null;
    };
    const after = num('after');
    const before = num('before');
    const limit = num('limit');
    if (after === null) return bad('51000', 'Parameter after error');
    if (before === null) return bad('51000', 'Parameter before error');
    if (limit === null) return bad('51000', 'Parameter limit error');
    // Newest first; `after`: records older than that ts; `before`: newer than it.
    const rows = o.market
      .candles(inst.instId, bar)
      .filter((r) => (after === undefined || r.ts < after) && (before === undefined || r.ts > before))
      .slice(0, Math.min(maxLimit, Math.max(1, limit ?? 100)));
    return ok(rows.map(candleWire));
  };
  route('GET', '/api/v5/market/candles', 'public', candles(300));
  route('GET', '/api/v5/market/history-candles', 'public', candles(100));

  // Account.
  route('GET', '/api/v5/account/balance', 'private', ({ req, account }) => {
    const ccy = req.query.get('ccy');
    const wanted = ccy === null || ccy === '' ? undefined : ccy.split(',');
    const ccys = account.ledger.assets().filter((c) => (wanted === undefined ? !account.ledger.total(c).isZero() : wanted.includes(c)));
    return ok([accountData(account, ccys, o.now())]);
  });

  route('GET', '/api/v5/account/config', 'private', ({ key }) => {
    const uid = o.uid(key!);
    // acctLv "1": Spot mode, the only mode the fake trades in (tdMode cash).
    return ok([{ acctLv: '1', acctStpMode: 'cancel_maker', autoLoan: false, ctIsoMode: 'automatic', enableSpotBorrow: false, greeksType: 'PA', ip: '', kycLv: '2', label: 'fake', level: 'Lv1', levelTmp: '', liquidationGear: '-1', mainUid: uid, mgnIsoMode: 'automatic', opAuth: '0', perm: 'read_only,trade', posMode: 'net_mode', roleType: '0', settleCcy: '', settleCcyList: [], spotBorrowAutoRepay: false, spotOffsetType: '', spotRoleType: '0', spotTraderInsts: [], traderInsts: [], type: '0', uid }]);
  });

  // Trade.
  route('POST', '/api/v5/trade/order', 'orderOp', ({ account, json }) => itemReply(account.place(json!)));
  route('POST', '/api/v5/trade/cancel-order', 'orderOp', ({ account, json }) => itemReply(account.cancel(json!)));
  route('POST', '/api/v5/trade/amend-order', 'orderOp', ({ account, json }) => itemReply(account.amend(json!)));
  route('GET', '/api/v5/trade/order', 'private', ({ req, account }) => {
    const instId = req.query.get('instId');
    if (instId === null || instId === '') return empty('instId');
    if (!o.instruments.has(instId)) return bad('51001', "Instrument ID or Spread ID doesn't exist.", 200);
    const ordId = req.query.get('ordId') || undefined;
    const clOrdId = req.query.get('clOrdId') || undefined;
    if (ordId === undefined && clOrdId === undefined) return bad('51003', 'Either client order ID or order ID is required.', 200);
    const found = account.find(instId, ordId, ordId === undefined ? clOrdId : undefined);
    if (found === undefined) return bad('51603', 'Order does not exist', 200);
    return ok([restOrder(found)]);
  });
  route('GET', '/api/v5/trade/orders-pending', 'private', ({ req, account }) => {
    const list = account.orders().filter((x) => isOpen(x) && matchesOrderFilters(x, req));
    return pageOrders(list, req);
  });
  route('GET', '/api/v5/trade/orders-history', 'private', ({ req, account }) => {
    if ((req.query.get('instType') ?? '') === '') return empty('instType');
    const list = account.orders().filter((x) => !isOpen(x) && matchesOrderFilters(x, req) && x.uTime >= o.now() - 7 * 86_400_000);
    return pageOrders(list, req);
  });
  const fills = (days: number, needInstType: boolean): Handler => ({ req, account }) => {
    if (needInstType && (req.query.get('instType') ?? '') === '') return empty('instType');
    const instType = req.query.get('instType');
    if (instType !== null && instType !== '' && instType !== 'SPOT') return ok([]);
    const instId = req.query.get('instId');
    const ordId = req.query.get('ordId');
    const after = req.query.get('after');
    const before = req.query.get('before');
    if (after !== null && !/^\d+$/.test(after)) return bad('51000', 'Parameter after error');
    if (before !== null && !/^\d+$/.test(before)) return bad('51000', 'Parameter before error');
    const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? '100') || 100));
    const since = o.now() - days * 86_400_000;
    // Newest first; `after`/`before` page by billId (older than / newer than).
    const list = [...account.fills()]
      .reverse()
      .filter((f: OkxFill) => f.ts >= since && (instId === null || f.instId === instId) && (ordId === null || f.ordId === ordId))
      .filter((f) => (after === null || BigInt(f.billId) < BigInt(after)) && (before === null || BigInt(f.billId) > BigInt(before)));
    return ok(list.slice(0, limit).map(fillJson));
  };
  route('GET', '/api/v5/trade/fills', 'private', fills(3, false));
  route('GET', '/api/v5/trade/fills-history', 'private', fills(90, true));

  return router.handle;
}

function matchesOrderFilters(x: OkxOrder, req: RoutedRequest): boolean {
  const q = (n: string): string | undefined => req.query.get(n) || undefined;
  const instType = q('instType');
  if (instType !== undefined && instType !== 'SPOT') return false;
  const instId = q('instId');
  if (instId !== undefined && x.instId !== instId) return false;
  const ordType = q('ordType');
  if (ordType !== undefined && !ordType.split(',').includes(x.ordType)) return false;
  const state = q('state');
  if (state !== undefined && x.state !== state) return false;
  return true;
}

/** Newest first, `after`/`before` by ordId (older than / newer than), `limit` ≤ 100. */
function pageOrders(list: readonly OkxOrder[], req: RoutedRequest): Reply {
  const after = req.query.get('after') || undefined;
  const before = req.query.get('before') || undefined;
  if (after !== undefined && !/^\d+$/.test(after)) return bad('51000', 'Parameter after error');
  if (before !== undefined && !/^\d+$/.test(before)) return bad('51000', 'Parameter before error');
  const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? '100') || 100));
  const page = [...list]
    .reverse()
    .filter((x) => (after === undefined || BigInt(x.ordId) < BigInt(after)) && (before === undefined || BigInt(x.ordId) > BigInt(before)))
    .slice(0, limit);
  return ok(page.map(restOrder));
}

/** REST order objects carry the last fill's fields. */
function restOrder(x: OkxOrder): Record<string, unknown> {
  return orderJson(x, x.fills[x.fills.length - 1]);
}
