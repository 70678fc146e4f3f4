import type { Observable } from 'rxjs';
import type {
  Bar,
  BookSnapshot,
  BusEvents,
  Clock,
  EventBus,
  InstrumentCatalog,
  Logger,
  MarketDataKind,
  OrderChanges,
  OrderIntent,
  OrderSnapshot,
  PortfolioView,
  QuoteTick,
  StrategyContext,
  TimerCallback,
  Topic,
  TradeTick,
} from '@autotrader/core';
import { StrategyScope } from './strategy-scope';
import { guarded, type StrategyGuard } from './strategy-guard';
import { SubscriptionLeakWatch } from './strategy-diagnostics';
import { isMarketDataKind, StrategyMarketData, strategyMarketData } from './market-data/usage';

/**
 * What a strategy's context needs from the kernel: the bus, the clock, instruments and the portfolio
 * to read, the order API, and the guard that runs strategy code under the error policy. A narrow view,
 * so this module does not depend on the kernel.
 */
export interface StrategyHost {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentCatalog;
  readonly portfolio: PortfolioView;
  /** Follows promises strategy code returns and counts its orders per event. */
  readonly strategyGuard: StrategyGuard;
  runGuarded(owner: string, what: string, fn: () => unknown): void;
  submit(intent: OrderIntent): OrderSnapshot;
  cancel(clientOrderId: string): void;
  modify(clientOrderId: string, changes: OrderChanges): void;
  cancelAll(instrumentId?: string): void;
  openOrders(instrumentId?: string): OrderSnapshot[];
  order(clientOrderId: string): OrderSnapshot | undefined;
}

/**
 * Builds the context one strategy sees. Its subscriptions are tagged with the strategy's name, so a
 * throw names the strategy; its timers publish `timer` events and route errors like bus handlers do.
 * Its listeners and timers are held in `scope`, so a shutdown can stop the strategy at once.
 */
export function createStrategyContext(kernel: StrategyHost, name: string, log: Logger, scope: StrategyScope = new StrategyScope()): StrategyContext {
  const owner = `strategy:${name}`;
  const bus = kernel.bus;
  // What the strategy reads is recorded, so the session subscribes to exactly that (market-data/usage.ts).
  const usage = strategyMarketData(kernel);
  const guard = kernel.strategyGuard;
  scope.leaks ??= new SubscriptionLeakWatch(name, (message) => log.warn(message));
  // Every stream a strategy gets is guarded: an async handler's rejection is a fault like a throw.
  const market = <T extends MarketDataKind>(topic: T, instrumentId?: string): Observable<BusEvents[T]> => {
    usage.record(name, topic, instrumentId);
    const options = { instrumentId, owner, priority: 0 };
    // Bars come from the data, or from the engine's bar builder where the data has none at the interval.
    if (topic !== 'bar') return guarded(scope.stream(bus, topic, options), guard, owner, `'${topic}' handler`);
    const bars = StrategyMarketData.bars(scope.stream(bus, 'bar', options), scope.stream(usage.builtBars, 'bar', options)) as Observable<BusEvents[T]>;
    return guarded(bars, guard, owner, "'bar' handler");
  };

  // Timer names are namespaced per strategy on the shared clock; the strategy sees its own names.
  const key = (timer: string): string => `${owner}:${timer}`;
  const fire = (timer: string, callback: TimerCallback) => (_key: string, due: number): void => {
    if (scope.disposed) return;
    kernel.runGuarded(owner, `timer '${timer}'`, () => {
      bus.publish('timer', { name: timer, tsEvent: due });
      return callback(timer, due);
    });
  };
  const clock: Clock = {
    now: () => kernel.clock.now(),
    setTimer: (timer, interval, callback, options) => {
      if (scope.addTimer(key(timer))) kernel.clock.setTimer(key(timer), interval, fire(timer, callback), options);
    },
    setAlert: (timer, at, callback) => {
      if (scope.addTimer(key(timer))) kernel.clock.setAlert(key(timer), at, fire(timer, callback));
    },
    cancel: (timer) => {
      scope.removeTimer(key(timer));
      kernel.clock.cancel(key(timer));
    },
  };

  return {
    clock,
    instruments: kernel.instruments,
    portfolio: kernel.portfolio,
    log,
    bars: (id?: string): Observable<Bar> => market('bar', id),
    trades: (id?: string): Observable<TradeTick> => market('trade', id),
    quotes: (id?: string): Observable<QuoteTick> => market('quote', id),
    books: (id?: string): Observable<BookSnapshot> => market('book', id),
    stream: <T extends Topic>(topic: T): Observable<BusEvents[T]> =>
      isMarketDataKind(topic) ? (market(topic) as Observable<BusEvents[T]>) : guarded(scope.stream(bus, topic, { owner, priority: 0 }), guard, owner, `'${topic}' handler`),
    submit: (intent: OrderIntent): OrderSnapshot => {
      guard.countOrder(owner);
      return kernel.submit(intent);
    },
    cancel: (id: string): void => kernel.cancel(id),
    modify: (id: string, changes: OrderChanges): void => kernel.modify(id, changes),
    cancelAll: (instrumentId?: string): void => kernel.cancelAll(instrumentId),
    openOrders: (instrumentId?: string): readonly OrderSnapshot[] => kernel.openOrders(instrumentId),
    order: (id: string): OrderSnapshot | undefined => kernel.order(id),
  };
}
