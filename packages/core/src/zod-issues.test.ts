import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSettings, describeZodIssues, findUnknownKeys } from './zod-issues';

const endpoints = z.object({ restUrl: z.string().default('https://example.invalid'), wsApiUrl: z.string().optional(), recvWindow: z.number().max(60_000).default(5000) });

describe('checkSettings', () => {
  it('refuses a key a stripping schema would drop, naming it, the closest valid key and all valid keys', () => {
    const result = checkSettings(endpoints, { restUrll: 'http://127.0.0.1:1' }, 'venue');
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.message).toBe('venue: Unrecognized key: "restUrll" (did you mean "restUrl"? valid keys: restUrl, wsApiUrl, recvWindow)');
    expect(result.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['restUrll'], path: [] })]);
  });

  it('a strict schema: one problem per level, not zod’s and ours twice, and other problems kept in order', () => {
    const result = checkSettings(endpoints.strict(), { recvWindow: 99_999, zzz: 1 });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(/^recvWindow: /);
    expect(result.problems[1]).toBe('Unrecognized key: "zzz" (valid keys: restUrl, wsApiUrl, recvWindow)');
  });

  it('finds unknown keys at every level it can read: nested objects, defaults, refinements, transforms, arrays, records, discriminated unions', () => {
    const schema = z
      .object({
        fees: z.object({ maker: z.number(), taker: z.number() }).prefault({ maker: 0, taker: 0 }),
        limits: z.array(z.object({ name: z.string() })).default([]),
        balances: z.record(z.string(), z.object({ free: z.number() })),
        slippage: z.discriminatedUnion('kind', [z.object({ kind: z.literal('none') }), z.object({ kind: z.literal('ticks'), ticks: z.number() })]),
      })
      .refine(() => true)
      .transform((v) => v);
    const found = findUnknownKeys(schema, {
      fees: { maker: 0, taker: 0, rebate: 1 },
      limits: [{ name: 'a' }, { name: 'b', nmae: 'c' }],
      balances: { USD: { free: 1, lockd: 2 } },
      slippage: { kind: 'ticks', ticks: 1, tick: 2 },
    });
    expect(found).toEqual([
      { path: ['fees'], keys: ['rebate'], validKeys: ['maker', 'taker'] },
      { path: ['limits', 1], keys: ['nmae'], validKeys: ['name'] },
      { path: ['balances', 'USD'], keys: ['lockd'], validKeys: ['free'] },
      { path: ['slippage'], keys: ['tick'], validKeys: ['kind', 'ticks'] },
    ]);
  });

  it('a level that declares it takes other keys (passthrough, loose, catchall) keeps them', () => {
    expect(checkSettings(z.object({ a: z.number() }).passthrough(), { a: 1, b: 2 })).toEqual({ success: true, data: { a: 1, b: 2 } });
    expect(checkSettings(z.looseObject({ a: z.number() }), { a: 1, b: 2 }).success).toBe(true);
    expect(checkSettings(z.object({ a: z.number() }).catchall(z.number()), { a: 1, b: 2 }).success).toBe(true);
  });

  it('falls back to zod’s messages where the raw keys cannot be checked (preprocess)', () => {
    const schema = z.preprocess((v) => v, z.object({ a: z.number() }).strict());
    const result = checkSettings(schema, { a: 1, b: 2 });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.message).toBe('Unrecognized key: "b"');
  });

  it('passes valid input through with zod’s defaults', () => {
    expect(checkSettings(endpoints, { wsApiUrl: 'ws://x' })).toEqual({ success: true, data: { restUrl: 'https://example.invalid', wsApiUrl: 'ws://x', recvWindow: 5000 } });
  });
});

describe('describeZodIssues', () => {
  it('joins path: message pairs, with the name first when given', () => {
    const result = z.object({ a: z.number() }).safeParse({ a: 'x' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(describeZodIssues(result.error.issues)).toBe('a: Invalid input: expected number, received string');
    expect(describeZodIssues(result.error.issues, 'risk')).toBe('risk.a: Invalid input: expected number, received string');
  });

  it('names at most `max` issues and counts the rest; a top-level issue is its message alone', () => {
    const result = z.array(z.number()).safeParse(['a', 'b', 'c', 'd']);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(describeZodIssues(result.error.issues, undefined, { max: 2 })).toBe(
      '0: Invalid input: expected number, received string; 1: Invalid input: expected number, received string; and 2 more issues',
    );
    const top = z.object({}).safeParse('x');
    if (top.success) return;
    expect(describeZodIssues(top.error.issues)).toBe('Invalid input: expected object, received string');
    expect(describeZodIssues([], 'frame')).toBe('frame: does not match its schema');
  });
});
