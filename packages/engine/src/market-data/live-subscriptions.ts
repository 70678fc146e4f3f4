import {
  isAutotraderError,
  type DataPort,
  type Logger,
  type MarketDataKind,
  type StrategyDefinition,
  type VenueCapabilities,
} from '@autotrader/core';
import { BarBuilder, type BarSource } from '../bars/bar-builder';
import { buildableInterval, parseBarInterval, type BarInterval } from '../bars/interval';
import type { Kernel } from '../kernel';
import { checkDeclaredData, describeRoutes, marketDataNeeds, UnservedNeeds, type BarSettings, type MarketDataNeed, type MarketDataRoute } from './routes';
import { strategyMarketData, type MarketDataUse } from './usage';

/** What {@link startLiveMarketData} needs. */
export interface LiveMarketDataOptions {
  readonly data: DataPort;
  readonly venueName: string;
  readonly capabilities: VenueCapabilities;
  readonly instrumentIds: readonly string[];
  readonly strategies: readonly StrategyDefinition[];
  /** Kinds to subscribe for every instrument on top of what the strategies read. */
  readonly extraKinds?: readonly MarketDataKind[];
  /** Bar settings; the interval defaults to `1m`. */
  readonly bars?: BarSettings;
  readonly logger: Logger;
}

/** The subscriptions a session made and what they deliver. */
export interface LiveMarketData {
  readonly routes: readonly MarketDataRoute[];
  /** One line per instrument, for the start-up log. */
  readonly description: string;
  /** Stops the bar builders and the routing of late subscriptions. */
  stop(): void;
}

/**
 * Creates the session's strategies, then subscribes at the venue to what they asked for while they
 * were created (checked against their `requires.data`), so the same strategy gets the same data as in
 * a backtest without declaring anything:
 *
 * - bars: the venue's own bars at the interval when it streams them (it refuses an interval it lacks
 *   with a coded CONFIG_INVALID or CAPABILITY_MISSING, as Binance does for `2s`); otherwise the
 *   engine's bar builder makes them from the venue's trades, or else its quotes, as in a backtest;
 * - trades, quotes, books: the venue's streams.
 *
 * An instrument nobody reads still gets its trades, so the portfolio, the risk checks and the simulated
 * venue of a paper session see prices. A kind the venue cannot give is CAPABILITY_MISSING. A strategy
 * that asks for more later is subscribed then (a failure is logged and published as an `error` event).
 */
export async function startLiveMarketData(kernel: Kernel, o: LiveMarketDataOptions): Promise<LiveMarketData> {
  const interval = parseBarInterval(o.bars?.interval ?? '1m');
  const usage = strategyMarketData(kernel);
  // Live, a strategy that throws on a built bar is isolated like one that throws on a bus event.
  usage.builtBars.setErrorPolicy('isolate');
  usage.builtBars.on('error', (e) => kernel.bus.publish('error', e), { owner: 'engine:bars' });

  kernel.startStrategies();
  checkDeclaredData(o.strategies, usage.uses);
  const router = new LiveRouter(kernel, o, interval);
  await o.data.connect();
  const needs = marketDataNeeds(usage.uses, o.strategies, o.instrumentIds, o.extraKinds);
  for (const id of o.instrumentIds) {
    if (!needs.some((n) => n.instrumentId === id) && o.capabilities.data.includes('trade')) needs.push({ instrumentId: id, kind: 'trade', named: [], anyOf: [] });
  }
  await router.routeAll(needs);

  usage.onUse((use: MarketDataUse) => {
    void (async () => {
      checkDeclaredData(o.strategies.filter((s) => s.name === use.strategy), [use]);
      await router.routeAll(marketDataNeeds([use], [], o.instrumentIds));
    })().catch((error: unknown) => {
      const message = `subscribing to what strategy '${use.strategy}' asked for failed: ${error instanceof Error ? error.message : String(error)}`;
      o.logger.error(message);
      kernel.bus.publish('error', { source: 'engine:market-data', code: isAutotraderError(error) ? error.code : 'INTERNAL', message, tsEvent: kernel.clock.now(), error });
    });
  });
  return {
    routes: router.routes,
    description: describeRoutes(router.routes, o.venueName).join('; '),
    stop: () => {
      usage.onUse(undefined);
      router.stop();
    },
  };
}

/** Subscribes each need once, building bars where the venue has none at the interval. */
class LiveRouter {
  readonly routes: MarketDataRoute[] = [];
  private readonly routed = new Set<string>();
  private readonly subscribed = new Set<string>();
  private readonly builders: BarBuilder[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly o: LiveMarketDataOptions,
    private readonly interval: BarInterval,
  ) {}

  async routeAll(needs: readonly MarketDataNeed[]): Promise<void> {
    const unserved = new UnservedNeeds();
    for (const need of needs) {
      const why = await this.route(need);
      if (why === undefined) unserved.markServed(need.kind);
      else unserved.add(need, why);
    }
    unserved.throwIfAny();
  }

  stop(): void {
    for (const b of this.builders) b.stop();
  }

  private has(kind: MarketDataKind): boolean {
    return this.o.capabilities.data.includes(kind);
  }

  private async subscribe(kind: MarketDataKind, instrumentId: string): Promise<void> {
    const key = `${instrumentId}\u0000${kind}`;
    if (this.subscribed.has(key)) return;
    await this.o.data.subscribe({ kind, instrumentId, interval: kind === 'bar' ? this.interval.text : undefined });
    this.subscribed.add(key);
  }

  /** Routes one need, or says why the venue cannot serve it. */
  private async route(need: MarketDataNeed): Promise<string | undefined> {
    const key = `${need.instrumentId}\u0000${need.kind}`;
    if (this.routed.has(key)) return undefined;
    const { instrumentId, kind } = need;
    if (kind !== 'bar') {
      if (!this.has(kind)) return `${this.o.venueName} does not stream ${kind === 'book' ? 'order books' : `${kind}s`}`;
      await this.subscribe(kind, instrumentId);
      this.routes.push({ instrumentId, kind, from: 'data' });
    } else if (await this.venueBars(instrumentId)) {
      this.routes.push({ instrumentId, kind, from: 'data', interval: this.interval.text });
    } else {
      const source: BarSource | undefined = this.has('trade') ? { kind: 'trade' } : this.has('quote') ? { kind: 'quote', price: this.o.bars?.quotePrice ?? 'mid' } : undefined;
      if (source === undefined) return `${this.o.venueName} streams neither ${this.interval.text} bars nor trades or quotes to build them from`;
      const intervalMs = buildableInterval(this.interval, `${this.o.venueName} has no ${this.interval.text} bars`);
      const builder = new BarBuilder({
        instrumentId,
        intervalMs,
        source,
        bus: this.kernel.bus,
        out: strategyMarketData(this.kernel).builtBars,
        clock: this.kernel.clock,
        closeDelayMs: this.o.bars?.closeDelayMs,
        logger: this.o.logger.child('bars'),
      });
      // Listening before subscribing: the first trade already counts.
      builder.start();
      this.builders.push(builder);
      await this.subscribe(source.kind, instrumentId);
      this.routes.push({ instrumentId, kind, from: source.kind, interval: this.interval.text, quotePrice: source.kind === 'quote' ? source.price : undefined });
    }
    this.routed.add(key);
    return undefined;
  }

  /** Subscribes the venue's own bars at the interval; false when the venue has none or refuses the interval. */
  private async venueBars(instrumentId: string): Promise<boolean> {
    if (!this.has('bar')) return false;
    try {
      await this.subscribe('bar', instrumentId);
      return true;
    } catch (error) {
      if (isAutotraderError(error) && (error.code === 'CONFIG_INVALID' || error.code === 'CAPABILITY_MISSING')) {
        this.o.logger.info(`${this.o.venueName} has no ${this.interval.text} bars of ${instrumentId} (${error.message}); the engine builds them`);
        return false;
      }
      throw error;
    }
  }
}
