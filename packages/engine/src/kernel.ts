import {
  AutotraderError,
  ClientOrderIdFactory,
  EventBus,
  isAutotraderError,
  isOpen,
  money,
  price as toPrice,
  quantity as toQuantity,
  silentLogger,
  type Clock,
  type DecimalLike,
  type ExecutionPort,
  type AccountConfig,
  type ExecutionReport,
  type Instrument,
  type Logger,
  type Order,
  type OrderChanges,
  type OrderIntent,
  type OrderRejection,
  type OrderSnapshot,
  type StrategyDefinition,
  type StrategyHandle,
  type SubscriberErrorPolicy,
  type TradingState,
  type VenueCapabilities,
} from '@autotrader/core';
import { StaticInstrumentCatalog } from './instrument-catalog';
import { buildOrder } from './order-factory';
import { OrderManager, snapshot } from './oms';
import { Portfolio } from './portfolio';
import { createStrategyContext } from './strategy-context';
import { StrategyScope } from './strategy-scope';
import { StrategyGuard } from './strategy-guard';
import { validateParams } from './params';
import { killSwitchCheck, marginCheck, preTradeChecks, watchDailyLoss, type PreTradeCheck, type RiskConfig } from './risk';
import { reconcile, resolveFromVenue, type ReconcileReport, type UnknownOrderPolicy } from './reconcile';
import type { OrderJournal, RecoveredState } from './journal';
import { bookVenueDeltas, watchVenueBalances } from './venue-balances';

export type { PreTradeCheck } from './risk';


/** Everything a kernel is assembled from. Only the ports differ between backtest, paper and live. */
export interface KernelOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** The execution port, or a factory that receives the kernel's bus and clock (the simulated venue needs them). */
  readonly execution: ExecutionPort | ((ctx: { clock: Clock; bus: EventBus; instruments: readonly Instrument[]; logger: Logger }) => ExecutionPort);
  readonly capabilities?: VenueCapabilities;
  readonly startingBalances: Readonly<Record<string, DecimalLike>>;
  /** The currency equity is measured in (default: the quote currency of the first instrument). */
  readonly accountCurrency?: string;
  /** `throw` stops at the failing event (backtest); `isolate` removes the failing subscriber and carries on (live). */
  readonly errorPolicy?: SubscriberErrorPolicy;
  /** Prefix of client order ids: fixed for reproducible backtests, per session live. */
  readonly clientOrderIdPrefix?: string;
  readonly preTradeChecks?: readonly PreTradeCheck[];
  /** Pre-trade risk limits and the daily-loss kill switch. */
  readonly risk?: RiskConfig;
  /**
   * An order with no ack this long after it was sent is queried by its client order id, and then
   * resolved from the venue's answer; it is never assumed dead. Off when absent (backtests: the
   * simulated venue always answers).
   */
  readonly ackTimeoutMs?: number;
  /** How many unanswered queries before an order the venue does not know is resolved as rejected (default 3). */
  readonly ackQueries?: number;
  /** Every order command and venue report is appended here before it is acted on (live and paper). */
  readonly journal?: OrderJournal;
  /** The account the venue named (ExecutionPort.venueAccount), recorded in the journal's session line. */
  readonly venueAccount?: string;
  /** Reconcile with the venue after every reconnect. */
  readonly reconcile?: { readonly unknownOrders?: UnknownOrderPolicy; readonly ourPrefixes?: readonly string[] };
  readonly logger?: Logger;
  /** Sizes the equity curve up front (number of market events expected). */
  readonly expectedEvents?: number;
  /** The account's setup: cash or margin, base currency, margin rates, conversion rates (default: cash, one currency). */
  readonly account?: AccountConfig;
  readonly bus?: EventBus;
}

/** Bus priorities of the kernel's own subscribers: the venue matches first, then the portfolio marks, then strategies. */
export const PRIORITY = { venue: -1000, portfolio: -100, engine: -50, strategy: 0 } as const;

/**
 * The kernel: one bus, one clock, the OMS, the portfolio, the strategies and the ports. The same
 * object runs a backtest, a paper session and a live session; only the ports and the clock differ.
 */
export class Kernel {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly instruments: StaticInstrumentCatalog;
  readonly portfolio: Portfolio;
  readonly oms: OrderManager;
  readonly execution: ExecutionPort;
  readonly log: Logger;
  /** Catches what a try/catch cannot: async handlers that reject, and order floods (strategy-guard.ts). */
  readonly strategyGuard: StrategyGuard;
  private readonly ids: ClientOrderIdFactory;
  private readonly strategies: { definition: StrategyDefinition; params: unknown; handle?: StrategyHandle | void; scope?: StrategyScope }[] = [];
  /** Set by {@link stopStrategies}: from then on `submit` and `modify` refuse, so nothing new reaches the venue. */
  private stopping = false;
  /** Submits sent to the venue and not yet answered (each settles after its failure handling). */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly checks: PreTradeCheck[];
  private readonly replacements = new Map<string, OrderIntent>();
  private readonly policy: SubscriberErrorPolicy;
  private started = false;
  private state: TradingState = 'active';
  private readonly prefix: string;
  private reconciling: Promise<ReconcileReport> | undefined;
  private socketsDown = 0;
  private stateReason = 'start-up';
  private stopWatchingBalances: (() => void) | undefined;

  constructor(private readonly options: KernelOptions) {
    this.clock = options.clock;
    this.policy = options.errorPolicy ?? 'throw';
    this.bus = options.bus ?? new EventBus(this.policy, () => this.clock.now());
    this.bus.setErrorPolicy(this.policy);
    this.log = options.logger ?? silentLogger;
    this.strategyGuard = new StrategyGuard(this.policy, {
      isolated: (owner, error) => {
        this.log.error(error.message);
        // As the bus does for a handler that throws (its onIsolated hook, then `error`).
        this.bus.onIsolated?.(error);
        this.bus.publish('error', { source: owner, code: error.code, message: error.message, tsEvent: this.clock.now(), error });
      },
      warn: (message) => this.log.warn(message),
    });
    this.instruments = new StaticInstrumentCatalog(options.instruments);
    const currency = options.accountCurrency ?? options.instruments[0]?.quote ?? 'USD';
    const balances = Object.fromEntries(Object.entries(options.startingBalances).map(([c, v]) => [c, money(v)]));
    this.portfolio = new Portfolio(this.instruments, balances, currency, options.expectedEvents, options.account);
    this.oms = new OrderManager(this.bus, this.portfolio, () => this.clock.now(), (e) => this.anomaly(e));
    // A hedging account: a reduce-only order's fills close the opposite leg.
    this.portfolio.setReduceOnlyLookup((id) => this.oms.get(id)?.reduceOnly ?? false);
    this.prefix = options.clientOrderIdPrefix ?? 'bt';
    this.ids = new ClientOrderIdFactory(this.prefix);
    // The kill switch is checked first, the configured limits next, custom checks last.
    // A margin account checks margin before anything is sent (the venue checks it again).
    const margin = options.account?.type === 'margin' ? [marginCheck(options.account)] : [];
    this.checks = [killSwitchCheck(), ...preTradeChecks(options.risk ?? {}), ...margin, ...(options.preTradeChecks ?? [])];
    this.execution =
      typeof options.execution === 'function'
        ? options.execution({ clock: this.clock, bus: this.bus, instruments: options.instruments, logger: this.log.child('venue') })
        : options.execution;
    // Locked balances are what our open orders hold, as this venue holds them.
    this.portfolio.setOpenOrders(() => this.oms.open());
    this.portfolio.setBuyFeeHold(this.execution.buyFeeHold);

    // The portfolio marks positions on every market event, after the venue matched and before strategies run.
    const mark = { priority: PRIORITY.portfolio, owner: 'portfolio' };
    this.bus.on('bar', (b) => this.portfolio.mark(b.instrumentId, b.close, b.tsEvent), mark);
    this.bus.on('trade', (t) => this.portfolio.mark(t.instrumentId, t.price, t.tsEvent), mark);
    this.bus.on('quote', (q) => this.portfolio.mark(q.instrumentId, (q.bid + q.ask) / 2, q.tsEvent), mark);
    if (options.reconcile === undefined) {
      // Backtest and paper: the simulated venue's own changes to the account (financing) are booked too.
      this.stopWatchingBalances = bookVenueDeltas({ bus: this.bus, portfolio: this.portfolio, journal: options.journal });
    }
    if (options.reconcile !== undefined) {
      // The venue's own balance reports are compared with our ledger; its deposits and withdrawals booked.
      this.stopWatchingBalances = watchVenueBalances({ bus: this.bus, clock: this.clock, portfolio: this.portfolio, log: this.log, journal: options.journal });
      // Each socket that comes back triggers a reconciliation: with several sockets (market data, user
      // data) the one carrying our fills may be the last to return, and only a pass after it closes the gap.
      this.bus.on(
        'venueStatus',
        (e) => {
          if (e.state === 'reconnecting' || e.state === 'disconnected') this.socketsDown++;
          else if (e.state === 'connected' && this.socketsDown > 0) {
            this.socketsDown--;
            void this.reconcile().catch((error: unknown) => this.log.error(`reconciliation after reconnect failed: ${String(error)}`));
          }
        },
        { priority: PRIORITY.engine, owner: 'engine:reconcile' },
      );
    }
    this.oms.onStatusChange = (order) => {
      if (this.replacements.size > 0) this.onOrderEvent(order);
    };
  }

  /** The kill switch: `active`, `reducing` (only orders that reduce a position) or `halted` (no new orders). */
  get tradingState(): TradingState {
    return this.state;
  }

  /** Why the trading state is what it is. */
  get tradingStateReason(): string {
    return this.stateReason;
  }

  /**
   * Sets the kill switch. `halted` also cancels every open order of ours. Strategies see the change as
   * a `tradingState` event.
   */
  setTradingState(state: TradingState, reason: string): void {
    if (state === this.state && reason === this.stateReason) return;
    this.state = state;
    this.stateReason = reason;
    this.log.warn(`trading state → ${state}: ${reason}`);
    this.bus.publish('tradingState', { state, reason, tsEvent: this.clock.now() });
    if (state === 'halted') for (const o of this.oms.open()) void this.sendCancel(o);
  }

  /**
   * Compares our orders, fills and positions with the venue's and repairs ours (see reconcile.ts).
   * Runs one at a time; a call while one runs waits for it and starts another.
   */
  async reconcile(): Promise<ReconcileReport> {
    const previous = this.reconciling;
    const run = (async () => {
      await previous?.catch(() => {});
      const report = await reconcile(this, {
        ourPrefixes: [this.prefix, ...(this.options.reconcile?.ourPrefixes ?? [])],
        unknownOrders: this.options.reconcile?.unknownOrders,
      });
      this.log.info(
        `reconciled: ${report.fillsApplied} missed fill(s) applied, ${report.resolved.length} order(s) resolved, ${report.adopted.length} adopted, ${report.cancelled.length} cancelled, ${report.reported.length} reported${report.ok ? '' : '; POSITIONS DISAGREE: trading halted'}`,
      );
      return report;
    })();
    this.reconciling = run;
    return run;
  }

  /** Adds a strategy; its parameters are validated now (PARAM_INVALID names the field). */
  addStrategy(definition: StrategyDefinition, rawParams: unknown = {}): void {
    const params = validateParams(definition, rawParams);
    const missing = (definition.requires?.orderTypes ?? []).filter((t) => this.options.capabilities && !this.options.capabilities.orderTypes.includes(t));
    if (missing.length > 0) {
      throw new AutotraderError('CAPABILITY_MISSING', `strategy '${definition.name}' needs order types the venue lacks: ${missing.join(', ')}`);
    }
    this.strategies.push({ definition, params });
  }

  /** Adds a pre-trade check (risk rules plug in here). */
  addPreTradeCheck(check: PreTradeCheck): void {
    this.checks.push(check);
  }

  /** Connects the execution port and starts every strategy. */
  async start(): Promise<void> {
    await this.connect();
    this.startStrategies();
  }

  /** Connects the execution port (live sessions load balances and orders between this and {@link startStrategies}). */
  async connect(): Promise<void> {
    if (this.started) return;
    if (this.options.risk?.maxDailyLoss !== undefined) watchDailyLoss(this, this.options.risk.maxDailyLoss);
    this.options.journal?.append({ t: 'session', ts: this.clock.now(), prefix: this.prefix, venue: this.execution.venue, account: this.options.venueAccount });
    await this.execution.connect((report) => this.applyReport(report));
    this.started = true;
  }

  /** Creates every strategy: from here on they receive events. */
  startStrategies(): void {
    if (this.stopping) return;
    for (const s of this.strategies) {
      if (s.handle !== undefined) continue;
      const log = this.log.child(`strategy:${s.definition.name}`);
      const scope = (s.scope = new StrategyScope());
      this.runGuarded(`strategy:${s.definition.name}`, 'create', () => {
        const made: unknown = s.definition.create(createStrategyContext(this, s.definition.name, log, scope), s.params);
        // An async create returns a promise: its rejection is watched by runGuarded, its handle is not awaited.
        s.handle = made === undefined || typeof (made as PromiseLike<unknown>).then === 'function' ? {} : (made as StrategyHandle);
        return made;
      });
      scope.created();
    }
  }

  /** True once {@link stopStrategies} ran: new orders are refused. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * The first step of every shutdown: from now on `submit` and `modify` refuse (TRADING_HALTED,
   * "shutting down"), each strategy's `onStop` runs, and its bus listeners, timers and alerts are
   * removed, so none of its code runs any more. Safe to call twice.
   */
  stopStrategies(): void {
    if (this.stopping) return;
    this.stopping = true;
    // Orders the strategy sent that are still queued (rate limit, backoff) must not leave after the stop began.
    this.execution.withholdOrders?.('the session is shutting down');
    for (const s of this.strategies) {
      if (s.handle !== undefined) this.runGuarded(`strategy:${s.definition.name}`, 'stop', () => (s.handle as StrategyHandle).onStop?.());
      s.scope?.dispose(this.clock);
    }
  }

  /** Submits sent to the venue whose request has not been answered yet. */
  get submitsInFlight(): number {
    return this.inFlight.size;
  }

  /** Resolves when every submit in flight now has been answered (accepted, refused or given up on) and handled. */
  async settleSubmits(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Requests a cancel of every open order of ours (an order whose submit had an unknown outcome
   * included: the venue answers "unknown order" if it never got it). Resolves when the venue has
   * answered each request; the orders close when their cancel reports arrive.
   */
  async cancelOpenOrders(): Promise<void> {
    await Promise.allSettled(this.oms.open().map((o) => this.sendCancel(o)));
  }

  /** Stops strategies, waits for submits in flight, optionally cancels our open orders, and disconnects. */
  async stop(options: { cancelOpenOrders?: boolean } = {}): Promise<void> {
    this.stopStrategies();
    if (!this.started) return;
    await this.settleSubmits();
    if (options.cancelOpenOrders) await this.cancelOpenOrders();
    await this.execution.disconnect();
    this.stopWatchingBalances?.();
    this.started = false;
  }

  /**
   * Runs strategy code outside a bus dispatch (create, stop, timers) under the same error policy as
   * bus subscribers: rethrow as STRATEGY_ERROR, or isolate and publish `error`. A promise `fn` returns
   * (an async timer callback or create) is watched the same way (strategy-guard.ts).
   */
  runGuarded(owner: string, what: string, fn: () => unknown): void {
    try {
      const result = fn();
      if (result !== undefined) this.strategyGuard.watch(result, owner, what);
    } catch (error) {
      const wrapped =
        isAutotraderError(error) && (error.code === 'SUBSCRIBER_ERROR' || error.code === 'STRATEGY_ERROR')
          ? error
          : new AutotraderError('STRATEGY_ERROR', `${owner} threw in ${what}: ${error instanceof Error ? error.message : String(error)}`, {
              cause: error,
              details: { owner, what },
            });
      if (this.policy === 'throw') throw wrapped;
      this.log.error(wrapped.message);
      this.bus.publish('error', { source: owner, code: wrapped.code, message: wrapped.message, tsEvent: this.clock.now(), error: wrapped });
    }
  }

  /** Sends an order through the pre-trade checks and the OMS to the venue. */
  submit(intent: OrderIntent): OrderSnapshot {
    const now = this.clock.now();
    if (!this.instruments.has(intent.instrumentId)) {
      // A rejected order, as documented, not a throw that ends the run (issue 11).
      const unknown = new AutotraderError('INSTRUMENT_UNKNOWN', `no instrument '${String(intent.instrumentId)}' in this run`, { details: { instrumentId: intent.instrumentId } });
      return this.rejectLocally(intent, String(intent.instrumentId), unknown, now);
    }
    const instrument = this.instruments.get(intent.instrumentId);
    let order: Order;
    try {
      order = buildOrder(intent, instrument, this.ids, now, this.portfolio.lastPrice(instrument.id));
    } catch (error) {
      if (!isAutotraderError(error)) throw error;
      return this.rejectLocally(intent, instrument.id, error, now);
    }
    this.oms.add(order);
    if (this.stopping) {
      // Once the shutdown began nothing new reaches the venue, whoever asks (a strategy's own setTimeout included).
      order.rejection = { code: 'TRADING_HALTED', message: 'the session is shutting down: no new orders are sent' };
      this.oms.setStatus(order, 'rejected', now);
      return snapshot(order);
    }
    for (const check of this.checks) {
      const rejection = check(order, this);
      if (rejection !== undefined) {
        order.rejection = rejection;
        this.oms.setStatus(order, 'rejected', now);
        return snapshot(order);
      }
    }
    this.oms.setStatus(order, 'submitted', now);
    const sent = snapshot(order);
    // On disk before it leaves the process: after a crash we know it may be at the venue.
    this.options.journal?.append({ t: 'submit', ts: now, order: sent });
    if (this.bus.hasListeners('submit')) this.bus.publish('submit', { order: sent, tsEvent: now });
    let pending: Promise<void> | void;
    try {
      pending = this.execution.submit(sent);
    } catch (error) {
      this.onSendFailure(order, error);
      return snapshot(order);
    }
    if (pending !== undefined) {
      // Tracked until answered: a shutdown waits for it, then cancels the order if it was placed.
      const answered = pending.catch((error: unknown) => this.onSendFailure(order, error));
      const done = (): void => void this.inFlight.delete(answered);
      this.inFlight.add(answered);
      answered.then(done, done);
    }
    if (this.options.ackTimeoutMs !== undefined) this.armAckTimeout(order, 1);
    return sent;
  }

  private armAckTimeout(order: Order, attempt: number): void {
    this.clock.setAlert(`engine:ack:${order.clientOrderId}`, this.clock.now() + this.options.ackTimeoutMs!, () => {
      void this.onAckTimeout(order, attempt).catch((error: unknown) => this.log.error(`ack timeout handling for ${order.clientOrderId} failed: ${String(error)}`));
    });
  }

  /** No ack in time: ask the venue by client order id, then apply its answer. */
  private async onAckTimeout(order: Order, attempt: number): Promise<void> {
    if (order.status !== 'submitted') return;
    const queries = this.options.ackQueries ?? 3;
    this.log.warn(`no ack for ${order.clientOrderId} after ${attempt * this.options.ackTimeoutMs!} ms; querying the venue`);
    let state;
    try {
      state = await this.execution.order(order.clientOrderId, order.instrumentId);
    } catch (error) {
      this.log.warn(`query of ${order.clientOrderId} failed: ${String(error)}; will ask again`);
      this.armAckTimeout(order, attempt + 1);
      return;
    }
    if (order.status !== 'submitted') return; // the ack arrived while we asked
    if (state !== undefined) {
      resolveFromVenue(this, order, state);
      if (state.filledQuantity.gt(order.filledQuantity) && this.execution.fillsSince !== undefined) {
        for (const fill of await this.execution.fillsSince(order.instrumentId, order.tsCreated - 60_000)) {
          if (fill.clientOrderId === order.clientOrderId && !this.oms.hasFill(fill.instrumentId, fill.tradeId)) this.applyReport({ kind: 'fill', fill });
        }
      }
      return;
    }
    if (attempt < queries) {
      this.armAckTimeout(order, attempt + 1);
      return;
    }
    this.applyReport({
      kind: 'rejected',
      clientOrderId: order.clientOrderId,
      code: 'VENUE_TIMEOUT',
      reason: `no ack, and the venue did not know the order after ${queries} queries`,
      tsEvent: this.clock.now(),
    });
  }

  /** Requests a cancel. Unknown ids throw ORDER_UNKNOWN; orders already closed are left alone. */
  cancel(clientOrderId: string): void {
    void this.sendCancel(this.oms.require(clientOrderId));
  }

  private sendCancel(order: Order): Promise<void> {
    if (!isOpen(order.status) || order.status === 'pending_cancel') return Promise.resolve();
    this.options.journal?.append({ t: 'cancel', ts: this.clock.now(), clientOrderId: order.clientOrderId });
    this.oms.setStatus(order, 'pending_cancel');
    this.bus.publish('cancel', { clientOrderId: order.clientOrderId, tsEvent: this.clock.now() });
    try {
      const pending = this.execution.cancel(snapshot(order));
      if (pending !== undefined) return pending.catch((error: unknown) => this.onCancelFailure(order, error));
    } catch (error) {
      this.onCancelFailure(order, error);
    }
    return Promise.resolve();
  }

  /** Cancels every open order, optionally of one instrument. */
  cancelAll(instrumentId?: string): void {
    this.bus.publish('cancelAll', { instrumentId, tsEvent: this.clock.now() });
    for (const o of this.oms.open(instrumentId)) this.cancel(o.clientOrderId);
  }

  /**
   * Modifies an order: natively where the venue amends in place, otherwise by cancel and replace,
   * done here (not in the plugin) so every venue behaves the same.
   */
  modify(clientOrderId: string, changes: OrderChanges): void {
    const order = this.oms.require(clientOrderId);
    if (!isOpen(order.status)) return;
    if (this.stopping) {
      // A modify places an order (cancel-replace): refused like a submit once the shutdown began.
      this.log.warn(`modify of ${clientOrderId} refused: the session is shutting down`);
      return;
    }
    this.bus.publish('modify', { clientOrderId, changes, tsEvent: this.clock.now() });
    const venueChanges = {
      quantity: changes.quantity === undefined ? undefined : toQuantity(changes.quantity as DecimalLike),
      price: changes.price === undefined ? undefined : toPrice(changes.price as DecimalLike),
      triggerPrice: changes.triggerPrice === undefined ? undefined : toPrice(changes.triggerPrice as DecimalLike),
    };
    // Native only where the venue amends this very order in place (Coinbase: limit GTC); the rest is cancel-replace.
    const amend = this.execution.modify?.bind(this.execution);
    const native = amend !== undefined && (this.options.capabilities?.nativeModify ?? true) && (this.execution.canModify?.(snapshot(order), venueChanges) ?? true);
    if (native) {
      this.options.journal?.append({
        t: 'modify',
        ts: this.clock.now(),
        clientOrderId,
        changes: { quantity: venueChanges.quantity?.toString(), price: venueChanges.price?.toString(), triggerPrice: venueChanges.triggerPrice?.toString() },
      });
      this.oms.setStatus(order, 'pending_update');
      // A refused amendment is a modifyRejected (journaled like every report): the order stands as it was.
      const refused = (error: unknown): void => {
        const e = isAutotraderError(error) ? error : new AutotraderError('INTERNAL', String(error), { cause: error });
        this.applyReport({ kind: 'modifyRejected', clientOrderId, reason: e.message, tsEvent: this.clock.now() });
        this.anomaly(e);
      };
      try {
        amend(snapshot(order), venueChanges)?.catch(refused);
      } catch (error) {
        refused(error);
      }
      return;
    }
    const remaining = (changes.quantity === undefined ? order.quantity : toQuantity(changes.quantity as DecimalLike)).minus(order.filledQuantity);
    this.replacements.set(clientOrderId, {
      instrumentId: order.instrumentId,
      side: order.side,
      type: order.type,
      quantity: remaining.toString(),
      price: changes.price ?? order.price,
      triggerPrice: changes.triggerPrice ?? order.triggerPrice,
      trailingOffset: order.trailingOffset,
      timeInForce: order.timeInForce,
      expireAt: order.expireAt,
      postOnly: order.postOnly,
      reduceOnly: order.reduceOnly,
      tag: order.tag,
    });
    this.cancel(clientOrderId);
  }

  /** Snapshots of open orders. */
  openOrders(instrumentId?: string): OrderSnapshot[] {
    return this.oms.open(instrumentId).map(snapshot);
  }

  /** One order's snapshot. */
  order(clientOrderId: string): OrderSnapshot | undefined {
    const o = this.oms.get(clientOrderId);
    return o === undefined ? undefined : snapshot(o);
  }

  /**
   * Applies what the venue says (a stream report, the answer to a query, or what reconciliation
   * found): journaled first, then applied. Every change to our orders and books that comes from the
   * venue goes through here, so a restart replays exactly what was applied.
   */
  applyReport(report: ExecutionReport): void {
    // An order the venue made itself (a closeout, a settlement at expiry): adopted, journaled as such, before its fills arrive.
    if (report.kind === 'venueOrder') {
      this.log.warn(`the venue ${report.reason === 'closeout' ? 'closed out' : 'settled'} ${report.order.side === 'buy' ? 'a short' : 'a long'} position of ${report.order.quantity.toString()} ${report.order.instrumentId} (${report.reason}, order ${report.clientOrderId})`);
      return this.adoptOrder(report.order);
    }
    this.options.journal?.append({ t: 'report', ts: this.clock.now(), report });
    this.oms.apply(report);
  }

  /** Takes over an order found at the venue (reconciliation), journaled first. */
  adoptOrder(order: Order): void {
    if (this.oms.get(order.clientOrderId) !== undefined) return;
    this.options.journal?.append({ t: 'adopt', ts: this.clock.now(), order: snapshot(order) });
    this.oms.adopt(order);
  }

  /**
   * Sets our balances and positions to the venue's snapshot, then re-applies the fills already booked
   * that are later than it (live start-up). A fill at or before the snapshot is in it and is never
   * counted again, whether it comes from the journal, the stream or a query: a restart counts every
   * fill exactly once, whatever happened while the process was down.
   */
  async syncWithVenue(): Promise<void> {
    const balances = await this.execution.balances();
    const needsPositions = this.instruments.list().some((i) => !(i.assetClass === 'spot' && i.base !== i.quote));
    const positions = needsPositions ? (await this.execution.positions()).filter((p) => this.instruments.has(p.instrumentId)) : [];
    // The snapshot holds everything up to its newest balance change (venue time); none: it holds everything until now.
    const asOf = balances.length > 0 ? Math.max(...balances.map((b) => b.tsEvent)) : this.clock.now();
    this.portfolio.rebase(balances, positions, asOf);
    const replayed = this.portfolio.replayAfter(this.oms.allFills());
    this.log.info(`books set from the venue's balances as of ${new Date(asOf).toISOString()}${replayed > 0 ? `; ${replayed} later fill(s) applied on top` : ''}`);
  }

  /**
   * Loads the state recovered from the journal after a restart. Call before `connect`; then
   * `reconcile` settles every order that was open or in flight when the process died.
   */
  restore(state: RecoveredState): void {
    for (const id of state.orders.map((o) => o.clientOrderId)) this.ids.skipPast(id);
    this.oms.restore(state.orders, state.fills);
    this.log.info(`restored from the journal: ${state.orders.length} order(s), ${state.fills.length} fill(s), ${state.openOrders.length} open, ${state.inFlight.length} in flight`);
  }

  private onOrderEvent(order: Order): void {
    const replacement = this.replacements.get(order.clientOrderId);
    if (replacement === undefined) return;
    if (order.status === 'canceled') {
      this.replacements.delete(order.clientOrderId);
      if (toQuantity(replacement.quantity as DecimalLike).isPositive() && !toQuantity(replacement.quantity as DecimalLike).isZero()) this.submit(replacement);
    } else if (!isOpen(order.status) || order.status === 'accepted' || order.status === 'partially_filled') {
      // filled first, or the cancel was refused: nothing to replace
      if (order.status !== 'partially_filled') this.replacements.delete(order.clientOrderId);
    }
  }

  private rejectLocally(intent: OrderIntent, instrumentId: string, error: AutotraderError, now: number): OrderSnapshot {
    // The order never existed at the venue; record it so the strategy can see why.
    const order: Order = {
      clientOrderId: this.ids.create(),
      instrumentId,
      side: intent.side,
      type: intent.type ?? (intent.price === undefined ? 'market' : 'limit'),
      quantity: toQuantity(0),
      timeInForce: intent.timeInForce ?? 'GTC',
      postOnly: intent.postOnly ?? false,
      reduceOnly: intent.reduceOnly ?? false,
      status: 'initialized',
      filledQuantity: toQuantity(0),
      fees: money(0),
      tsCreated: now,
      tsUpdated: now,
      rejection: { code: error.code, message: error.message },
      tag: intent.tag,
    };
    this.oms.add(order);
    this.oms.setStatus(order, 'rejected', now);
    return snapshot(order);
  }

  private onSendFailure(order: Order, error: unknown): void {
    const e = isAutotraderError(error) ? error : new AutotraderError('INTERNAL', String(error), { cause: error });
    // Refused, or certainly never placed (failed before the venue had it): the order is dead.
    if (order.status === 'submitted' && (!e.retryable || e.details.outcomeUnknown !== true)) {
      order.rejection = { code: e.code, message: e.message };
      // Journaled, so a restart knows this order never reached the venue.
      this.options.journal?.append({ t: 'status', ts: this.clock.now(), clientOrderId: order.clientOrderId, status: 'rejected', reason: e.message, code: e.code });
      this.oms.setStatus(order, 'rejected');
      return;
    }
    // Outcome unknown: the order may exist at the venue. Never assume it is dead.
    this.anomaly(e);
  }

  private onCancelFailure(order: Order, error: unknown): void {
    const e = isAutotraderError(error) ? error : new AutotraderError('INTERNAL', String(error), { cause: error });
    this.applyReport({ kind: 'cancelRejected', clientOrderId: order.clientOrderId, reason: e.message, tsEvent: this.clock.now() });
    this.anomaly(e);
  }

  private anomaly(error: AutotraderError): void {
    if (this.policy === 'throw') throw error;
    this.log.warn(error.message, { code: error.code });
    this.bus.publish('error', { source: 'oms', code: error.code, message: error.message, tsEvent: this.clock.now(), error });
  }
}
