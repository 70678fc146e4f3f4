/**
 * The path every REST and WebSocket API request takes, whatever the transport: request log,
 * injected faults, bans and rate limits, authentication (API key, HMAC signature, timing window),
 * parameter checks, then the operation.
 * @module
 */
import { BinanceApiError, binanceErrors } from './errors';
import type { FaultPlan, FakeRequest } from './faults';
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
  readonly faults: FaultPlan;
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
    const fault = this.o.faults.match(seen);
    if (fault?.kind === 'dropRequest') {
      this.o.faults.consume(fault);
      return { kind: 'drop' };
    }
    this.o.limiter.addWeight(op ? op.weight(new Params(req.params)) : 1);
    const reply = (e: BinanceApiError): GatewayOutcome => ({
      kind: 'reply',
      status: e.httpStatus,
      body: e.body(),
      retryAfterSec: e.extra.retryAfterSec,
      placesOrder,
    });
    const now = this.o.now();
    const door = this.o.limiter.admit();
    if (door.kind === 'banned') return reply(binanceErrors.banned(door.until, Math.max(1, Math.ceil((door.until - now) / 1000))));
    if (door.kind === 'backoff') {
      if (fault?.kind === 'rateLimit') this.o.faults.consume(fault);
      return reply(binanceErrors.tooMuchWeight(this.o.limiter.weightLimit, door.retryAfterSec));
    }
    if (fault?.kind === 'rateLimit') {
      this.o.faults.consume(fault);
      this.o.limiter.startBackoff(fault.retryAfterSec, fault.escalateAfter, fault.banSec);
      return reply(binanceErrors.tooMuchWeight(this.o.limiter.weightLimit, fault.retryAfterSec));
    }
    if (door.kind === 'weight') return reply(binanceErrors.tooMuchWeight(this.o.limiter.weightLimit, door.retryAfterSec));
    if (fault?.kind === 'serverError') {
      this.o.faults.consume(fault);
      return reply(binanceErrors.server(fault.status));
    }
    const hold = fault?.kind === 'acceptThenTimeout';
    if (fault && hold) this.o.faults.consume(fault);
    const outcome = this.execute(req, op);
    return hold ? { kind: 'hold' } : outcome;
  }

  private execute(req: GatewayRequest, op: Operation | undefined): GatewayOutcome {
    const placesOrder = op?.placesOrder === true;
    try {
      if (req.parseError) throw req.parseError;
      if (!op) {
        if (req.transport === 'rest') return { kind: 'reply', status: 404, body: undefined, placesOrder };
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
      return { kind: 'reply', status: result.status ?? 200, body: result.body, placesOrder, after: result.after };
    } catch (e) {
      if (!(e instanceof BinanceApiError)) throw e;
      return { kind: 'reply', status: e.httpStatus, body: e.body(), retryAfterSec: e.extra.retryAfterSec, placesOrder };
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
