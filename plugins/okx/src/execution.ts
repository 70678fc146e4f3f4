import { channel } from 'node:diagnostics_channel';
import { z } from 'zod';
import {
  AutotraderError,
  Decimal,
  isAutotraderError,
  money,
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
  type VenueAccount,
  type VenueOrderChanges,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import { checkFrame, deliverOnce, OrderQueues, parseJsonFrame, PendingRequests, RecentKeys, ReconnectingSocket, reportSkippedFrame, socketSettings, spotPositions, venueStateOf, type FrameProblemSink, type QueryValue } from '@autotrader/venue-kit';
import { wsLoginArgs } from './auth';
import type { OkxConfig } from './config';
import type { OkxCredentials } from './credentials';
import { answerError, type OkxHttp } from './http';
import { checkOrder, type OkxInstruments } from './instruments';
import {
  accountSchema,
  AMEND_OF_FINISHED,
  amendOrderBody,
  balanceAnswerSchema,
  balancesOf,
  CANCEL_OF_FINISHED,
  cancelOrderBody,
  DUPLICATE_CLIENT_ORDER_ID,
  envelopeSchema,
  feeOf,
  fillOfEndpoint,
  fillOfPush,
  fillsAnswerSchema,
  hasNumber,
  instIdOf,
  isAmendable,
  isFinalState,
  okxError,
  ORDER_NOT_FOUND,
  orderAckSchema,
  orderAckAnswerSchema,
  ordersAnswerSchema,
  orderStateOf,
  ourClientOrderId,
  placeOrderBody,
  VENUE,
  venueOrderSchema,
  wireClientOrderId,
  type OrderAck,
  type VenueFill,
  type VenueOrder,
} from './mapping';
import { argKey, eventFrameSchema, loginFrame, okxHeartbeat, opAnswerSchema, opFrame, pushFrameSchema, subscriptionFrame, type ChannelArg, type OpAnswer } from './ws';

/** What the execution port needs from the plugin. */
export interface OkxExecutionOptions {
  readonly wsPrivateUrl: string;
  readonly http: OkxHttp;
  readonly instruments: OkxInstruments;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<OkxConfig, 'mainnet' | 'orderTransport' | 'timeouts' | 'reconnect'>;
  readonly credentials: () => OkxCredentials;
}

const SOURCE = 'okx:execution';
/**
 * Every order operation written to the private socket is announced on this diagnostics channel as
 * `{ op, id, at }` (`performance.now()` right after the frame is handed to the socket), so `pnpm bench`
 * can time tick-to-order over the WebSocket as it does over REST with undici's `sendHeaders`. Publishing
 * costs nothing when nobody subscribes.
 */
export const ORDER_OP_CHANNEL = 'autotrader:okx:order-op';
const orderOpChannel = channel(ORDER_OP_CHANNEL);
/** Page size of the orders and fills lists (OKX's maximum). */
const PAGE = 100;
/** `/trade/fills` covers the last 3 days; older fills are in `/trade/fills-history` (3 months). */
const RECENT_FILLS_MS = 3 * 86_400_000;
/** How long a fill missing from the channel (a push lost or late) is waited for before the fills endpoint is asked. */
const MISSING_FILL_GRACE_MS = 250;
/** How long an accepted amendment waits for its `amendResult` on the orders channel before the order is queried. */
const AMEND_CONFIRM_MS = 2000;
/** How long a confirmed cancel waits for the orders channel's `canceled` before the order is queried. */
const CANCEL_CONFIRM_MS = 1000;
/** Private channels: order updates of every spot instrument, balances. */
const PRIVATE_CHANNELS: readonly ChannelArg[] = [{ channel: 'orders', instType: 'SPOT' }, { channel: 'account' }, { channel: 'balance_and_position' }];
/** Transfer events of `balance_and_position` that change a balance outside our orders. */
const TRANSFER_EVENTS = new Set(['transferred', 'deposit', 'withdrawal']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref?.());
const ZERO = new Decimal(0);

/** What we know of one venue order, to report each fill once and its end after its fills. */
interface OrderTrack {
  readonly ordId: string;
  readonly clientOrderId: string;
  readonly instId: string;
  /** Base quantity reported as fills. */
  reported: Decimal;
  /** The venue's cumulative fill (`accFillSz`), highest seen. */
  acc: Decimal;
  /** The fees of the fills reported (our sign), against which a push without `fillFee` gives its fill's fee. */
  feeSum: Decimal;
  /** The end the venue announced (`canceled`, `mmp_canceled`, `filled`), reported once the fills add up. */
  final?: string;
}

/** `balance_and_position` push item. */
const balanceAndPositionSchema = z.looseObject({
  eventType: z.string(),
  pTime: z.string().optional(),
  balData: z.array(z.looseObject({ ccy: z.string(), cashBal: z.string(), uTime: z.string().optional() })).optional(),
});

/** `GET /account/config`: the account's id and level. */
const accountConfigSchema = envelopeSchema.extend({ data: z.array(z.looseObject({ uid: z.string(), acctLv: z.string().optional() })).min(1) });

/**
 * The OKX execution port. The private socket logs in (Unix-seconds signature), subscribes `orders`
 * (SPOT), `account` and `balance_and_position`, and carries the order operations when
 * `orderTransport` is `ws` (REST otherwise, and whenever the socket is down). Orders: place (`tdMode:
 * cash`), cancel and query by our `clOrdId`; native amend through `amend-order` (`newSz` counts what
 * filled, `cxlOnFail: false`), confirmed by the channel's `amendResult` so that a failed amendment leaves
 * the order as it was. Each fill is reported once by trade id from the orders channel (fee from
 * `fillFee`, sign turned to ours), a fill missing from the channel is fetched from `/trade/fills`, and an
 * order's end is reported after its fills.
 */
export class OkxExecutionPort implements ExecutionPort {
  readonly venue = VENUE;
  private sink: ExecutionReportSink | undefined;
  private readonly socket: ReconnectingSocket;
  private readonly seen = new RecentKeys();
  private readonly problems: FrameProblemSink;
  /** Login and subscriptions waiting for their answer. */
  private readonly pending: PendingRequests<void>;
  /** Order operations waiting for their answer, by op id. */
  private readonly ops: PendingRequests<OpAnswer>;
  /** Amendments waiting for their `amendResult`, by reqId. */
  private readonly amends: PendingRequests<void>;
  private running = false;
  private readonly clientIdOf = new Map<string, string>();
  private readonly venueIdOf = new Map<string, string>();
  private readonly tracks = new Map<string, OrderTrack>();
  /** Per venue order id, the chain of work on its updates, so an order's end is reported after the fills before it. */
  /** Each venue order's updates are handled in arrival order. */
  private readonly queues: OrderQueues;
  /** Recent cash balances by currency (venue time, amount), to turn a transfer's new balance into a delta. */
  private readonly cash = new Map<string, { t: number; cash: Decimal }[]>();
  /** Balance pushes, each published after the order updates received before it (see {@link afterOrderWork}). */
  private balanceWork: Promise<void> = Promise.resolve();
  private readonly idPrefix = Date.now().toString(36);
  private idSeq = 0;

  constructor(private readonly o: OkxExecutionOptions) {
    this.problems = { name: 'OKX private socket', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock };
    this.queues = new OrderQueues({ what: 'OKX orders channel', source: SOURCE, logger: o.logger, bus: o.bus, clock: o.clock });
    this.pending = new PendingRequests('OKX private socket', o.config.timeouts.wsRequestMs);
    this.ops = new PendingRequests('OKX order operation', o.config.timeouts.requestMs);
    this.amends = new PendingRequests('OKX amendment', AMEND_CONFIRM_MS);
    this.socket = new ReconnectingSocket({
      name: 'okx private',
      url: () => o.wsPrivateUrl,
      logger: o.logger,
      ...socketSettings(o.config, okxHeartbeat(o.config.timeouts.pingIntervalMs)),
      onOpen: async () => {
        await this.loginAndSubscribe();
      },
      onMessage: (text) => this.onFrame(text),
      onState: (state, reason) => {
        if (state === 'disconnected') {
          // An operation sent on the dropped socket may have been acted on.
          this.ops.rejectAll(new AutotraderError('VENUE_UNAVAILABLE', `OKX private socket dropped before the answer (${reason}); the order outcome is unknown, query it before resending`, { details: { outcomeUnknown: true } }));
        }
        o.bus.publish('venueStatus', { venue: VENUE, state: venueStateOf(state, this.running), reason, tsEvent: o.clock.now() });
      },
    });
  }

  /** Offline checks before the first request: OKX_API_KEY, OKX_API_SECRET and OKX_API_PASSPHRASE must be set (AUTH_MISSING names each missing one). */
  preflight(): void {
    this.o.credentials();
  }

  /** Syncs the clock with the venue, then logs in on the private socket and subscribes the order and balance channels. */
  async connect(sink: ExecutionReportSink): Promise<void> {
    this.preflight();
    this.sink = sink;
    if (this.running) return;
    try {
      await this.o.http.syncTime();
    } catch (error) {
      this.o.logger.warn('OKX: could not read the venue time; signing with the local clock', { error });
    }
    await this.socket.start();
    this.running = true;
  }

  /** Closes the private socket. */
  async disconnect(): Promise<void> {
    this.running = false;
    const closing = new AutotraderError('VENUE_UNAVAILABLE', 'OKX private socket: disconnected');
    this.pending.rejectAll(closing);
    this.amends.rejectAll(closing);
    await this.socket.close();
  }

  /** Places an order; resolves when OKX has it. A duplicated `clOrdId` (a resend of an order OKX has) is looked up, never sent twice. */
  async submit(order: OrderSnapshot): Promise<void> {
    const sink = this.requireSink();
    this.o.credentials();
    const instrument = await this.o.instruments.require(order.instrumentId);
    checkOrder(order, instrument, this.o.instruments.rules(order.instrumentId));
    const body = placeOrderBody(order);
    let ack: OrderAck;
    try {
      ack = await this.operate('order', '/api/v5/trade/order', body, `place ${order.clientOrderId}`);
    } catch (error) {
      if (!isAutotraderError(error) || error.details.venueCode !== DUPLICATE_CLIENT_ORDER_ID) throw error;
      // OKX has an order with this id: ours, sent before (a retry after an unknown outcome). Report it as it is.
      const state = await this.order(order.clientOrderId, order.instrumentId);
      if (state === undefined) throw error;
      this.o.logger.info(`OKX already has order ${order.clientOrderId} (${state.venueOrderId}); not sending it again`);
      this.emitOnce(sink, `A:${state.venueOrderId}`, { kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: state.venueOrderId, tsEvent: this.o.clock.now() });
      return;
    }
    const ordId = ack.ordId ?? '';
    this.remember(order.clientOrderId, ordId, body.instId);
    this.emitOnce(sink, `A:${ordId}`, { kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: ordId, tsEvent: this.o.clock.now() });
  }

  /**
   * Cancels by our `clOrdId`. The end is reported from the orders channel after the order's fills (or,
   * if the channel says nothing soon, from a query). A cancel of an order that is already finished
   * (51400–51402) is resolved from the venue's state: its fills and its end are reported, and nothing
   * is thrown; an order OKX does not know is ORDER_UNKNOWN.
   */
  async cancel(order: OrderSnapshot): Promise<void> {
    this.requireSink();
    try {
      await this.operate('cancel-order', '/api/v5/trade/cancel-order', cancelOrderBody(order.instrumentId, order.clientOrderId), `cancel ${order.clientOrderId}`);
    } catch (error) {
      if (!isAutotraderError(error) || !CANCEL_OF_FINISHED.has(String(error.details.venueCode))) throw error;
      const state = await this.resolveFromVenue(order.clientOrderId, order.instrumentId);
      if (state === undefined) {
        throw new AutotraderError('ORDER_UNKNOWN', `OKX has no order ${order.clientOrderId}: ${error.message}`, { details: { ...error.details, clientOrderId: order.clientOrderId } });
      }
      if (state.status !== 'filled' && state.status !== 'canceled') throw error;
      return;
    }
    const ordId = order.venueOrderId ?? this.venueIdOf.get(order.clientOrderId);
    // The channel normally reports the cancel at once; if it does not, the venue is asked.
    void sleep(CANCEL_CONFIRM_MS).then(async () => {
      if (ordId !== undefined && this.seen.has(`T:${ordId}`)) return;
      try {
        await this.resolveFromVenue(order.clientOrderId, order.instrumentId);
      } catch (error) {
        this.o.logger.warn(`OKX: could not confirm the cancel of ${order.clientOrderId}; reconciliation will`, { error });
      }
    });
  }

  /** True for what `amend-order` changes in place: resting limit orders (GTC, post-only included), to a size above what filled. */
  canModify(order: OrderSnapshot, changes: VenueOrderChanges): boolean {
    return isAmendable(order, changes);
  }

  /**
   * Amends in place through `amend-order`: `newSz` is the new total size (what filled included),
   * `newPx` the new price, `cxlOnFail: false`, a fresh `reqId`. OKX accepting the request is not the
   * amendment: the orders channel's `amendResult` for that reqId is (0 → `updated`, −1 → `modifyRejected`,
   * the order as it was). Without it in time, the order is queried and compared. A refused request is a
   * coded error (the kernel reports modifyRejected); an order no longer there (51503/51509/51510) is ORDER_UNKNOWN.
   */
  async modify(order: OrderSnapshot, changes: VenueOrderChanges): Promise<void> {
    const sink = this.requireSink();
    if (!isAmendable(order, changes)) {
      throw new AutotraderError('ORDER_TYPE_UNSUPPORTED', `OKX amends resting limit orders only, to a size above what filled; ${order.clientOrderId} (${order.type} ${order.timeInForce}) goes by cancel and replace`, {
        details: { clientOrderId: order.clientOrderId, type: order.type, timeInForce: order.timeInForce },
      });
    }
    const instrument = await this.o.instruments.require(order.instrumentId);
    const target = { quantity: changes.quantity ?? order.quantity, price: changes.price ?? order.price };
    checkOrder({ clientOrderId: order.clientOrderId, quantity: target.quantity, price: target.price }, instrument, this.o.instruments.rules(order.instrumentId));
    const reqId = this.nextId('a');
    const body = amendOrderBody(order, changes, reqId);
    const confirmed = this.amends.request(reqId, `amend ${order.clientOrderId}`, () => undefined);
    confirmed.catch(() => undefined);
    try {
      await this.operate('amend-order', '/api/v5/trade/amend-order', body, `amend ${order.clientOrderId}`);
    } catch (error) {
      this.amends.reject(reqId, error as Error);
      if (isAutotraderError(error) && AMEND_OF_FINISHED.has(String(error.details.venueCode))) {
        throw new AutotraderError('ORDER_UNKNOWN', `OKX cannot amend ${order.clientOrderId}: it no longer rests there (${error.message})`, { details: { ...error.details, clientOrderId: order.clientOrderId } });
      }
      throw error;
    }
    try {
      await confirmed;
    } catch {
      // No amendResult in time: the venue's order says whether the amendment took.
      const state = await this.order(order.clientOrderId, order.instrumentId);
      const took = state !== undefined && state.quantity.eq(target.quantity) && (target.price === undefined || (state.price !== undefined && state.price.eq(target.price)));
      const ts = this.o.clock.now();
      if (took) this.emitOnce(sink, `U:${reqId}`, { kind: 'updated', clientOrderId: order.clientOrderId, quantity: quantity(target.quantity), price: target.price === undefined ? undefined : price(target.price), tsEvent: ts });
      else this.emitOnce(sink, `U:${reqId}`, { kind: 'modifyRejected', clientOrderId: order.clientOrderId, reason: `OKX did not confirm amendment ${reqId}; the order stands as the venue has it`, tsEvent: ts });
    }
  }

  /** One order by our client order id (`GET /trade/order?clOrdId=`); undefined when OKX does not know it (51603). */
  async order(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined> {
    const o = await this.fetchOrder(clientOrderId, instrumentId);
    return o === undefined ? undefined : orderStateOf(o);
  }

  /** Open orders from `/trade/orders-pending`, of one instrument or every spot one (every page). */
  async openOrders(instrumentId?: string): Promise<VenueOrderState[]> {
    const out: VenueOrderState[] = [];
    let after: string | undefined;
    for (;;) {
      const query: Array<readonly [string, QueryValue]> = [['instType', 'SPOT']];
      if (instrumentId !== undefined) query.push(['instId', instIdOf(instrumentId)]);
      if (after !== undefined) query.push(['after', after]);
      query.push(['limit', PAGE]);
      const page = await this.o.http.request('GET', '/api/v5/trade/orders-pending', ordersAnswerSchema, { query, signed: true });
      for (const x of page.data) {
        const state = orderStateOf(x);
        this.remember(state.clientOrderId, x.ordId, x.instId);
        out.push(state);
      }
      if (page.data.length < PAGE) return out;
      after = page.data[page.data.length - 1]!.ordId;
    }
  }

  /** Balances from `/account/balance` (availBal free, frozenBal locked, cashBal total). */
  async balances(): Promise<Balance[]> {
    const res = await this.o.http.request('GET', '/api/v5/account/balance', balanceAnswerSchema, { signed: true });
    const details = res.data.flatMap((a) => a.details);
    this.noteCash(details);
    return balancesOf(details, this.o.clock.now());
  }

  /** Spot positions: each loaded instrument's non-zero base balance, a shared base asset reported once. */
  async positions(): Promise<VenuePosition[]> {
    if (this.o.instruments.loaded().length === 0) await this.o.instruments.load();
    return spotPositions(await this.balances(), this.o.instruments.loaded());
  }

  /** The account these keys trade (`GET /account/config` `uid`): the journal refuses another account's file. */
  async venueAccount(): Promise<VenueAccount> {
    const res = await this.o.http.request('GET', '/api/v5/account/config', accountConfigSchema, { signed: true });
    return { accountId: res.data[0]!.uid, accountType: 'cash' };
  }

  /**
   * Our fills in one instrument at or after `since`, oldest first: `/trade/fills` (the last 3 days),
   * and `/trade/fills-history` too when `since` is older; a fill in both is given once.
   */
  async fillsSince(instrumentId: string, since: number): Promise<Fill[]> {
    const instId = instIdOf(instrumentId);
    const raw = await this.fetchFills('/api/v5/trade/fills', [['instType', 'SPOT'], ['instId', instId], ['begin', since]], since);
    if (since < this.o.clock.now() - RECENT_FILLS_MS) raw.push(...(await this.fetchFills('/api/v5/trade/fills-history', [['instType', 'SPOT'], ['instId', instId], ['begin', since]], since)));
    const byTrade = new Map<string, Fill>();
    // OKX lists newest first: reversed, same-millisecond fills keep the venue's order through the stable sort.
    for (const f of raw.reverse()) {
      if (byTrade.has(f.tradeId)) continue;
      const fill = fillOfEndpoint(f, await this.clientOrderIdFor(f), this.o.clock.now());
      if (fill.tsEvent >= since) byTrade.set(f.tradeId, fill);
    }
    // A stable sort: fills of the same millisecond keep the venue's order.
    return [...byTrade.values()].sort((a, b) => a.tsEvent - b.tsEvent);
  }

  // ---- operations ----

  /**
   * One order operation, over the private socket (`orderTransport: ws`, when it is connected) or REST.
   * Resolves with the operation's item when `sCode` is 0; anything else is a coded error with the
   * venue's code (`details.venueCode`).
   */
  private async operate(op: 'order' | 'cancel-order' | 'amend-order', path: string, body: object, what: string): Promise<OrderAck> {
    if (this.o.config.orderTransport === 'ws' && this.socket.connected) return this.operateWs(op, body, what);
    const res = await this.o.http.request('POST', path, orderAckAnswerSchema, { body, signed: true, kind: 'order' });
    const item = res.data[0];
    if (item === undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OKX ${what}: an answer without its item (the order outcome is unknown, query it before resending)`, { details: { outcomeUnknown: true } });
    if (item.sCode !== '0') throw answerError({ code: '1', msg: res.msg, data: [item] }, what, this.o.http.demo);
    return item;
  }

  private async operateWs(op: 'order' | 'cancel-order' | 'amend-order', body: object, what: string): Promise<OrderAck> {
    const id = this.nextId('o');
    const answer = await this.ops.request(
      id,
      what,
      () => {
        this.socket.send(opFrame(id, op, [body]));
        if (orderOpChannel.hasSubscribers) orderOpChannel.publish({ op, id, at: performance.now() });
      },
      { outcomeUnknown: true, op },
    );
    if (answer.code !== '0') throw answerError({ code: answer.code, msg: answer.msg, data: answer.data }, `${what} (WebSocket ${op})`, this.o.http.demo);
    const item = orderAckSchema.safeParse(answer.data?.[0]);
    if (!item.success) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OKX ${what}: the ${op} answer has no item (the order outcome is unknown, query it before resending)`, { details: { outcomeUnknown: true } });
    if (item.data.sCode !== '0') throw answerError({ code: '1', msg: answer.msg, data: [item.data] }, `${what} (WebSocket ${op})`, this.o.http.demo);
    return item.data;
  }

  /** A fresh id for an op or an amendment: letters and digits, at most 32, unique in this process. */
  private nextId(kind: 'o' | 'a'): string {
    return `${kind}${this.idPrefix}${(++this.idSeq).toString(36)}`;
  }

  // ---- queries ----

  private async fetchOrder(clientOrderId: string, instrumentId: string): Promise<VenueOrder | undefined> {
    try {
      const res = await this.o.http.request('GET', '/api/v5/trade/order', ordersAnswerSchema, {
        query: [['instId', instIdOf(instrumentId)], ['clOrdId', wireClientOrderId(clientOrderId)]],
        signed: true,
      });
      const o = res.data[0];
      if (o !== undefined) this.remember(clientOrderId, o.ordId, o.instId);
      return o;
    } catch (error) {
      if (isAutotraderError(error) && (error.details.venueCode === ORDER_NOT_FOUND || error.details.venueCode === '51001')) return undefined;
      throw error;
    }
  }

  /**
   * The venue's state of one order, with what it implies reported once: its fills (from the fills
   * endpoint when the channel missed them) and its end.
   */
  private async resolveFromVenue(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined> {
    const o = await this.fetchOrder(clientOrderId, instrumentId);
    if (o === undefined) return undefined;
    const sink = this.requireSink();
    await new Promise<void>((resolve) => {
      this.queues.enqueue(o.ordId, async () => {
        try {
          const track = this.track(o.ordId, clientOrderId, o.instId);
          this.emitOnce(sink, `A:${o.ordId}`, { kind: 'accepted', clientOrderId, venueOrderId: o.ordId, tsEvent: this.o.clock.now() });
          if (hasNumber(o.accFillSz)) track.acc = Decimal.max(track.acc, new Decimal(o.accFillSz));
          if (isFinalState(o.state)) track.final = o.state;
          await this.catchUpFills(sink, track);
          this.settle(sink, track);
        } finally {
          resolve();
        }
      });
    });
    return orderStateOf(o);
  }

  /** Every page of a fills list at or after `since`, newest first as OKX gives them (paged back by `billId`). */
  private async fetchFills(path: string, filter: Array<readonly [string, QueryValue]>, since: number): Promise<VenueFill[]> {
    const out: VenueFill[] = [];
    let after: string | undefined;
    for (;;) {
      const query: Array<readonly [string, QueryValue]> = [...filter];
      if (after !== undefined) query.push(['after', after]);
      query.push(['limit', PAGE]);
      const page = await this.o.http.request('GET', path, fillsAnswerSchema, { query, signed: true });
      out.push(...page.data);
      const last = page.data[page.data.length - 1];
      if (page.data.length < PAGE || last === undefined || last.billId === undefined || last.billId === '') return out;
      const ts = Number(last.fillTime ?? last.ts);
      if (Number.isFinite(ts) && ts < since) return out;
      after = last.billId;
    }
  }

  /** Our client order id of a fill: from its `clOrdId`, the ids we hold, or one query. */
  private async clientOrderIdFor(f: VenueFill): Promise<string> {
    if (f.clOrdId !== undefined && f.clOrdId !== '') return ourClientOrderId(f.clOrdId);
    const known = this.clientIdOf.get(f.ordId);
    if (known !== undefined) return known;
    const res = await this.o.http.request('GET', '/api/v5/trade/order', ordersAnswerSchema, { query: [['instId', f.instId], ['ordId', f.ordId]], signed: true });
    const o = res.data[0];
    const id = o?.clOrdId !== undefined && o.clOrdId !== '' ? ourClientOrderId(o.clOrdId) : f.ordId;
    this.remember(id, f.ordId, f.instId);
    return id;
  }

  // ---- reports ----

  private requireSink(): ExecutionReportSink {
    if (this.sink === undefined) throw new AutotraderError('VENUE_UNAVAILABLE', 'OKX execution is not connected: call connect(sink) before sending orders', { retryable: false });
    return this.sink;
  }

  private remember(clientOrderId: string, ordId: string, instId: string): void {
    if (ordId === '') return;
    this.clientIdOf.set(ordId, clientOrderId);
    this.venueIdOf.set(clientOrderId, ordId);
    this.track(ordId, clientOrderId, instId);
  }

  private track(ordId: string, clientOrderId: string, instId: string): OrderTrack {
    let t = this.tracks.get(ordId);
    if (t === undefined) {
      t = { ordId, clientOrderId, instId, reported: ZERO, acc: ZERO, feeSum: ZERO };
      this.tracks.set(ordId, t);
      // Bounded: orders long finished are forgotten (their keys stay in `seen`).
      if (this.tracks.size > 20_000) this.tracks.delete(this.tracks.keys().next().value!);
    }
    return t;
  }

  private emitOnce(sink: ExecutionReportSink, key: string, report: ExecutionReport): void {
    deliverOnce(this.seen, sink, key, report, { source: SOURCE, logger: this.o.logger, bus: this.o.bus, clock: this.o.clock });
  }

  /** Reports a fill once by trade id; true when it was new. */
  private emitFill(sink: ExecutionReportSink, track: OrderTrack, fill: Fill): boolean {
    const key = `F:${fill.tradeId}`;
    if (this.seen.has(key)) return false;
    this.emitOnce(sink, key, { kind: 'fill', fill });
    track.reported = track.reported.plus(fill.quantity);
    track.feeSum = track.feeSum.plus(fill.fee);
    return true;
  }

  /** Reports the order's end once its fills add up to what the venue says filled. */
  private settle(sink: ExecutionReportSink, track: OrderTrack): void {
    if (track.final === undefined || track.reported.lt(track.acc)) return;
    if (track.final === 'canceled' || track.final === 'mmp_canceled') {
      this.emitOnce(sink, `T:${track.ordId}`, { kind: 'canceled', clientOrderId: track.clientOrderId, reason: track.final === 'mmp_canceled' ? 'cancelled by market-maker protection' : undefined, tsEvent: this.o.clock.now() });
    } else {
      // Filled: the fills say it all; the key only marks the order as settled.
      this.seen.add(`T:${track.ordId}`);
    }
  }

  /** Fills the orders channel has not delivered (lost or late pushes), from `/trade/fills?ordId=`. */
  private async catchUpFills(sink: ExecutionReportSink, track: OrderTrack): Promise<void> {
    if (track.reported.gte(track.acc)) return;
    const fills = await this.fetchFills('/api/v5/trade/fills', [['instType', 'SPOT'], ['instId', track.instId], ['ordId', track.ordId]], 0);
    for (const f of fills.reverse()) {
      if (f.ordId !== track.ordId) continue;
      this.emitFill(sink, track, fillOfEndpoint(f, track.clientOrderId, this.o.clock.now()));
    }
    if (track.reported.lt(track.acc)) {
      this.o.logger.warn(`OKX order ${track.ordId}: fills add up to ${track.reported.toFixed()} of ${track.acc.toFixed()}; reconciliation will recover the rest`);
    }
  }

  // ---- the private socket ----

  private async loginAndSubscribe(): Promise<void> {
    const creds = this.o.credentials();
    await this.pending.request('login', 'login', () => this.socket.send(loginFrame(wsLoginArgs(creds, this.o.http.venueNow()))));
    const acks = PRIVATE_CHANNELS.map((arg) => this.pending.request(argKey(arg), `subscribe ${argKey(arg)}`, () => undefined));
    this.socket.send(subscriptionFrame('subscribe', PRIVATE_CHANNELS));
    await Promise.all(acks);
  }
  private onFrame(text: string): void {
    const parsed = parseJsonFrame(text);
    if (!parsed.success) return reportSkippedFrame(this.problems, parsed.problem);
    const raw = parsed.data as Record<string, unknown>;
    if (typeof raw !== 'object' || raw === null) return reportSkippedFrame(this.problems, 'frame is not an object');
    if ('event' in raw) return this.onEvent(raw);
    if ('op' in raw && 'id' in raw) {
      const a = checkFrame(opAnswerSchema, raw);
      if (!a.success) return reportSkippedFrame(this.problems, `bad operation answer: ${a.problem}`);
      this.ops.resolve(a.data.id, a.data);
      return;
    }
    const push = checkFrame(pushFrameSchema, raw);
    if (!push.success) return reportSkippedFrame(this.problems, `not an OKX push: ${push.problem}`);
    switch (push.data.arg.channel) {
      case 'orders':
        for (const item of push.data.data) {
          const o = checkFrame(venueOrderSchema, item);
          if (!o.success) {
            reportSkippedFrame(this.problems, `bad orders item: ${o.problem}`);
            continue;
          }
          this.onOrderPush(o.data);
        }
        return;
      case 'account':
        for (const item of push.data.data) {
          const a = checkFrame(accountSchema, item);
          if (!a.success) return reportSkippedFrame(this.problems, `bad account item: ${a.problem}`);
          this.noteCash(a.data.details);
          const ts = this.o.clock.now();
          const snapshot = { kind: 'snapshot' as const, venue: VENUE, balances: balancesOf(a.data.details, ts), tsEvent: hasNumber(a.data.uTime) ? Number(a.data.uTime) : ts };
          // The venue's own figures: `venueBalance`, never our ledger's `balance` topic.
          this.afterOrderWork(() => this.o.bus.publish('venueBalance', snapshot));
        }
        return;
      case 'balance_and_position':
        for (const item of push.data.data) {
          const b = checkFrame(balanceAndPositionSchema, item);
          if (!b.success) return reportSkippedFrame(this.problems, `bad balance_and_position item: ${b.problem}`);
          this.afterOrderWork(() => this.onBalanceEvent(b.data));
        }
        return;
      default:
        return;
    }
  }

  private onEvent(raw: Record<string, unknown>): void {
    const e = checkFrame(eventFrameSchema, raw);
    if (!e.success) return reportSkippedFrame(this.problems, `bad event frame: ${e.problem}`);
    const ev = e.data;
    if (ev.event === 'login') {
      if (ev.code === undefined || ev.code === '0') this.pending.resolve('login', undefined);
      else this.pending.reject('login', this.loginError(ev.code, ev.msg ?? ''));
      return;
    }
    if (ev.event === 'subscribe' && ev.arg !== undefined) {
      this.pending.resolve(argKey(ev.arg), undefined);
      return;
    }
    if (ev.event === 'error') {
      const code = ev.code ?? '';
      const error = this.pending.has('login') ? this.loginError(code, ev.msg ?? '') : okxError(code, ev.msg ?? '', 'private socket', this.o.http.demo);
      this.o.logger.error(error.message);
      this.o.bus.publish('error', { source: SOURCE, code: error.code, message: error.message, tsEvent: this.o.clock.now() });
      this.pending.rejectAll(error);
    }
  }

  /** A refused login: AUTH_FAILED, saying which environment a 50101 key belongs to. */
  private loginError(code: string, msg: string): AutotraderError {
    const e = okxError(code, msg, 'private socket login', this.o.http.demo);
    return e.code === 'AUTH_FAILED' ? e : new AutotraderError('AUTH_FAILED', e.message, { details: e.details });
  }

  /** One orders-channel item: acceptance, its fill (once by trade id), an amendment's result, its end after its fills. */
  private onOrderPush(o: VenueOrder): void {
    const sink = this.sink;
    if (sink === undefined) return;
    const clientOrderId = ourClientOrderId(o.clOrdId !== undefined && o.clOrdId !== '' ? o.clOrdId : o.ordId);
    this.remember(clientOrderId, o.ordId, o.instId);
    this.queues.enqueue(o.ordId, async () => {
      const track = this.track(o.ordId, clientOrderId, o.instId);
      const ts = this.o.clock.now();
      this.emitOnce(sink, `A:${o.ordId}`, { kind: 'accepted', clientOrderId, venueOrderId: o.ordId, tsEvent: ts });
      if (o.reqId !== undefined && o.reqId !== '' && o.amendResult !== undefined && o.amendResult !== '') this.onAmendResult(sink, clientOrderId, o);
      // Without `fillFee` (older pushes), this fill's fee is what the order's running total `fee` adds to the
      // fees already reported, which holds only for the next fill in order; a fill out of order is taken
      // from the fills endpoint instead, which gives each fill's own fee.
      const perFill = hasNumber(o.fillFee);
      const inOrder = hasNumber(o.accFillSz) && hasNumber(o.fillSz) && new Decimal(o.accFillSz).eq(track.reported.plus(o.fillSz));
      const fill = perFill || inOrder ? fillOfPush(o, clientOrderId, ts, hasNumber(o.fee) ? { fee: feeOf(o.fee).minus(track.feeSum), feeCcy: o.feeCcy ?? '' } : undefined) : undefined;
      if (fill !== undefined) this.emitFill(sink, track, fill);
      if (hasNumber(o.accFillSz)) track.acc = Decimal.max(track.acc, new Decimal(o.accFillSz));
      if (isFinalState(o.state)) track.final = o.state;
      if (track.reported.lt(track.acc)) {
        // A fill is missing: a push still on its way (reordered) or lost. Give it a moment, then ask.
        await sleep(MISSING_FILL_GRACE_MS);
        await this.catchUpFills(sink, track);
      }
      this.settle(sink, track);
    });
  }

  /** `amendResult` of our amendment `reqId`: 0 (or 2) took → `updated`; −1 → `modifyRejected` (the order as it was); 1 → it failed and OKX cancelled the order. */
  private onAmendResult(sink: ExecutionReportSink, clientOrderId: string, o: VenueOrder): void {
    const key = `U:${o.reqId}`;
    const ts = this.o.clock.now();
    if (o.amendResult === '0' || o.amendResult === '2') {
      this.emitOnce(sink, key, { kind: 'updated', clientOrderId, quantity: quantity(o.sz), price: hasNumber(o.px) && Number(o.px) > 0 ? price(o.px) : undefined, tsEvent: ts });
    } else {
      const why = o.amendResult === '1' ? 'the amendment failed and OKX cancelled the order' : `OKX refused the amendment${o.code ? ` (${o.code}${o.msg ? ` ${o.msg}` : ''})` : ''}`;
      this.emitOnce(sink, key, { kind: 'modifyRejected', clientOrderId, reason: why, tsEvent: ts });
    }
    this.amends.resolve(o.reqId!, undefined);
  }

  /**
   * Runs `work` once the order updates received before it are handled. OKX pushes a fill's `orders`
   * item, then the `account` balances it changed; the fill is handled on its order's chain (a few
   * microtasks, or a fills query), so a balance snapshot published at once would be compared with our
   * ledger before the fill is booked.
   */
  private afterOrderWork(work: () => void): void {
    const before = this.queues.pending();
    this.balanceWork = this.balanceWork
      .then(() => Promise.allSettled(before))
      .then(work)
      .catch((error: unknown) => this.o.logger.warn('OKX: handling a balance push failed', { error }));
  }

  /** Remembers cash balances by venue time, so a later transfer's new balance gives its delta. */
  private noteCash(details: readonly { ccy: string; cashBal?: string; uTime?: string }[]): void {
    for (const d of details) {
      if (!hasNumber(d.cashBal)) continue;
      const t = hasNumber(d.uTime) ? Number(d.uTime) : this.o.clock.now();
      const list = this.cash.get(d.ccy) ?? [];
      list.push({ t, cash: new Decimal(d.cashBal) });
      list.sort((a, b) => a.t - b.t);
      if (list.length > 16) list.shift();
      this.cash.set(d.ccy, list);
    }
  }

  /**
   * A `balance_and_position` transfer (deposit, withdrawal, transfer in or out of the trading account)
   * as a `venueBalance` delta: its new cash balance minus the last one known from before it.
   */
  private onBalanceEvent(e: z.output<typeof balanceAndPositionSchema>): void {
    const bal = e.balData ?? [];
    if (TRANSFER_EVENTS.has(e.eventType)) {
      for (const b of bal) {
        if (!hasNumber(b.cashBal)) continue;
        const t = hasNumber(b.uTime) ? Number(b.uTime) : hasNumber(e.pTime) ? Number(e.pTime) : this.o.clock.now();
        const before = (this.cash.get(b.ccy) ?? []).filter((x) => x.t < t).pop();
        if (before === undefined) {
          this.o.logger.warn(`OKX ${e.eventType} of ${b.ccy}: no earlier balance known, so its amount is left to the balance comparison`);
          continue;
        }
        const delta = new Decimal(b.cashBal).minus(before.cash);
        if (!delta.isZero()) this.o.bus.publish('venueBalance', { kind: 'delta', venue: VENUE, currency: b.ccy, delta: money(delta), tsEvent: t });
      }
    }
    this.noteCash(bal);
  }
}
