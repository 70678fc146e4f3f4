/**
 * The baseline: the sma-cross signals computed by a plain loop over the close column, with the same
 * exact-window sums. No bus, no orders, no venue: the ceiling the engine is compared with.
 */
export function plainSmaCross(close: Float64Array, fast: number, slow: number): number {
  let lastNonZero = 0;
  let crosses = 0;
  for (let i = slow - 1; i < close.length; i++) {
    let f = 0;
    for (let k = i - fast + 1; k <= i; k++) f += close[k]!;
    let s = 0;
    for (let k = i - slow + 1; k <= i; k++) s += close[k]!;
    const diff = f / fast - s / slow;
    if (diff === 0) continue;
    if ((lastNonZero < 0 && diff > 0) || (lastNonZero > 0 && diff < 0)) crosses++;
    lastNonZero = diff;
  }
  return crosses;
}
