import { describe, expect, it } from 'vitest';
import { lastPerBucket, MinMaxDownsampler } from './downsample';

describe('lastPerBucket', () => {
  it('keeps the last index of each bucket, ending on the last point', () => {
    expect([...lastPerBucket(10, 4)]).toEqual([2, 5, 8, 9]);
    expect([...lastPerBucket(9, 3)]).toEqual([2, 5, 8]);
  });
  it('keeps everything when it fits, and nothing of nothing', () => {
    expect([...lastPerBucket(3, 10)]).toEqual([0, 1, 2]);
    expect(lastPerBucket(0, 10)).toHaveLength(0);
  });
  it('never exceeds the limit', () => {
    for (const n of [100_001, 199_999, 250_000, 1_000_003]) {
      const idx = lastPerBucket(n, 100_000);
      expect(idx.length).toBeLessThanOrEqual(100_000);
      expect(idx[idx.length - 1]).toBe(n - 1);
    }
  });
});

describe('MinMaxDownsampler', () => {
  it('keeps spikes, the first and last point, in time order, within the point budget', () => {
    const n = 100_000;
    const ds = new MinMaxDownsampler(0, n - 1, n, 2000);
    for (let i = 0; i < n; i++) {
      const v = i === 54_321 ? 1e6 : i === 77_777 ? -1e6 : Math.sin(i / 1000);
      ds.push(i, v);
    }
    const out = ds.finish();
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out.length).toBeGreaterThan(1500);
    const ts = Array.from(out.ts.subarray(0, out.length));
    const values = Array.from(out.values.subarray(0, out.length));
    expect(ts[0]).toBe(0);
    expect(ts[ts.length - 1]).toBe(n - 1);
    expect(values).toContain(1e6);
    expect(values).toContain(-1e6);
    expect(ts[values.indexOf(1e6)]).toBe(54_321);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThan(ts[i - 1]);
  });

  it('passes a short series through unchanged', () => {
    const ds = new MinMaxDownsampler(0, 4, 5, 2000);
    [3, 1, 4, 1, 5].forEach((v, i) => ds.push(i * 10, v));
    const out = ds.finish();
    expect(Array.from(out.values.subarray(0, out.length))).toEqual([3, 1, 4, 1, 5]);
  });

  it('copes with all points at one time', () => {
    const ds = new MinMaxDownsampler(7, 7, 10, 4);
    for (let i = 0; i < 10; i++) ds.push(7, i === 5 ? -3 : i);
    const out = ds.finish();
    expect(Array.from(out.values.subarray(0, out.length))).toEqual([0, -3, 9]);
  });
});
