import { AutotraderError, type StrategyDefinition } from '@autotrader/core';
import { BarBuilder } from '../bars/bar-builder';
import { buildableInterval, formatInterval, parseBarInterval } from '../bars/interval';
import type { MarketFeed } from '../feeds';
import type { Kernel } from '../kernel';
import { checkDeclaredData, marketDataNeeds, UnservedNeeds, type BarSettings, type MarketDataNeed, type MarketDataRoute } from './routes';
import { strategyMarketData, type MarketDataUse } from './usage';

/** What a backtest's data gives the strategies, and the bar builders it runs. */
export interface ReplayMarketData {
  readonly routes: readonly MarketDataRoute[];
  /** Stops the bar builders (after the replay). */
  stop(): void;
}

interface FileData {
  barIntervalMs?: number;
  trade: boolean;
  quote: boolean;
}

/**
 * Routes a backtest's data to what its strategies asked for while they were created: bars from bar
 * files as they are; bars from trade files (else quote files) built by the engine's bar builder at
 * `bars.interval` (default 1m), exactly as a paper or live session builds them; trades and quotes as
 * they are. A kind the data cannot give is CAPABILITY_MISSING naming the strategy and what the data
 * has, never a silent run without signals. Call after the strategies were created, before the replay.
 */
export function routeReplayData(kernel: Kernel, feeds: readonly MarketFeed[], strategies: readonly StrategyDefinition[], bars: BarSettings = {}): ReplayMarketData {
  const usage = strategyMarketData(kernel);
  const asked = bars.interval === undefined ? undefined : parseBarInterval(bars.interval);
  const files = new Map<string, FileData>();
  for (const f of feeds) {
    let d = files.get(f.instrumentId);
    if (d === undefined) files.set(f.instrumentId, (d = { trade: false, quote: false }));
    if (f.kind === 'bar') d.barIntervalMs = f.intervalMs;
    else d[f.kind] = true;
  }
  const instrumentIds = kernel.instruments.list().map((i) => i.id);
  const routes: MarketDataRoute[] = [];
  const routed = new Set<string>();
  const builders: BarBuilder[] = [];

  const has = (id: string): string => {
    const d = files.get(id);
    const kinds = [d?.barIntervalMs !== undefined ? `${formatInterval(d.barIntervalMs)} bars` : '', d?.trade ? 'trades' : '', d?.quote ? 'quotes' : ''].filter((k) => k !== '');
    return kinds.length > 0 ? `the data has only ${kinds.join(' and ')} of it` : 'the data has nothing of it';
  };

  /** Routes one need, or says why the data cannot serve it. */
  const route = (need: MarketDataNeed): string | undefined => {
    const key = `${need.instrumentId}\u0000${need.kind}`;
    if (routed.has(key)) return undefined;
    const d = files.get(need.instrumentId);
    if (need.kind === 'trade' || need.kind === 'quote') {
      if (d?.[need.kind] !== true) return has(need.instrumentId);
      routes.push({ instrumentId: need.instrumentId, kind: need.kind, from: 'data' });
    } else if (need.kind === 'book') {
      return `${has(need.instrumentId)} (backtests replay no order books)`;
    } else if (d?.barIntervalMs !== undefined) {
      if (asked !== undefined && asked.ms !== d.barIntervalMs) {
        throw new AutotraderError(
          'CONFIG_INVALID',
          `the data has ${formatInterval(d.barIntervalMs)} bars of ${need.instrumentId} and the interval asked for is ${asked.text}; the engine builds bars from trades or quotes, it does not resample bars: leave the interval out, or give trade or quote data`,
          { details: { instrumentId: need.instrumentId, interval: asked.text, dataIntervalMs: d.barIntervalMs } },
        );
      }
      routes.push({ instrumentId: need.instrumentId, kind: 'bar', from: 'data', interval: formatInterval(d.barIntervalMs) });
    } else if (d?.trade === true || d?.quote === true) {
      const interval = asked ?? parseBarInterval('1m');
      const intervalMs = buildableInterval(interval, `the data has no bars of ${need.instrumentId}`);
      const source = d.trade ? ({ kind: 'trade' } as const) : ({ kind: 'quote', price: bars.quotePrice ?? 'mid' } as const);
      const builder = new BarBuilder({
        instrumentId: need.instrumentId,
        intervalMs,
        source,
        bus: kernel.bus,
        out: usage.builtBars,
        clock: kernel.clock,
        closeDelayMs: bars.closeDelayMs,
        logger: kernel.log.child('bars'),
      });
      builder.start();
      builders.push(builder);
      routes.push({ instrumentId: need.instrumentId, kind: 'bar', from: source.kind, interval: interval.text, quotePrice: source.kind === 'quote' ? source.price : undefined });
    } else {
      return has(need.instrumentId);
    }
    routed.add(key);
    return undefined;
  };

  const routeAll = (uses: readonly MarketDataUse[], strategyList: readonly StrategyDefinition[]): void => {
    const unserved = new UnservedNeeds();
    for (const need of marketDataNeeds(uses, strategyList, instrumentIds)) {
      const why = route(need);
      if (why === undefined) unserved.markServed(need.kind);
      else unserved.add(need, why);
    }
    unserved.throwIfAny();
  };

  checkDeclaredData(strategies, usage.uses);
  routeAll(usage.uses, strategies);
  // A strategy that asks for more during the replay (in a timer, on a fill) gets it the same way; a
  // kind the data lacks throws inside the strategy's own call, so the run stops there with its name.
  usage.onUse((use) => {
    checkDeclaredData(strategies.filter((s) => s.name === use.strategy), [use]);
    routeAll([use], []);
  });
  return {
    routes,
    stop: () => {
      usage.onUse(undefined);
      for (const b of builders) b.stop();
    },
  };
}

