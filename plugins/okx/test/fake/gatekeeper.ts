/**
 * What happens to a request before the venue acts on it, for REST and WebSocket order operations
 * alike: injected outages (`busy`), the kit's fault plan (injected 429s with the back-off window
 * and the short ban for ignoring it, accept-then-timeout), OKX's own per-endpoint rate limits
 * (sliding 2-second windows, keyed as OKX documents: User ID, User ID + Instrument ID, or IP), and
 * `endpointTimeout` (acted on, answered 50004).
 * @module
 */
import { BackoffGate, FaultPlan, SlidingWindowCounter, type FakeRequest } from '@autotrader/testkit/fake-venue';

/** A request as faults, limits and the log see it. */
export interface OkxRequest extends FakeRequest<'rest' | 'ws'> {
  /** Signed (REST private endpoint, or an order op on the private socket). */
  readonly private: boolean;
  /** Places, amends or cancels an order (the venue acts). */
  readonly orderOp: boolean;
}

/** A rate limit: `limit` requests per `windowMs`, counted per `key`. */
export interface RateRule {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** What to do with one request. */
export type Admission =
  | { readonly kind: 'throttled' }
  | { readonly kind: 'busy'; readonly code: '50001' | '50013' }
  | { readonly kind: 'process'; readonly after: 'answer' | 'vanish' | 'timeout' };

/** Seconds a client is told to wait after an injected 429 (OKX counts in 2-second windows). */
export const BACKOFF_SEC = 2;
/** Requests tolerated inside that window before the ban. */
export const IGNORED_BEFORE_BAN = 3;
/** Length of the ban, seconds. */
export const BAN_SEC = 10;

/** Faults and limits of one fake. */
export class Gatekeeper {
  readonly plan = new FaultPlan<OkxRequest>('Fake OKX');
  readonly gate: BackoffGate;
  private readonly windows = new Map<string, SlidingWindowCounter>();
  /** Busy answers still armed, in the order armed. */
  private readonly busyQueue: ('50001' | '50013')[] = [];
  private timeoutLeft = 0;

  constructor(private readonly now: () => number) {
    this.gate = new BackoffGate(now);
  }

  /** The next `count` private requests get 429 50011; asking again inside the back-off window three times starts a ban. */
  rateLimit(count: number): void {
    this.plan.rateLimit(count, { retryAfterSec: BACKOFF_SEC, escalateAfterIgnored: IGNORED_BEFORE_BAN, banSec: BAN_SEC, target: (r) => r.private });
  }

  /** The next `count` private requests are answered "busy" (50001 or 50013) and not processed. */
  busy(count: number, code: '50001' | '50013'): void {
    for (let i = 0; i < count; i++) this.busyQueue.push(code);
  }

  /** The next `count` order operations are processed and never answered. */
  acceptThenTimeout(count: number): void {
    this.plan.acceptThenTimeout(count, (r) => r.orderOp);
  }

  /** The next `count` order operations are processed and answered 50004. */
  endpointTimeout(count: number): void {
    this.timeoutLeft += count;
  }

  /** Decides the fate of `request`; `rule` is OKX's limit of its endpoint. */
  admit(request: OkxRequest, rule: RateRule | undefined): Admission {
    const ownLimit = (): number | undefined => {
      if (rule === undefined) return undefined;
      let w = this.windows.get(rule.key);
      if (w === undefined) {
        w = new SlidingWindowCounter(this.now, rule.windowMs, rule.limit);
        this.windows.set(rule.key, w);
      }
      return w.tryAdd() ? undefined : Math.max(1, Math.ceil(w.retryAfterMs() / 1000));
    };
    // Public requests meet only OKX's own (IP) limits: faults, back-off and bans are for private ones.
    if (!request.private) return ownLimit() === undefined ? { kind: 'process', after: 'answer' } : { kind: 'throttled' };
    const busy = this.busyQueue.shift();
    if (busy !== undefined) return { kind: 'busy', code: busy };
    const verdict = this.plan.screen(request, this.gate, { ownLimit });
    switch (verdict.kind) {
      case 'banned':
      case 'throttled':
        return { kind: 'throttled' };
      case 'drop':
      case 'serverError':
        // Not armed by this fake.
        return { kind: 'busy', code: '50001' };
      case 'process':
        if (verdict.after.kind === 'hold') return { kind: 'process', after: 'vanish' };
        if (request.orderOp && this.timeoutLeft > 0) {
          this.timeoutLeft -= 1;
          return { kind: 'process', after: 'timeout' };
        }
        return { kind: 'process', after: 'answer' };
    }
  }
}

/** OKX's messages for the codes the gatekeeper answers. */
export const GATE_MESSAGES = {
  '50011': 'Too Many Requests',
  '50001': 'Service temporarily unavailable. Please try again later.',
  '50013': 'Systems are busy. Please try again later.',
  '50004': 'API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).',
} as const;
