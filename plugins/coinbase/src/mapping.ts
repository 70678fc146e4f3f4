import { z } from 'zod';
import {
  AutotraderError,
  Decimal,
  money,
  price,
  quantity,
  type Balance,
  type ErrorCode,
  type Fill,
  type OrderSnapshot,
  type OrderStatus,
  type VenueOrderState,
} from '@autotrader/core';
import { coinbaseClientOrderIds } from '@autotrader/venue-kit';

/**
 * Coinbase Advanced Trade ⇄ core: ids, the client-order-id codec, order configurations, and pure
 * translations of orders, fills, balances and errors, tested with the documented examples in
 * `__fixtures__`. Nothing here sends anything.
 */

/** The venue name in instrument ids (`BTC-USD.COINBASE`). */
export const VENUE = 'COINBASE';

/** Our instrument id for a Coinbase product id. */
export const instrumentIdOf = (productId: string): string => `${productId}.${VENUE}`;

/** The product id of one of our instrument ids (`BTC-USD.COINBASE` → `BTC-USD`). */
export function productIdOf(instrumentId: string): string {
  const suffix = `.${VENUE}`;
  return instrumentId.endsWith(suffix) ? instrumentId.slice(0, -suffix.length) : instrumentId;
}

/** The quote currency of a spot product id (`BTC-USD` → `USD`), where Coinbase charges commissions. */
export const quoteOf = (productId: string): string => productId.split('-')[1] ?? productId;

/** The codec our client order ids go through: Coinbase takes any unique string, so it is the identity. */
export const CLIENT_ORDER_IDS = coinbaseClientOrderIds;
/** Every client order id we send. */
export const wireClientOrderId = (id: string): string => CLIENT_ORDER_IDS.encode(id);
/** Every client order id we read back. */
export const ourClientOrderId = (wire: string): string => CLIENT_ORDER_IDS.decode(wire) ?? wire;

const num = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');
/** A numeric string Coinbase may leave empty (`"fee": ""`). */
const optNum = z.string().optional();

/** Epoch ms of an RFC 3339 time; NaN when it is not one. */
export const timeOf = (text: string): number => Date.parse(text);

// ---- order configurations ----

/** The `order_configuration` of a create-order request (VENUES.md §2.4, request_examples.json). */
export type OrderConfiguration = Record<string, Record<string, string | boolean>>;

const unsupported = (order: Pick<OrderSnapshot, 'clientOrderId' | 'type' | 'timeInForce'>, why: string): AutotraderError =>
  new AutotraderError('ORDER_TYPE_UNSUPPORTED', `order ${order.clientOrderId}: Coinbase has no ${why}`, {
    details: { clientOrderId: order.clientOrderId, type: order.type, timeInForce: order.timeInForce },
  });

/** Coinbase's `end_time` for a GTD order (RFC 3339). */
const endTimeOf = (order: Pick<OrderSnapshot, 'clientOrderId' | 'expireAt'>): string => {
  if (order.expireAt === undefined) {
    throw new AutotraderError('ORDER_INVALID', `order ${order.clientOrderId}: a GTD order needs expireAt`, { details: { clientOrderId: order.clientOrderId } });
  }
  return new Date(order.expireAt).toISOString();
};

/** The fields of an order its configuration is built from. */
export type ConfiguredOrder = Pick<OrderSnapshot, 'clientOrderId' | 'side' | 'type' | 'quantity' | 'price' | 'triggerPrice' | 'timeInForce' | 'expireAt' | 'postOnly'>;

/**
 * The order configuration for one of our orders: market (IOC, by base size), limit GTC/GTD (post-only
 * allowed), FOK and IOC (`sor_limit_ioc`), stop-limit GTC/GTD. Anything else is ORDER_TYPE_UNSUPPORTED
 * before anything is sent. A buy stop triggers on a rise (`STOP_DIRECTION_STOP_UP`), a sell stop on a fall.
 */
export function orderConfiguration(order: ConfiguredOrder): OrderConfiguration {
  const base_size = order.quantity.toFixed();
  const needPrice = (): string => {
    if (order.price === undefined) throw new AutotraderError('ORDER_INVALID', `order ${order.clientOrderId}: a ${order.type} order needs a price`, { details: { clientOrderId: order.clientOrderId } });
    return order.price.toFixed();
  };
  const tif = order.timeInForce;
  if (order.postOnly && !(order.type === 'limit' && (tif === 'GTC' || tif === 'GTD'))) throw unsupported(order, `post-only ${order.type} ${tif} order`);
  switch (order.type) {
    case 'market':
      // A market order fills at once or not at all: Coinbase's only market configuration is IOC.
      if (tif !== 'IOC' && tif !== 'GTC') throw unsupported(order, `market ${tif} order (market orders are IOC)`);
      return { market_market_ioc: { base_size } };
    case 'limit': {
      const limit_price = needPrice();
      switch (tif) {
        case 'GTC':
          return { limit_limit_gtc: { base_size, limit_price, post_only: order.postOnly } };
        case 'GTD':
          return { limit_limit_gtd: { base_size, limit_price, end_time: endTimeOf(order), post_only: order.postOnly } };
        case 'FOK':
          return { limit_limit_fok: { base_size, limit_price } };
        case 'IOC':
          return { sor_limit_ioc: { base_size, limit_price } };
        default:
          throw unsupported(order, `limit ${tif} order`);
      }
    }
    case 'stop_limit': {
      const limit_price = needPrice();
      if (order.triggerPrice === undefined) throw new AutotraderError('ORDER_INVALID', `order ${order.clientOrderId}: a stop-limit order needs a trigger price`, { details: { clientOrderId: order.clientOrderId } });
      const stop = { base_size, limit_price, stop_price: order.triggerPrice.toFixed(), stop_direction: order.side === 'buy' ? 'STOP_DIRECTION_STOP_UP' : 'STOP_DIRECTION_STOP_DOWN' };
      if (tif === 'GTC') return { stop_limit_stop_limit_gtc: stop };
      if (tif === 'GTD') return { stop_limit_stop_limit_gtd: { ...stop, end_time: endTimeOf(order) } };
      throw unsupported(order, `stop-limit ${tif} order`);
    }
    default:
      throw unsupported(order, `${order.type} order`);
  }
}

/** A market order for an amount of the quote currency (`quote_size`): Coinbase's spend-this-much buy. */
export const marketQuoteConfiguration = (quoteSize: Decimal): OrderConfiguration => ({ market_market_ioc: { quote_size: quoteSize.toFixed() } });

/** The body of `POST /orders`. */
export function createOrderBody(order: ConfiguredOrder & Pick<OrderSnapshot, 'instrumentId'>): Record<string, unknown> {
  return {
    client_order_id: wireClientOrderId(order.clientOrderId),
    product_id: productIdOf(order.instrumentId),
    side: order.side === 'buy' ? 'BUY' : 'SELL',
    order_configuration: orderConfiguration(order),
  };
}

// ---- answers ----

const errorResponseSchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  error_details: z.string().optional(),
  preview_failure_reason: z.string().optional(),
  new_order_failure_reason: z.string().optional(),
});

/** `POST /orders` answer (CBPY orders_types.py `CreateOrderResponse`). */
export const createOrderResponseSchema = z.looseObject({
  success: z.boolean(),
  success_response: z.looseObject({ order_id: z.string(), product_id: z.string().optional(), side: z.string().optional(), client_order_id: z.string().optional() }).optional(),
  error_response: errorResponseSchema.optional(),
});
export type CreateOrderResponse = z.output<typeof createOrderResponseSchema>;

/** `POST /orders/batch_cancel` answer. */
export const batchCancelResponseSchema = z.looseObject({
  results: z.array(z.looseObject({ success: z.boolean(), failure_reason: z.string().optional(), order_id: z.string() })),
});

/** `POST /orders/edit` answer. */
export const editOrderResponseSchema = z.looseObject({
  success: z.boolean(),
  errors: z.array(z.looseObject({ edit_failure_reason: z.string().optional(), preview_failure_reason: z.string().optional() })).optional(),
});
export type EditOrderResponse = z.output<typeof editOrderResponseSchema>;

// ---- edits ----

/** The fields of an order and of its changes that decide whether Coinbase can edit it. */
type EditedOrder = Pick<OrderSnapshot, 'type' | 'timeInForce' | 'filledQuantity'>;
interface EditChanges {
  readonly quantity?: Decimal;
  readonly price?: Decimal;
  readonly triggerPrice?: Decimal;
}

/**
 * Whether `POST /orders/edit` can amend this order in place: Coinbase edits only limit GTC orders
 * (`limit_limit_gtc`; any other configuration is ONLY_LIMIT_ORDER_EDITS_SUPPORTED), changing their price
 * and size, and never to a size at or below what filled (CANNOT_EDIT_TO_BELOW_FILLED_SIZE). Anything
 * else (GTD, IOC, FOK, stop-limit, a trigger price, a cut to what filled) is left to the engine's
 * cancel-replace.
 */
export function isEditable(order: EditedOrder, changes: EditChanges): boolean {
  if (order.type !== 'limit' || order.timeInForce !== 'GTC' || changes.triggerPrice !== undefined) return false;
  return changes.quantity === undefined || changes.quantity.gt(order.filledQuantity);
}

/**
 * The body of `POST /orders/edit`: `{order_id, price, size}`, both always sent. `size` is the order's
 * new total base size, what already filled included (Coinbase refuses a size at or below the filled
 * size), which is what our changes' quantity means; an unchanged field repeats the order's own.
 */
export function editOrderBody(venueOrderId: string, order: Pick<OrderSnapshot, 'clientOrderId' | 'quantity' | 'price'>, changes: EditChanges): { order_id: string; price: string; size: string } {
  const px = changes.price ?? order.price;
  if (px === undefined) throw new AutotraderError('ORDER_INVALID', `order ${order.clientOrderId}: an edit needs the limit price`, { details: { clientOrderId: order.clientOrderId } });
  return { order_id: venueOrderId, price: px.toFixed(), size: (changes.quantity ?? order.quantity).toFixed() };
}

/** The edit failure reason that means the order already has the asked price and size (a resent edit that had gone through). */
export const EDIT_ALREADY_APPLIED = 'EDIT_REQUEST_EQUAL_TO_ORIGINAL_REQUEST';

/** The reason a refused edit gives: the edit reason if it names one, else the preview reason, else the edit reason as it is. */
export function editFailureReasonOf(res: EditOrderResponse): string {
  const e = res.errors?.[0] ?? {};
  return meaningful(e.edit_failure_reason) ?? meaningful(e.preview_failure_reason) ?? e.edit_failure_reason ?? 'UNKNOWN_EDIT_ORDER_FAILURE_REASON';
}

/** A refused edit (`success: false`) as a coded error; the venue's reasons go in `details`. */
export function editOrderError(res: EditOrderResponse, clientOrderId: string, venueOrderId: string): AutotraderError {
  const reason = editFailureReasonOf(res);
  const e = res.errors?.[0] ?? {};
  return new AutotraderError(failureCodeOf(reason), `Coinbase refused to edit order ${clientOrderId} (${venueOrderId}): ${reason}`, {
    details: { clientOrderId, venueOrderId, venueCode: reason, editFailureReason: e.edit_failure_reason, previewFailureReason: e.preview_failure_reason },
  });
}

/** One order as `GET /orders/historical/{id}` and `/orders/historical/batch` return it. */
export const venueOrderSchema = z.looseObject({
  order_id: z.string(),
  product_id: z.string(),
  client_order_id: z.string(),
  side: z.enum(['BUY', 'SELL']),
  status: z.string(),
  order_configuration: z.record(z.string(), z.looseObject({})).optional(),
  filled_size: optNum,
  average_filled_price: optNum,
  total_fees: optNum,
  created_time: z.string().optional(),
  order_type: z.string().optional(),
  reject_reason: z.string().optional(),
});
export type VenueOrder = z.output<typeof venueOrderSchema>;
export const orderAnswerSchema = z.looseObject({ order: venueOrderSchema });
export const ordersPageSchema = z.looseObject({ orders: z.array(venueOrderSchema), has_next: z.boolean().optional(), cursor: z.string().optional() });

/** One fill of `GET /orders/historical/fills` (VENUES.md §2.4). */
export const venueFillSchema = z.looseObject({
  trade_id: z.string(),
  order_id: z.string(),
  trade_time: z.string(),
  price: num,
  size: num,
  commission: num,
  product_id: z.string(),
  liquidity_indicator: z.string().optional(),
  size_in_quote: z.boolean().optional(),
  side: z.enum(['BUY', 'SELL']),
});
export type VenueFill = z.output<typeof venueFillSchema>;
export const fillsPageSchema = z.looseObject({ fills: z.array(venueFillSchema), cursor: z.string().optional() });

const amountSchema = z.looseObject({ value: num, currency: z.string() });
/** `GET /accounts` page. */
export const accountsPageSchema = z.looseObject({
  accounts: z.array(z.looseObject({ uuid: z.string(), currency: z.string(), available_balance: amountSchema, hold: amountSchema.optional(), retail_portfolio_id: z.string().optional() })),
  has_next: z.boolean().optional(),
  cursor: z.string().optional(),
});
export type AccountsPage = z.output<typeof accountsPageSchema>;

/** Order statuses (VENUES.md §2.4; CANCEL_QUEUED while a cancel is queued, QUEUED/PENDING before the book). */
export function orderStatusOf(status: string, filled: Decimal): OrderStatus {
  switch (status) {
    case 'FILLED':
      return 'filled';
    case 'CANCELLED':
      return 'canceled';
    case 'EXPIRED':
      return 'expired';
    case 'FAILED':
      return 'rejected';
    case 'CANCEL_QUEUED':
      return 'pending_cancel';
    default:
      // OPEN, PENDING, QUEUED, EDIT_QUEUED...: live at the venue.
      return filled.gt(0) ? 'partially_filled' : 'accepted';
  }
}

/** The base size and limit price an order was placed with, from its configuration. */
export function configuredSizeAndPrice(configuration: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined): { baseSize?: string; limitPrice?: string } {
  const inner = configuration === undefined ? undefined : Object.values(configuration)[0];
  if (inner === undefined) return {};
  const pick = (k: string): string | undefined => (typeof inner[k] === 'string' && inner[k] !== '' ? (inner[k] as string) : undefined);
  return { baseSize: pick('base_size'), limitPrice: pick('limit_price') };
}

const decimalOr0 = (v: string | undefined): Decimal => (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? new Decimal(0) : new Decimal(v));

/** The venue's state of one order, in our terms. A quote-sized order's quantity is what it filled. */
export function orderStateOf(o: VenueOrder): VenueOrderState {
  const filled = decimalOr0(o.filled_size);
  const { baseSize, limitPrice } = configuredSizeAndPrice(o.order_configuration);
  return {
    clientOrderId: ourClientOrderId(o.client_order_id),
    venueOrderId: o.order_id,
    instrumentId: instrumentIdOf(o.product_id),
    status: orderStatusOf(o.status, filled),
    side: o.side === 'BUY' ? 'buy' : 'sell',
    quantity: quantity(baseSize ?? filled),
    filledQuantity: quantity(filled),
    price: limitPrice === undefined ? undefined : price(limitPrice),
  };
}

/**
 * One fill in our terms. Coinbase charges the commission in the quote currency; `size` is in the base
 * currency unless `size_in_quote` says it is quote (then the base amount is size ÷ price).
 */
export function fillOf(f: VenueFill, clientOrderId: string, tsInit: number): Fill {
  const px = new Decimal(f.price);
  const size = f.size_in_quote === true ? new Decimal(f.size).div(px) : new Decimal(f.size);
  return {
    clientOrderId,
    venueOrderId: f.order_id,
    tradeId: f.trade_id,
    instrumentId: instrumentIdOf(f.product_id),
    side: f.side === 'BUY' ? 'buy' : 'sell',
    price: price(px),
    quantity: quantity(size),
    fee: money(f.commission),
    feeCurrency: quoteOf(f.product_id),
    liquidity: f.liquidity_indicator === 'MAKER' ? 'maker' : 'taker',
    tsEvent: timeOf(f.trade_time),
    tsInit,
  };
}

/** Balances from `/accounts`: available is free, hold is locked (VENUES.md §2.3). Zero balances are left out. */
export function balancesOf(page: AccountsPage, tsEvent: number): Balance[] {
  const out: Balance[] = [];
  for (const a of page.accounts) {
    const free = money(a.available_balance.value);
    const locked = money(a.hold?.value ?? '0');
    const total = money(free.plus(locked));
    if (total.isZero()) continue;
    out.push({ currency: a.currency, free, locked, total, tsEvent });
  }
  return out;
}

// ---- errors ----

/** Coinbase failure reasons (VENUES.md §2.4) → our codes; anything not listed is VENUE_REJECTED. */
const FAILURE_CODES: Readonly<Record<string, ErrorCode>> = {
  INSUFFICIENT_FUND: 'INSUFFICIENT_FUNDS',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  PREVIEW_INSUFFICIENT_FUND: 'INSUFFICIENT_FUNDS',
  INVALID_LEDGER_BALANCE: 'INSUFFICIENT_FUNDS',
  INVALID_SIZE_PRECISION: 'LOT_SIZE',
  PREVIEW_INVALID_SIZE_PRECISION: 'LOT_SIZE',
  PREVIEW_INVALID_BASE_SIZE_TOO_SMALL: 'LOT_SIZE',
  PREVIEW_INVALID_BASE_SIZE_TOO_LARGE: 'LOT_SIZE',
  INVALID_PRICE_PRECISION: 'TICK_SIZE',
  PREVIEW_INVALID_PRICE_PRECISION: 'TICK_SIZE',
  PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL: 'MIN_NOTIONAL',
  INVALID_PRODUCT_ID: 'INSTRUMENT_UNKNOWN',
  PREVIEW_INVALID_PRODUCT_ID: 'INSTRUMENT_UNKNOWN',
  UNSUPPORTED_ORDER_CONFIGURATION: 'ORDER_TYPE_UNSUPPORTED',
  INVALID_SIDE: 'ORDER_INVALID',
  INVALID_REQUEST: 'ORDER_INVALID',
  INVALID_LIMIT_PRICE: 'ORDER_INVALID',
  INVALID_LIMIT_PRICE_POST_ONLY: 'VENUE_REJECTED',
  INVALID_NO_LIQUIDITY: 'VENUE_REJECTED',
  ORDER_ENTRY_DISABLED: 'VENUE_REJECTED',
  INELIGIBLE_PAIR: 'VENUE_REJECTED',
  COMMANDER_REJECTED_NEW_ORDER: 'VENUE_REJECTED',
  UNKNOWN_CANCEL_ORDER: 'ORDER_UNKNOWN',
  UNKNOWN_CANCEL_FAILURE_REASON: 'VENUE_REJECTED',
  DUPLICATE_CANCEL_REQUEST: 'ORDER_UNKNOWN',
  // EditOrderFailureReason (Edit Order reference).
  ORDER_NOT_FOUND: 'ORDER_UNKNOWN',
  ONLY_OPEN_ORDERS_CAN_BE_EDITED: 'VENUE_REJECTED',
  ONLY_LIMIT_ORDER_EDITS_SUPPORTED: 'ORDER_TYPE_UNSUPPORTED',
  CANNOT_EDIT_TO_BELOW_FILLED_SIZE: 'ORDER_INVALID',
  INVALID_EDITED_SIZE: 'LOT_SIZE',
  INVALID_EDITED_PRICE: 'TICK_SIZE',
  PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY: 'VENUE_REJECTED',
};

/** Our code for a Coinbase failure reason. */
export const failureCodeOf = (reason: string | undefined): ErrorCode => (reason === undefined ? 'VENUE_REJECTED' : (FAILURE_CODES[reason] ?? 'VENUE_REJECTED'));

const meaningful = (reason: string | undefined): string | undefined =>
  reason === undefined || reason === '' || /^UNKNOWN_.*FAILURE_REASON$/.test(reason) ? undefined : reason;

/**
 * A refused create order (`success: false`) as a coded error: the new-order reason if it names one, else
 * the preview reason, else the `error` field. The venue's words go in `details.venueCode`/`venueMessage`.
 */
export function createOrderError(res: CreateOrderResponse, clientOrderId: string): AutotraderError {
  const e = res.error_response ?? {};
  const reason = meaningful(e.new_order_failure_reason) ?? meaningful(e.preview_failure_reason) ?? meaningful(e.error) ?? e.error ?? 'UNKNOWN_FAILURE_REASON';
  const message = e.message ?? e.error_details ?? '';
  return new AutotraderError(failureCodeOf(reason), `Coinbase refused order ${clientOrderId}: ${reason}${message === '' ? '' : ` (${message})`}`, {
    details: { clientOrderId, venueCode: reason, venueMessage: message, previewFailureReason: e.preview_failure_reason, newOrderFailureReason: e.new_order_failure_reason },
  });
}
