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
  /** False once cancelled or replaced; the heap drops it when it comes to the top. */
  live: boolean;
}

/** Heap order: earlier due first, then the one set first. */
const before = (a: Scheduled, b: Scheduled): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);

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
  /**
   * Timers by name (for replace and cancel). Fired and cancelled ones stay until the name is set
   * again or a sweep: deleting from a map on every fire (an alert per order in a backtest) churns it.
   */
  private readonly timers = new Map<string, Scheduled>();
  private deadNames = 0;
  /**
   * Every timer in a binary min-heap by (due, seq), cancelled ones included until they reach the top:
   * a backtest sets and fires an alert per order, and scanning every timer per fire was measurable.
   */
  private heap: Scheduled[] = [];
  /** Cancelled or replaced timers still in the heap; past half of it the heap is rebuilt. */
  private dead = 0;
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
    this.add({ name, due: firstDue(this.time, intervalMs, options), interval: intervalMs, seq: this.seq++, callback, live: true });
  }

  setAlert(name: string, at: Millis, callback: TimerCallback): void {
    this.add({ name, due: at, interval: 0, seq: this.seq++, callback, live: true });
  }

  cancel(name: string): void {
    const t = this.timers.get(name);
    if (t === undefined || !t.live) return;
    this.bury(t);
    this.forget();
    this.recomputeNextDue();
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
    this.dropDead();
    const next = this.heap[0];
    if (next === undefined) return;
    this.pop();
    if (next.due > this.time) this.time = next.due;
    const due = next.due;
    if (next.interval > 0) {
      next.due += next.interval;
      next.seq = this.seq++;
      this.push(next);
    } else {
      next.live = false;
      this.forget();
    }
    this.recomputeNextDue();
    next.callback(next.name, due);
  }

  private add(t: Scheduled): void {
    const replaced = this.timers.get(t.name);
    if (replaced !== undefined) {
      if (replaced.live) this.bury(replaced);
      else this.deadNames--;
    }
    this.timers.set(t.name, t);
    this.push(t);
    this.recomputeNextDue();
  }

  private recomputeNextDue(): void {
    this.dropDead();
    this.nextDue = this.heap.length > 0 ? this.heap[0]!.due : Infinity;
  }

  /** One more dead name in the map; sweeps them out once they are more than half of it. */
  private forget(): void {
    if (++this.deadNames > 64 && this.deadNames * 2 > this.timers.size) {
      for (const [name, t] of this.timers) if (!t.live) this.timers.delete(name);
      this.deadNames = 0;
    }
  }

  private bury(t: Scheduled): void {
    t.live = false;
    // Long-dated alerts that are cancelled (expiries of filled orders) would otherwise pile up.
    if (++this.dead > 64 && this.dead * 2 > this.heap.length) {
      const live = this.heap.filter((x) => x.live);
      this.heap = [];
      this.dead = 0;
      for (const x of live) this.push(x);
    }
  }

  private dropDead(): void {
    while (this.heap.length > 0 && !this.heap[0]!.live) {
      this.pop();
      this.dead--;
    }
  }

  private push(t: Scheduled): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(t, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = t;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
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
