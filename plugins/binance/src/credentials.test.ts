import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AutotraderError } from '@autotrader/core';
import { ENV_API_KEY, ENV_API_SECRET, hasCredentials, readCredentials } from './credentials';

const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

function thrown(fn: () => unknown): AutotraderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AutotraderError) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('credentials', () => {
  it('reads key and secret from the environment and signs with them', () => {
    const c = readCredentials({ [ENV_API_KEY]: KEY, [ENV_API_SECRET]: SECRET }, 'hmac');
    expect(c.apiKey).toBe(KEY);
    expect(c.signer.sign('timestamp=1578963600000')).toBe('d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4');
    expect(hasCredentials({ [ENV_API_KEY]: KEY, [ENV_API_SECRET]: SECRET })).toBe(true);
    expect(hasCredentials({ [ENV_API_KEY]: KEY })).toBe(false);
  });

  it.each([
    [{ [ENV_API_SECRET]: SECRET }, 'BINANCE_API_KEY'],
    [{ [ENV_API_KEY]: KEY }, 'BINANCE_API_SECRET'],
    [{ [ENV_API_KEY]: KEY, [ENV_API_SECRET]: '   ' }, 'BINANCE_API_SECRET'],
    [{}, 'BINANCE_API_KEY'],
  ])('a missing variable is AUTH_MISSING naming it (%#)', (env, name) => {
    const e = thrown(() => readCredentials(env, 'hmac'));
    expect(e.code).toBe('AUTH_MISSING');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(name);
    expect(e.details.variable).toBe(name);
    const text = JSON.stringify({ m: e.message, d: e.details });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
  });

  it('names both variables when both are missing or empty', () => {
    const e = thrown(() => readCredentials({ [ENV_API_KEY]: '', [ENV_API_SECRET]: undefined }, 'hmac'));
    expect(e.code).toBe('AUTH_MISSING');
    expect(e.message).toBe('BINANCE_API_KEY and BINANCE_API_SECRET are not set: export them to trade on Binance (market data needs no key)');
    expect(e.details.variables).toEqual(['BINANCE_API_KEY', 'BINANCE_API_SECRET']);
  });

  it('an Ed25519 key type with a non-key secret is AUTH_FAILED without the secret in message or details', () => {
    const e = thrown(() => readCredentials({ [ENV_API_KEY]: KEY, [ENV_API_SECRET]: SECRET }, 'ed25519'));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toContain('BINANCE_API_SECRET');
    const text = JSON.stringify({ m: e.message, d: e.details, s: e.stack });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY);
  });

  it('loads an Ed25519 PEM secret', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const c = readCredentials({ [ENV_API_KEY]: KEY, [ENV_API_SECRET]: pem }, 'ed25519');
    expect(c.signer.keyType).toBe('ed25519');
    expect(Buffer.from(c.signer.sign('x'), 'base64')).toHaveLength(64);
  });
});
