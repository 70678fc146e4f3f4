/**
 * API keys and the authentication checks of REST requests and WebSocket logins, in the order the
 * fake applies them (VENUES.md §3.2, §3.3, §3.6; error texts from OKX's error-code list as ccxt
 * carries it). A key belongs to one environment: a demo key on a live request (no
 * `x-simulated-trading: 1`) or a live key on a demo request gets 50101.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Environment } from './orders';
import { parseIsoTimestamp, restSign, sameSignature, wsLoginSign } from './sign';

/** A key the fake accepts. */
export interface FakeOkxKey {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
  readonly environment: Environment;
}

/** A made-up demo key (never a real credential). */
export const DEMO_KEY: FakeOkxKey = { apiKey: 'fake-demo-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9', secret: 'FAKEDEMOSECRET0123456789ABCDEF01', passphrase: 'fake-demo-passphrase', environment: 'demo' };
/** A made-up live key (never a real credential). */
export const LIVE_KEY: FakeOkxKey = { apiKey: 'fake-live-9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0', secret: 'FAKELIVESECRET0123456789ABCDEF01', passphrase: 'fake-live-passphrase', environment: 'live' };

/** How far OK-ACCESS-TIMESTAMP (and a login timestamp) may be from the venue's clock. */
export const MAX_SKEW_MS = 30_000;

/** The outcome of an authentication check. */
export type AuthResult = { readonly ok: true; readonly key: FakeOkxKey } | { readonly ok: false; readonly code: string; readonly msg: string };

const fail = (code: string, msg: string): AuthResult => ({ ok: false, code, msg });

/** The environment a REST request addresses: `x-simulated-trading: 1` is demo, anything else live. */
export function restEnvironment(headers: IncomingHttpHeaders): Environment {
  return headers['x-simulated-trading'] === '1' ? 'demo' : 'live';
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/** Checks the OK-ACCESS-* headers of a private REST request against the exact path, query and body received. */
export function checkRest(headers: IncomingHttpHeaders, method: string, requestPath: string, body: string, keys: readonly FakeOkxKey[], env: Environment, nowMs: number): AuthResult {
  const apiKey = header(headers, 'ok-access-key');
  if (apiKey === undefined) return fail('50103', 'Request header "OK-ACCESS-KEY" cannot be empty.');
  const sign = header(headers, 'ok-access-sign');
  if (sign === undefined) return fail('50106', 'Request header "OK-ACCESS-SIGN" cannot be empty.');
  const timestamp = header(headers, 'ok-access-timestamp');
  if (timestamp === undefined) return fail('50107', 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.');
  const passphrase = header(headers, 'ok-access-passphrase');
  if (passphrase === undefined) return fail('50104', 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.');
  const ts = parseIsoTimestamp(timestamp);
  if (ts === undefined) return fail('50112', 'Invalid OK-ACCESS-TIMESTAMP.');
  if (Math.abs(nowMs - ts) > MAX_SKEW_MS) return fail('50102', 'Timestamp request expired.');
  const key = keys.find((k) => k.apiKey === apiKey);
  if (key === undefined) return fail('50111', 'Invalid OK-ACCESS-KEY.');
  if (key.environment !== env) return fail('50101', 'APIKey does not match current environment.');
  if (key.passphrase !== passphrase) return fail('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.');
  if (!sameSignature(sign, restSign(key.secret, timestamp, method, requestPath, body))) return fail('50113', 'Invalid Sign.');
  return { ok: true, key };
}

/** Checks the argument of a WebSocket `login` op on a socket of environment `env`. */
export function checkLogin(arg: unknown, keys: readonly FakeOkxKey[], env: Environment, nowMs: number): AuthResult {
  if (typeof arg !== 'object' || arg === null) return fail('60013', 'Invalid args');
  const a = arg as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : undefined);
  const apiKey = str('apiKey');
  const passphrase = str('passphrase');
  const timestamp = str('timestamp');
  const sign = str('sign');
  if (apiKey === undefined || passphrase === undefined || timestamp === undefined || sign === undefined) return fail('60013', 'Invalid args');
  if (!/^\d{1,12}(\.\d+)?$/.test(timestamp)) return fail('60004', 'Invalid timestamp');
  if (Math.abs(nowMs - Number(timestamp) * 1000) > MAX_SKEW_MS) return fail('60006', 'Timestamp request expired');
  const key = keys.find((k) => k.apiKey === apiKey);
  if (key === undefined) return fail('60005', 'Invalid OK-ACCESS-KEY');
  // OKX answers a key of the other environment with 50101 on the socket too (amir-the-h/okex issue #51).
  if (key.environment !== env) return fail('50101', 'APIKey does not match current environment.');
  if (key.passphrase !== passphrase) return fail('60024', 'Wrong passphrase');
  if (!sameSignature(sign, wsLoginSign(key.secret, timestamp))) return fail('60007', 'Invalid sign');
  return { ok: true, key };
}
