/**
 * @packageDocumentation
 * The Coinbase Advanced Trade venue plugin: products from `/products`, market data from the public
 * WebSocket (ticker, market_trades, level2, 5-minute candles, with heartbeats), orders over JWT-signed
 * REST, and order updates from the `user` channel with fills from `/orders/historical/fills`. Coinbase
 * has no test venue: orders on the exchange need `mainnet: true`; `pnpm paper --venue coinbase` runs on
 * live data with simulated execution.
 */
import { definePlugin, redactingLogger, type PluginContext, type VenueConnection, type VenuePlugin, type VenueUsage } from '@autotrader/core';
import { coinbaseConfigSchema, type CoinbaseConfig } from './config';
import { hasCredentials, readCredentials, secretValues, type CoinbaseCredentials } from './credentials';
import { CoinbaseDataPort } from './data';
import { CoinbaseExecutionPort } from './execution';
import { CoinbaseHttp } from './http';
import { CoinbaseInstruments } from './instruments';
import { resolveUrls } from './urls';

/** What `create` returns: the three ports and the venue's usage reports. */
export interface CoinbaseConnection extends VenueConnection {
  readonly instruments: CoinbaseInstruments;
  readonly data: CoinbaseDataPort;
  readonly execution: CoinbaseExecutionPort;
  onUsage(listener: (usage: VenueUsage) => void): () => void;
  close(): Promise<void>;
}

/** Builds the ports for one configuration. Exported for tests and embedding without the kernel. */
export function createCoinbase(config: CoinbaseConfig, ctx: PluginContext): CoinbaseConnection {
  const urls = resolveUrls(config);
  // Mask the key name and the private key in every line this plugin logs, before anything can print them.
  const logger = redactingLogger(ctx.logger, secretValues(ctx.env)).child('coinbase');
  let credentials: CoinbaseCredentials | undefined;
  const getCredentials = (): CoinbaseCredentials => (credentials ??= readCredentials(ctx.env));
  const http = new CoinbaseHttp({ baseUrl: urls.restUrl, timeoutMs: config.timeouts.requestMs, now: () => ctx.clock.now(), logger, credentials: getCredentials, dispatcher: ctx.dispatcher });
  // Market data and products need no key: without one, the public product list is used.
  const instruments = new CoinbaseInstruments(http, logger, hasCredentials(ctx.env));
  // The REST client gives the data port its history (public candles, no key).
  const data = new CoinbaseDataPort({ wsUrl: urls.wsUrl, bus: ctx.bus, clock: ctx.clock, logger: logger.child('data'), config, http });
  const execution = new CoinbaseExecutionPort({
    wsUserUrl: urls.wsUserUrl,
    http,
    instruments,
    bus: ctx.bus,
    clock: ctx.clock,
    logger: logger.child('execution'),
    config,
    credentials: getCredentials,
  });
  logger.info('Coinbase plugin created', { environment: config.environment, mainnet: config.mainnet, restUrl: urls.restUrl });
  return {
    instruments,
    data,
    execution,
    onUsage: (listener) => http.onUsage(listener),
    close: async () => {
      await Promise.all([data.disconnect(), execution.disconnect()]);
      await http.close();
    },
  };
}

/**
 * The Coinbase Advanced Trade plugin. Limits: private REST 30 requests per second per user (the engine
 * enforces it on every execution call); the public 10 per second per IP covers only the product list here
 * (VENUES.md §2.6, secondary sources: the official page was not retrievable).
 */
export const coinbasePlugin: VenuePlugin<typeof coinbaseConfigSchema> = definePlugin({
  name: 'coinbase',
  apiVersion: 1,
  capabilities: {
    assetClasses: ['spot'],
    orderTypes: ['market', 'limit', 'stop_limit'],
    timeInForce: ['GTC', 'GTD', 'IOC', 'FOK'],
    // Native through /orders/edit for limit GTC orders, the only ones Coinbase edits; the execution port's
    // canModify refuses the rest, which the engine cancels and replaces.
    nativeModify: true,
    data: ['bar', 'trade', 'quote', 'book'],
    execution: true,
  },
  rateLimits: [{ name: 'PRIVATE_REST', limit: 30, intervalMs: 1000, scope: 'requests' }],
  configSchema: coinbaseConfigSchema,
  create: (config, ctx) => createCoinbase(config, ctx),
});

export default coinbasePlugin;

/** Coinbase's public REST limit (per IP), for callers that page public endpoints (historical candles). */
export const PUBLIC_RATE_LIMIT = { name: 'PUBLIC_REST', limit: 10, intervalMs: 1000, scope: 'requests' } as const;

export { coinbaseConfigSchema, parseCoinbaseConfig, type CoinbaseConfig, type CoinbaseConfigInput } from './config';
export { ENV_API_KEY, ENV_API_SECRET, readCredentials, type CoinbaseCredentials } from './credentials';
export { API_PREFIX, COINBASE_URLS, resolveUrls, checkExecutionAllowed, type CoinbaseUrls } from './urls';
export * from './auth';
export { CoinbaseHttp, mapCoinbaseFailure, rateLimitWaitMs, usageOf } from './http';
export { CoinbaseInstruments, checkOrder, parseProducts, type ProductRules } from './instruments';
export { CoinbaseDataPort, channelOf } from './data';
export { CoinbaseExecutionPort } from './execution';
export * from './mapping';
export { subscribeFrame, CANDLE_INTERVAL } from './ws';
