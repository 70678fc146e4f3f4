import { z } from 'zod';
import {
  AutotraderError,
  Decimal,
  isAutotraderError,
  price,
  quantity,
  type Balance,
  type Clock,
  type EventBus,
  type ExecutionPort,
  type ExecutionReport,
  type ExecutionReportSink,
  type Fill,
  type Logger,
  type OrderSnapshot,
  type Quantity,
  type VenueAccount,
  type VenueOrderChanges,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import {
  checkFrame,
  deliverOnce,
  parseJsonFrame,
  RecentKeys,
  ReconnectingSocket,
  reportSkippedFrame,
  socketSettings,
  spotPositions,
  venueStateOf,
  type FrameProblemSink,
  type QueryParams,
} from '@autotrader/venue-kit';
import { signWsApiParams } from './auth';
import type { BinanceConfig } from './config';
import type { BinanceCredentials } from './credentials';
import { INVALID_TIMESTAMP, mapVenueFailure, type BinanceHttp } from './http';
import { checkOrderAgainstFilters, type BinanceInstruments } from './instruments';
import {
  accountIdentitySchema,
  accountPositionSchema,
  accountSchema,
  balancesOfAccount,
  balanceUpdateSchema,
  cancelReplaceFailureData,
  cancelReplaceSchema,
  clientOrderIdOfReport,
  executionReportSchema,
  fillOfExecutionReport,
  fillOfTrade,
  fillProblem,
  instrumentIdOf,
  isPositive,
  myTradeSchema,
  newOrderReports,
  orderParams,
  orderStateOf,
  ourClientOrderId,
  receivedAsset,
  rejectReasonCode,
  symbolOf,
  venueBalanceDeltaOf,
  venueBalanceSnapshotOf,
  venueErrorSchema,
  venueOrderSchema,
  VENUE,
  wireClientOrderId,
  type MyTrade,
  type VenueExecutionReport,
  type VenueOrder,
} from './mapping';
import { wsApiEventSchema, wsApiResponseSchema, WsApiCalls } from './ws';

/** What the execution port needs from the plugin. */
export interface BinanceExecutionOptions {
  readonly wsApiUrl: string;
  readonly http: BinanceHttp;
  readonly instruments: BinanceInstruments;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<BinanceConfig, 'timeouts' | 'reconnect' | 'recvWindow'>;
  /** Returns the credentials or throws AUTH_MISSING. */
  readonly credentials: () => BinanceCredentials;
}

/** A modify in flight: the leg being replaced and the new total quantity the engine asked for. */
interface Replacement {
  readonly oldVenueOrderId: string | undefined;
  readonly total: Quantity;
  readonly priced: boolean;
  readonly triggered: boolean;
  /** Set when the new leg's NEW report arrived: the replace did happen. */
  confirmed: boolean;
}

const SOURCE = 'binance:execution';
/** How long reports of a replace whose outcome is unknown (timeout, 5xx) are still recognised as such. */
const REPLACE_UNKNOWN_GRACE_MS = 60_000;
const ZERO = new Decimal(0);

/**
 * The Binance execution port. Orders go over signed REST (`POST /api/v3/order` with our client
 * order id as `newClientOrderId`); outcomes arrive as ExecutionReports from the REST answers and
 * from the user data stream, which is subscribed on the WebSocket API with
 * `userDataStream.subscribe.signature` (the listenKey REST endpoints are retired). A report that
 * arrives both ways is passed on once.
 *
 * Modify uses `POST /api/v3/order/cancelReplace` and keeps the order's identity: the replacement
 * order gets the SAME client order id as the one it replaces (Binance only requires client order
 * ids to be unique among open orders, and the old one is cancelled first). So the engine's
 * clientOrderId keeps naming the order across modifies, a restart can still query it by that id,
 * and the venue order id changes with each replacement. The cancelled leg's CANCELED report is
 * swallowed; the new leg is reported as `updated`. Quantities stay in the engine's terms: the new
 * leg is sent for `total − filled`, and fills of earlier legs are carried into `order()` answers.
 */
export class BinanceExecutionPort implements ExecutionPort {
  readonly venue = VENUE;
  private sink: ExecutionReportSink | undefined;
  private readonly socket: ReconnectingSocket;
  private readonly seen = new RecentKeys();
  private readonly calls: WsApiCalls;
  private readonly problems: FrameProblemSink;
  private running = false;
  /** Client order ids whose submit the venue refused over REST: a REJECTED stream report would repeat it. */
  private readonly refused = new RecentKeys(10_000);
  /** `SYMBOL:orderId` → our client order id, for trades (myTrades has no client order id). */
  private readonly clientIdByVenueId = new Map<string, string>();
  /** Our client order id → its current venue order id. */
  private readonly currentLeg = new Map<string, string>();
  /** Venue order ids cancelled as part of a replace: their CANCELED reports are not cancellations to the engine. */
  private readonly replacedLegs = new RecentKeys(10_000);
  /** Modifies in flight, by client order id. */
  private readonly replacing = new Map<string, Replacement>();
  /** Quantity filled on legs that were replaced, by client order id. */
  private readonly carried = new Map<string, Decimal>();
  /** Instruments this port has traded, which decide whose position a shared base asset is. */
  private readonly traded = new Set<string>();

  constructor(private readonly o: BinanceExecutionOptions) {
    this.calls = new WsApiCalls('Binance WebSocket API', o.config.timeouts.wsRequestMs, () => this.socket);
    this.problems = { name: 'Binance user data', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
    this.socket = new ReconnectingSocket({
      name: 'binance user data',
      url: () => o.wsApiUrl,
      logger: o.logger,
      ...socketSettings(o.config),
      onOpen: () => this.subscribeUserData(),
      onMessage: (text) => this.onFrame(text),
      onState: (state, reason) => {
        this.o.bus.publish('venueStatus', {
          venue: VENUE,
          state: venueStateOf(state, this.running),
          reason,
          tsEvent: this.o.clock.now(),
        });
      },
    });
  }

  /**
   * The offline checks a live session runs before its first request: BINANCE_API_KEY and
   * BINANCE_API_SECRET are set and not empty (AUTH_MISSING naming each one missing), and an Ed25519
   * secret is a key (AUTH_FAILED). Sends nothing.
   */
  preflight(): void {
    this.o.credentials();
  }

  /** The account these keys trade: `uid` of GET /api/v3/account (weight 20). A spot account cannot borrow. */
  async venueAccount(): Promise<VenueAccount> {
    const account = await this.o.http.request('GET', '/api/v3/account', [['omitZeroBalances', 'true']], accountIdentitySchema, { signed: true });
    return { accountId: String(account.uid), accountType: 'cash' };
  }

  /**
   * Checks the credentials (AUTH_MISSING before anything is sent), syncs the clock with the venue,
   * and subscribes to the user data stream. Resolves once the subscription is confirmed.
   */
  async connect(sink: ExecutionReportSink): Promise<void> {
    this.o.credentials();
    this.sink = sink;
    if (this.running) return;
    await this.o.http.syncTime();
    await this.socket.start();
    this.running = true;
  }

  /** Closes the user data connection. */
  async disconnect(): Promise<void> {
    this.running = false;
    this.calls.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', 'Binance user data: disconnected before the venue answered'));
    await this.socket.close();
  }

  /** Places an order. Resolves when Binance has it; fills and the final state follow as reports. */
  async submit(order: OrderSnapshot): Promise<void> {
    const sink = this.requireSink();
    this.o.credentials();
    const instrument = await this.o.instruments.require(order.instrumentId);
    checkOrderAgainstFilters(order, instrument, this.o.instruments.rules(order.instrumentId));
    const params = orderParams(order, instrument);
    this.traded.add(order.instrumentId);
    let res: VenueOrder;
    try {
      res = await this.o.http.request('POST', '/api/v3/order', params, venueOrderSchema, { signed: true, kind: 'order' });
    } catch (error) {
      if (isAutotraderError(error) && !error.retryable && error.details.outcomeUnknown !== true) this.refused.add(order.clientOrderId);
      throw error;
    }
    this.rememberLeg(order.clientOrderId, res.symbol, res.orderId);
    for (const { key, report } of newOrderReports(res, order.clientOrderId, this.o.clock.now())) this.emitOnce(sink, key, report);
  }

  /** Cancels by our client order id. An order the venue does not know (already done) is ORDER_UNKNOWN. */
  async cancel(order: OrderSnapshot): Promise<void> {
    const sink = this.requireSink();
    const symbol = symbolOf(order.instrumentId);
    const res = await this.o.http.request('DELETE', '/api/v3/order', [['symbol', symbol], ['origClientOrderId', wireClientOrderId(order.clientOrderId)]], venueOrderSchema, {
      signed: true,
      kind: 'order',
    });
    const venueOrderId = String(res.orderId);
    if (res.status === 'CANCELED') {
      this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'canceled', clientOrderId: order.clientOrderId, tsEvent: res.transactTime ?? this.o.clock.now() });
    }
  }

  /**
   * Replaces the order with `POST /api/v3/order/cancelReplace` (STOP_ON_FAILURE: nothing new is
   * placed unless the cancel succeeded). See the class comment for how ids and quantities map.
   */
  async modify(order: OrderSnapshot, changes: VenueOrderChanges): Promise<void> {
    const sink = this.requireSink();
    this.o.credentials();
    const instrument = await this.o.instruments.require(order.instrumentId);
    const total = changes.quantity ?? order.quantity;
    const filled = Decimal.max(order.filledQuantity, this.carried.get(order.clientOrderId) ?? ZERO);
    const remaining = quantity(total.minus(filled));
    if (remaining.lte(0)) {
      throw new AutotraderError('ORDER_INVALID', `modify of ${order.clientOrderId}: the new quantity ${total.toFixed()} is not above the filled ${filled.toFixed()}; cancel instead`, {
        details: { clientOrderId: order.clientOrderId, quantity: total.toFixed(), filled: filled.toFixed() },
      });
    }
    const leg: OrderSnapshot = { ...order, quantity: remaining, price: changes.price ?? order.price, triggerPrice: changes.triggerPrice ?? order.triggerPrice };
    checkOrderAgainstFilters(leg, instrument, this.o.instruments.rules(order.instrumentId));
    const wireId = wireClientOrderId(order.clientOrderId);
    const params: QueryParams = [
      ...orderParams(leg, instrument).filter(([k]) => k !== 'newClientOrderId' && k !== 'newOrderRespType'),
      ['cancelReplaceMode', 'STOP_ON_FAILURE'],
      ['cancelOrigClientOrderId', wireId],
      ['newClientOrderId', wireId],
      ['newOrderRespType', 'RESULT'],
    ];
    const oldVenueOrderId = this.currentLeg.get(order.clientOrderId) ?? order.venueOrderId;
    if (oldVenueOrderId !== undefined) this.replacedLegs.add(oldVenueOrderId);
    const replacement: Replacement = {
      oldVenueOrderId,
      total,
      priced: leg.type === 'limit' || leg.type === 'stop_limit',
      triggered: leg.type === 'stop' || leg.type === 'stop_limit',
      confirmed: false,
    };
    this.replacing.set(order.clientOrderId, replacement);
    let outcomeUnknown = false;
    try {
      const res = await this.o.http.request('POST', '/api/v3/order/cancelReplace', params, cancelReplaceSchema, { signed: true, kind: 'order' });
      this.replacedLegs.add(String(res.cancelResponse.orderId));
      this.carryFills(order.clientOrderId, res.cancelResponse.executedQty, filled, order.instrumentId);
      this.onReplacementPlaced(sink, order.clientOrderId, replacement, res.newOrderResponse);
    } catch (error) {
      outcomeUnknown = isAutotraderError(error) && error.details.outcomeUnknown === true;
      this.onReplaceFailed(sink, order, error, filled, oldVenueOrderId, outcomeUnknown);
    } finally {
      if (outcomeUnknown) {
        // The replace may still happen: keep recognising its reports for a while, then stop.
        setTimeout(() => {
          if (this.replacing.get(order.clientOrderId) === replacement) this.replacing.delete(order.clientOrderId);
          // No new leg ever showed up: the old one was not replaced, and a later cancel of it is real.
          if (!replacement.confirmed && oldVenueOrderId !== undefined) this.replacedLegs.delete(oldVenueOrderId);
        }, REPLACE_UNKNOWN_GRACE_MS).unref();
      } else {
        this.replacing.delete(order.clientOrderId);
      }
    }
  }

  /** One order by our client order id, or undefined when Binance does not know it. */
  async order(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined> {
    try {
      const res = await this.o.http.request('GET', '/api/v3/order', [['symbol', symbolOf(instrumentId)], ['origClientOrderId', wireClientOrderId(clientOrderId)]], venueOrderSchema, {
        signed: true,
      });
      this.rememberLeg(clientOrderId, res.symbol, res.orderId);
      return orderStateOf(res, clientOrderId, this.carried.get(clientOrderId));
    } catch (error) {
      if (isAutotraderError(error, 'ORDER_UNKNOWN')) return undefined;
      throw error;
    }
  }

  /** Open orders, of one instrument or all (weight 6 or 80). */
  async openOrders(instrumentId?: string): Promise<VenueOrderState[]> {
    const params: QueryParams = instrumentId === undefined ? [] : [['symbol', symbolOf(instrumentId)]];
    const list = await this.o.http.request('GET', '/api/v3/openOrders', params, z.array(venueOrderSchema), { signed: true });
    return list.map((o) => {
      const clientOrderId = ourClientOrderId(o.clientOrderId);
      this.rememberLeg(clientOrderId, o.symbol, o.orderId);
      return orderStateOf(o, clientOrderId, this.carried.get(clientOrderId));
    });
  }

  /** Non-zero balances from `GET /api/v3/account`. */
  async balances(): Promise<Balance[]> {
    const account = await this.o.http.request('GET', '/api/v3/account', [['omitZeroBalances', 'true']], accountSchema, { signed: true });
    return balancesOfAccount(account, this.o.clock.now());
  }

  /**
   * Spot positions: the non-zero balance of each known instrument's base asset. A base asset
   * shared by several instruments (BTC in BTCUSDT and BTCFDUSD) is one holding, so it is reported
   * once: on an instrument this port has traded if there is one, otherwise on the first listed.
   */
  async positions(): Promise<VenuePosition[]> {
    if (this.o.instruments.loaded().length === 0) await this.o.instruments.load();
    return spotPositions(await this.balances(), this.o.instruments.loaded(), this.traded);
  }

  /** Our trades in one instrument at or after `since`, oldest first, from `GET /api/v3/myTrades`. */
  async fillsSince(instrumentId: string, since: number): Promise<Fill[]> {
    const symbol = symbolOf(instrumentId);
    const limit = 1000;
    const out: Fill[] = [];
    let params: QueryParams = [['symbol', symbol], ['startTime', since], ['limit', limit]];
    for (;;) {
      const page = await this.o.http.request('GET', '/api/v3/myTrades', params, z.array(myTradeSchema), { signed: true });
      for (const t of page) out.push(await this.tradeToFill(t, instrumentId));
      if (page.length < limit) break;
      params = [['symbol', symbol], ['fromId', page[page.length - 1]!.id + 1], ['limit', limit]];
    }
    return out.sort((a, b) => a.tsEvent - b.tsEvent || Number(a.tradeId) - Number(b.tradeId));
  }

  /** Where Binance takes a commission by default: the asset the fill credits ('' for an instrument not loaded). */
  private receivedAsset(instrumentId: string, side: 'buy' | 'sell'): string {
    const instrument = this.o.instruments.get(instrumentId);
    return instrument === undefined ? '' : receivedAsset(instrument, side);
  }

  private requireSink(): ExecutionReportSink {
    if (this.sink === undefined) {
      throw new AutotraderError('VENUE_UNAVAILABLE', 'Binance execution is not connected: call connect(sink) before sending orders', { retryable: false });
    }
    return this.sink;
  }

  private rememberLeg(clientOrderId: string, symbol: string, orderId: number): string {
    const venueOrderId = String(orderId);
    this.clientIdByVenueId.set(`${symbol}:${venueOrderId}`, clientOrderId);
    if (!this.replacedLegs.has(venueOrderId)) this.currentLeg.set(clientOrderId, venueOrderId);
    return venueOrderId;
  }

  private carryFills(clientOrderId: string, oldLegExecuted: string, assumed: Decimal, instrumentId: string): void {
    const before = this.carried.get(clientOrderId) ?? ZERO;
    const total = before.plus(oldLegExecuted);
    this.carried.set(clientOrderId, total);
    if (total.gt(assumed)) {
      // A fill raced the replace: the new leg was sized on a smaller filled quantity and can overfill.
      const message = `modify of ${clientOrderId}: the replaced leg filled ${total.minus(assumed).toFixed()} more than known when the new leg was sized; the order may overfill`;
      this.o.logger.error(message, { clientOrderId, instrumentId });
      this.o.bus.publish('error', { source: SOURCE, code: 'ORDER_OVERFILL', message, tsEvent: this.o.clock.now() });
    }
  }

  private onReplacementPlaced(sink: ExecutionReportSink, clientOrderId: string, r: Replacement, leg: VenueOrder): void {
    const venueOrderId = String(leg.orderId);
    this.clientIdByVenueId.set(`${leg.symbol}:${venueOrderId}`, clientOrderId);
    this.currentLeg.set(clientOrderId, venueOrderId);
    // The new leg's NEW report may still be on its way: it is this update, not a second acceptance.
    this.seen.add(`A:${venueOrderId}`);
    this.emitOnce(sink, `U:${venueOrderId}`, this.updatedReport(clientOrderId, venueOrderId, r, leg.price, leg.stopPrice, leg.transactTime ?? this.o.clock.now()));
  }

  private updatedReport(clientOrderId: string, venueOrderId: string, r: Replacement, legPrice: string | undefined, legStop: string | undefined, ts: number): ExecutionReport {
    return {
      kind: 'updated',
      clientOrderId,
      venueOrderId,
      quantity: r.total,
      price: r.priced && isPositive(legPrice) ? price(legPrice!) : undefined,
      triggerPrice: r.triggered && isPositive(legStop) ? price(legStop!) : undefined,
      tsEvent: ts,
    };
  }

  private onReplaceFailed(
    sink: ExecutionReportSink,
    order: OrderSnapshot,
    error: unknown,
    assumedFilled: Decimal,
    oldVenueOrderId: string | undefined,
    outcomeUnknown: boolean,
  ): void {
    if (!isAutotraderError(error)) throw error;
    const code = error.details.venueCode;
    const data = cancelReplaceFailureData.safeParse(error.details.venueData);
    if (code === -2021 && data.success) {
      // The cancel went through and the new order did not: the order is gone at the venue.
      const cancel = venueOrderSchema.safeParse(data.data.cancelResponse);
      const reason = venueErrorSchema.safeParse(data.data.newOrderResponse);
      const why = reason.success ? `${reason.data.code} ${reason.data.msg}` : 'the new order failed';
      if (cancel.success) {
        this.replacedLegs.add(String(cancel.data.orderId));
        this.carryFills(order.clientOrderId, cancel.data.executedQty, assumedFilled, order.instrumentId);
      }
      // The venue may also report the refused new leg as REJECTED: the cancel below already ends the order.
      this.refused.add(order.clientOrderId);
      const key = cancel.success ? `T:${cancel.data.orderId}` : `T:replace:${order.clientOrderId}`;
      this.emitOnce(sink, key, { kind: 'canceled', clientOrderId: order.clientOrderId, reason: `modify failed after the cancel: ${why}`, tsEvent: this.o.clock.now() });
      return;
    }
    // Nothing changed at the venue: the old leg is live, and a later cancel of it is a real one.
    if (oldVenueOrderId !== undefined && !outcomeUnknown) this.replacedLegs.delete(oldVenueOrderId);
    if (code === -2022 && data.success) {
      const cancelError = venueErrorSchema.safeParse(data.data.cancelResponse);
      if (cancelError.success) {
        throw mapVenueFailure(
          { status: 400, code: cancelError.data.code, msg: cancelError.data.msg, request: 'POST /api/v3/order/cancelReplace', orderRequest: true },
          this.o.clock.now(),
        );
      }
    }
    throw error;
  }

  private async tradeToFill(t: MyTrade, instrumentId: string): Promise<Fill> {
    const key = `${t.symbol}:${t.orderId}`;
    let clientOrderId = this.clientIdByVenueId.get(key);
    if (clientOrderId === undefined) {
      // myTrades has no client order id: ask the order once and remember it.
      const o = await this.o.http.request('GET', '/api/v3/order', [['symbol', t.symbol], ['orderId', t.orderId]], venueOrderSchema, { signed: true });
      clientOrderId = ourClientOrderId(o.clientOrderId);
      this.clientIdByVenueId.set(key, clientOrderId);
    }
    return fillOfTrade(t, clientOrderId, instrumentId, this.o.clock.now());
  }

  private emitOnce(sink: ExecutionReportSink, key: string, report: ExecutionReport): void {
    deliverOnce(this.seen, sink, key, report, { source: SOURCE, logger: this.o.logger, bus: this.o.bus, clock: this.o.clock });
  }

  private malformed(message: string, error?: unknown): void {
    reportSkippedFrame(this.problems, message, error);
  }

  // ---- WebSocket API: user data subscription ----

  private async subscribeUserData(retryOnTimestamp = true): Promise<void> {
    const creds = this.o.credentials();
    const params = signWsApiParams({ apiKey: creds.apiKey, recvWindow: this.o.config.recvWindow, timestamp: this.o.http.venueNow() }, creds.signer);
    const res = await this.calls.call('userDataStream.subscribe.signature', params);
    if (res.status === 200) {
      this.o.logger.info('Binance user data stream subscribed', { subscriptionId: (res.result as { subscriptionId?: unknown } | undefined)?.subscriptionId });
      return;
    }
    if (res.error?.code === INVALID_TIMESTAMP && retryOnTimestamp) {
      this.o.logger.warn('Binance refused our timestamp (-1021) on the user data subscription; re-syncing the clock and retrying once');
      await this.o.http.syncTime();
      return this.subscribeUserData(false);
    }
    throw mapVenueFailure(
      {
        status: res.status,
        code: res.error?.code,
        msg: res.error?.msg,
        retryAfterEpochMs: res.error?.data?.retryAfter,
        request: 'WS userDataStream.subscribe.signature',
        orderRequest: false,
      },
      this.o.clock.now(),
    );
  }

  /** One WebSocket API frame: a user data event, or the answer to a call. Never throws. */
  private onFrame(text: string): void {
    const frame = parseJsonFrame(text);
    if (!frame.success) return this.malformed(frame.problem);
    const f = frame.data as Record<string, unknown> | null;
    if (f !== null && typeof f === 'object' && 'event' in f) {
      const e = checkFrame(wsApiEventSchema, f);
      if (!e.success) return this.malformed(`event frame without an event type (${e.problem})`);
      this.onUserEvent(e.data.event);
      return;
    }
    const r = checkFrame(wsApiResponseSchema, f);
    if (!r.success) return this.malformed('frame is neither an event nor a response');
    this.calls.answer(r.data);
  }

  private onUserEvent(event: { e: string }): void {
    switch (event.e) {
      case 'executionReport': {
        const r = checkFrame(executionReportSchema, event);
        if (!r.success) return this.malformed(`bad executionReport: ${r.problem}`);
        this.onExecutionReport(r.data);
        return;
      }
      case 'outboundAccountPosition': {
        const r = checkFrame(accountPositionSchema, event);
        if (!r.success) return this.malformed(`bad outboundAccountPosition: ${r.problem}`);
        // The venue's own figures: `venueBalance`, never our ledger's `balance` topic.
        this.o.bus.publish('venueBalance', venueBalanceSnapshotOf(r.data));
        return;
      }
      case 'balanceUpdate': {
        const r = checkFrame(balanceUpdateSchema, event);
        if (!r.success) return this.malformed(`bad balanceUpdate: ${r.problem}`);
        this.o.bus.publish('venueBalance', venueBalanceDeltaOf(r.data));
        return;
      }
      case 'eventStreamTerminated':
        // The venue ended our subscription (for example after a session change): start a new one.
        this.socket.recycle('user data stream terminated by the venue');
        return;
      default:
        this.o.logger.debug('Binance user data: event ignored', { event: event.e });
    }
  }

  /** Turns one executionReport into at most one ExecutionReport for the engine. */
  private onExecutionReport(e: VenueExecutionReport): void {
    const sink = this.sink;
    if (sink === undefined) return;
    const clientOrderId = clientOrderIdOfReport(e);
    const venueOrderId = String(e.i);
    const replacement = this.replacing.get(clientOrderId);
    const ts = e.T;
    switch (e.x) {
      case 'NEW': {
        const isNewLeg = replacement !== undefined && venueOrderId !== replacement.oldVenueOrderId;
        if (isNewLeg) {
          replacement.confirmed = true;
          this.clientIdByVenueId.set(`${e.s}:${venueOrderId}`, clientOrderId);
          this.currentLeg.set(clientOrderId, venueOrderId);
          this.seen.add(`A:${venueOrderId}`);
          this.emitOnce(sink, `U:${venueOrderId}`, this.updatedReport(clientOrderId, venueOrderId, replacement, e.p, e.P, ts));
          return;
        }
        this.rememberLeg(clientOrderId, e.s, e.i);
        this.emitOnce(sink, `A:${venueOrderId}`, { kind: 'accepted', clientOrderId, venueOrderId, tsEvent: ts });
        return;
      }
      case 'TRADE': {
        const fill = fillOfExecutionReport(e, clientOrderId, (side) => this.receivedAsset(instrumentIdOf(e.s), side), this.o.clock.now());
        if (fill === undefined) return this.malformed(`executionReport: ${fillProblem(e)}`);
        this.clientIdByVenueId.set(`${e.s}:${venueOrderId}`, clientOrderId);
        // Should a NEW arrive after its order's first fill (reordered frames), it must not move the order back to accepted.
        this.seen.add(`A:${venueOrderId}`);
        this.emitOnce(sink, `F:${e.s}:${e.t}`, { kind: 'fill', fill });
        return;
      }
      case 'CANCELED':
        if (this.replacedLegs.has(venueOrderId) || (replacement !== undefined && venueOrderId === replacement.oldVenueOrderId)) return;
        if (replacement !== undefined && replacement.oldVenueOrderId === undefined) return;
        this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'canceled', clientOrderId, tsEvent: ts });
        return;
      case 'REJECTED':
        // A refused submit was already reported by its REST error, and a refused replacement leg by modify().
        if (this.refused.has(clientOrderId) || replacement !== undefined) return;
        this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'rejected', clientOrderId, code: rejectReasonCode(e.r ?? 'NONE'), reason: e.r ?? 'REJECTED', tsEvent: ts });
        return;
      case 'EXPIRED':
        this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'expired', clientOrderId, tsEvent: ts });
        return;
      case 'TRADE_PREVENTION':
        if (e.X === 'EXPIRED_IN_MATCH') this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'expired', clientOrderId, tsEvent: ts });
        return;
      case 'REPLACED':
        // order.amend.keepPriority (made outside this port) reduced the quantity in place.
        this.emitOnce(sink, `R:${venueOrderId}:${e.E}`, { kind: 'updated', clientOrderId, quantity: quantity((this.carried.get(clientOrderId) ?? ZERO).plus(e.q)), tsEvent: ts });
        return;
      default:
        if (e.X === 'EXPIRED_IN_MATCH') this.emitOnce(sink, `T:${venueOrderId}`, { kind: 'expired', clientOrderId, tsEvent: ts });
    }
  }
}
