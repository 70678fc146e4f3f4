import { z } from 'zod';
import { PendingRequests, type ReconnectingSocket } from '@autotrader/venue-kit';
import type { QueryValue } from '@autotrader/venue-kit';

/**
 * Binance's WebSocket framing on top of the venue kit's socket. Sockets take the kit's
 * `socketSettings(config)`: our WebSocket pings every `timeouts.pingIntervalMs` (Binance pings every
 * 20 s too, and `ws` answers those), the idle limit and the backoff.
 */

/** A WebSocket API answer: `{ id, status, result }` or `{ id, status, error: { code, msg, data } }` (web-socket-api.md). */
export const wsApiResponseSchema = z.looseObject({
  id: z.union([z.string(), z.number(), z.null()]),
  status: z.number(),
  result: z.unknown().optional(),
  error: z.looseObject({ code: z.number(), msg: z.string(), data: z.looseObject({ retryAfter: z.number().optional() }).optional() }).optional(),
});
/** A parsed WebSocket API answer. */
export type WsApiResponse = z.output<typeof wsApiResponseSchema>;

/** A user data event as the WebSocket API pushes it: `{ subscriptionId, event: { e, … } }`. */
export const wsApiEventSchema = z.looseObject({ subscriptionId: z.number().optional(), event: z.looseObject({ e: z.string() }) });

/**
 * Calls on the WebSocket API: each `{ id, method, params }` frame waits in the kit's pending table for
 * the answer with its id, until `timeouts.wsRequestMs`.
 */
export class WsApiCalls {
  private nextId = 1;
  private readonly pending: PendingRequests<WsApiResponse>;

  constructor(
    name: string,
    timeoutMs: number,
    private readonly socket: () => ReconnectingSocket,
  ) {
    this.pending = new PendingRequests(name, timeoutMs);
  }

  /** Sends one call; resolves with its answer, whatever its status. */
  call(method: string, params: Readonly<Record<string, QueryValue>>): Promise<WsApiResponse> {
    const id = `at-${this.nextId++}`;
    return this.pending.request(id, method, () => this.socket().send(JSON.stringify({ id, method, params })), { method });
  }

  /** Hands an answer frame to the call waiting for it; false when nobody waits (late, foreign, or an id of null). */
  answer(response: WsApiResponse): boolean {
    return response.id !== null && this.pending.resolve(String(response.id), response);
  }

  /** Fails every call still waiting (the socket is closing). */
  rejectAll(error: Error): void {
    this.pending.rejectAll(error);
  }
}
