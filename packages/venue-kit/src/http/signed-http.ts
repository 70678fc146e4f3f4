import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { AutotraderError, describeZodIssues, type ErrorCode, type HttpDispatcher, type Logger, type VenueUsage } from '@autotrader/core';
import { encodeQuery, type QueryParams } from './query';

/** HTTP methods venues use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/**
 * What a request does, which decides how a failure is reported. An `order` request places, cancels or
 * replaces an order: when it fails without a clear answer (timeout, dropped connection, 5xx, an answer
 * we cannot read) the venue may have acted on it, and the error says so (`details.outcomeUnknown`), so
 * the engine queries the order before it sends anything again.
 */
export type RequestKind = 'read' | 'order';

/** Response headers as undici gives them (names lower case). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A request as it will be sent. `sign` returns a copy with whatever the venue's authentication adds. */
export interface PreparedRequest {
  readonly method: HttpMethod;
  /** Scheme and host (and any fixed path prefix), no trailing slash. */
  readonly baseUrl: string;
  /** Starts with `/`; never holds the query. */
  readonly path: string;
  /** Percent-encoded `k=v&…` in the order given, without `?`; '' when there is none. */
  readonly query: string;
  /** The exact body text ('' for none): what is signed is byte for byte what is sent. */
  readonly body: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly kind: RequestKind;
  /** The caller asked for authentication. `sign` adds it; it may leave unsigned requests alone. */
  readonly signed: boolean;
}

/** A response the venue answered with an error (or a 2xx answer that `isFailure` says is one). */
export interface HttpFailure {
  /** `METHOD /path`, never the query (it may hold a signature). */
  readonly request: string;
  readonly kind: RequestKind;
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** The local clock at the answer, for Retry-After dates and ban times. */
  readonly now: number;
}

/** Usage counters with the time they were last updated (local clock, epoch ms; 0 before any response). */
export interface TrackedUsage extends VenueUsage {
  readonly tsEvent: number;
}

/** What a plugin gives the client: where to send, how to sign, how to read errors and usage. */
export interface SignedHttpOptions {
  /** The venue's name in messages: `Binance POST /api/v3/order: …`. */
  readonly venue: string;
  /** Scheme and host (and any fixed prefix such as `/api/v3/brokerage`); a trailing slash is dropped. */
  readonly baseUrl: string;
  /** A request with no complete answer in this time fails with VENUE_TIMEOUT. */
  readonly timeoutMs: number;
  /** The local clock (epoch ms). */
  readonly now: () => number;
  readonly logger: Logger;
  /** The connection pool to send through (the plugin context's `dispatcher`); one is created, and closed by `close()`, when absent. */
  readonly dispatcher?: HttpDispatcher | Dispatcher;
  /** Headers on every request (names lower case); `accept: application/json` is always set. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Adds the venue's authentication to a request (a signature over query and body, an API key
   * header, a JWT). Called for every attempt, so a resent request gets a fresh timestamp. May throw
   * AUTH_MISSING: nothing is sent then.
   */
  readonly sign?: (request: PreparedRequest) => PreparedRequest | Promise<PreparedRequest>;
  /**
   * Turns an error answer into a coded error whose `retryable` the engine obeys (RATE_LIMITED with
   * `details.retryAfterMs` for a 429). Set `details.outcomeUnknown` to true or false to decide it; left
   * out, an order request whose error is VENUE_UNAVAILABLE or VENUE_TIMEOUT is marked unknown.
   */
  readonly mapError: (failure: HttpFailure) => AutotraderError;
  /** A 2xx answer that is still a failure (OKX answers 200 with `code` ≠ "0"): true sends it to `mapError`. */
  readonly isFailure?: (json: unknown, status: number) => boolean;
  /** Reads the venue's usage headers (weights used, order counts), or undefined when a response has none. */
  readonly readUsage?: (headers: ResponseHeaders) => Partial<VenueUsage> | undefined;
  /**
   * A failure the venue's own procedure can repair (re-sync the clock after a timestamp error):
   * resolve true to send the request once more, signed afresh. Asked at most once per request.
   */
  readonly recover?: (error: AutotraderError, request: PreparedRequest) => Promise<boolean> | boolean;
}

/** One request. */
export interface RequestSpec<S extends z.ZodType> {
  readonly method: HttpMethod;
  /** Starts with `/`. */
  readonly path: string;
  readonly query?: QueryParams;
  /** A string is sent as it is; anything else as JSON (with `content-type: application/json`). */
  readonly body?: unknown;
  /** The answer's shape; a mismatch is VENUE_MESSAGE_MALFORMED. */
  readonly schema: S;
  /** Ask `sign` to authenticate the request. */
  readonly signed?: boolean;
  readonly kind?: RequestKind;
}

/**
 * Node error codes that mean the request never reached the venue (nothing was sent, so nothing can
 * have happened there). Anything else after the request was written may have been acted on.
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
    if (Array.isArray(e.errors)) for (const inner of e.errors as Array<{ code?: unknown }>) if (typeof inner?.code === 'string') codes.push(inner.code);
    e = e.cause as typeof e;
  }
  return codes;
}

const isTimeout = (error: unknown, codes: readonly string[]): boolean =>
  (error as { name?: string } | undefined)?.name === 'TimeoutError' || codes.includes('UND_ERR_HEADERS_TIMEOUT') || codes.includes('UND_ERR_BODY_TIMEOUT');

const UNKNOWN_HINT = 'the order outcome is unknown, query it before resending';

/** The same error with `details.outcomeUnknown` set (true) or removed (false). */
function withOutcome(error: AutotraderError, unknown: boolean): AutotraderError {
  if ((error.details.outcomeUnknown === true) === unknown && (unknown || !('outcomeUnknown' in error.details))) return error;
  const details: Record<string, unknown> = { ...error.details };
  if (unknown) details.outcomeUnknown = true;
  else delete details.outcomeUnknown;
  const copy = new AutotraderError(error.code, error.message, { cause: error.cause, details, retryable: error.retryable });
  if (error.stack !== undefined) copy.stack = error.stack;
  return copy;
}

/**
 * The HTTP client every venue plugin sends REST requests through. The plugin gives what is its venue's:
 * `sign` (authentication), `mapError` (its error bodies to coded errors), `readUsage` (its rate-limit
 * headers), `recover` (a repair such as a clock re-sync). The client does the rest, the same way for
 * every venue: undici through a shared or own connection pool, a deadline per request, JSON decoding and
 * zod validation described by core's one issue formatter, usage listeners, and the outcome of order
 * requests marked unknown whenever the venue may have acted without saying so.
 *
 * It never retries on its own (a `recover` repair aside): retries, rate limits and the breaker are the
 * engine's GuardedExecution, which resends an order with the same client order id only after a query.
 */
export class SignedHttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private closed = false;
  private readonly baseUrl: string;
  private lastUsage: TrackedUsage = { usedWeight: {}, orderCount: {}, tsEvent: 0 };
  private readonly usageListeners = new Set<(usage: TrackedUsage) => void>();

  constructor(private readonly o: SignedHttpOptions) {
    this.ownsDispatcher = o.dispatcher === undefined;
    // A context's dispatcher is an undici Dispatcher described structurally by core (which has no undici).
    this.dispatcher = (o.dispatcher as Dispatcher | undefined) ?? new Agent({ keepAliveTimeout: 10_000, connections: 16 });
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
  }

  /** The usage counters from the latest responses that carried them. */
  usage(): TrackedUsage {
    return this.lastUsage;
  }

  /** Calls `listener` after every response that carried usage headers. Returns the unsubscribe function. */
  onUsage(listener: (usage: TrackedUsage) => void): () => void {
    this.usageListeners.add(listener);
    return () => this.usageListeners.delete(listener);
  }

  /** Sends a request and returns its answer validated by `spec.schema`. Fails only with coded errors. */
  async request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    const base = this.prepare(spec);
    try {
      return await this.attempt(base, spec.schema);
    } catch (error) {
      if (!(error instanceof AutotraderError) || this.o.recover === undefined) throw error;
      if (!(await this.o.recover(error, base))) throw error;
      this.o.logger.debug(`${this.o.venue} ${base.method} ${base.path}: ${error.code} repaired; sending once more`, { venueCode: error.details.venueCode });
      return this.attempt(base, spec.schema);
    }
  }

  /** Closes the connection pool if this client created it (a shared one is its owner's to close). Closing twice is harmless. */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return;
    this.closed = true;
    await this.dispatcher.close();
  }

  private prepare(spec: RequestSpec<z.ZodType>): PreparedRequest {
    const headers: Record<string, string> = { accept: 'application/json', ...this.o.headers };
    let body = '';
    if (spec.body !== undefined) {
      if (typeof spec.body === 'string') body = spec.body;
      else {
        body = JSON.stringify(spec.body);
        headers['content-type'] = 'application/json';
      }
    }
    return {
      method: spec.method,
      baseUrl: this.baseUrl,
      path: spec.path,
      query: encodeQuery(spec.query ?? []),
      body,
      headers,
      kind: spec.kind ?? 'read',
      signed: spec.signed === true,
    };
  }

  private async attempt<S extends z.ZodType>(prepared: PreparedRequest, schema: S): Promise<z.output<S>> {
    if (prepared.signed && this.o.sign === undefined) {
      throw new AutotraderError('INTERNAL', `${this.o.venue} ${prepared.method} ${prepared.path}: a signed request, but the client was given no sign hook`);
    }
    const req = this.o.sign === undefined ? prepared : await this.o.sign(prepared);
    const what = `${req.method} ${req.path}`;
    const order = req.kind === 'order';
    const url = `${req.baseUrl}${req.path}${req.query.length > 0 ? '?' + req.query : ''}`;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.o.timeoutMs);
    let status: number;
    let text: string;
    let headers: ResponseHeaders;
    try {
      const res = await undiciRequest(url, {
        method: req.method,
        headers: req.headers,
        body: req.body.length > 0 ? req.body : undefined,
        dispatcher: this.dispatcher,
        signal: controller.signal,
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (error) {
      throw this.transportError(error, what, order, timedOut);
    } finally {
      clearTimeout(timer);
    }

    this.recordUsage(headers);
    let json: unknown;
    try {
      json = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }

    const failed = status < 200 || status >= 300 || (json !== undefined && this.o.isFailure?.(json, status) === true);
    if (failed) {
      const mapped = this.o.mapError({ request: what, kind: req.kind, status, headers, text, json, now: this.o.now() });
      const decided = mapped.details.outcomeUnknown;
      const unknown = typeof decided === 'boolean' ? decided : order && (mapped.code === 'VENUE_UNAVAILABLE' || mapped.code === 'VENUE_TIMEOUT');
      throw withOutcome(mapped, unknown && order);
    }

    const details = { request: what, status, ...(order ? { outcomeUnknown: true } : {}) };
    const after = order ? ` (${UNKNOWN_HINT})` : '';
    if (json === undefined) {
      throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `${this.o.venue} ${what}: the answer is not JSON (status ${status})${after}`, { details });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `${this.o.venue} ${what}: unexpected answer (${describeZodIssues(parsed.error.issues, undefined, { max: 3 })})${after}`, {
        details,
      });
    }
    return parsed.data;
  }

  private transportError(error: unknown, what: string, order: boolean, timedOut: boolean): AutotraderError {
    if (error instanceof AutotraderError) return error;
    const codes = errorCodes(error);
    const timeout = timedOut || isTimeout(error, codes);
    const notSent = !timeout && codes.some((c) => NOT_SENT.has(c));
    const code: ErrorCode = timeout ? 'VENUE_TIMEOUT' : 'VENUE_UNAVAILABLE';
    const reason = timeout ? `no answer within ${this.o.timeoutMs} ms` : `${(error as Error)?.message || codes[0] || String(error)}`;
    const unknown = order && !notSent;
    return new AutotraderError(code, `${this.o.venue} ${what}: ${reason} (${unknown ? UNKNOWN_HINT : notSent && order ? 'not sent; safe to resend' : 'retry later'})`, {
      cause: error,
      details: { request: what, ...(codes.length > 0 ? { transport: codes[0] } : {}), ...(unknown ? { outcomeUnknown: true } : {}) },
    });
  }

  private recordUsage(headers: ResponseHeaders): void {
    const usage = this.o.readUsage?.(headers);
    if (usage === undefined) return;
    this.lastUsage = {
      usedWeight: { ...this.lastUsage.usedWeight, ...usage.usedWeight },
      orderCount: { ...this.lastUsage.orderCount, ...usage.orderCount },
      tsEvent: this.o.now(),
    };
    for (const listener of this.usageListeners) {
      try {
        listener(this.lastUsage);
      } catch (error) {
        this.o.logger.warn(`a ${this.o.venue} usage listener threw`, { error });
      }
    }
  }
}
