import { generateKeyPairSync, verify, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { buildJwt, jwtUri, loadSigningKey, JWT_LIFETIME_SECONDS } from './auth';
import { readCredentials, secretValues, ENV_API_KEY, ENV_API_SECRET } from './credentials';

/** The official SDK's test keys (coinbase-advanced-py tests/constants.py), see __fixtures__/README.md. */
const KEYS = JSON.parse(readFileSync(new URL('./__fixtures__/jwt_test_keys.json', import.meta.url), 'utf8')) as Record<string, string> & {
  derived_public_keys_openssl: { EC_P256_SPKI_PEM: string; ED25519_SPKI_PEM: string };
};
const KEY_NAME = KEYS.TEST_API_KEY!;
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown>; input: Buffer; signature: Buffer } {
  const [h, c, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c!, 'base64url').toString()) as Record<string, unknown>,
    input: Buffer.from(`${h}.${c}`),
    signature: Buffer.from(s!, 'base64url'),
  };
}

const ecPublic = createPublicKey(KEYS.derived_public_keys_openssl.EC_P256_SPKI_PEM);
const edPublic = createPublicKey(KEYS.derived_public_keys_openssl.ED25519_SPKI_PEM);

describe('CDP JWTs with the SDK test keys', () => {
  it('signs ES256 with the EC key (SEC1 PEM): the public key verifies it and the claims are the SDK tests\'', () => {
    const key = loadSigningKey(KEYS.TEST_API_SECRET_EC_SEC1_PEM!)!;
    expect(key.alg).toBe('ES256');
    const uri = jwtUri('GET', 'https://api.coinbase.com', '/api/v3/brokerage/accounts?limit=250');
    expect(uri).toBe('GET api.coinbase.com/api/v3/brokerage/accounts');
    const jwt = decode(buildJwt({ keyName: KEY_NAME, signingKey: key, nowMs: NOW, uri, nonce: 'abc123' }));
    expect(jwt.header).toEqual({ alg: 'ES256', kid: KEY_NAME, nonce: 'abc123', typ: 'JWT' });
    const nbf = Math.floor(NOW / 1000);
    expect(jwt.claims).toEqual({ sub: KEY_NAME, iss: 'cdp', nbf, exp: nbf + 120, uri });
    expect(jwt.signature).toHaveLength(64); // JWS r‖s, not DER
    expect(verify('sha256', jwt.input, { key: ecPublic, dsaEncoding: 'ieee-p1363' }, jwt.signature)).toBe(true);
    // A changed claim no longer verifies.
    const forged = Buffer.from(jwt.input.toString().replace(/\.[^.]+$/, '.' + Buffer.from(JSON.stringify({ ...jwt.claims, sub: 'x' })).toString('base64url')));
    expect(verify('sha256', forged, { key: ecPublic, dsaEncoding: 'ieee-p1363' }, jwt.signature)).toBe(false);
  });

  it.each([
    ['64 bytes seed‖public key, base64', 'TEST_ED25519_API_SECRET_base64_64bytes'],
    ['32-byte seed, base64', 'TEST_ED25519_SEED_API_SECRET'],
    ['PKCS#8 PEM', 'TEST_ED25519_PKCS8_API_SECRET'],
  ])('signs EdDSA with the Ed25519 key given as %s', (_, field) => {
    const key = loadSigningKey(KEYS[field]!)!;
    expect(key.alg).toBe('EdDSA');
    const jwt = decode(buildJwt({ keyName: KEY_NAME, signingKey: key, nowMs: NOW, uri: 'POST api.coinbase.com/api/v3/brokerage/orders' }));
    expect(jwt.header.alg).toBe('EdDSA');
    expect(jwt.header.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect((jwt.claims.exp as number) - (jwt.claims.nbf as number)).toBe(JWT_LIFETIME_SECONDS);
    expect(verify(null, jwt.input, edPublic, jwt.signature)).toBe(true);
  });

  it('leaves uri out of the WebSocket JWT, and every JWT has its own nonce', () => {
    const key = loadSigningKey(KEYS.TEST_API_SECRET_EC_SEC1_PEM!)!;
    const a = decode(buildJwt({ keyName: KEY_NAME, signingKey: key, nowMs: NOW }));
    const b = decode(buildJwt({ keyName: KEY_NAME, signingKey: key, nowMs: NOW }));
    expect(a.claims).toEqual({ sub: KEY_NAME, iss: 'cdp', nbf: Math.floor(NOW / 1000), exp: Math.floor(NOW / 1000) + 120 });
    expect(a.header.nonce).not.toBe(b.header.nonce);
  });

  it('signs the host as configured, port included, and never the query', () => {
    expect(jwtUri('post', 'http://127.0.0.1:40123', '/api/v3/brokerage/orders')).toBe('POST 127.0.0.1:40123/api/v3/brokerage/orders');
    expect(jwtUri('GET', 'https://api-sandbox.coinbase.com', '/api/v3/brokerage/orders/historical/batch?order_status=OPEN')).toBe('GET api-sandbox.coinbase.com/api/v3/brokerage/orders/historical/batch');
  });

  it('accepts a PEM with its newlines written as \\n, and refuses what is no CDP key', () => {
    expect(loadSigningKey(KEYS.TEST_API_SECRET_EC_SEC1_PEM!.replace(/\n/g, '\\n'))?.alg).toBe('ES256');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    for (const bad of [rsa, p384, 'not a key', 'aGVsbG8=', '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----']) expect(loadSigningKey(bad)).toBeUndefined();
  });
});

describe('credentials', () => {
  it('names every missing variable (AUTH_MISSING)', () => {
    try {
      readCredentials({ [ENV_API_KEY]: ' ' });
      expect.unreachable();
    } catch (error) {
      expect(isAutotraderError(error, 'AUTH_MISSING')).toBe(true);
      expect((error as Error).message).toContain('COINBASE_API_KEY and COINBASE_API_SECRET are not set');
    }
  });

  it('refuses a secret that is not a key without showing it (AUTH_FAILED)', () => {
    const secret = 'my-very-secret-hmac-value-123456';
    try {
      readCredentials({ [ENV_API_KEY]: KEY_NAME, [ENV_API_SECRET]: secret });
      expect.unreachable();
    } catch (error) {
      expect(isAutotraderError(error, 'AUTH_FAILED')).toBe(true);
      expect(JSON.stringify({ m: (error as Error).message, d: (error as { details: unknown }).details })).not.toContain(secret);
    }
  });

  it('reads the key name and the key; the values to redact include the PEM body lines', () => {
    const env = { [ENV_API_KEY]: KEY_NAME, [ENV_API_SECRET]: KEYS.TEST_API_SECRET_EC_SEC1_PEM };
    expect(readCredentials(env).keyName).toBe(KEY_NAME);
    const redact = secretValues(env);
    expect(redact).toContain(KEY_NAME);
    expect(redact).toContain('MHcCAQEEIKwf3Uox30cRWzRBOPoPOH5p0Gpb0Dt8zUKXUEM5fMkGoAoGCCqGSM49');
  });
});
