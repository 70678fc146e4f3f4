import { createHmac, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { encodeQuery, percentEncode, type QueryParams, type QueryValue } from '@autotrader/venue-kit';

/**
 * Pure signing functions for Binance (VENUES.md §1.3). Two payload rules exist and they differ:
 * REST signs the exact percent-encoded query string (the venue kit's `encodeQuery`, which is what is
 * sent) followed by the body; the WebSocket API signs its params sorted by name, joined as `k=v&...`,
 * raw UTF-8 and NOT percent-encoded.
 */

/** The REST signature payload: the query string immediately followed by the body, no separator. */
export const restSignaturePayload = (query: string, body = ''): string => query + body;

/**
 * The WebSocket API signature payload: every param except `signature`, sorted by name (plain code
 * unit order, not locale order), joined as `k=v&...` without any encoding.
 */
export function wsApiSignaturePayload(params: Readonly<Record<string, QueryValue>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
}

/** HMAC-SHA256 of the payload with the secret, lowercase hex (Binance treats hex case-insensitively). */
export const hmacSha256Hex = (secret: string, payload: string): string => createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/** Ed25519 signature of the payload, base64. For REST it must still be percent-encoded when appended. */
export const ed25519SignBase64 = (privateKey: KeyObject, payload: string): string =>
  cryptoSign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64');

/**
 * Loads an Ed25519 private key from PKCS#8 PEM text, or from base64 PKCS#8 DER without the PEM
 * armour. Returns undefined when the text is neither, so the caller can raise an error that does
 * not echo the secret.
 */
export function loadEd25519PrivateKey(text: string): KeyObject | undefined {
  const attempts: Array<() => KeyObject> = [
    () => createPrivateKey({ key: text, format: 'pem' }),
    () => createPrivateKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'pkcs8' }),
  ];
  for (const attempt of attempts) {
    try {
      const key = attempt();
      if (key.asymmetricKeyType === 'ed25519') return key;
    } catch {
      // Not this encoding; try the next.
    }
  }
  return undefined;
}

/** Signs payloads with one key. `sign` returns the signature as Binance expects it before URL encoding. */
export interface Signer {
  readonly keyType: 'hmac' | 'ed25519';
  sign(payload: string): string;
}

/** A signer over an HMAC secret. */
export const hmacSigner = (secret: string): Signer => ({ keyType: 'hmac', sign: (payload) => hmacSha256Hex(secret, payload) });

/** A signer over an Ed25519 private key. */
export const ed25519Signer = (key: KeyObject): Signer => ({ keyType: 'ed25519', sign: (payload) => ed25519SignBase64(key, payload) });

/**
 * Signs an encoded REST query: appends `signature` computed over the query (plus body, if any).
 * Returns the final query string to send, with the signature percent-encoded (a no-op for hex,
 * needed for base64's `+`, `/` and `=`).
 */
export function signQueryString(query: string, signer: Signer, body = ''): string {
  const signature = signer.sign(restSignaturePayload(query, body));
  return `${query}${query.length > 0 ? '&' : ''}signature=${percentEncode(signature)}`;
}

/** Signs REST params: {@link signQueryString} over their encoding (the venue kit's `encodeQuery`, as sent). */
export const signRestQuery = (params: QueryParams, signer: Signer, body = ''): string => signQueryString(encodeQuery(params), signer, body);

/** Signs WebSocket API params: returns a copy with `signature` added (not percent-encoded: JSON carries it). */
export function signWsApiParams<P extends Readonly<Record<string, QueryValue>>>(params: P, signer: Signer): P & { signature: string } {
  return { ...params, signature: signer.sign(wsApiSignaturePayload(params)) };
}
