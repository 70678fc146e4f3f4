/**
 * Helpers for the safety tests: driving a SimulatedClock while promises settle, and checking
 * sliding-window sums the plain way. Test-only (imported by *.test.ts, not re-exported).
 * @module
 */
import type { SimulatedClock } from '@autotrader/core';

/** Lets every pending promise callback run (one macrotask turn drains the microtask queue). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances the clock to `to`, stopping at each timer on the way so the promises it wakes settle first. */
export async function runUntil(clock: SimulatedClock, to: number): Promise<void> {
  await flush();
  while (clock.nextTimerAt <= to) {
    clock.advanceTo(clock.nextTimerAt);
    await flush();
  }
  clock.advanceTo(to);
  await flush();
}

/**
 * The largest sum of weights sent inside any window of `intervalMs` (a window ending at a send
 * time, open at its start), checked pair by pair.
 */
export function maxInWindow(times: readonly number[], weights: readonly number[], intervalMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) {
    let sum = 0;
    for (let j = 0; j < times.length; j++) {
      if (times[j]! > times[i]! - intervalMs && times[j]! <= times[i]!) sum += weights[j]!;
    }
    max = Math.max(max, sum);
  }
  return max;
}
