import { describe, expect, it } from 'vitest';
import type { HttpFailure } from '@autotrader/venue-kit';
import { mapOandaFailure } from './http';

const failure = (status: number, json: unknown, request = 'GET /v3/accounts/101-004-1435156-001/summary'): HttpFailure => ({
  request,
  kind: 'read',
  status,
  headers: {},
  text: JSON.stringify(json),
  json,
  now: 0,
});

describe('OANDA error answers', () => {
  it('401 says which environment the token is for, by the host asked', () => {
    const body = { errorMessage: 'Insufficient authorization to perform request.' };
    expect(mapOandaFailure(failure(401, body), true)).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('add --mainnet') });
    expect(mapOandaFailure(failure(401, body), false)).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('remove --mainnet') });
  });

  it('403 names the account the token does not own', () => {
    expect(mapOandaFailure(failure(403, { errorMessage: 'The provided request was forbidden.' }), true).message).toContain('does not own account 101-004-1435156-001');
  });

  it('429 is RATE_LIMITED waiting one second (OANDA sends no Retry-After); 5xx is VENUE_UNAVAILABLE', () => {
    expect(mapOandaFailure(failure(429, { errorMessage: 'Requests per second limit exceeded' }), true)).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterMs: 1000 } });
    expect(mapOandaFailure(failure(503, { errorMessage: 'An internal server error occurred' }), true)).toMatchObject({ code: 'VENUE_UNAVAILABLE', retryable: true });
  });

  it('400 with errorCode or a reject transaction maps the reason, with OANDA errorMessage; 404 of an order is ORDER_UNKNOWN', () => {
    const dup = mapOandaFailure(failure(400, { errorCode: 'CLIENT_ORDER_ID_ALREADY_EXISTS', errorMessage: 'Client order ID at-1 already exists', orderRejectTransaction: { rejectReason: 'CLIENT_ORDER_ID_ALREADY_EXISTS' } }), true);
    expect(dup).toMatchObject({ code: 'VENUE_REJECTED', details: { venueCode: 'CLIENT_ORDER_ID_ALREADY_EXISTS', outcomeUnknown: false } });
    expect(dup.message).toContain('Client order ID at-1 already exists');
    expect(mapOandaFailure(failure(400, { orderRejectTransaction: { rejectReason: 'INSUFFICIENT_MARGIN' }, errorMessage: 'x' }), true).code).toBe('INSUFFICIENT_MARGIN');
    expect(mapOandaFailure(failure(404, { orderCancelRejectTransaction: { rejectReason: 'ORDER_DOESNT_EXIST' }, errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The order does not exist' }), true).code).toBe('ORDER_UNKNOWN');
  });
});
