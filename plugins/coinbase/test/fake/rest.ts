/**
 * The REST API under `/api/v3/brokerage`: every request is logged, screened by the fault plan and
 * the rate limits (30/s private, 10/s public, sliding; `x-ratelimit-*` headers on every answer),
 * private ones have their JWT verified (`uri` = "METHOD host/path", no query), then served.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Decimal } from '@autotrader/core';
import { HttpRouter, sendJson, type BackoffGate, type FaultPlan, type FakeRequest, type RequestLog, type RoutedRequest, type SlidingWindowCounter } from '@autotrader/testkit/fake-venue';
import { OrderFailure, type MatchingEngine } from './engine';
import { verifyCdpJwt, type CdpKey } from './jwt';
import { parseOrderConfiguration, type OrderRecord } from './orders';
import { productJson, type Product } from './products';
import { fillJson, orderJson, rfc3339 } from './wire';
import type { Candle, CandleStore } from './candles';
import type { Ledger } from '@autotrader/testkit/fake-venue';

/** Where REST lives. */
export const API_PREFIX = '/api/v3/brokerage';

/** An answer: status and JSON body. */
interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** Coinbase's error body for non-order errors (`{error, error_details, message}`). */
export function errorBody(error: string, message: string): Record<string, unknown> {
  return { error, error_details: message, message };
}

/** REST wiring. */
export interface RestOptions {
  readonly engine: MatchingEngine;
  readonly products: ReadonlyMap<string, Product>;
  readonly ledger: Ledger;
  readonly candles: CandleStore;
  readonly keys: readonly CdpKey[];
  /** Hosts accepted in the `uri` claim (the fake's own `127.0.0.1:<port>` plus any configured). */
  readonly uriHosts: () => readonly string[];
  readonly faults: FaultPlan<FakeRequest>;
  readonly gate: BackoffGate;
  readonly privateLimit: SlidingWindowCounter;
  readonly publicLimit: SlidingWindowCounter;
  readonly log: RequestLog<FakeRequest>;
  readonly now: () => number;
  readonly hold: (res: ServerResponse) => void;
  /** What GET /key_permissions reports. */
  readonly permissions: KeyPermissions;
}

/** What an API key may do. */
export interface KeyPermissions {
  readonly canView: boolean;
  readonly canTrade: boolean;
  readonly canTransfer: boolean;
}

/** The default portfolio's uuid (`/key_permissions`). */
export const FAKE_PORTFOLIO_UUID = '8bfc20d7-f7c6-4422-bf07-8243ca4169fe';

type Handler = (req: RoutedRequest) => Reply;

/** Builds the HTTP `onRequest` hook. */
export function createRest(o: RestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new HttpRouter((req, res) => serve(req, res, false, () => ({ status: 404, body: errorBody('NOT_FOUND', 'Not Found') })));
  const route = (method: string, path: string, isPrivate: boolean, h: Handler): void => {
    router.on(method, API_PREFIX + path, (req, res) => serve(req, res, isPrivate, h));
  };

  function rateHeaders(limit: SlidingWindowCounter): Record<string, string> {
    const used = limit.used();
    return {
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-remaining': String(Math.max(0, limit.limit - used)),
      'x-ratelimit-reset': String(Math.ceil((o.now() + limit.retryAfterMs(limit.limit)) / 1000)),
    };
  }

  function serve(req: RoutedRequest, res: ServerResponse, isPrivate: boolean, h: Handler): void {
    const params: Record<string, string> = {};
    for (const [k, v] of req.query) params[k] = params[k] === undefined ? v : `${params[k]},${v}`;
    if (req.body !== '') params.body = req.body;
    const seen: FakeRequest = { transport: 'rest', method: req.method, path: req.path, params };
    o.log.record(seen);
    const limit = isPrivate ? o.privateLimit : o.publicLimit;
    const verdict = o.faults.screen(seen, o.gate, {
      ownLimit: () => (limit.tryAdd() ? undefined : Math.max(1, Math.ceil(limit.retryAfterMs() / 1000))),
    });
    const write = (r: Reply, delayMs: number, extra: Record<string, string> = {}): void => sendJson(res, r.status, r.body, { ...rateHeaders(limit), ...extra }, delayMs);
    switch (verdict.kind) {
      case 'drop':
        res.socket?.destroy();
        return;
      case 'banned':
      case 'throttled':
        write({ status: 429, body: errorBody('RESOURCE_EXHAUSTED', 'Too many requests') }, verdict.delayMs, { 'Retry-After': String(verdict.retryAfterSec) });
        return;
      case 'serverError':
        write({ status: verdict.status, body: errorBody('INTERNAL', 'Internal server error') }, verdict.delayMs);
        return;
      case 'process': {
        const reply = run(req, isPrivate, h);
        const after = verdict.after;
        if (after.kind === 'hold') o.hold(res);
        else if (after.kind === 'serverError') write({ status: after.status, body: errorBody('INTERNAL', 'Internal server error') }, after.delayMs);
        else write(reply, after.delayMs);
      }
    }
  }

  function run(req: RoutedRequest, isPrivate: boolean, h: Handler): Reply {
    if (isPrivate) {
      const auth = req.headers.authorization;
      const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
      const check = verifyCdpJwt(token, o.keys, { nowMs: o.now(), uris: o.uriHosts().map((h) => `${req.method} ${h}${req.path}`) });
      // Coinbase answers a bad token with 401 and says no more; the reason goes in error_details for the fake's tests.
      if (!check.ok) return { status: 401, body: errorBody('UNAUTHENTICATED', check.reason) };
    }
    return h(req);
  }

  const ok = (body: unknown): Reply => ({ status: 200, body });
  const invalid = (message: string): Reply => ({ status: 400, body: errorBody('INVALID_ARGUMENT', message) });
  const productOf = (id: string): Product | undefined => o.products.get(id);
  const productReply = (p: Product): unknown => productJson(p, o.engine.lastPrice(p.id), o.engine.bestBid(p.id), o.engine.bestAsk(p.id));

  const listProducts: Handler = (req) => {
    const ids = req.query.getAll('product_ids');
    const list = [...o.products.values()].filter((p) => ids.length === 0 || ids.includes(p.id));
    return ok({ products: list.map(productReply), num_products: list.length });
  };
  const oneProduct: Handler = (req) => {
    const p = productOf(req.params.productId!);
    return p === undefined ? { status: 404, body: errorBody('NOT_FOUND', 'product not found') } : ok(productReply(p));
  };
  const candles: Handler = (req) => {
    const p = productOf(req.params.productId!);
    if (p === undefined) return { status: 404, body: errorBody('NOT_FOUND', 'product not found') };
    const start = Number(req.query.get('start'));
    const end = Number(req.query.get('end'));
    const granularity = req.query.get('granularity') ?? '';
    const seconds = o.candles.granularitySeconds(granularity);
    if (seconds === undefined) return invalid(`granularity ${granularity} is not supported`);
    if (!Number.isInteger(start) || !Number.isInteger(end) || end < start) return invalid('start and end are unix seconds, start <= end');
    const limitText = req.query.get('limit');
    const limit = limitText === null ? 350 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 350) return invalid('limit must be 1 to 350');
    if ((end - start) / seconds > 350) return invalid('number of candles requested should be less than 350');
    const rows: Candle[] = o.candles.range(p.id, granularity, start, end).slice(0, limit);
    return ok({ candles: rows.map((c) => ({ start: String(c.start), low: c.low, high: c.high, open: c.open, close: c.close, volume: c.volume })) });
  };

  route('GET', '/time', false, () => {
    const ms = o.now();
    return ok({ iso: new Date(ms).toISOString(), epochSeconds: String(Math.floor(ms / 1000)), epochMillis: String(ms) });
  });
  route('GET', '/market/products', false, listProducts);
  route('GET', '/market/products/:productId', false, oneProduct);
  route('GET', '/market/products/:productId/candles', false, candles);
  route('GET', '/products', true, listProducts);
  route('GET', '/products/:productId', true, oneProduct);
  route('GET', '/products/:productId/candles', true, candles);

  route('GET', '/accounts', true, (req) => {
    const limit = Number(req.query.get('limit') ?? '49');
    if (!Number.isInteger(limit) || limit < 1 || limit > 250) return invalid('limit must be 1 to 250');
    const assets = o.ledger.assets();
    const start = Number(req.query.get('cursor') ?? '0') || 0;
    const page = assets.slice(start, start + limit);
    const more = start + limit < assets.length;
    return ok({
      accounts: page.map((currency) => ({
        uuid: accountUuid(currency),
        name: `${currency} Wallet`,
        currency,
        available_balance: { value: o.ledger.free(currency).toString(), currency },
        default: true,
        active: true,
        created_at: '2024-01-01T00:00:00Z',
        updated_at: rfc3339(o.ledger.updateTime()),
        deleted_at: null,
        type: currency === 'USD' || currency === 'EUR' || currency === 'GBP' ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO',
        ready: true,
        hold: { value: o.ledger.locked(currency).toString(), currency },
        retail_portfolio_id: '',
      })),
      has_next: more,
      cursor: more ? String(start + limit) : '',
      size: page.length,
    });
  });

  // GET /key_permissions: what the key may do (Coinbase's docs: can_view, can_trade, can_transfer, portfolio).
  route('GET', '/key_permissions', true, () =>
    ok({ can_view: o.permissions.canView, can_trade: o.permissions.canTrade, can_transfer: o.permissions.canTransfer, portfolio_uuid: FAKE_PORTFOLIO_UUID, portfolio_type: 'DEFAULT' }),
  );

  route('POST', '/orders', true, (req) => {
    if (!o.permissions.canTrade) return { status: 403, body: errorBody('PERMISSION_DENIED', 'Missing required scopes') };
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(req.body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid('body must be a JSON object');
      body = parsed as Record<string, unknown>;
    } catch {
      return invalid('body is not valid JSON');
    }
    const config = body.order_configuration;
    const failure = (error: string, message: string, preview?: string): Reply =>
      ok({
        success: false,
        failure_reason: 'UNKNOWN_FAILURE_REASON',
        order_id: '',
        error_response: {
          error,
          message,
          error_details: message,
          preview_failure_reason: preview ?? 'UNKNOWN_PREVIEW_FAILURE_REASON',
          new_order_failure_reason: preview === undefined ? error : 'UNKNOWN_FAILURE_REASON',
        },
        order_configuration: config,
      });
    const clientOrderId = body.client_order_id;
    if (typeof clientOrderId !== 'string' || clientOrderId === '') return invalid('client_order_id is required');
    const accepted = (order: OrderRecord): Reply =>
      ok({
        success: true,
        // Legacy top-level fields real answers still carry (coinbase-advanced-py issue #49).
        failure_reason: 'UNKNOWN_FAILURE_REASON',
        order_id: order.orderId,
        success_response: { order_id: order.orderId, product_id: order.productId, side: order.side, client_order_id: order.clientOrderId },
        order_configuration: order.configuration,
      });
    // A repeated client_order_id returns the order that holds it, whatever the rest of the request says.
    const existing = o.engine.orderWithClientId(clientOrderId);
    if (existing !== undefined) return accepted(existing);
    if (typeof body.product_id !== 'string') return invalid('product_id is required');
    const product = productOf(body.product_id);
    if (body.side !== 'BUY' && body.side !== 'SELL') return failure('INVALID_SIDE', 'side must be BUY or SELL');
    const spec = parseOrderConfiguration(config);
    if ('kind' in spec) return spec.kind === 'invalid' ? invalid(spec.message) : failure('UNSUPPORTED_ORDER_CONFIGURATION', spec.message);
    if (product === undefined) return failure('INVALID_PRODUCT_ID', `product ${body.product_id} not found`);
    try {
      return accepted(o.engine.create({ clientOrderId, product, side: body.side, spec, configuration: config as Record<string, Record<string, unknown>> }).order);
    } catch (e) {
      if (!(e instanceof OrderFailure)) throw e;
      return failure(e.reason, e.message, e.preview);
    }
  });

  route('POST', '/orders/batch_cancel', true, (req) => {
    let ids: unknown;
    try {
      ids = (JSON.parse(req.body) as { order_ids?: unknown }).order_ids;
    } catch {
      return invalid('body is not valid JSON');
    }
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100 || !ids.every((x) => typeof x === 'string')) return invalid('order_ids must list 1 to 100 order ids');
    return ok({
      results: (ids as string[]).map((id) => {
        const reason = o.engine.cancel(id);
        return { success: reason === undefined, failure_reason: reason ?? 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: id };
      }),
    });
  });

  route('POST', '/orders/edit', true, (req) => {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return invalid('body is not valid JSON');
    }
    const dec = /^[0-9]+(\.[0-9]+)?$/;
    if (typeof b.order_id !== 'string' || typeof b.price !== 'string' || typeof b.size !== 'string' || !dec.test(b.price) || !dec.test(b.size)) return invalid('order_id, price and size are required');
    try {
      o.engine.edit(b.order_id, new Decimal(b.price), new Decimal(b.size), o.products);
      return ok({ success: true, errors: [] });
    } catch (e) {
      if (!(e instanceof OrderFailure)) throw e;
      return ok({ success: false, errors: [{ edit_failure_reason: e.reason, preview_failure_reason: e.preview ?? 'UNKNOWN_PREVIEW_FAILURE_REASON' }] });
    }
  });

  route('GET', '/orders/historical/batch', true, (req) => {
    o.engine.expireDue();
    const statuses = req.query.getAll('order_status');
    const products = req.query.getAll('product_ids');
    const orderIds = req.query.getAll('order_ids');
    const limit = Number(req.query.get('limit') ?? '100');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return invalid('limit must be 1 to 1000');
    const cursor = Number(req.query.get('cursor') ?? '0') || 0;
    // Newest first, as Coinbase lists them.
    const all = [...o.engine.orders()]
      .reverse()
      .filter((x) => (statuses.length === 0 || statuses.includes(x.status)) && (products.length === 0 || products.includes(x.productId)) && (orderIds.length === 0 || orderIds.includes(x.orderId)));
    const page = all.slice(cursor, cursor + limit);
    const more = cursor + limit < all.length;
    return ok({ orders: page.map(orderJson), sequence: '0', has_next: more, cursor: more ? String(cursor + limit) : '' });
  });

  route('GET', '/orders/historical/fills', true, (req) => {
    const orderIds = [...req.query.getAll('order_ids'), ...req.query.getAll('order_id')];
    const products = [...req.query.getAll('product_ids'), ...req.query.getAll('product_id')];
    const from = req.query.get('start_sequence_timestamp');
    const to = req.query.get('end_sequence_timestamp');
    const limit = Number(req.query.get('limit') ?? '100');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return invalid('limit must be 1 to 1000');
    const cursorText = req.query.get('cursor');
    const before = cursorText === null || cursorText === '' ? Infinity : Number(cursorText);
    if (!Number.isFinite(before) && cursorText) return invalid('cursor is not valid');
    const fromMs = from ? Date.parse(from) : -Infinity;
    const toMs = to ? Date.parse(to) : Infinity;
    // Newest first; the cursor is the position of the last fill returned, so fills printed while
    // a client pages never shift its pages.
    const all = [...o.engine.fills()]
      .reverse()
      .filter((f) => f.seq < before && (orderIds.length === 0 || orderIds.includes(f.orderId)) && (products.length === 0 || products.includes(f.productId)) && f.time >= fromMs && f.time <= toMs);
    const page = all.slice(0, limit);
    const more = all.length > limit;
    return ok({ fills: page.map(fillJson), cursor: more ? String(page[page.length - 1]!.seq) : '' });
  });

  route('GET', '/orders/historical/:orderId', true, (req) => {
    o.engine.expireDue();
    const order = o.engine.order(req.params.orderId!);
    if (order === undefined) return { status: 404, body: errorBody('NOT_FOUND', 'order with this orderID was not found') };
    return ok({ order: orderJson(order) });
  });

  return router.handle;
}

/** A stable uuid-shaped account id per currency. */
function accountUuid(currency: string): string {
  const hex = Buffer.from(currency.padEnd(16, '\0')).toString('hex').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
