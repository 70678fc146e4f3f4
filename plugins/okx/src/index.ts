/**
 * @packageDocumentation
 * The OKX v5 venue plugin: spot instruments from `/public/instruments`, market data from the public
 * socket (tickers, trades, books with seqId chaining and checksums) and the business socket (candles),
 * orders over signed REST or the private socket's order operations, native amendment through
 * `amend-order`, and order updates and fills from the private `orders` channel. Demo trading unless the
 * config says `mainnet: true`.
 */
import { definePlugin, redactingLogger, type PluginContext, type VenueConnection, type VenuePlugin, type VenueUsage } from '@autotrader/core';
import { okxConfigSchema, type OkxConfig } from './config';
import { readCredentials, secretValues, type OkxCredentials } from './credentials';
import { OkxDataPort } from './data';
import { OkxExecutionPort } from './execution';
import { OkxHttp } from './http';
import { OkxInstruments } from './instruments';
import { resolveUrls } from './urls';

/** What `create` returns: the three ports and the venue's usage reports. */
export interface OkxConnection extends VenueConnection {
  readonly instruments: OkxInstruments;
  readonly data: OkxDataPort;
  readonly execution: OkxExecutionPort;
  readonly http: OkxHttp;
  onUsage(listener: (usage: VenueUsage) => void): () => void;
  close(): Promise<void>;
}

/** Builds the ports for one configuration. Exported for tests and embedding without the kernel. */
export function createOkx(config: OkxConfig, ctx: PluginContext): OkxConnection {
  const urls = resolveUrls(config);
  // Mask the key, secret and passphrase in every line this plugin logs, before anything can print them.
  const logger = redactingLogger(ctx.logger, secretValues(ctx.env)).child('okx');
  let credentials: OkxCredentials | undefined;
  const getCredentials = (): OkxCredentials => (credentials ??= readCredentials(ctx.env));
  const http = new OkxHttp({ baseUrl: urls.restUrl, demo: urls.demo, timeoutMs: config.timeouts.requestMs, now: () => ctx.clock.now(), logger, credentials: getCredentials, dispatcher: ctx.dispatcher });
  // Instruments and market data are public: no key is needed for them.
  const instruments = new OkxInstruments(http, logger);
  const data = new OkxDataPort({ wsPublicUrl: urls.wsPublicUrl, wsBusinessUrl: urls.wsBusinessUrl, bus: ctx.bus, clock: ctx.clock, logger: logger.child('data'), config, http });
  const execution = new OkxExecutionPort({ wsPrivateUrl: urls.wsPrivateUrl, http, instruments, bus: ctx.bus, clock: ctx.clock, logger: logger.child('execution'), config, credentials: getCredentials });
  logger.info('OKX plugin created', { environment: urls.demo ? 'demo' : 'live', restUrl: urls.restUrl, orderTransport: config.orderTransport });
  return {
    instruments,
    data,
    execution,
    http,
    onUsage: (listener) => http.onUsage(listener),
    close: async () => {
      await Promise.all([data.disconnect(), execution.disconnect()]);
      await http.close();
    },
  };
}

/**
 * The OKX v5 plugin. Limits (OKX docs, per endpoint, counted by user id and instrument): place, cancel
 * and amend 60 requests per 2 s each; the engine enforces the tightest shared window. 429/50011 answers
 * pause every request for their wait.
 */
export const okxPlugin: VenuePlugin<typeof okxConfigSchema> = definePlugin({
  name: 'okx',
  apiVersion: 1,
  capabilities: {
    assetClasses: ['spot'],
    orderTypes: ['market', 'limit'],
    timeInForce: ['GTC', 'IOC', 'FOK'],
    // amend-order changes a resting limit order in place (canModify says which); the engine cancels and replaces the rest.
    nativeModify: true,
    data: ['bar', 'trade', 'quote', 'book'],
    execution: true,
  },
  rateLimits: [
    // Place, cancel and amend: 60 per 2 s each (per instrument); one shared window of 60 keeps every one of them under its own.
    { name: 'ORDER_OPS', limit: 60, intervalMs: 2000, scope: 'orders' },
    // Reads: order details, pending orders and fills are 60 per 2 s; balances 10 per 2 s (weighted below).
    { name: 'REQUESTS', limit: 60, intervalMs: 2000, scope: 'requests' },
  ],
  // The account balance is limited to 10 per 2 s: 6 of the 60 read units each.
  requestWeights: { balances: 6, positions: 6 },
  configSchema: okxConfigSchema,
  create: (config, ctx) => createOkx(config, ctx),
});

export default okxPlugin;

export { okxConfigSchema, parseOkxConfig, type OkxConfig, type OkxConfigInput } from './config';
export { ENV_API_KEY, ENV_API_SECRET, ENV_API_PASSPHRASE, readCredentials, hasCredentials, type OkxCredentials } from './credentials';
export { OKX_URLS, SIMULATED_TRADING_HEADER, resolveUrls, type OkxUrls } from './urls';
export * from './auth';
export * from './books-checksum';
export { OkxHttp, mapOkxFailure, answerError, DEFAULT_RETRY_AFTER_MS, MAX_SKEW_MS } from './http';
export { OkxInstruments, checkOrder, parseInstruments, INSTRUMENT_MAPPERS, type OkxInstrumentRules, type InstType } from './instruments';
export { OkxDataPort, channelOf, barOfRow, CANDLES_PER_REQUEST } from './data';
export { OkxExecutionPort, ORDER_OP_CHANNEL } from './execution';
/** The diagnostics channel every venue socket announces its frames on (the venue kit's; `pnpm bench` reads it). */
export { FRAME_CHANNEL } from '@autotrader/venue-kit';
export * from './mapping';
export { CANDLE_BARS, okxHeartbeat, OKX_PING_MS } from './ws';
