import { describe, expect, it } from 'vitest';
import { RealtimeClock, SimulatedClock } from './clock';
import { isAutotraderError } from './errors';

describe('SimulatedClock', () => {
  it('fires due timers in order before reaching the target time, reading their due time', () => {
    const clock = new SimulatedClock(0);
    const fired: string[] = [];
    clock.setTimer('every10', 10, (n, due) => fired.push(`${n}@${due}/${clock.now()}`));
    clock.setAlert('once15', 15, (n, due) => fired.push(`${n}@${due}`));
    clock.advanceTo(25);
    expect(fired).toEqual(['every10@10/10', 'once15@15', 'every10@20/20']);
    expect(clock.now()).toBe(25);
  });

  it('aligns timers to multiples of the interval since the epoch (daily at 00:00 UTC)', () => {
    const day = 86_400_000;
    const start = Date.UTC(2022, 0, 1, 13, 5);
    const unaligned: string[] = [];
    const aligned: string[] = [];
    const a = new SimulatedClock(start);
    a.setTimer('daily', day, (_n, due) => unaligned.push(new Date(due).toISOString()));
    a.advanceTo(start + 2 * day);
    const b = new SimulatedClock(start);
    b.setTimer('midnight', day, (_n, due) => aligned.push(new Date(due).toISOString()), { align: true });
    b.advanceTo(start + 2 * day);
    expect(unaligned).toEqual(['2022-01-02T13:05:00.000Z', '2022-01-03T13:05:00.000Z']);
    expect(aligned).toEqual(['2022-01-02T00:00:00.000Z', '2022-01-03T00:00:00.000Z']);
  });

  it('breaks ties between equal due times by the order they were set', () => {
    const clock = new SimulatedClock(0);
    const fired: string[] = [];
    clock.setAlert('b', 5, (n) => fired.push(n));
    clock.setAlert('a', 5, (n) => fired.push(n));
    clock.advanceTo(5);
    expect(fired).toEqual(['b', 'a']);
  });

  it('cancels timers and never moves backwards', () => {
    const clock = new SimulatedClock(100);
    let count = 0;
    clock.setTimer('t', 1, () => count++);
    clock.cancel('t');
    clock.advanceTo(200);
    expect(count).toBe(0);
    let error: unknown;
    try {
      clock.advanceTo(150);
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'CLOCK_BACKWARDS')).toBe(true);
  });

  it('lets a timer callback set another timer that is due within the same advance', () => {
    const clock = new SimulatedClock(0);
    const fired: number[] = [];
    clock.setAlert('first', 10, () => clock.setAlert('second', 12, (_n, due) => fired.push(due)));
    clock.advanceTo(20);
    expect(fired).toEqual([12]);
  });

  it('rejects a non-positive interval with a coded error', () => {
    expect(() => new SimulatedClock(0).setTimer('bad', 0, () => {})).toThrow(/interval must be a positive number/);
  });
});

describe('RealtimeClock', () => {
  it('fires an alert and a repeating timer on wall-clock time', async () => {
    const clock = new RealtimeClock();
    const start = clock.now();
    const ticks: number[] = [];
    await new Promise<void>((resolve) => {
      clock.setTimer('fast', 10, (_n, due) => {
        ticks.push(due);
        if (ticks.length === 3) {
          clock.cancel('fast');
          resolve();
        }
      });
    });
    expect(ticks[1]! - ticks[0]!).toBe(10);
    expect(ticks[0]).toBeGreaterThanOrEqual(start + 10);
    const at = clock.now() + 5;
    const fired = await new Promise<number>((resolve) => clock.setAlert('once', at, (_n, due) => resolve(due)));
    expect(fired).toBe(at);
    clock.cancelAll();
  });
});

describe('SimulatedClock against a scan of every timer', () => {
  /** The definition: on each step, the live timer with the earliest (due, set order) fires next. */
  class ScanningClock {
    time = 0;
    private seq = 0;
    private readonly timers = new Map<string, { due: number; interval: number; seq: number }>();
    constructor(private readonly fired: string[]) {}
    set(name: string, due: number, interval: number): void {
      this.timers.set(name, { due, interval, seq: this.seq++ });
    }
    cancel(name: string): void {
      this.timers.delete(name);
    }
    advanceTo(to: number, onFire: (name: string) => void): void {
      for (;;) {
        let next: [string, { due: number; interval: number; seq: number }] | undefined;
        for (const e of this.timers) if (next === undefined || e[1].due < next[1].due || (e[1].due === next[1].due && e[1].seq < next[1].seq)) next = e;
        if (next === undefined || next[1].due > to) break;
        const [name, t] = next;
        if (t.due > this.time) this.time = t.due;
        const due = t.due;
        if (t.interval > 0) {
          t.due += t.interval;
          t.seq = this.seq++;
        } else this.timers.delete(name);
        this.fired.push(`${name}@${due}/${this.time}`);
        onFire(name);
      }
      this.time = to;
    }
  }

  it('fires the same timers in the same order over 20,000 random steps, with cancels, replacements and timers set while firing', () => {
    let x = 12345;
    const rand = (n: number): number => (x = (x * 1103515245 + 12345) % 2147483648) % n;
    const got: string[] = [];
    const want: string[] = [];
    const clock = new SimulatedClock(0);
    const ref = new ScanningClock(want);
    // What a callback does, decided by its name and the time, the same for both clocks.
    const reaction = (name: string, now: number): 'set' | 'cancel' | 'none' => {
      const r = (name.length * 7 + now) % 6;
      return r === 0 && !name.startsWith('re-re-') ? 'set' : r === 1 ? 'cancel' : 'none';
    };
    const onClock = (n: string, d: number): void => {
      got.push(`${n}@${d}/${clock.now()}`);
      const r = reaction(n, clock.now());
      if (r === 'set') clock.setAlert(`re-${n}`, clock.now(), onClock);
      else if (r === 'cancel') clock.cancel(`t${clock.now() % 8}`);
    };
    const onRef = (n: string): void => {
      const r = reaction(n, ref.time);
      if (r === 'set') ref.set(`re-${n}`, ref.time, 0);
      else if (r === 'cancel') ref.cancel(`t${ref.time % 8}`);
    };
    for (let step = 0; step < 20_000; step++) {
      const op = rand(10);
      const name = `t${rand(24)}`;
      const now = clock.now();
      if (op < 4) {
        const due = now + rand(6); // many timers due at the same time: their set order decides
        clock.setAlert(name, due, onClock);
        ref.set(name, due, 0);
      } else if (op === 4) {
        const due = now + rand(50);
        const every = 1 + rand(20);
        clock.setTimer(name, every, onClock, { start: due });
        ref.set(name, due, every);
      } else if (op === 5) {
        clock.cancel(name);
        ref.cancel(name);
      } else {
        const to = now + rand(8);
        clock.advanceTo(to);
        ref.advanceTo(to, onRef);
      }
    }
    expect(got.length).toBeGreaterThan(1_500);
    expect(got).toEqual(want);
  });
});
