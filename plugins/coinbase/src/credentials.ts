import { AutotraderError } from '@autotrader/core';
import { loadSigningKey, type SigningKey } from './auth';

/** The environment variable holding the CDP key name (`organizations/{org}/apiKeys/{id}`). */
export const ENV_API_KEY = 'COINBASE_API_KEY';
/** The environment variable holding the key's private key (EC PEM, or Ed25519). */
export const ENV_API_SECRET = 'COINBASE_API_SECRET';

/** What signed requests need. Never logged, never put in an error. */
export interface CoinbaseCredentials {
  readonly keyName: string;
  readonly signingKey: SigningKey;
}

type Env = Readonly<Record<string, string | undefined>>;

const present = (v: string | undefined): v is string => v !== undefined && v.trim().length > 0;

/** True when both variables are set (market data works without them; trading does not). */
export const hasCredentials = (env: Env): boolean => present(env[ENV_API_KEY]) && present(env[ENV_API_SECRET]);

/** The raw secret values, for the redacting logger only (the PEM line by line too, since a log may split it). */
export function secretValues(env: Env): string[] {
  const out: string[] = [];
  for (const name of [ENV_API_KEY, ENV_API_SECRET]) {
    const v = env[name];
    if (!present(v)) continue;
    out.push(v.trim());
    if (name === ENV_API_SECRET) for (const line of v.replace(/\\n/g, '\n').split('\n')) if (line.trim().length >= 16 && !line.startsWith('-----')) out.push(line.trim());
  }
  return out;
}

/**
 * Reads the credentials from the plugin context's environment, and nowhere else. Missing variables are
 * AUTH_MISSING naming each one; a secret that is not an EC P-256 or Ed25519 private key is AUTH_FAILED.
 * Neither error carries a value.
 */
export function readCredentials(env: Env): CoinbaseCredentials {
  const missing = [ENV_API_KEY, ENV_API_SECRET].filter((name) => !present(env[name]));
  if (missing.length > 0) {
    const both = missing.length > 1;
    throw new AutotraderError('AUTH_MISSING', `${missing.join(' and ')} ${both ? 'are' : 'is'} not set: export ${both ? 'them' : 'it'} to trade on Coinbase (market data needs no key)`, {
      details: { variable: missing[0], variables: missing },
    });
  }
  const signingKey = loadSigningKey(env[ENV_API_SECRET]!);
  if (signingKey === undefined) {
    throw new AutotraderError('AUTH_FAILED', `${ENV_API_SECRET} is not a CDP private key: give the EC key's PEM (-----BEGIN EC PRIVATE KEY-----) or the Ed25519 key in base64`, {
      details: { variable: ENV_API_SECRET },
    });
  }
  return { keyName: env[ENV_API_KEY]!.trim(), signingKey };
}
