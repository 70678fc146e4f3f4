import {
  accountConfigSchema,
  AutotraderError,
  describeZodIssues,
  EventBus,
  RealtimeClock,
  sessionPrefix,
  silentLogger,
  type AccountConfig,
  type AccountConfigInput,
  type Clock,
  type DataPort,
  type DecimalLike,
  type ExecutionPort,
  type Instrument,
  type Logger,
  type MarketDataKind,
  type StrategyDefinition,
  type RateLimitRule,
  type VenueCapabilities,
  type VenueRequest,
  type VenueAccount,
  type VenueUsage,
} from '@autotrader/core';
import { Kernel, PRIORITY, type PreTradeCheck } from './kernel';
import type { RiskConfig } from './risk';
import { resolveFromVenue, type UnknownOrderPolicy } from './reconcile';
import { GuardedExecution, usageByInterval, type GuardPolicyInput } from './safety';
import { checkJournalIdentity, OrderJournal, readJournal, recover, type FsyncPolicy, type RecoveredState } from './journal';
import { MarketDataRecorder } from './recorder';
import { startLiveMarketData } from './market-data/live-subscriptions';
import type { QuotePrice } from './bars/bar-builder';
import { describeBooks } from './books-summary';
import { StartupRetry, type StartupRetryPolicy } from './startup-retry';
import { stopTrading, type ShutdownReport } from './shutdown';

/** The parts of a venue a live or paper session uses. */
export interface LiveVenue {
  readonly name: string;
  readonly capabilities: VenueCapabilities;
  /** The plugin manifest's limits: requests are held back before they would exceed them. */
  readonly rateLimits?: readonly RateLimitRule[];
  readonly requestWeights?: Readonly<Partial<Record<VenueRequest, number>>>;
  /** The venue's own usage counters, which tighten the limiter. */
  onUsage?(listener: (usage: VenueUsage) => void): () => void;
  /** Loads the venue's instruments. */
  loadInstruments(): Promise<Instrument[]>;
  readonly data: DataPort;
  /** The venue's own execution (live). Paper sessions pass `paperExecution` instead. */
  readonly execution?: ExecutionPort;
  /** Releases the venue's sockets and connection pools: called last by `stop()`, and when start-up fails. */
  close?(): Promise<void>;
}

/** What a live or paper session needs. */
export interface LiveSessionOptions {
  readonly strategy: StrategyDefinition;
  readonly params?: unknown;
  readonly venue: LiveVenue;
  /** Instruments to trade and subscribe, by id (`BTCUSDT.BINANCE`) or venue symbol (`BTCUSDT`). */
  readonly instrumentIds: readonly string[];
  /**
   * Market data to subscribe per instrument on top of what the strategy reads (the engine records what
   * it subscribes to while it is created, and checks that against its `requires.data`).
   */
  readonly dataKinds?: readonly MarketDataKind[];
  /** The bar interval strategies get (default `1m`): the venue's own bars when it has them, else built by the engine. */
  readonly barInterval?: string;
  /** The price bars built from quotes follow (only when the venue has neither bars nor trades): mid (default), bid or ask. */
  readonly barQuotePrice?: QuotePrice;
  /** How long after its end a quiet interval's built bar is closed by the clock (default 1,000 ms). */
  readonly barCloseDelayMs?: number;
  /**
   * Paper trading: the simulated venue, built on the session's bus and clock, executes orders while
   * market data stays live. Give it the same starting cash as `paperCash`.
   */
  readonly paperExecution?: (ctx: { clock: Clock; bus: EventBus; instruments: readonly Instrument[]; logger: Logger }) => ExecutionPort;
  /** Paper trading: starting cash in each quote currency of the traded instruments. */
  readonly paperCash?: DecimalLike;
  /**
   * The account: cash or margin, base currency, margin rates, conversion rates (core's
   * accountConfigSchema). Live, the venue's own account type and currency (venueAccount) win over it.
   */
  readonly account?: AccountConfigInput;
  /** Leave our open orders at the venue on shutdown (default: cancel them). */
  readonly keepOrders?: boolean;
  /** Record received market data to Arrow files in this folder. */
  readonly recordDir?: string;
  readonly preTradeChecks?: readonly PreTradeCheck[];
  /** Pre-trade risk limits and the daily-loss kill switch. */
  readonly risk?: RiskConfig;
  /** An order with no ack this long is queried by client order id (default 5,000 ms). */
  readonly ackTimeoutMs?: number;
  /** Open orders at the venue that are not ours, found at start-up or after a reconnect (default: report them). */
  readonly unknownOrders?: UnknownOrderPolicy;
  /** Retry and circuit-breaker policy for the venue's execution port (live only). */
  readonly guard?: GuardPolicyInput;
  /**
   * The order journal (live only). Every order command and venue report is appended before it is acted
   * on; on start the journal is replayed and every order that was open or in flight is reconciled with
   * the venue before the strategy runs, so a restart after a crash never sends an order twice.
   */
  readonly journal?: { readonly path: string; readonly fsync?: FsyncPolicy };
  readonly logger?: Logger;
  /** The session's bus and clock; the venue plugin must have been created with the same ones. */
  readonly bus: EventBus;
  readonly clock: RealtimeClock;
  /** How start-up rides out a rate-limited, failing or unreachable venue (default: retry for up to 2 minutes). */
  readonly startupRetry?: Partial<StartupRetryPolicy>;
  /** How long `stop()` waits for submits in flight, and then for the venue to confirm our cancels (default 10 s each). */
  readonly shutdownTimeoutMs?: number;
}

/**
 * A paper or live session: the same kernel as a backtest on a real-time clock, with the venue's
 * live data port, and either the venue's execution (live) or the simulated venue (paper). Strategy
 * code does not change between modes.
 */
export class LiveSession {
  private kernel: Kernel | undefined;
  private recorder: MarketDataRecorder | undefined;
  private stopping: Promise<void> | undefined;
  private readonly log: Logger;
  private unsubscribeUsage: (() => void) | undefined;
  private journal: OrderJournal | undefined;
  private starting: Promise<void> | undefined;
  private startup: StartupRetry | undefined;
  private shutdownReport: ShutdownReport | undefined;

  constructor(private readonly options: LiveSessionOptions) {
    this.log = options.logger ?? silentLogger;
  }

  /** The running kernel (after `start`). */
  get engine(): Kernel {
    if (this.kernel === undefined) throw new AutotraderError('INTERNAL', 'the session has not started');
    return this.kernel;
  }

  /**
   * Starts the session (see `boot`). Venue trouble on the way (429/418, 5xx, network errors) is
   * waited out with one log line per wait, up to `startupRetry.maxWaitMs`, then STARTUP_FAILED. When
   * start-up fails, everything it opened (journal lock, sockets, timers, pools) is released before
   * the error is thrown, so the process can exit. Safe to call more than once.
   */
  start(): Promise<void> {
    this.starting ??= this.startOrRelease();
    return this.starting;
  }

  /** What `stop()` did with our orders, once it has finished. */
  get shutdown(): ShutdownReport | undefined {
    return this.shutdownReport;
  }

  private async startOrRelease(): Promise<void> {
    const startup = (this.startup = new StartupRetry(this.options.startupRetry, this.log.child('startup')));
    // The strategy is created before the market-data subscriptions, and its timers may place orders while
    // they are retried: a start-up that fails after that deals with those orders as a shutdown does.
    let sent = 0;
    const offSubmit = this.options.bus.on('submit', () => void sent++, { owner: 'engine:startup', priority: PRIORITY.engine });
    try {
      await this.boot(startup);
    } catch (error) {
      startup.finish();
      if (this.kernel !== undefined && sent > 0) {
        this.log.warn(`start-up failed after the strategy sent ${sent} order(s); stopping as at a shutdown before exiting`);
        const timeoutMs = this.options.shutdownTimeoutMs ?? 10_000;
        this.shutdownReport = await stopTrading(this.kernel, { keepOrders: this.options.keepOrders, submitTimeoutMs: timeoutMs, cancelTimeoutMs: timeoutMs, log: this.log }).catch(
          (e: unknown) => (this.log.error(`stopping after the failed start-up failed: ${String(e)}`), undefined),
        );
      }
      await this.release();
      throw error;
    } finally {
      offSubmit();
    }
    startup.finish();
  }

  /**
   * Start-up: instruments, then the execution connection, balances, positions and open orders, then
   * the market-data subscriptions, then the strategy.
   */
  private async boot(startup: StartupRetry): Promise<void> {
    // Every start-up request goes through the retry; orders never do.
    const o = { ...this.options, venue: startup.wrap(this.options.venue) };
    // The offline checks first (credentials): a user with no keys hears about the keys, not about DNS.
    if (o.paperExecution === undefined) this.options.venue.execution?.preflight?.();
    const all = await o.venue.loadInstruments();
    const byId = new Map(all.map((i) => [i.id, i]));
    const bySymbol = new Map(all.map((i) => [i.symbol, i]));
    const instruments = o.instrumentIds.map((id) => {
      const found = byId.get(id) ?? bySymbol.get(id.toUpperCase());
      if (found === undefined) {
        throw new AutotraderError('INSTRUMENT_UNKNOWN', `${o.venue.name} does not list '${id}'`, { details: { instrumentId: id } });
      }
      return found;
    });
    const paper = o.paperExecution !== undefined;
    const venueExecution = o.venue.execution;
    if (!paper && venueExecution === undefined) throw new AutotraderError('CAPABILITY_MISSING', `${o.venue.name} has no execution port; use paper mode`);
    // Live orders go through the guard: rate limits before sending, retries (same client order id), the circuit breaker.
    let kernelRef: Kernel | undefined;
    const execution =
      o.paperExecution ??
      new GuardedExecution(venueExecution!, {
        rateLimits: o.venue.rateLimits,
        requestWeights: o.venue.requestWeights,
        clock: o.clock,
        bus: o.bus,
        logger: this.log.child('guard'),
        policy: o.guard,
        onRecovered: (state) => {
          const order = kernelRef?.oms.get(state.clientOrderId);
          if (order !== undefined && kernelRef !== undefined) resolveFromVenue(kernelRef, order, state);
        },
      });
    if (execution instanceof GuardedExecution && o.venue.onUsage !== undefined) {
      const rules = o.venue.rateLimits ?? [];
      this.unsubscribeUsage = o.venue.onUsage((u) =>
        execution.reportUsage({ ...usageByInterval(rules, 'requests', u.usedWeight), ...usageByInterval(rules, 'orders', u.orderCount) }),
      );
    }

    let journal: OrderJournal | undefined;
    let recovered: RecoveredState | undefined;
    let prefix = sessionPrefix();
    // The account these keys trade, as the venue names it: the journal records it and refuses another's.
    const account = execution instanceof GuardedExecution ? await execution.venueAccount?.() : undefined;
    if (o.journal !== undefined && !paper) {
      const contents = readJournal(o.journal.path);
      checkJournalIdentity(contents.entries, o.journal.path, venueExecution!.venue, account?.accountId);
      if (contents.corruptLines.length > 0) {
        throw new AutotraderError('JOURNAL_CORRUPT', `${o.journal.path}: corrupt line(s) ${contents.corruptLines.join(', ')}; refusing to trade on a history we cannot read`);
      }
      if (contents.tornTail) this.log.warn(`${o.journal.path}: the last line was cut short by a crash; it is ignored`);
      recovered = recover(contents.entries);
      while (recovered.prefixes.includes(prefix)) prefix = sessionPrefix();
      journal = OrderJournal.open(o.journal.path, { fsync: o.journal.fsync ?? 'always' });
      this.journal = journal;
    }

    const accountConfig = sessionAccount(o.account, paper ? undefined : account);
    const kernel = new Kernel({
      clock: o.clock,
      bus: o.bus,
      instruments,
      account: accountConfig,
      ...(accountConfig.baseCurrency === undefined ? {} : { accountCurrency: accountConfig.baseCurrency }),
      execution,
      capabilities: paper ? undefined : o.venue.capabilities,
      startingBalances: paper ? paperBalances(instruments, accountConfig, o.paperCash) : {},
      errorPolicy: 'isolate',
      clientOrderIdPrefix: prefix,
      journal,
      venueAccount: account?.accountId,
      preTradeChecks: o.preTradeChecks,
      risk: o.risk,
      ackTimeoutMs: o.ackTimeoutMs ?? 5_000,
      reconcile: paper ? undefined : { unknownOrders: o.unknownOrders, ourPrefixes: recovered?.prefixes ?? [] },
      logger: this.log,
    });
    kernel.addStrategy(o.strategy, o.params);
    this.kernel = kernel;
    kernelRef = kernel;
    if (recovered !== undefined) kernel.restore(recovered);
    await kernel.connect();

    if (!paper) {
      // Books from the venue's snapshot, fills later than it on top: each fill counted exactly once.
      await kernel.syncWithVenue();
      const report = await kernel.reconcile();
      if (report.reported.length > 0) this.log.warn(`${report.reported.length} open order(s) already at ${o.venue.name} are not this session's; left alone (unknownOrders: report)`);
    }
    if (o.recordDir !== undefined) this.recorder = new MarketDataRecorder(o.bus, kernel.instruments, o.recordDir);

    // Strategies first, then exactly the data they asked for (bars built by the engine where the venue has none).
    const marketData = await startLiveMarketData(kernel, {
      data: o.venue.data,
      venueName: o.venue.name,
      capabilities: o.venue.capabilities,
      instrumentIds: instruments.map((i) => i.id),
      strategies: [o.strategy],
      extraKinds: o.dataKinds,
      bars: { interval: o.barInterval, quotePrice: o.barQuotePrice, closeDelayMs: o.barCloseDelayMs },
      logger: this.log,
    });
    this.log.info(`${paper ? 'paper' : 'live'} session started on ${o.venue.name}: ${marketData.description}`);
  }

  /**
   * Graceful shutdown, in this order: the strategy stops (timers and subscriptions removed, new
   * orders refused), market data stops, submits in flight are waited for, our open orders are
   * cancelled unless `keepOrders` and the venue's confirmations waited for (bounded; see
   * shutdown.ts), then the order connection, the journal (synced, lock released), the recording and
   * the venue's pools are closed. A stop during start-up interrupts it. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAfterStart();
    return this.stopping;
  }

  private async stopAfterStart(): Promise<void> {
    if (this.starting !== undefined) {
      this.startup?.abort('a shutdown was asked for');
      // A start-up that failed (or was interrupted) has released everything already.
      if (!(await this.starting.then(() => true, () => false))) return;
    }
    await this.doStop();
  }

  private async doStop(): Promise<void> {
    const kernel = this.kernel;
    if (kernel !== undefined) {
      kernel.stopStrategies();
      await this.options.venue.data.disconnect().catch((e: unknown) => this.log.warn(`data disconnect failed: ${String(e)}`));
      const timeoutMs = this.options.shutdownTimeoutMs ?? 10_000;
      this.shutdownReport = await stopTrading(kernel, { keepOrders: this.options.keepOrders, submitTimeoutMs: timeoutMs, cancelTimeoutMs: timeoutMs, log: this.log });
      // The final books, exact, for the user to check against the venue's own figures.
      this.log.info(describeBooks(kernel.portfolio, kernel.instruments));
    }
    await this.release();
  }

  /**
   * Closes whatever the session opened, in whatever state it is: the strategy, the order connection,
   * market data, usage listeners, the journal (synced, lock released), timers, the recording and
   * the venue's sockets and pools. Used by `stop()` and after a failed start-up.
   */
  private async release(): Promise<void> {
    const warn = (what: string) => (e: unknown) => this.log.warn(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    if (this.kernel !== undefined) await this.kernel.stop().catch(warn('order connection close'));
    await this.options.venue.data.disconnect().catch(warn('data disconnect'));
    await this.options.venue.execution?.disconnect().catch(warn('venue disconnect'));
    this.unsubscribeUsage?.();
    this.unsubscribeUsage = undefined;
    this.journal?.close();
    this.options.clock.cancelAll();
    if (this.recorder !== undefined) {
      const files = this.recorder.close();
      this.recorder = undefined;
      this.log.info(`recorded ${files.length} file(s) to ${this.options.recordDir}`);
    }
    await this.options.venue.close?.().catch(warn('venue close'));
  }
}

/**
 * The session's account: the configured one, with the venue's own account type and base currency
 * where the venue names them (a live key trades the account the venue says, whatever a config claims).
 * A bad field is CONFIG_INVALID naming `account.<field>`.
 */
function sessionAccount(input: AccountConfigInput | undefined, venue: VenueAccount | undefined): AccountConfig {
  const parsed = accountConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw new AutotraderError('CONFIG_INVALID', `invalid account: ${describeZodIssues(parsed.error.issues, 'account')}`, { details: { issues: parsed.error.issues } });
  const config = parsed.data;
  if (venue === undefined) return config;
  return { ...config, ...(venue.accountType === undefined ? {} : { type: venue.accountType }), ...(venue.baseCurrency === undefined ? {} : { baseCurrency: venue.baseCurrency }) };
}

/** A paper session's starting cash: in the account's base currency when it has one, else in each quote currency (as before). */
function paperBalances(instruments: readonly Instrument[], account: AccountConfig, cash: DecimalLike | undefined): Record<string, DecimalLike> {
  if (account.baseCurrency !== undefined) return { [account.baseCurrency]: cash ?? 0 };
  return Object.fromEntries(instruments.map((i) => [i.quote, cash ?? 0]));
}
