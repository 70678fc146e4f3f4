import { AutotraderError } from '@autotrader/core';
import { ed25519Signer, hmacSigner, loadEd25519PrivateKey, type Signer } from './auth';

/** The environment variable holding the API key. */
export const ENV_API_KEY = 'BINANCE_API_KEY';
/** The environment variable holding the API secret (HMAC) or private key (Ed25519, PKCS#8 PEM). */
export const ENV_API_SECRET = 'BINANCE_API_SECRET';

/** What signed requests need. Never logged, never put in an error. */
export interface BinanceCredentials {
  readonly apiKey: string;
  readonly signer: Signer;
  /** The raw values, for redaction only. */
  readonly secrets: readonly string[];
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim().length > 0;

/** True when both variables are set (market data works without them; trading does not). */
export const hasCredentials = (env: Readonly<Record<string, string | undefined>>): boolean => present(env[ENV_API_KEY]) && present(env[ENV_API_SECRET]);

/**
 * Reads the credentials from the plugin context's environment (and nowhere else). Missing or empty
 * variables are `AUTH_MISSING` naming each of them; an Ed25519 secret that is not a key is `AUTH_FAILED`.
 * Neither error carries the values.
 */
export function readCredentials(env: Readonly<Record<string, string | undefined>>, keyType: 'hmac' | 'ed25519'): BinanceCredentials {
  const apiKey = env[ENV_API_KEY];
  const secret = env[ENV_API_SECRET];
  // Name every missing variable at once, so the user fixes both in one go.
  const missing = (
    [
      [ENV_API_KEY, apiKey],
      [ENV_API_SECRET, secret],
    ] as const
  )
    .filter(([, value]) => !present(value))
    .map(([name]) => name);
  if (missing.length > 0) {
    const both = missing.length > 1;
    throw new AutotraderError('AUTH_MISSING', `${missing.join(' and ')} ${both ? 'are' : 'is'} not set: export ${both ? 'them' : 'it'} to trade on Binance (market data needs no key)`, {
      details: { variable: missing[0], variables: missing },
    });
  }
  const key = apiKey!.trim();
  const raw = secret!.trim();
  if (keyType === 'hmac') return { apiKey: key, signer: hmacSigner(raw), secrets: [key, raw] };
  const privateKey = loadEd25519PrivateKey(raw);
  if (privateKey === undefined) {
    throw new AutotraderError('AUTH_FAILED', `${ENV_API_SECRET} is not an Ed25519 private key: with keyType 'ed25519' it must be PKCS#8 PEM (or its base64 DER body)`, {
      details: { variable: ENV_API_SECRET, keyType },
    });
  }
  return { apiKey: key, signer: ed25519Signer(privateKey), secrets: [key, raw] };
}
