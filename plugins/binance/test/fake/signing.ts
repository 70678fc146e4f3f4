/**
 * Binance HMAC-SHA256 request signing, as the server checks it. Pure functions, no I/O.
 *
 * - REST (rest-api.md "SIGNED Endpoint Examples"): the payload is the query string concatenated with
 *   the request body, with no separator, exactly as sent (so non-ASCII is signed percent-encoded).
 * - WebSocket API (web-socket-api.md "SIGNED request example (HMAC)"): every param except
 *   `signature`, sorted by name, joined `k=v` with `&`, raw UTF-8, no percent-encoding.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Lowercase hex HMAC-SHA256 of `payload` under `secret`. */
export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** Removes the `signature=…` component from a raw urlencoded string, leaving the rest byte for byte. */
export function stripSignature(raw: string): string {
  if (raw === '') return raw;
  return raw
    .split('&')
    .filter((part) => !part.startsWith('signature='))
    .join('&');
}

/** The REST signing payload: raw query string plus raw body, each without its `signature` component. */
export function restSignaturePayload(rawQuery: string, rawBody: string): string {
  return stripSignature(rawQuery) + stripSignature(rawBody);
}

/** How a WebSocket API param value appears in the signing payload (numbers and booleans as JSON prints them). */
export function wsParamText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** The WebSocket API signing payload: params except `signature`, sorted by name, `k=v` joined with `&`. */
export function wsApiSignaturePayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    // Code-unit order, not locale order: Binance sorts parameter names as ASCII.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}=${wsParamText(params[k])}`)
    .join('&');
}

/** True when `signature` is the HMAC of `payload` under `secret` (hex, compared case-insensitively, in constant time). */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  const expected = Buffer.from(hmacSha256Hex(secret, payload), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
