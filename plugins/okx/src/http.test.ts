import { describe, expect, it } from 'vitest';
import type { HttpFailure } from '@autotrader/venue-kit';
import { DEFAULT_RETRY_AFTER_MS, mapOkxFailure } from './http';

const failure = (status: number, json: unknown, headers: Record<string, string> = {}, kind: 'order' | 'read' = 'order'): HttpFailure => ({
  request: 'POST /api/v5/trade/order',
  kind,
  status,
  headers,
  text: JSON.stringify(json),
  json,
  now: 1_000_000,
});

describe('OKX failures', () => {
  it('429 / 50011 is RATE_LIMITED with a wait, and nothing was placed', () => {
    const e = mapOkxFailure(failure(429, { code: '50011', msg: 'Too Many Requests', data: [] }), true);
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.details.retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    expect(e.details.outcomeUnknown).toBe(false);
    expect(mapOkxFailure(failure(429, { code: '50011', msg: '', data: [] }, { 'retry-after': '3' }), true).details.retryAfterMs).toBe(3000);
    expect(mapOkxFailure(failure(429, 'busy'), true).code).toBe('RATE_LIMITED');
  });

  it('50001 and 50013 are a busy venue: retryable, nothing done', () => {
    for (const [code, status] of [['50001', 503], ['50013', 429]] as const) {
      // OKX answers 50013 with HTTP 429: the code, not the status, says it is a busy venue.
      const e = mapOkxFailure(failure(status, { code, msg: 'Systems are busy', data: [] }), true);
      expect(e.code).toBe('VENUE_UNAVAILABLE');
      expect(e.retryable).toBe(true);
      expect(e.details.outcomeUnknown).toBe(false);
    }
  });

  it('50004 leaves the outcome unknown', () => {
    const e = mapOkxFailure(failure(200, { code: '50004', msg: 'Endpoint request timeout', data: [] }), true);
    expect(e.code).toBe('VENUE_TIMEOUT');
    expect(e.details.outcomeUnknown).toBe(true);
  });

  it('an order refused in its item (code 1, sCode 51008) is INSUFFICIENT_FUNDS with the venue code', () => {
    const e = mapOkxFailure(failure(200, { code: '1', msg: 'All operations failed', data: [{ clOrdId: 'a', ordId: '', sCode: '51008', sMsg: 'Order failed. Insufficient USDT balance' }] }), true);
    expect(e.code).toBe('INSUFFICIENT_FUNDS');
    expect(e.details.venueCode).toBe('51008');
    expect(e.details.outcomeUnknown).toBe(false);
    expect(e.message).toContain('Insufficient USDT balance');
  });

  it('51016 keeps its code, so the port looks the order up instead of sending it again', () => {
    const e = mapOkxFailure(failure(200, { code: '1', msg: '', data: [{ sCode: '51016', sMsg: 'Duplicated clOrdId' }] }), true);
    expect(e.details.venueCode).toBe('51016');
    expect(e.retryable).toBe(false);
  });

  it('50101 is AUTH_FAILED saying live key on demo, or demo key on live', () => {
    expect(mapOkxFailure(failure(401, { code: '50101', msg: 'APIKey does not match current environment.', data: [] }, {}, 'read'), true).message).toMatch(/live key on the demo environment/);
    expect(mapOkxFailure(failure(401, { code: '50101', msg: '', data: [] }, {}, 'read'), false).message).toMatch(/demo key on the live environment/);
  });

  it('a 5xx without an OKX body is VENUE_UNAVAILABLE (the kit marks an order outcome unknown)', () => {
    const e = mapOkxFailure(failure(502, undefined), true);
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    expect(e.details.outcomeUnknown).toBeUndefined();
  });
});
