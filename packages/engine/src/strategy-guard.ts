import { Observable, Subscriber, type Observer, type Operator, type Subscription } from 'rxjs';
import { AutotraderError, isAutotraderError, type SubscriberErrorPolicy } from '@autotrader/core';
import { SlowHandlerWatch } from './strategy-diagnostics';

/** What the guard needs from its kernel to report a fault under the `isolate` policy (live). */
export interface GuardReporter {
  /** Logs the fault and publishes it as an `error` event, as a synchronous throw is. */
  isolated(owner: string, error: AutotraderError): void;
  /** A diagnostic line (a slow handler). */
  warn(message: string): void;
}

/** The default limit of orders one strategy may send while handling one event in a backtest. */
export const DEFAULT_MAX_ORDERS_PER_EVENT = 10_000;

/**
 * Watches strategy code for the faults a synchronous try/catch cannot see (issue 11):
 *
 * - a promise returned by a handler, a timer callback or `create` that rejects: an `async` handler's
 *   throw. Under the `throw` policy (backtest) the first one is kept and the run stops at the event
 *   (see {@link settle}); under `isolate` (live) the failing subscription is removed and the fault is
 *   published as `error`, like a synchronous throw.
 * - an order flood: more than {@link maxOrdersPerEvent} orders while one event is handled.
 *
 * Synchronous handlers pay one comparison: a result is inspected only when there is one.
 */
export class StrategyGuard {
  /** Orders a strategy may send while one event is handled; `Infinity` turns the check off. */
  maxOrdersPerEvent = Infinity;
  /**
   * True when the run loop must call {@link settle} after the event: a handler returned a promise, or
   * a fault was recorded. One field read per event is all the loop pays.
   */
  attention = false;
  private failure: AutotraderError | undefined;
  /** Promises strategy code returned that have not settled yet. */
  private unsettled = 0;
  private ordersInEvent = 0;
  private orderEvent = -1;
  /** The index of the event being handled (set by the run loop; -1 outside one). */
  event = -1;
  /**
   * Each handler call is timed (a `performance.now()` pair) under `isolate`, in live sessions, where
   * events are few; a backtest watches its replay instead (SlowReplayWatch), for nothing per event.
   */
  readonly timesHandlers: boolean;
  private readonly slow = new Map<string, SlowHandlerWatch>();

  constructor(
    private readonly policy: SubscriberErrorPolicy,
    private readonly reporter: GuardReporter,
  ) {
    this.timesHandlers = policy === 'isolate';
  }

  /** Records how long one handler call of `owner` took (live sessions); reported once per strategy past a second. */
  timed(owner: string, what: string, ms: number): void {
    let watch = this.slow.get(owner);
    if (watch === undefined) this.slow.set(owner, (watch = new SlowHandlerWatch(owner.replace(/^strategy:/, ''), (m) => this.reporter.warn(m))));
    watch.took(ms, what);
  }

  /**
   * Looks at what strategy code returned. A promise is followed: its rejection is a fault of `owner`
   * in `what` (for example `'bar' handler`). `unsubscribe` removes the failing handler under `isolate`.
   */
  watch(result: unknown, owner: string, what: string, unsubscribe?: () => void): void {
    if (result === undefined || result === null || typeof (result as PromiseLike<unknown>).then !== 'function') return;
    this.attention = true;
    this.unsettled++;
    const began = this.event;
    (result as PromiseLike<unknown>).then(
      () => void this.unsettled--,
      (error: unknown) => {
        this.unsettled--;
        // Failing after the replay moved on: say where the handler began.
        this.rejected(error, owner, began >= 0 && began !== this.event ? `${what} begun at event #${began + 1}` : what, unsubscribe);
      },
    );
  }

  /** Counts one order of `owner`; throws STRATEGY_ERROR once the event's limit is passed (the handler stops there). */
  countOrder(owner: string): void {
    if (this.maxOrdersPerEvent === Infinity) return;
    if (this.event !== this.orderEvent) {
      this.orderEvent = this.event;
      this.ordersInEvent = 0;
    }
    if (++this.ordersInEvent <= this.maxOrdersPerEvent) return;
    const error = new AutotraderError(
      'STRATEGY_ERROR',
      `${owner} sent more than ${this.maxOrdersPerEvent.toLocaleString('en-US')} orders while handling one event: an order flood; the run stops (raise the limit with --max-orders-per-event if this is intended)`,
      { details: { owner, what: 'order flood', maxOrdersPerEvent: this.maxOrdersPerEvent } },
    );
    // Kept as well as thrown: a strategy that catches the throw and carries on is still stopped.
    this.record(error);
    throw error;
  }

  /**
   * Lets the promises strategy code returned run (microtasks, then one macrotask turn if need be), then
   * throws the first fault recorded, if any. The backtest calls it after an event that needed
   * attention, so an async handler's throw stops the run at the event that caused it.
   */
  async settle(): Promise<void> {
    this.attention = false;
    // Microtasks first: an async handler that awaits nothing slow settles within a few (about 1 µs);
    // a macrotask turn per event (setImmediate, about 7 µs) only for one still running after them.
    for (let i = 0; i < 16 && this.unsettled > 0; i++) await undefined;
    if (this.unsettled > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      throw failure;
    }
  }

  /**
   * The end of a run: waits up to `waitMs` (wall time) for promises strategy code returned and that
   * are still running, then throws the first fault recorded. A handler awaiting something that never
   * comes does not hold the run longer than that.
   */
  async finish(waitMs = 1000): Promise<void> {
    const until = performance.now() + waitMs;
    await this.settle();
    while (this.unsettled > 0 && performance.now() < until) {
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
      await this.settle();
    }
  }

  private rejected(error: unknown, owner: string, what: string, unsubscribe: (() => void) | undefined): void {
    const wrapped =
      isAutotraderError(error) && error.code === 'STRATEGY_ERROR'
        ? error
        : new AutotraderError('STRATEGY_ERROR', `${owner} failed in async ${what}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
            details: { owner, what },
          });
    if (this.policy === 'throw') {
      this.record(wrapped);
      return;
    }
    unsubscribe?.();
    this.reporter.isolated(owner, wrapped);
  }

  private record(error: AutotraderError): void {
    this.failure ??= error;
    this.attention = true;
  }
}

/**
 * The Observable a strategy subscribes to: an ordinary RxJS Observable whose subscribers' `next`
 * results are handed to the guard, so `subscribe(async (bar) => { throw … })` is caught. Operators
 * keep the guard (`lift` makes another guarded Observable), so `bars().pipe(map(…)).subscribe(async …)`
 * is covered too. Operators that combine several sources (`merge`, `combineLatest`) build plain
 * Observables and are not followed.
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    private readonly guard: StrategyGuard,
    private readonly owner: string,
    private readonly what: string,
    subscribe?: (this: Observable<T>, subscriber: Subscriber<T>) => (() => void) | Subscription | void,
  ) {
    super(subscribe);
  }

  /** RxJS's hook for operators: the piped Observable is guarded as well. */
  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const lifted = new GuardedObservable<R>(this.guard, this.owner, this.what);
    (lifted as unknown as { source: Observable<T> }).source = this;
    (lifted as unknown as { operator?: Operator<T, R> }).operator = operator;
    return lifted;
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null, error?: ((e: unknown) => void) | null, complete?: (() => void) | null): Subscription {
    // Operators subscribe with their own Subscriber: only the strategy's own handler is wrapped.
    if (observerOrNext instanceof Subscriber || observerOrNext === undefined || observerOrNext === null) {
      return super.subscribe(observerOrNext as Subscriber<T>);
    }
    const guard = this.guard;
    const owner = this.owner;
    const what = this.what;
    let subscription: Subscription | undefined;
    const unsubscribe = (): void => subscription?.unsubscribe();
    if (typeof observerOrNext === 'function') {
      const next = observerOrNext as (value: T) => unknown;
      subscription = super.subscribe({
        next: guard.timesHandlers
          ? (value) => {
              const started = performance.now();
              const result = next(value);
              guard.timed(owner, what, performance.now() - started);
              if (result !== undefined) guard.watch(result, owner, what, unsubscribe);
            }
          : (value) => {
              const result = next(value);
              if (result !== undefined) guard.watch(result, owner, what, unsubscribe);
            },
        error: error ?? undefined,
        complete: complete ?? undefined,
      });
      return subscription;
    }
    const observer = observerOrNext;
    if (typeof observer.next !== 'function') return super.subscribe(observer);
    const timed = guard.timesHandlers;
    subscription = super.subscribe({
      next: (value) => {
        const started = timed ? performance.now() : 0;
        // Called as a method, so a class-based observer keeps its `this`.
        const result = (observer.next as (this: Partial<Observer<T>>, v: T) => unknown).call(observer, value);
        if (timed) guard.timed(owner, what, performance.now() - started);
        if (result !== undefined) guard.watch(result, owner, what, unsubscribe);
      },
      error: observer.error === undefined ? undefined : (e) => observer.error!(e),
      complete: observer.complete === undefined ? undefined : () => observer.complete!(),
    });
    return subscription;
  }
}

/** Wraps an Observable handed to a strategy so its handlers are guarded (see {@link GuardedObservable}). */
export function guarded<T>(source: Observable<T>, guard: StrategyGuard, owner: string, what: string): Observable<T> {
  return new GuardedObservable<T>(guard, owner, what, (subscriber) => source.subscribe(subscriber));
}
