import { AutotraderError, type Clock, type RateLimitRule } from '@autotrader/core';

/**
 * What a request costs. `requests`: its weight against every `requests` rule. `orders`: an order
 * placement, which costs its weight against every `requests` rule and 1 against every `orders` rule
 * (the convention of {@link RateLimitRule} and `VenuePlugin.requestWeights`).
 */
export type LimitScope = 'requests' | 'orders';

/** One rule's sliding window: the units spent in the last `intervalMs`, oldest first. */
class RuleWindow {
  private at: number[] = [];
  private units: number[] = [];
  private head = 0;
  private sum = 0;

  constructor(readonly rule: RateLimitRule) {}

  /** Units spent in the window (now − intervalMs, now]. */
  used(now: number): number {
    this.prune(now);
    return this.sum;
  }

  /** The earliest time at which `cost` more units fit under the limit (now when they fit already). */
  availableAt(now: number, cost: number): number {
    this.prune(now);
    let excess = this.sum + cost - this.rule.limit;
    if (excess <= 0) return now;
    // Walk the oldest entries until enough of them have left the window.
    for (let i = this.head; i < this.at.length; i++) {
      excess -= this.units[i]!;
      if (excess <= 0) return this.at[i]! + this.rule.intervalMs;
    }
    return now + this.rule.intervalMs; // unreachable while cost <= limit, which acquire() checks
  }

  record(now: number, cost: number): void {
    if (cost <= 0) return;
    this.at.push(now);
    this.units.push(cost);
    this.sum += cost;
  }

  private prune(now: number): void {
    const edge = now - this.rule.intervalMs;
    while (this.head < this.at.length && this.at[this.head]! <= edge) {
      this.sum -= this.units[this.head]!;
      this.head++;
    }
    // Compact now and then so the arrays do not grow for ever; amortised O(1) per entry.
    if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at = this.at.slice(this.head);
      this.units = this.units.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.at.length) this.sum = 0; // no drift from float weights
  }
}

interface Waiter {
  readonly weight: number;
  readonly scope: LimitScope;
  readonly enqueuedAt: number;
  readonly admit: () => void;
  readonly send: () => void;
  readonly reject: (error: unknown) => void;
}

let limiterSeq = 0;

/**
 * Weighted rate limits of one venue, enforced before a request is sent: a request that does not
 * fit waits (first in, first out, so a heavy request is never starved by light ones) until enough
 * of the window has expired. It never goes out over a limit.
 *
 * Each rule is a sliding window: at any moment the units sent in the last `intervalMs` stay within
 * `limit`. A venue that counts in fixed windows (Binance: per calendar minute) is then never
 * exceeded either, since every fixed window lies inside some sliding one.
 *
 * The venue's own counters (usage headers) can only tighten the budget ({@link reportUsage}); a
 * 429's Retry-After pauses every request ({@link pauseUntil}). All waiting is done on the
 * {@link Clock} port, so it behaves the same on the simulated and the real-time clock.
 */
export class RateLimiter {
  private readonly windows: RuleWindow[];
  private readonly byName = new Map<string, RuleWindow>();
  private readonly queue: Waiter[] = [];
  private readonly alertName: string;
  private armedAt: number | undefined;
  private paused = 0;
  private waited = 0;
  private closedWith: AutotraderError | undefined;

  constructor(
    rules: readonly RateLimitRule[],
    private readonly clock: Clock,
    name = 'venue',
  ) {
    for (const r of rules) {
      if (!(Number.isFinite(r.limit) && r.limit > 0 && Number.isFinite(r.intervalMs) && r.intervalMs > 0)) {
        throw new AutotraderError('CONFIG_INVALID', `rate limit '${r.name}' of ${name}: limit and intervalMs must be positive numbers, got ${r.limit} per ${r.intervalMs} ms`);
      }
    }
    this.windows = rules.map((r) => new RuleWindow(r));
    for (const w of this.windows) this.byName.set(w.rule.name, w);
    this.alertName = `guard:${name}:rate-limit:${++limiterSeq}`;
  }

  /** The rules enforced. */
  get rules(): readonly RateLimitRule[] {
    return this.windows.map((w) => w.rule);
  }

  /** Units spent against one rule in its current window (what the next request is weighed against). */
  used(ruleName: string): number {
    const w = this.byName.get(ruleName);
    if (w === undefined) throw new AutotraderError('CONFIG_INVALID', `no rate limit named '${ruleName}'; known: ${[...this.byName.keys()].join(', ') || 'none'}`);
    return w.used(this.clock.now());
  }

  /** Requests waiting for budget. */
  get queued(): number {
    return this.queue.length;
  }

  /** Total time requests have spent waiting for budget or for a pause, ms. */
  get throttledMs(): number {
    return this.waited;
  }

  /** Until when every request is held (epoch ms; in the past when not paused). */
  get pausedUntil(): number {
    return this.paused;
  }

  /** Waits until a request of this weight and scope may be sent, and counts it as sent. */
  acquire(weight: number, scope: LimitScope = 'requests'): Promise<void> {
    return this.run(weight, scope, () => undefined, () => Promise.resolve());
  }

  /**
   * Waits for budget, then, in the same synchronous step, calls `admit` (which may throw to refuse
   * the request: nothing is counted then), records the cost, and calls `send`. Doing the check and
   * the send in one step means a pause that begins while a request waits can never be slipped past.
   */
  run<T>(weight: number, scope: LimitScope, admit: () => void, send: () => Promise<T>): Promise<T> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    try {
      this.checkCost(weight, scope);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        weight,
        scope,
        enqueuedAt: this.clock.now(),
        admit,
        send: () => {
          let sent: Promise<T>;
          try {
            sent = send();
          } catch (error) {
            sent = Promise.reject(error);
          }
          sent.then(resolve, reject);
        },
        reject,
      };
      this.queue.push(waiter);
      // Only the head of an otherwise empty queue can go at once; later ones wait their turn.
      if (this.queue.length === 1) this.pump();
    });
  }

  /**
   * Feeds the venue's own count of units used in a rule's current window (for example Binance's
   * `X-MBX-USED-WEIGHT-1M`), keyed by rule name. When the venue has counted more than we have (other
   * processes on the same key or IP, or requests we did not weigh right), the difference is added
   * as spent now. A lower count is ignored: ours is the safer one. Unknown rule names are ignored.
   */
  reportUsage(used: Readonly<Record<string, number>>): void {
    const now = this.clock.now();
    for (const [name, venueUsed] of Object.entries(used)) {
      const w = this.byName.get(name);
      if (w === undefined || !Number.isFinite(venueUsed)) continue;
      const missing = venueUsed - w.used(now);
      if (missing > 0) w.record(now, missing);
    }
  }

  /** Holds every request until `at` (epoch ms), for example after a 429 with Retry-After. Pauses only lengthen. */
  pauseUntil(at: number): void {
    if (at <= this.paused) return;
    this.paused = at;
    if (this.queue.length > 0) this.pump();
  }

  /** Rejects every waiting request with `error`, and every later one, until {@link reopen}. */
  close(error: AutotraderError): void {
    this.closedWith = error;
    this.disarm();
    for (const w of this.queue.splice(0)) w.reject(error);
  }

  /** Accepts requests again after {@link close}. */
  reopen(): void {
    this.closedWith = undefined;
  }

  private checkCost(weight: number, scope: LimitScope): void {
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new AutotraderError('CONFIG_INVALID', `request weight must be a number >= 0, got ${weight}`);
    }
    for (const w of this.windows) {
      const cost = this.costFor(w.rule, weight, scope);
      if (cost > w.rule.limit) {
        throw new AutotraderError('CONFIG_INVALID', `a request of weight ${cost} can never fit the rate limit '${w.rule.name}' (${w.rule.limit} per ${w.rule.intervalMs} ms); check requestWeights`);
      }
    }
  }

  private costFor(rule: RateLimitRule, weight: number, scope: LimitScope): number {
    if (rule.scope === 'requests') return weight;
    return scope === 'orders' ? 1 : 0;
  }

  /** When the waiter may go: after any pause, and once every rule has room. */
  private readyAt(w: Waiter, now: number): number {
    let at = Math.max(now, this.paused);
    for (const win of this.windows) {
      const cost = this.costFor(win.rule, w.weight, w.scope);
      if (cost > 0) at = Math.max(at, win.availableAt(now, cost));
    }
    return at;
  }

  private pump(): void {
    const now = this.clock.now();
    while (this.queue.length > 0) {
      const w = this.queue[0]!;
      const at = this.readyAt(w, now);
      if (at > now) return this.arm(at);
      this.queue.shift();
      this.grant(w, now);
    }
    this.disarm();
  }

  private grant(w: Waiter, now: number): void {
    try {
      w.admit();
    } catch (error) {
      w.reject(error);
      return;
    }
    for (const win of this.windows) win.record(now, this.costFor(win.rule, w.weight, w.scope));
    this.waited += now - w.enqueuedAt;
    w.send();
  }

  private arm(at: number): void {
    if (this.armedAt === at) return;
    this.armedAt = at;
    this.clock.setAlert(this.alertName, at, () => {
      this.armedAt = undefined;
      this.pump();
    });
  }

  private disarm(): void {
    if (this.armedAt === undefined) return;
    this.armedAt = undefined;
    this.clock.cancel(this.alertName);
  }
}

/**
 * Maps usage counters keyed by interval (Binance's `usedWeight` / `orderCount`: `1m`, `10s`, `1d`)
 * to the rules of one scope with that interval, for {@link RateLimiter.reportUsage}. Intervals
 * that match no rule are left out.
 */
export function usageByInterval(rules: readonly RateLimitRule[], scope: RateLimitRule['scope'], byInterval: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [interval, used] of Object.entries(byInterval)) {
    const ms = intervalMs(interval);
    if (ms === undefined) continue;
    for (const r of rules) if (r.scope === scope && r.intervalMs === ms) out[r.name] = used;
  }
  return out;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function intervalMs(interval: string): number | undefined {
  const m = /^(\d+)([smhd])$/i.exec(interval.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : undefined;
}
