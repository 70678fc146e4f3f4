import type { z } from 'zod';
import type { EventBus } from './bus';
import type { Clock } from './clock';
import { AutotraderError } from './errors';
import type { AssetClass } from './instrument';
import type { Logger } from './logger';
import type { MarketDataKind } from './market-data';
import type { OrderType, TimeInForce } from './order';
import type { DataPort, ExecutionPort, InstrumentProvider } from './ports';

/** The plugin API version this kernel speaks. A plugin built for another version is refused at load. */
export const PLUGIN_API_VERSION = 1;

/** What a venue can do. The kernel checks these before the first order. */
export interface VenueCapabilities {
  readonly assetClasses: readonly AssetClass[];
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  /** True when the venue amends orders in place; otherwise the engine cancels and replaces. */
  readonly nativeModify: boolean;
  readonly data: readonly MarketDataKind[];
  readonly execution: boolean;
}

/** A weighted rate limit: at most `limit` units per `intervalMs`. */
export interface RateLimitRule {
  readonly name: string;
  readonly limit: number;
  readonly intervalMs: number;
  /** Which requests count: all requests, or only order placements. */
  readonly scope: 'requests' | 'orders';
}

/** The execution-port calls a rate limit can weigh. */
export type VenueRequest = 'submit' | 'cancel' | 'modify' | 'order' | 'openOrders' | 'positions' | 'balances' | 'fillsSince';

/**
 * An HTTP connection pool shared by the plugins of one process: an undici `Dispatcher` (an `Agent` or a
 * `Pool`). Core does not depend on undici, so only the two methods the owner uses are named here; an
 * undici Dispatcher is one. The venue kit's HTTP client sends through it.
 */
export interface HttpDispatcher {
  dispatch(options: never, handler: never): boolean;
  close(): Promise<void>;
}

/** What a plugin gets from the kernel when it is created. */
export interface PluginContext {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Environment variables; secrets are read from here and nowhere else. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The connection pool to send HTTP requests through. Whoever passes it owns it and closes it after the
   * plugin's `close()`; a plugin given none creates its own and closes that itself.
   */
  readonly dispatcher?: HttpDispatcher;
}

/**
 * Rate-limit usage the venue reports (for example Binance's X-MBX-USED-WEIGHT-1M), keyed by interval
 * (`10s`, `1m`, `1d`): units used against `requests` rules and order counts against `orders` rules.
 */
export interface VenueUsage {
  readonly usedWeight: Readonly<Record<string, number>>;
  readonly orderCount: Readonly<Record<string, number>>;
}

/** What a plugin's `create` returns: the three ports, each optional where the venue lacks it. */
export interface VenueConnection {
  readonly instruments: InstrumentProvider;
  readonly data?: DataPort;
  readonly execution?: ExecutionPort;
  /** Calls `listener` with every usage update the venue reports; returns the unsubscribe function. */
  onUsage?(listener: (usage: VenueUsage) => void): () => void;
  /** Releases sockets and connection pools. */
  close?(): Promise<void>;
}

/** A venue plugin. Make one with {@link definePlugin}. */
export interface VenuePlugin<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly apiVersion: number;
  readonly capabilities: VenueCapabilities;
  readonly rateLimits?: readonly RateLimitRule[];
  /** The weight each execution-port call costs against `requests` rules (default 1). Orders also count 1 against `orders` rules. */
  readonly requestWeights?: Readonly<Partial<Record<VenueRequest, number>>>;
  readonly configSchema: Schema;
  /**
   * Where `pnpm data download` reads past bars when no environment is given: `mainnet` (the default: a
   * testnet's candles are its own thin trades, and public candles need no key) or `default` (the plugin's
   * default environment, for a venue whose test environment serves the market's own prices and whose
   * candles need the key: an OANDA practice token cannot read the live host).
   */
  readonly historyFrom?: 'mainnet' | 'default';
  create(config: z.output<Schema>, ctx: PluginContext): VenueConnection | Promise<VenueConnection>;
}

/** Declares a venue plugin. The identity function, there for type inference and a load-time check. */
export function definePlugin<Schema extends z.ZodType>(plugin: VenuePlugin<Schema>): VenuePlugin<Schema> {
  return plugin;
}

/** Checks that a loaded module is a plugin this kernel can run, or throws `PLUGIN_INVALID`. */
export function assertPlugin(candidate: unknown, source: string): VenuePlugin {
  const p = candidate as Partial<VenuePlugin> | undefined;
  if (!p || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.create !== 'function' || !p.capabilities || !p.configSchema) {
    throw new AutotraderError('PLUGIN_INVALID', `${source} does not export a plugin made with definePlugin(...)`);
  }
  if (p.apiVersion !== PLUGIN_API_VERSION) {
    throw new AutotraderError('PLUGIN_INVALID', `plugin '${p.name}' speaks apiVersion ${String(p.apiVersion)}, this kernel speaks ${PLUGIN_API_VERSION}`);
  }
  return p as VenuePlugin;
}
