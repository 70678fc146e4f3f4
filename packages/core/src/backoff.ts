/**
 * The one exponential backoff of autotrader. The engine's request retries, a venue socket's
 * reconnects, a line stream's reconnects and a book's snapshot retries all wait by it, so that every
 * wait in the system grows, caps and jitters the same way.
 */

/** How waits grow. */
export interface BackoffPolicy {
  /** The wait before the first retry, before jitter, ms. */
  readonly baseDelayMs: number;
  /** The cap on any wait, ms. */
  readonly maxDelayMs: number;
  /** Each further retry multiplies the wait by this (default 2). */
  readonly multiplier?: number;
  /**
   * 0..1: each wait is shortened by a random fraction up to this, so clients that failed together do
   * not retry together. Jitter only shortens: no wait ever exceeds `maxDelayMs`.
   */
  readonly jitter: number;
}

/**
 * The wait before retry number `retry` (1 for the first retry): the step
 * `min(maxDelayMs, baseDelayMs · multiplier^(retry−1))`, shortened by `jitter · u` of itself, where
 * `u` is a random draw in [0, 1) (pass 0 for no jitter). Rounded to whole milliseconds.
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, u: number): number {
  const multiplier = policy.multiplier ?? 2;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * multiplier ** Math.max(0, retry - 1));
  return Math.max(0, Math.round(step * (1 - policy.jitter * u)));
}
