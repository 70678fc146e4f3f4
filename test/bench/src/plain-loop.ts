/**
 * The baseline: the sma-cross signals computed by a plain loop over the close column, with the same
 * algorithm as the strategy's signal (exact running sums while the window lies on the 2^-20 grid,
 * windows summed afresh otherwise). No bus, no orders, no venue: the ceiling the engine is compared with.
 */
export function plainSmaCross(close: Float64Array, fast: number, slow: number): number {
  const bound = 2 ** 33 / slow;
  let lastNonZero = 0;
  let crosses = 0;
  let lastOffGrid = -1;
  let exact = false;
  let f = 0;
  let s = 0;
  for (let i = 0; i < close.length; i++) {
    const c = close[i]!;
    if (!(Math.abs(c) <= bound && Number.isInteger(c * 1_048_576))) lastOffGrid = i;
    if (i < slow - 1) continue;
    if (i - lastOffGrid >= slow && exact) {
      f += c - close[i - fast]!;
      s += c - close[i - slow]!;
    } else {
      f = 0;
      for (let k = i - fast + 1; k <= i; k++) f += close[k]!;
      s = 0;
      for (let k = i - slow + 1; k <= i; k++) s += close[k]!;
      exact = i - lastOffGrid >= slow;
    }
    const diff = f / fast - s / slow;
    if (diff === 0) continue;
    if ((lastNonZero < 0 && diff > 0) || (lastNonZero > 0 && diff < 0)) crosses++;
    lastNonZero = diff;
  }
  return crosses;
}
