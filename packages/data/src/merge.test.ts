import { mulberry32 } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { mergeByTime } from './merge';

const f = (...xs: number[]): Float64Array => Float64Array.from(xs);

/** The reference: every (time, stream, row) triple sorted by a plain comparator. */
function reference(times: Float64Array[]): [number, number][] {
  const all: [number, number, number][] = [];
  times.forEach((t, s) => t.forEach((v, r) => all.push([v, s, r])));
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return all.map(([, s, r]) => [s, r]);
}

const pairs = (m: { stream: Uint16Array; row: Uint32Array }): [number, number][] => Array.from(m.stream, (s, i) => [s, m.row[i]]);

/** Seeded, so a failing case can be replayed. */
const rng = mulberry32;

describe('mergeByTime', () => {
  it('breaks ties by stream index, then row, for two streams', () => {
    const m = mergeByTime([f(1, 2, 2, 5), f(0, 2, 5, 5, 6)]);
    expect(pairs(m)).toEqual([
      [1, 0],
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 1],
      [0, 3],
      [1, 2],
      [1, 3],
      [1, 4],
    ]);
    expect(m.stream).toBeInstanceOf(Uint16Array);
    expect(m.row).toBeInstanceOf(Uint32Array);
  });

  it('breaks ties by stream index, then row, for many streams (heap path)', () => {
    const m = mergeByTime([f(3, 3), f(1, 3), f(3), f(), f(0, 3, 3, 4)]);
    expect(pairs(m)).toEqual([
      [4, 0],
      [1, 0],
      [0, 0],
      [0, 1],
      [1, 1],
      [2, 0],
      [4, 1],
      [4, 2],
      [4, 3],
    ]);
  });

  it('breaks ties the same way with more than eight streams', () => {
    const times = Array.from({ length: 12 }, (_, s) => f(s % 3, 5, 5));
    const m = pairs(mergeByTime(times));
    expect(m.slice(0, 4)).toEqual([
      [0, 0],
      [3, 0],
      [6, 0],
      [9, 0],
    ]);
    expect(m.slice(12, 16)).toEqual([
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ]);
    expect(m).toEqual(reference(times));
  });

  it('handles no streams, one stream and empty streams', () => {
    expect(pairs(mergeByTime([]))).toEqual([]);
    expect(pairs(mergeByTime([f(1, 1, 2)]))).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    expect(pairs(mergeByTime([f(), f(7)]))).toEqual([[1, 0]]);
    expect(pairs(mergeByTime([f(), f(), f()]))).toEqual([]);
  });

  it('equals a plain stable sort on random streams with many ties and long runs', () => {
    const random = rng(42);
    for (let trial = 0; trial < 80; trial++) {
      const k = 1 + Math.floor(random() * 14); // 1, 2, linear-scan (≤ 8) and heap (> 8) paths
      const times = Array.from({ length: k }, () => {
        const n = Math.floor(random() * 200);
        const out = new Float64Array(n);
        let t = Math.floor(random() * 50);
        // Coarse steps make ties common; occasional big jumps make runs from one stream.
        for (let i = 0; i < n; i++) out[i] = t += random() < 0.1 ? Math.floor(random() * 100) : Math.floor(random() * 3);
        return out;
      });
      expect(pairs(mergeByTime(times)), `trial ${trial}`).toEqual(reference(times));
    }
  });
});
