import { z } from 'zod';
import { AutotraderError, type ErrorCode, type HttpDispatcher, type Logger, type VenueUsage } from '@autotrader/core';
import { retryAfterMs, VenueHttp, type HttpFailure, type PreparedRequest, type ResponseHeaders } from '@autotrader/venue-kit';
import { buildJwt, jwtUri } from './auth';
import type { CoinbaseCredentials } from './credentials';
import { failureCodeOf } from './mapping';

/** Coinbase's error body: `{ error, message, error_details, preview_failure_reason? }` (VENUES.md §2.4). */
const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  error_details: z.string().optional(),
  preview_failure_reason: z.string().optional(),
  new_order_failure_reason: z.string().optional(),
});

/** Wait after a 429 that says nothing about when to come back: one second, the private limit's window. */
const DEFAULT_RETRY_AFTER_MS = 1000;

const header = (headers: ResponseHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * When a rate-limited client may send again: `Retry-After` if given, else `x-ratelimit-reset` (epoch
 * seconds when it looks like a date, else seconds from now), else one second.
 */
export function rateLimitWaitMs(headers: ResponseHeaders, now: number): number {
  const fromRetryAfter = retryAfterMs(header(headers, 'retry-after'), now);
  if (fromRetryAfter !== undefined) return fromRetryAfter;
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset > 1e9 ? reset * 1000 - now : reset * 1000);
  return DEFAULT_RETRY_AFTER_MS;
}

/** `x-ratelimit-limit` − `x-ratelimit-remaining` as the requests used in the current one-second window. */
export function usageOf(headers: ResponseHeaders): Partial<VenueUsage> | undefined {
  const limit = Number(header(headers, 'x-ratelimit-limit'));
  const remaining = Number(header(headers, 'x-ratelimit-remaining'));
  if (!Number.isFinite(limit) || !Number.isFinite(remaining) || header(headers, 'x-ratelimit-limit') === undefined) return undefined;
  return { usedWeight: { '1s': Math.max(0, limit - remaining) } };
}

/**
 * A failed Coinbase answer as a coded error. 401 is AUTH_FAILED naming the variables, never their values
 * (nor the body, which could echo the token); 429 is RATE_LIMITED with `retryAfterMs`; 5xx is
 * VENUE_UNAVAILABLE (the kit marks an order request's outcome unknown); 404 on an order path is
 * ORDER_UNKNOWN; other refusals map their failure reason.
 */
export function mapCoinbaseFailure(f: HttpFailure): AutotraderError {
  const body = errorBodySchema.safeParse(f.json);
  const b = body.success ? body.data : {};
  const details: Record<string, unknown> = { request: f.request, status: f.status };
  if (f.status === 401 || f.status === 403) {
    return new AutotraderError('AUTH_FAILED', `Coinbase ${f.request}: HTTP ${f.status}, the key was refused; check COINBASE_API_KEY (the key name) and COINBASE_API_SECRET (its private key) and the key's permissions`, { details });
  }
  if (f.status === 429) {
    details.retryAfterMs = rateLimitWaitMs(f.headers, f.now);
    return new AutotraderError('RATE_LIMITED', `Coinbase ${f.request}: rate limited; wait ${String(details.retryAfterMs)} ms before the next request`, { details });
  }
  const reason = b.new_order_failure_reason ?? b.preview_failure_reason ?? b.error;
  if (reason !== undefined) details.venueCode = reason;
  const message = b.message ?? b.error_details;
  if (message !== undefined) details.venueMessage = message;
  let code: ErrorCode;
  if (f.status >= 500) code = 'VENUE_UNAVAILABLE';
  else if (f.status === 404) code = /\/orders/.test(f.request) ? 'ORDER_UNKNOWN' : 'INSTRUMENT_UNKNOWN';
  else code = failureCodeOf(b.new_order_failure_reason ?? b.preview_failure_reason);
  const what = code === 'VENUE_UNAVAILABLE' ? (f.kind === 'order' ? 'venue failed; the order outcome is unknown, query it before resending' : 'venue failed; retry later') : 'refused by the venue';
  return new AutotraderError(code, `Coinbase ${f.request}: HTTP ${f.status}${reason === undefined ? '' : ` ${reason}`}${message === undefined ? '' : ` ${message}`} (${what})`, { details });
}

/** What the REST client needs. */
export interface CoinbaseHttpOptions {
  /** Scheme and host, for example `https://api.coinbase.com`. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Returns the credentials or throws AUTH_MISSING; called for signed requests only. */
  readonly credentials: () => CoinbaseCredentials;
  readonly dispatcher?: HttpDispatcher;
}

/**
 * The REST client: the venue kit's client with Coinbase's parts. A signed request gets a fresh JWT on
 * every attempt (its `uri` is the method, host and path without the query); errors are read by
 * {@link mapCoinbaseFailure}; usage comes from the `x-ratelimit-*` headers.
 */
export class CoinbaseHttp extends VenueHttp {
  constructor(private readonly o: CoinbaseHttpOptions) {
    super({
      venue: 'Coinbase',
      baseUrl: o.baseUrl,
      timeoutMs: o.timeoutMs,
      now: o.now,
      logger: o.logger,
      dispatcher: o.dispatcher,
      mapError: mapCoinbaseFailure,
      readUsage: usageOf,
    });
  }

  protected sign(request: PreparedRequest): PreparedRequest {
    if (!request.signed) return request;
    const creds = this.o.credentials();
    const jwt = buildJwt({ keyName: creds.keyName, signingKey: creds.signingKey, nowMs: this.o.now(), uri: jwtUri(request.method, request.baseUrl, request.path) });
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${jwt}` } };
  }
}
