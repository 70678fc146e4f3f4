import { AutotraderError, backoffDelay, isAutotraderError, mulberry32, type Clock } from '@autotrader/core';

/** How failed requests are retried. */
export interface RetryPolicy {
  /** Attempts in all, the first one included (1 = never retry). */
  readonly maxAttempts: number;
  /** The wait before the first retry, before jitter, ms. */
  readonly baseDelayMs: number;
  /** The cap on any wait, ms. */
  readonly maxDelayMs: number;
  /** 0..1: each wait is shortened by a random fraction up to this, so clients that failed together do not retry together. */
  readonly jitter: number;
}

/**
 * Waits are core's one {@link backoffDelay} (a RetryPolicy is a BackoffPolicy with the default
 * multiplier 2), re-exported here for the engine's own callers.
 */
export { backoffDelay };

/** Draws backoff waits from one seeded PRNG, in call order. */
export class Backoff {
  private readonly random: () => number;

  constructor(
    private readonly policy: RetryPolicy,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  /** The wait before retry number `retry` (1-based), ms. */
  next(retry: number): number {
    return backoffDelay(this.policy, retry, this.random());
  }
}

/** True for errors whose code (or explicit flag) says a retry can succeed. Uncoded errors are bugs: never retried. */
export function isRetryable(error: unknown): boolean {
  return isAutotraderError(error) && error.retryable;
}

/** True when a failed order request may still have been carried out by the venue (timeout, 5xx). */
export function isOutcomeUnknown(error: unknown): boolean {
  return isAutotraderError(error) && error.details.outcomeUnknown === true;
}

/** Checks a retry policy, or throws CONFIG_INVALID naming the field. */
export function checkRetryPolicy(p: RetryPolicy): void {
  const bad = (field: string, rule: string, value: number): never => {
    throw new AutotraderError('CONFIG_INVALID', `retry policy: ${field} must be ${rule}, got ${value}`);
  };
  if (!(Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1)) bad('maxAttempts', 'a whole number >= 1', p.maxAttempts);
  if (!(Number.isFinite(p.baseDelayMs) && p.baseDelayMs >= 0)) bad('baseDelayMs', 'a number >= 0', p.baseDelayMs);
  if (!(Number.isFinite(p.maxDelayMs) && p.maxDelayMs >= p.baseDelayMs)) bad('maxDelayMs', 'a number >= baseDelayMs', p.maxDelayMs);
  if (!(p.jitter >= 0 && p.jitter <= 1)) bad('jitter', 'between 0 and 1', p.jitter);
}

let sleeperSeq = 0;

/**
 * Sleeps on the {@link Clock} port (alerts), so waits pass in simulated time in a backtest and in
 * real time live. Pending sleeps can be cancelled together, which rejects them.
 */
export class Sleeper {
  private readonly pending = new Map<string, (error: unknown) => void>();
  private readonly prefix: string;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    name = 'venue',
  ) {
    this.prefix = `guard:${name}:sleep:${++sleeperSeq}:`;
  }

  /** Resolves once `ms` have passed on the clock (at once for 0 or less). */
  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    const name = this.prefix + ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(name, reject);
      this.clock.setAlert(name, this.clock.now() + ms, () => {
        this.pending.delete(name);
        resolve();
      });
    });
  }

  /** Sleeps in progress. */
  get sleeping(): number {
    return this.pending.size;
  }

  /** Cancels every pending sleep; each rejects with `error`. */
  cancelAll(error: unknown): void {
    for (const [name, reject] of [...this.pending]) {
      this.pending.delete(name);
      this.clock.cancel(name);
      reject(error);
    }
  }
}
