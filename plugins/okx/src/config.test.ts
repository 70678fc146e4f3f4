import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { okxConfigSchema } from './config';
import { readCredentials, secretValues } from './credentials';
import { OKX_URLS, resolveUrls } from './urls';

describe('OKX config', () => {
  it('defaults to demo trading on the demo socket hosts', () => {
    const c = okxConfigSchema.parse({});
    expect(c.mainnet).toBe(false);
    const urls = resolveUrls(c);
    expect(urls.demo).toBe(true);
    expect(urls.wsPublicUrl).toBe('wss://wspap.okx.com:8443/ws/v5/public');
    expect(urls.wsPrivateUrl).toBe('wss://wspap.okx.com:8443/ws/v5/private');
    expect(urls.wsBusinessUrl).toBe('wss://wspap.okx.com:8443/ws/v5/business');
    expect(urls.restUrl).toBe('https://www.okx.com');
  });

  it('uses the live hosts only with mainnet', () => {
    const urls = resolveUrls(okxConfigSchema.parse({ mainnet: true }));
    expect(urls).toEqual({ ...OKX_URLS.live, demo: false });
  });

  it('takes each URL override, keeping the environment', () => {
    const urls = resolveUrls(
      okxConfigSchema.parse({ restUrl: 'http://127.0.0.1:1/', wsPublicUrl: 'ws://127.0.0.1:2/p', wsPrivateUrl: 'ws://127.0.0.1:2/q', wsBusinessUrl: 'ws://127.0.0.1:2/b' }),
    );
    expect(urls).toEqual({ restUrl: 'http://127.0.0.1:1', wsPublicUrl: 'ws://127.0.0.1:2/p', wsPrivateUrl: 'ws://127.0.0.1:2/q', wsBusinessUrl: 'ws://127.0.0.1:2/b', demo: true });
  });

  it('is strict at every level: a misspelt option is refused, never defaulted', () => {
    expect(okxConfigSchema.safeParse({ wsPrivateURL: 'ws://127.0.0.1:1' }).success).toBe(false);
    expect(okxConfigSchema.safeParse({ timeouts: { requestMS: 5 } }).success).toBe(false);
    expect(okxConfigSchema.safeParse({ restUrl: 'ftp://x' }).success).toBe(false);
    expect(okxConfigSchema.safeParse({ wsPublicUrl: 'http://127.0.0.1:1' }).success).toBe(false);
    expect(okxConfigSchema.safeParse({ orderTransport: 'fix' }).success).toBe(false);
  });
});

describe('OKX credentials', () => {
  it('names every missing variable, never a value', () => {
    try {
      readCredentials({ OKX_API_KEY: 'k-123' });
      expect.unreachable();
    } catch (error) {
      expect(isAutotraderError(error, 'AUTH_MISSING')).toBe(true);
      const e = error as { message: string; details: Record<string, unknown> };
      expect(e.message).toContain('OKX_API_SECRET and OKX_API_PASSPHRASE are not set');
      expect(e.message).not.toContain('k-123');
      expect(e.details.variables).toEqual(['OKX_API_SECRET', 'OKX_API_PASSPHRASE']);
    }
    expect(() => readCredentials({})).toThrow(/OKX_API_KEY, OKX_API_SECRET and OKX_API_PASSPHRASE are not set/);
    expect(() => readCredentials({ OKX_API_KEY: 'k', OKX_API_SECRET: ' ', OKX_API_PASSPHRASE: 'p' })).toThrow(/OKX_API_SECRET is not set/);
  });

  it('reads all three and lists them for the redacting logger', () => {
    const env = { OKX_API_KEY: ' key ', OKX_API_SECRET: 'secret', OKX_API_PASSPHRASE: 'pass' };
    expect(readCredentials(env)).toEqual({ apiKey: 'key', secret: 'secret', passphrase: 'pass' });
    expect(secretValues(env)).toEqual(['key', 'secret', 'pass']);
  });
});
