import { z } from 'zod';
import type { BackoffPolicy } from '@autotrader/core';

/**
 * Config pieces every venue plugin's `configSchema` is built from, so that `--venue-opt reconnect.…`
 * and `--venue-opt timeouts.…` mean the same on every venue. Each level is strict: an unknown key is
 * a zod `unrecognized_keys` error, never ignored.
 */

/**
 * A URL option restricted to some protocols: `urlOption(['ws:', 'wss:'])`. Plugins name their
 * endpoint overrides `restUrl`, `wsUrl`, … so tests point them at loopback servers with `--venue-opt`.
 */
export const urlOption = (protocols: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

/** Reconnect backoff for sockets and streams: exponential with jitter. Unknown keys are errors. */
export const reconnectSchema = z
  .strictObject({
    /** Delay before the first reconnect attempt. */
    initialDelayMs: z.number().int().min(0).default(500),
    /** The delay never grows beyond this. */
    maxDelayMs: z.number().int().positive().default(30_000),
    /** Each failed attempt multiplies the delay by this. */
    multiplier: z.number().min(1).default(2),
    /** Fraction by which each delay is randomly shortened (0 = none, 1 = anywhere from 0 to the full delay). */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .prefault({});

/** Time limits for requests and connections. Unknown keys are errors. */
export const timeoutsSchema = z
  .strictObject({
    /** A REST request that has not answered in this time fails with VENUE_TIMEOUT. */
    requestMs: z.number().int().positive().default(10_000),
    /** A WebSocket or stream that has not opened in this time counts as a failed attempt. */
    connectMs: z.number().int().positive().default(10_000),
    /** A request sent over a socket (subscribe, login, user data) that has not answered in this time fails. */
    wsRequestMs: z.number().int().positive().default(10_000),
    /** We ping the server this often to find dead sockets (where the venue's heartbeat is ours to send). */
    pingIntervalMs: z.number().int().positive().default(20_000),
    /** A socket or stream with nothing received (data, ping, pong or heartbeat) for this long is dead and is reconnected. */
    deadAfterMs: z.number().int().positive().default(60_000),
  })
  .prefault({});

/** Reconnect settings after defaults. */
export type ReconnectConfig = z.output<typeof reconnectSchema>;
/** Timeouts after defaults. */
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;

/** The shared backoff policy of a `reconnect` config block. */
export const backoffPolicyOf = (r: ReconnectConfig): BackoffPolicy => ({
  baseDelayMs: r.initialDelayMs,
  maxDelayMs: r.maxDelayMs,
  multiplier: r.multiplier,
  jitter: r.jitter,
});
