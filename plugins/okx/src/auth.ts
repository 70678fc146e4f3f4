import { createHmac } from 'node:crypto';
import type { OkxCredentials } from './credentials';

/**
 * OKX v5 authentication (VENUES.md §3.2–3.3), pure functions. REST: `OK-ACCESS-SIGN` is
 * Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)), where the timestamp is ISO 8601
 * UTC with milliseconds, requestPath holds the query (`/api/v5/account/balance?ccy=BTC`) and body is the
 * exact text sent ('' for none). The socket login signs `timestamp + "GET" + "/users/self/verify"` with
 * the timestamp in Unix seconds.
 */

/** `2020-12-08T09:08:57.715Z`: the REST timestamp of an epoch-ms time. */
export const isoTimestamp = (ms: number): string => new Date(ms).toISOString();

/** The text a REST request signs. `query` is without `?` ('' for none); `body` is byte for byte what is sent. */
export function restPrehash(timestamp: string, method: string, path: string, query: string, body: string): string {
  return `${timestamp}${method.toUpperCase()}${path}${query.length > 0 ? `?${query}` : ''}${body}`;
}

/** Base64(HMAC-SHA256(secret, text)). */
export const hmacBase64 = (secret: string, text: string): string => createHmac('sha256', secret).update(text, 'utf8').digest('base64');

/** The four `OK-ACCESS-*` headers of one REST request (names lower case, as the kit sends them). */
export function restAuthHeaders(creds: OkxCredentials, nowMs: number, request: { method: string; path: string; query: string; body: string }): Record<string, string> {
  const timestamp = isoTimestamp(nowMs);
  return {
    'ok-access-key': creds.apiKey,
    'ok-access-sign': hmacBase64(creds.secret, restPrehash(timestamp, request.method, request.path, request.query, request.body)),
    'ok-access-timestamp': timestamp,
    'ok-access-passphrase': creds.passphrase,
  };
}

/** What the private socket's login signs: Unix seconds + `GET` + `/users/self/verify`. */
export const wsLoginPrehash = (timestampSeconds: string): string => `${timestampSeconds}GET/users/self/verify`;

/** The single argument of a `{"op":"login"}` frame. */
export function wsLoginArgs(creds: OkxCredentials, nowMs: number): { apiKey: string; passphrase: string; timestamp: string; sign: string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { apiKey: creds.apiKey, passphrase: creds.passphrase, timestamp, sign: hmacBase64(creds.secret, wsLoginPrehash(timestamp)) };
}
