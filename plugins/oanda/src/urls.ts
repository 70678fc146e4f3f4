import type { OandaConfig } from './config';

/** The endpoints of one OANDA environment. */
export interface OandaUrls {
  /** REST base: scheme and host; request paths start with `/v3`. */
  readonly restUrl: string;
  /** Streaming base: the pricing and transaction streams. */
  readonly streamUrl: string;
  /** The practice (fxTrade Practice) environment. */
  readonly practice: boolean;
}

/** Published hosts (developer.oanda.com/rest-live-v20/development-guide; VENUES.md §4.1). */
export const OANDA_URLS = {
  practice: { restUrl: 'https://api-fxpractice.oanda.com', streamUrl: 'https://stream-fxpractice.oanda.com' },
  live: { restUrl: 'https://api-fxtrade.oanda.com', streamUrl: 'https://stream-fxtrade.oanda.com' },
} as const;

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** The URLs to use: the environment's (practice unless `mainnet`), each override from the config taking precedence. */
export function resolveUrls(config: Pick<OandaConfig, 'mainnet' | 'restUrl' | 'streamUrl'>): OandaUrls {
  const env = config.mainnet ? OANDA_URLS.live : OANDA_URLS.practice;
  return {
    restUrl: withoutTrailingSlash(config.restUrl ?? env.restUrl),
    streamUrl: withoutTrailingSlash(config.streamUrl ?? env.streamUrl),
    practice: !config.mainnet,
  };
}
