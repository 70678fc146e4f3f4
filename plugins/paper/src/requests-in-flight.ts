import type { Clock } from '@autotrader/core';

/**
 * Requests on their way to the simulated venue: each is handled once its latency has passed on the
 * clock, in due order, ties in the order they were sent. One clock alert stands for the earliest.
 *
 * Why not one clock alert per request: a backtest sends tens of thousands of orders, and a named
 * alert each (a name, a closure, a timer entry) was a measurable share of the order path.
 */
export class RequestsInFlight<T> {
  /** Due times and requests, side by side (no wrapper object per request), sorted by due time. */
  private ats: number[] = [];
  private requests: T[] = [];
  private head = 0;
  private armedAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly alertName: string,
    private readonly handle: (request: T) => void,
  ) {}

  /** How many requests have not been handled yet. */
  get size(): number {
    return this.ats.length - this.head;
  }

  /** Handles `request` at `at` on the clock (not before the current event's dispatch has finished). */
  send(at: number, request: T): void {
    const ats = this.ats;
    // Latencies are mostly constant, so a new request almost always goes last.
    let i = ats.length;
    while (i > this.head && ats[i - 1]! > at) i--;
    if (i === ats.length) {
      ats.push(at);
      this.requests.push(request);
    } else {
      ats.splice(i, 0, at);
      this.requests.splice(i, 0, request);
    }
    this.arm();
  }

  private arm(): void {
    const next = this.head < this.ats.length ? this.ats[this.head]! : Infinity;
    if (next === this.armedAt) return;
    if (this.armedAt !== Infinity) this.clock.cancel(this.alertName);
    this.armedAt = next;
    if (next !== Infinity) this.clock.setAlert(this.alertName, next, this.onAlert);
  }

  private readonly onAlert = (): void => {
    this.armedAt = Infinity;
    const now = this.clock.now();
    // Requests sent while these are handled, due now, are handled in this pass too.
    while (this.head < this.ats.length && this.ats[this.head]! <= now) {
      const request = this.requests[this.head]!;
      this.requests[this.head] = undefined as T; // let it go
      this.head++;
      this.handle(request);
    }
    if (this.head === this.ats.length) {
      this.ats.length = 0;
      this.requests.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.ats.length) {
      this.ats = this.ats.slice(this.head);
      this.requests = this.requests.slice(this.head);
      this.head = 0;
    }
    this.arm();
  };

  /** Drops every request and the alert (the venue is disposed). */
  clear(): void {
    if (this.armedAt !== Infinity) this.clock.cancel(this.alertName);
    this.armedAt = Infinity;
    this.ats = [];
    this.requests = [];
    this.head = 0;
  }
}
