import { isAutotraderError } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { harness, MIN, T0 } from './test-harness';

describe('venue rate limits', () => {
  it('refuses orders over the orders-per-window limit with RATE_LIMITED, and admits them again once the window has passed', async () => {
    const h = await harness({ rateLimits: [{ name: 'ORDERS_1M', limit: 2, intervalMs: MIN, scope: 'orders' }] });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    for (let i = 0; i < 3; i++) await h.submit({ side: 'buy', quantity: '1', type: 'limit', price: '90' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    const rejected = h.reports.filter((r) => r.kind === 'rejected');
    expect(h.kinds().filter((k) => k === 'accepted')).toHaveLength(2);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.kind === 'rejected' && rejected[0]!.code).toBe('RATE_LIMITED');
    await h.submit({ side: 'buy', quantity: '1', type: 'limit', price: '90' });
    h.bar(T0 + 4 * MIN, 100, 100, 100, 100);
    expect(h.kinds().filter((k) => k === 'accepted')).toHaveLength(3);
  });

  it('weighs queries against request limits and fails them like a 429', async () => {
    const h = await harness({ rateLimits: [{ name: 'WEIGHT', limit: 25, intervalMs: MIN, scope: 'requests' }], requestWeights: { balances: 20 } });
    await h.venue.balances();
    let error: unknown;
    try {
      await h.venue.balances();
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'RATE_LIMITED')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
  });

  it('costs nothing and limits nothing without rules', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    for (let i = 0; i < 50; i++) await h.submit({ side: 'buy', quantity: '1', type: 'limit', price: '90' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    expect(h.kinds().filter((k) => k === 'accepted')).toHaveLength(50);
  });
});
