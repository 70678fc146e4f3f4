import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { AutotraderError, type Logger } from '@autotrader/core';
import { retryAfterMs, VenueHttp, type HttpFailure, type PreparedRequest, type ResponseHeaders } from '@autotrader/venue-kit';
import { ENV_API_TOKEN } from './credentials';
import { reasonCode, reasonText } from './mapping';

/** OANDA counts 120 requests per second and documents no Retry-After: a 429 waits one window. */
export const DEFAULT_RETRY_AFTER_MS = 1000;
/** What every request asks for: RFC3339 times (v20 `Accept-Datetime-Format`), read exactly by `parseTime`. */
export const DATETIME_HEADER = { 'accept-datetime-format': 'RFC3339' } as const;

const header = (headers: ResponseHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The account a request path names (`/v3/accounts/{id}/...`), for errors. */
const accountOfPath = (request: string): string | undefined => /\/v3\/accounts\/([^/?\s]+)/.exec(request)?.[1];

/** The body OANDA sends with an error: `errorCode`, `errorMessage`, and for orders the reject transaction. */
interface ErrorBody {
  errorCode?: string;
  errorMessage?: string;
  orderRejectTransaction?: { rejectReason?: string };
  orderCancelRejectTransaction?: { rejectReason?: string };
}

/**
 * An OANDA error answer as a coded error. 401 is a token OANDA does not accept on this host (a live
 * token on the practice host or the reverse is the usual cause: the message says which flag to change);
 * 403 is a token that does not own the account; 429 is RATE_LIMITED (no Retry-After is documented: one
 * 1 s window); 5xx is VENUE_UNAVAILABLE (the kit marks an order request's outcome unknown); 400/404
 * bodies map their `errorCode` or reject reason (INSUFFICIENT_MARGIN, ORDER_DOESNT_EXIST → ORDER_UNKNOWN,
 * CLIENT_ORDER_ID_ALREADY_EXISTS …) with OANDA's `errorMessage`; nothing was done, so the outcome is known.
 */
export function mapOandaFailure(f: HttpFailure, practice: boolean): AutotraderError {
  const body = (typeof f.json === 'object' && f.json !== null ? f.json : {}) as ErrorBody;
  const message = typeof body.errorMessage === 'string' ? body.errorMessage : f.text.slice(0, 200);
  const details: Record<string, unknown> = { request: f.request, status: f.status };
  if (f.status === 429) {
    details.retryAfterMs = retryAfterMs(header(f.headers, 'retry-after'), f.now) ?? DEFAULT_RETRY_AFTER_MS;
    return new AutotraderError('RATE_LIMITED', `OANDA ${f.request}: HTTP 429 (${message}); waiting ${String(details.retryAfterMs)} ms`, { details: { ...details, outcomeUnknown: false } });
  }
  if (f.status === 401) {
    const hint = practice
      ? `a live (fxTrade) token on the practice host: add --mainnet for a live token, or check ${ENV_API_TOKEN}`
      : `a practice token on the live host: remove --mainnet for a practice token, or check ${ENV_API_TOKEN}`;
    return new AutotraderError('AUTH_FAILED', `OANDA ${f.request}: HTTP 401, the token was refused (${message}); the usual cause is ${hint}`, { details: { ...details, outcomeUnknown: false } });
  }
  if (f.status === 403) {
    const account = accountOfPath(f.request);
    return new AutotraderError('AUTH_FAILED', `OANDA ${f.request}: HTTP 403, this token does not own account ${account ?? '(unknown)'} (${message}); check OANDA_ACCOUNT_ID or the accountId option`, {
      details: { ...details, accountId: account, outcomeUnknown: false },
    });
  }
  if (f.status >= 500) return new AutotraderError('VENUE_UNAVAILABLE', `OANDA ${f.request}: HTTP ${f.status} (${message})`, { details });
  const reason = body.errorCode ?? body.orderRejectTransaction?.rejectReason ?? body.orderCancelRejectTransaction?.rejectReason;
  const code = f.status === 404 && reason === undefined ? 'ORDER_UNKNOWN' : reasonCode(reason);
  return new AutotraderError(code, `OANDA ${f.request}: HTTP ${f.status} ${reasonText(reason, message)}`, {
    details: { ...details, ...(reason !== undefined ? { venueCode: reason } : {}), response: f.json, outcomeUnknown: false },
  });
}

/** What the REST client needs. */
export interface OandaHttpOptions {
  readonly baseUrl: string;
  readonly practice: boolean;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Returns the token or throws AUTH_MISSING. */
  readonly token: () => string;
  readonly dispatcher: Dispatcher;
}

/**
 * The REST client: the venue kit's client with OANDA's parts: `Authorization: Bearer <token>` and
 * `Accept-Datetime-Format: RFC3339` on every request, OANDA's error bodies mapped by
 * {@link mapOandaFailure}, through the plugin's paced connection pool.
 */
export class OandaHttp extends VenueHttp {
  constructor(private readonly o: OandaHttpOptions) {
    // Every OANDA endpoint needs the token: requests are signed unless a call says otherwise.
    super(
      {
        venue: 'OANDA',
        baseUrl: o.baseUrl,
        timeoutMs: o.timeoutMs,
        now: o.now,
        logger: o.logger,
        dispatcher: o.dispatcher,
        headers: DATETIME_HEADER,
        mapError: (failure) => mapOandaFailure(failure, o.practice),
      },
      true,
    );
  }

  /** The practice environment. */
  get practice(): boolean {
    return this.o.practice;
  }

  protected sign(request: PreparedRequest): PreparedRequest {
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${this.o.token()}` } };
  }
}
