/**
 * The two hosts: REST (`/v3/...`) and streaming (`/v3/accounts/{id}/pricing/stream`,
 * `/v3/accounts/{id}/transactions/stream`). Every request is logged, checked against the new
 * connection limit (2 a second per host), screened by the fault plan and the 120 requests/s limit
 * (REST) or the 20 open streams limit (streaming), authenticated (Bearer token of this environment;
 * the account must be the token's), then served with a `RequestID` header and DateTimes in the
 * requested format.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Decimal } from '@autotrader/core';
import { HttpRouter, dropConnection, sendJson, type BackoffGate, type FaultPlan, type FakeRequest, type RoutedRequest, type SlidingWindowCounter } from '@autotrader/testkit/fake-venue';
import { orderJson, positionInstruments, positionJson, stateJson, summaryJson, tradeJson, tradeUnrealized, type Account } from './account';
import type { CandleStore } from './candles';
import type { Dealer, Reply } from './dealing';
import { instrumentJson, type Market } from './instruments';
import { toWire } from './json';
import type { StreamHub } from './streams';
import { datetimeFormatOf, money, nanosAt, parseTime, priceText, type DatetimeFormat } from './wire';

/** A request as `requests()` reports it. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly at: number;
}

/** 401 body: what OANDA answers a token it does not accept (hootnot/oanda-api-v20#129, escwdev/oanda-node-api#4). */
export const UNAUTHORIZED = { errorMessage: 'Insufficient authorization to perform request.' };
/** 403 body: a valid token asking for an account it may not use (hootnot/oanda-api-v20#169, #202). */
export const FORBIDDEN = { errorMessage: 'The provided request was forbidden.' };
/** 429 body for the request-rate limit and injected 429s (the fake's wording: no captured body exists). */
export const RATE_LIMITED = { errorMessage: 'Requests per second limit exceeded (120 per second).' };
/** 429 body for the new-connection limit (the message OANDA sends, as quoted in the oanda_api gem's changelog). */
export const CONNECTION_RATE_LIMITED = { errorMessage: 'Rate limit violation of newly established connections' };
/** 429 body when 20 streams are already open (the fake's wording). */
export const TOO_MANY_STREAMS = { errorMessage: 'Maximum number of active streams (20) exceeded.' };

/** Everything the hosts share. */
export interface HostOptions {
  readonly environmentToken: string;
  readonly accounts: ReadonlyMap<string, Account>;
  readonly market: Market;
  readonly dealer: Dealer;
  readonly candles: CandleStore;
  readonly streams: StreamHub;
  readonly closeoutRatio: Decimal;
  readonly faults: FaultPlan<FakeRequest>;
  readonly gate: BackoffGate;
  readonly restLimit: SlidingWindowCounter;
  readonly maxStreams: number;
  readonly newConnections: { readonly rest: SlidingWindowCounter; readonly stream: SlidingWindowCounter };
  readonly log: LoggedRequest[];
  readonly nowMs: () => number;
  readonly hold: (res: ServerResponse) => void;
}

type Handler = (req: RoutedRequest, ctx: Ctx) => Reply;

interface Ctx {
  readonly format: DatetimeFormat;
  readonly requestID: string;
  readonly account?: Account;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function reply(status: number, body: Record<string, unknown>): Reply {
  return { status, body };
}

/** The new-connection check: a socket's first request counts against 2 new connections a second. */
function newConnectionRefused(seen: WeakSet<Socket>, counter: SlidingWindowCounter, socket: Socket): boolean {
  if (seen.has(socket)) return false;
  seen.add(socket);
  return !counter.tryAdd();
}

/** Builds the REST host's and the stream host's `onRequest` hooks. */
export function createHosts(o: HostOptions): {
  rest: (req: IncomingMessage, res: ServerResponse) => void;
  stream: (req: IncomingMessage, res: ServerResponse) => void;
  /** The ClientPrice JSON of an instrument for an account (what pricing streams send). */
  priceView: (a: Account, instrument: string) => Record<string, unknown>;
} {
  const seenRest = new WeakSet<Socket>();
  const seenStream = new WeakSet<Socket>();
  const notFound: Handler = () => reply(404, { errorMessage: 'The requested resource could not be found.' });
  const rest = new HttpRouter((req, res) => serve(req, res, notFound, false));
  const streamRouter = new HttpRouter((req, res) => void openStream(req, res, undefined));

  const send = (res: ServerResponse, r: Reply, ctx: { format: DatetimeFormat; requestID: string }, delayMs = 0, extra: Record<string, string> = {}): void => {
    sendJson(res, r.status, toWire(r.body, ctx.format), { RequestID: ctx.requestID, ...extra }, delayMs);
  };

  function log(req: RoutedRequest): void {
    o.log.push({ method: req.method, path: req.path, query: req.rawQuery, headers: headersOf(req.raw), body: req.body, at: Date.now() });
  }

  /** Auth and account ownership; a refusal as a Reply. */
  function authorize(req: RoutedRequest, accountId: string | undefined): { account?: Account; token: string } | Reply {
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer (\S+)$/.exec(auth) : null;
    if (m === null || m[1] !== o.environmentToken) return reply(401, UNAUTHORIZED);
    const token = m[1];
    if (accountId === undefined) return { token };
    const account = o.accounts.get(accountId);
    if (account === undefined || !account.tokens.includes(token)) return reply(403, FORBIDDEN);
    return { account, token };
  }

  function serve(req: RoutedRequest, res: ServerResponse, h: Handler, mutates: boolean): void {
    log(req);
    const requestID = o.dealer.requestId();
    const format0 = datetimeFormatOf(req.headers['accept-datetime-format']);
    const early = { format: format0 ?? 'RFC3339', requestID } as const;
    if (newConnectionRefused(seenRest, o.newConnections.rest, req.raw.socket)) return send(res, reply(429, CONNECTION_RATE_LIMITED), early);
    const verdict = o.faults.screen({ transport: mutates ? 'rest-order' : 'rest', method: req.method, path: req.path, params: {} }, o.gate, {
      ownLimit: () => (o.restLimit.tryAdd() ? undefined : 1),
    });
    switch (verdict.kind) {
      case 'drop':
        return dropConnection(res);
      case 'banned':
      case 'throttled':
        // OANDA documents a 429 and no Retry-After header: none is sent (see README).
        return send(res, reply(429, RATE_LIMITED), early, verdict.delayMs);
      case 'serverError':
        return send(res, reply(verdict.status, { errorMessage: 'An internal server error occurred' }), early, verdict.delayMs);
      case 'process':
        break;
    }
    if (format0 === undefined) return send(res, reply(400, { errorMessage: "Invalid value specified for 'Accept-Datetime-Format'" }), early);
    const auth = authorize(req, req.params.accountID);
    if ('status' in auth) return send(res, auth, early);
    // Development guide: "All requests with a body require Content-Type: application/json".
    const contentType = req.headers['content-type'] ?? '';
    if (req.body !== '' && !/^application\/json(\s*;|$)/i.test(contentType)) {
      return send(res, reply(415, { errorMessage: 'Content-Type must be application/json for a request with a body' }), early);
    }
    const ctx: Ctx = { format: format0, requestID, ...(auth.account !== undefined ? { account: auth.account } : {}) };
    const r = h(req, ctx);
    const after = verdict.after;
    if (after.kind === 'hold') return o.hold(res);
    if (after.kind === 'serverError') return send(res, reply(after.status, { errorMessage: 'An internal server error occurred' }), ctx, after.delayMs);
    const extra: Record<string, string> = {};
    if (r.status === 201) {
      const created = (r.body.orderCreateTransaction as { id?: string } | undefined)?.id;
      if (created !== undefined && ctx.account !== undefined) extra.Location = `/v3/accounts/${ctx.account.id}/orders/${created}`;
    }
    send(res, r, ctx, after.delayMs, extra);
  }

  const route = (method: string, path: string, h: Handler, mutates = false): void => {
    rest.on(method, `/v3${path}`, (req, res) => serve(req, res, h, mutates));
  };
  const jsonBody = (req: RoutedRequest): unknown => {
    if (req.body.trim() === '') return undefined;
    try {
      return JSON.parse(req.body);
    } catch {
      return Symbol.for('invalid');
    }
  };
  const withBody = (req: RoutedRequest, f: (body: unknown) => Reply): Reply => {
    const b = jsonBody(req);
    if (b === Symbol.for('invalid')) return reply(400, { errorMessage: 'Invalid JSON in request body' });
    return f(b);
  };
  const m = o.market;
  const acct = (ctx: Ctx): Account => ctx.account!;

  route('GET', '/accounts', (req) => {
    const token = (req.headers.authorization ?? '').slice('Bearer '.length);
    return reply(200, { accounts: [...o.accounts.values()].filter((a) => a.tokens.includes(token)).map((a) => ({ id: a.id, tags: [] })) });
  });
  route('GET', '/accounts/:accountID', (_req, ctx) => {
    const a = acct(ctx);
    return reply(200, {
      account: {
        ...summaryJson(a, m, o.closeoutRatio),
        trades: a.openTrades().map((t) => tradeJson(a, m, t)),
        positions: positionInstruments(a, false).map((i) => positionJson(a, m, i)),
        orders: a.pendingOrders().map((x) => orderJson(x, m)),
      },
      lastTransactionID: a.lastTransactionID,
    });
  });
  route('GET', '/accounts/:accountID/summary', (_req, ctx) => reply(200, { account: summaryJson(acct(ctx), m, o.closeoutRatio), lastTransactionID: acct(ctx).lastTransactionID }));
  route('GET', '/accounts/:accountID/instruments', (req, ctx) => {
    const wanted = req.query.get('instruments')?.split(',');
    const list = [...m.instruments.values()].filter((i) => wanted === undefined || wanted.includes(i.name));
    return reply(200, { instruments: list.map(instrumentJson), lastTransactionID: acct(ctx).lastTransactionID });
  });
  route('GET', '/accounts/:accountID/changes', (req, ctx) => changes(acct(ctx), req.query.get('sinceTransactionID')));

  route('POST', '/accounts/:accountID/orders', (req, ctx) => withBody(req, (b) => o.dealer.createOrder(acct(ctx), b, ctx.format, ctx.requestID)), true);
  route('GET', '/accounts/:accountID/orders', (req, ctx) => listOrders(acct(ctx), req.query, false));
  route('GET', '/accounts/:accountID/pendingOrders', (req, ctx) => listOrders(acct(ctx), req.query, true));
  route('GET', '/accounts/:accountID/orders/:spec', (req, ctx) => {
    const x = acct(ctx).orderBySpecifier(req.params.spec!);
    if (x === undefined) return reply(404, { errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The order ID specified does not exist' });
    return reply(200, { order: orderJson(x, m), lastTransactionID: acct(ctx).lastTransactionID });
  });
  route('PUT', '/accounts/:accountID/orders/:spec', (req, ctx) => withBody(req, (b) => o.dealer.replaceOrder(acct(ctx), req.params.spec!, b, ctx.format, ctx.requestID)), true);
  route('PUT', '/accounts/:accountID/orders/:spec/cancel', (req, ctx) => o.dealer.cancelOrder(acct(ctx), req.params.spec!, ctx.requestID), true);
  route('PUT', '/accounts/:accountID/orders/:spec/clientExtensions', (req, ctx) => withBody(req, (b) => o.dealer.orderClientExtensions(acct(ctx), req.params.spec!, b, ctx.requestID)), true);

  route('GET', '/accounts/:accountID/trades', (req, ctx) => listTrades(acct(ctx), req.query, false));
  route('GET', '/accounts/:accountID/openTrades', (req, ctx) => listTrades(acct(ctx), req.query, true));
  route('GET', '/accounts/:accountID/trades/:spec', (req, ctx) => {
    const t = acct(ctx).tradeBySpecifier(req.params.spec!);
    if (t === undefined) return reply(404, { errorCode: 'TRADE_DOESNT_EXIST', errorMessage: 'The trade ID specified does not exist' });
    return reply(200, { trade: tradeJson(acct(ctx), m, t), lastTransactionID: acct(ctx).lastTransactionID });
  });
  route('PUT', '/accounts/:accountID/trades/:spec/close', (req, ctx) => withBody(req, (b) => o.dealer.closeTrade(acct(ctx), req.params.spec!, b, ctx.requestID)), true);

  route('GET', '/accounts/:accountID/positions', (_req, ctx) => reply(200, { positions: positionInstruments(acct(ctx), false).map((i) => positionJson(acct(ctx), m, i)), lastTransactionID: acct(ctx).lastTransactionID }));
  route('GET', '/accounts/:accountID/openPositions', (_req, ctx) => reply(200, { positions: positionInstruments(acct(ctx), true).map((i) => positionJson(acct(ctx), m, i)), lastTransactionID: acct(ctx).lastTransactionID }));
  route('GET', '/accounts/:accountID/positions/:instrument', (req, ctx) => {
    const i = req.params.instrument!;
    if (!m.instruments.has(i)) return reply(400, { errorCode: 'INSTRUMENT_UNKNOWN', errorMessage: 'Invalid value specified for instrument' });
    return reply(200, { position: positionJson(acct(ctx), m, i), lastTransactionID: acct(ctx).lastTransactionID });
  });
  route('PUT', '/accounts/:accountID/positions/:instrument/close', (req, ctx) => withBody(req, (b) => o.dealer.closePosition(acct(ctx), req.params.instrument!, b, ctx.requestID)), true);

  route('GET', '/accounts/:accountID/transactions', (req, ctx) => {
    // The pages form: which transactions lie in [from, to] (times), as idrange URLs of pageSize each.
    const a = acct(ctx);
    const from = req.query.get('from');
    const to = req.query.get('to');
    const pageSize = Number(req.query.get('pageSize') ?? '100');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return reply(400, { errorMessage: "Invalid value specified for 'pageSize'" });
    const f = from === null ? a.createdTime : parseTime(from, ctx.format);
    const t = to === null ? nanosAt(o.nowMs()) : parseTime(to, ctx.format);
    if (f === undefined || t === undefined) return reply(400, { errorMessage: "Invalid value specified for 'from' or 'to'" });
    const types = req.query.get('type')?.split(',');
    const ids = a.transactions.filter((x) => x.time >= f && x.time <= t && (types === undefined || types.includes(x.type))).map((x) => Number(x.id));
    const pages: string[] = [];
    for (let k = 0; k < ids.length; k += pageSize) {
      const page = ids.slice(k, k + pageSize);
      pages.push(`${req.raw.headers.host === undefined ? '' : `http://${req.raw.headers.host}`}/v3/accounts/${a.id}/transactions/idrange?from=${page[0]}&to=${page.at(-1)}${types === undefined ? '' : `&type=${types.join(',')}`}`);
    }
    return reply(200, { from: f, to: t, pageSize, ...(types !== undefined ? { type: types } : {}), count: ids.length, pages, lastTransactionID: a.lastTransactionID });
  });
  route('GET', '/accounts/:accountID/transactions/idrange', (req, ctx) => {
    const from = req.query.get('from');
    const to = req.query.get('to');
    if (from === null || to === null || !/^\d+$/.test(from) || !/^\d+$/.test(to)) return reply(400, { errorMessage: "Invalid value specified for 'from' or 'to'" });
    const types = req.query.get('type')?.split(',');
    const txs = acct(ctx).range(Number(from), Number(to)).filter((t) => types === undefined || types.includes(t.type));
    return reply(200, { transactions: txs, lastTransactionID: acct(ctx).lastTransactionID });
  });
  route('GET', '/accounts/:accountID/transactions/sinceid', (req, ctx) => {
    const id = req.query.get('id');
    if (id === null || !/^\d+$/.test(id)) return reply(400, { errorMessage: "Invalid value specified for 'id'" });
    return reply(200, { transactions: acct(ctx).range(Number(id) + 1, Number.MAX_SAFE_INTEGER), lastTransactionID: acct(ctx).lastTransactionID });
  });
  route('GET', '/accounts/:accountID/transactions/:transactionID', (req, ctx) => {
    const t = acct(ctx).transactions.find((x) => x.id === req.params.transactionID);
    if (t === undefined) return reply(404, { errorMessage: 'The transaction ID specified does not exist' });
    return reply(200, { transaction: t, lastTransactionID: acct(ctx).lastTransactionID });
  });

  route('GET', '/accounts/:accountID/pricing', (req, ctx) => {
    const names = req.query.get('instruments')?.split(',').filter((s) => s !== '');
    if (names === undefined || names.length === 0 || names.some((n) => !m.instruments.has(n))) return reply(400, { errorMessage: "Invalid value specified for 'instruments'" });
    const prices = names.filter((n) => m.quote(n) !== undefined).map((n) => priceJson(acct(ctx), n));
    const body: Record<string, unknown> = { prices, time: nanosAt(o.nowMs()) };
    if (req.query.get('includeHomeConversions') === 'true') body.homeConversions = homeConversions(acct(ctx));
    return reply(200, body);
  });

  const candles: Handler = (req, ctx) => {
    const i = req.params.instrument!;
    if (!m.instruments.has(i)) return reply(400, { errorMessage: "Invalid value specified for 'instrument'" });
    const r = o.candles.query(i, req.query, ctx.format);
    return r.ok ? reply(200, r.body) : reply(400, { errorMessage: r.message });
  };
  route('GET', '/instruments/:instrument/candles', candles);
  route('GET', '/accounts/:accountID/instruments/:instrument/candles', candles);

  // ---- views -----------------------------------------------------------------------------------

  /** v20 `ClientPrice` of `instrument` for account `a` (closeout prices: the last level of each side). */
  function priceJson(a: Account, instrument: string): Record<string, unknown> {
    const q = m.quote(instrument)!;
    const i = m.instruments.get(instrument)!;
    const dp = i.spec.displayPrecision;
    const levels = (ls: typeof q.bids): Record<string, unknown>[] => ls.map((l) => ({ price: priceText(l.price, dp), liquidity: l.liquidity }));
    const conv = m.conversion(i.quote, a.currency);
    return {
      type: 'PRICE',
      instrument,
      time: q.time,
      status: 'tradeable',
      tradeable: q.bids.length > 0 && q.asks.length > 0,
      bids: levels(q.bids),
      asks: levels(q.asks),
      closeoutBid: q.bids.length > 0 ? priceText(q.bids.at(-1)!.price, dp) : undefined,
      closeoutAsk: q.asks.length > 0 ? priceText(q.asks.at(-1)!.price, dp) : undefined,
      ...(conv !== undefined ? { quoteHomeConversionFactors: { positiveUnits: conv.toDecimalPlaces(8).toString(), negativeUnits: conv.toDecimalPlaces(8).toString() } } : {}),
    };
  }

  function homeConversions(a: Account): Record<string, unknown>[] {
    const currencies = new Set<string>();
    for (const i of m.instruments.values()) currencies.add(i.base).add(i.quote);
    const out: Record<string, unknown>[] = [];
    for (const c of currencies) {
      const f = m.conversion(c, a.currency);
      if (f === undefined) continue;
      const t = f.toDecimalPlaces(8).toString();
      out.push({ currency: c, accountGain: t, accountLoss: t, positionValue: t });
    }
    return out;
  }

  function listOrders(a: Account, q: URLSearchParams, pendingOnly: boolean): Reply {
    const state = pendingOnly ? 'PENDING' : (q.get('state') ?? 'PENDING');
    if (!['PENDING', 'FILLED', 'TRIGGERED', 'CANCELLED', 'ALL'].includes(state)) return reply(400, { errorMessage: "Invalid value specified for 'state'" });
    const count = Number(q.get('count') ?? '50');
    if (!Number.isInteger(count) || count < 1 || count > 500) return reply(400, { errorMessage: "Invalid value specified for 'count'" });
    const ids = q.get('ids')?.split(',');
    const instrument = q.get('instrument');
    const before = q.get('beforeID');
    const list = [...a.orders.values()]
      .filter((x) => (state === 'ALL' || x.state === state) && (ids === undefined || ids.includes(x.id)) && (instrument === null || x.instrument === instrument) && (before === null || Number(x.id) < Number(before)))
      .sort((x, y) => Number(y.id) - Number(x.id))
      .slice(0, pendingOnly ? undefined : count);
    return reply(200, { orders: list.map((x) => orderJson(x, m)), lastTransactionID: a.lastTransactionID });
  }

  function listTrades(a: Account, q: URLSearchParams, openOnly: boolean): Reply {
    const state = openOnly ? 'OPEN' : (q.get('state') ?? 'OPEN');
    if (!['OPEN', 'CLOSED', 'CLOSE_WHEN_TRADEABLE', 'ALL'].includes(state)) return reply(400, { errorMessage: "Invalid value specified for 'state'" });
    const count = Number(q.get('count') ?? '50');
    if (!Number.isInteger(count) || count < 1 || count > 500) return reply(400, { errorMessage: "Invalid value specified for 'count'" });
    const ids = q.get('ids')?.split(',');
    const instrument = q.get('instrument');
    const before = q.get('beforeID');
    const list = [...a.trades.values()]
      .filter((t) => (state === 'ALL' || t.state === state) && (ids === undefined || ids.includes(t.id)) && (instrument === null || t.instrument === instrument) && (before === null || Number(t.id) < Number(before)))
      .sort((x, y) => Number(y.id) - Number(x.id))
      .slice(0, openOnly ? undefined : count);
    return reply(200, { trades: list.map((t) => tradeJson(a, m, t)), lastTransactionID: a.lastTransactionID });
  }

  /** GET /changes?sinceTransactionID: what the transactions after that id changed, and the state now. */
  function changes(a: Account, since: string | null): Reply {
    if (since === null || !/^\d+$/.test(since)) return reply(400, { errorMessage: "Invalid value specified for 'sinceTransactionID'" });
    if (Number(since) > Number(a.lastTransactionID)) return reply(416, { errorMessage: 'The sinceTransactionID is beyond the last transaction' });
    const txs = a.range(Number(since) + 1, Number.MAX_SAFE_INTEGER);
    const ids = new Set(txs.map((t) => t.id));
    const orders = [...a.orders.values()];
    const trades = [...a.trades.values()];
    const touched = new Set(txs.filter((t) => t.type === 'ORDER_FILL').map((t) => t.instrument as string));
    const closingIn = (t: (typeof trades)[number]): boolean => t.closingTransactionIDs.some((id) => ids.has(id));
    return reply(200, {
      changes: {
        ordersCreated: orders.filter((x) => ids.has(x.id)).map((x) => orderJson(x, m)),
        ordersCancelled: orders.filter((x) => x.cancellingTransactionID !== undefined && ids.has(x.cancellingTransactionID)).map((x) => orderJson(x, m)),
        ordersFilled: orders.filter((x) => x.fillingTransactionID !== undefined && ids.has(x.fillingTransactionID)).map((x) => orderJson(x, m)),
        ordersTriggered: [],
        tradesOpened: trades.filter((t) => ids.has(t.id)).map((t) => tradeJson(a, m, t)),
        tradesReduced: trades.filter((t) => t.state === 'OPEN' && closingIn(t)).map((t) => tradeJson(a, m, t)),
        tradesClosed: trades.filter((t) => t.state === 'CLOSED' && closingIn(t)).map((t) => tradeJson(a, m, t)),
        positions: [...touched].map((i) => positionJson(a, m, i)),
        transactions: txs,
      },
      state: {
        ...stateJson(a, m, o.closeoutRatio),
        orders: [],
        trades: a.openTrades().map((t) => ({ id: t.id, unrealizedPL: money(tradeUnrealized(a, m, t)), marginUsed: (tradeJson(a, m, t).marginUsed as string) })),
        positions: positionInstruments(a, true).map((i) => {
          const p = positionJson(a, m, i) as { unrealizedPL: string; marginUsed: string; long: { unrealizedPL: string }; short: { unrealizedPL: string } };
          return { instrument: i, netUnrealizedPL: p.unrealizedPL, longUnrealizedPL: p.long.unrealizedPL, shortUnrealizedPL: p.short.unrealizedPL, marginUsed: p.marginUsed };
        }),
      },
      lastTransactionID: a.lastTransactionID,
    });
  }

  // ---- streams ---------------------------------------------------------------------------------

  async function openStream(req: RoutedRequest, res: ServerResponse, kind: 'pricing' | 'transactions' | undefined): Promise<void> {
    log(req);
    const requestID = o.dealer.requestId();
    const format0 = datetimeFormatOf(req.headers['accept-datetime-format']);
    const early = { format: format0 ?? 'RFC3339', requestID } as const;
    if (newConnectionRefused(seenStream, o.newConnections.stream, req.raw.socket)) return send(res, reply(429, CONNECTION_RATE_LIMITED), early);
    if (kind === undefined) return send(res, reply(404, { errorMessage: 'The requested resource could not be found.' }), early);
    if (format0 === undefined) return send(res, reply(400, { errorMessage: "Invalid value specified for 'Accept-Datetime-Format'" }), early);
    const auth = authorize(req, req.params.accountID);
    if ('status' in auth) return send(res, auth, early);
    const a = auth.account!;
    if (o.streams.count >= o.maxStreams) return send(res, reply(429, TOO_MANY_STREAMS), early);
    if (kind === 'transactions') {
      o.streams.open(res, 'transactions', a, new Set(), format0, { RequestID: requestID }, []);
      return;
    }
    const names = req.query.get('instruments')?.split(',').filter((s) => s !== '');
    if (names === undefined || names.length === 0 || names.some((n) => !m.instruments.has(n))) return send(res, reply(400, { errorMessage: "Invalid value specified for 'instruments'" }), early);
    const snapshot = req.query.get('snapshot') === 'false' ? [] : names.filter((n) => m.quote(n) !== undefined).map((n) => priceJson(a, n));
    o.streams.open(res, 'pricing', a, new Set(names), format0, { RequestID: requestID }, snapshot);
  }
  streamRouter.on('GET', '/v3/accounts/:accountID/pricing/stream', (req, res) => openStream(req, res, 'pricing'));
  streamRouter.on('GET', '/v3/accounts/:accountID/transactions/stream', (req, res) => openStream(req, res, 'transactions'));

  return { rest: rest.handle, stream: streamRouter.handle, priceView: priceJson };
}
