import { AutotraderError, silentLogger, type Clock, type EventBus, type Logger } from '@autotrader/core';

/** `closed`: requests flow. `open`: they fail fast. `half-open`: one probe may go, the rest fail fast. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** What a circuit breaker needs. */
export interface CircuitBreakerOptions {
  /** The venue name published on `venueStatus` and put in messages. */
  readonly venue: string;
  /** Consecutive venue failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one probe is let through, ms. */
  readonly openMs: number;
  readonly clock: Clock;
  /** Where `venueStatus` is published ('degraded' on open, 'connected' on close). */
  readonly bus?: EventBus;
  readonly logger?: Logger;
}

/**
 * A circuit breaker for one venue. After `failureThreshold` consecutive venue failures (timeouts,
 * 5xx, 429: whatever the caller reports through {@link failure}) it opens: requests fail fast with
 * a retryable VENUE_UNAVAILABLE (`details.circuitOpen = true`) and `venueStatus` 'degraded' is
 * published. After `openMs` the next request is let through as a probe (half-open) while others
 * still fail fast; the probe's success closes the circuit (`venueStatus` 'connected'), its failure
 * opens it again for another `openMs`. Time is read from the clock when a request asks, so no
 * timer is needed.
 *
 * Requests answered with a non-retryable error (the venue refused the order) are {@link release}d:
 * a refusal says nothing about the venue's health, so it neither counts nor resets the count.
 */
export class CircuitBreaker {
  private current: 'closed' | 'open' | 'probing' = 'closed';
  private failures = 0;
  private until = 0;
  private opened = 0;
  private lastReason = '';
  private readonly log: Logger;

  constructor(private readonly o: CircuitBreakerOptions) {
    if (!(Number.isInteger(o.failureThreshold) && o.failureThreshold >= 1)) {
      throw new AutotraderError('CONFIG_INVALID', `circuit breaker: failureThreshold must be a whole number >= 1, got ${o.failureThreshold}`);
    }
    if (!(Number.isFinite(o.openMs) && o.openMs > 0)) {
      throw new AutotraderError('CONFIG_INVALID', `circuit breaker: openMs must be a positive number of ms, got ${o.openMs}`);
    }
    this.log = o.logger ?? silentLogger;
  }

  /** The state now: an open circuit whose time is up reads `half-open` (the next request probes). */
  get state(): BreakerState {
    if (this.current === 'closed') return 'closed';
    if (this.current === 'probing') return 'half-open';
    return this.o.clock.now() >= this.until ? 'half-open' : 'open';
  }

  /** When an open circuit lets its probe through (epoch ms); 0 before it first opened. */
  get openUntil(): number {
    return this.until;
  }

  /** How many times the circuit has opened (re-opening after a failed probe included). */
  get openedCount(): number {
    return this.opened;
  }

  /** Consecutive failures counted while closed. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Throws the fail-fast error when a request could not go now; changes nothing. */
  check(): void {
    const s = this.state;
    if (s === 'open' || (s === 'half-open' && this.current === 'probing')) throw this.failFast();
  }

  /**
   * Lets a request through or throws the fail-fast error. Returns true when the request is the
   * half-open probe: its outcome must be reported with `probe = true`.
   */
  admit(): boolean {
    if (this.current === 'closed') return false;
    if (this.current === 'open' && this.o.clock.now() >= this.until) {
      this.current = 'probing';
      this.log.info(`${this.o.venue}: circuit half-open, sending one probe request`);
      return true;
    }
    throw this.failFast();
  }

  /** The venue answered a request. A successful probe closes the circuit. */
  success(probe: boolean): void {
    if (probe && this.current === 'probing') {
      this.current = 'closed';
      this.failures = 0;
      this.log.info(`${this.o.venue}: probe succeeded, circuit closed`);
      this.publish('connected', 'circuit closed: the probe request succeeded');
      return;
    }
    if (this.current === 'closed') this.failures = 0;
  }

  /** A request failed at the venue (retryable). Opens the circuit at the threshold, or re-opens it after a failed probe. */
  failure(probe: boolean, reason: string): void {
    if (probe && this.current === 'probing') {
      this.open(`the probe request failed: ${reason}`);
      return;
    }
    if (this.current !== 'closed') return; // requests sent before it opened: the probe decides now
    this.failures++;
    if (this.failures >= this.o.failureThreshold) this.open(`${this.failures} consecutive failures, last: ${reason}`);
  }

  /** A request ended without saying anything about the venue's health. A probe's slot is freed for the next request. */
  release(probe: boolean): void {
    if (probe && this.current === 'probing') {
      this.current = 'open';
      this.until = this.o.clock.now();
    }
  }

  private open(reason: string): void {
    this.current = 'open';
    this.until = this.o.clock.now() + this.o.openMs;
    this.opened++;
    this.lastReason = reason;
    this.log.warn(`${this.o.venue}: circuit open until ${new Date(this.until).toISOString()} (${reason})`);
    this.publish('degraded', `circuit open until ${new Date(this.until).toISOString()}: ${reason}`);
  }

  private failFast(): AutotraderError {
    const until = new Date(this.until).toISOString();
    const message =
      this.current === 'probing'
        ? `${this.o.venue}: circuit half-open, a probe request is in flight; this request was not sent (retry shortly)`
        : `${this.o.venue}: circuit open until ${until} (${this.lastReason}); this request was not sent`;
    return new AutotraderError('VENUE_UNAVAILABLE', message, { details: { venue: this.o.venue, circuitOpen: true, openUntil: this.until } });
  }

  private publish(state: 'degraded' | 'connected', reason: string): void {
    this.o.bus?.publish('venueStatus', { venue: this.o.venue, state, reason, tsEvent: this.o.clock.now() });
  }
}
