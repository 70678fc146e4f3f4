/**
 * Rate limits as venues count them, on the venue's clock: fixed windows aligned to the clock
 * (Binance's request weight per calendar minute, orders per 10 s and per day), sliding windows
 * (Coinbase's and Oanda's requests per second), and the back-off a client owes after a 429, with the
 * ban a venue imposes on a client that ignores Retry-After (Binance's 418).
 * @module
 */

/** Seconds from `now` to `until`, rounded up, at least 1: what a Retry-After header says. */
export function retryAfterSeconds(now: number, until: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

/**
 * Units used in the current window of a fixed length, windows aligned to the epoch on the venue's
 * clock (the count drops to zero when a new window starts, as Binance's counters do).
 */
export class FixedWindowCounter {
  private window = -1;
  private count = 0;

  /**
   * @param now - the venue's clock.
   * @param windowMs - window length (60_000 for "per minute").
   * @param limit - units allowed per window.
   */
  constructor(
    private readonly now: () => number,
    readonly windowMs: number,
    readonly limit: number,
  ) {
    if (!(windowMs > 0) || !(limit >= 0)) throw new RangeError(`a rate window needs a positive length and a limit >= 0, got ${windowMs} ms and ${limit}`);
  }

  /** Adds `units` to the current window. */
  add(units = 1): void {
    this.roll();
    this.count += units;
  }

  /** Units used in the current window. */
  used(): number {
    this.roll();
    return this.count;
  }

  /** True when more than the limit has been used in this window (the request that went over is refused). */
  exceeded(): boolean {
    return this.used() > this.limit;
  }

  /** True when the limit is used up: one more unit would go over it. */
  full(): boolean {
    return this.used() >= this.limit;
  }

  /** Seconds until the next window starts (at least 1). */
  secondsToReset(): number {
    const now = this.now();
    return retryAfterSeconds(now, (Math.floor(now / this.windowMs) + 1) * this.windowMs);
  }

  private roll(): void {
    const w = Math.floor(this.now() / this.windowMs);
    if (w !== this.window) {
      this.window = w;
      this.count = 0;
    }
  }
}

/**
 * Units used in the last `windowMs` (a sliding window): a request is admitted when it fits, and
 * then counted; a refused request is not counted.
 */
export class SlidingWindowCounter {
  private readonly at: number[] = [];
  private readonly units: number[] = [];
  private total = 0;

  constructor(
    private readonly now: () => number,
    readonly windowMs: number,
    readonly limit: number,
  ) {
    if (!(windowMs > 0) || !(limit >= 0)) throw new RangeError(`a rate window needs a positive length and a limit >= 0, got ${windowMs} ms and ${limit}`);
  }

  /** Units used in the window ending now. */
  used(): number {
    this.expire(this.now());
    return this.total;
  }

  /** Counts `units` and returns true when they fit in the window; otherwise counts nothing and returns false. */
  tryAdd(units = 1): boolean {
    const now = this.now();
    this.expire(now);
    if (this.total + units > this.limit) return false;
    this.at.push(now);
    this.units.push(units);
    this.total += units;
    return true;
  }

  /** Milliseconds until `units` more would fit (0 when they fit now; Infinity when they exceed the limit itself). */
  retryAfterMs(units = 1): number {
    const now = this.now();
    this.expire(now);
    if (this.total + units <= this.limit) return 0;
    let total = this.total;
    for (let i = 0; i < this.at.length; i++) {
      total -= this.units[i]!;
      if (total + units <= this.limit) return this.at[i]! + this.windowMs - now;
    }
    // More units than the limit: they never fit.
    return Infinity;
  }

  private expire(now: number): void {
    while (this.at.length > 0 && this.at[0]! <= now - this.windowMs) {
      this.at.shift();
      this.total -= this.units.shift()!;
    }
  }
}

/** What a request meets at a {@link BackoffGate}. */
export type GateAdmission =
  | { readonly kind: 'ok' }
  | { readonly kind: 'banned'; readonly until: number; readonly retryAfterSec: number }
  | { readonly kind: 'backoff'; readonly retryAfterSec: number };

interface Backoff {
  readonly until: number;
  readonly maxIgnored?: number;
  ignored: number;
  readonly banSec: number;
}

/**
 * The back-off a client owes after a 429 and the ban for ignoring it. A 429 opens a window of its
 * Retry-After; with an escalation rule, the first `maxIgnored` requests inside the window still get
 * 429 and the next one starts a ban (every request is then refused until the ban ends). Without a
 * rule the window only records that a 429 was sent.
 */
export class BackoffGate {
  private backoff: Backoff | undefined;
  private banUntil = 0;
  private bans = 0;

  constructor(private readonly now: () => number) {}

  /** Decides whether a request passes: an active ban first, then an escalating back-off window. */
  admit(): GateAdmission {
    const now = this.now();
    if (this.banUntil > now) return { kind: 'banned', until: this.banUntil, retryAfterSec: retryAfterSeconds(now, this.banUntil) };
    const b = this.backoff;
    if (b && b.until > now && b.maxIgnored !== undefined) {
      b.ignored += 1;
      if (b.ignored > b.maxIgnored) {
        this.backoff = undefined;
        this.ban(b.banSec);
        return { kind: 'banned', until: this.banUntil, retryAfterSec: retryAfterSeconds(now, this.banUntil) };
      }
      return { kind: 'backoff', retryAfterSec: retryAfterSeconds(now, b.until) };
    }
    return { kind: 'ok' };
  }

  /**
   * Opens a back-off window after a 429 that told the client to wait `retryAfterSec`.
   * @param maxIgnored - requests tolerated inside the window before the ban; undefined: never ban.
   * @param banSec - length of that ban.
   */
  startBackoff(retryAfterSec: number, maxIgnored: number | undefined, banSec: number): void {
    this.backoff = { until: this.now() + retryAfterSec * 1000, maxIgnored, ignored: 0, banSec };
  }

  /** Bans the client for `seconds` from now. */
  ban(seconds: number): void {
    this.banUntil = this.now() + seconds * 1000;
    this.bans += 1;
  }

  /** True while a ban is in force. */
  banned(): boolean {
    return this.banUntil > this.now();
  }

  /** How many bans were imposed since the venue started. */
  get banCount(): number {
    return this.bans;
  }
}
