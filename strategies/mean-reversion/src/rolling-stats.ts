/** Mean and population standard deviation over the last `n` values, recomputed exactly per push (n is small). */
export class RollingStats {
  private readonly values: Float64Array;
  private count = 0;
  /** The mean of the window (NaN until ready). */
  mean = NaN;
  /** The population standard deviation of the window (NaN until ready). */
  stdDev = NaN;

  constructor(private readonly n: number) {
    this.values = new Float64Array(n);
  }

  /** True once the window is full. */
  get ready(): boolean {
    return this.count >= this.n;
  }

  push(value: number): void {
    this.values[this.count % this.n] = value;
    this.count++;
    if (!this.ready) return;
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += this.values[i]!;
    const mean = sum / this.n;
    let sq = 0;
    for (let i = 0; i < this.n; i++) sq += (this.values[i]! - mean) ** 2;
    this.mean = mean;
    this.stdDev = Math.sqrt(sq / this.n);
  }
}
