import { describe, expect, it } from 'vitest';
import { AutotraderError } from '@autotrader/core';
import { PendingRequests } from './pending-requests';

describe('PendingRequests', () => {
  it('resolves a request by id with the answer; a late or foreign answer finds nobody', async () => {
    const p = new PendingRequests<string>('venue socket', 1000);
    const sent: string[] = [];
    const answer = p.request('7', 'SUBSCRIBE', () => sent.push('7'));
    expect(sent).toEqual(['7']);
    expect(p.has('7')).toBe(true);
    expect(p.resolve('7', 'ok')).toBe(true);
    await expect(answer).resolves.toBe('ok');
    expect(p.resolve('7', 'again')).toBe(false);
    expect(p.resolve('8', 'foreign')).toBe(false);
    expect(p.size).toBe(0);
  });

  it('fails with VENUE_TIMEOUT naming the request at its deadline, with the caller’s details', async () => {
    const p = new PendingRequests<string>('okx private', 30);
    const started = Date.now();
    const e = await p.request('a1', 'order op', () => {}, { outcomeUnknown: true }).catch((x: AutotraderError) => x);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(e).toBeInstanceOf(AutotraderError);
    expect((e as AutotraderError).code).toBe('VENUE_TIMEOUT');
    expect((e as AutotraderError).message).toBe('okx private: no answer to order op within 30 ms');
    expect((e as AutotraderError).details).toEqual({ outcomeUnknown: true, request: 'order op' });
    expect(p.size).toBe(0);
  });

  it('takes a deadline per request', async () => {
    const p = new PendingRequests<string>('s', 10_000);
    const e = (await p.request('x', 'login', () => {}, {}, 20).catch((x: AutotraderError) => x)) as AutotraderError;
    expect(e.message).toContain('within 20 ms');
  });

  it('a send that throws rejects at once and frees the id', async () => {
    const p = new PendingRequests<string>('s', 1000);
    await expect(
      p.request('1', 'x', () => {
        throw new AutotraderError('VENUE_UNAVAILABLE', 'not connected');
      }),
    ).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
    expect(p.has('1')).toBe(false);
  });

  it('refuses an id that is already waiting, and rejectAll fails everything waiting', async () => {
    const p = new PendingRequests<string>('s', 1000);
    const a = p.request('1', 'x', () => {});
    await expect(p.request('1', 'y', () => {})).rejects.toMatchObject({ code: 'INTERNAL' });
    const b = p.request('2', 'y', () => {});
    p.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', 'closing'));
    await expect(a).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
    await expect(b).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
    expect(p.size).toBe(0);
  });
});
