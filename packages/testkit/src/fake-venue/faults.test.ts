import { isAutotraderError } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { ArmedCount, FaultPlan, ReportShuffle, SequenceGaps, type FakeRequest } from './faults';
import { BackoffGate } from './rate-window';

const order: FakeRequest = { transport: 'rest', method: 'POST', path: '/order', params: { id: 'a' } };
const query: FakeRequest = { transport: 'rest', method: 'GET', path: '/order', params: { id: 'a' } };
const isOrder = (r: FakeRequest): boolean => r.method === 'POST';

function setup(): { plan: FaultPlan; gate: BackoffGate; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  return { plan: new FaultPlan('Fake Test'), gate: new BackoffGate(() => clock.t), clock };
}

describe('the fault plan decides what happens to each request', () => {
  it('with nothing armed, every request is processed and answered at once', () => {
    const { plan, gate } = setup();
    expect(plan.screen(order, gate)).toEqual({ kind: 'process', after: { kind: 'answer', delayMs: 0 } });
  });

  it('counted faults apply to the requests their target matches, in the order armed, and are used up', () => {
    const { plan, gate } = setup();
    plan.serverError(1, 503, { target: isOrder });
    plan.dropRequest(1);
    // The query skips the order-only 5xx and takes the drop armed after it.
    expect(plan.screen(query, gate)).toEqual({ kind: 'drop' });
    expect(plan.screen(order, gate)).toEqual({ kind: 'serverError', status: 503, delayMs: 0 });
    expect(plan.screen(order, gate).kind).toBe('process');
    expect(plan.armed()).toEqual([]);
  });

  it('a 5xx after processing, accept-then-timeout and a delayed ack all process the request first', () => {
    const { plan, gate } = setup();
    plan.serverError(1, 504, { processed: true });
    plan.acceptThenTimeout(1);
    plan.delayAck(1, 250);
    plan.delayResponses(10);
    expect(plan.screen(order, gate)).toEqual({ kind: 'process', after: { kind: 'serverError', status: 504, delayMs: 10 } });
    expect(plan.screen(order, gate)).toEqual({ kind: 'process', after: { kind: 'hold' } });
    expect(plan.screen(order, gate)).toEqual({ kind: 'process', after: { kind: 'answer', delayMs: 260 } });
    expect(plan.screen(order, gate)).toEqual({ kind: 'process', after: { kind: 'answer', delayMs: 10 } });
  });

  it('an injected 429 opens a back-off window; asking inside it spends armed 429s and escalates to a ban', () => {
    const { plan, gate, clock } = setup();
    let counted = 0;
    const hooks = { count: () => void counted++ };
    plan.rateLimit(3, { retryAfterSec: 2, escalateAfterIgnored: 1, banSec: 60 });
    expect(plan.screen(order, gate, hooks)).toEqual({ kind: 'throttled', retryAfterSec: 2, cause: 'injected', delayMs: 0 });
    clock.t += 500;
    expect(plan.screen(order, gate, hooks)).toEqual({ kind: 'throttled', retryAfterSec: 2, cause: 'backoff', delayMs: 0 });
    expect(plan.screen(order, gate, hooks)).toEqual({ kind: 'banned', until: clock.t + 60_000, retryAfterSec: 60, delayMs: 0 });
    // Banned: the armed 429 that is left is not spent, and nothing is processed.
    expect(plan.armed()).toHaveLength(1);
    expect(plan.screen(order, gate, hooks).kind).toBe('banned');
    expect(counted).toBe(4);
    expect(gate.banCount).toBe(1);
  });

  it('a client that waits out each Retry-After gets through a 429 storm without a ban', () => {
    const { plan, gate, clock } = setup();
    plan.rateLimit(3, { retryAfterSec: 1, escalateAfterIgnored: 0 });
    const verdicts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const v = plan.screen(order, gate);
      verdicts.push(v.kind);
      if (v.kind === 'throttled') clock.t += v.retryAfterSec * 1000;
    }
    expect(verdicts).toEqual(['throttled', 'throttled', 'throttled', 'process']);
    expect(gate.banCount).toBe(0);
  });

  it("the venue's own limit is checked after injected 429s and before injected 5xx", () => {
    const { plan, gate } = setup();
    plan.serverError(1);
    expect(plan.screen(order, gate, { ownLimit: () => 7 })).toEqual({ kind: 'throttled', retryAfterSec: 7, cause: 'limit', delayMs: 0 });
    expect(plan.armed()).toHaveLength(1);
  });

  it("a test's mistakes are CONFIG_INVALID naming the fake", () => {
    const { plan } = setup();
    for (const arm of [() => plan.dropRequest(-1), () => plan.serverError(1, 429), () => plan.delayAck(1, -5)]) {
      let error: unknown;
      try {
        arm();
      } catch (e) {
        error = e;
      }
      expect(isAutotraderError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/^Fake Test /);
    }
  });
});

describe('stream faults', () => {
  it('duplicated and reordered reports: each report twice, first two swapped, then the rest; once per arming', () => {
    const shuffle = new ReportShuffle();
    const batch = ['NEW', 'TRADE', 'account'];
    const isReport = (e: string): boolean => e !== 'account';
    expect(shuffle.apply(batch, isReport)).toBe(batch);
    shuffle.arm();
    expect(shuffle.apply(['account'], isReport)).toEqual(['account']);
    expect(shuffle.armed).toBe(true);
    expect(shuffle.apply(batch, isReport)).toEqual(['TRADE', 'NEW', 'TRADE', 'NEW', 'account']);
    expect(shuffle.apply(batch, isReport)).toEqual(batch);
  });

  it('sequence gaps are taken one per message, in the order armed', () => {
    const gaps = new SequenceGaps();
    gaps.arm();
    gaps.arm(3);
    expect(gaps.pending).toBe(2);
    expect([gaps.take(), gaps.take(), gaps.take()]).toEqual([10, 3, 0]);
    expect(() => gaps.arm(0)).toThrow(RangeError);
  });

  it('an armed count affects exactly the next n occurrences (a corrupted checksum, a skipped heartbeat)', () => {
    const corrupt = new ArmedCount();
    expect(corrupt.take()).toBe(false);
    corrupt.arm(2);
    expect([corrupt.take(), corrupt.take(), corrupt.take()]).toEqual([true, true, false]);
    expect(corrupt.pending).toBe(0);
    expect(() => corrupt.arm(0)).toThrow(RangeError);
  });
});
