import { describe, expect, it } from 'vitest';
import { DAY_MS, firstPlan, minutesOfDay, planForDay } from './session-times';

const TIMES = { rangeStart: 0, rangeEnd: 7 * 60, sessionEnd: 16 * 60 };
const MAY_1_2014 = Date.UTC(2014, 4, 1);

describe('session times', () => {
  it('reads HH:MM as minutes since midnight UTC and refuses anything else', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('07:00')).toBe(420);
    expect(minutesOfDay('23:59')).toBe(1439);
    for (const bad of ['24:00', '7:00', '07:60', '0700', '07:00Z', '']) expect(minutesOfDay(bad), bad).toBeUndefined();
  });

  it('places a day\'s window end and session end on that UTC day', () => {
    const plan = planForDay(MAY_1_2014 / DAY_MS, TIMES);
    expect(new Date(plan.rangeStart).toISOString()).toBe('2014-05-01T00:00:00.000Z');
    expect(new Date(plan.rangeEnd).toISOString()).toBe('2014-05-01T07:00:00.000Z');
    expect(new Date(plan.sessionEnd).toISOString()).toBe('2014-05-01T16:00:00.000Z');
  });

  it('joins today\'s window only within lateStartMs of its opening, else waits for tomorrow\'s', () => {
    expect(new Date(firstPlan(MAY_1_2014 + 292, TIMES, 60_000).rangeStart).toISOString()).toBe('2014-05-01T00:00:00.000Z');
    expect(new Date(firstPlan(MAY_1_2014 + 60_000, TIMES, 60_000).rangeStart).toISOString()).toBe('2014-05-01T00:00:00.000Z');
    expect(new Date(firstPlan(MAY_1_2014 + 60_001, TIMES, 60_000).rangeStart).toISOString()).toBe('2014-05-02T00:00:00.000Z');
    // Before the window opens, today's window.
    const late = { ...TIMES, rangeStart: 60 };
    expect(new Date(firstPlan(MAY_1_2014 + 5_000, late, 0).rangeStart).toISOString()).toBe('2014-05-01T01:00:00.000Z');
  });
});
