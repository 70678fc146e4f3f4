import { describe, expect, it } from 'vitest';
import { SmaCrossSignal } from './signal';

describe('SmaCrossSignal', () => {
  it('needs a full slow window before it signals', () => {
    const s = new SmaCrossSignal(2, 4);
    expect([1, 2, 3].map((c) => s.update(c))).toEqual([0, 0, 0]);
  });

  it('signals a cross up and a cross down against the last non-zero difference', () => {
    const s = new SmaCrossSignal(2, 3);
    // falling, then flat (tie: difference 0 keeps the last sign), then rising, then falling
    const closes = [10, 9, 8, 8, 8, 9, 10, 7, 5];
    const out = closes.map((c) => s.update(c));
    // bar 3 (8): fast 8.5 slow 9 → -; bar 4 (8): fast 8 slow 8.333 → -; bar 5 (8): 8 vs 8 → tie, no signal
    // bar 6 (9): 8.5 vs 8.333 → + after last non-zero − → cross up
    expect(out.indexOf(1)).toBe(5);
    // bar 8 (7): fast 8.5 vs slow 8.667 → cross down
    expect(out.indexOf(-1)).toBe(7);
    expect(out.filter((x) => x !== 0)).toEqual([1, -1]);
  });

  it('does not signal on a tie that returns to the same side', () => {
    const s = new SmaCrossSignal(1, 2);
    // diffs: (2-1.5)=+, (2-2)=0, (3-2.5)=+ → no cross
    expect([1, 2, 2, 3].map((c) => s.update(c))).toEqual([0, 0, 0, 0]);
  });
});

/** The definition: each window summed afresh, oldest to newest, on every bar. */
function referenceSignals(closes: readonly number[], fast: number, slow: number): number[] {
  let lastNonZero = 0;
  return closes.map((_, i) => {
    if (i < slow - 1) return 0;
    let f = 0;
    for (let k = i - fast + 1; k <= i; k++) f += closes[k]!;
    let s = 0;
    for (let k = i - slow + 1; k <= i; k++) s += closes[k]!;
    const diff = f / fast - s / slow;
    if (diff === 0) return 0;
    const previous = lastNonZero;
    lastNonZero = diff;
    return previous < 0 && diff > 0 ? 1 : previous > 0 && diff < 0 ? -1 : 0;
  });
}

describe('SmaCrossSignal against the window summed afresh', () => {
  // A seeded walk; `tick` decides whether closes lie on a binary grid (running sums) or not (fresh sums).
  function walk(n: number, seed: number, tick: number, offGridEvery = 0): number[] {
    let x = seed;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    let p = 40_000;
    return Array.from({ length: n }, (_, i) => {
      // Flat stretches make exact ties.
      if (rand() >= 0.3) p += Math.round((rand() - 0.5) * 40) * tick;
      const v = Math.round(p / tick) * tick;
      return offGridEvery > 0 && i % offGridEvery === 0 ? v + 0.01 : v;
    });
  }

  it.each([
    ['binary grid 0.125 (running sums)', 0.125, 0],
    ['binary grid 1 with flat stretches', 1, 0],
    ['decimal cents (fresh sums)', 0.01, 0],
    ['grid with an off-grid close every 97 bars (switches path both ways)', 0.125, 97],
    ['grid with an off-grid close every 7 bars', 0.5, 7],
  ])('%s: identical signals on every bar', (_name, tick, offGridEvery) => {
    for (const [fast, slow] of [[10, 30], [3, 7], [1, 2]] as const) {
      const closes = walk(20_000, 7 + fast, tick, offGridEvery);
      const s = new SmaCrossSignal(fast, slow);
      const got = closes.map((c) => s.update(c));
      const want = referenceSignals(closes, fast, slow);
      expect(got.filter((x) => x !== 0).length).toBeGreaterThan(20);
      expect(got).toEqual(want);
    }
  });

  it('stays exact for prices too large for the running-sum bound (fresh sums)', () => {
    const closes = Array.from({ length: 500 }, (_, i) => 3e8 + ((i * 7919) % 13) * 0.5);
    const s = new SmaCrossSignal(3, 9);
    expect(closes.map((c) => s.update(c))).toEqual(referenceSignals(closes, 3, 9));
  });
});
