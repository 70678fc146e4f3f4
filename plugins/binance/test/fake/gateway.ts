/**
 * The path every REST and WebSocket API request takes, whatever the transport: request log,
 * injected faults, bans and rate limits, authentication (API key, HMAC signature, timing window),
 * parameter checks, then the operation.
 * @module
 */
import type { FaultPlan, RequestVerdict } from '@autotrader/testkit/fake-venue';
import { BinanceApiError, binanceErrors } from './errors';
import type { FakeRequest } from './faults';
import type { RateLimiter } from './limits';
import type { OpContext, OpResult, Operation, UserStreamSession } from './operations';
import { Params } from './params';
import { signatureMatches } from './signing';

/** One request as a transport hands it over. */
export interface GatewayRequest {
  readonly transport: 'rest' | 'ws-api';
  /** HTTP method; `WS` for the WebSocket API. */
  readonly method: string;
  /** REST path or WebSocket API method (without a `v3/` prefix). */
  readonly path: string;
  /** Parameters, `signature` removed. */
  readonly params: ReadonlyMap<string, string>;
  /** A parse failure found by the transport (duplicate parameter, bad JSON), answered after logging. */
  readonly parseError?: BinanceApiError;
  readonly signature?: string;
  /** What the client had to sign (transport-specific rule). */
  readonly signaturePayload: string;
  /** REST `X-MBX-APIKEY` header. */
  readonly headerApiKey?: string;
  readonly session?: UserStreamSession;
}

/** What the transport must do. */
export type GatewayOutcome =
  | {
      readonly kind: 'reply';
      readonly status: number;
      /** `undefined`: empty body (unknown REST path). */
      readonly body: unknown;
      readonly retryAfterSec?: number;
      readonly placesOrder: boolean;
      readonly after?: () => void;
      /** Write the answer this much later (delayed responses); processing already happened. */
      readonly delayMs: number;
    }
  /** Destroy the connection without answering; the request was not processed. */
  | { readonly kind: 'drop' }
  /** Never answer; the request was processed. */
  | { readonly kind: 'hold' };

/** A logged request. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  /** Wall-clock receive time, epoch ms. */
  readonly at: number;
}

/** Gateway wiring. */
export interface GatewayOptions {
  readonly operations: readonly Operation[];
  readonly faults: FaultPlan<FakeRequest>;
  readonly limiter: RateLimiter;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Server clock (with offset and skew). */
  readonly now: () => number;
}

const RECV_WINDOW_SYNTAX = /^[0-9]{1,10}(\.[0-9]{1,3})?$/;
const MAX_RECV_WINDOW = 60_000;

/** Routes, guards and runs requests. */
export class Gateway {
  private readonly log: LoggedRequest[] = [];
  private readonly restRoutes = new Map<string, Operation>();
  private readonly wsRoutes = new Map<string, Operation>();

  constructor(private readonly o: GatewayOptions) {
    for (const op of o.operations) {
      for (const r of op.rest ?? []) this.restRoutes.set(`${r.method} ${r.path}`, op);
      for (const m of op.ws ?? []) this.wsRoutes.set(m, op);
    }
  }

  /** Every request received, oldest first. */
  requests(): LoggedRequest[] {
    return this.log.map((r) => ({ ...r, params: { ...r.params } }));
  }

  /** Handles one request. Never throws for anything a client sends. */
  handle(req: GatewayRequest): GatewayOutcome {
    const params = Object.fromEntries(req.params);
    this.log.push({ method: req.method, path: req.path, params, at: Date.now() });
    const seen: FakeRequest = { transport: req.transport, method: req.method, path: req.path, params };
    const op = req.transport === 'rest' ? this.restRoutes.get(`${req.method} ${req.path}`) : this.wsRoutes.get(req.path);
    const placesOrder = op?.placesOrder === true;
    // The kit's order: dropped, banned (418), back-off window (429), injected 429, weight (429), injected 5xx, then processed.
    const verdict: RequestVerdict = this.o.faults.screen(seen, this.o.limiter.gate, {
      count: () => this.o.limiter.addWeight(op ? op.weight(new Params(req.params)) : 1),
      ownLimit: () => this.o.limiter.weightRetryAfter(),
    });
    const reply = (e: BinanceApiError, delayMs: number): GatewayOutcome => ({
      kind: 'reply',
      status: e.httpStatus,
      body: e.body(),
      retryAfterSec: e.extra.retryAfterSec,
      placesOrder,
      delayMs,
    });
    switch (verdict.kind) {
      case 'drop':
        return { kind: 'drop' };
      case 'banned':
        return reply(binanceErrors.banned(verdict.until, verdict.retryAfterSec), verdict.delayMs);
      case 'throttled':
        return reply(binanceErrors.tooMuchWeight(this.o.limiter.weightLimit, verdict.retryAfterSec), verdict.delayMs);
      case 'serverError':
        return reply(binanceErrors.server(verdict.status), verdict.delayMs);
      case 'process': {
        const after = verdict.after;
        const outcome = this.execute(req, op, after.kind === 'hold' ? 0 : after.delayMs);
        if (after.kind === 'hold') return { kind: 'hold' };
        // The venue acted, then failed to say so: the client cannot know the outcome.
        if (after.kind === 'serverError') return reply(binanceErrors.server(after.status), after.delayMs);
        return outcome;
      }
    }
  }

  private execute(req: GatewayRequest, op: Operation | undefined, delayMs: number): GatewayOutcome {
    const placesOrder = op?.placesOrder === true;
    try {
      if (req.parseError) throw req.parseError;
      if (!op) {
        if (req.transport === 'rest') return { kind: 'reply', status: 404, body: undefined, placesOrder, delayMs };
        throw binanceErrors.unsupported();
      }
      const p = new Params(req.params);
      const known = new Set(op.params);
      if (op.security === 'SIGNED') {
        this.authenticate(req, p);
        known.add('timestamp').add('recvWindow');
        if (req.transport === 'ws-api') known.add('apiKey');
      }
      p.assertOnly(known);
      if (placesOrder) {
        const hit = this.o.limiter.orderLimitHit();
        if (hit) throw binanceErrors.tooManyOrders(hit.limit, hit.interval, hit.retryAfterSec);
      }
      const ctx: OpContext = { transport: req.transport, session: req.session };
      const result: OpResult = op.run(p, ctx);
      return { kind: 'reply', status: result.status ?? 200, body: result.body, placesOrder, after: result.after, delayMs };
    } catch (e) {
      if (!(e instanceof BinanceApiError)) throw e;
      return { kind: 'reply', status: e.httpStatus, body: e.body(), retryAfterSec: e.extra.retryAfterSec, placesOrder, delayMs };
    }
  }

  /** SIGNED checks in Binance's order: key, mandatory params, recvWindow bound, signature, timing. */
  private authenticate(req: GatewayRequest, p: Params): void {
    if (req.transport === 'rest') {
      if (!req.headerApiKey) throw binanceErrors.badApiKeyFormat();
      if (req.headerApiKey !== this.o.apiKey) throw binanceErrors.rejectedApiKey();
    } else if (p.required('apiKey') !== this.o.apiKey) throw binanceErrors.rejectedApiKey();
    const timestamp = p.integer('timestamp');
    if (timestamp === undefined) throw binanceErrors.mandatory('timestamp');
    if (!req.signature) throw binanceErrors.mandatory('signature');
    const recvText = p.optional('recvWindow');
    let recvWindow = 5000;
    if (recvText !== undefined) {
      if (!RECV_WINDOW_SYNTAX.test(recvText)) throw binanceErrors.illegalChars('recvWindow', RECV_WINDOW_SYNTAX.source);
      recvWindow = Number(recvText);
      if (recvWindow > MAX_RECV_WINDOW) throw binanceErrors.tooLarge('recvWindow', String(MAX_RECV_WINDOW));
    }
    if (!signatureMatches(this.o.apiSecret, req.signaturePayload, req.signature)) throw binanceErrors.badSignature();
    // Timestamps may be sent in microseconds (16 digits).
    const ms = timestamp > 1e14 ? timestamp / 1000 : timestamp;
    const serverTime = this.o.now();
    if (ms >= serverTime + 1000) throw binanceErrors.aheadOfServer();
    if (serverTime - ms > recvWindow) throw binanceErrors.outsideRecvWindow();
  }
}
