import type { Dispatcher } from 'undici';
import type { Logger } from '@autotrader/core';
import { backoffPolicyOf, LineStream, type OpenInfo, type SocketState } from '@autotrader/venue-kit';
import type { OandaConfig } from './config';
import { DATETIME_HEADER, mapOandaFailure } from './http';
import { isHeartbeatLine } from './mapping';

/** What one of OANDA's two streams needs. */
export interface OandaStreamOptions {
  /** `OANDA pricing stream`, `OANDA transaction stream`: in logs and status reasons. */
  readonly name: string;
  /** The full URL, asked before every attempt (the pricing stream's instruments change). */
  readonly url: () => string;
  readonly token: () => string;
  readonly practice: boolean;
  readonly dispatcher: Dispatcher;
  readonly config: Pick<OandaConfig, 'stallMs' | 'timeouts' | 'reconnect'>;
  readonly logger: Logger;
  /** Every line that is not a heartbeat. */
  readonly onLine: (value: unknown) => void;
  /** Every heartbeat (the transaction stream's carry `lastTransactionID`). */
  readonly onHeartbeat?: (value: Record<string, unknown>) => void;
  readonly onMalformed?: (line: string, reason: string) => void;
  readonly onOpen?: (info: OpenInfo) => Promise<void> | void;
  readonly onState: (state: SocketState, reason: string) => void;
}

/**
 * One of OANDA's chunked-HTTP streams on the kit's LineStream: one JSON object per line, lines split
 * across chunks joined, a `HEARTBEAT` every 5 s keeping it alive (and passed to `onHeartbeat`), no line
 * for `stallMs` (10 s by default: two heartbeats missed) drops and reopens it with the shared backoff,
 * and OANDA's error answers (401, 403, 429 …) coded as for REST.
 */
export function oandaStream(o: OandaStreamOptions): LineStream {
  return new LineStream({
    name: o.name,
    url: o.url,
    headers: () => ({ authorization: `Bearer ${o.token()}`, ...DATETIME_HEADER }),
    logger: o.logger,
    dispatcher: o.dispatcher,
    backoff: backoffPolicyOf(o.config.reconnect),
    connectTimeoutMs: o.config.timeouts.connectMs,
    stallTimeoutMs: o.config.stallMs,
    isHeartbeat: (value) => {
      if (!isHeartbeatLine(value)) return false;
      o.onHeartbeat?.(value as Record<string, unknown>);
      return true;
    },
    onLine: o.onLine,
    onMalformed: o.onMalformed,
    onOpen: o.onOpen,
    onState: o.onState,
    mapError: (failure) => mapOandaFailure(failure, o.practice),
  });
}
