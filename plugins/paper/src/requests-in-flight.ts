import type { Clock } from '@autotrader/core';

interface InFlight<T> {
  readonly at: number;
  readonly request: T;
}

/**
 * Requests on their way to the simulated venue: each is handled once its latency has passed on the
 * clock, in due order, ties in the order they were sent. One clock alert stands for the earliest.
 *
 * Why not one clock alert per request: a backtest sends tens of thousands of orders, and a named
 * alert each (a name, a closure, a timer entry) was a measurable share of the order path.
 */
export class RequestsInFlight<T> {
  private queue: InFlight<T>[] = [];
  private head = 0;
  private armedAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly alertName: string,
    private readonly handle: (request: T) => void,
  ) {}

  /** How many requests have not been handled yet. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Handles `request` at `at` on the clock (not before the current event's dispatch has finished). */
  send(at: number, request: T): void {
    const q = this.queue;
    // Latencies are mostly constant, so a new request almost always goes last.
    let i = q.length;
    while (i > this.head && q[i - 1]!.at > at) i--;
    if (i === q.length) q.push({ at, request });
    else q.splice(i, 0, { at, request });
    this.arm();
  }

  private arm(): void {
    const next = this.head < this.queue.length ? this.queue[this.head]!.at : Infinity;
    if (next === this.armedAt) return;
    if (this.armedAt !== Infinity) this.clock.cancel(this.alertName);
    this.armedAt = next;
    if (next !== Infinity) this.clock.setAlert(this.alertName, next, this.onAlert);
  }

  private readonly onAlert = (): void => {
    this.armedAt = Infinity;
    const now = this.clock.now();
    const q = this.queue;
    // Requests sent while these are handled, due now, are handled in this pass too.
    while (this.head < q.length && q[this.head]!.at <= now) {
      const { request } = q[this.head]!;
      this.head++;
      this.handle(request);
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    this.arm();
  };

  /** Drops every request and the alert (the venue is disposed). */
  clear(): void {
    if (this.armedAt !== Infinity) this.clock.cancel(this.alertName);
    this.armedAt = Infinity;
    this.queue = [];
    this.head = 0;
  }
}
