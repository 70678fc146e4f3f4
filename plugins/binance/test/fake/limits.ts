/**
 * Rate limits as Binance counts them (rest-api.md "LIMITS"): request weight per calendar minute,
 * shared by REST and the WebSocket API; new orders per 10 seconds and per day; and the back-off
 * a client must respect after a 429, with the 418 ban for clients that ignore it.
 * @module
 */

/** A back-off window opened by a 429 (only fault-injected 429s carry an escalation rule). */
interface Backoff {
  readonly until: number;
  /** Requests tolerated inside the window before the ban; undefined: never ban. */
  readonly maxIgnored?: number;
  ignored: number;
  readonly banSec: number;
}

/** What a request meets at the door. */
export type Admission =
  | { readonly kind: 'ok' }
  | { readonly kind: 'banned'; readonly until: number }
  | { readonly kind: 'backoff'; readonly retryAfterSec: number }
  | { readonly kind: 'weight'; readonly retryAfterSec: number };

/** Counters for one fake venue. Fixed windows aligned to the server clock, as Binance's are. */
export class RateLimiter {
  private weightWindow = -1;
  private weight = 0;
  private orderWindow10s = -1;
  private orders10s = 0;
  private orderWindowDay = -1;
  private ordersDay = 0;
  private backoff: Backoff | undefined;
  private banUntil = 0;

  constructor(
    private readonly now: () => number,
    /** REQUEST_WEIGHT per minute. */
    readonly weightLimit: number,
    /** ORDERS per 10 seconds. */
    readonly orderLimit10s: number,
    /** ORDERS per day. */
    readonly orderLimitDay: number,
  ) {}

  /** Adds a request's weight to the current minute. */
  addWeight(weight: number): void {
    this.rollWeight();
    this.weight += weight;
  }

  /** Weight used in the current minute (`X-MBX-USED-WEIGHT-1M`). */
  usedWeight(): number {
    this.rollWeight();
    return this.weight;
  }

  /**
   * Decides whether a request is served. Order: an active ban (418), a back-off window with an
   * escalation rule (429, then 418 after too many ignored), the weight limit (429).
   */
  admit(): Admission {
    const now = this.now();
    if (this.banUntil > now) return { kind: 'banned', until: this.banUntil };
    const b = this.backoff;
    if (b && b.until > now && b.maxIgnored !== undefined) {
      b.ignored += 1;
      if (b.ignored > b.maxIgnored) {
        this.banUntil = now + b.banSec * 1000;
        this.backoff = undefined;
        return { kind: 'banned', until: this.banUntil };
      }
      return { kind: 'backoff', retryAfterSec: Math.max(1, Math.ceil((b.until - now) / 1000)) };
    }
    if (this.usedWeight() > this.weightLimit) {
      const minuteEnd = (Math.floor(now / 60_000) + 1) * 60_000;
      return { kind: 'weight', retryAfterSec: Math.max(1, Math.ceil((minuteEnd - now) / 1000)) };
    }
    return { kind: 'ok' };
  }

  /** Opens a back-off window after a 429 told the client to wait `retryAfterSec`. */
  startBackoff(retryAfterSec: number, maxIgnored: number | undefined, banSec: number): void {
    this.backoff = { until: this.now() + retryAfterSec * 1000, maxIgnored, ignored: 0, banSec };
  }

  /** Counts one accepted new order. */
  recordOrder(): void {
    this.rollOrders();
    this.orders10s += 1;
    this.ordersDay += 1;
  }

  /** Orders counted in the current windows (`X-MBX-ORDER-COUNT-10S` / `-1D`). */
  orderCounts(): { tenSeconds: number; day: number } {
    this.rollOrders();
    return { tenSeconds: this.orders10s, day: this.ordersDay };
  }

  /** The ORDERS limit a new order would exceed, if any. */
  orderLimitHit(): { limit: number; interval: string; retryAfterSec: number } | undefined {
    const c = this.orderCounts();
    const now = this.now();
    if (c.tenSeconds >= this.orderLimit10s) {
      return { limit: this.orderLimit10s, interval: '10 SECOND', retryAfterSec: Math.max(1, Math.ceil(((Math.floor(now / 10_000) + 1) * 10_000 - now) / 1000)) };
    }
    if (c.day >= this.orderLimitDay) {
      return { limit: this.orderLimitDay, interval: '1 DAY', retryAfterSec: Math.max(1, Math.ceil(((Math.floor(now / 86_400_000) + 1) * 86_400_000 - now) / 1000)) };
    }
    return undefined;
  }

  private rollWeight(): void {
    const w = Math.floor(this.now() / 60_000);
    if (w !== this.weightWindow) {
      this.weightWindow = w;
      this.weight = 0;
    }
  }

  private rollOrders(): void {
    const now = this.now();
    const w10 = Math.floor(now / 10_000);
    if (w10 !== this.orderWindow10s) {
      this.orderWindow10s = w10;
      this.orders10s = 0;
    }
    const wd = Math.floor(now / 86_400_000);
    if (wd !== this.orderWindowDay) {
      this.orderWindowDay = wd;
      this.ordersDay = 0;
    }
  }
}
