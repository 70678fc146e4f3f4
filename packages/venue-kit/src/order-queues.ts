import { isAutotraderError, type Clock, type EventBus, type Logger } from '@autotrader/core';

/**
 * One queue of work per venue order: the updates of one order are handled in the order they arrived
 * (one may need a REST query for its fills before the next can be read), while different orders do not
 * wait for each other. A failure is logged and published on the bus `error` topic (its code, or
 * INTERNAL), never thrown: one bad update must not stop the stream.
 */
export class OrderQueues {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly o: {
      /** Names the stream in messages ("OKX orders channel"). */
      readonly what: string;
      /** The `source` of published errors. */
      readonly source: string;
      readonly logger: Logger;
      readonly bus: Pick<EventBus, 'publish'>;
      readonly clock: Pick<Clock, 'now'>;
    },
  ) {}

  /** Resolves once everything queued so far for this order is done (a cancel reported after the order's fills). */
  idle(orderId: string): Promise<void> {
    return this.chains.get(orderId) ?? Promise.resolve();
  }

  /** Everything queued now for any order, settled or not (to wait for the order updates received before a balance push). */
  pending(): Promise<void>[] {
    return [...this.chains.values()];
  }

  /** Runs `work` after everything queued for the order before it. */
  enqueue(orderId: string, work: () => Promise<void> | void): void {
    const next = this.idle(orderId)
      .then(work)
      .catch((error: unknown) => {
        const message = `${this.o.what}: handling an update of order ${orderId} failed: ${error instanceof Error ? error.message : String(error)}`;
        this.o.logger.warn(message);
        this.o.bus.publish('error', { source: this.o.source, code: isAutotraderError(error) ? error.code : 'INTERNAL', message, tsEvent: this.o.clock.now(), error });
      });
    this.chains.set(orderId, next);
    void next.then(() => {
      if (this.chains.get(orderId) === next) this.chains.delete(orderId);
    });
  }
}
