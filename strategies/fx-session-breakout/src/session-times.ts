/** One UTC day in milliseconds. */
export const DAY_MS = 86_400_000;

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The minutes since 00:00 UTC of a `HH:MM` time of day, or undefined when it is not one. */
export function minutesOfDay(text: string): number | undefined {
  const m = HH_MM.exec(text);
  return m === null ? undefined : Number(m[1]) * 60 + Number(m[2]);
}

/** The three times of a trading day, as minutes since 00:00 UTC. */
export interface SessionTimes {
  /** The range window opens (the Asian session). */
  readonly rangeStart: number;
  /** The range window closes and the breakout orders are placed (the London open). */
  readonly rangeEnd: number;
  /** Everything still open is flattened. */
  readonly sessionEnd: number;
}

/** One day's session in epoch milliseconds. */
export interface SessionPlan {
  /** Days since 1970-01-01 (UTC): the day the session belongs to. */
  readonly day: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly sessionEnd: number;
}

/** The session of a given UTC day. */
export function planForDay(day: number, times: SessionTimes): SessionPlan {
  const midnight = day * DAY_MS;
  return { day, rangeStart: midnight + times.rangeStart * 60_000, rangeEnd: midnight + times.rangeEnd * 60_000, sessionEnd: midnight + times.sessionEnd * 60_000 };
}

/**
 * The first session whose range can still be tracked whole from `now`: today's if its window opened
 * at most `lateStartMs` ago (a strategy started a moment after the window opened, as a backtest is,
 * at its first quote), otherwise the next day's. A range joined later would be partial, and a
 * breakout of a partial range is not the breakout the strategy means.
 */
export function firstPlan(now: number, times: SessionTimes, lateStartMs: number): SessionPlan {
  const today = planForDay(Math.floor(now / DAY_MS), times);
  return now - today.rangeStart <= lateStartMs ? today : planForDay(today.day + 1, times);
}
