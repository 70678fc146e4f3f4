import { z } from 'zod';
import {
  AutotraderError,
  Decimal,
  isAutotraderError,
  quantity,
  type Balance,
  type VenueAccount,
  type Clock,
  type EventBus,
  type ExecutionPort,
  type ExecutionReport,
  type ExecutionReportSink,
  type Fill,
  price,
  type VenueOrderChanges,
  type Logger,
  type OrderSnapshot,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import { checkFrame, deliverOnce, OrderQueues, parseJsonFrame, PendingRequests, RecentKeys, ReconnectingSocket, reportSkippedFrame, socketSettings, spotPositions, venueStateOf, type FrameProblemSink, type QueryParams, type QueryValue } from '@autotrader/venue-kit';
import { buildJwt } from './auth';
import type { CoinbaseConfig } from './config';
import type { CoinbaseCredentials } from './credentials';
import type { CoinbaseHttp } from './http';
import { checkOrder, type CoinbaseInstruments } from './instruments';
import {
  accountsPageSchema,
  balancesOf,
  batchCancelResponseSchema,
  createOrderBody,
  createOrderError,
  createOrderResponseSchema,
  EDIT_ALREADY_APPLIED,
  editFailureReasonOf,
  editOrderBody,
  editOrderError,
  editOrderResponseSchema,
  failureCodeOf,
  fillOf,
  fillsPageSchema,
  isEditable,
  orderAnswerSchema,
  ordersPageSchema,
  orderStateOf,
  ourClientOrderId,
  productIdOf,
  VENUE,
  wireClientOrderId,
  type VenueFill,
} from './mapping';
import { checkExecutionAllowed, API_PREFIX } from './urls';

/** `GET /key_permissions`: what the key may do, and the portfolio it belongs to. */
const keyPermissionsSchema = z.looseObject({ can_view: z.boolean(), can_trade: z.boolean(), portfolio_uuid: z.string().min(1) });
import { confirmedKeys, envelopeSchema, errorFrameSchema, subscribeFrame, subscriptionKey, userEventSchema, type UserOrder } from './ws';

/** What the execution port needs from the plugin. */
export interface CoinbaseExecutionOptions {
  /** The user channel's socket; undefined where the environment has none (the sandbox): reports then come from REST answers only. */
  readonly wsUserUrl: string | undefined;
  readonly http: CoinbaseHttp;
  readonly instruments: CoinbaseInstruments;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<CoinbaseConfig, 'mainnet' | 'environment' | 'restUrl' | 'wsUserUrl' | 'timeouts' | 'reconnect'>;
  readonly credentials: () => CoinbaseCredentials;
}

const SOURCE = 'coinbase:execution';
/** A query built up page by page. */
type Query = Array<readonly [string, QueryValue]>;
const ZERO = new Decimal(0);
/** Page size of the fills and orders lists. */
const PAGE = 100;
/** Orders scanned (newest first) for a client order id we hold no venue id for. */
const MAX_SCANNED_ORDERS = 1000;
/** How often and how long to ask the fills endpoint again when it lags behind the user channel's totals. */
const FILL_RETRY_MS = [100, 250, 500, 1000, 2000, 4000];
/** Attempts of a read the port makes on its own when the venue answers 429 or fails retryably. */
const READ_ATTEMPTS = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * The Coinbase execution port. Orders go over REST (`POST /orders` with our client order id, which
 * Coinbase keeps unique: "If the ID provided is not unique, the order will not be created and the order
 * corresponding with that ID will be returned instead" (Create Order reference), so a resent submit is
 * safe and answers with the first one's order id). Cancels use `batch_cancel`. Modify is native through
 * `/orders/edit` for what Coinbase edits (limit GTC orders: `canModify`); the engine cancels and replaces
 * the rest. Order updates come from the `user` channel, whose totals (`cumulative_quantity`) are turned
 * into fills with their trade ids, prices and commissions from `/orders/historical/fills`; every report
 * reaches the sink once, keyed by order id and trade id.
 */
export class CoinbaseExecutionPort implements ExecutionPort {
  readonly venue = VENUE;
  private sink: ExecutionReportSink | undefined;
  private readonly socket: ReconnectingSocket | undefined;
  private readonly seen = new RecentKeys();
  private readonly problems: FrameProblemSink;
  /** The user subscription waiting for Coinbase's `subscriptions` message. */
  private readonly pending: PendingRequests<void>;
  private running = false;
  /** Venue order id → our client order id, and back. */
  private readonly clientIdOf = new Map<string, string>();
  private readonly venueIdOf = new Map<string, string>();
  /** Base quantity already reported as fills, by venue order id. */
  private readonly reported = new Map<string, Decimal>();
  /** Per venue order id, the chain of work on its updates, so a cancel is reported after the fills before it. */
  /** Each venue order's updates are handled in arrival order. */
  private readonly queues: OrderQueues;
  /** Edits confirmed so far: each one's `updated` report is passed on once. */
  private edits = 0;

  constructor(private readonly o: CoinbaseExecutionOptions) {
    this.problems = { name: 'Coinbase user channel', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
    this.queues = new OrderQueues({ what: 'Coinbase user channel', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock });
    this.pending = new PendingRequests('Coinbase user channel', o.config.timeouts.wsRequestMs);
    const url = o.wsUserUrl;
    this.socket =
      url === undefined
        ? undefined
        : new ReconnectingSocket({
            name: 'coinbase user channel',
            url: () => url,
            logger: o.logger,
            ...socketSettings(o.config, { kind: 'server-ping' }),
            onOpen: async (s) => this.subscribeUser(s),
            onMessage: (text) => this.onFrame(text),
            onState: (state, reason) => o.bus.publish('venueStatus', { venue: VENUE, state: venueStateOf(state, this.running), reason, tsEvent: o.clock.now() }),
          });
  }

  /**
   * Offline checks before the first request: orders on the production exchange need `mainnet`
   * (CONFIG_INVALID pointing to `pnpm paper --venue coinbase` otherwise), and COINBASE_API_KEY and
   * COINBASE_API_SECRET must be set (AUTH_MISSING) and hold a key (AUTH_FAILED). Sends nothing.
   */
  preflight(): void {
    checkExecutionAllowed(this.o.config);
    this.o.credentials();
  }

  /** Runs the preflight, then subscribes the user channel (where the environment has one). */
  async connect(sink: ExecutionReportSink): Promise<void> {
    this.preflight();
    this.sink = sink;
    if (this.running) return;
    if (this.socket === undefined) this.o.logger.warn('Coinbase sandbox: no user channel; order reports come from REST answers only');
    else await this.socket.start();
    this.running = true;
  }

  /** Closes the user channel. */
  async disconnect(): Promise<void> {
    this.running = false;
    this.pending.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', 'Coinbase user channel: disconnected before the subscription was confirmed'));
    await this.socket?.close();
  }

  /** Places an order; resolves when Coinbase has it. A refused order is a coded error from its failure reason. */
  async submit(order: OrderSnapshot): Promise<void> {
    const sink = this.requireSink();
    this.o.credentials();
    const instrument = await this.o.instruments.require(order.instrumentId);
    checkOrder(order, instrument, this.o.instruments.rules(order.instrumentId));
    const body = createOrderBody(order);
    const res = await this.o.http.request('POST', `${API_PREFIX}/orders`, createOrderResponseSchema, { body, signed: true, kind: 'order' });
    if (!res.success || res.success_response === undefined) throw createOrderError(res, order.clientOrderId);
    const venueOrderId = res.success_response.order_id;
    this.remember(order.clientOrderId, venueOrderId);
    this.emitOnce(sink, `A:${venueOrderId}`, { kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId, tsEvent: this.o.clock.now() });
  }

  /** Cancels through `batch_cancel`. An order Coinbase does not know, or no longer has open, is ORDER_UNKNOWN. */
  async cancel(order: OrderSnapshot): Promise<void> {
    const sink = this.requireSink();
    const venueOrderId = order.venueOrderId ?? this.venueIdOf.get(order.clientOrderId) ?? (await this.order(order.clientOrderId, order.instrumentId))?.venueOrderId;
    if (venueOrderId === undefined) {
      throw new AutotraderError('ORDER_UNKNOWN', `Coinbase has no order with client order id ${order.clientOrderId}`, { details: { clientOrderId: order.clientOrderId } });
    }
    const res = await this.o.http.request('POST', `${API_PREFIX}/orders/batch_cancel`, batchCancelResponseSchema, { body: { order_ids: [venueOrderId] }, signed: true, kind: 'order' });
    const result = res.results.find((r) => r.order_id === venueOrderId) ?? res.results[0];
    if (result === undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Coinbase batch_cancel answered no result for ${venueOrderId}`);
    if (!result.success) {
      const reason = result.failure_reason ?? 'UNKNOWN_CANCEL_FAILURE_REASON';
      // Coinbase says only that it could not cancel: an order that is done is no longer cancellable, which the engine resolves by a query.
      const code = reason === 'UNKNOWN_CANCEL_FAILURE_REASON' || reason === 'UNKNOWN_CANCEL_ORDER' || reason === 'INVALID_CANCEL_REQUEST' ? 'ORDER_UNKNOWN' : failureCodeOf(reason);
      throw new AutotraderError(code, `Coinbase did not cancel ${order.clientOrderId} (${venueOrderId}): ${reason}`, { details: { clientOrderId: order.clientOrderId, venueOrderId, venueCode: reason } });
    }
    // A cancel after fills is reported after them: it waits for the order's chain.
    await this.queues.idle(venueOrderId);
    this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'canceled', clientOrderId: order.clientOrderId, tsEvent: this.o.clock.now() });
  }

  /** True for the orders `/orders/edit` amends in place (limit GTC); the engine cancels and replaces the rest. */
  canModify(order: OrderSnapshot, changes: VenueOrderChanges): boolean {
    return isEditable(order, changes);
  }

  /**
   * Amends a limit GTC order in place through `POST /orders/edit` (new price and new total size; the
   * venue order id stays). Once Coinbase confirms, an `updated` report carries the new quantity and
   * price. Until then the order's user-channel updates wait, so fills at the new terms (a new price that
   * crosses trades at once) are reported after it. A refused edit is a coded error (the kernel reports
   * it as modifyRejected); an edit Coinbase finds equal to the order (a resent edit that had gone
   * through) counts as done.
   */
  async modify(order: OrderSnapshot, changes: VenueOrderChanges): Promise<void> {
    const sink = this.requireSink();
    if (!isEditable(order, changes)) {
      throw new AutotraderError('ORDER_TYPE_UNSUPPORTED', `Coinbase edits limit GTC orders only; ${order.clientOrderId} (${order.type} ${order.timeInForce}) goes by cancel and replace`, {
        details: { clientOrderId: order.clientOrderId, type: order.type, timeInForce: order.timeInForce },
      });
    }
    const instrument = await this.o.instruments.require(order.instrumentId);
    const venueOrderId = order.venueOrderId ?? this.venueIdOf.get(order.clientOrderId) ?? (await this.order(order.clientOrderId, order.instrumentId))?.venueOrderId;
    if (venueOrderId === undefined) {
      throw new AutotraderError('ORDER_UNKNOWN', `Coinbase has no order with client order id ${order.clientOrderId}`, { details: { clientOrderId: order.clientOrderId } });
    }
    const body = editOrderBody(venueOrderId, order, changes);
    // The amended order meets the product's increments and minimums before anything is sent.
    checkOrder({ ...order, quantity: quantity(body.size), price: price(body.price) }, instrument, this.o.instruments.rules(order.instrumentId));
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.queues.enqueue(venueOrderId, () => gate);
    try {
      const res = await this.o.http.request('POST', `${API_PREFIX}/orders/edit`, editOrderResponseSchema, { body, signed: true, kind: 'order' });
      if (!res.success && editFailureReasonOf(res) !== EDIT_ALREADY_APPLIED) throw editOrderError(res, order.clientOrderId, venueOrderId);
      this.emitOnce(sink, `U:${venueOrderId}:${++this.edits}`, {
        kind: 'updated',
        clientOrderId: order.clientOrderId,
        quantity: quantity(body.size),
        price: price(body.price),
        tsEvent: this.o.clock.now(),
      });
    } finally {
      release();
    }
  }

  /**
   * One order by our client order id: by its venue id when we know it, else found among the product's
   * newest orders (up to 1000). Undefined when Coinbase does not know it.
   */
  async order(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined> {
    const venueOrderId = this.venueIdOf.get(clientOrderId);
    if (venueOrderId !== undefined) {
      try {
        const res = await this.o.http.request('GET', `${API_PREFIX}/orders/historical/${encodeURIComponent(venueOrderId)}`, orderAnswerSchema, { signed: true });
        return orderStateOf(res.order);
      } catch (error) {
        if (isAutotraderError(error, 'ORDER_UNKNOWN')) return undefined;
        throw error;
      }
    }
    const wire = wireClientOrderId(clientOrderId);
    let cursor: string | undefined;
    for (let scanned = 0; scanned < MAX_SCANNED_ORDERS; scanned += PAGE) {
      const query: Query = [['product_ids', productIdOf(instrumentId)], ['limit', PAGE]];
      if (cursor !== undefined) query.push(['cursor', cursor]);
      const page = await this.o.http.request('GET', `${API_PREFIX}/orders/historical/batch`, ordersPageSchema, { query, signed: true });
      const hit = page.orders.find((x) => x.client_order_id === wire);
      if (hit !== undefined) {
        this.remember(clientOrderId, hit.order_id);
        return orderStateOf(hit);
      }
      if (page.has_next !== true || page.cursor === undefined || page.cursor === '') return undefined;
      cursor = page.cursor;
    }
    return undefined;
  }

  /** Open orders, of one product or all. */
  async openOrders(instrumentId?: string): Promise<VenueOrderState[]> {
    const out: VenueOrderState[] = [];
    let cursor: string | undefined;
    for (;;) {
      const query: Query = [['order_status', 'OPEN'], ['limit', PAGE]];
      if (instrumentId !== undefined) query.push(['product_ids', productIdOf(instrumentId)]);
      if (cursor !== undefined) query.push(['cursor', cursor]);
      const page = await this.o.http.request('GET', `${API_PREFIX}/orders/historical/batch`, ordersPageSchema, { query, signed: true });
      for (const x of page.orders) {
        const state = orderStateOf(x);
        this.remember(state.clientOrderId, x.order_id);
        out.push(state);
      }
      if (page.has_next !== true || page.cursor === undefined || page.cursor === '') return out;
      cursor = page.cursor;
    }
  }

  /**
   * The portfolio these keys trade, from `GET /key_permissions` (`portfolio_uuid`): the journal records
   * it and refuses to be replayed against another portfolio.
   */
  async venueAccount(): Promise<VenueAccount> {
    const res = await this.o.http.request('GET', `${API_PREFIX}/key_permissions`, keyPermissionsSchema, { signed: true });
    return { accountId: res.portfolio_uuid, accountType: 'cash' };
  }

  /** Non-zero balances from `/accounts` (available → free, hold → locked), every page. */
  async balances(): Promise<Balance[]> {
    const out: Balance[] = [];
    let cursor: string | undefined;
    for (;;) {
      const query: Query = [['limit', 250]];
      if (cursor !== undefined) query.push(['cursor', cursor]);
      const page = await this.o.http.request('GET', `${API_PREFIX}/accounts`, accountsPageSchema, { query, signed: true });
      out.push(...balancesOf(page, this.o.clock.now()));
      if (page.has_next !== true || page.cursor === undefined || page.cursor === '') return out;
      cursor = page.cursor;
    }
  }

  /** Spot positions: each loaded product's non-zero base balance, a shared base asset reported once. */
  async positions(): Promise<VenuePosition[]> {
    if (this.o.instruments.loaded().length === 0) await this.o.instruments.load();
    return spotPositions(await this.balances(), this.o.instruments.loaded());
  }

  /** Our fills in one product at or after `since`, oldest first, from `/orders/historical/fills` (every page). */
  async fillsSince(instrumentId: string, since: number): Promise<Fill[]> {
    const fills = await this.fetchFills([['product_ids', productIdOf(instrumentId)], ['start_sequence_timestamp', new Date(since).toISOString()]]);
    const out: Fill[] = [];
    for (const f of fills) {
      const fill = fillOf(f, await this.clientOrderIdFor(f.order_id), this.o.clock.now());
      if (fill.tsEvent >= since) out.push(fill);
    }
    // A stable sort: fills of the same millisecond keep the venue's order.
    return out.sort((a, b) => a.tsEvent - b.tsEvent);
  }

  // ---- internals ----

  private requireSink(): ExecutionReportSink {
    if (this.sink === undefined) throw new AutotraderError('VENUE_UNAVAILABLE', 'Coinbase execution is not connected: call connect(sink) before sending orders', { retryable: false });
    return this.sink;
  }

  private remember(clientOrderId: string, venueOrderId: string): void {
    this.clientIdOf.set(venueOrderId, clientOrderId);
    this.venueIdOf.set(clientOrderId, venueOrderId);
  }

  /** Every page of a fills query, oldest first (Coinbase lists newest first; the cursor pages back in time). */
  private async fetchFills(filter: QueryParams): Promise<VenueFill[]> {
    const out: VenueFill[] = [];
    let cursor: string | undefined;
    for (;;) {
      const query: Query = [...filter, ['limit', PAGE]];
      if (cursor !== undefined) query.push(['cursor', cursor]);
      const page = await this.o.http.request('GET', `${API_PREFIX}/orders/historical/fills`, fillsPageSchema, { query, signed: true });
      // Coinbase lists newest first: reversed, the list is oldest first with same-time fills in venue order.
      out.unshift(...[...page.fills].reverse());
      if (page.cursor === undefined || page.cursor === '' || page.fills.length === 0) return out;
      cursor = page.cursor;
    }
  }

  /** The client order id of a venue order: remembered, or asked once. */
  private async clientOrderIdFor(venueOrderId: string): Promise<string> {
    const known = this.clientIdOf.get(venueOrderId);
    if (known !== undefined) return known;
    const res = await this.o.http.request('GET', `${API_PREFIX}/orders/historical/${encodeURIComponent(venueOrderId)}`, orderAnswerSchema, { signed: true });
    const clientOrderId = ourClientOrderId(res.order.client_order_id);
    this.remember(clientOrderId, venueOrderId);
    return clientOrderId;
  }

  /**
   * A read this port makes on its own (not an engine call, so the engine's limiter does not pace it):
   * a 429 waits its Retry-After and a retryable failure backs off, a few times, before giving up.
   */
  private async patiently<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (!isAutotraderError(error) || !error.retryable || attempt >= READ_ATTEMPTS - 1) throw error;
        const wait = typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : FILL_RETRY_MS[attempt]!;
        this.o.logger.debug(`Coinbase: ${error.code} on a fills read; trying again in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  private emitOnce(sink: ExecutionReportSink, key: string, report: ExecutionReport): void {
    deliverOnce(this.seen, sink, key, report, { source: SOURCE, logger: this.o.logger, bus: this.o.bus, clock: this.o.clock });
  }
  private async subscribeUser(socket: ReconnectingSocket): Promise<void> {
    const creds = this.o.credentials();
    // A fresh JWT per subscribe: without `uri` (CBPY jwt_generator.py build_ws_jwt).
    const jwt = () => buildJwt({ keyName: creds.keyName, signingKey: creds.signingKey, nowMs: this.o.clock.now() });
    socket.send(subscribeFrame('subscribe', 'heartbeats', [], jwt()));
    // Resolved when Coinbase lists the subscription: updates from then on reach us.
    await this.pending.request(subscriptionKey('user'), 'subscribe user', () => socket.send(subscribeFrame('subscribe', 'user', [], jwt())));
  }

  private onFrame(text: string): void {
    const parsed = parseJsonFrame(text);
    if (!parsed.success) return reportSkippedFrame(this.problems, parsed.problem);
    const refused = errorFrameSchema.safeParse(parsed.data);
    if (refused.success) {
      const message = `Coinbase user channel: the venue sent an error: ${refused.data.message ?? 'no message'}`;
      this.o.logger.error(message);
      const code = /auth|jwt|unauthor/i.test(refused.data.message ?? '') ? 'AUTH_FAILED' : 'VENUE_REJECTED';
      this.o.bus.publish('error', { source: SOURCE, code, message, tsEvent: this.o.clock.now() });
      this.pending.rejectAll(new AutotraderError(code, message));
      return;
    }
    const env = checkFrame(envelopeSchema, parsed.data);
    if (!env.success) return reportSkippedFrame(this.problems, `not a Coinbase message: ${env.problem}`);
    if (env.data.channel === 'subscriptions') {
      for (const key of confirmedKeys(env.data.events)) this.pending.resolve(key, undefined);
      return;
    }
    if (env.data.channel !== 'user') return;
    for (const raw of env.data.events) {
      const e = checkFrame(userEventSchema, raw);
      if (!e.success) return reportSkippedFrame(this.problems, `bad user event: ${e.problem}`);
      for (const order of e.data.orders ?? []) this.onUserOrder(order);
    }
  }

  /** One order's state from the user channel: acceptance, new fills (from the fills endpoint), then its end. */
  private onUserOrder(u: UserOrder): void {
    const sink = this.sink;
    if (sink === undefined) return;
    const clientOrderId = ourClientOrderId(u.client_order_id);
    this.remember(clientOrderId, u.order_id);
    const cumulative = new Decimal(u.cumulative_quantity);
    const ts = this.o.clock.now();
    if (u.status === 'FAILED') {
      const reason = u.reject_reason === undefined || u.reject_reason === '' ? 'FAILED' : u.reject_reason;
      this.emitOnce(sink, `T:${u.order_id}`, { kind: 'rejected', clientOrderId, code: failureCodeOf(reason), reason, tsEvent: ts });
      return;
    }
    this.emitOnce(sink, `A:${u.order_id}`, { kind: 'accepted', clientOrderId, venueOrderId: u.order_id, tsEvent: ts });
    this.queues.enqueue(u.order_id, async () => {
      await this.catchUpFills(sink, u.order_id, clientOrderId, cumulative);
      if (u.status === 'CANCELLED') this.emitOnce(sink, `T:${u.order_id}`, { kind: 'canceled', clientOrderId, reason: u.cancel_reason || undefined, tsEvent: this.o.clock.now() });
      else if (u.status === 'EXPIRED') this.emitOnce(sink, `T:${u.order_id}`, { kind: 'expired', clientOrderId, tsEvent: this.o.clock.now() });
    });
  }

  /**
   * Turns an increase of the order's cumulative quantity into fills, exactly once each: the fills
   * endpoint gives each trade's id, price, size and commission; a trade already passed on is skipped by
   * its id. The endpoint may lag the channel: it is asked again until the fills add up.
   */
  private async catchUpFills(sink: ExecutionReportSink, venueOrderId: string, clientOrderId: string, cumulative: Decimal): Promise<void> {
    for (let attempt = 0; (this.reported.get(venueOrderId) ?? ZERO).lt(cumulative); attempt++) {
      const fills = await this.patiently(() => this.fetchFills([['order_ids', venueOrderId]]));
      let total = ZERO;
      for (const f of fills.sort((a, b) => Date.parse(a.trade_time) - Date.parse(b.trade_time))) {
        const fill = fillOf(f, clientOrderId, this.o.clock.now());
        total = total.plus(fill.quantity);
        this.emitOnce(sink, `F:${f.trade_id}`, { kind: 'fill', fill });
      }
      this.reported.set(venueOrderId, Decimal.max(this.reported.get(venueOrderId) ?? ZERO, total));
      if (total.gte(cumulative)) return;
      const wait = FILL_RETRY_MS[attempt];
      if (wait === undefined) {
        throw new AutotraderError('VENUE_UNAVAILABLE', `the fills of order ${venueOrderId} add up to ${total.toFixed()} while the user channel says ${cumulative.toFixed()}; reconciliation will recover the rest`, {
          details: { venueOrderId, clientOrderId },
        });
      }
      await sleep(wait);
    }
  }
}

