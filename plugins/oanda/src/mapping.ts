import { z } from 'zod';
import {
  AutotraderError,
  Decimal,
  money,
  price,
  quantity,
  type ErrorCode,
  type Fill,
  type Instrument,
  type OrderSnapshot,
  type OrderStatus,
  type VenueOrderReason,
  type VenueOrderState,
} from '@autotrader/core';
import { escapeCodec, type ClientOrderIdCodec } from '@autotrader/venue-kit';

/** The venue name in instrument ids (`EUR_USD.OANDA`). */
export const VENUE = 'OANDA';

/** `EUR_USD` → `EUR_USD.OANDA`. */
export const instrumentIdOf = (name: string): string => `${name}.${VENUE}`;

/** `EUR_USD.OANDA` (or `EUR_USD`) → `EUR_USD`. */
export function instrumentNameOf(instrumentId: string): string {
  const suffix = `.${VENUE}`;
  return instrumentId.endsWith(suffix) ? instrumentId.slice(0, -suffix.length) : instrumentId;
}

// ---- client order ids ---------------------------------------------------------------------------

/**
 * OANDA client order ids (`clientExtensions.id`). v20.json gives the field no length or character
 * rule; it is also used in a URL path as the `@<clientID>` order specifier, so the codec keeps to the
 * characters a path segment carries unescaped (RFC 3986 "unreserved") and to 128 characters (our own
 * cap: the spec states none). Our ids (`prefix-N`) pass unchanged; anything else is escaped as `~` + hex.
 */
export const CLIENT_ORDER_IDS: ClientOrderIdCodec = escapeCodec({
  venue: 'OANDA',
  rule: 'up to 128 of [A-Za-z0-9._~-] (a URL path segment as @<clientID>)',
  maxLength: 128,
  allowed: /^[A-Za-z0-9._~-]$/,
  escape: '~',
});
/** Every client order id we send. */
export const wireClientOrderId = (id: string): string => CLIENT_ORDER_IDS.encode(id);
/** Every client order id we read. */
export const ourClientOrderId = (wire: string): string => CLIENT_ORDER_IDS.decode(wire) ?? wire;
/** The order specifier of one of our orders: `@<clientID>` (v20 OrderSpecifier). */
export const clientSpecifier = (clientOrderId: string): string => `@${wireClientOrderId(clientOrderId)}`;
/** Our id of an order the venue made itself (a margin closeout) or that another tool placed: it has no client id of ours. */
export const venueMadeClientOrderId = (reason: VenueOrderReason, orderId: string): string => `${reason}-${orderId}`;

// ---- times ----------------------------------------------------------------------------------------

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const UNIX = /^(\d+)(?:\.(\d{1,9}))?$/;

/**
 * A v20 DateTime as epoch ms, exactly: RFC3339 with up to nine fractional digits (`2016-10-25T19:45:38.558056359Z`)
 * or UNIX `seconds.nanoseconds`, read digit by digit (never through a float); sub-millisecond digits
 * are dropped (truncated). Anything else is VENUE_MESSAGE_MALFORMED.
 */
export function parseTime(text: string): number {
  const r = RFC3339.exec(text);
  if (r !== null) {
    const [, y, mo, d, h, mi, s, frac, zone] = r;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number((frac ?? '').padEnd(3, '0').slice(0, 3));
    if (zone !== 'Z') {
      const sign = zone!.startsWith('-') ? -1 : 1;
      ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
    }
    if (Number.isFinite(ms)) return ms;
  }
  const u = UNIX.exec(text);
  if (u !== null) return Number(u[1]) * 1000 + Number((u[2] ?? '').padEnd(3, '0').slice(0, 3));
  throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OANDA sent a time that is neither RFC3339 nor UNIX: ${JSON.stringify(text.slice(0, 40))}`);
}

/** A time for a request (`gtdTime`, candle `from`/`to`): RFC3339, as our requests ask for. */
export const timeText = (ms: number): string => new Date(ms).toISOString();

// ---- wire schemas ---------------------------------------------------------------------------------

/** A decimal string as OANDA sends every amount: checked, never read through a float. */
export const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string');

/** v20 `Instrument` (the fields we use). */
export const instrumentSchema = z.looseObject({
  name: z.string().min(3),
  type: z.string(),
  displayName: z.string().optional(),
  pipLocation: z.number().int(),
  displayPrecision: z.number().int().min(0),
  tradeUnitsPrecision: z.number().int().min(0),
  minimumTradeSize: decimalString,
  maximumOrderUnits: decimalString.optional(),
  marginRate: decimalString,
});
export type OandaInstrument = z.output<typeof instrumentSchema>;

/** `GET /v3/accounts/{id}/instruments`. */
export const instrumentsAnswerSchema = z.looseObject({ instruments: z.array(instrumentSchema) });

/** `GET /v3/accounts`. */
export const accountsAnswerSchema = z.looseObject({ accounts: z.array(z.looseObject({ id: z.string() })) });

/** v20 `AccountSummary` (the figures we compare). */
export const accountSummarySchema = z.looseObject({
  id: z.string(),
  currency: z.string(),
  balance: decimalString,
  unrealizedPL: decimalString,
  NAV: decimalString,
  marginUsed: decimalString,
  marginAvailable: decimalString,
  hedgingEnabled: z.boolean().optional(),
  lastTransactionID: z.string(),
});
export type OandaAccountSummary = z.output<typeof accountSummarySchema>;
/** `GET /v3/accounts/{id}/summary`. */
export const summaryAnswerSchema = z.looseObject({ account: accountSummarySchema, lastTransactionID: z.string() });

/** v20 `AccountChangesState` (`/changes`: the account's figures now). */
export const changesAnswerSchema = z.looseObject({
  changes: z.looseObject({ transactions: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional() }).optional(),
  state: z.looseObject({ unrealizedPL: decimalString, NAV: decimalString, marginUsed: decimalString, marginAvailable: decimalString }).optional(),
  lastTransactionID: z.string(),
});

const positionSideSchema = z.looseObject({ units: decimalString, averagePrice: decimalString.optional(), tradeIDs: z.array(z.string()).optional() });
/** v20 `Position`. */
export const positionSchema = z.looseObject({ instrument: z.string(), long: positionSideSchema, short: positionSideSchema });
/** `GET /openPositions`. */
export const positionsAnswerSchema = z.looseObject({ positions: z.array(positionSchema), lastTransactionID: z.string() });

/** v20 `Trade` (the fields we use). */
export const tradeSchema = z.looseObject({ id: z.string(), instrument: z.string(), currentUnits: decimalString, openTime: z.string(), price: decimalString });
/** `GET /openTrades`. */
export const tradesAnswerSchema = z.looseObject({ trades: z.array(tradeSchema), lastTransactionID: z.string() });

const clientExtensionsSchema = z.looseObject({ id: z.string().optional(), tag: z.string().optional(), comment: z.string().optional() });

/** v20 `Order` (any type; the fields we use). */
export const orderSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  state: z.string(),
  instrument: z.string().optional(),
  units: decimalString.optional(),
  price: decimalString.optional(),
  timeInForce: z.string().optional(),
  clientExtensions: clientExtensionsSchema.optional(),
  fillingTransactionID: z.string().optional(),
  replacedByOrderID: z.string().optional(),
  cancellingTransactionID: z.string().optional(),
});
export type OandaOrder = z.output<typeof orderSchema>;
/** `GET /orders/{spec}`. */
export const orderAnswerSchema = z.looseObject({ order: orderSchema, lastTransactionID: z.string() });
/** `GET /pendingOrders`, `GET /orders`. */
export const ordersAnswerSchema = z.looseObject({ orders: z.array(orderSchema), lastTransactionID: z.string() });

const tradeLegSchema = z.looseObject({ tradeID: z.string(), units: decimalString, price: decimalString.optional(), realizedPL: decimalString.optional(), financing: decimalString.optional() });

/**
 * Any v20 transaction, loosely: the fields each type we act on uses are optional here and checked
 * where they are used. Unknown types pass through (and are ignored).
 */
export const transactionSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  time: z.string(),
  batchID: z.string().optional(),
  accountID: z.string().optional(),
  orderID: z.string().optional(),
  clientOrderID: z.string().optional(),
  instrument: z.string().optional(),
  units: decimalString.optional(),
  price: decimalString.optional(),
  priceBound: decimalString.optional(),
  fullVWAP: decimalString.optional(),
  timeInForce: z.string().optional(),
  reason: z.string().optional(),
  rejectReason: z.string().optional(),
  pl: decimalString.optional(),
  financing: decimalString.optional(),
  commission: decimalString.optional(),
  guaranteedExecutionFee: decimalString.optional(),
  halfSpreadCost: decimalString.optional(),
  amount: decimalString.optional(),
  accountBalance: decimalString.optional(),
  tradeOpened: tradeLegSchema.optional(),
  tradeReduced: tradeLegSchema.optional(),
  tradesClosed: z.array(tradeLegSchema).optional(),
  clientExtensions: clientExtensionsSchema.optional(),
  replacesOrderID: z.string().optional(),
  replacedByOrderID: z.string().optional(),
});
export type OandaTransaction = z.output<typeof transactionSchema>;

/** `GET /transactions/sinceid`, `/transactions/idrange`. */
export const transactionsAnswerSchema = z.looseObject({ transactions: z.array(transactionSchema), lastTransactionID: z.string() });
/** `GET /transactions/{id}`. */
export const transactionAnswerSchema = z.looseObject({ transaction: transactionSchema, lastTransactionID: z.string() });
/** `GET /transactions` (the pages form). */
export const transactionPagesSchema = z.looseObject({ pages: z.array(z.string()), lastTransactionID: z.string() });

/** The answer to an order create or replace (201) and its refusal (400/404). */
export const orderResponseSchema = z.looseObject({
  orderCreateTransaction: transactionSchema.optional(),
  orderFillTransaction: transactionSchema.optional(),
  orderCancelTransaction: transactionSchema.optional(),
  orderReissueTransaction: transactionSchema.optional(),
  replacingOrderCancelTransaction: transactionSchema.optional(),
  orderRejectTransaction: transactionSchema.optional(),
  relatedTransactionIDs: z.array(z.string()).optional(),
  lastTransactionID: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type OrderResponse = z.output<typeof orderResponseSchema>;
/** The answer to `PUT /orders/{spec}/cancel`. */
export const cancelResponseSchema = z.looseObject({ orderCancelTransaction: transactionSchema, lastTransactionID: z.string().optional() });

/** A line of the transaction stream: a transaction, or `{"type":"HEARTBEAT","lastTransactionID","time"}`. */
export const transactionHeartbeatSchema = z.looseObject({ type: z.literal('HEARTBEAT'), lastTransactionID: z.string(), time: z.string() });

const priceBucketSchema = z.looseObject({ price: decimalString, liquidity: z.union([z.number(), decimalString]) });
/** A PRICE line of the pricing stream (v20 `ClientPrice`). */
export const priceLineSchema = z.looseObject({
  type: z.literal('PRICE'),
  instrument: z.string(),
  time: z.string(),
  tradeable: z.boolean().optional(),
  bids: z.array(priceBucketSchema),
  asks: z.array(priceBucketSchema),
});
export type PriceLine = z.output<typeof priceLineSchema>;

/** True for a `HEARTBEAT` line of either stream. */
export const isHeartbeatLine = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'HEARTBEAT';

// ---- orders out -----------------------------------------------------------------------------------

/** The venue's rules of one instrument that orders are written with. */
export interface WireRules {
  readonly displayPrecision: number;
  readonly tradeUnitsPrecision: number;
}

const TIF_OF_MARKET: Partial<Record<OrderSnapshot['timeInForce'], string>> = { GTC: 'FOK', FOK: 'FOK', IOC: 'IOC' };
const TIF_OF_RESTING: Partial<Record<OrderSnapshot['timeInForce'], string>> = { GTC: 'GTC', GTD: 'GTD', DAY: 'GFD', FOK: 'FOK', IOC: 'IOC' };

/** Signed units: positive buys, negative sells (v20 `DecimalNumber` at the instrument's units precision). */
export function unitsText(side: 'buy' | 'sell', qty: Decimal, rules: WireRules): string {
  const text = qty.toFixed(rules.tradeUnitsPrecision);
  if (!new Decimal(text).eq(qty)) {
    throw new AutotraderError('LOT_SIZE', `OANDA takes units with at most ${rules.tradeUnitsPrecision} decimal places; got ${qty.toString()}`, { details: { quantity: qty.toString() } });
  }
  return side === 'sell' ? `-${text}` : text;
}

/** A price at the instrument's display precision; more places would be refused (PRICE_PRECISION_EXCEEDED). */
export function priceText(p: Decimal, rules: WireRules): string {
  const text = p.toFixed(rules.displayPrecision);
  if (!new Decimal(text).eq(p)) {
    throw new AutotraderError('TICK_SIZE', `OANDA takes prices with at most ${rules.displayPrecision} decimal places; got ${p.toString()}`, { details: { price: p.toString() } });
  }
  return text;
}

const unsupported = (order: OrderSnapshot, what: string): AutotraderError =>
  new AutotraderError('ORDER_TYPE_UNSUPPORTED', `OANDA has no ${what} (order ${order.clientOrderId})`, { details: { clientOrderId: order.clientOrderId, type: order.type, timeInForce: order.timeInForce } });

/**
 * `{"order": OrderRequest}` for one of our orders (v20 MarketOrderRequest, LimitOrderRequest,
 * StopOrderRequest). Market: FOK (our GTC) or IOC, our price as `priceBound`. Limit: GTC, GTD
 * (`gtdTime`), GFD (our DAY), FOK, IOC. Stop: the trigger as `price`, GTC/GTD/GFD. Reduce-only is
 * `positionFill: REDUCE_ONLY`, otherwise DEFAULT (REDUCE_FIRST on a netting account, OPEN_ONLY on a
 * hedging one). What OANDA lacks (stop-limit, trailing stops outside a trade, post-only) is
 * ORDER_TYPE_UNSUPPORTED before anything is sent.
 */
export function orderRequestBody(order: OrderSnapshot, rules: WireRules): { order: Record<string, unknown> } {
  if (order.postOnly) throw unsupported(order, 'post-only orders');
  const base: Record<string, unknown> = {
    instrument: instrumentNameOf(order.instrumentId),
    units: unitsText(order.side, order.quantity, rules),
    positionFill: order.reduceOnly ? 'REDUCE_ONLY' : 'DEFAULT',
    clientExtensions: { id: wireClientOrderId(order.clientOrderId) },
  };
  const resting = (): { timeInForce: string; gtdTime?: string } => {
    const tif = TIF_OF_RESTING[order.timeInForce];
    if (tif === undefined) throw unsupported(order, `time in force ${order.timeInForce} for ${order.type} orders`);
    if (tif === 'GTD') {
      if (order.expireAt === undefined) throw new AutotraderError('ORDER_INVALID', `a GTD order needs an expiry time (order ${order.clientOrderId})`, { details: { clientOrderId: order.clientOrderId } });
      return { timeInForce: tif, gtdTime: timeText(order.expireAt) };
    }
    return { timeInForce: tif };
  };
  switch (order.type) {
    case 'market': {
      const tif = TIF_OF_MARKET[order.timeInForce];
      if (tif === undefined) throw unsupported(order, `time in force ${order.timeInForce} for market orders (FOK or IOC)`);
      return { order: { type: 'MARKET', ...base, timeInForce: tif, ...(order.price !== undefined ? { priceBound: priceText(order.price, rules) } : {}) } };
    }
    case 'limit':
      if (order.price === undefined) throw new AutotraderError('ORDER_INVALID', `a limit order needs a price (order ${order.clientOrderId})`);
      return { order: { type: 'LIMIT', ...base, price: priceText(order.price, rules), ...resting() } };
    case 'stop': {
      const trigger = order.triggerPrice ?? order.price;
      if (trigger === undefined) throw new AutotraderError('ORDER_INVALID', `a stop order needs a trigger price (order ${order.clientOrderId})`);
      const tif = resting();
      if (tif.timeInForce === 'FOK' || tif.timeInForce === 'IOC') throw unsupported(order, `time in force ${order.timeInForce} for stop orders (GTC, GTD or DAY)`);
      return { order: { type: 'STOP', ...base, price: priceText(trigger, rules), ...tif } };
    }
    case 'market_if_touched': {
      const trigger = order.triggerPrice;
      if (trigger === undefined) throw new AutotraderError('ORDER_INVALID', `a market-if-touched order needs a trigger price (order ${order.clientOrderId})`);
      const tif = resting();
      if (tif.timeInForce === 'FOK' || tif.timeInForce === 'IOC') throw unsupported(order, `time in force ${order.timeInForce} for market-if-touched orders (GTC, GTD or DAY)`);
      return { order: { type: 'MARKET_IF_TOUCHED', ...base, price: priceText(trigger, rules), ...tif } };
    }
    case 'stop_limit':
      throw unsupported(order, 'stop-limit orders (a STOP order with a priceBound is cancelled when its fill would be worse, it does not rest as a limit)');
    case 'trailing_stop':
      throw unsupported(order, 'trailing stops outside a trade (TRAILING_STOP_LOSS orders are attached to trades)');
  }
}

/**
 * The replacement request of a native modify (`PUT /orders/{spec}`): the same type, the new price or
 * quantity, the order's own time in force and client id (OANDA cancels the order and creates a new one
 * with a new order id; our client id stays).
 */
export function replaceRequestBody(order: OrderSnapshot, changes: { quantity?: Decimal; price?: Decimal; triggerPrice?: Decimal }, rules: WireRules): { order: Record<string, unknown> } {
  const next: OrderSnapshot = {
    ...order,
    quantity: quantity(changes.quantity ?? order.quantity.minus(order.filledQuantity)),
    ...(changes.price !== undefined ? { price: price(changes.price) } : {}),
    ...(changes.triggerPrice !== undefined ? { triggerPrice: price(changes.triggerPrice) } : {}),
  };
  return orderRequestBody(next, rules);
}

// ---- reports in -----------------------------------------------------------------------------------

/** A decimal string as a Decimal (money, units); absent: 0. */
export const decOf = (v: string | undefined): Decimal => new Decimal(v ?? '0');

/**
 * The fill price of an ORDER_FILL: the units-weighted price of its trade legs (tradeOpened,
 * tradeReduced, tradesClosed: "the exact/official prices", v20.json), else `fullVWAP`, else the
 * deprecated `price`.
 */
export function fillPriceOf(tx: OandaTransaction): Decimal {
  const legs = [...(tx.tradesClosed ?? []), ...(tx.tradeReduced !== undefined ? [tx.tradeReduced] : []), ...(tx.tradeOpened !== undefined ? [tx.tradeOpened] : [])].filter((l) => l.price !== undefined);
  let units = new Decimal(0);
  let value = new Decimal(0);
  for (const l of legs) {
    const u = new Decimal(l.units).abs();
    units = units.plus(u);
    value = value.plus(u.mul(l.price!));
  }
  if (!units.isZero()) {
    const first = legs[0]!.price!;
    // One price for every leg (the usual case): that price exactly, at its own precision.
    if (legs.every((l) => new Decimal(l.price!).eq(first))) return new Decimal(first);
    return value.div(units);
  }
  const p = tx.fullVWAP ?? tx.price;
  if (p === undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OANDA ORDER_FILL ${tx.id} has no price`);
  return new Decimal(p);
}

/** True when an ORDER_FILL closed or reduced trades (a hedging account's opposite leg follows it). */
export const fillCloses = (tx: OandaTransaction): boolean => (tx.tradesClosed?.length ?? 0) > 0 || tx.tradeReduced !== undefined;

/**
 * One ORDER_FILL transaction as our fill: keyed by the transaction id, side from the units' sign,
 * OANDA's `pl` as the account P/L, its commission (0 on spread pricing) as the fee in the account
 * currency; the half-spread cost is already in the price. Financing is not a fee: the caller books it
 * as a venue balance delta.
 */
export function fillOf(tx: OandaTransaction, ids: { clientOrderId: string; reason?: VenueOrderReason }, accountCurrency: string, tsInit: number): Fill {
  if (tx.instrument === undefined || tx.units === undefined) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OANDA ORDER_FILL ${tx.id} has no instrument or units`);
  const units = new Decimal(tx.units);
  const fee = decOf(tx.commission).abs().plus(decOf(tx.guaranteedExecutionFee).abs());
  return {
    clientOrderId: ids.clientOrderId,
    venueOrderId: tx.orderID,
    tradeId: tx.id,
    instrumentId: instrumentIdOf(tx.instrument),
    side: units.isNegative() ? 'sell' : 'buy',
    price: price(fillPriceOf(tx)),
    quantity: quantity(units.abs()),
    fee: money(fee),
    feeCurrency: accountCurrency,
    liquidity: 'taker',
    tsEvent: parseTime(tx.time),
    tsInit,
    closes: fillCloses(tx),
    ...(tx.pl !== undefined ? { accountPnl: money(tx.pl) } : {}),
    ...(ids.reason !== undefined ? { reason: ids.reason } : {}),
  };
}

/** Order transaction types that create an order (`<TYPE>_ORDER`). */
export const ORDER_CREATE_TYPES = new Set(['MARKET_ORDER', 'LIMIT_ORDER', 'STOP_ORDER', 'MARKET_IF_TOUCHED_ORDER', 'FIXED_PRICE_ORDER', 'TAKE_PROFIT_ORDER', 'STOP_LOSS_ORDER', 'GUARANTEED_STOP_LOSS_ORDER', 'TRAILING_STOP_LOSS_ORDER']);

/** Why a market order OANDA made itself exists, by its create transaction's reason. */
export function venueReasonOf(createReason: string | undefined, fillReason: string | undefined): VenueOrderReason | undefined {
  if (createReason === 'MARGIN_CLOSEOUT' || fillReason === 'MARKET_ORDER_MARGIN_CLOSEOUT') return 'closeout';
  return undefined;
}

/** An order's state (v20 `OrderState`) as ours. */
export function orderStatusOf(o: OandaOrder): OrderStatus {
  switch (o.state) {
    case 'PENDING':
    case 'TRIGGERED':
      return 'accepted';
    case 'FILLED':
      return 'filled';
    default:
      return 'canceled';
  }
}

/** One v20 order as the engine's view of it (`filledQuantity` is all or nothing: OANDA fills an order once). */
export function orderStateOf(o: OandaOrder, clientOrderId: string): VenueOrderState {
  const units = decOf(o.units);
  const status = orderStatusOf(o);
  return {
    clientOrderId,
    venueOrderId: o.id,
    instrumentId: instrumentIdOf(o.instrument ?? ''),
    status,
    side: units.isNegative() ? 'sell' : 'buy',
    quantity: quantity(units.abs()),
    filledQuantity: quantity(status === 'filled' ? units.abs() : 0),
    ...(o.price !== undefined ? { price: price(o.price) } : {}),
  };
}

// ---- errors ---------------------------------------------------------------------------------------

/** Reject and cancel reasons (v20 TransactionRejectReason, OrderCancelReason) with a code of their own. */
const REASON_CODES: Readonly<Record<string, ErrorCode>> = {
  INSUFFICIENT_MARGIN: 'INSUFFICIENT_MARGIN',
  ACCOUNT_NOT_ACTIVE: 'VENUE_REJECTED',
  INSTRUMENT_UNKNOWN: 'INSTRUMENT_UNKNOWN',
  UNITS_PRECISION_EXCEEDED: 'LOT_SIZE',
  UNITS_MIMIMUM_NOT_MET: 'LOT_SIZE',
  UNITS_MINIMUM_NOT_MET: 'LOT_SIZE',
  UNITS_LIMIT_EXCEEDED: 'ORDER_INVALID',
  PRICE_PRECISION_EXCEEDED: 'TICK_SIZE',
  PRICE_BOUND_PRECISION_EXCEEDED: 'TICK_SIZE',
  MARKET_HALTED: 'TRADING_HALTED',
  INSTRUMENT_NOT_TRADEABLE: 'TRADING_HALTED',
  ORDER_DOESNT_EXIST: 'ORDER_UNKNOWN',
  FIFO_VIOLATION: 'ORDER_INVALID',
  TIME_IN_FORCE_INVALID: 'ORDER_TYPE_UNSUPPORTED',
};

/** The code of an OANDA reject or cancel reason: its own where one fits, ORDER_INVALID for request faults, else VENUE_REJECTED. */
export function reasonCode(reason: string | undefined): ErrorCode {
  if (reason === undefined) return 'VENUE_REJECTED';
  const own = REASON_CODES[reason];
  if (own !== undefined) return own;
  if (/_(MISSING|INVALID|EXCEEDED|IN_PAST)$/.test(reason)) return 'ORDER_INVALID';
  return 'VENUE_REJECTED';
}

/** Words for a reason a user reads: FIFO is explained, the rest is OANDA's enum. */
export function reasonText(reason: string | undefined, message?: string): string {
  if (reason === 'FIFO_VIOLATION') return `FIFO_VIOLATION: the order would break OANDA's FIFO rule (the oldest trade of an instrument must be closed first; offsetting positions are not carried)${message ? `: ${message}` : ''}`;
  return `${reason ?? 'refused'}${message !== undefined && message !== '' ? `: ${message}` : ''}`;
}
