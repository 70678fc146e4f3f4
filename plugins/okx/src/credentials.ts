import { AutotraderError } from '@autotrader/core';

/** The environment variable holding the API key. */
export const ENV_API_KEY = 'OKX_API_KEY';
/** The environment variable holding the key's secret (the HMAC key). */
export const ENV_API_SECRET = 'OKX_API_SECRET';
/** The environment variable holding the passphrase chosen when the key was created. */
export const ENV_API_PASSPHRASE = 'OKX_API_PASSPHRASE';

const NAMES = [ENV_API_KEY, ENV_API_SECRET, ENV_API_PASSPHRASE] as const;

/** What signed requests and the socket login need. Never logged, never put in an error. */
export interface OkxCredentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const present = (v: string | undefined): v is string => v !== undefined && v.trim().length > 0;

/** True when all three variables are set (market data works without them; trading does not). */
export const hasCredentials = (env: Env): boolean => NAMES.every((n) => present(env[n]));

/** The raw secret values that are set, for the redacting logger only. */
export const secretValues = (env: Env): string[] => NAMES.map((n) => env[n]).filter(present).map((v) => v.trim());

/**
 * Reads the credentials from the plugin context's environment, and nowhere else. Missing variables are
 * AUTH_MISSING naming each one (never a value).
 */
export function readCredentials(env: Env): OkxCredentials {
  const missing = NAMES.filter((name) => !present(env[name]));
  if (missing.length > 0) {
    const many = missing.length > 1;
    const list = missing.length <= 2 ? missing.join(' and ') : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
    throw new AutotraderError('AUTH_MISSING', `${list} ${many ? 'are' : 'is'} not set: export ${many ? 'them' : 'it'} to trade on OKX (market data needs no key)`, {
      details: { variable: missing[0], variables: missing },
    });
  }
  return { apiKey: env[ENV_API_KEY]!.trim(), secret: env[ENV_API_SECRET]!.trim(), passphrase: env[ENV_API_PASSPHRASE]!.trim() };
}
