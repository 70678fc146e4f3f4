import {
  AutotraderError,
  isAutotraderError,
  silentLogger,
  type Balance,
  type BuyFeeHold,
  type Clock,
  type EventBus,
  type ExecutionPort,
  type ExecutionReportSink,
  type Fill,
  type Logger,
  type OrderSnapshot,
  type RateLimitRule,
  type VenueAccount,
  type VenueOrderChanges,
  type VenueOrderState,
  type VenuePosition,
  type VenueRequest,
} from '@autotrader/core';
import { CircuitBreaker, type BreakerState } from './circuit-breaker';
import { RateLimiter, type LimitScope } from './rate-limiter';
import { Backoff, checkRetryPolicy, isOutcomeUnknown, isRetryable, Sleeper, type RetryPolicy } from './retry';

/** How the guard retries and when it stops talking to a venue. */
export interface GuardPolicy {
  readonly retry: RetryPolicy;
  readonly breaker: {
    /** Consecutive retryable venue failures that open the circuit. */
    readonly failureThreshold: number;
    /** How long it stays open before one probe request, ms. */
    readonly openMs: number;
  };
  /** Seed of the jitter PRNG: the same seed draws the same waits. */
  readonly seed: number;
}

/** A policy with any field left out taken from {@link DEFAULT_GUARD_POLICY}. */
export interface GuardPolicyInput {
  readonly retry?: Partial<RetryPolicy>;
  readonly breaker?: Partial<GuardPolicy['breaker']>;
  readonly seed?: number;
}

/**
 * The defaults: 5 attempts in all (4 retries) waiting 200, 400, 800, 1600 ms (each shortened by up
 * to 20 % jitter; any wait capped at 10 s); the circuit opens after 5 consecutive venue failures and
 * probes again after 15 s; seed 1. A 429 waits for its Retry-After instead of the backoff.
 */
export const DEFAULT_GUARD_POLICY: GuardPolicy = {
  retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, jitter: 0.2 },
  breaker: { failureThreshold: 5, openMs: 15_000 },
  seed: 1,
};

/** The wait after a 429 that carries no `retryAfterMs`, ms. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/** Requests that place an order, which count against `orders` rate limits (a modify is a cancel-replace on most venues). */
const ORDER_PLACEMENTS: ReadonlySet<VenueRequest> = new Set(['submit', 'modify']);

/** What {@link GuardedExecution} needs besides the port it guards. */
export interface GuardedExecutionOptions {
  /** The venue's weighted limits, from the plugin manifest (`rateLimits`). None: no limit is enforced. */
  readonly rateLimits?: readonly RateLimitRule[];
  /** Weight of each call against `requests` rules (manifest `requestWeights`); default 1. */
  readonly requestWeights?: Readonly<Partial<Record<VenueRequest, number>>>;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger?: Logger;
  readonly policy?: GuardPolicyInput;
  /**
   * Called when a submit whose outcome was unknown (timeout, 5xx) turns out, by querying the venue,
   * to have been placed: the kernel applies the venue's state to the order. The submit resolves.
   */
  readonly onRecovered?: (state: VenueOrderState) => void;
}

/** Counters since the guard was created. */
export interface GuardStats {
  /** Requests passed to the venue port (queries made to recover a submit included). */
  readonly sent: number;
  /** Attempts after a first one. */
  readonly retried: number;
  /** Total time requests waited for rate-limit budget or a 429 pause, ms. */
  readonly throttledMs: number;
  /** RATE_LIMITED answers received. */
  readonly rateLimited: number;
  /** Times the circuit opened. */
  readonly breakerOpened: number;
  /** Submits with an unknown outcome that a query found placed (not resent). */
  readonly recovered: number;
}

let guardSeq = 0;

function mergePolicy(input: GuardPolicyInput = {}): GuardPolicy {
  const policy: GuardPolicy = {
    retry: { ...DEFAULT_GUARD_POLICY.retry, ...input.retry },
    breaker: { ...DEFAULT_GUARD_POLICY.breaker, ...input.breaker },
    seed: input.seed ?? DEFAULT_GUARD_POLICY.seed,
  };
  checkRetryPolicy(policy.retry);
  return policy;
}

/**
 * An execution port that guards another one (issue 4): weighted rate limits enforced before
 * anything is sent, a venue-wide pause on 429, retries with seeded exponential backoff for
 * retryable errors only, a circuit breaker, and submits whose outcome is unknown resolved by
 * querying the venue instead of resending blindly.
 *
 * Submit: a retry reuses the same {@link OrderSnapshot}, so the same client order id. After a
 * timeout or 5xx (`details.outcomeUnknown`) the order is first looked up with `order(id)`: found
 * means it was placed (`onRecovered`, resolve); not found means it was not, and it is resent with
 * the same id. Cancel, modify and queries are retried as they are.
 *
 * When it gives up, the error thrown is the last one, with `details.attempts`, and with
 * `details.outcomeUnknown = true` exactly when a submit may still exist at the venue. A submit that
 * fails without that flag was certainly not placed. Fail-fast errors of the open circuit carry
 * `details.circuitOpen = true` and are not retried (failing fast is their point).
 *
 * All waiting happens on the {@link Clock} port.
 */
export class GuardedExecution implements ExecutionPort {
  readonly venue: string;
  /** Native modify, guarded; absent when the guarded port has none. */
  readonly modify?: (order: OrderSnapshot, changes: VenueOrderChanges) => Promise<void>;
  /** Fills since a time, guarded; absent when the guarded port has none. */
  readonly fillsSince?: (instrumentId: string, since: number) => Promise<Fill[]>;
  /** The policy in force (defaults filled in). */
  readonly policy: GuardPolicy;
  private readonly limiter: RateLimiter;
  private readonly breaker: CircuitBreaker;
  private readonly backoff: Backoff;
  private readonly sleeper: Sleeper;
  private readonly log: Logger;
  private readonly weights: Readonly<Partial<Record<VenueRequest, number>>>;
  private counts = { sent: 0, retried: 0, rateLimited: 0, recovered: 0 };

  constructor(
    private readonly inner: ExecutionPort,
    private readonly options: GuardedExecutionOptions,
  ) {
    this.venue = inner.venue;
    // Present exactly when the venue can name its account; retried and rate limited like a balance query.
    const account = inner.venueAccount?.bind(inner);
    if (account !== undefined) this.venueAccount = () => this.withRetry('balances', account);
    // Local decisions and descriptions of the venue: passed straight through (no request is made).
    if (inner.canModify !== undefined) this.canModify = inner.canModify.bind(inner);
    this.buyFeeHold = inner.buyFeeHold;
    this.policy = mergePolicy(options.policy);
    this.log = (options.logger ?? silentLogger).child(`guard:${inner.venue}`);
    this.weights = options.requestWeights ?? {};
    const name = `${inner.venue}:${++guardSeq}`;
    this.limiter = new RateLimiter(options.rateLimits ?? [], options.clock, name);
    this.breaker = new CircuitBreaker({ venue: inner.venue, ...this.policy.breaker, clock: options.clock, bus: options.bus, logger: this.log });
    this.backoff = new Backoff(this.policy.retry, this.policy.seed);
    this.sleeper = new Sleeper(options.clock, name);
    if (inner.modify !== undefined) {
      const modify = inner.modify.bind(inner);
      this.modify = (order, changes) => this.withRetry('modify', () => modify(order, changes));
    }
    if (inner.fillsSince !== undefined) {
      const fillsSince = inner.fillsSince.bind(inner);
      this.fillsSince = (instrumentId, since) => this.withRetry('fillsSince', () => fillsSince(instrumentId, since));
    }
  }

  /** The circuit breaker's state now. */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Counters since the guard was created. */
  stats(): GuardStats {
    return { ...this.counts, throttledMs: this.limiter.throttledMs, breakerOpened: this.breaker.openedCount };
  }

  /** Units used per rate-limit rule now, as the guard counts them. */
  used(ruleName: string): number {
    return this.limiter.used(ruleName);
  }

  /**
   * Feeds venue usage (for example Binance's `X-MBX-USED-WEIGHT-1M`) into the limiter: rule name →
   * units the venue has counted in the rule's current window. It can only tighten the budget.
   */
  reportUsage(used: Readonly<Record<string, number>>): void {
    this.limiter.reportUsage(used);
  }

  private withheld: AutotraderError | undefined;

  /** Whether the venue can amend this order in place (see ExecutionPort.canModify). */
  readonly canModify?: (order: OrderSnapshot, changes: VenueOrderChanges) => boolean;
  /** What a resting buy holds for its fee at this venue (see ExecutionPort.buyFeeHold). */
  readonly buyFeeHold: BuyFeeHold | undefined;

  /** The account the venue says this port trades (see ExecutionPort.venueAccount). */
  readonly venueAccount?: () => Promise<VenueAccount>;

  /**
   * Placements queued behind the limiter or a backoff are not sent from now on; each fails as never
   * placed, so the kernel rejects it. Cancels and queries still go through (a shutdown needs them).
   */
  withholdOrders(reason: string): void {
    this.withheld = new AutotraderError('VENUE_UNAVAILABLE', `${this.venue}: the order was not sent: ${reason}`, { retryable: false, details: { venue: this.venue, withheld: true } });
  }

  /** The venue's offline checks (credentials), passed straight through: they make no request. */
  preflight(): void {
    this.inner.preflight?.();
  }

  /** Connects the guarded port (not rate limited: the plugin paces its own connection). */
  connect(sink: ExecutionReportSink): Promise<void> {
    this.limiter.reopen();
    return this.inner.connect(sink);
  }

  /**
   * Stops every request still waiting (for budget, a pause or a backoff): each fails with a
   * non-retryable VENUE_UNAVAILABLE (a submit with an unknown outcome keeps that flag), then
   * disconnects the guarded port.
   */
  async disconnect(): Promise<void> {
    const stopped = new AutotraderError('VENUE_UNAVAILABLE', `${this.venue}: disconnected while the request waited to be sent or retried; it was not sent (again)`, {
      retryable: false,
      details: { venue: this.venue, disconnected: true },
    });
    this.limiter.close(stopped);
    this.sleeper.cancelAll(stopped);
    await this.inner.disconnect();
  }

  /**
   * Places an order. Retryable failures are retried with the same client order id; a failure with
   * an unknown outcome is followed by a query, and the order is resent only if the venue does not
   * know it.
   */
  async submit(order: OrderSnapshot): Promise<void> {
    const max = this.policy.retry.maxAttempts;
    let unknown = false;
    for (let attempt = 1; ; attempt++) {
      try {
        if (unknown) {
          const state = await this.once('order', () => this.inner.order(order.clientOrderId, order.instrumentId));
          if (state !== undefined) {
            this.counts.recovered++;
            this.log.info(`submit of ${order.clientOrderId} had an unknown outcome; the venue has it (${state.status}), so it is not resent`, {
              clientOrderId: order.clientOrderId,
              venueOrderId: state.venueOrderId,
            });
            this.options.onRecovered?.(state);
            return;
          }
          unknown = false;
          this.log.info(`submit of ${order.clientOrderId} had an unknown outcome; the venue does not know it, resending with the same client order id`, {
            clientOrderId: order.clientOrderId,
          });
        }
        await this.once('submit', () => this.inner.submit(order));
        return;
      } catch (error) {
        if (isOutcomeUnknown(error)) unknown = true;
        if (!this.mayRetry(error, attempt, max)) throw this.giveUp(error, attempt, 'submit', unknown);
        await this.pause(error, attempt, unknown);
      }
    }
  }

  /** Cancels an order; retryable failures are retried (a cancel is idempotent by client order id). */
  cancel(order: OrderSnapshot): Promise<void> {
    return this.withRetry('cancel', () => this.inner.cancel(order));
  }

  /** Looks one order up by client order id. */
  order(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined> {
    return this.withRetry('order', () => this.inner.order(clientOrderId, instrumentId));
  }

  /** Open orders at the venue. */
  openOrders(instrumentId?: string): Promise<VenueOrderState[]> {
    return this.withRetry('openOrders', () => this.inner.openOrders(instrumentId));
  }

  /** Positions at the venue. */
  positions(): Promise<VenuePosition[]> {
    return this.withRetry('positions', () => this.inner.positions());
  }

  /** Balances at the venue. */
  balances(): Promise<Balance[]> {
    return this.withRetry('balances', () => this.inner.balances());
  }

  /** Plain retry: the call is repeated as it is while its error is retryable and attempts remain. */
  private async withRetry<T>(request: VenueRequest, call: () => Promise<T> | T): Promise<T> {
    const max = this.policy.retry.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(request, call);
      } catch (error) {
        if (!this.mayRetry(error, attempt, max)) throw this.giveUp(error, attempt, request);
        await this.pause(error, attempt);
      }
    }
  }

  /**
   * One attempt: fail fast on an open circuit, wait for rate-limit budget (and any 429 pause), send,
   * and tell the breaker and the limiter how it went.
   */
  private once<T>(request: VenueRequest, call: () => Promise<T> | T): Promise<T> {
    try {
      this.breaker.check();
    } catch (error) {
      return Promise.reject(error);
    }
    const scope: LimitScope = ORDER_PLACEMENTS.has(request) ? 'orders' : 'requests';
    let probe = false;
    let sent = false;
    const admit = (): void => {
      probe = this.breaker.admit();
    };
    // async: a port that completes synchronously fails by throwing, which becomes a rejection here.
    const send = async (): Promise<T> => {
      // A placement still queued when the session began to stop is never sent.
      if (request === 'submit' && this.withheld !== undefined) throw this.withheld;
      sent = true;
      this.counts.sent++;
      return call();
    };
    return this.limiter.run(this.weights[request] ?? 1, scope, admit, send).then(
      (value) => {
        this.breaker.success(probe);
        return value;
      },
      (error: unknown) => {
        if (sent) this.onFailure(request, error, probe);
        throw error;
      },
    );
  }

  private onFailure(request: VenueRequest, error: unknown, probe: boolean): void {
    if (isAutotraderError(error, 'RATE_LIMITED')) {
      this.counts.rateLimited++;
      const after = Number(error.details.retryAfterMs);
      const waitMs = Number.isFinite(after) && after >= 0 ? after : DEFAULT_RETRY_AFTER_MS;
      const until = this.options.clock.now() + waitMs;
      this.limiter.pauseUntil(until);
      this.log.warn(`${this.venue} answered 429 to ${request}: every request waits until ${new Date(until).toISOString()}`, { retryAfterMs: waitMs });
      // Backpressure with instructions, not a sick venue: the pause handles it, the breaker does not count it.
      this.breaker.release(probe);
      return;
    }
    if (!isAutotraderError(error)) {
      // An uncoded error is a bug somewhere; not knowing the venue's state, count it against it.
      this.breaker.failure(probe, error instanceof Error ? error.message : String(error));
    } else if (error.retryable) {
      this.breaker.failure(probe, `${error.code}: ${error.message}`);
    } else {
      this.breaker.release(probe);
    }
  }

  private mayRetry(error: unknown, attempt: number, max: number): boolean {
    return attempt < max && isRetryable(error) && (error as AutotraderError).details.circuitOpen !== true;
  }

  /** Waits before the next attempt: a 429 is waited out by the limiter's pause, anything else by the backoff. */
  private async pause(error: unknown, attempt: number, submitUnknown?: boolean): Promise<void> {
    this.counts.retried++;
    const wait = isAutotraderError(error, 'RATE_LIMITED') ? 0 : this.backoff.next(attempt);
    this.log.debug(`retrying after ${wait} ms`, { attempt, code: isAutotraderError(error) ? error.code : undefined, queryFirst: submitUnknown === true });
    try {
      await this.sleeper.sleep(wait);
    } catch (stopped) {
      throw this.giveUp(stopped, attempt, 'retry', submitUnknown);
    }
  }

  /**
   * The error a caller sees: the last one, saying how many attempts were made. For a submit,
   * `details.outcomeUnknown` is set exactly when the order may exist at the venue (`submitUnknown`);
   * other requests keep their error's own flag.
   */
  private giveUp(error: unknown, attempts: number, request: string, submitUnknown?: boolean): unknown {
    if (!isAutotraderError(error)) return error;
    const flagged = error.details.outcomeUnknown === true;
    const outcomeUnknown = submitUnknown ?? flagged;
    if (attempts === 1 && outcomeUnknown === flagged) return error;
    const details: Record<string, unknown> = { ...error.details, attempts };
    if (outcomeUnknown) details.outcomeUnknown = true;
    else delete details.outcomeUnknown;
    const tail = submitUnknown === true ? '; the order may exist at the venue: reconcile before resending' : '';
    return new AutotraderError(error.code, `${error.message} (${request}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}${tail})`, {
      cause: error,
      details,
      retryable: error.retryable,
    });
  }
}
