import type { BinanceConfig } from './config';

/** The three endpoints a Binance environment has. */
export interface BinanceUrls {
  /** REST base: scheme and host; request paths start with `/api/v3`. */
  readonly restUrl: string;
  /** The WebSocket API (orders, user data subscription). */
  readonly wsApiUrl: string;
  /** Market streams, combined-stream endpoint (`{"stream","data"}` frames). */
  readonly streamUrl: string;
}

/** Binance's environments (VENUES.md §1.1: BDOCS general-info for prod, testnet and demo mode). */
export type BinanceEnvironment = 'mainnet' | 'testnet' | 'demo';

/**
 * Published base URLs. The testnet and demo REST URLs are documented with an `/api` suffix; here the
 * suffix is part of every request path (`/api/v3/...`), so the bases stop at the host.
 */
export const BINANCE_URLS: Readonly<Record<BinanceEnvironment, BinanceUrls>> = {
  mainnet: {
    restUrl: 'https://api.binance.com',
    wsApiUrl: 'wss://ws-api.binance.com:443/ws-api/v3',
    streamUrl: 'wss://stream.binance.com:9443/stream',
  },
  testnet: {
    restUrl: 'https://testnet.binance.vision',
    wsApiUrl: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
    streamUrl: 'wss://stream.testnet.binance.vision/stream',
  },
  demo: {
    restUrl: 'https://demo-api.binance.com',
    wsApiUrl: 'wss://demo-ws-api.binance.com/ws-api/v3',
    streamUrl: 'wss://demo-stream.binance.com/stream',
  },
};

/** Which environment a configuration selects: testnet unless `mainnet` (or `demo`) says otherwise. */
export function environmentOf(config: Pick<BinanceConfig, 'mainnet' | 'demo'>): BinanceEnvironment {
  if (config.mainnet) return 'mainnet';
  return config.demo ? 'demo' : 'testnet';
}

/** A stream URL given without a path gets the combined-stream path, which our frame router expects. */
function withStreamPath(url: string): string {
  const u = new URL(url);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/stream';
  return u.toString();
}

/** A REST base loses any trailing slash so that `base + '/api/v3/...'` is well formed. */
const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** The URLs to use: the environment's, with any per-URL override from the config taking precedence. */
export function resolveUrls(config: Pick<BinanceConfig, 'mainnet' | 'demo' | 'restUrl' | 'wsApiUrl' | 'streamUrl'>): BinanceUrls {
  const env = BINANCE_URLS[environmentOf(config)];
  return {
    restUrl: withoutTrailingSlash(config.restUrl ?? env.restUrl),
    wsApiUrl: config.wsApiUrl ?? env.wsApiUrl,
    streamUrl: withStreamPath(config.streamUrl ?? env.streamUrl),
  };
}
