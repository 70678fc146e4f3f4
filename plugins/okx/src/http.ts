import type { z } from 'zod';
import { AutotraderError, type HttpDispatcher, type Logger } from '@autotrader/core';
import { retryAfterMs, VenueClock, VenueHttp, type HttpFailure, type PreparedRequest, type ResponseHeaders } from '@autotrader/venue-kit';
import { restAuthHeaders } from './auth';
import type { OkxCredentials } from './credentials';
import { envelopeSchema, errorCodeOf, failingCodeOf, okxError, serverTimeSchema, TIMESTAMP_EXPIRED } from './mapping';
import { SIMULATED_TRADING_HEADER } from './urls';

/** Wait after a 429 that says nothing about when to come back: OKX counts its limits over 2 s windows. */
export const DEFAULT_RETRY_AFTER_MS = 2000;
/** The largest skew OKX accepts on a signed request's timestamp. */
export const MAX_SKEW_MS = 30_000;

const header = (headers: ResponseHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Codes that say the venue did nothing (busy, maintenance): an order request may be sent again without a query. */
const NOTHING_DONE = new Set(['50001', '50013', '50026']);

/**
 * A failed OKX answer as a coded error. OKX answers most failures with HTTP 200 and `code` ≠ "0"; an
 * order operation answers `code: "1"` with the reason in the item's `sCode`. 429 or 50011 is
 * RATE_LIMITED with `retryAfterMs`; 50001/50013 are VENUE_UNAVAILABLE (retryable, nothing done);
 * 50004 is VENUE_TIMEOUT with the outcome unknown; 50101 says which environment the key belongs to;
 * a 5xx without an OKX body is VENUE_UNAVAILABLE (the kit marks an order request's outcome unknown).
 */
export function mapOkxFailure(f: HttpFailure, demo: boolean): AutotraderError {
  const env = envelopeSchema.safeParse(f.json);
  const details: Record<string, unknown> = { request: f.request, status: f.status };
  if (!env.success) {
    if (f.status === 429) {
      details.retryAfterMs = retryAfterMs(header(f.headers, 'retry-after'), f.now) ?? DEFAULT_RETRY_AFTER_MS;
      return new AutotraderError('RATE_LIMITED', `OKX ${f.request}: HTTP 429; wait ${String(details.retryAfterMs)} ms before the next request`, { details });
    }
    if (f.status === 401 || f.status === 403) {
      return new AutotraderError('AUTH_FAILED', `OKX ${f.request}: HTTP ${f.status}, the key was refused; check OKX_API_KEY, OKX_API_SECRET and OKX_API_PASSPHRASE`, { details });
    }
    const what = f.kind === 'order' ? 'the order outcome is unknown, query it before resending' : 'retry later';
    return new AutotraderError(f.status >= 500 ? 'VENUE_UNAVAILABLE' : 'VENUE_REJECTED', `OKX ${f.request}: HTTP ${f.status} without an OKX answer (${what})`, { details });
  }
  return answerError(env.data, f.request, demo, retryAfterMs(header(f.headers, 'retry-after'), f.now), f.status, details);
}

/**
 * A failing OKX answer (REST envelope or WebSocket operation answer) as a coded error: the code is the
 * envelope's, or the item's `sCode` when the envelope says "1"/"2". Rate limits carry `retryAfterMs`;
 * 50004 leaves the outcome unknown; everything else says whether the venue did nothing.
 */
export function answerError(
  env: { code: string; msg?: string; data?: readonly unknown[] },
  what: string,
  demo: boolean,
  retryAfter?: number,
  status?: number,
  extra: Record<string, unknown> = {},
): AutotraderError {
  const { code, msg } = failingCodeOf(env);
  const mapped = errorCodeOf(code);
  const details: Record<string, unknown> = { ...extra };
  // By code first: OKX answers 50013 (busy) with HTTP 429 too, and it is no rate limit.
  if (NOTHING_DONE.has(code)) return okxError(code, msg, what, demo, { ...details, outcomeUnknown: false });
  if (status === 429 || mapped === 'RATE_LIMITED') {
    details.retryAfterMs = retryAfter ?? DEFAULT_RETRY_AFTER_MS;
    const e = okxError(code === '0' ? '50011' : code, msg, `${what} rate limited; wait ${String(details.retryAfterMs)} ms`, demo, details);
    return new AutotraderError('RATE_LIMITED', e.message, { details: { ...e.details, outcomeUnknown: false } });
  }
  if (status !== undefined && status >= 500 && mapped === 'VENUE_REJECTED') {
    // A server error with a code we do not know: the kit decides (an order request's outcome is unknown).
    const e = okxError(code, msg, what, demo, details);
    return new AutotraderError('VENUE_UNAVAILABLE', e.message, { details: e.details });
  }
  if (mapped === 'VENUE_TIMEOUT') return okxError(code, msg, `${what} (the venue may have acted: query the order before resending)`, demo, { ...details, outcomeUnknown: true });
  // Any other answer is a refusal: nothing was done.
  return okxError(code, msg, what, demo, { ...details, outcomeUnknown: false });
}

/** What the REST client needs. */
export interface OkxHttpOptions {
  /** Scheme and host, for example `https://www.okx.com`. */
  readonly baseUrl: string;
  /** Demo trading: every request carries `x-simulated-trading: 1`. */
  readonly demo: boolean;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Returns the credentials or throws AUTH_MISSING; called for signed requests only. */
  readonly credentials: () => OkxCredentials;
  readonly dispatcher?: HttpDispatcher;
}

/**
 * The REST client: the venue kit's client with OKX's parts. Signed requests get the four `OK-ACCESS-*`
 * headers, signed over the query and body exactly as sent, stamped by the venue-synced clock; on 50102
 * (timestamp more than 30 s off) the clock is re-synced from `GET /api/v5/public/time` and that request is
 * sent once more. Demo trading adds `x-simulated-trading: 1` to every request.
 */
export class OkxHttp extends VenueHttp {
  private readonly clock: VenueClock;

  constructor(private readonly o: OkxHttpOptions) {
    super({
      venue: 'OKX',
      baseUrl: o.baseUrl,
      timeoutMs: o.timeoutMs,
      now: o.now,
      logger: o.logger,
      dispatcher: o.dispatcher,
      headers: o.demo ? { [SIMULATED_TRADING_HEADER]: '1' } : {},
      mapError: (failure) => mapOkxFailure(failure, o.demo),
      isFailure: (json) => (json as { code?: unknown }).code !== '0',
    });
    this.clock = new VenueClock(o.now);
  }

  /** On 50102 (our timestamp more than 30 s off) the clock is re-synced and the request sent once more. */
  protected override async recover(error: AutotraderError, request: PreparedRequest): Promise<boolean> {
    if (!request.signed || error.details.venueCode !== TIMESTAMP_EXPIRED) return false;
    this.o.logger.warn(`OKX refused our timestamp (${TIMESTAMP_EXPIRED}); re-syncing the clock and sending once more`, { request: `${request.method} ${request.path}` });
    await this.syncTime();
    return true;
  }

  /** Demo trading (the `x-simulated-trading: 1` header). */
  get demo(): boolean {
    return this.o.demo;
  }

  /** Venue time minus local time, as last measured (ms). */
  get timeOffsetMs(): number {
    return this.clock.offsetMs;
  }

  /** The venue's time now, by our estimate (epoch ms): what signed requests and the socket login are stamped with. */
  venueNow(): number {
    return this.clock.now();
  }

  /** Measures the venue clock offset from `GET /api/v5/public/time` (midpoint of the round trip). */
  async syncTime(): Promise<number> {
    const offsetMs = await this.clock.sync(async () => Number((await this.client.request({ method: 'GET', path: '/api/v5/public/time', schema: serverTimeSchema })).data[0]!.ts));
    const log = Math.abs(offsetMs) > MAX_SKEW_MS ? this.o.logger.warn.bind(this.o.logger) : this.o.logger.debug.bind(this.o.logger);
    log('clock synced with OKX', { offsetMs: Math.round(offsetMs) });
    return offsetMs;
  }

  protected sign(request: PreparedRequest): PreparedRequest {
    if (!request.signed) return request;
    return { ...request, headers: { ...request.headers, ...restAuthHeaders(this.o.credentials(), this.venueNow(), request) } };
  }
}
