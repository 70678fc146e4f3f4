import { Observable } from 'rxjs';
import { AutotraderError } from './errors';
import type { BusEvents, InstrumentTopic, Topic } from './events';
import { enterDispatch, leaveDispatch } from './rx-sync-errors';

/** Options for a subscription. Lower priority runs first; equal priorities run in subscription order. */
export interface SubscribeOptions {
  readonly priority?: number;
  /** Only events of this instrument (for topics that carry `instrumentId`). */
  readonly instrumentId?: string;
  /** Who subscribed, named in error reports. */
  readonly owner?: string;
}

/** What the bus does when a subscriber throws. */
export type SubscriberErrorPolicy =
  /** Stop: rethrow as `SUBSCRIBER_ERROR` naming the topic, the owner and the event (backtest). */
  | 'throw'
  /** Remove the failing subscriber, publish an `error` event and carry on (live). */
  | 'isolate';

interface Listener {
  readonly handler: (event: never) => void;
  readonly priority: number;
  readonly seq: number;
  readonly instrumentId: string | undefined;
  readonly owner: string;
}

const EMPTY: readonly Listener[] = [];

/** One topic's subscribers. The holder is stable; its array is replaced on (un)subscribe (copy on write). */
interface TopicListeners {
  listeners: readonly Listener[];
}

/**
 * The typed, synchronous event bus. Publishing calls every subscriber before it returns, in a
 * deterministic order (priority, then subscription order). Each topic has its own listener array,
 * so a publish touches only that topic's subscribers: this is what keeps it fast enough for the
 * backtest hot path. `stream()` is the RxJS face for strategies.
 */
export class EventBus {
  private readonly topics = new Map<Topic, TopicListeners>();
  /** Subscriber counts by topic as plain properties: `hasListeners` runs several times per order. */
  private readonly listening: Partial<Record<Topic, number>> = Object.create(null) as Partial<Record<Topic, number>>;
  private seq = 0;
  private published = 0;
  /** Called when a subscriber fails under the `isolate` policy, before the `error` event. */
  onIsolated: ((error: AutotraderError) => void) | undefined;

  constructor(
    private policy: SubscriberErrorPolicy = 'throw',
    private readonly now: () => number = () => 0,
  ) {}

  /** How many events have been published (a benchmark figure). */
  get publishedCount(): number {
    return this.published;
  }

  /** Changes the subscriber error policy (the kernel sets it per mode). */
  setErrorPolicy(policy: SubscriberErrorPolicy): void {
    this.policy = policy;
  }

  /** Subscribes a plain handler. Returns the function that unsubscribes it. */
  on<T extends Topic>(topic: T, handler: (event: BusEvents[T]) => void, options: SubscribeOptions = {}): () => void {
    const listener: Listener = {
      handler: handler as (event: never) => void,
      priority: options.priority ?? 0,
      seq: this.seq++,
      instrumentId: options.instrumentId,
      owner: options.owner ?? 'anonymous',
    };
    // Copy on write: a publish in progress keeps iterating the array it started with.
    const holder = this.holder(topic);
    holder.listeners = [...holder.listeners, listener].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    this.listening[topic] = holder.listeners.length;
    return () => this.remove(topic, listener);
  }

  private holder(topic: Topic): TopicListeners {
    let h = this.topics.get(topic);
    if (h === undefined) this.topics.set(topic, (h = { listeners: EMPTY }));
    return h;
  }

  private remove(topic: Topic, listener: Listener): void {
    const h = this.holder(topic);
    h.listeners = h.listeners.filter((l) => l !== listener);
    this.listening[topic] = h.listeners.length;
  }

  /** True when anyone listens to the topic (lets producers skip building events nobody reads). */
  hasListeners(topic: Topic): boolean {
    return (this.listening[topic] ?? 0) > 0;
  }

  /** The events of one topic as an Observable, optionally of one instrument. */
  stream<T extends InstrumentTopic>(topic: T, options?: SubscribeOptions): Observable<BusEvents[T]>;
  stream<T extends Topic>(topic: T, options?: Omit<SubscribeOptions, 'instrumentId'>): Observable<BusEvents[T]>;
  stream<T extends Topic>(topic: T, options: SubscribeOptions = {}): Observable<BusEvents[T]> {
    return new Observable<BusEvents[T]>((subscriber) => this.on(topic, (event) => subscriber.next(event), { owner: 'stream', ...options }));
  }

  /** Delivers an event to every subscriber of its topic before returning. */
  publish<T extends Topic>(topic: T, event: BusEvents[T]): void {
    const holder = this.topics.get(topic);
    if (holder === undefined) {
      this.published++;
      return;
    }
    this.deliver(topic, holder, event);
  }

  /**
   * A publish function bound to one topic, for producers that publish millions of events (the
   * backtest replay): it skips the topic lookup of {@link publish}.
   */
  publisher<T extends Topic>(topic: T): (event: BusEvents[T]) => void {
    const holder = this.holder(topic);
    return (event) => this.deliver(topic, holder, event);
  }

  private deliver<T extends Topic>(topic: T, holder: TopicListeners, event: BusEvents[T]): void {
    this.published++;
    const listeners = holder.listeners;
    if (listeners.length === 0) return;
    const instrumentId = (event as { instrumentId?: string }).instrumentId;
    enterDispatch();
    try {
      for (let i = 0; i < listeners.length; i++) {
        const l = listeners[i]!;
        if (l.instrumentId !== undefined && l.instrumentId !== instrumentId) continue;
        try {
          (l.handler as (e: BusEvents[T]) => void)(event);
        } catch (error) {
          this.handleSubscriberError(topic, event, l, error);
        }
      }
    } finally {
      leaveDispatch();
    }
  }

  private handleSubscriberError(topic: Topic, event: unknown, listener: Listener, error: unknown): void {
    // An error from a nested publish has already been wrapped: keep the innermost, it names the real culprit.
    const wrapped =
      error instanceof AutotraderError && error.code === 'SUBSCRIBER_ERROR'
        ? error
        : new AutotraderError('SUBSCRIBER_ERROR', `${listener.owner} threw on '${topic}': ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
            details: { topic, owner: listener.owner, event },
          });
    if (this.policy === 'throw') throw wrapped;
    this.remove(topic, listener);
    this.onIsolated?.(wrapped);
    if (topic !== 'error') {
      this.publish('error', { source: listener.owner, code: 'SUBSCRIBER_ERROR', message: wrapped.message, tsEvent: this.now(), error: wrapped });
    }
  }
}
