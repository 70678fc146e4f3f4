/**
 * The SMA crossover signal over a ring buffer of closes. Each average is summed over its exact window,
 * oldest to newest, on every bar: a running add-and-subtract sum drifts in the last bits and flips
 * exact ties, which real daily data has.
 */
export class SmaCrossSignal {
  private readonly window: Float64Array;
  private count = 0;
  private lastNonZero = 0;

  constructor(
    private readonly fast: number,
    private readonly slow: number,
  ) {
    this.window = new Float64Array(slow);
  }

  /** Feeds one close. Returns 1 on a cross up, -1 on a cross down, 0 otherwise. */
  update(close: number): number {
    const slow = this.slow;
    this.window[this.count % slow] = close;
    this.count++;
    if (this.count < slow) return 0;
    const diff = this.average(this.fast) - this.average(slow);
    if (diff === 0) return 0;
    const previous = this.lastNonZero;
    this.lastNonZero = diff;
    if (previous < 0 && diff > 0) return 1;
    if (previous > 0 && diff < 0) return -1;
    return 0;
  }

  private average(n: number): number {
    const w = this.window;
    const size = this.slow;
    let sum = 0;
    for (let k = this.count - n; k < this.count; k++) sum += w[k % size]!;
    return sum / n;
  }
}
