/**
 * @packageDocumentation
 * The OANDA v20 venue plugin: FX (and CFD) instruments from `/v3/accounts/{id}/instruments`, prices
 * from the chunked-HTTP pricing stream, orders over REST with our client order id in
 * `clientExtensions.id`, and every report from v20 transactions (the order answer, the transaction
 * stream, `/transactions/sinceid`), booked once by transaction id. A margin account in the account
 * currency: OANDA's P/L and financing are carried into our books. The practice environment unless the
 * config says `mainnet: true`.
 */
import { definePlugin, redactingLogger, type PluginContext, type VenueConnection, type VenuePlugin, type VenueUsage } from '@autotrader/core';
import { resolveAccountId } from './account';
import { oandaConfigSchema, type OandaConfig } from './config';
import { accountIdFromEnv, readToken, secretValues } from './credentials';
import { OandaDataPort } from './data';
import { OandaExecutionPort } from './execution';
import { OandaHttp } from './http';
import { OandaInstruments } from './instruments';
import { ConnectionPacer, pacedAgent } from './pacing';
import { resolveUrls } from './urls';

/** What `create` returns: the three ports. */
export interface OandaConnection extends VenueConnection {
  readonly instruments: OandaInstruments;
  readonly data: OandaDataPort;
  readonly execution: OandaExecutionPort;
  readonly http: OandaHttp;
  /** The account this connection trades (resolved on first use: the option, OANDA_ACCOUNT_ID, or the first listed). */
  accountId(): Promise<string>;
  onUsage(listener: (usage: VenueUsage) => void): () => void;
  close(): Promise<void>;
}

/** New connections allowed per second and host (OANDA development guide, "Connection Limiting"). */
export const NEW_CONNECTIONS_PER_SECOND = 2;

/** One pacer per process: OANDA counts new connections per client, whatever connection of ours opens them. */
const pacer = new ConnectionPacer(NEW_CONNECTIONS_PER_SECOND);

/** Builds the ports for one configuration. Exported for tests and embedding without the kernel. */
export function createOanda(config: OandaConfig, ctx: PluginContext): OandaConnection {
  const urls = resolveUrls(config);
  // Mask the token in every line this plugin logs, before anything can print it.
  const logger = redactingLogger(ctx.logger, secretValues(ctx.env)).child('oanda');
  let token: string | undefined;
  const getToken = (): string => (token ??= readToken(ctx.env));
  // OANDA limits new connections to 2 per second per host and asks for kept-alive ones: the plugin's own
  // pools, paced by one pacer for the whole process (every connection of this process counts against the
  // same limit), rather than the session's shared pool (which could open sockets as fast as it likes).
  const restAgent = pacedAgent(pacer, 4);
  const streamAgent = pacedAgent(pacer, 8);
  const http = new OandaHttp({ baseUrl: urls.restUrl, practice: urls.practice, timeoutMs: config.timeouts.requestMs, now: () => ctx.clock.now(), logger, token: getToken, dispatcher: restAgent });
  let account: Promise<string> | undefined;
  const accountId = (): Promise<string> => {
    account ??= resolveAccountId({ option: config.accountId, env: accountIdFromEnv(ctx.env), http, logger }).then(
      (r) => r.accountId,
      (error: unknown) => {
        account = undefined;
        throw error;
      },
    );
    return account;
  };
  const common = { token: getToken, practice: urls.practice, dispatcher: streamAgent, bus: ctx.bus, clock: ctx.clock, config };
  const instruments = new OandaInstruments(http, accountId, logger);
  const data = new OandaDataPort({ ...common, streamUrl: urls.streamUrl, http, accountId, logger: logger.child('data') });
  const execution = new OandaExecutionPort({ ...common, streamUrl: urls.streamUrl, http, instruments, accountId, logger: logger.child('execution') });
  logger.info('OANDA plugin created', { environment: urls.practice ? 'practice' : 'live', restUrl: urls.restUrl, streamUrl: urls.streamUrl });
  return {
    instruments,
    data,
    execution,
    http,
    accountId,
    onUsage: (listener) => http.onUsage(listener),
    close: async () => {
      await Promise.all([data.disconnect(), execution.disconnect()]);
      await http.close();
      await Promise.all([restAgent.close(), streamAgent.close()]);
    },
  };
}

/**
 * The OANDA v20 plugin. Limits (development guide): 120 REST requests per second, enforced by the
 * engine; at most 20 open streams (this plugin opens two: prices and transactions) and 2 new
 * connections per second per host, which the plugin's connection pools pace themselves.
 */
export const oandaPlugin: VenuePlugin<typeof oandaConfigSchema> = definePlugin({
  name: 'oanda',
  apiVersion: 1,
  capabilities: {
    assetClasses: ['fx'],
    orderTypes: ['market', 'limit', 'stop', 'market_if_touched'],
    // GTC, GTD, GFD (our DAY) for resting orders; FOK and IOC for market and limit orders.
    timeInForce: ['GTC', 'GTD', 'DAY', 'IOC', 'FOK'],
    // PUT /orders/{spec} replaces a pending order (a new order id, our client id kept).
    nativeModify: true,
    // OANDA is a dealer: prices (quotes, depth) only, no trade prints; bars are built from quotes.
    data: ['quote', 'book'],
    execution: true,
  },
  rateLimits: [{ name: 'REQUESTS', limit: 120, intervalMs: 1000, scope: 'requests' }],
  // Practice prices are OANDA's prices, and a practice token cannot read the live host: downloads stay on practice.
  historyFrom: 'default',
  // A query may read the order and its filling or cancelling transaction.
  requestWeights: { order: 3 },
  configSchema: oandaConfigSchema,
  create: (config, ctx) => createOanda(config, ctx),
});

export default oandaPlugin;

export { oandaConfigSchema, parseOandaConfig, type OandaConfig, type OandaConfigInput } from './config';
export { ENV_API_TOKEN, ENV_ACCOUNT_ID, readToken, hasToken } from './credentials';
export { OANDA_URLS, resolveUrls, type OandaUrls } from './urls';
export { OandaHttp, mapOandaFailure, DEFAULT_RETRY_AFTER_MS, DATETIME_HEADER } from './http';
export { OandaInstruments, instrumentOf, checkOrderSize, type OandaInstrumentRules } from './instruments';
export { OandaDataPort, GRANULARITIES, CANDLES_PER_REQUEST, barOfCandle } from './data';
export { OandaExecutionPort } from './execution';
export { resolveAccountId, accountSummaryOf, balanceOf, venuePositionOf, type AccountSource } from './account';
export { ConnectionPacer, pacedAgent } from './pacing';
export { oandaStream } from './streams';
export * from './mapping';
