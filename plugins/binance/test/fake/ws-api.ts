/**
 * The WebSocket API (`/ws-api/v3`, web-socket-api.md): request frames `{id, method, params}`,
 * response frames `{id, status, result | error, rateLimits}`, signed requests checked with the
 * sorted-params rule, and user data events `{"subscriptionId": N, "event": {...}}` to sessions
 * subscribed with `userDataStream.subscribe.signature`.
 * @module
 */
import { WsEndpoint, type HeartbeatOptions, type ReportShuffle } from '@autotrader/testkit/fake-venue';
import type { RawData, WebSocket } from 'ws';
import type { UserEvent } from './engine';
import { binanceErrors } from './errors';
import type { Gateway, GatewayOutcome } from './gateway';
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
  /** Duplicated and reordered execution reports. */
  readonly reports: ReportShuffle;
  readonly limiter: RateLimiter;
  readonly heartbeat: HeartbeatOptions;
  readonly now: () => number;
}

const isExecutionReport = (e: UserEvent): boolean => e.e === 'executionReport';

/** WebSocket API sessions, on the kit's WebSocket endpoint (connections, server pings, drops). */
export class WsApi {
  /** The endpoint to mount on the loopback server. */
  readonly endpoint: WsEndpoint<UserStreamSession>;

  constructor(private readonly o: WsApiOptions) {
    this.endpoint = new WsEndpoint<UserStreamSession>({
      matches: (url) => url.pathname === WS_API_PATH,
      heartbeat: o.heartbeat,
      onConnect: (ws) => {
        const session: UserStreamSession = {
          subscriptions: [],
          nextSubscriptionId: 0,
          send: (frame) => void this.endpoint.send(ws, frame),
        };
        this.o.limiter.addWeight(CONNECT_WEIGHT);
        return session;
      },
      onMessage: (ws, session, data, isBinary) => this.onMessage(ws, session, data, isBinary),
    });
  }

  /**
   * Sends one action's user data events to every subscription. With the duplicate fault armed, the
   * execution reports of the batch are sent twice and the first two are swapped.
   */
  pushUserEvents(batch: readonly UserEvent[]): void {
    const events = this.o.reports.apply(batch, isExecutionReport);
    for (const s of this.endpoint.clients().values()) {
      for (const subscriptionId of s.subscriptions) for (const event of events) s.send({ subscriptionId, event });
    }
  }

  /** Sends one event frame that breaks the schema to every subscription; returns how many got it. */
  sendMalformedUserData(): number {
    let n = 0;
    for (const s of this.endpoint.clients().values()) {
      for (const subscriptionId of s.subscriptions) {
        s.send({ subscriptionId, event: { e: 'executionReport', E: 'not-a-timestamp', s: 42, x: null } });
        n++;
      }
    }
    return n;
  }

  /** Number of open sessions. */
  connectionCount(): number {
    return this.endpoint.connectionCount();
  }

  /** Terminates every session (subscriptions end with them). */
  dropAll(): void {
    this.endpoint.dropAll();
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
    if (outcome.delayMs > 0) setTimeout(send, outcome.delayMs);
    else send();
  }
}
