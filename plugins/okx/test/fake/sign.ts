/**
 * OKX v5 signatures (VENUES.md §3.2 and §3.3, from OKX's official Python SDK `okx/utils.py` and
 * `okx/websocket/WsUtils.py`):
 * - REST: `OK-ACCESS-SIGN = Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body))`,
 *   the timestamp an ISO 8601 UTC time with milliseconds (`2020-12-08T09:08:57.715Z`), the request
 *   path with its query string, the body exactly as sent (empty for GET);
 * - WebSocket login: the same HMAC over `timestamp + "GET" + "/users/self/verify"`, the timestamp
 *   in Unix seconds.
 * The fake verifies over the exact bytes it received; the signers here are for tests.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The path OKX's WebSocket login signs. */
export const WS_LOGIN_PATH = '/users/self/verify';

/** Base64 HMAC-SHA256 of `payload` with `secret`. */
export function hmacBase64(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('base64');
}

/** The REST signature of one request (`requestPath` includes `?query` when there is one). */
export function restSign(secret: string, timestamp: string, method: string, requestPath: string, body: string): string {
  return hmacBase64(secret, `${timestamp}${method.toUpperCase()}${requestPath}${body}`);
}

/** The WebSocket login signature for `timestampSec` (Unix seconds, as a string). */
export function wsLoginSign(secret: string, timestampSec: string): string {
  return hmacBase64(secret, `${timestampSec}GET${WS_LOGIN_PATH}`);
}

/** An OK-ACCESS-TIMESTAMP: ISO 8601 UTC with milliseconds. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** True when `given` equals `expected` (constant time; different lengths are simply unequal). */
export function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Strict ISO 8601 UTC with milliseconds, as OKX's SDK sends it; undefined when it is not one. */
export function parseIsoTimestamp(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
