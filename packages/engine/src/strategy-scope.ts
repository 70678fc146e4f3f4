import { Observable } from 'rxjs';
import type { BusEvents, Clock, EventBus, SubscribeOptions, Topic } from '@autotrader/core';
import type { SubscriptionLeakWatch } from './strategy-diagnostics';

/**
 * What one strategy holds on the shared bus and clock: its bus listeners and its timer names. A
 * shutdown stops the strategy first by disposing its scope, so no event, timer or alert of the
 * strategy runs after the stop began (issue 10: a timer that fired during a slow shutdown placed an
 * order that was then left open at the venue).
 */
export class StrategyScope {
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<string>();
  private closed = false;
  /** Told of every subscription added, to report a strategy whose subscriptions keep growing. */
  leaks: SubscriptionLeakWatch | undefined;

  /** True once {@link dispose} ran: nothing of the strategy runs any more. */
  get disposed(): boolean {
    return this.closed;
  }

  /**
   * The events of one topic as an Observable, like `bus.stream()`, with the bus listener removed
   * when the scope is disposed. A subscription made after that receives nothing.
   */
  stream<T extends Topic>(bus: EventBus, topic: T, options: SubscribeOptions): Observable<BusEvents[T]> {
    return new Observable<BusEvents[T]>((subscriber) => {
      if (this.closed) return;
      const off = bus.on(topic, (event) => subscriber.next(event), options);
      this.listeners.add(off);
      this.leaks?.added(this.listeners.size);
      return () => {
        this.listeners.delete(off);
        off();
      };
    });
  }

  /** Marks the end of the strategy's `create`: the subscriptions held now are what it needs. */
  created(): void {
    this.leaks?.created(this.listeners.size);
  }

  /** Records a timer or alert name the strategy sets on the shared clock; false once disposed (the timer must not be set). */
  addTimer(name: string): boolean {
    if (this.closed) return false;
    this.timers.add(name);
    return true;
  }

  /** Forgets a timer name the strategy cancelled itself. */
  removeTimer(name: string): void {
    this.timers.delete(name);
  }

  /** Removes every bus listener of the strategy and cancels every timer and alert it set. Safe to call twice. */
  dispose(clock: Clock): void {
    this.closed = true;
    for (const off of this.listeners) off();
    this.listeners.clear();
    for (const name of this.timers) clock.cancel(name);
    this.timers.clear();
  }
}
