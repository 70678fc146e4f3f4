/**
 * The WebSocket API (`/ws-api/v3`, web-socket-api.md): request frames `{id, method, params}`,
 * response frames `{id, status, result | error, rateLimits}`, signed requests checked with the
 * sorted-params rule, and user data events `{"subscriptionId": N, "event": {...}}` to sessions
 * subscribed with `userDataStream.subscribe.signature`.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { UserEvent } from './engine';
import { binanceErrors } from './errors';
import type { FaultPlan } from './faults';
import type { Gateway, GatewayOutcome } from './gateway';
import { startHeartbeat, type HeartbeatOptions } from './heartbeat';
import type { RateLimiter } from './limits';
import type { UserStreamSession } from './operations';
import { wsApiSignaturePayload, wsParamText } from './signing';

/** The WebSocket API path. */
export const WS_API_PATH = '/ws-api/v3';

/** Weight a new WebSocket API connection costs (web-socket-api.md). */
const CONNECT_WEIGHT = 2;

/** WebSocket API wiring. */
export interface WsApiOptions {
  readonly gateway: Gateway;
  readonly faults: FaultPlan;
  readonly limiter: RateLimiter;
  readonly heartbeat: HeartbeatOptions;
  readonly now: () => number;
}

/** WebSocket API sessions. */
export class WsApi {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<WebSocket, UserStreamSession>();
  private readonly stopHeartbeat: () => void;

  constructor(private readonly o: WsApiOptions) {
    this.stopHeartbeat = startHeartbeat(() => this.sessions.keys(), o.heartbeat);
  }

  /** Accepts an upgrade to `/ws-api/v3`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session: UserStreamSession = {
        subscriptions: [],
        nextSubscriptionId: 0,
        send: (frame) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
        },
      };
      this.sessions.set(ws, session);
      this.o.limiter.addWeight(CONNECT_WEIGHT);
      ws.on('message', (data, isBinary) => this.onMessage(ws, session, data, isBinary));
      ws.on('close', () => this.sessions.delete(ws));
      ws.on('error', () => ws.terminate());
    });
  }

  /**
   * Sends one action's user data events to every subscription. With the duplicate fault armed, the
   * execution reports of the batch are sent twice and the first two are swapped.
   */
  pushUserEvents(batch: readonly UserEvent[]): void {
    let events = batch;
    if (this.o.faults.duplicateReports) {
      const reports = batch.filter((e) => e.e === 'executionReport');
      if (reports.length > 0) {
        this.o.faults.duplicateReports = false;
        const swapped = reports.length >= 2 ? [reports[1] as UserEvent, reports[0] as UserEvent, ...reports.slice(2)] : reports;
        events = [...swapped, ...swapped, ...batch.filter((e) => e.e !== 'executionReport')];
      }
    }
    for (const s of this.sessions.values()) {
      for (const subscriptionId of s.subscriptions) for (const event of events) s.send({ subscriptionId, event });
    }
  }

  /** Sends one event frame that breaks the schema to every subscription; returns how many got it. */
  sendMalformedUserData(): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      for (const subscriptionId of s.subscriptions) {
        s.send({ subscriptionId, event: { e: 'executionReport', E: 'not-a-timestamp', s: 42, x: null } });
        n++;
      }
    }
    return n;
  }

  /** Number of open sessions. */
  connectionCount(): number {
    return this.sessions.size;
  }

  /** Terminates every session (subscriptions end with them). */
  dropAll(): void {
    for (const ws of this.sessions.keys()) ws.terminate();
  }

  /** Stops pings and closes every session. */
  close(): void {
    this.stopHeartbeat();
    this.dropAll();
    this.wss.close();
  }

  private rateLimits(placesOrder: boolean): unknown[] {
    const weight = { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: this.o.limiter.weightLimit, count: this.o.limiter.usedWeight() };
    if (!placesOrder) return [weight];
    const c = this.o.limiter.orderCounts();
    return [
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: this.o.limiter.orderLimit10s, count: c.tenSeconds },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: this.o.limiter.orderLimitDay, count: c.day },
      weight,
    ];
  }

  private onMessage(ws: WebSocket, session: UserStreamSession, data: RawData, isBinary: boolean): void {
    let msg: unknown;
    try {
      msg = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      msg = undefined;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      session.send({ id: null, status: 400, error: binanceErrors.invalidJson().body(), rateLimits: this.rateLimits(false) });
      return;
    }
    const { id = null, method, params } = msg as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof method !== 'string' || method === '') {
      session.send({ id, status: 400, error: binanceErrors.mandatory('method').body(), rateLimits: this.rateLimits(false) });
      return;
    }
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      session.send({ id, status: 400, error: binanceErrors.invalidJson().body(), rateLimits: this.rateLimits(false) });
      return;
    }
    const raw = (params ?? {}) as Record<string, unknown>;
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(raw)) if (k !== 'signature') values.set(k, wsParamText(v));
    const outcome = this.o.gateway.handle({
      transport: 'ws-api',
      method: 'WS',
      path: method.startsWith('v3/') ? method.slice(3) : method,
      params: values,
      signature: typeof raw.signature === 'string' ? raw.signature : undefined,
      signaturePayload: wsApiSignaturePayload(raw),
      session,
    });
    this.respond(ws, session, id, outcome);
  }

  private respond(ws: WebSocket, session: UserStreamSession, id: unknown, outcome: GatewayOutcome): void {
    if (outcome.kind === 'drop') {
      ws.terminate();
      return;
    }
    if (outcome.kind === 'hold') return;
    const ok = outcome.status === 200;
    let error = outcome.body as Record<string, unknown>;
    if (!ok && outcome.retryAfterSec !== undefined && (outcome.status === 429 || outcome.status === 418)) {
      const serverTime = this.o.now();
      error = { ...error, data: { serverTime, retryAfter: serverTime + outcome.retryAfterSec * 1000 } };
    }
    const frame = ok
      ? { id, status: outcome.status, result: outcome.body, rateLimits: this.rateLimits(outcome.placesOrder) }
      : { id, status: outcome.status, error, rateLimits: this.rateLimits(outcome.placesOrder) };
    const send = (): void => {
      session.send(frame);
      outcome.after?.();
    };
    if (this.o.faults.delayMs > 0) setTimeout(send, this.o.faults.delayMs);
    else send();
  }
}
