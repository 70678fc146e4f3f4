import { describe, expect, it } from 'vitest';
import { RangeTracker } from './range';

describe('RangeTracker', () => {
  it('has no range before a quote', () => {
    expect(new RangeTracker().range()).toBeUndefined();
  });

  it('tracks the exact high and low of the mid, not of the bid or the ask', () => {
    const r = new RangeTracker();
    r.push(1.3865, 1.3867); // mid 1.3866
    r.push(1.38679, 1.3868); // mid 1.386795: the high, though an ask of 1.3870 comes later
    r.push(1.3858, 1.387); // mid 1.3864, wide spread: neither extreme of the mid
    r.push(1.38632, 1.38635); // mid 1.386335: the low
    const range = r.range()!;
    expect(range.high.toString()).toBe('1.386795');
    expect(range.low.toString()).toBe('1.386335');
    expect(range.quotes).toBe(4);
  });

  it('leaves out one-sided quotes and starts afresh after reset', () => {
    const r = new RangeTracker();
    r.push(0, 1.5);
    r.push(1.2, 0);
    expect(r.range()).toBeUndefined();
    r.push(1.1, 1.1002);
    r.reset();
    expect(r.quotes).toBe(0);
    r.push(1.2, 1.2002);
    expect(r.range()!.low.toString()).toBe('1.2001');
    expect(r.range()!.high.toString()).toBe('1.2001');
  });
});
