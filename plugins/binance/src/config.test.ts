import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { binanceConfigSchema, parseBinanceConfig } from './config';
import { BINANCE_URLS, resolveUrls } from './urls';

describe('config', () => {
  it('defaults to the testnet with documented defaults', () => {
    const c = parseBinanceConfig({});
    expect(c.mainnet).toBe(false);
    expect(c.recvWindow).toBe(5000);
    expect(c.keyType).toBe('hmac');
    expect(c.timeouts.requestMs).toBe(10_000);
    expect(c.reconnect).toEqual({ initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 });
    expect(resolveUrls(c)).toEqual({
      restUrl: 'https://testnet.binance.vision',
      wsApiUrl: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
      streamUrl: 'wss://stream.testnet.binance.vision/stream',
    });
  });

  it('reaches mainnet only with mainnet: true', () => {
    expect(resolveUrls(parseBinanceConfig({ mainnet: false })).restUrl).not.toContain('api.binance.com');
    expect(resolveUrls(parseBinanceConfig({ mainnet: true }))).toEqual(BINANCE_URLS.mainnet);
    expect(resolveUrls(parseBinanceConfig({ demo: true })).restUrl).toBe('https://demo-api.binance.com');
  });

  it('lets each URL be overridden (how tests reach the fake venue)', () => {
    const urls = resolveUrls(parseBinanceConfig({ restUrl: 'http://127.0.0.1:4000/', wsApiUrl: 'ws://127.0.0.1:4001/ws-api/v3', streamUrl: 'ws://127.0.0.1:4002' }));
    expect(urls).toEqual({ restUrl: 'http://127.0.0.1:4000', wsApiUrl: 'ws://127.0.0.1:4001/ws-api/v3', streamUrl: 'ws://127.0.0.1:4002/stream' });
    // A stream URL with a path is used as given.
    expect(resolveUrls(parseBinanceConfig({ streamUrl: 'ws://127.0.0.1:4002/custom' })).streamUrl).toBe('ws://127.0.0.1:4002/custom');
  });

  it.each([
    [{ recvWindow: 70_000 }, 'recvWindow'],
    [{ restUrl: 'ftp://example' }, 'restUrl'],
    [{ wsApiUrl: 'http://127.0.0.1:1' }, 'wsApiUrl'],
    [{ keyType: 'rsa' }, 'keyType'],
    [{ mainnet: 'yes' }, 'mainnet'],
    [{ timeouts: { requestMs: -1 } }, 'timeouts.requestMs'],
    [{ reconnect: { jitter: 2 } }, 'reconnect.jitter'],
    [{ mainnet: true, demo: true }, 'demo'],
  ])('a bad field is a zod error naming it: %j', (input, path) => {
    const r = binanceConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error).toBeInstanceOf(ZodError);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
    expect(() => parseBinanceConfig(input)).toThrow(path.split('.').pop()!);
  });

  it.each([
    [{ restUrll: 'http://127.0.0.1:4000' }, '', 'restUrll'],
    [{ mainnet: true, apiKey: 'x' }, '', 'apiKey'],
    [{ timeouts: { requestMs: 100, requestMS: 200 } }, 'timeouts', 'requestMS'],
    [{ reconnect: { initialDelayMs: 10, maxDelay: 100 } }, 'reconnect', 'maxDelay'],
  ])('an unknown key is an unrecognized_keys error, never ignored: %j', (input, path, key) => {
    const r = binanceConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.code === 'unrecognized_keys');
    expect(issue).toBeDefined();
    expect(issue!.path.join('.')).toBe(path);
    expect(issue!.code === 'unrecognized_keys' && issue!.keys).toEqual([key]);
    expect(() => parseBinanceConfig(input)).toThrow(key);
  });

  it('every documented key is accepted', () => {
    const full = {
      mainnet: false,
      demo: true,
      restUrl: 'http://127.0.0.1:1',
      wsApiUrl: 'ws://127.0.0.1:1/ws-api/v3',
      streamUrl: 'ws://127.0.0.1:1',
      recvWindow: 6000,
      keyType: 'hmac',
      depthSnapshotLimit: 100,
      timeouts: { requestMs: 1, connectMs: 1, wsRequestMs: 1, pingIntervalMs: 1, deadAfterMs: 1 },
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, multiplier: 1.5, jitter: 0 },
    };
    expect(binanceConfigSchema.safeParse(full).success).toBe(true);
  });
});
