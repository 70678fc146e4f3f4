/**
 * Diagnostics for strategies that run too long (issue 11): warnings, never failures, each given once
 * on one line naming the strategy.
 */

/** How long handling one event may take before it is reported (wall time). */
export const SLOW_HANDLER_MS = 1000;

/** Events between two wall-clock readings in a backtest: one `performance.now()` per this many events. */
export const SLOW_CHECK_EVERY = 256;

/**
 * Watches a backtest replay for handlers that run long, at the cost of one `performance.now()` every
 * {@link SLOW_CHECK_EVERY} events (a reading per dispatch was measurable on `pnpm bench`). The engine
 * itself handles that many events in about a millisecond, so a block that took a second or more is
 * the strategy's doing: a handler that runs that long would hold up a live session just as long.
 */
export class SlowReplayWatch {
  private last = performance.now();
  private lastIndex = 0;
  private warned = false;

  constructor(
    private readonly strategy: string,
    private readonly warn: (message: string) => void,
    private readonly thresholdMs = SLOW_HANDLER_MS,
  ) {}

  /** Called by the replay every {@link SLOW_CHECK_EVERY} events with the index of the event about to run and its time. */
  check(index: number, time: number): void {
    const now = performance.now();
    const took = now - this.last;
    if (took >= this.thresholdMs && !this.warned) {
      this.warned = true;
      this.warn(
        `strategy '${this.strategy}' is slow: events #${this.lastIndex + 1}–#${index} (to ${new Date(time).toISOString()}) took ${(took / 1000).toFixed(1)} s of wall time; a handler that runs this long holds up a live session as long (reported once)`,
      );
    }
    this.last = now;
    this.lastIndex = index;
  }
}

/** Reports one handler call that took longer than the threshold, once per strategy (live sessions, where a reading per call costs nothing that matters). */
export class SlowHandlerWatch {
  private warned = false;

  constructor(
    private readonly strategy: string,
    private readonly warn: (message: string) => void,
    private readonly thresholdMs = SLOW_HANDLER_MS,
  ) {}

  /** Called after a handler ran, with what it handled and how long it took. */
  took(ms: number, what: string): void {
    if (ms < this.thresholdMs || this.warned) return;
    this.warned = true;
    this.warn(`strategy '${this.strategy}' is slow: its ${what} took ${(ms / 1000).toFixed(1)} s; nothing else runs meanwhile (reported once)`);
  }
}

/**
 * Counts a strategy's live subscriptions after its `create` and reports, once, when they keep
 * growing: a subscription made on every event and never unsubscribed (a leak) makes every event
 * slower and never frees its memory.
 */
export class SubscriptionLeakWatch {
  private baseline: number | undefined;
  private warned = false;

  constructor(
    private readonly strategy: string,
    private readonly warn: (message: string) => void,
    /** Subscriptions over the count after create before it is reported. */
    private readonly growth = 100,
  ) {}

  /** The count when `create` returned: what the strategy needs. */
  created(count: number): void {
    this.baseline = count;
  }

  /** Called when a subscription is added, with the count of live ones. */
  added(count: number): void {
    if (this.baseline === undefined || this.warned) return;
    if (count < Math.max(this.baseline * 2, this.baseline + this.growth)) return;
    this.warned = true;
    this.warn(
      `strategy '${this.strategy}' keeps adding subscriptions: ${count} live now, ${this.baseline} after create; a subscribe on every event that is never unsubscribed is a leak (reported once)`,
    );
  }
}
