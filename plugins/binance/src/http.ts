import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { AutotraderError, type ErrorCode, type Logger } from '@autotrader/core';
import { encodeParams, signRestQuery, type Params } from './auth';
import type { BinanceCredentials } from './credentials';

/** HTTP methods the Binance REST API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a request does, which decides how a failure is reported. */
export type RequestKind =
  /** A read: failures are plain. */
  | 'read'
  /** Places, cancels or replaces an order: a 5xx or timeout leaves its outcome unknown. */
  | 'order';

/** Per-request options. */
export interface RequestOptions {
  /** Adds timestamp, recvWindow, signature and the API key header. */
  readonly signed?: boolean;
  readonly kind?: RequestKind;
}

/**
 * The venue's own usage counters, from the `X-MBX-USED-WEIGHT-<n><unit>` and
 * `X-MBX-ORDER-COUNT-<n><unit>` headers of the last response that carried them. Keys are the
 * interval as Binance writes it, lower case (`1m`, `10s`, `1d`).
 */
export interface BinanceUsage {
  readonly usedWeight: Readonly<Record<string, number>>;
  readonly orderCount: Readonly<Record<string, number>>;
  /** When the counters were last updated (local clock, epoch ms); 0 before any response. */
  readonly tsEvent: number;
}

/** What the REST client needs. */
export interface BinanceHttpOptions {
  /** Scheme and host, for example `https://api.binance.com`. */
  readonly baseUrl: string;
  readonly recvWindow: number;
  readonly timeoutMs: number;
  /** The local clock (epoch ms); the venue time is this plus the synced offset. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Returns the credentials or throws AUTH_MISSING; called only for signed requests. */
  readonly credentials: () => BinanceCredentials;
  /** The connection pool to use; one is created (and closed by `close()`) when absent. */
  readonly dispatcher?: Dispatcher;
}

const VENUE_ERROR_BODY = z.object({ code: z.number(), msg: z.string(), data: z.unknown().optional() });
const SERVER_TIME = z.object({ serverTime: z.number() });

/** The error code Binance returns when our timestamp is outside the recvWindow. */
export const INVALID_TIMESTAMP = -1021;

/** The parts of a failed response that decide its error code. */
export interface VenueFailure {
  /** HTTP status (or the WebSocket API's `status`). */
  readonly status: number;
  /** Binance's own error code, when the body had one. */
  readonly code?: number;
  readonly msg?: string;
  /** The Retry-After header (seconds), or the WebSocket API's `data.retryAfter` (epoch ms). */
  readonly retryAfterSeconds?: string | null;
  readonly retryAfterEpochMs?: number;
  /** The error body's `data` (cancelReplace puts both legs' results there). */
  readonly data?: unknown;
  /** What was asked, for the message and details: `GET /api/v3/order`. Never the query. */
  readonly request: string;
  /** The request placed, cancelled or replaced an order. */
  readonly orderRequest: boolean;
}

const FILTER_CODES: Readonly<Record<string, ErrorCode>> = {
  PRICE_FILTER: 'TICK_SIZE',
  PERCENT_PRICE: 'VENUE_REJECTED',
  LOT_SIZE: 'LOT_SIZE',
  MARKET_LOT_SIZE: 'LOT_SIZE',
  MIN_NOTIONAL: 'MIN_NOTIONAL',
  NOTIONAL: 'MIN_NOTIONAL',
};

/** Default wait when a 429 carries no Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1000;

function retryAfterMs(f: VenueFailure, now: number): number {
  const header = f.retryAfterSeconds;
  if (header !== undefined && header !== null && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  if (f.retryAfterEpochMs !== undefined) return Math.max(0, f.retryAfterEpochMs - now);
  const banned = f.msg === undefined ? null : /banned until (\d{10,})/.exec(f.msg);
  if (banned) return Math.max(0, Number(banned[1]) - now);
  return DEFAULT_RETRY_AFTER_MS;
}

function codeFor(f: VenueFailure): ErrorCode {
  if (f.status === 429 || f.status === 418 || f.code === -1003 || f.code === -1015) return 'RATE_LIMITED';
  if (f.code === -1007) return 'VENUE_TIMEOUT';
  if (f.status >= 500) return 'VENUE_UNAVAILABLE';
  switch (f.code) {
    case -1013: {
      const filter = f.msg === undefined ? null : /Filter failure: ([A-Z_]+)/.exec(f.msg);
      return (filter && FILTER_CODES[filter[1]!]) ?? 'VENUE_REJECTED';
    }
    case -2010:
      return f.msg !== undefined && /insufficient balance/i.test(f.msg) ? 'INSUFFICIENT_FUNDS' : 'VENUE_REJECTED';
    case -1121:
      return 'INSTRUMENT_UNKNOWN';
    case -1022:
    case -2014:
    case -2015:
      return 'AUTH_FAILED';
    case -2011:
    case -2013:
      return 'ORDER_UNKNOWN';
    default:
      return f.status === 401 ? 'AUTH_FAILED' : 'VENUE_REJECTED';
  }
}

/**
 * Maps a failed Binance response to a coded error (VENUES.md §1.8). Rate limits carry
 * `details.retryAfterMs`; 5xx answers and venue timeouts on order requests carry
 * `details.outcomeUnknown = true`, because Binance may have acted on them. A timestamp outside the
 * recvWindow (-1021) is retryable: nothing was done, and the retry re-syncs the clock.
 */
export function mapVenueFailure(f: VenueFailure, now: number): AutotraderError {
  const code = codeFor(f);
  const details: Record<string, unknown> = { request: f.request, status: f.status };
  if (f.code !== undefined) details.venueCode = f.code;
  if (f.msg !== undefined) details.venueMessage = f.msg;
  if (f.data !== undefined) details.venueData = f.data;
  if (code === 'RATE_LIMITED') details.retryAfterMs = retryAfterMs(f, now);
  if ((code === 'VENUE_UNAVAILABLE' || code === 'VENUE_TIMEOUT') && f.orderRequest) details.outcomeUnknown = true;
  const venue = f.code === undefined ? `HTTP ${f.status}` : `${f.code} ${f.msg ?? ''}`.trim();
  const what =
    code === 'RATE_LIMITED'
      ? `rate limited; wait ${String(details.retryAfterMs)} ms before the next request`
      : code === 'VENUE_UNAVAILABLE' || code === 'VENUE_TIMEOUT'
        ? f.orderRequest
          ? 'venue failed; the order outcome is unknown, query it before resending'
          : 'venue failed; retry later'
        : f.code === INVALID_TIMESTAMP
          ? 'our timestamp is outside recvWindow even after a clock re-sync; check the local clock or raise recvWindow'
          : 'refused by the venue';
  return new AutotraderError(code, `Binance ${f.request}: ${venue} (${what})`, {
    details,
    retryable: f.code === INVALID_TIMESTAMP ? true : undefined,
  });
}

const USED_WEIGHT = 'x-mbx-used-weight-';
const ORDER_COUNT = 'x-mbx-order-count-';

/** Reads Binance's usage headers; returns undefined when the response had none. */
export function parseUsageHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Pick<BinanceUsage, 'usedWeight' | 'orderCount'> | undefined {
  let usedWeight: Record<string, number> | undefined;
  let orderCount: Record<string, number> | undefined;
  for (const [name, raw] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const value = Number(Array.isArray(raw) ? raw[0] : raw);
    if (!Number.isFinite(value)) continue;
    if (key.startsWith(USED_WEIGHT)) (usedWeight ??= {})[key.slice(USED_WEIGHT.length)] = value;
    else if (key.startsWith(ORDER_COUNT)) (orderCount ??= {})[key.slice(ORDER_COUNT.length)] = value;
  }
  if (usedWeight === undefined && orderCount === undefined) return undefined;
  return { usedWeight: usedWeight ?? {}, orderCount: orderCount ?? {} };
}

function isTimeoutError(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | undefined;
  return e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT' || e?.code === 'UND_ERR_CONNECT_TIMEOUT';
}

/**
 * The signed REST client: timestamps from the venue-synced clock, HMAC or Ed25519 signatures,
 * the `X-MBX-APIKEY` header, usage tracking, and coded errors. On -1021 it re-syncs the clock from
 * `GET /api/v3/time` and retries that one request once; it retries nothing else (order
 * resubmission is the engine's job, with the same client order id).
 */
export class BinanceHttp {
  private offsetMs = 0;
  private lastUsage: BinanceUsage = { usedWeight: {}, orderCount: {}, tsEvent: 0 };
  private readonly usageListeners = new Set<(usage: BinanceUsage) => void>();
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly options: BinanceHttpOptions) {
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  }

  /** Venue time minus local time, as last measured (ms). */
  get timeOffsetMs(): number {
    return this.offsetMs;
  }

  /** The venue's time now, by our estimate. */
  venueNow(): number {
    return Math.round(this.options.now() + this.offsetMs);
  }

  /** The usage counters from the latest response. */
  usage(): BinanceUsage {
    return this.lastUsage;
  }

  /** Calls `listener` after every response that carried usage headers. Returns the unsubscribe function. */
  onUsage(listener: (usage: BinanceUsage) => void): () => void {
    this.usageListeners.add(listener);
    return () => this.usageListeners.delete(listener);
  }

  /** Measures the venue clock offset from `GET /api/v3/time` (midpoint of the round trip). */
  async syncTime(): Promise<number> {
    const before = this.options.now();
    const { serverTime } = await this.send('GET', '/api/v3/time', [], SERVER_TIME, { signed: false, kind: 'read' }, false);
    const after = this.options.now();
    this.offsetMs = serverTime - (before + after) / 2;
    this.options.logger.debug('clock synced with Binance', { offsetMs: this.offsetMs });
    return this.offsetMs;
  }

  /** Sends a request and validates the JSON answer with `schema`. */
  request<S extends z.ZodType>(method: HttpMethod, path: string, params: Params, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
    return this.send(method, path, params, schema, options, true);
  }

  /** Closes the connection pool if this client created it. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async send<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    params: Params,
    schema: S,
    options: RequestOptions,
    mayResync: boolean,
  ): Promise<z.output<S>> {
    const what = `${method} ${path}`;
    const orderRequest = options.kind === 'order';
    const headers: Record<string, string> = { accept: 'application/json' };
    let query: string;
    if (options.signed) {
      const creds = this.options.credentials();
      headers['x-mbx-apikey'] = creds.apiKey;
      query = signRestQuery([...params, ['recvWindow', this.options.recvWindow], ['timestamp', this.venueNow()]], creds.signer);
    } else {
      query = encodeParams(params);
    }
    const url = `${this.options.baseUrl}${path}${query.length > 0 ? '?' + query : ''}`;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    let status: number;
    let text: string;
    let responseHeaders: Record<string, string | string[] | undefined>;
    try {
      const res = await request(url, { method, headers, dispatcher: this.dispatcher, signal: controller.signal });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await res.body.text();
    } catch (error) {
      const timeout = timedOut || isTimeoutError(error);
      const code: ErrorCode = timeout ? 'VENUE_TIMEOUT' : 'VENUE_UNAVAILABLE';
      const reason = timeout ? `no answer within ${this.options.timeoutMs} ms` : `${(error as Error).message ?? String(error)}`;
      throw new AutotraderError(
        code,
        `Binance ${what}: ${reason} (${orderRequest ? 'the order outcome is unknown, query it before resending' : 'retry later'})`,
        { cause: error, details: { request: what, ...(orderRequest ? { outcomeUnknown: true } : {}) } },
      );
    } finally {
      clearTimeout(timer);
    }

    this.recordUsage(responseHeaders);
    let json: unknown;
    try {
      json = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }

    if (status < 200 || status >= 300) {
      const body = VENUE_ERROR_BODY.safeParse(json);
      const retryAfter = responseHeaders['retry-after'];
      const failure: VenueFailure = {
        status,
        code: body.success ? body.data.code : undefined,
        msg: body.success ? body.data.msg : undefined,
        data: body.success ? body.data.data : undefined,
        retryAfterSeconds: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        request: what,
        orderRequest,
      };
      if (failure.code === INVALID_TIMESTAMP && mayResync && options.signed) {
        this.options.logger.warn('Binance refused our timestamp (-1021); re-syncing the clock and retrying once', { request: what });
        await this.syncTime();
        return this.send(method, path, params, schema, options, false);
      }
      throw mapVenueFailure(failure, this.options.now());
    }

    if (json === undefined) {
      throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance ${what}: the answer is not JSON (status ${status})`, {
        details: { request: what, status, ...(orderRequest ? { outcomeUnknown: true } : {}) },
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance ${what}: unexpected answer (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch'})`, {
        details: { request: what, status, ...(orderRequest ? { outcomeUnknown: true } : {}) },
      });
    }
    return parsed.data;
  }

  private recordUsage(headers: Readonly<Record<string, string | string[] | undefined>>): void {
    const usage = parseUsageHeaders(headers);
    if (usage === undefined) return;
    this.lastUsage = {
      usedWeight: { ...this.lastUsage.usedWeight, ...usage.usedWeight },
      orderCount: { ...this.lastUsage.orderCount, ...usage.orderCount },
      tsEvent: this.options.now(),
    };
    for (const listener of this.usageListeners) {
      try {
        listener(this.lastUsage);
      } catch (error) {
        this.options.logger.warn('a Binance usage listener threw', { error });
      }
    }
  }
}
