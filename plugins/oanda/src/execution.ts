import type { Dispatcher } from 'undici';
import {
  AutotraderError,
  Decimal,
  isAutotraderError,
  money,
  price,
  quantity,
  ZERO,
  type AccountSummary,
  type Balance,
  type Clock,
  type EventBus,
  type ExecutionPort,
  type ExecutionReport,
  type ExecutionReportSink,
  type Fill,
  type Logger,
  type OrderSnapshot,
  type VenueAccount,
  type VenueOrderChanges,
  type VenueOrderReason,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import { checkFrame, deliverOnce, RecentKeys, reportSkippedFrame, venueStateOf, type FrameProblemSink, type LineStream } from '@autotrader/venue-kit';
import { accountSummaryOf, balanceOf, fetchSummary, venuePositionOf } from './account';
import type { OandaConfig } from './config';
import type { OandaHttp } from './http';
import { checkOrderSize, type OandaInstrumentRules, type OandaInstruments } from './instruments';
import {
  cancelResponseSchema,
  changesAnswerSchema,
  clientSpecifier,
  decOf,
  fillOf,
  instrumentIdOf,
  instrumentNameOf,
  ORDER_CREATE_TYPES,
  orderAnswerSchema,
  orderRequestBody,
  orderResponseSchema,
  ordersAnswerSchema,
  orderStateOf,
  ourClientOrderId,
  parseTime,
  positionsAnswerSchema,
  reasonCode,
  reasonText,
  replaceRequestBody,
  tradesAnswerSchema,
  transactionAnswerSchema,
  transactionHeartbeatSchema,
  transactionPagesSchema,
  transactionSchema,
  transactionsAnswerSchema,
  VENUE,
  venueMadeClientOrderId,
  venueReasonOf,
  type OandaOrder,
  type OandaTransaction,
  type OrderResponse,
} from './mapping';
import { oandaStream } from './streams';

/** What the execution port needs from the plugin. */
export interface OandaExecutionOptions {
  readonly streamUrl: string;
  readonly http: OandaHttp;
  readonly instruments: OandaInstruments;
  readonly accountId: () => Promise<string>;
  readonly token: () => string;
  readonly practice: boolean;
  readonly dispatcher: Dispatcher;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<OandaConfig, 'stallMs' | 'timeouts' | 'reconnect'>;
}

const SOURCE = 'oanda:execution';
/** Transaction types that open an order of ours only when they carry our client id. */
const REJECT_SUFFIX = '_ORDER_REJECT';
/** Order types we place (dependent orders such as TAKE_PROFIT are not ours to report). */
const OUR_ORDER_TYPES = new Set(['MARKET', 'LIMIT', 'STOP', 'MARKET_IF_TOUCHED']);

/** What we know of one order: its current venue id (a replace changes it), its type, whether it was reported accepted. */
interface OrderTrack {
  clientOrderId: string;
  orderId: string;
  readonly market: boolean;
  readonly instrument: string;
  /** Why the venue made it, when it did (a margin closeout) or when another tool placed it. */
  readonly venueMade?: VenueOrderReason;
  /** The create's batch: a cancel in the same batch refused the order rather than cancelling it. */
  readonly batchID?: string;
}

const byId = (a: OandaTransaction, b: OandaTransaction): number => Number(a.id) - Number(b.id);

/**
 * The OANDA execution port. Orders go out over REST (`POST /orders`, `PUT /orders/@clientID`,
 * `PUT /orders/@clientID/cancel`) with our client order id in `clientExtensions.id`; every report comes
 * from v20 transactions, whichever way they arrive (the 201 answer, the transaction stream, or
 * `/transactions/sinceid`), each passed on once by its transaction id:
 *
 * - `<TYPE>_ORDER` → accepted (a resting order), or `updated` with the new venue order id when it
 *   replaces one of ours (a native modify), or a `venueOrder` report when OANDA made it (margin closeout);
 * - `ORDER_FILL` → our fill (OANDA's `pl` as the account P/L, commission as the fee, `closes` when it
 *   closed trades), its financing as a `venueBalance` delta; a fill of an order not ours is a closeout;
 * - `ORDER_CANCEL` → rejected (in the batch that created the order: INSUFFICIENT_MARGIN …), expired
 *   (TIME_IN_FORCE_EXPIRED), or canceled;
 * - `DAILY_FINANCING` and `TRANSFER_FUNDS` → `venueBalance` deltas.
 *
 * The transaction stream is applied in id order: a line past the next id, or a heartbeat whose
 * `lastTransactionID` is ahead of what was applied, fetches `/transactions/sinceid` and applies what was
 * missed, none skipped and none twice; every reopen does the same first.
 */
export class OandaExecutionPort implements ExecutionPort {
  readonly venue = VENUE;
  private sink: ExecutionReportSink | undefined;
  private stream: LineStream | undefined;
  private readonly seen = new RecentKeys();
  private readonly problems: FrameProblemSink;
  private running = false;
  private account: { id: string; currency: string; hedging: boolean } | undefined;
  /** Every transaction id up to this one was applied (from the stream or sinceid). */
  private cursor = 0;
  /** Applies transactions one batch at a time, in order. */
  private chain: Promise<void> = Promise.resolve();
  /** A catch-up from sinceid is queued or running. */
  private catchingUp = false;
  private readonly byClient = new Map<string, OrderTrack>();
  private readonly byOrder = new Map<string, OrderTrack>();
  /** The last summary read and the transaction it was read at: `/changes` goes on from there. */
  private summaryBase: { balance: Decimal; lastTransactionID: string; currency: string } | undefined;

  constructor(private readonly o: OandaExecutionOptions) {
    this.problems = { name: 'OANDA transaction stream', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
  }

  /** Offline: the token must be set (AUTH_MISSING names OANDA_API_TOKEN). */
  preflight(): void {
    this.o.token();
  }

  /**
   * Reads the account (currency, hedging, last transaction id), then opens the transaction stream; from
   * then on every transaction is applied once, in order.
   */
  async connect(sink: ExecutionReportSink): Promise<void> {
    this.preflight();
    this.sink = sink;
    if (this.running) return;
    const account = await this.loadAccount();
    if (this.cursor === 0) this.cursor = Number(account.lastTransactionID);
    const stream = oandaStream({
      name: 'OANDA transaction stream',
      url: () => `${this.o.streamUrl}/v3/accounts/${account.id}/transactions/stream`,
      token: this.o.token,
      practice: this.o.practice,
      dispatcher: this.o.dispatcher,
      config: this.o.config,
      logger: this.o.logger,
      // After every (re)open: what was missed while the stream was down, from sinceid.
      onOpen: () => this.enqueue(() => this.catchUp('stream opened')),
      onLine: (value) => this.onStreamLine(value),
      onHeartbeat: (value) => this.onHeartbeat(value),
      onMalformed: (line, reason) => reportSkippedFrame(this.problems, `${reason}: ${line.slice(0, 80)}`),
      onState: (state, reason) => this.o.bus.publish('venueStatus', { venue: VENUE, state: venueStateOf(state, this.running), reason, tsEvent: this.o.clock.now() }),
    });
    this.stream = stream;
    await stream.start();
    this.running = true;
  }

  /** Closes the transaction stream. */
  async disconnect(): Promise<void> {
    this.running = false;
    const s = this.stream;
    this.stream = undefined;
    await s?.close();
  }

  /** The account this port trades: a margin account in the account's currency. */
  async venueAccount(): Promise<VenueAccount> {
    const a = await this.loadAccount();
    return { accountId: a.id, accountType: 'margin', baseCurrency: a.currency };
  }

  /**
   * Places an order; resolves when OANDA has answered. A market order usually fills inside the 201
   * (`orderFillTransaction`), and a 201 may carry `orderCancelTransaction` instead (INSUFFICIENT_MARGIN,
   * FIFO_VIOLATION …): that is a rejection of the order, reported, not an error of the request.
   * CLIENT_ORDER_ID_ALREADY_EXISTS (a resend after an unknown outcome) looks the order up instead.
   */
  async submit(order: OrderSnapshot): Promise<void> {
    this.requireSink();
    this.o.token();
    const account = await this.loadAccount();
    const rules = await this.o.instruments.requireRules(order.instrumentId);
    checkOrderSize(order, rules);
    if (order.reduceOnly && account.hedging) await this.checkFifo(order, rules, account.id);
    const body = orderRequestBody(order, rules);
    let answer: OrderResponse;
    try {
      answer = await this.o.http.request('POST', `/v3/accounts/${account.id}/orders`, orderResponseSchema, { body, kind: 'order' });
    } catch (error) {
      if (!isAutotraderError(error) || error.details.venueCode !== 'CLIENT_ORDER_ID_ALREADY_EXISTS') throw error;
      // OANDA has an order with this id: ours, sent before (a resend after an unknown outcome). Report it as it is.
      const state = await this.order(order.clientOrderId, order.instrumentId);
      if (state === undefined) throw error;
      this.o.logger.info(`OANDA already has order ${order.clientOrderId} (${state.venueOrderId}); not sending it again`);
      return;
    }
    await this.applyAnswer(answer);
  }

  /** Cancels by `@clientID`. An order OANDA no longer has pending is resolved from its state (its fill or its end is reported); one it does not know is ORDER_UNKNOWN. */
  async cancel(order: OrderSnapshot): Promise<void> {
    this.requireSink();
    const account = await this.loadAccount();
    try {
      const answer = await this.o.http.request('PUT', `/v3/accounts/${account.id}/orders/${clientSpecifier(order.clientOrderId)}/cancel`, cancelResponseSchema, { kind: 'order' });
      await this.enqueue(() => this.applyAll([answer.orderCancelTransaction]));
    } catch (error) {
      if (!isAutotraderError(error) || error.code !== 'ORDER_UNKNOWN') throw error;
      const state = await this.order(order.clientOrderId, order.instrumentId);
      if (state === undefined) throw new AutotraderError('ORDER_UNKNOWN', `OANDA has no order ${order.clientOrderId}: ${error.message}`, { details: { ...error.details, clientOrderId: order.clientOrderId } });
      if (state.status === 'accepted') throw error;
    }
  }

  /** Limit and stop orders are replaced natively; market orders never rest. */
  canModify(order: OrderSnapshot): boolean {
    return order.type === 'limit' || order.type === 'stop' || order.type === 'market_if_touched';
  }

  /**
   * A native modify: `PUT /orders/@clientID` with the replacement (same type, our client id passed on).
   * OANDA cancels the order (CLIENT_REQUEST_REPLACED) and creates a new one with a new order id: the
   * report is `updated` with that venue order id; our client order id stays. An order no longer pending
   * is ORDER_UNKNOWN.
   */
  async modify(order: OrderSnapshot, changes: VenueOrderChanges): Promise<void> {
    this.requireSink();
    if (!this.canModify(order)) throw new AutotraderError('ORDER_TYPE_UNSUPPORTED', `OANDA replaces pending limit and stop orders only; ${order.clientOrderId} is a ${order.type} order`, { details: { clientOrderId: order.clientOrderId } });
    const account = await this.loadAccount();
    const rules = await this.o.instruments.requireRules(order.instrumentId);
    const body = replaceRequestBody(order, changes, rules);
    checkOrderSize({ clientOrderId: order.clientOrderId, quantity: quantity(changes.quantity ?? order.quantity) }, rules);
    const answer = await this.o.http.request('PUT', `/v3/accounts/${account.id}/orders/${clientSpecifier(order.clientOrderId)}`, orderResponseSchema, { body, kind: 'order' });
    await this.applyAnswer(answer);
  }

  /**
   * One order by `@clientID`, undefined when OANDA does not know it. What the venue's state shows that
   * was not reported yet is reported now (its acceptance, its fill from the filling transaction, its
   * end): this is how a submit whose outcome was unknown is resolved.
   */
  async order(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined> {
    const account = await this.loadAccount();
    let o: OandaOrder;
    try {
      o = (await this.o.http.request('GET', `/v3/accounts/${account.id}/orders/${clientSpecifier(clientOrderId)}`, orderAnswerSchema)).order;
    } catch (error) {
      if (isAutotraderError(error) && (error.code === 'ORDER_UNKNOWN' || (error.details.status === 404 && error.code !== 'AUTH_FAILED'))) return undefined;
      throw error;
    }
    const related = [o.fillingTransactionID, o.cancellingTransactionID].filter((x): x is string => x !== undefined);
    const txs: OandaTransaction[] = [];
    for (const id of related) txs.push((await this.o.http.request('GET', `/v3/accounts/${account.id}/transactions/${id}`, transactionAnswerSchema)).transaction);
    await this.enqueue(async () => {
      const track = this.trackOf(o, clientOrderId);
      if (o.state === 'PENDING' || o.state === 'TRIGGERED') this.emitAccepted(track);
      this.applyAll(txs);
    });
    const state = orderStateOf(o, clientOrderId);
    return { ...state, instrumentId: o.instrument !== undefined ? state.instrumentId : instrumentId };
  }

  /** Pending orders (of one instrument), ours by their client id, others by their order id. */
  async openOrders(instrumentId?: string): Promise<VenueOrderState[]> {
    const account = await this.loadAccount();
    const query = instrumentId !== undefined ? ([['instrument', instrumentNameOf(instrumentId)]] as const) : [];
    const answer = await this.o.http.request('GET', `/v3/accounts/${account.id}/pendingOrders`, ordersAnswerSchema, { query });
    return answer.orders
      .filter((o) => OUR_ORDER_TYPES.has(o.type) && (instrumentId === undefined || o.instrument === instrumentNameOf(instrumentId)))
      .map((o) => orderStateOf(o, o.clientExtensions?.id !== undefined ? ourClientOrderId(o.clientExtensions.id) : o.id));
  }

  /** Open positions: net units, and the long and short legs apart on a hedging account. */
  async positions(): Promise<VenuePosition[]> {
    const account = await this.loadAccount();
    const answer = await this.o.http.request('GET', `/v3/accounts/${account.id}/openPositions`, positionsAnswerSchema);
    return answer.positions.map((p) => venuePositionOf(p, account.hedging)).filter((p): p is VenuePosition => p !== undefined);
  }

  /** The account's balance in its currency (margin used as locked). */
  async balances(): Promise<Balance[]> {
    const account = await this.loadAccount();
    const s = await fetchSummary(this.o.http, account.id);
    this.summaryBase = { balance: new Decimal(s.balance), lastTransactionID: s.lastTransactionID, currency: s.currency };
    return [balanceOf(s, this.o.clock.now())];
  }

  /**
   * OANDA's figures (balance, NAV, unrealized P/L, margin used and available): from `/summary` the
   * first time, then from `/changes?sinceTransactionID=` (the state now, the balance from the last
   * transaction that changed it), for the engine to compare with its own.
   */
  async accountSummary(): Promise<AccountSummary> {
    const account = await this.loadAccount();
    const now = this.o.clock.now();
    const base = this.summaryBase;
    if (base !== undefined) {
      try {
        const c = await this.o.http.request('GET', `/v3/accounts/${account.id}/changes`, changesAnswerSchema, { query: [['sinceTransactionID', base.lastTransactionID]] });
        if (c.state !== undefined) {
          const txs = (c.changes?.transactions ?? []).map((t) => transactionSchema.safeParse(t)).flatMap((r) => (r.success ? [r.data] : []));
          const lastBalance = txs.filter((t) => t.accountBalance !== undefined).sort(byId).pop()?.accountBalance;
          const balance = lastBalance !== undefined ? new Decimal(lastBalance) : base.balance;
          this.summaryBase = { balance, lastTransactionID: c.lastTransactionID, currency: base.currency };
          return {
            accountType: 'margin',
            baseCurrency: base.currency,
            balance: money(balance),
            unrealizedPnl: money(c.state.unrealizedPL),
            nav: money(c.state.NAV),
            marginUsed: money(c.state.marginUsed),
            marginAvailable: money(c.state.marginAvailable),
            tsEvent: now,
          };
        }
      } catch (error) {
        this.o.logger.debug('OANDA /changes failed; reading /summary instead', { error });
      }
    }
    const s = await fetchSummary(this.o.http, account.id);
    this.summaryBase = { balance: new Decimal(s.balance), lastTransactionID: s.lastTransactionID, currency: s.currency };
    return accountSummaryOf(s, now);
  }

  /**
   * Our fills of one instrument at or after `since`, oldest first: the transaction pages from `since`
   * (`GET /transactions?from=&type=ORDER_FILL`), each page read with `/transactions/idrange`.
   */
  async fillsSince(instrumentId: string, since: number): Promise<Fill[]> {
    const account = await this.loadAccount();
    const pages = await this.o.http.request('GET', `/v3/accounts/${account.id}/transactions`, transactionPagesSchema, {
      query: [['from', new Date(since).toISOString()], ['type', 'ORDER_FILL'], ['pageSize', 1000]],
    });
    const name = instrumentNameOf(instrumentId);
    const fills: Fill[] = [];
    for (const page of pages.pages) {
      const u = new URL(page, 'http://page.invalid');
      const from = u.searchParams.get('from');
      const to = u.searchParams.get('to');
      if (from === null || to === null) continue;
      const answer = await this.o.http.request('GET', `/v3/accounts/${account.id}/transactions/idrange`, transactionsAnswerSchema, { query: [['from', from], ['to', to], ['type', 'ORDER_FILL']] });
      for (const tx of answer.transactions.sort(byId)) {
        if (tx.type !== 'ORDER_FILL' || tx.instrument !== name || parseTime(tx.time) < since) continue;
        const { clientOrderId, reason } = this.fillOwner(tx);
        fills.push(fillOf(tx, { clientOrderId, reason }, account.currency, this.o.clock.now()));
      }
    }
    return fills;
  }

  // ---- account ----

  private async loadAccount(): Promise<{ id: string; currency: string; hedging: boolean; lastTransactionID: string }> {
    const id = await this.o.accountId();
    if (this.account !== undefined && this.account.id === id) return { ...this.account, lastTransactionID: String(this.cursor) };
    const s = await fetchSummary(this.o.http, id);
    this.account = { id, currency: s.currency, hedging: s.hedgingEnabled === true };
    this.summaryBase = { balance: new Decimal(s.balance), lastTransactionID: s.lastTransactionID, currency: s.currency };
    return { ...this.account, lastTransactionID: s.lastTransactionID };
  }

  /**
   * FIFO on a hedging account (NFA Compliance Rule 2-43(b), OANDA's FIFO requirement): a close must take
   * the oldest trades first. A reduce-only order goes out as `positionFill: REDUCE_ONLY`, which OANDA
   * fills against the opposite trades oldest first; the open trades must therefore hold its whole size
   * on the side it closes, or the part beyond them would be left to close nothing while a newer trade
   * on the order's own side stays open. Such an order is refused here, before it is sent, with
   * ORDER_INVALID saying why.
   */
  private async checkFifo(order: OrderSnapshot, rules: OandaInstrumentRules, accountId: string): Promise<void> {
    const answer = await this.o.http.request('GET', `/v3/accounts/${accountId}/openTrades`, tradesAnswerSchema);
    const closing = answer.trades
      .filter((t) => t.instrument === rules.name && new Decimal(t.currentUnits).isNegative() === (order.side === 'buy'))
      .sort((a, b) => Number(a.id) - Number(b.id));
    const open = closing.reduce((s, t) => s.plus(new Decimal(t.currentUnits).abs()), ZERO as Decimal);
    if (open.gte(order.quantity)) return;
    const side = order.side === 'buy' ? 'short' : 'long';
    throw new AutotraderError(
      'ORDER_INVALID',
      `FIFO: reduce-only ${order.side} ${order.quantity.toString()} ${rules.name} (order ${order.clientOrderId}) would close more than the open ${side} trades hold (${open.toString()} in ${closing.length} trade(s), closed oldest first); OANDA's FIFO rule closes the oldest trades first and never the newer ones out of turn, so it is refused before it is sent`,
      { details: { clientOrderId: order.clientOrderId, open: open.toString(), trades: closing.map((t) => t.id), rule: 'FIFO' } },
    );
  }

  // ---- transactions ----

  private requireSink(): ExecutionReportSink {
    if (this.sink === undefined) throw new AutotraderError('VENUE_UNAVAILABLE', 'OANDA execution is not connected: call connect(sink) before sending orders', { retryable: false });
    return this.sink;
  }

  private enqueue(work: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch((error: unknown) => {
      const message = `OANDA transactions: applying a batch failed: ${error instanceof Error ? error.message : String(error)}`;
      this.o.logger.warn(message);
      this.o.bus.publish('error', { source: SOURCE, code: isAutotraderError(error) ? error.code : 'INTERNAL', message, tsEvent: this.o.clock.now(), error });
    });
    return next;
  }

  /** The transactions of an order answer (201, or a replace's 200), applied in id order. */
  private async applyAnswer(answer: OrderResponse): Promise<void> {
    const txs = [answer.orderCreateTransaction, answer.replacingOrderCancelTransaction, answer.orderCancelTransaction, answer.orderFillTransaction, answer.orderReissueTransaction].filter(
      (t): t is OandaTransaction => t !== undefined,
    );
    await this.enqueue(() => this.applyAll(txs));
  }

  /** One stream line: the next transaction is applied; one past it means some were missed: sinceid first. */
  private onStreamLine(value: unknown): void {
    const t = checkFrame(transactionSchema, value);
    if (!t.success) return reportSkippedFrame(this.problems, `bad transaction: ${t.problem}`);
    const tx = t.data;
    void this.enqueue(async () => {
      const id = Number(tx.id);
      if (id <= this.cursor) {
        // Applied already (a duplicate line, or fetched by sinceid); the keys keep reports single.
        this.applyAll([tx]);
        return;
      }
      if (id > this.cursor + 1) {
        await this.catchUp(`transaction ${tx.id} arrived after ${this.cursor}`);
        if (Number(tx.id) <= this.cursor) return;
      }
      this.applyAll([tx]);
      this.cursor = Math.max(this.cursor, id);
    });
  }

  /** A heartbeat ahead of what was applied: transactions were missed (a gap in the stream); fetch them. */
  private onHeartbeat(value: Record<string, unknown>): void {
    const h = transactionHeartbeatSchema.safeParse(value);
    if (!h.success) return;
    const last = Number(h.data.lastTransactionID);
    if (last <= this.cursor || this.catchingUp) return;
    this.catchingUp = true;
    void this.enqueue(async () => {
      try {
        if (last > this.cursor) await this.catchUp(`heartbeat lastTransactionID ${last} is ahead of ${this.cursor}`);
      } finally {
        this.catchingUp = false;
      }
    });
  }

  /** Every transaction after the cursor from `/transactions/sinceid`, applied in id order. Runs inside the chain. */
  private async catchUp(why: string): Promise<void> {
    const account = this.account;
    if (account === undefined || this.cursor === 0) return;
    const answer = await this.o.http.request('GET', `/v3/accounts/${account.id}/transactions/sinceid`, transactionsAnswerSchema, { query: [['id', String(this.cursor)]] });
    const missed = answer.transactions.filter((t) => Number(t.id) > this.cursor).sort(byId);
    if (missed.length > 0) this.o.logger.info(`OANDA: ${missed.length} transaction(s) after ${this.cursor} fetched from sinceid (${why})`);
    this.applyAll(missed);
    for (const t of missed) this.cursor = Math.max(this.cursor, Number(t.id));
    this.cursor = Math.max(this.cursor, Math.min(Number(answer.lastTransactionID), missed.length > 0 ? Number(missed[missed.length - 1]!.id) : this.cursor));
  }

  /** Applies transactions in id order; each report is passed on once. */
  private applyAll(txs: readonly OandaTransaction[]): void {
    for (const tx of [...txs].sort(byId)) {
      try {
        this.apply(tx);
      } catch (error) {
        reportSkippedFrame(this.problems, `transaction ${tx.id} (${tx.type}) could not be applied: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    }
  }

  private apply(tx: OandaTransaction): void {
    if (ORDER_CREATE_TYPES.has(tx.type)) return this.onOrderCreate(tx);
    if (tx.type.endsWith(REJECT_SUFFIX)) return this.onOrderReject(tx);
    switch (tx.type) {
      case 'ORDER_FILL':
        return this.onFill(tx);
      case 'ORDER_CANCEL':
        return this.onCancel(tx);
      case 'DAILY_FINANCING':
        return this.balanceDelta(tx, tx.financing, 'financing');
      case 'TRANSFER_FUNDS':
        return this.balanceDelta(tx, tx.amount, 'transfer');
      default:
        return;
    }
  }

  private emit(key: string, report: ExecutionReport): void {
    const sink = this.sink;
    if (sink === undefined) return;
    deliverOnce(this.seen, sink, key, report, { source: SOURCE, logger: this.o.logger, bus: this.o.bus, clock: this.o.clock });
  }

  private remember(track: OrderTrack): OrderTrack {
    this.byClient.set(track.clientOrderId, track);
    this.byOrder.set(track.orderId, track);
    if (this.byOrder.size > 50_000) this.byOrder.delete(this.byOrder.keys().next().value!);
    if (this.byClient.size > 50_000) this.byClient.delete(this.byClient.keys().next().value!);
    return track;
  }

  /** The track of an order read from `GET /orders/{spec}`. */
  private trackOf(o: OandaOrder, clientOrderId: string): OrderTrack {
    return this.byOrder.get(o.id) ?? this.remember({ clientOrderId, orderId: o.id, market: o.type === 'MARKET', instrument: o.instrument ?? '' });
  }

  private emitAccepted(track: OrderTrack): void {
    this.emit(`A:${track.orderId}`, { kind: 'accepted', clientOrderId: track.clientOrderId, venueOrderId: track.orderId, tsEvent: this.o.clock.now() });
  }

  /** A `<TYPE>_ORDER` transaction: the order exists at the venue. */
  private onOrderCreate(tx: OandaTransaction): void {
    const wire = tx.clientExtensions?.id;
    const instrument = tx.instrument ?? '';
    if (tx.reason === 'REPLACEMENT' && tx.replacesOrderID !== undefined) {
      const replaced = this.byOrder.get(tx.replacesOrderID);
      const clientOrderId = wire !== undefined ? ourClientOrderId(wire) : replaced?.clientOrderId;
      if (clientOrderId === undefined) return;
      this.remember({ clientOrderId, orderId: tx.id, market: false, instrument, batchID: replaced?.batchID });
      // The replacement is the order we had, under a new id: reported as `updated`, never accepted again.
      this.seen.add(`A:${tx.id}`);
      const units = tx.units !== undefined ? new Decimal(tx.units).abs() : undefined;
      const p = tx.price !== undefined ? price(tx.price) : undefined;
      this.emit(`U:${tx.id}`, {
        kind: 'updated',
        clientOrderId,
        venueOrderId: tx.id,
        ...(units !== undefined ? { quantity: quantity(units) } : {}),
        ...(p !== undefined ? (tx.type === 'STOP_ORDER' || tx.type === 'MARKET_IF_TOUCHED_ORDER' ? { triggerPrice: p } : { price: p }) : {}),
        tsEvent: parseTime(tx.time),
      });
      return;
    }
    const made = venueReasonOf(tx.reason, undefined);
    if (made !== undefined || wire === undefined) {
      // An order OANDA made (a margin closeout) or another tool placed: adopted when (if) it fills.
      const reason: VenueOrderReason = made ?? 'closeout';
      this.remember({ clientOrderId: venueMadeClientOrderId(reason, tx.id), orderId: tx.id, market: tx.type === 'MARKET_ORDER', instrument, venueMade: reason, batchID: tx.batchID });
      if (made !== undefined) this.emitVenueOrder(tx, reason);
      return;
    }
    const track = this.remember({ clientOrderId: ourClientOrderId(wire), orderId: tx.id, market: tx.type === 'MARKET_ORDER', instrument, batchID: tx.batchID });
    // A market order is reported with its fill (accepted, then filled) or its refusal (rejected): never accepted then rejected.
    if (!track.market) this.emitAccepted(track);
  }

  /** The order OANDA made on our account, reported before its fills. */
  private emitVenueOrder(tx: OandaTransaction, reason: VenueOrderReason): void {
    const track = this.byOrder.get(tx.orderID ?? tx.id);
    const orderId = tx.type === 'ORDER_FILL' ? (tx.orderID ?? tx.id) : tx.id;
    const clientOrderId = track?.clientOrderId ?? venueMadeClientOrderId(reason, orderId);
    const units = decOf(tx.units);
    const ts = parseTime(tx.time);
    const order: OrderSnapshot = {
      clientOrderId,
      venueOrderId: orderId,
      instrumentId: instrumentIdOf(tx.instrument ?? ''),
      side: units.isNegative() ? 'sell' : 'buy',
      type: 'market',
      quantity: quantity(units.abs()),
      timeInForce: 'IOC',
      postOnly: false,
      reduceOnly: true,
      status: 'accepted',
      filledQuantity: quantity(0),
      fees: money(0),
      tsCreated: ts,
      tsUpdated: ts,
      tag: reason,
    };
    this.emit(`V:${orderId}`, { kind: 'venueOrder', clientOrderId, order, reason, tsEvent: ts });
  }

  /** Who an ORDER_FILL belongs to: our order by its client id, or an order the venue made (a closeout). */
  private fillOwner(tx: OandaTransaction): { clientOrderId: string; reason?: VenueOrderReason; track?: OrderTrack } {
    const track = tx.orderID !== undefined ? this.byOrder.get(tx.orderID) : undefined;
    const made = venueReasonOf(undefined, tx.reason) ?? track?.venueMade;
    if (made !== undefined || (tx.clientOrderID === undefined && track === undefined)) {
      const reason = made ?? 'closeout';
      return { clientOrderId: track?.clientOrderId ?? venueMadeClientOrderId(reason, tx.orderID ?? tx.id), reason, track };
    }
    return { clientOrderId: tx.clientOrderID !== undefined ? ourClientOrderId(tx.clientOrderID) : track!.clientOrderId, track };
  }

  private onFill(tx: OandaTransaction): void {
    const account = this.account!;
    const owner = this.fillOwner(tx);
    if (owner.reason !== undefined) this.emitVenueOrder(tx, owner.reason);
    else {
      const track = owner.track ?? this.remember({ clientOrderId: owner.clientOrderId, orderId: tx.orderID ?? tx.id, market: false, instrument: tx.instrument ?? '' });
      this.emitAccepted(track);
    }
    this.emit(`F:${tx.id}`, { kind: 'fill', fill: fillOf(tx, { clientOrderId: owner.clientOrderId, reason: owner.reason }, account.currency, this.o.clock.now()) });
    this.balanceDelta(tx, tx.financing, 'financing');
  }

  private onCancel(tx: OandaTransaction): void {
    if (tx.reason === 'CLIENT_REQUEST_REPLACED') return;
    const track = tx.orderID !== undefined ? this.byOrder.get(tx.orderID) : undefined;
    const clientOrderId = tx.clientOrderID !== undefined ? ourClientOrderId(tx.clientOrderID) : track?.clientOrderId;
    if (clientOrderId === undefined || track?.venueMade !== undefined) return;
    const ts = parseTime(tx.time);
    const key = `T:${tx.orderID ?? tx.id}`;
    if (tx.reason === 'TIME_IN_FORCE_EXPIRED') return this.emit(key, { kind: 'expired', clientOrderId, tsEvent: ts });
    const accepted = track !== undefined && this.seen.has(`A:${track.orderId}`);
    const sameBatch = track?.batchID !== undefined && tx.batchID === track.batchID;
    if (!accepted || (sameBatch && track?.market === true)) {
      return this.emit(key, { kind: 'rejected', clientOrderId, code: reasonCode(tx.reason), reason: `OANDA cancelled the order as it was placed: ${reasonText(tx.reason)}`, tsEvent: ts });
    }
    this.emit(key, { kind: 'canceled', clientOrderId, ...(tx.reason !== undefined && tx.reason !== 'CLIENT_REQUEST' ? { reason: reasonText(tx.reason) } : {}), tsEvent: ts });
  }

  /**
   * A `<TYPE>_ORDER_REJECT` on the stream is the record of a 400 answer to one of our requests: the
   * request already failed with that coded error (and a resend refused as CLIENT_ORDER_ID_ALREADY_EXISTS
   * is an order we have), so it is logged, never reported as a rejection of the order again.
   */
  private onOrderReject(tx: OandaTransaction): void {
    this.o.logger.debug(`OANDA ${tx.type} ${tx.id}: ${reasonText(tx.rejectReason)}`, { clientOrderID: tx.clientExtensions?.id });
  }

  /** Financing and transfers change the balance outside our fills' P/L: the engine books them as venue deltas. */
  private balanceDelta(tx: OandaTransaction, amount: string | undefined, what: string): void {
    if (amount === undefined || new Decimal(amount).isZero() || this.account === undefined) return;
    if (!this.seen.add(`N:${tx.id}`)) return;
    this.o.logger.debug(`OANDA ${what} ${amount} ${this.account.currency} (transaction ${tx.id})`);
    this.o.bus.publish('venueBalance', { kind: 'delta', venue: VENUE, currency: this.account.currency, delta: money(amount), tsEvent: parseTime(tx.time) });
  }
}
