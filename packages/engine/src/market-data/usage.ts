import { Observable } from 'rxjs';
import { EventBus, type Bar, type Clock, type MarketDataKind } from '@autotrader/core';

/** One kind of market data a strategy asked for: of one instrument, or of every instrument (`undefined`). */
export interface MarketDataUse {
  readonly strategy: string;
  readonly kind: MarketDataKind;
  readonly instrumentId: string | undefined;
}

/**
 * What the strategies of one kernel read, recorded as they ask for it (`ctx.bars(id)`, `ctx.trades()`,
 * `ctx.stream('quote')` …), and the bus on which the engine's bar builders publish the bars they build.
 *
 * Creating a strategy only wires up its Observables; no data flows until the session subscribes, so
 * the session creates the strategies first, reads what they asked for here, and subscribes to exactly
 * that. A strategy that asks for more later (in a timer, on a fill) is reported to {@link onUse}.
 */
export class StrategyMarketData {
  /**
   * Bars the engine built from trades or quotes. Strategies' `bars()` listen here as well as on the
   * session bus; an instrument's bars come from one of the two, never both. The simulated venue, the
   * portfolio and the recorder do not listen here: they already saw the trades or quotes the bars
   * were built from, and a recording replays into the same bars.
   */
  readonly builtBars: EventBus;
  private readonly list: MarketDataUse[] = [];
  private readonly seen = new Set<string>();
  private listener: ((use: MarketDataUse) => void) | undefined;

  constructor(clock: Clock) {
    // The session sets the live error policy (`isolate`) when it starts; a backtest stops on a throw.
    this.builtBars = new EventBus('throw', () => clock.now());
  }

  /** Every use recorded so far, in the order first asked. */
  get uses(): readonly MarketDataUse[] {
    return this.list;
  }

  /** Records a use (once per strategy, kind and instrument) and tells the listener about a new one. */
  record(strategy: string, kind: MarketDataKind, instrumentId: string | undefined): void {
    const key = `${strategy}\u0000${kind}\u0000${instrumentId ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const use: MarketDataUse = { strategy, kind, instrumentId };
    this.list.push(use);
    this.listener?.(use);
  }

  /** Calls `listener` with every use recorded from now on (the session routes late subscriptions). */
  onUse(listener: ((use: MarketDataUse) => void) | undefined): void {
    this.listener = listener;
  }

  /**
   * One bar stream out of the session bus's bars and the built bars, without an operator in between:
   * both deliver straight to the subscriber, so bars from a data file cost no more than before.
   */
  static bars(direct: Observable<Bar>, built: Observable<Bar>): Observable<Bar> {
    return new Observable<Bar>((subscriber) => {
      // Subscribing with the subscriber itself adds each teardown to it: unsubscribing removes both.
      direct.subscribe(subscriber);
      built.subscribe(subscriber);
    });
  }
}

const registries = new WeakMap<object, StrategyMarketData>();

/** The market-data record of one kernel (made on first use). `owner` is the kernel. */
export function strategyMarketData(owner: { readonly clock: Clock }): StrategyMarketData {
  let r = registries.get(owner);
  if (r === undefined) registries.set(owner, (r = new StrategyMarketData(owner.clock)));
  return r;
}

/** True for the topics that carry market data. */
export function isMarketDataKind(topic: string): topic is MarketDataKind {
  return topic === 'bar' || topic === 'trade' || topic === 'quote' || topic === 'book';
}
