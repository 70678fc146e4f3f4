import { describe, expect, it } from 'vitest';
import { AutotraderError, EventBus, SimulatedClock, type VenueStatusEvent } from '@autotrader/core';
import { CircuitBreaker } from './circuit-breaker';

const T0 = 1_700_000_000_000;

function setup(threshold = 3, openMs = 10_000) {
  const clock = new SimulatedClock(T0);
  const bus = new EventBus('throw', () => clock.now());
  const status: VenueStatusEvent[] = [];
  bus.on('venueStatus', (e) => status.push(e));
  const breaker = new CircuitBreaker({ venue: 'V', failureThreshold: threshold, openMs, clock, bus });
  return { clock, bus, status, breaker };
}

function failFast(breaker: CircuitBreaker): AutotraderError {
  try {
    breaker.admit();
  } catch (error) {
    if (error instanceof AutotraderError) return error;
  }
  throw new Error('expected the breaker to refuse');
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, publishes degraded, and fails fast with a retryable VENUE_UNAVAILABLE', () => {
    const { breaker, status } = setup(3);
    for (let i = 0; i < 2; i++) {
      expect(breaker.admit()).toBe(false);
      breaker.failure(false, 'VENUE_TIMEOUT');
    }
    expect(breaker.state).toBe('closed');
    expect(status).toEqual([]);
    breaker.failure(false, 'VENUE_UNAVAILABLE: 503');
    expect(breaker.state).toBe('open');
    expect(breaker.openedCount).toBe(1);
    expect(status).toEqual([{ venue: 'V', state: 'degraded', reason: expect.stringContaining('3 consecutive failures, last: VENUE_UNAVAILABLE: 503'), tsEvent: T0 }]);
    const e = failFast(breaker);
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain(`circuit open until ${new Date(T0 + 10_000).toISOString()}`);
    expect(e.details).toMatchObject({ circuitOpen: true, openUntil: T0 + 10_000 });
    expect(() => breaker.check()).toThrow(/circuit open/);
  });

  it('counts only consecutive failures: a success resets, a neutral answer neither counts nor resets', () => {
    const { breaker } = setup(3);
    breaker.failure(false, 'x');
    breaker.failure(false, 'x');
    breaker.success(false);
    expect(breaker.consecutiveFailures).toBe(0);
    breaker.failure(false, 'x');
    breaker.release(false);
    breaker.failure(false, 'x');
    expect(breaker.state).toBe('closed');
    breaker.failure(false, 'x');
    expect(breaker.state).toBe('open');
  });

  it('after openMs lets exactly one probe through; its success closes the circuit and publishes connected', () => {
    const { breaker, clock, status } = setup(1, 10_000);
    breaker.failure(false, 'x');
    clock.advanceTo(T0 + 9_999);
    expect(breaker.state).toBe('open');
    expect(() => breaker.admit()).toThrow(/circuit open/);
    clock.advanceTo(T0 + 10_000);
    expect(breaker.state).toBe('half-open');
    expect(() => breaker.check()).not.toThrow();
    expect(breaker.admit()).toBe(true);
    expect(failFast(breaker).message).toMatch(/probe request is in flight/);
    // A request sent before the circuit opened, answering now, does not decide anything.
    breaker.success(false);
    expect(breaker.state).toBe('half-open');
    breaker.success(true);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toBe(false);
    expect(status.map((s) => s.state)).toEqual(['degraded', 'connected']);
    expect(status[1]).toMatchObject({ venue: 'V', tsEvent: T0 + 10_000 });
  });

  it('a failed probe re-opens the circuit for another openMs', () => {
    const { breaker, clock, status } = setup(1, 10_000);
    breaker.failure(false, 'x');
    clock.advanceTo(T0 + 10_000);
    expect(breaker.admit()).toBe(true);
    clock.advanceTo(T0 + 10_500);
    breaker.failure(true, 'VENUE_TIMEOUT: still down');
    expect(breaker.state).toBe('open');
    expect(breaker.openUntil).toBe(T0 + 20_500);
    expect(breaker.openedCount).toBe(2);
    expect(status.map((s) => s.state)).toEqual(['degraded', 'degraded']);
    expect(status[1]!.reason).toContain('the probe request failed: VENUE_TIMEOUT: still down');
  });

  it('a probe that ends without a verdict frees its slot for the next request', () => {
    const { breaker, clock } = setup(1, 1000);
    breaker.failure(false, 'x');
    clock.advanceTo(T0 + 1000);
    expect(breaker.admit()).toBe(true);
    breaker.release(true);
    expect(breaker.admit()).toBe(true);
  });

  it('refuses a nonsensical configuration', () => {
    const clock = new SimulatedClock(0);
    expect(() => new CircuitBreaker({ venue: 'V', failureThreshold: 0, openMs: 1, clock })).toThrow(/failureThreshold/);
    expect(() => new CircuitBreaker({ venue: 'V', failureThreshold: 1, openMs: 0, clock })).toThrow(/openMs/);
  });
});
