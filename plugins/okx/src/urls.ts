import type { OkxConfig } from './config';

/** The endpoints of one OKX environment. */
export interface OkxUrls {
  /** REST base: scheme and host; request paths start with `/api/v5`. */
  readonly restUrl: string;
  readonly wsPublicUrl: string;
  readonly wsPrivateUrl: string;
  readonly wsBusinessUrl: string;
  /** Demo trading: every REST request carries `x-simulated-trading: 1`. */
  readonly demo: boolean;
}

/**
 * Published endpoints (VENUES.md §3.1): one REST host for both environments (the demo is chosen by the
 * `x-simulated-trading` header), and separate socket hosts (`wspap` for demo trading).
 */
export const OKX_URLS = {
  live: {
    restUrl: 'https://www.okx.com',
    wsPublicUrl: 'wss://ws.okx.com:8443/ws/v5/public',
    wsPrivateUrl: 'wss://ws.okx.com:8443/ws/v5/private',
    wsBusinessUrl: 'wss://ws.okx.com:8443/ws/v5/business',
  },
  demo: {
    restUrl: 'https://www.okx.com',
    wsPublicUrl: 'wss://wspap.okx.com:8443/ws/v5/public',
    wsPrivateUrl: 'wss://wspap.okx.com:8443/ws/v5/private',
    wsBusinessUrl: 'wss://wspap.okx.com:8443/ws/v5/business',
  },
} as const;

/** The header that selects demo trading on REST, and its value for the demo (PYOKX utils.py `get_header`). */
export const SIMULATED_TRADING_HEADER = 'x-simulated-trading';

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** The URLs to use: the environment's (demo unless `mainnet`), with each override from the config taking precedence. */
export function resolveUrls(config: Pick<OkxConfig, 'mainnet' | 'restUrl' | 'wsPublicUrl' | 'wsPrivateUrl' | 'wsBusinessUrl'>): OkxUrls {
  const env = config.mainnet ? OKX_URLS.live : OKX_URLS.demo;
  return {
    restUrl: withoutTrailingSlash(config.restUrl ?? env.restUrl),
    wsPublicUrl: config.wsPublicUrl ?? env.wsPublicUrl,
    wsPrivateUrl: config.wsPrivateUrl ?? env.wsPrivateUrl,
    wsBusinessUrl: config.wsBusinessUrl ?? env.wsBusinessUrl,
    demo: !config.mainnet,
  };
}
