/**
 * On a binary grid of 2^-20 every close is an exact double, and so is every sum of up to `slow` of
 * them while it stays under 2^33 (53 bits of mantissa minus the 20 of the grid). Within those bounds a
 * running add-and-subtract sum has no rounding at all, so it equals the window summed afresh.
 */
const GRID = 1_048_576; // 2^20
const SUM_BOUND = 8_589_934_592; // 2^33

/**
 * The SMA crossover signal over a ring buffer of closes.
 *
 * Each average must equal its exact window summed oldest to newest: a running sum drifts in the last
 * bits and flips exact ties, which real daily data has. When every close in the window lies on a
 * binary grid (crypto ticks of 0.5, 0.25, 0.125 do; decimal cents do not) the window sums are exact
 * integers of the grid, so a running sum gives the same bits in O(1) per bar. Otherwise the window is
 * summed afresh. Both paths return identical signals; the tests check that against the plain sum.
 */
export class SmaCrossSignal {
  private readonly window: Float64Array;
  private readonly valueBound: number;
  private count = 0;
  /** Ring positions of the next close and of the close leaving the fast window (kept, not computed with %). */
  private at = 0;
  private atFastOut: number;
  private lastNonZero = 0;
  /** `count` when the newest off-grid close arrived (0: none yet). */
  private lastOffGrid = 0;
  /** True while fastSum/slowSum hold the exact sums of the current windows. */
  private exactSums = false;
  private fastSum = 0;
  private slowSum = 0;

  constructor(
    private readonly fast: number,
    private readonly slow: number,
  ) {
    this.window = new Float64Array(slow);
    this.valueBound = SUM_BOUND / slow;
    this.atFastOut = slow - fast;
  }

  /** Feeds one close. Returns 1 on a cross up, -1 on a cross down, 0 otherwise. */
  update(close: number): number {
    const slow = this.slow;
    const w = this.window;
    const at = this.at;
    const leavingSlow = w[at]!;
    const leavingFast = w[this.atFastOut]!;
    w[at] = close;
    this.at = at + 1 === slow ? 0 : at + 1;
    this.atFastOut = this.atFastOut + 1 === slow ? 0 : this.atFastOut + 1;
    const n = ++this.count;
    if (!(Math.abs(close) <= this.valueBound && Number.isInteger(close * GRID))) this.lastOffGrid = n;
    if (n < slow) return 0;

    let fastSum: number;
    let slowSum: number;
    if (n - this.lastOffGrid >= slow) {
      if (this.exactSums) {
        this.fastSum = fastSum = this.fastSum + (close - leavingFast);
        this.slowSum = slowSum = this.slowSum + (close - leavingSlow);
      } else {
        this.fastSum = fastSum = this.sum(this.fast);
        this.slowSum = slowSum = this.sum(slow);
        this.exactSums = true;
      }
    } else {
      this.exactSums = false;
      fastSum = this.sum(this.fast);
      slowSum = this.sum(slow);
    }
    const diff = fastSum / this.fast - slowSum / slow;
    if (diff === 0) return 0;
    const previous = this.lastNonZero;
    this.lastNonZero = diff;
    if (previous < 0 && diff > 0) return 1;
    if (previous > 0 && diff < 0) return -1;
    return 0;
  }

  /** The last `n` closes summed oldest to newest. */
  private sum(n: number): number {
    const w = this.window;
    const size = this.slow;
    let sum = 0;
    for (let k = this.count - n; k < this.count; k++) sum += w[k % size]!;
    return sum;
  }
}
