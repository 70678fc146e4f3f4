import { AutotraderError } from '@autotrader/core';
import type { CoinbaseConfig } from './config';

/** The endpoints of a Coinbase environment. */
export interface CoinbaseUrls {
  /** REST base: scheme and host; request paths start with {@link API_PREFIX}. */
  readonly restUrl: string;
  /** Market-data WebSocket. */
  readonly wsUrl: string;
  /** User-channel WebSocket; undefined where the environment has none (the sandbox). */
  readonly wsUserUrl: string | undefined;
}

/** Every REST path starts with this (VENUES.md §2.1, CBPY constants.py `API_PREFIX`). */
export const API_PREFIX = '/api/v3/brokerage';

/**
 * Published endpoints (VENUES.md §2.1). The sandbox answers REST only, with static responses, and has no
 * WebSocket: its market data comes from the public production socket (no key needed), and it has no
 * user channel.
 */
export const COINBASE_URLS: Readonly<Record<CoinbaseConfig['environment'], CoinbaseUrls>> = {
  production: {
    restUrl: 'https://api.coinbase.com',
    wsUrl: 'wss://advanced-trade-ws.coinbase.com',
    wsUserUrl: 'wss://advanced-trade-ws-user.coinbase.com',
  },
  sandbox: {
    restUrl: 'https://api-sandbox.coinbase.com',
    wsUrl: 'wss://advanced-trade-ws.coinbase.com',
    wsUserUrl: undefined,
  },
};

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** The URLs to use: the environment's, with each override from the config taking precedence. */
export function resolveUrls(config: Pick<CoinbaseConfig, 'environment' | 'restUrl' | 'wsUrl' | 'wsUserUrl'>): CoinbaseUrls {
  const env = COINBASE_URLS[config.environment];
  return {
    restUrl: withoutTrailingSlash(config.restUrl ?? env.restUrl),
    wsUrl: config.wsUrl ?? env.wsUrl,
    wsUserUrl: config.wsUserUrl ?? env.wsUserUrl,
  };
}

/**
 * Whether orders may be sent with this configuration. Coinbase has no test venue, so production orders
 * are real money and need `mainnet: true` (`--mainnet`). The sandbox is allowed (canned answers), and so
 * is a configuration that overrides both order endpoints (`restUrl` and `wsUserUrl`: a test venue on
 * loopback). Anything else is CONFIG_INVALID pointing to paper trading, before any request is sent.
 */
export function checkExecutionAllowed(config: Pick<CoinbaseConfig, 'mainnet' | 'environment' | 'restUrl' | 'wsUserUrl'>): void {
  if (config.mainnet || config.environment === 'sandbox') return;
  if (config.restUrl !== undefined && config.wsUserUrl !== undefined) return;
  throw new AutotraderError(
    'CONFIG_INVALID',
    'Coinbase has no test venue: live orders there are real money and need --mainnet. To run a strategy on live Coinbase data with simulated execution, use `pnpm paper --venue coinbase`; for a smoke test of auth and order shapes against the static sandbox, add `--venue-opt environment=sandbox`',
    { details: { venue: 'coinbase', mainnet: false, hint: 'pnpm paper --venue coinbase' } },
  );
}
