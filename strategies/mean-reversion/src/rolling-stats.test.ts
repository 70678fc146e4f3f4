import { describe, expect, it } from 'vitest';
import { RollingStats } from './rolling-stats';

describe('RollingStats', () => {
  it('is not ready until the window is full', () => {
    const s = new RollingStats(3);
    s.push(1);
    s.push(2);
    expect(s.ready).toBe(false);
    expect(Number.isNaN(s.mean)).toBe(true);
  });

  it('computes the mean and population standard deviation of the last n values', () => {
    const s = new RollingStats(4);
    for (const v of [100, 2, 4, 4, 4, 5]) s.push(v);
    // the last four pushed are 4, 4, 4, 5
    expect(s.mean).toBeCloseTo(4.25, 12);
    expect(s.stdDev).toBeCloseTo(Math.sqrt((3 * 0.0625 + 0.5625) / 4), 12);
  });
});
