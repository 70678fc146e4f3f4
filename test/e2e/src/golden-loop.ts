import { Decimal } from 'decimal.js';

/** One expected fill of the golden spec. */
export interface ExpectedFill {
  readonly side: 'buy' | 'sell';
  /** Index of the bar whose open filled it. */
  readonly bar: number;
  readonly price: number;
}

/**
 * The golden spec, written independently of the engine as one plain loop: SMA(fast)/SMA(slow) on
 * close, each average summed over its exact window; a cross is judged against the last non-zero
 * difference; long only, 1 unit; a market order decided on bar t fills at the open of bar t+1; no
 * fees or slippage. Cash is kept exactly (decimal.js, default settings) so the final value is exact.
 */
export function goldenSmaCross(open: Float64Array, close: Float64Array, fast: number, slow: number, size: number, cash: number): { fills: ExpectedFill[]; finalValue: Decimal } {
  const fills: ExpectedFill[] = [];
  let money = new Decimal(cash);
  let position = 0;
  let pending: 'buy' | 'sell' | undefined;
  let lastNonZero = 0;
  for (let t = 0; t < close.length; t++) {
    if (pending !== undefined) {
      const px = new Decimal(open[t]!);
      if (pending === 'buy') {
        money = money.minus(px.times(size));
        position += size;
      } else {
        money = money.plus(px.times(position));
        position = 0;
      }
      fills.push({ side: pending, bar: t, price: open[t]! });
      pending = undefined;
    }
    if (t < slow - 1) continue;
    let f = 0;
    for (let k = t - fast + 1; k <= t; k++) f += close[k]!;
    let s = 0;
    for (let k = t - slow + 1; k <= t; k++) s += close[k]!;
    const diff = f / fast - s / slow;
    if (diff === 0) continue;
    const up = lastNonZero < 0 && diff > 0;
    const down = lastNonZero > 0 && diff < 0;
    lastNonZero = diff;
    if (up && position === 0) pending = 'buy';
    else if (down && position > 0) pending = 'sell';
  }
  return { fills, finalValue: money.plus(new Decimal(close[close.length - 1]!).times(position)) };
}
