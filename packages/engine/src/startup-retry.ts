import {
  AutotraderError,
  backoffDelay,
  isAutotraderError,
  silentLogger,
  type DataPort,
  type ExecutionPort,
  type Logger,
} from '@autotrader/core';

/** How a live or paper session's start-up rides out venue trouble (the `startupRetry` option). */
export interface StartupRetryPolicy {
  /**
   * How long start-up keeps retrying, from the first failure, before it gives up with
   * STARTUP_FAILED, ms. 0 gives up at the first failure. A wait the venue asks for (Retry-After,
   * an IP ban) that would end later than this fails at once.
   */
  readonly maxWaitMs: number;
  /** The first backoff wait after a 5xx or a network error, ms; it doubles each time. */
  readonly baseDelayMs: number;
  /** The cap on any one backoff wait, ms. */
  readonly maxDelayMs: number;
}

/** Defaults: retry for up to 2 minutes, waiting 1, 2, 4, 8, 15, 15, … s between attempts (Retry-After when the venue gives one). */
export const DEFAULT_STARTUP_RETRY: StartupRetryPolicy = { maxWaitMs: 120_000, baseDelayMs: 1_000, maxDelayMs: 15_000 };

/** Checks a start-up retry policy (defaults filled in), or throws CONFIG_INVALID naming the field. */
export function startupRetryPolicy(input: Partial<StartupRetryPolicy> = {}): StartupRetryPolicy {
  const p = { ...DEFAULT_STARTUP_RETRY, ...input };
  for (const field of ['maxWaitMs', 'baseDelayMs', 'maxDelayMs'] as const) {
    if (!(Number.isFinite(p[field]) && p[field] >= 0)) {
      throw new AutotraderError('CONFIG_INVALID', `startupRetry.${field} must be a number of milliseconds >= 0, got ${p[field]}`, { details: { field } });
    }
  }
  if (p.maxDelayMs < p.baseDelayMs) throw new AutotraderError('CONFIG_INVALID', `startupRetry.maxDelayMs (${p.maxDelayMs}) must be >= baseDelayMs (${p.baseDelayMs})`);
  return p;
}

/** Trouble that passes: rate limits and bans with a wait, 5xx answers, timeouts and network errors. Anything else fails at once. */
export function isStartupRetryable(error: unknown): error is AutotraderError {
  return isAutotraderError(error) && error.retryable && error.details.circuitOpen !== true;
}

/** The parts of a venue that start-up calls, as {@link StartupRetry.wrap} sees them. */
export interface StartupPorts {
  readonly name: string;
  loadInstruments(): Promise<unknown>;
  readonly data: DataPort;
  readonly execution?: ExecutionPort;
}

const seconds = (ms: number): string => (ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

/**
 * Start-up's answer to venue trouble (issue 10): each request start-up makes (instruments, the
 * order connection, balances, positions, open orders, the market-data connection and its
 * subscriptions) is retried while its error is retryable, waiting the venue's Retry-After for a 429
 * or 418 and a doubling backoff otherwise, with one log line per wait saying what it waits for and
 * why. After `maxWaitMs` from the first failure it gives up with STARTUP_FAILED naming the last
 * error. Non-retryable errors (a bad symbol, missing keys, a bad interval) fail at once.
 *
 * Once start-up is over ({@link finish}), the wrapped ports pass every call straight through: from
 * then on the execution guard and the sockets' own reconnects handle trouble.
 */
export class StartupRetry {
  private readonly policy: StartupRetryPolicy;
  private deadline: number | undefined;
  private done = false;
  private aborted: AutotraderError | undefined;
  private readonly sleeping = new Set<{ timer: ReturnType<typeof setTimeout>; reject: (error: unknown) => void }>();

  constructor(
    policy: Partial<StartupRetryPolicy> | undefined,
    private readonly log: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = startupRetryPolicy(policy);
  }

  /** Start-up is over: calls pass straight through from now on. */
  finish(): void {
    this.done = true;
  }

  /** Stops start-up (a shutdown was asked for): a wait in progress, and any call not yet made, fail with `reason`. */
  abort(reason: string): void {
    this.aborted ??= new AutotraderError('STARTUP_FAILED', `start-up interrupted: ${reason}`, { details: { interrupted: true } });
    for (const s of [...this.sleeping]) {
      clearTimeout(s.timer);
      this.sleeping.delete(s);
      s.reject(this.aborted);
    }
  }

  /** Runs one start-up request, retrying venue trouble as described on the class. `what` names it in the wait line. */
  async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let retry = 1; ; retry++) {
      if (this.done) return call();
      if (this.aborted !== undefined) throw this.aborted;
      try {
        return await call();
      } catch (error) {
        if (this.done || !isStartupRetryable(error)) throw error;
        await this.waitAfter(what, error, retry);
      }
    }
  }

  /** The venue's ports with every start-up request going through {@link run}. Orders (submit, cancel, modify) are never retried here. */
  wrap<V extends StartupPorts>(venue: V): V {
    return {
      ...venue,
      loadInstruments: () => this.run(`${venue.name} instruments`, () => venue.loadInstruments()),
      data: this.wrapData(venue.name, venue.data),
      execution: venue.execution === undefined ? undefined : this.wrapExecution(venue.name, venue.execution),
    } as V;
  }

  private wrapData(name: string, data: DataPort): DataPort {
    return {
      connect: () => this.run(`${name} market-data connection`, () => data.connect()),
      disconnect: () => data.disconnect(),
      subscribe: (sub) => this.run(`${name} ${sub.kind} subscription for ${sub.instrumentId}`, () => data.subscribe(sub)),
      unsubscribe: (sub) => data.unsubscribe(sub),
    };
  }

  private wrapExecution(name: string, port: ExecutionPort): ExecutionPort {
    const wrapped: ExecutionPort = {
      venue: port.venue,
      connect: (sink) => this.run(`${name} order connection`, () => port.connect(sink)),
      disconnect: () => port.disconnect(),
      submit: (order) => port.submit(order),
      cancel: (order) => port.cancel(order),
      order: (id, instrumentId) => this.run(`${name} order ${id}`, () => port.order(id, instrumentId)),
      openOrders: (instrumentId) => this.run(`${name} open orders`, () => port.openOrders(instrumentId)),
      positions: () => this.run(`${name} positions`, () => port.positions()),
      balances: () => this.run(`${name} balances`, () => port.balances()),
    };
    // Optional members stay absent when the port has none: the engine tests for them.
    const optional: Partial<ExecutionPort> = {};
    if (port.preflight !== undefined) optional.preflight = () => port.preflight!();
    if (port.modify !== undefined) optional.modify = (order, changes) => port.modify!(order, changes);
    if (port.canModify !== undefined) optional.canModify = (order, changes) => port.canModify!(order, changes);
    if (port.withholdOrders !== undefined) optional.withholdOrders = (reason) => port.withholdOrders!(reason);
    if (port.buyFeeHold !== undefined) return { ...wrapped, ...optional, buyFeeHold: port.buyFeeHold };
    if (port.venueAccount !== undefined) optional.venueAccount = () => this.run(`${name} account`, () => port.venueAccount!());
    if (port.fillsSince !== undefined) optional.fillsSince = (id, since) => this.run(`${name} fills`, () => port.fillsSince!(id, since));
    return { ...wrapped, ...optional };
  }

  /** Waits before retry number `retry` of one request; the time limit counts from start-up's first failure. */
  private async waitAfter(what: string, error: AutotraderError, retry: number): Promise<void> {
    const now = this.now();
    this.deadline ??= now + this.policy.maxWaitMs;
    const left = this.deadline - now;
    const asked = error.code === 'RATE_LIMITED' ? Number(error.details.retryAfterMs) : Number.NaN;
    const venueWait = Number.isFinite(asked) && asked >= 0;
    const wait = venueWait ? asked : Math.min(backoffDelay({ ...this.policy, jitter: 0 }, retry, 0), Math.max(0, left));
    const why = `${error.code}: ${error.message}`;
    if (left <= 0 || wait > left) {
      const reason = venueWait && wait > left ? `the venue asks for a wait of ${seconds(wait)}, longer than start-up may still wait (${seconds(Math.max(0, left))})` : `still failing after ${seconds(now - (this.deadline - this.policy.maxWaitMs))}`;
      throw new AutotraderError('STARTUP_FAILED', `start-up gave up on ${what}: ${reason} (startupRetry.maxWaitMs ${this.policy.maxWaitMs}); last error ${why}`, {
        cause: error,
        details: { what, lastCode: error.code, retries: retry - 1 },
      });
    }
    this.log.warn(`start-up: waiting ${seconds(wait)} for ${what} (${venueWait ? 'the venue asked us to wait' : 'retrying with backoff'}; gives up in ${seconds(left)}): ${why}`);
    await this.sleep(wait);
  }

  private sleep(ms: number): Promise<void> {
    if (this.aborted !== undefined) return Promise.reject(this.aborted);
    return new Promise<void>((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeping.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.sleeping.add(entry);
    });
  }
}
