import type { Clock } from '@autotrader/core';

/**
 * Requests on their way to the simulated venue: each is handled once its latency has passed on the
 * clock, in due order, ties in the order they were sent. One clock alert stands for the earliest.
 *
 * Why not one clock alert per request: a backtest sends tens of thousands of orders, and a named
 * alert each (a name, a closure, a timer entry) was a measurable share of the order path. The queue
 * is two arrays (due times, requests) whose slots are reused, so a request in flight costs no
 * allocation of its own.
 */
export class RequestsInFlight<T> {
  private readonly ats: number[] = [];
  private readonly requests: (T | undefined)[] = [];
  /** The queue is slots [head, tail) of both arrays. */
  private head = 0;
  private tail = 0;
  private armedAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly alertName: string,
    private readonly handle: (request: T) => void,
  ) {}

  /** How many requests have not been handled yet. */
  get size(): number {
    return this.tail - this.head;
  }

  /** Handles `request` at `at` on the clock (not before the current event's dispatch has finished). */
  send(at: number, request: T): void {
    const ats = this.ats;
    const requests = this.requests;
    // Latencies are mostly constant, so a new request almost always goes last; otherwise later ones move up a slot.
    let i = this.tail;
    while (i > this.head && ats[i - 1]! > at) {
      ats[i] = ats[i - 1]!;
      requests[i] = requests[i - 1];
      i--;
    }
    ats[i] = at;
    requests[i] = request;
    this.tail++;
    this.arm();
  }

  private arm(): void {
    const next = this.head < this.tail ? this.ats[this.head]! : Infinity;
    if (next === this.armedAt) return;
    if (this.armedAt !== Infinity) this.clock.cancel(this.alertName);
    this.armedAt = next;
    if (next !== Infinity) this.clock.setAlert(this.alertName, next, this.onAlert);
  }

  private readonly onAlert = (): void => {
    this.armedAt = Infinity;
    const now = this.clock.now();
    // Requests sent while these are handled, due now, are handled in this pass too.
    while (this.head < this.tail && this.ats[this.head]! <= now) {
      const request = this.requests[this.head]!;
      this.requests[this.head] = undefined; // let it go
      this.head++;
      this.handle(request);
    }
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    } else if (this.head > 1024 && this.head * 2 > this.tail) {
      this.ats.copyWithin(0, this.head, this.tail);
      this.requests.copyWithin(0, this.head, this.tail);
      this.requests.fill(undefined, this.tail - this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    this.arm();
  };

  /** Drops every request and the alert (the venue is disposed). */
  clear(): void {
    if (this.armedAt !== Infinity) this.clock.cancel(this.alertName);
    this.armedAt = Infinity;
    this.requests.fill(undefined);
    this.head = 0;
    this.tail = 0;
  }
}
