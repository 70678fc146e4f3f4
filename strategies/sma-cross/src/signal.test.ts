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
