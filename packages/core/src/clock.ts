import { AutotraderError } from './errors';

/** Epoch milliseconds. */
export type Millis = number;

/** A timer callback receives the time it was due. */
export type TimerCallback = (name: string, due: Millis) => void;

/**
 * The clock port. Every component reads time and sets timers through it, so a strategy's timer at
 * 00:00 UTC fires in a backtest exactly as it does live.
 */
export interface Clock {
  /** The current time in epoch milliseconds. */
  now(): Millis;
  /**
   * Fires `callback` every `intervalMs`, first at `start` (default: now + interval). With `alignTo`
   * the first fire is the next multiple of `intervalMs` since the epoch (for example daily at 00:00 UTC).
   */
  setTimer(name: string, intervalMs: number, callback: TimerCallback, options?: { start?: Millis; align?: boolean }): void;
  /** Fires `callback` once at `at`. An alert in the past fires at the next advance. */
  setAlert(name: string, at: Millis, callback: TimerCallback): void;
  /** Cancels a timer or alert. Unknown names are ignored. */
  cancel(name: string): void;
}

interface Scheduled {
  name: string;
  due: Millis;
  interval: number; // 0 for an alert
  seq: number;
  callback: TimerCallback;
}

function firstDue(now: Millis, intervalMs: number, options?: { start?: Millis; align?: boolean }): Millis {
  if (options?.start !== undefined) return options.start;
  if (options?.align) return (Math.floor(now / intervalMs) + 1) * intervalMs;
  return now + intervalMs;
}

function checkInterval(name: string, intervalMs: number): void {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new AutotraderError('CONFIG_INVALID', `timer '${name}': interval must be a positive number of milliseconds, got ${intervalMs}`);
  }
}

/**
 * A clock that moves only when told to. The backtest loop advances it to each event's time; due
 * timers fire first, in due order (ties in the order they were set), with the clock reading their
 * due time. It never moves backwards.
 */
export class SimulatedClock implements Clock {
  private time: Millis;
  private readonly timers = new Map<string, Scheduled>();
  private seq = 0;
  /** The earliest due time, cached so advancing past no timer costs one comparison. */
  private nextDue = Infinity;

  constructor(start: Millis = 0) {
    this.time = start;
  }

  now(): Millis {
    return this.time;
  }

  setTimer(name: string, intervalMs: number, callback: TimerCallback, options?: { start?: Millis; align?: boolean }): void {
    checkInterval(name, intervalMs);
    this.add({ name, due: firstDue(this.time, intervalMs, options), interval: intervalMs, seq: this.seq++, callback });
  }

  setAlert(name: string, at: Millis, callback: TimerCallback): void {
    this.add({ name, due: at, interval: 0, seq: this.seq++, callback });
  }

  cancel(name: string): void {
    if (this.timers.delete(name)) this.recomputeNextDue();
  }

  /** Moves time forward to `to`, firing every timer due at or before it. */
  advanceTo(to: Millis): void {
    if (to < this.time) {
      throw new AutotraderError('CLOCK_BACKWARDS', `simulated clock cannot go back from ${new Date(this.time).toISOString()} to ${new Date(to).toISOString()}`);
    }
    while (this.nextDue <= to) this.fireNext();
    this.time = to;
  }

  /** The next time a timer is due, or Infinity. */
  get nextTimerAt(): Millis {
    return this.nextDue;
  }

  private fireNext(): void {
    let next: Scheduled | undefined;
    for (const t of this.timers.values()) {
      if (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
    }
    if (next === undefined) return;
    if (next.due > this.time) this.time = next.due;
    const due = next.due;
    if (next.interval > 0) {
      next.due += next.interval;
      next.seq = this.seq++;
    } else {
      this.timers.delete(next.name);
    }
    this.recomputeNextDue();
    next.callback(next.name, due);
  }

  private add(t: Scheduled): void {
    this.timers.set(t.name, t);
    this.recomputeNextDue();
  }

  private recomputeNextDue(): void {
    let min = Infinity;
    for (const t of this.timers.values()) if (t.due < min) min = t.due;
    this.nextDue = min;
  }
}

/**
 * Wall-clock time with the same timer API, for paper and live. Timers are re-armed from their due
 * time (not from when the callback ran), so they do not drift.
 */
export class RealtimeClock implements Clock {
  private readonly handles = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly wallClock: () => Millis = Date.now) {}

  now(): Millis {
    return this.wallClock();
  }

  setTimer(name: string, intervalMs: number, callback: TimerCallback, options?: { start?: Millis; align?: boolean }): void {
    checkInterval(name, intervalMs);
    this.cancel(name);
    const arm = (due: Millis): void => {
      const handle = setTimeout(() => {
        arm(due + intervalMs);
        callback(name, due);
      }, Math.max(0, due - this.now()));
      this.handles.set(name, handle);
    };
    arm(firstDue(this.now(), intervalMs, options));
  }

  setAlert(name: string, at: Millis, callback: TimerCallback): void {
    this.cancel(name);
    const handle = setTimeout(() => {
      this.handles.delete(name);
      callback(name, at);
    }, Math.max(0, at - this.now()));
    this.handles.set(name, handle);
  }

  cancel(name: string): void {
    const h = this.handles.get(name);
    if (h !== undefined) clearTimeout(h);
    this.handles.delete(name);
  }

  /** Cancels every timer (shutdown). */
  cancelAll(): void {
    for (const name of [...this.handles.keys()]) this.cancel(name);
  }
}
