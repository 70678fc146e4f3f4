import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSettings } from '@autotrader/core';
import { backoffPolicyOf, reconnectSchema, timeoutsSchema, urlOption } from './config';

describe('shared config blocks', () => {
  const schema = z.strictObject({ restUrl: urlOption(['http:', 'https:']).optional(), reconnect: reconnectSchema, timeouts: timeoutsSchema });

  it('fills the defaults', () => {
    expect(schema.parse({})).toEqual({
      reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 },
      timeouts: { requestMs: 10_000, connectMs: 10_000, wsRequestMs: 10_000, pingIntervalMs: 20_000, deadAfterMs: 60_000 },
    });
  });

  it('refuses unknown keys at every level and URLs of the wrong protocol', () => {
    const r = checkSettings(schema, { timeouts: { requestMss: 300 }, restUrl: 'ws://x' });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.message).toContain('timeouts: Unrecognized key: "requestMss" (did you mean "requestMs"? valid keys: requestMs, connectMs, wsRequestMs, pingIntervalMs, deadAfterMs)');
    expect(r.message).toContain('restUrl: must be a http: or https: URL');
  });

  it('turns a reconnect block into the shared backoff policy', () => {
    expect(backoffPolicyOf({ initialDelayMs: 20, maxDelayMs: 200, multiplier: 2, jitter: 0 })).toEqual({ baseDelayMs: 20, maxDelayMs: 200, multiplier: 2, jitter: 0 });
  });
});
