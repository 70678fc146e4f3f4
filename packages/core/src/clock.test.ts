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
