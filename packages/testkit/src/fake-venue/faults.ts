/**
 * A fake venue's fault plan: what goes wrong, and when. Request faults are counted and armed by the
 * test (the next `n` matching requests get them), consumed in the order they were armed: a request
 * takes the first armed fault whose target matches it. Stream faults (duplicated and reordered
 * reports, sequence gaps) are switches the venue reads when it next sends such a thing. Dropped
 * sockets and malformed frames are sent at once by the server's WebSocket endpoints
 * (`WsEndpoint.dropAll`, `WsEndpoint.sendRaw`); clock skew is `VenueClock.skew`.
 *
 * {@link FaultPlan.screen} decides what happens to one request, in the order venues apply it: a
 * dropped request, an active ban, an escalating back-off window, an injected 429, the venue's own
 * limit, an injected 5xx before processing; otherwise the request is processed, and then answered,
 * held unanswered (accept-then-timeout), answered with a 5xx (the venue acted) or answered late.
 * @module
 */
import { AutotraderError } from '@autotrader/core';
import type { BackoffGate } from './rate-window';

/** A request as faults and the request log see it. */
export interface FakeRequest<Transport extends string = string> {
  /** Which door it came through (`rest`, `ws-api`, `stream`, …: the venue names them). */
  readonly transport: Transport;
  /** HTTP method, or what the venue uses for a WebSocket request (Binance: `WS`). */
  readonly method: string;
  /** REST path, or the WebSocket method or operation name. */
  readonly path: string;
  /** Parameters sent, with signatures removed. */
  readonly params: Readonly<Record<string, string>>;
}

/** Chooses which requests a fault applies to. */
export type RequestMatcher<R extends FakeRequest = FakeRequest> = (request: R) => boolean;

/** Every request. */
export const ANY_REQUEST: RequestMatcher<FakeRequest> = () => true;

/** A fault armed for a number of requests. */
export type RequestFault<R extends FakeRequest = FakeRequest> =
  /** 429 with Retry-After; with `escalateAfter`, ignoring it leads to a ban of `banSec`. */
  | { readonly kind: 'rateLimit'; remaining: number; readonly target: RequestMatcher<R>; readonly retryAfterSec: number; readonly escalateAfter?: number; readonly banSec: number }
  /** A 5xx: before processing (`processed: false`, nothing happened) or after it (the venue acted). */
  | { readonly kind: 'serverError'; remaining: number; readonly target: RequestMatcher<R>; readonly status: number; readonly processed: boolean }
  /** Processed, never answered; the connection stays open. */
  | { readonly kind: 'acceptThenTimeout'; remaining: number; readonly target: RequestMatcher<R> }
  /** Not processed; the connection is destroyed. */
  | { readonly kind: 'dropRequest'; remaining: number; readonly target: RequestMatcher<R> }
  /** Processed at once, answered `delayMs` later (events of the action can arrive before the answer). */
  | { readonly kind: 'delayAck'; remaining: number; readonly target: RequestMatcher<R>; readonly delayMs: number };

/** What the transport does with a request after processing it. */
export type AfterProcessing =
  | { readonly kind: 'answer'; readonly delayMs: number }
  | { readonly kind: 'hold' }
  | { readonly kind: 'serverError'; readonly status: number; readonly delayMs: number };

/** What happens to one request (see {@link FaultPlan.screen}). */
export type RequestVerdict =
  /** Destroy the connection without answering; not processed. */
  | { readonly kind: 'drop' }
  /** Refused: the client is banned until `until` (epoch ms, venue clock). */
  | { readonly kind: 'banned'; readonly until: number; readonly retryAfterSec: number; readonly delayMs: number }
  /** Refused with a 429 and Retry-After. `cause` says why: a back-off window, an injected 429 or the venue's own limit. */
  | { readonly kind: 'throttled'; readonly retryAfterSec: number; readonly cause: 'backoff' | 'injected' | 'limit'; readonly delayMs: number }
  /** Refused with a 5xx; not processed. */
  | { readonly kind: 'serverError'; readonly status: number; readonly delayMs: number }
  /** Process it, then do `after`. */
  | { readonly kind: 'process'; readonly after: AfterProcessing };

/** Venue hooks of {@link FaultPlan.screen}. */
export interface ScreenHooks {
  /** Runs for every request that is not dropped, before the gate (a venue counts the request's weight here). */
  readonly count?: () => void;
  /** The venue's own limit, checked after injected 429s: seconds the client must wait, or undefined when the request fits. */
  readonly ownLimit?: () => number | undefined;
}

/** Options of {@link FaultPlan.rateLimit}. */
export interface RateLimitFaultOptions<R extends FakeRequest = FakeRequest> {
  /** Retry-After of each 429, seconds; default 1. */
  readonly retryAfterSec?: number;
  /** After a 429, this many more requests inside its Retry-After window still get 429; the next one starts a ban. Default: never ban. */
  readonly escalateAfterIgnored?: number;
  /** Length of the ban, seconds; default 120. */
  readonly banSec?: number;
  /** Which requests the 429s apply to; default every request. */
  readonly target?: RequestMatcher<R>;
}

/** Faults armed on one fake venue. `venueName` ("Fake Binance") starts the messages of a test's mistakes. */
export class FaultPlan<R extends FakeRequest = FakeRequest> {
  private readonly queue: RequestFault<R>[] = [];
  /** Delay before every answer, ms (0: none). Processing is not delayed, so events can arrive before the answer. */
  delayMs = 0;

  constructor(private readonly venueName = 'Fake venue') {}

  /** Arms a counted fault (ignored when its count is not positive). */
  arm(fault: RequestFault<R>): void {
    if (fault.remaining > 0) this.queue.push(fault);
  }

  /** The next `count` matching requests get 429 with Retry-After (see {@link RateLimitFaultOptions}). */
  rateLimit(count: number, o: RateLimitFaultOptions<R> = {}): void {
    this.arm({
      kind: 'rateLimit',
      remaining: this.count(count),
      target: o.target ?? ANY_REQUEST,
      retryAfterSec: o.retryAfterSec ?? 1,
      escalateAfter: o.escalateAfterIgnored,
      banSec: o.banSec ?? 120,
    });
  }

  /** The next `count` matching requests get a 5xx, before processing (default) or after it. */
  serverError(count: number, status = 503, o: { readonly target?: RequestMatcher<R>; readonly processed?: boolean } = {}): void {
    if (!Number.isInteger(status) || status < 500 || status > 599) throw new AutotraderError('CONFIG_INVALID', `${this.venueName} serverError status must be 5xx, got ${status}.`);
    this.arm({ kind: 'serverError', remaining: this.count(count), status, target: o.target ?? ANY_REQUEST, processed: o.processed ?? false });
  }

  /** The next `count` matching requests are processed and never answered. */
  acceptThenTimeout(count: number, target: RequestMatcher<R> = ANY_REQUEST): void {
    this.arm({ kind: 'acceptThenTimeout', remaining: this.count(count), target });
  }

  /** The next `count` matching requests are not processed and their connection is destroyed. */
  dropRequest(count: number, target: RequestMatcher<R> = ANY_REQUEST): void {
    this.arm({ kind: 'dropRequest', remaining: this.count(count), target });
  }

  /** The next `count` matching requests are processed at once and answered `delayMs` later. */
  delayAck(count: number, delayMs: number, target: RequestMatcher<R> = ANY_REQUEST): void {
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new AutotraderError('CONFIG_INVALID', `${this.venueName} delayAck needs a delay >= 0 ms, got ${delayMs}.`);
    this.arm({ kind: 'delayAck', remaining: this.count(count), target, delayMs });
  }

  /** Delays every later answer by `ms` (0 turns it off). */
  delayResponses(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  /** The first armed fault that applies to `request`, without consuming it. */
  match(request: R): RequestFault<R> | undefined {
    return this.queue.find((f) => f.target(request));
  }

  /** Uses up one count of `fault`. */
  consume(fault: RequestFault<R>): void {
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      const i = this.queue.indexOf(fault);
      if (i >= 0) this.queue.splice(i, 1);
    }
  }

  /** Armed faults not yet used up, oldest first. */
  armed(): readonly RequestFault<R>[] {
    return [...this.queue];
  }

  /** Decides what happens to `request` (see the module comment for the order), consuming the fault it takes. */
  screen(request: R, gate: BackoffGate, hooks: ScreenHooks = {}): RequestVerdict {
    const fault = this.match(request);
    if (fault?.kind === 'dropRequest') {
      this.consume(fault);
      return { kind: 'drop' };
    }
    hooks.count?.();
    const delayMs = this.delayMs;
    const door = gate.admit();
    if (door.kind === 'banned') return { kind: 'banned', until: door.until, retryAfterSec: door.retryAfterSec, delayMs };
    if (door.kind === 'backoff') {
      // A 429 armed for this request is spent on it: the client asked while it should have waited.
      if (fault?.kind === 'rateLimit') this.consume(fault);
      return { kind: 'throttled', retryAfterSec: door.retryAfterSec, cause: 'backoff', delayMs };
    }
    if (fault?.kind === 'rateLimit') {
      this.consume(fault);
      gate.startBackoff(fault.retryAfterSec, fault.escalateAfter, fault.banSec);
      return { kind: 'throttled', retryAfterSec: fault.retryAfterSec, cause: 'injected', delayMs };
    }
    const limited = hooks.ownLimit?.();
    if (limited !== undefined) return { kind: 'throttled', retryAfterSec: limited, cause: 'limit', delayMs };
    if (fault?.kind === 'serverError') {
      this.consume(fault);
      if (!fault.processed) return { kind: 'serverError', status: fault.status, delayMs };
      return { kind: 'process', after: { kind: 'serverError', status: fault.status, delayMs } };
    }
    if (fault?.kind === 'acceptThenTimeout') {
      this.consume(fault);
      return { kind: 'process', after: { kind: 'hold' } };
    }
    if (fault?.kind === 'delayAck') {
      this.consume(fault);
      return { kind: 'process', after: { kind: 'answer', delayMs: delayMs + fault.delayMs } };
    }
    return { kind: 'process', after: { kind: 'answer', delayMs } };
  }

  private count(count: number): number {
    if (!Number.isInteger(count) || count < 0) throw new AutotraderError('CONFIG_INVALID', `${this.venueName} fault count must be a whole number >= 0, got ${count}.`);
    return count;
  }
}

/**
 * Duplicated and reordered reports: when armed, the next batch that holds reports sends each of
 * them twice, with the first two swapped (a fill of a crossing order: TRADE, NEW, TRADE, NEW), then
 * the rest of the batch. A client must pass each report on once, in a sensible order.
 */
export class ReportShuffle {
  private armedCount = 0;

  /** Arms the fault for the next `times` batches with reports. */
  arm(times = 1): void {
    this.armedCount += times;
  }

  /** True while armed. */
  get armed(): boolean {
    return this.armedCount > 0;
  }

  /** The events to send for `batch`: shuffled as described when armed and the batch holds reports, else `batch`. */
  apply<E>(batch: readonly E[], isReport: (event: E) => boolean): readonly E[] {
    if (this.armedCount === 0) return batch;
    const reports = batch.filter(isReport);
    if (reports.length === 0) return batch;
    this.armedCount -= 1;
    const swapped = reports.length >= 2 ? [reports[1]!, reports[0]!, ...reports.slice(2)] : reports;
    return [...swapped, ...swapped, ...batch.filter((e) => !isReport(e))];
  }
}

/**
 * Sequence gaps: each armed gap makes the next sequenced message skip ids (a book diff whose first
 * id is not the last one plus 1, an OKX `prevSeqId` that is not the last `seqId`), so a client must
 * notice and resync.
 */
export class SequenceGaps {
  private readonly skips: number[] = [];

  /** The next sequenced message skips `ids` ids (default 10). */
  arm(ids = 10): void {
    if (!Number.isInteger(ids) || ids <= 0) throw new RangeError(`a sequence gap skips a positive whole number of ids, got ${ids}`);
    this.skips.push(ids);
  }

  /** Gaps armed and not yet taken. */
  get pending(): number {
    return this.skips.length;
  }

  /** The ids the message being sent now must skip: the next armed gap, or 0. */
  take(): number {
    return this.skips.shift() ?? 0;
  }
}

/**
 * A fault armed for the next `n` occurrences of something the venue sends (a book checksum to
 * corrupt, as OKX's `checksum` field; a heartbeat to skip; a frame to garble): `take()` says
 * whether the one being sent now is affected, and uses up one count.
 */
export class ArmedCount {
  private count = 0;

  /** Affects the next `times` occurrences (added to any still armed). */
  arm(times = 1): void {
    if (!Number.isInteger(times) || times <= 0) throw new RangeError(`a fault is armed for a positive whole number of times, got ${times}`);
    this.count += times;
  }

  /** Occurrences still to be affected. */
  get pending(): number {
    return this.count;
  }

  /** True (and one count used) when the occurrence being sent now is affected. */
  take(): boolean {
    if (this.count === 0) return false;
    this.count -= 1;
    return true;
  }
}
