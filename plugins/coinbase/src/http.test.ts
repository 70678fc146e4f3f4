import { describe, expect, it } from 'vitest';
import type { HttpFailure } from '@autotrader/venue-kit';
import { mapCoinbaseFailure, rateLimitWaitMs, usageOf } from './http';

const NOW = 1_700_000_000_000;
const failure = (status: number, json: unknown, headers: Record<string, string> = {}, kind: 'read' | 'order' = 'read', request = 'POST /api/v3/brokerage/orders'): HttpFailure => ({
  request,
  kind,
  status,
  headers,
  text: JSON.stringify(json),
  json,
  now: NOW,
});

describe('Coinbase error answers', () => {
  it('401 is AUTH_FAILED naming the variables, never the body (which could echo the token)', () => {
    const e = mapCoinbaseFailure(failure(401, { error: 'UNAUTHENTICATED', message: 'Bearer eyJhbGciOi.secret' }));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toContain('COINBASE_API_KEY');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('eyJhbGciOi');
  });

  it('429 is RATE_LIMITED with the wait from Retry-After, else x-ratelimit-reset (epoch seconds or seconds), else a second', () => {
    expect(mapCoinbaseFailure(failure(429, {}, { 'retry-after': '3' })).details).toMatchObject({ retryAfterMs: 3000 });
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': String((NOW + 2500) / 1000) }, NOW)).toBe(2500);
    expect(rateLimitWaitMs({ 'x-ratelimit-reset': '2' }, NOW)).toBe(2000);
    expect(rateLimitWaitMs({}, NOW)).toBe(1000);
    expect(mapCoinbaseFailure(failure(429, {})).retryable).toBe(true);
  });

  it('5xx is VENUE_UNAVAILABLE, 404 on an order path ORDER_UNKNOWN, refusals by their failure reason', () => {
    expect(mapCoinbaseFailure(failure(503, {}, {}, 'order')).code).toBe('VENUE_UNAVAILABLE');
    expect(mapCoinbaseFailure(failure(404, { error: 'NOT_FOUND', message: 'order with this orderID was not found' }, {}, 'read', 'GET /api/v3/brokerage/orders/historical/x')).code).toBe('ORDER_UNKNOWN');
    const refused = mapCoinbaseFailure(failure(400, { error: 'INVALID_ARGUMENT', message: 'bad size', preview_failure_reason: 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL' }));
    expect(refused.code).toBe('LOT_SIZE');
    expect(refused.details).toMatchObject({ venueCode: 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL', venueMessage: 'bad size', status: 400 });
    expect(mapCoinbaseFailure(failure(400, { error: 'INVALID_ARGUMENT' })).code).toBe('VENUE_REJECTED');
  });

  it('reads usage from x-ratelimit-limit and -remaining as requests used this second', () => {
    expect(usageOf({ 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '21' })).toEqual({ usedWeight: { '1s': 9 } });
    expect(usageOf({})).toBeUndefined();
  });
});
