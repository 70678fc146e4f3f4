/**
 * Rate limits as Binance counts them (rest-api.md "LIMITS"): request weight per calendar minute,
 * shared by REST and the WebSocket API; new orders per 10 seconds and per day; and the back-off
 * a client must respect after a 429, with the 418 ban for clients that ignore it. The windows and
 * the back-off gate are the kit's; the limits and their names are Binance's.
 * @module
 */
import { BackoffGate, FixedWindowCounter } from '@autotrader/testkit/fake-venue';

/** Counters for one fake venue. Fixed windows aligned to the server clock, as Binance's are. */
export class RateLimiter {
  /** The 429 back-off windows and the 418 ban. */
  readonly gate: BackoffGate;
  private readonly weight: FixedWindowCounter;
  private readonly orders10s: FixedWindowCounter;
  private readonly ordersDay: FixedWindowCounter;

  constructor(
    now: () => number,
    /** REQUEST_WEIGHT per minute. */
    readonly weightLimit: number,
    /** ORDERS per 10 seconds. */
    readonly orderLimit10s: number,
    /** ORDERS per day. */
    readonly orderLimitDay: number,
  ) {
    this.gate = new BackoffGate(now);
    this.weight = new FixedWindowCounter(now, 60_000, weightLimit);
    this.orders10s = new FixedWindowCounter(now, 10_000, orderLimit10s);
    this.ordersDay = new FixedWindowCounter(now, 86_400_000, orderLimitDay);
  }

  /** Adds a request's weight to the current minute. */
  addWeight(weight: number): void {
    this.weight.add(weight);
  }

  /** Weight used in the current minute (`X-MBX-USED-WEIGHT-1M`). */
  usedWeight(): number {
    return this.weight.used();
  }

  /** Seconds to the next minute when this minute's weight is over the limit (429 -1003), else undefined. */
  weightRetryAfter(): number | undefined {
    return this.weight.exceeded() ? this.weight.secondsToReset() : undefined;
  }

  /** Counts one accepted new order. */
  recordOrder(): void {
    this.orders10s.add();
    this.ordersDay.add();
  }

  /** Orders counted in the current windows (`X-MBX-ORDER-COUNT-10S` / `-1D`). */
  orderCounts(): { tenSeconds: number; day: number } {
    return { tenSeconds: this.orders10s.used(), day: this.ordersDay.used() };
  }

  /** The ORDERS limit a new order would exceed, if any. */
  orderLimitHit(): { limit: number; interval: string; retryAfterSec: number } | undefined {
    if (this.orders10s.full()) return { limit: this.orderLimit10s, interval: '10 SECOND', retryAfterSec: this.orders10s.secondsToReset() };
    if (this.ordersDay.full()) return { limit: this.orderLimitDay, interval: '1 DAY', retryAfterSec: this.ordersDay.secondsToReset() };
    return undefined;
  }
}
