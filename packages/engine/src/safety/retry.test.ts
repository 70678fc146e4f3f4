import { describe, expect, it } from 'vitest';
import { AutotraderError, SimulatedClock } from '@autotrader/core';
import { mulberry32 } from '@autotrader/core';
import { Backoff, backoffDelay, checkRetryPolicy, isOutcomeUnknown, isRetryable, Sleeper, type RetryPolicy } from './retry';
import { runUntil } from './test-helpers';

const POLICY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 10_000, jitter: 0.2 };

describe('backoff', () => {
  it('doubles from the base delay up to the cap when there is no jitter', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay({ ...POLICY, jitter: 0 }, n, 0.9));
    expect(steps).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
  });

  it('jitter only shortens a wait, by at most the jitter fraction', () => {
    expect(backoffDelay(POLICY, 1, 0)).toBe(200);
    expect(backoffDelay(POLICY, 1, 0.5)).toBe(180);
    expect(backoffDelay(POLICY, 3, 0.999_999)).toBe(640);
    expect(backoffDelay(POLICY, 9, 0.5)).toBe(9000);
  });

  it('draws the same jittered waits for the same seed, and other waits for another seed', () => {
    const draw = (seed: number): number[] => {
      const b = new Backoff(POLICY, seed);
      return [1, 2, 3, 4, 5].map((n) => b.next(n));
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    a.forEach((d, i) => {
      const step = 200 * 2 ** i;
      expect(d).toBeGreaterThanOrEqual(step * 0.8);
      expect(d).toBeLessThanOrEqual(step);
    });
    // Not all at the top of their range: the jitter is really applied.
    expect(a.some((d, i) => d < 200 * 2 ** i)).toBe(true);
  });

  it('mulberry32 is uniform enough in [0, 1)', () => {
    const r = mulberry32(123);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = r();
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });

  it('refuses a policy that makes no sense, naming the field', () => {
    expect(() => checkRetryPolicy({ ...POLICY, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => checkRetryPolicy({ ...POLICY, jitter: 1.5 })).toThrow(/jitter/);
    expect(() => checkRetryPolicy({ ...POLICY, maxDelayMs: 100 })).toThrow(/maxDelayMs/);
    expect(() => checkRetryPolicy(POLICY)).not.toThrow();
  });
});

describe('error classification', () => {
  it('retries coded retryable errors only, and reads the unknown-outcome flag', () => {
    expect(isRetryable(new AutotraderError('VENUE_UNAVAILABLE', 'x'))).toBe(true);
    expect(isRetryable(new AutotraderError('RATE_LIMITED', 'x'))).toBe(true);
    expect(isRetryable(new AutotraderError('VENUE_REJECTED', 'x'))).toBe(false);
    expect(isRetryable(new AutotraderError('VENUE_REJECTED', 'x', { retryable: true }))).toBe(true);
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isOutcomeUnknown(new AutotraderError('VENUE_TIMEOUT', 'x', { details: { outcomeUnknown: true } }))).toBe(true);
    expect(isOutcomeUnknown(new AutotraderError('VENUE_TIMEOUT', 'x'))).toBe(false);
  });
});

describe('Sleeper', () => {
  it('sleeps on the clock: nothing resolves until simulated time has passed', async () => {
    const clock = new SimulatedClock(1000);
    const sleeper = new Sleeper(clock);
    let woke = -1;
    void sleeper.sleep(250).then(() => (woke = clock.now()));
    await runUntil(clock, 1249);
    expect(woke).toBe(-1);
    await runUntil(clock, 2000);
    expect(woke).toBe(1250);
    await expect(sleeper.sleep(0)).resolves.toBeUndefined();
  });

  it('cancelAll rejects pending sleeps and removes their alerts', async () => {
    const clock = new SimulatedClock(0);
    const sleeper = new Sleeper(clock);
    const a = sleeper.sleep(100);
    const b = sleeper.sleep(200);
    expect(sleeper.sleeping).toBe(2);
    const stop = new Error('stop');
    sleeper.cancelAll(stop);
    await expect(a).rejects.toBe(stop);
    await expect(b).rejects.toBe(stop);
    expect(clock.nextTimerAt).toBe(Infinity);
  });
});
