import { describe, expect, it } from 'vitest';
import { AutotraderError, SimulatedClock, type RateLimitRule } from '@autotrader/core';
import { RateLimiter, usageByInterval, type LimitScope } from './rate-limiter';
import { mulberry32 } from '@autotrader/core';
import { maxInWindow, runUntil } from './test-helpers';

const T0 = 1_700_000_000_000;
const per = (name: string, limit: number, intervalMs: number, scope: RateLimitRule['scope'] = 'requests'): RateLimitRule => ({ name, limit, intervalMs, scope });

/** Starts every acquire now and records when each was granted (clock time), by index. */
function burst(limiter: RateLimiter, clock: SimulatedClock, costs: readonly { weight: number; scope?: LimitScope }[]): number[] {
  const granted: number[] = [];
  costs.forEach((c, i) => {
    void limiter.acquire(c.weight, c.scope ?? 'requests').then(() => {
      granted[i] = clock.now();
    });
  });
  return granted;
}

describe('RateLimiter', () => {
  it('spreads a burst so that no window of the interval holds more than the limit', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 10, 1000)], clock);
    const granted = burst(limiter, clock, Array.from({ length: 25 }, () => ({ weight: 1 })));
    await runUntil(clock, T0 + 5000);
    expect(granted.map((t) => t - T0)).toEqual([...Array(10).fill(0), ...Array(10).fill(1000), ...Array(5).fill(2000)]);
    expect(limiter.throttledMs).toBe(10 * 1000 + 5 * 2000);
  });

  it('never exceeds any rule under a burst of random weights and order placements', async () => {
    const clock = new SimulatedClock(T0);
    const rules = [per('W1M', 120, 60_000), per('W1S', 15, 1000), per('O10S', 5, 10_000, 'orders')];
    const limiter = new RateLimiter(rules, clock);
    const rnd = mulberry32(42);
    const costs = Array.from({ length: 200 }, () => ({ weight: 1 + Math.floor(rnd() * 6), scope: (rnd() < 0.3 ? 'orders' : 'requests') as LimitScope }));
    const granted = burst(limiter, clock, costs);
    await runUntil(clock, T0 + 3_600_000);
    expect(granted.filter((t) => t !== undefined)).toHaveLength(200);
    const weights = costs.map((c) => c.weight);
    const orderUnits = costs.map((c) => (c.scope === 'orders' ? 1 : 0));
    expect(maxInWindow(granted, weights, 60_000)).toBeLessThanOrEqual(120);
    expect(maxInWindow(granted, weights, 1000)).toBeLessThanOrEqual(15);
    expect(maxInWindow(granted, orderUnits, 10_000)).toBeLessThanOrEqual(5);
    // Grants follow arrival order.
    for (let i = 1; i < granted.length; i++) expect(granted[i]!).toBeGreaterThanOrEqual(granted[i - 1]!);
    // And the limiter does not dawdle: the busiest minute is (nearly) full.
    expect(maxInWindow(granted, weights, 60_000)).toBeGreaterThan(120 - 6);
  });

  it('weighs requests and waits until enough weight has left the window', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 10, 1000)], clock);
    const granted = burst(limiter, clock, [{ weight: 4 }, { weight: 4 }, { weight: 4 }, { weight: 0 }]);
    await runUntil(clock, T0 + 3000);
    // The third needs the first to expire; the weightless one still waits its turn behind it.
    expect(granted.map((t) => t - T0)).toEqual([0, 0, 1000, 1000]);
  });

  it('counts an order placement against orders rules once, and other requests not at all', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 100, 1000), per('ORDERS', 2, 10_000, 'orders')], clock);
    const orders = burst(limiter, clock, [{ weight: 1, scope: 'orders' }, { weight: 1, scope: 'orders' }, { weight: 1, scope: 'orders' }]);
    await runUntil(clock, T0 + 1);
    expect(limiter.used('W')).toBe(2);
    expect(limiter.used('ORDERS')).toBe(2);
    await runUntil(clock, T0 + 20_000);
    expect(orders.map((t) => t - T0)).toEqual([0, 0, 10_000]);
    const reads = burst(limiter, clock, Array.from({ length: 5 }, () => ({ weight: 3 })));
    await runUntil(clock, T0 + 20_000);
    expect(reads.map((t) => t - T0)).toEqual(Array(5).fill(20_000));
  });

  it('serves waiters first in, first out: a heavy request is not starved by light ones', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 10, 1000)], clock);
    const order: string[] = [];
    void limiter.acquire(8).then(() => order.push(`a@${clock.now() - T0}`));
    void limiter.acquire(8).then(() => order.push(`b@${clock.now() - T0}`));
    void limiter.acquire(1).then(() => order.push(`c@${clock.now() - T0}`));
    await runUntil(clock, T0 + 3000);
    expect(order).toEqual(['a@0', 'b@1000', 'c@1000']);
  });

  it('tightens the budget from the venue usage, and ignores a lower count', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('REQUEST_WEIGHT', 10, 1000)], clock);
    limiter.reportUsage({ REQUEST_WEIGHT: 7, UNKNOWN_RULE: 99 });
    expect(limiter.used('REQUEST_WEIGHT')).toBe(7);
    const granted = burst(limiter, clock, Array.from({ length: 5 }, () => ({ weight: 1 })));
    await runUntil(clock, T0 + 1500);
    expect(granted.map((t) => t - T0)).toEqual([0, 0, 0, 1000, 1000]);
    // The window now holds the two sent at +1000; the venue saying 1 (its window rolled) changes nothing.
    expect(limiter.used('REQUEST_WEIGHT')).toBe(2);
    limiter.reportUsage({ REQUEST_WEIGHT: 1 });
    expect(limiter.used('REQUEST_WEIGHT')).toBe(2);
    limiter.reportUsage({ REQUEST_WEIGHT: 9 });
    expect(limiter.used('REQUEST_WEIGHT')).toBe(9);
  });

  it('holds every request until a pause ends, including those already waiting', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 2, 1000)], clock);
    const first = burst(limiter, clock, [{ weight: 1 }, { weight: 1 }, { weight: 1 }]);
    await runUntil(clock, T0 + 10);
    limiter.pauseUntil(T0 + 5000);
    limiter.pauseUntil(T0 + 4000); // a shorter pause does not cut the longer one
    const later = burst(limiter, clock, [{ weight: 1 }]);
    await runUntil(clock, T0 + 10_000);
    expect(first.map((t) => t - T0)).toEqual([0, 0, 5000]);
    expect(later.map((t) => t - T0)).toEqual([5000]);
    expect(limiter.pausedUntil).toBe(T0 + 5000);
  });

  it('does not count a request its admit check refuses', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 5, 1000)], clock);
    const refused = new AutotraderError('VENUE_UNAVAILABLE', 'no');
    await expect(
      limiter.run(
        3,
        'requests',
        () => {
          throw refused;
        },
        () => Promise.resolve('sent'),
      ),
    ).rejects.toBe(refused);
    expect(limiter.used('W')).toBe(0);
    await expect(limiter.run(3, 'requests', () => undefined, () => Promise.resolve('sent'))).resolves.toBe('sent');
    expect(limiter.used('W')).toBe(3);
  });

  it('refuses a weight that can never fit, and bad rules', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 5, 1000)], clock);
    await expect(limiter.acquire(6)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(() => new RateLimiter([per('W', 0, 1000)], clock)).toThrow(/limit and intervalMs must be positive/);
  });

  it('close rejects waiting and later requests and leaves no timer behind; reopen accepts again', async () => {
    const clock = new SimulatedClock(T0);
    const limiter = new RateLimiter([per('W', 1, 1000)], clock);
    await limiter.acquire(1);
    const waiting = limiter.acquire(1);
    await runUntil(clock, T0 + 10);
    expect(clock.nextTimerAt).toBe(T0 + 1000);
    const stop = new AutotraderError('VENUE_UNAVAILABLE', 'stopped', { retryable: false });
    limiter.close(stop);
    await expect(waiting).rejects.toBe(stop);
    await expect(limiter.acquire(1)).rejects.toBe(stop);
    expect(clock.nextTimerAt).toBe(Infinity);
    limiter.reopen();
    await runUntil(clock, T0 + 1000);
    await expect(limiter.acquire(1)).resolves.toBeUndefined();
  });
});

describe('usageByInterval', () => {
  it("maps Binance's interval-keyed counters to the rules of that scope and interval", () => {
    const rules = [per('REQUEST_WEIGHT', 6000, 60_000), per('ORDERS_10S', 50, 10_000, 'orders'), per('ORDERS_1D', 160_000, 86_400_000, 'orders')];
    expect(usageByInterval(rules, 'requests', { '1m': 812, '1h': 5 })).toEqual({ REQUEST_WEIGHT: 812 });
    expect(usageByInterval(rules, 'orders', { '10s': 3, '1d': 1200, bogus: 1 })).toEqual({ ORDERS_10S: 3, ORDERS_1D: 1200 });
  });
});
