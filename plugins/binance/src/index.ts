/**
 * @packageDocumentation
 * The Binance Spot venue plugin: instruments from exchangeInfo, market data from the combined
 * streams, orders over signed REST, and order updates from the WebSocket API user data stream.
 * Testnet unless the config says `mainnet: true`.
 */
import { definePlugin, redactingLogger, type PluginContext, type VenueConnection, type VenuePlugin } from '@autotrader/core';
import { binanceConfigSchema, type BinanceConfig } from './config';
import { ENV_API_KEY, ENV_API_SECRET, hasCredentials, readCredentials, type BinanceCredentials } from './credentials';
import { BinanceDataPort } from './data';
import { BinanceExecutionPort } from './execution';
import { BinanceHttp, type BinanceUsage } from './http';
import { BinanceInstruments } from './instruments';
import { resolveUrls } from './urls';

/** What `create` returns: the three ports, plus the venue's usage counters. */
export interface BinanceConnection extends VenueConnection {
  readonly instruments: BinanceInstruments;
  readonly data: BinanceDataPort;
  readonly execution: BinanceExecutionPort;
  /** The latest `X-MBX-USED-WEIGHT-*` and `X-MBX-ORDER-COUNT-*` values. */
  usage(): BinanceUsage;
  /** Calls `listener` with every usage update; returns the unsubscribe function. */
  onUsage(listener: (usage: BinanceUsage) => void): () => void;
  /** Closes both sockets and the HTTP connection pool. */
  close(): Promise<void>;
}

/** Builds the ports for one configuration. Exported for tests and for embedding without the kernel. */
export function createBinance(config: BinanceConfig, ctx: PluginContext): BinanceConnection {
  const urls = resolveUrls(config);
  // Mask the key and secret in every line this plugin logs, before anything can print them.
  const secrets = hasCredentials(ctx.env) ? [ctx.env[ENV_API_KEY]!.trim(), ctx.env[ENV_API_SECRET]!.trim()] : [];
  const logger = redactingLogger(ctx.logger, secrets).child('binance');
  let credentials: BinanceCredentials | undefined;
  const getCredentials = (): BinanceCredentials => (credentials ??= readCredentials(ctx.env, config.keyType));
  const http = new BinanceHttp({
    baseUrl: urls.restUrl,
    recvWindow: config.recvWindow,
    timeoutMs: config.timeouts.requestMs,
    now: () => ctx.clock.now(),
    logger,
    credentials: getCredentials,
    // The session's shared connection pool when it gives one; otherwise the client makes (and closes) its own.
    dispatcher: ctx.dispatcher,
  });
  const instruments = new BinanceInstruments(http, logger);
  const data = new BinanceDataPort({ streamUrl: urls.streamUrl, http, bus: ctx.bus, clock: ctx.clock, logger: logger.child('data'), config });
  const execution = new BinanceExecutionPort({
    wsApiUrl: urls.wsApiUrl,
    http,
    instruments,
    bus: ctx.bus,
    clock: ctx.clock,
    logger: logger.child('execution'),
    config,
    credentials: getCredentials,
  });
  logger.info('Binance plugin created', { environment: config.mainnet ? 'mainnet' : config.demo ? 'demo' : 'testnet', restUrl: urls.restUrl });
  return {
    instruments,
    data,
    execution,
    usage: () => http.usage(),
    onUsage: (listener) => http.onUsage(listener),
    close: async () => {
      await Promise.all([data.disconnect(), execution.disconnect()]);
      await http.close();
    },
  };
}

/** The Binance Spot plugin. Rate limits are Binance's published defaults (exchangeInfo `rateLimits`). */
export const binancePlugin: VenuePlugin<typeof binanceConfigSchema> = definePlugin({
  name: 'binance',
  apiVersion: 1,
  capabilities: {
    assetClasses: ['spot'],
    orderTypes: ['market', 'limit', 'stop', 'stop_limit'],
    timeInForce: ['GTC', 'IOC', 'FOK'],
    // cancelReplace swaps the order in one request, keeping our client order id (see execution.ts).
    nativeModify: true,
    data: ['bar', 'trade', 'quote', 'book'],
    execution: true,
  },
  // Binance's request weights (rest-api.md); openOrders without a symbol costs 80.
  requestWeights: { submit: 1, cancel: 1, modify: 1, order: 4, openOrders: 80, balances: 20, positions: 20, fillsSince: 20 },
  rateLimits: [
    { name: 'REQUEST_WEIGHT', limit: 6000, intervalMs: 60_000, scope: 'requests' },
    { name: 'ORDERS_10S', limit: 50, intervalMs: 10_000, scope: 'orders' },
    { name: 'ORDERS_1D', limit: 160_000, intervalMs: 86_400_000, scope: 'orders' },
  ],
  configSchema: binanceConfigSchema,
  create: (config, ctx) => createBinance(config, ctx),
});

export default binancePlugin;

export { binanceConfigSchema, parseBinanceConfig, type BinanceConfig, type BinanceConfigInput } from './config';
export { ENV_API_KEY, ENV_API_SECRET, readCredentials, type BinanceCredentials } from './credentials';
export { BINANCE_URLS, resolveUrls, environmentOf, type BinanceUrls, type BinanceEnvironment } from './urls';
export * from './auth';
export { BinanceHttp, failureOf, mapVenueFailure, parseUsageHeaders, type BinanceUsage, type VenueFailure } from './http';
/** The diagnostics channel every venue socket announces its frames on (the venue kit's; `pnpm bench` reads it). */
export { FRAME_CHANNEL } from '@autotrader/venue-kit';
export { BinanceInstruments, checkOrderAgainstFilters, parseExchangeInfo, type BinanceSymbolRules } from './instruments';
export { BinanceDataPort, LocalOrderBook, streamName, KLINE_INTERVALS } from './data';
export { BinanceExecutionPort } from './execution';
export * from './mapping';
