import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from './backoff';

const policy: BackoffPolicy = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 };

describe('backoffDelay', () => {
  it('multiplies from the base delay up to the cap (default multiplier 2)', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay({ ...policy, jitter: 0 }, n, 0.7))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3].map((n) => backoffDelay({ ...policy, multiplier: 3, jitter: 0 }, n, 0))).toEqual([100, 300, 900]);
  });

  it('jitter only shortens, by at most the jitter fraction, and never exceeds the cap', () => {
    expect(backoffDelay(policy, 2, 0)).toBe(200);
    expect(backoffDelay(policy, 2, 0.5)).toBe(180);
    expect(backoffDelay(policy, 2, 0.999_999)).toBe(160);
    expect(backoffDelay(policy, 20, 0)).toBe(1000);
    for (let u = 0; u < 1; u += 0.05) {
      const d = backoffDelay(policy, 3, u);
      expect(d).toBeGreaterThanOrEqual(320);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('a retry number below 1 waits the base delay', () => {
    expect(backoffDelay({ ...policy, jitter: 0 }, 0, 0)).toBe(100);
  });
});
