/**
 * CDP API key JWTs as Coinbase Advanced Trade checks them (VENUES.md §2.2): `Authorization: Bearer
 * <JWT>`, header `{alg: ES256 | EdDSA, kid: <key name>, nonce}`, claims `{sub: <key name>, iss: "cdp",
 * nbf, exp, uri: "<METHOD> <host><path>"}` (REST; the WebSocket JWT has no `uri`). Verified with
 * node:crypto: ES256 signatures are the raw 64-byte r‖s (JOSE), which `dsaEncoding: 'ieee-p1363'`
 * reads; Ed25519 needs no digest. Also a signer, so tests can build tokens the way the SDK does.
 * @module
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** Longest lifetime the fake accepts, seconds: the SDK signs `exp = nbf + 120`. */
export const MAX_JWT_LIFETIME_SEC = 120;

/** A registered API key: its name (`organizations/{org}/apiKeys/{id}`) and public key. */
export interface CdpKey {
  readonly name: string;
  readonly publicKey: KeyObject;
}

/** Builds a {@link CdpKey} from a PEM (public, SEC1 `EC PRIVATE KEY` or PKCS#8 private: the public half is kept). */
export function cdpKey(name: string, pem: string): CdpKey {
  const publicKey = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  const type = publicKey.asymmetricKeyType;
  if (type !== 'ec' && type !== 'ed25519') throw new RangeError(`a CDP key is EC P-256 or Ed25519, got ${String(type)}`);
  return { name, publicKey };
}

/** Why a token was refused (never echoes the token). */
export type JwtRefusal =
  | 'missing bearer token'
  | 'malformed token'
  | 'unsupported algorithm'
  | 'unknown key'
  | 'bad signature'
  | 'wrong issuer'
  | 'subject does not match key'
  | 'not yet valid'
  | 'expired'
  | 'lifetime too long'
  | 'uri mismatch'
  | 'uri missing';

/** The outcome of a check: the key name, or why it was refused. */
export type JwtCheck = { readonly ok: true; readonly keyName: string } | { readonly ok: false; readonly reason: JwtRefusal };

/** What a token must carry. `uris`: accepted `uri` claims (REST); undefined for the WebSocket (no `uri` asked). */
export interface JwtExpectation {
  readonly uris?: readonly string[];
  /** The venue's clock, epoch ms. */
  readonly nowMs: number;
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies `token` against `keys`: signature, `iss`, `sub` = `kid`, `nbf` ≤ now < `exp`, `exp − nbf` ≤ 120 s, and `uri` when asked. */
export function verifyCdpJwt(token: string | undefined, keys: readonly CdpKey[], expect: JwtExpectation): JwtCheck {
  if (token === undefined || token === '') return { ok: false, reason: 'missing bearer token' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const [h, c, s] = parts as [string, string, string];
  const header = parseJson(h);
  const claims = parseJson(c);
  if (header === undefined || claims === undefined) return { ok: false, reason: 'malformed token' };
  const alg = header.alg;
  if (alg !== 'ES256' && alg !== 'EdDSA') return { ok: false, reason: 'unsupported algorithm' };
  const wantType = alg === 'ES256' ? 'ec' : 'ed25519';
  const key = keys.find((k) => k.name === header.kid && k.publicKey.asymmetricKeyType === wantType);
  if (key === undefined) return { ok: false, reason: 'unknown key' };
  const data = Buffer.from(`${h}.${c}`);
  const sig = Buffer.from(s, 'base64url');
  const good = alg === 'ES256' ? sig.length === 64 && verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig) : verify(null, data, key.publicKey, sig);
  if (!good) return { ok: false, reason: 'bad signature' };
  if (claims.iss !== 'cdp') return { ok: false, reason: 'wrong issuer' };
  if (claims.sub !== key.name) return { ok: false, reason: 'subject does not match key' };
  const { nbf, exp } = claims;
  if (typeof nbf !== 'number' || typeof exp !== 'number') return { ok: false, reason: 'malformed token' };
  const now = expect.nowMs / 1000;
  if (nbf > now) return { ok: false, reason: 'not yet valid' };
  if (exp <= now) return { ok: false, reason: 'expired' };
  if (exp - nbf > MAX_JWT_LIFETIME_SEC) return { ok: false, reason: 'lifetime too long' };
  if (expect.uris !== undefined) {
    if (typeof claims.uri !== 'string') return { ok: false, reason: 'uri missing' };
    if (!expect.uris.includes(claims.uri)) return { ok: false, reason: 'uri mismatch' };
  }
  return { ok: true, keyName: key.name };
}

/** How to sign a token (tests): the key name, its private PEM, and the claims' time and `uri`. */
export interface SignJwtOptions {
  readonly keyName: string;
  readonly privateKeyPem: string;
  /** `"<METHOD> <host><path>"`; omitted for a WebSocket token. */
  readonly uri?: string;
  /** Seconds since the epoch; default now. */
  readonly nbf?: number;
  /** Lifetime, seconds; default 120. */
  readonly lifetimeSec?: number;
}

/** Signs a token as Coinbase's SDK does (`jwt_generator.build_jwt`): ES256 for an EC key, EdDSA for Ed25519. */
export function signCdpJwt(o: SignJwtOptions): string {
  const key = createPrivateKey(o.privateKeyPem);
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'EdDSA';
  const nbf = o.nbf ?? Math.floor(Date.now() / 1000);
  const header = { alg, kid: o.keyName, nonce: randomBytes(16).toString('hex'), typ: 'JWT' };
  const claims: Record<string, unknown> = { sub: o.keyName, iss: 'cdp', nbf, exp: nbf + (o.lifetimeSec ?? MAX_JWT_LIFETIME_SEC) };
  if (o.uri !== undefined) claims.uri = o.uri;
  const input = `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
  const sig = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign(null, Buffer.from(input), key);
  return `${input}.${b64url(sig)}`;
}
