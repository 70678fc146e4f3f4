import { z } from 'zod';
import { AutotraderError, type ErrorCode, type HttpDispatcher, type Logger } from '@autotrader/core';
import {
  encodeQuery,
  retryAfterMs as retryAfterHeaderMs,
  SignedHttpClient,
  VenueClock,
  type HttpFailure,
  type HttpMethod,
  type PreparedRequest,
  type QueryParams,
  type RequestKind,
  type TrackedUsage,
} from '@autotrader/venue-kit';
import { signQueryString } from './auth';
import type { BinanceCredentials } from './credentials';

/** Per-request options. */
export interface RequestOptions {
  /** Adds timestamp, recvWindow, signature and the API key header. */
  readonly signed?: boolean;
  /** `order` for requests that place, cancel or replace an order: a failure without an answer leaves the outcome unknown. */
  readonly kind?: RequestKind;
}

/**
 * The venue's own usage counters, from the `X-MBX-USED-WEIGHT-<n><unit>` and
 * `X-MBX-ORDER-COUNT-<n><unit>` headers of the last response that carried them. Keys are the
 * interval as Binance writes it, lower case (`1m`, `10s`, `1d`).
 */
export type BinanceUsage = TrackedUsage;

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
  /** The connection pool to use (the plugin context's); one is created (and closed by `close()`) when absent. */
  readonly dispatcher?: HttpDispatcher;
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
  const fromHeader = retryAfterHeaderMs(f.retryAfterSeconds, now);
  if (fromHeader !== undefined) return fromHeader;
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

/** The parts of an error answer that decide its code, read from Binance's `{ code, msg, data }` body. */
export function failureOf(f: HttpFailure): VenueFailure {
  const body = VENUE_ERROR_BODY.safeParse(f.json);
  const retryAfter = f.headers['retry-after'];
  return {
    status: f.status,
    code: body.success ? body.data.code : undefined,
    msg: body.success ? body.data.msg : undefined,
    data: body.success ? body.data.data : undefined,
    retryAfterSeconds: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
    request: f.request,
    orderRequest: f.kind === 'order',
  };
}

/**
 * The signed REST client: the venue kit's client with Binance's parts. Signed requests get
 * `recvWindow` and a `timestamp` from the venue-synced clock, then an HMAC or Ed25519 signature over
 * the query as sent, and the `X-MBX-APIKEY` header; errors are read by {@link mapVenueFailure}; usage
 * comes from the `X-MBX-*` headers. On -1021 it re-syncs the clock from `GET /api/v3/time` and sends
 * that one request once more; it retries nothing else (resubmission is the engine's job, with the same
 * client order id).
 */
export class BinanceHttp {
  private readonly clock: VenueClock;
  private readonly client: SignedHttpClient;

  constructor(private readonly options: BinanceHttpOptions) {
    this.clock = new VenueClock(options.now);
    this.client = new SignedHttpClient({
      venue: 'Binance',
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      now: options.now,
      logger: options.logger,
      dispatcher: options.dispatcher,
      sign: (request) => this.sign(request),
      mapError: (failure) => mapVenueFailure(failureOf(failure), failure.now),
      readUsage: parseUsageHeaders,
      recover: async (error, request) => {
        if (!request.signed || error.details.venueCode !== INVALID_TIMESTAMP) return false;
        this.options.logger.warn('Binance refused our timestamp (-1021); re-syncing the clock and retrying once', { request: `${request.method} ${request.path}` });
        await this.syncTime();
        return true;
      },
    });
  }

  /** Venue time minus local time, as last measured (ms). */
  get timeOffsetMs(): number {
    return this.clock.offsetMs;
  }

  /** The venue's time now, by our estimate. */
  venueNow(): number {
    return this.clock.now();
  }

  /** The usage counters from the latest responses. */
  usage(): BinanceUsage {
    return this.client.usage();
  }

  /** Calls `listener` after every response that carried usage headers. Returns the unsubscribe function. */
  onUsage(listener: (usage: BinanceUsage) => void): () => void {
    return this.client.onUsage(listener);
  }

  /** Measures the venue clock offset from `GET /api/v3/time` (midpoint of the round trip). */
  async syncTime(): Promise<number> {
    const offsetMs = await this.clock.sync(async () => (await this.client.request({ method: 'GET', path: '/api/v3/time', schema: SERVER_TIME })).serverTime);
    this.options.logger.debug('clock synced with Binance', { offsetMs });
    return offsetMs;
  }

  /** Sends a request and validates the JSON answer with `schema`. Parameters go in the query, in order. */
  request<S extends z.ZodType>(method: HttpMethod, path: string, params: QueryParams, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
    return this.client.request({ method, path, query: params, schema, signed: options.signed, kind: options.kind });
  }

  /** Closes the connection pool if this client created it. */
  close(): Promise<void> {
    return this.client.close();
  }

  private sign(request: PreparedRequest): PreparedRequest {
    if (!request.signed) return request;
    const creds = this.options.credentials();
    const stamp = encodeQuery([
      ['recvWindow', this.options.recvWindow],
      ['timestamp', this.venueNow()],
    ]);
    const query = request.query.length > 0 ? `${request.query}&${stamp}` : stamp;
    return { ...request, query: signQueryString(query, creds.signer, request.body), headers: { ...request.headers, 'x-mbx-apikey': creds.apiKey } };
  }
}
