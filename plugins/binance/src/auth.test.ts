import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import vectors from './__fixtures__/signature_vectors.json';
import { encodeQuery, percentEncode, type QueryParams } from '@autotrader/venue-kit';
import { ed25519Signer, hmacSha256Hex, hmacSigner, loadEd25519PrivateKey, restSignaturePayload, signRestQuery, signWsApiParams, wsApiSignaturePayload } from './auth';

const byId = (id: string) => {
  const v = vectors.vectors.find((x) => x.id === id);
  if (v === undefined) throw new Error(`vector ${id} missing`);
  return v;
};

/** The WS API params of the published order.place examples, parsed from the signed payload text. */
function paramsOfPayload(payload: string): Record<string, string> {
  return Object.fromEntries(payload.split('&').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

describe('REST HMAC signing (published vectors)', () => {
  it('B1: ASCII query string', () => {
    const v = byId('rest-hmac-ascii');
    const query = encodeQuery(v.params_in_order as unknown as QueryParams);
    expect(query).toBe(v.payload);
    expect(hmacSha256Hex(v.secretKey, restSignaturePayload(query))).toBe(v.expected_signature);
    expect(signRestQuery(v.params_in_order as unknown as QueryParams, hmacSigner(v.secretKey))).toBe(`${v.payload}&signature=${v.expected_signature}`);
  });

  it('B2: a non-ASCII symbol is percent-encoded before signing', () => {
    const v = byId('rest-hmac-nonascii');
    const query = encodeQuery(v.params_in_order as unknown as QueryParams);
    expect(query).toBe(v.payload);
    expect(query).toContain('symbol=%EF%BC%91%EF%BC%92');
    expect(hmacSha256Hex(v.secretKey, query)).toBe(v.expected_signature);
  });

  it('B3: timestamp only', () => {
    const v = byId('hmac-timestamp-only');
    expect(signRestQuery([['timestamp', 1578963600000]], hmacSigner(v.secretKey))).toBe(`timestamp=1578963600000&signature=${v.expected_signature}`);
  });

  it('signs query and body together, with no separator', () => {
    const v = byId('rest-hmac-ascii');
    // rest-api.md "Example 3: Mixed query string and request body" (published signature).
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    expect(hmacSha256Hex(v.secretKey, restSignaturePayload(query, body))).toBe('0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77');
  });
});

describe('WebSocket API signing (published vectors)', () => {
  it('B4: params sorted by name, not percent-encoded', () => {
    const v = byId('ws-api-hmac-ascii');
    const params = paramsOfPayload(v.payload);
    // Shuffle the insertion order: the payload must not depend on it.
    const shuffled = Object.fromEntries(Object.entries(params).reverse());
    expect(wsApiSignaturePayload(shuffled)).toBe(v.payload);
    expect(signWsApiParams(shuffled, hmacSigner(v.secretKey)).signature).toBe(v.expected_signature);
  });

  it('B5: a non-ASCII symbol is signed as raw UTF-8', () => {
    const v = byId('ws-api-hmac-nonascii');
    const params = paramsOfPayload(v.payload);
    expect(params.symbol).toBe('１２３４５６');
    expect(wsApiSignaturePayload(params)).toBe(v.payload);
    expect(signWsApiParams(params, hmacSigner(v.secretKey)).signature).toBe(v.expected_signature);
  });

  it('B6: session.logon payload (apiKey and timestamp)', () => {
    const v = byId('ws-api-session-logon-hmac');
    const signed = signWsApiParams({ timestamp: 1649729878532, apiKey: v.apiKey! }, hmacSigner(v.secretKey));
    expect(signed.signature).toBe(v.expected_signature);
  });

  it('leaves an existing signature param out of the payload and sorts by code unit', () => {
    expect(wsApiSignaturePayload({ b: 1, a: true, signature: 'x', B: 'u' })).toBe('B=u&a=true&b=1');
  });
});

describe('percent-encoding', () => {
  it('encodes reserved characters and UTF-8, keeps unreserved ones', () => {
    expect(percentEncode('a b&c=d+e/f')).toBe('a%20b%26c%3Dd%2Be%2Ff');
    expect(percentEncode('A-z_0.9~')).toBe('A-z_0.9~');
    expect(percentEncode('é')).toBe('%C3%A9');
    expect(encodeQuery([['k y', 'v=1'], ['n', 5], ['b', false]])).toBe('k%20y=v%3D1&n=5&b=false');
  });
});

describe('Ed25519 (no published vector: sign/verify round trip)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  it('loads a PKCS#8 PEM key and its base64 DER body, and signs verifiably', () => {
    const fromPem = loadEd25519PrivateKey(pem);
    const der = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).toString('base64');
    const fromDer = loadEd25519PrivateKey(der);
    expect(fromPem?.asymmetricKeyType).toBe('ed25519');
    expect(fromDer?.asymmetricKeyType).toBe('ed25519');
    const payload = 'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1.00000000&price=0.20000000&timestamp=1668481559918&recvWindow=5000';
    const signature = ed25519Signer(fromPem!).sign(payload);
    expect(verify(null, Buffer.from(payload), publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(payload + 'x'), publicKey, Buffer.from(signature, 'base64'))).toBe(false);
    // Ed25519 is deterministic: the DER-loaded key gives the same signature.
    expect(ed25519Signer(fromDer!).sign(payload)).toBe(signature);
  });

  it('percent-encodes the base64 signature in a REST query, and it still verifies', () => {
    const signer = ed25519Signer(loadEd25519PrivateKey(pem)!);
    // Find a timestamp whose signature contains a character base64 needs encoded in a URL.
    let query = '';
    for (let ts = 1; ts < 200; ts++) {
      query = signRestQuery([['symbol', 'BTCUSDT'], ['timestamp', ts]], signer);
      if (/%2B|%2F|%3D/.test(query)) break;
    }
    const [payload, sig] = query.split('&signature=') as [string, string];
    expect(sig).toMatch(/%2B|%2F|%3D/);
    expect(sig).not.toMatch(/[+/=]/);
    expect(verify(null, Buffer.from(payload), createPublicKey(pem), Buffer.from(decodeURIComponent(sig), 'base64'))).toBe(true);
  });

  it('refuses text that is not an Ed25519 private key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(loadEd25519PrivateKey(byId('rest-hmac-ascii').secretKey)).toBeUndefined();
    expect(loadEd25519PrivateKey(rsa)).toBeUndefined();
  });
});
