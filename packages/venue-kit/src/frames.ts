import type { z } from 'zod';
import { describeZodIssues, type Clock, type ErrorCode, type EventBus, type Logger } from '@autotrader/core';

/** A frame or line checked against its schema: the data, or what is wrong with it in one line. */
export type Checked<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly problem: string };

/** Validates a decoded frame with `schema`; the problem is described by core's one zod issue formatter (three issues at most). */
export function checkFrame<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const r = schema.safeParse(value);
  return r.success ? { success: true, data: r.data } : { success: false, problem: describeZodIssues(r.error.issues, undefined, { max: 3 }) };
}

/** Parses a text frame as JSON; the problem names its size (never its content, which may be long). */
export function parseJsonFrame(text: string): Checked<unknown> {
  try {
    return { success: true, data: JSON.parse(text) };
  } catch {
    return { success: false, problem: `frame is not JSON (${text.length} bytes)` };
  }
}

/** Where a plugin's frame problems go. */
export interface FrameProblemSink {
  /** `Binance market stream`: the prefix of every message. */
  readonly name: string;
  /** The `source` of the bus `error` event (`binance:data`). */
  readonly source: string;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly clock: Clock;
}

/**
 * Reports a frame that was skipped: a warning in the log and an `error` event on the bus (code
 * VENUE_MESSAGE_MALFORMED unless given), so a venue that changes its messages is seen, not ignored.
 * Never throws.
 */
export function reportSkippedFrame(sink: FrameProblemSink, message: string, error?: unknown, code: ErrorCode = 'VENUE_MESSAGE_MALFORMED'): void {
  sink.logger.warn(`${sink.name}: ${message}; frame skipped`);
  sink.bus.publish('error', { source: sink.source, code, message: `${sink.name}: ${message}`, tsEvent: sink.clock.now(), error });
}
