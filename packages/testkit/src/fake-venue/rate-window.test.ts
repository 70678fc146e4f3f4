import { describe, expect, it } from 'vitest';
import { BackoffGate, FixedWindowCounter, SlidingWindowCounter, retryAfterSeconds } from './rate-window';

/** A venue clock the test moves by hand. */
function manualClock(start: number): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('rate windows', () => {
  it('a fixed window counts until the window turns, aligned to the clock, and says how long until it does', () => {
    const c = manualClock(120_000 + 59_500); // half a second before a minute ends
    const w = new FixedWindowCounter(c.now, 60_000, 3);
    w.add(2);
    w.add();
    expect(w.used()).toBe(3);
    expect(w.full()).toBe(true);
    expect(w.exceeded()).toBe(false);
    w.add();
    expect(w.exceeded()).toBe(true);
    expect(w.secondsToReset()).toBe(1);
    c.advance(500);
    expect(w.used()).toBe(0);
    expect(w.secondsToReset()).toBe(60);
  });

  it('a sliding window admits what fits, refuses (and does not count) what does not, and frees units as they age', () => {
    const c = manualClock(1_000);
    const w = new SlidingWindowCounter(c.now, 1_000, 3);
    expect(w.tryAdd(2)).toBe(true);
    c.advance(400);
    expect(w.tryAdd()).toBe(true);
    expect(w.tryAdd()).toBe(false);
    expect(w.used()).toBe(3);
    expect(w.retryAfterMs()).toBe(600); // the first two units leave at 2000
    expect(w.retryAfterMs(3)).toBe(1_000);
    expect(w.retryAfterMs(4)).toBe(Infinity);
    c.advance(600);
    expect(w.used()).toBe(1);
    expect(w.tryAdd(2)).toBe(true);
  });

  it('Retry-After is rounded up to whole seconds, at least one', () => {
    expect(retryAfterSeconds(0, 1)).toBe(1);
    expect(retryAfterSeconds(0, 1_001)).toBe(2);
    expect(retryAfterSeconds(5_000, 4_000)).toBe(1);
  });
});

describe('the back-off gate: 429, then a ban for a client that ignores Retry-After', () => {
  it('a 429 without an escalation rule blocks nothing', () => {
    const c = manualClock(0);
    const gate = new BackoffGate(c.now);
    gate.startBackoff(2, undefined, 120);
    expect(gate.admit()).toEqual({ kind: 'ok' });
  });

  it('tolerates the allowed requests inside the window, bans on the next, refuses all until the ban ends', () => {
    const c = manualClock(10_000);
    const gate = new BackoffGate(c.now);
    gate.startBackoff(2, 1, 120);
    expect(gate.admit()).toEqual({ kind: 'backoff', retryAfterSec: 2 });
    c.advance(500);
    expect(gate.admit()).toEqual({ kind: 'banned', until: 130_500, retryAfterSec: 120 });
    expect(gate.banned()).toBe(true);
    expect(gate.banCount).toBe(1);
    c.advance(119_999);
    expect(gate.admit().kind).toBe('banned');
    c.advance(1);
    expect(gate.admit()).toEqual({ kind: 'ok' });
    expect(gate.banned()).toBe(false);
  });

  it('a client that waits out Retry-After is never banned', () => {
    const c = manualClock(0);
    const gate = new BackoffGate(c.now);
    for (let i = 0; i < 5; i++) {
      gate.startBackoff(1, 0, 120);
      c.advance(1_000);
      expect(gate.admit()).toEqual({ kind: 'ok' });
    }
    expect(gate.banCount).toBe(0);
  });
});
