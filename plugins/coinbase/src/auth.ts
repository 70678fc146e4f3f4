import { createPrivateKey, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';

/**
 * Coinbase CDP API key authentication (VENUES.md §2.2, CBPY coinbase/jwt_generator.py): every REST request
 * carries `Authorization: Bearer <JWT>`, a fresh JWT signed ES256 (EC P-256 key, SEC1 PEM) or EdDSA
 * (Ed25519 key, base64 seed or seed‖public key, or PKCS#8 PEM). Header `{alg, kid: key name, nonce, typ}`,
 * claims `{sub: key name, iss: "cdp", nbf, exp: nbf + 120, uri: "METHOD host/path"}`; the WebSocket JWT has
 * no `uri`. node:crypto signs both algorithms directly, so no JWT library is needed.
 */

/** The JWT algorithms Coinbase accepts. */
export type JwtAlgorithm = 'ES256' | 'EdDSA';

/** A loaded private key and the algorithm it signs with. */
export interface SigningKey {
  readonly alg: JwtAlgorithm;
  readonly key: KeyObject;
}

/** How long a JWT is valid (CBPY: `exp = nbf + 120`). */
export const JWT_LIFETIME_SECONDS = 120;

/** The PKCS#8 DER prefix of an Ed25519 private key: the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Loads the secret of a CDP key: a PEM (EC or Ed25519; `\n` written as the two characters `\` `n`, as
 * environment files often hold it, is accepted), or an Ed25519 key in base64 (a 32-byte seed or the
 * 64 bytes seed‖public key Coinbase hands out). Undefined when it is none of these; the secret itself is
 * never put in an error by this function's callers.
 */
export function loadSigningKey(secret: string): SigningKey | undefined {
  const text = secret.trim().replace(/\\n/g, '\n');
  if (text.startsWith('-----BEGIN')) {
    try {
      const key = createPrivateKey({ key: text, format: 'pem' });
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { alg: 'ES256', key };
      if (key.asymmetricKeyType === 'ed25519') return { alg: 'EdDSA', key };
      return undefined;
    } catch {
      return undefined;
    }
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32 && raw.length !== 64) return undefined;
  try {
    const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    return { alg: 'EdDSA', key };
  } catch {
    return undefined;
  }
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** What a JWT says. */
export interface JwtInput {
  /** The key name, `organizations/{org}/apiKeys/{id}`: both `kid` and `sub`. */
  readonly keyName: string;
  readonly signingKey: SigningKey;
  /** Now, in epoch milliseconds (the JWT carries whole seconds). */
  readonly nowMs: number;
  /** `METHOD host/path` for REST; absent for the WebSocket JWT. */
  readonly uri?: string;
  /** The header nonce; random hex unless given (tests). */
  readonly nonce?: string;
}

/** Builds and signs one JWT. ES256 signatures are the raw r‖s pair JWS requires, not DER. */
export function buildJwt(input: JwtInput): string {
  const nbf = Math.floor(input.nowMs / 1000);
  const header = { alg: input.signingKey.alg, kid: input.keyName, nonce: input.nonce ?? randomBytes(16).toString('hex'), typ: 'JWT' };
  const claims: Record<string, unknown> = { sub: input.keyName, iss: 'cdp', nbf, exp: nbf + JWT_LIFETIME_SECONDS };
  if (input.uri !== undefined) claims.uri = input.uri;
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    input.signingKey.alg === 'ES256'
      ? cryptoSign('sha256', Buffer.from(signingInput), { key: input.signingKey.key, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(null, Buffer.from(signingInput), input.signingKey.key);
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * The `uri` claim of a REST request: `METHOD host/path`, with the host as the client is configured
 * (`api.coinbase.com`, or `127.0.0.1:port` for a test venue) and without the query string (CBPY
 * rest_base.py `set_headers` signs the path while the query goes separately).
 */
export function jwtUri(method: string, restUrl: string, path: string): string {
  const host = new URL(restUrl).host;
  const pathOnly = path.split('?')[0]!;
  return `${method.toUpperCase()} ${host}${pathOnly}`;
}
