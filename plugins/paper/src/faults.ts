import type { ErrorCode } from '@autotrader/core';
import type { ReportOutbox } from './outbox';

/**
 * Deterministic fault injection for tests. Each method arms one fault; the venue consumes it at the
 * moment the fault applies (an order's arrival, its acceptance, a fill).
 */
export interface VenueFaults {
  /** The next order to arrive is rejected with this code and reason, whatever the rules say. */
  rejectNext(code: ErrorCode, reason?: string): void;
  /** The next accepted order goes live without its `accepted` report being sent. */
  dropNextAck(): void;
  /** From now on fill reports (and the reports of the same order that follow them) arrive `ms` later on the clock; 0 turns it off. */
  delayFills(ms: number): void;
  /**
   * The report stream breaks: reports are buffered and delivered in order on {@link reconnect}, or
   * dropped for good with `lose: true`. Matching, the account and the queries go on; requests are
   * still received (this models a dropped order-update stream, the common real failure).
   */
  disconnect(options?: { lose?: boolean }): void;
  /** The report stream is back: buffered reports are delivered in order. */
  reconnect(): void;
  /** False between {@link disconnect} and {@link reconnect}. */
  readonly connected: boolean;
}

/** The armed faults, read by the venue. */
export class FaultState implements VenueFaults {
  private readonly rejects: { code: ErrorCode; reason: string }[] = [];
  private dropAcks = 0;
  private linkUp = true;

  constructor(private readonly outbox: ReportOutbox) {}

  rejectNext(code: ErrorCode, reason = 'rejected by fault injection'): void {
    this.rejects.push({ code, reason });
  }

  dropNextAck(): void {
    this.dropAcks++;
  }

  delayFills(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`delayFills needs a non-negative number of milliseconds, got ${ms}`);
    this.outbox.delayFills(ms);
  }

  disconnect(options: { lose?: boolean } = {}): void {
    this.linkUp = false;
    this.outbox.breakLink(options.lose ?? false);
  }

  reconnect(): void {
    this.linkUp = true;
    this.outbox.restoreLink();
  }

  get connected(): boolean {
    return this.linkUp;
  }

  /** Takes the armed reject, if any. */
  takeReject(): { code: ErrorCode; reason: string } | undefined {
    return this.rejects.shift();
  }

  /** Takes an armed dropped ack: true when this ack must not be sent. */
  takeDropAck(): boolean {
    if (this.dropAcks === 0) return false;
    this.dropAcks--;
    return true;
  }
}
