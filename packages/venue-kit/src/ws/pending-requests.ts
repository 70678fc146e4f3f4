import { AutotraderError } from '@autotrader/core';

interface Waiting<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests sent over a socket that wait, by id, for the frame that answers them, each with a deadline.
 * A request unanswered by its deadline fails with VENUE_TIMEOUT naming it, carrying the details the
 * caller gave (`{ outcomeUnknown: true }` for a request that places or changes an order). Subscribe and
 * login frames, Binance's WebSocket API calls and OKX's order ops all wait here.
 */
export class PendingRequests<T> {
  private readonly waiting = new Map<string, Waiting<T>>();

  constructor(
    /** Names the socket in errors. */
    private readonly name: string,
    /** The default deadline, ms. */
    private readonly timeoutMs: number,
  ) {}

  /** Requests waiting now. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Registers `id`, then calls `send`; a send that throws rejects at once (and the id is freed).
   * `details` go on the timeout error; `timeoutMs` overrides the default deadline.
   */
  request(id: string, what: string, send: () => void, details: Record<string, unknown> = {}, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.waiting.has(id)) {
      return Promise.reject(new AutotraderError('INTERNAL', `${this.name}: request id ${id} is already waiting for an answer`, { details: { id } }));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new AutotraderError('VENUE_TIMEOUT', `${this.name}: no answer to ${what} within ${timeoutMs} ms`, { details: { ...details, request: what } }));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      try {
        send();
      } catch (error) {
        this.take(id);
        reject(error as Error);
      }
    });
  }

  /** True when request `id` is waiting. */
  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /** Answers request `id`; false when nothing waits for it (a late or foreign answer). */
  resolve(id: string, value: T): boolean {
    const w = this.take(id);
    w?.resolve(value);
    return w !== undefined;
  }

  /** Fails request `id`; false when nothing waits for it. */
  reject(id: string, error: Error): boolean {
    const w = this.take(id);
    w?.reject(error);
    return w !== undefined;
  }

  /** Fails every waiting request (the socket dropped or is closing). */
  rejectAll(error: Error): void {
    for (const id of [...this.waiting.keys()]) this.reject(id, error);
  }

  private take(id: string): Waiting<T> | undefined {
    const w = this.waiting.get(id);
    if (w === undefined) return undefined;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    return w;
  }
}
