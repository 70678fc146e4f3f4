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
  type VenueOrderChanges,
  type VenueOrderState,
} from '@autotrader/core';
import { okxClientOrderIds } from '@autotrader/venue-kit';

/**
 * OKX v5 ⇄ core: ids, the client-order-id codec, order parameters, and pure translations of orders,
 * fills, balances and error codes, tested with the documented examples in `__fixtures__`. Nothing here
 * sends anything.
 */

/** The venue name in instrument ids (`BTC-USDT.OKX`). */
export const VENUE = 'OKX';

/** Our instrument id for an OKX instId. */
export const instrumentIdOf = (instId: string): string => `${instId}.${VENUE}`;

/** The instId of one of our instrument ids (`BTC-USDT.OKX` → `BTC-USDT`). */
export function instIdOf(instrumentId: string): string {
  const suffix = `.${VENUE}`;
  return instrumentId.endsWith(suffix) ? instrumentId.slice(0, -suffix.length) : instrumentId;
}

/** The codec our client order ids go through: `clOrdId` is 1–32 letters and digits (`at-7` → `atZ2d7`). */
export const CLIENT_ORDER_IDS = okxClientOrderIds;
/** Every client order id we send. */
export const wireClientOrderId = (id: string): string => CLIENT_ORDER_IDS.encode(id);
/** Every client order id we read back (an id we did not make is reported as it is). */
export const ourClientOrderId = (wire: string): string => CLIENT_ORDER_IDS.decode(wire) ?? wire;

/** Spot orders are cash trades (no margin). */
export const SPOT_TRADE_MODE = 'cash';

export const num = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');
/** A numeric string OKX may leave empty (`"px": ""` on a market order, `"fillFee": ""`). */
const optNum = z.string().optional();

/** True for a numeric string that is not empty. */
export const hasNumber = (v: string | undefined): v is string => v !== undefined && v.trim() !== '' && Number.isFinite(Number(v));
const decimalOr0 = (v: string | undefined): Decimal => (hasNumber(v) ? new Decimal(v) : new Decimal(0));

// ---- order parameters ----

/** OKX order types (`ordType`) this plugin sends. */
export type OkxOrderType = 'market' | 'limit' | 'post_only' | 'fok' | 'ioc';

const unsupported = (order: Pick<OrderSnapshot, 'clientOrderId' | 'type' | 'timeInForce'>, why: string): AutotraderError =>
  new AutotraderError('ORDER_TYPE_UNSUPPORTED', `order ${order.clientOrderId}: OKX spot has no ${why}`, {
    details: { clientOrderId: order.clientOrderId, type: order.type, timeInForce: order.timeInForce },
  });

/** The fields of an order its parameters are built from. */
export type PlacedOrder = Pick<OrderSnapshot, 'clientOrderId' | 'instrumentId' | 'side' | 'type' | 'quantity' | 'price' | 'timeInForce' | 'postOnly'>;

/**
 * `ordType` for one of our orders: market (IOC, or GTC read as "now"), limit GTC (`post_only` when
 * post-only), limit FOK (`fok`), limit IOC (`ioc`). Anything else is ORDER_TYPE_UNSUPPORTED before
 * anything is sent (stops are algo orders at OKX, not supported here).
 */
export function ordTypeOf(order: Pick<OrderSnapshot, 'clientOrderId' | 'type' | 'timeInForce' | 'postOnly'>): OkxOrderType {
  const tif = order.timeInForce;
  if (order.postOnly && !(order.type === 'limit' && tif === 'GTC')) throw unsupported(order, `post-only ${order.type} ${tif} order`);
  switch (order.type) {
    case 'market':
      if (tif !== 'IOC' && tif !== 'GTC') throw unsupported(order, `market ${tif} order (market orders fill now or never)`);
      return 'market';
    case 'limit':
      if (tif === 'GTC') return order.postOnly ? 'post_only' : 'limit';
      if (tif === 'FOK') return 'fok';
      if (tif === 'IOC') return 'ioc';
      throw unsupported(order, `limit ${tif} order`);
    default:
      throw unsupported(order, `${order.type} order`);
  }
}

/** The body of `POST /api/v5/trade/order` (and the WebSocket `order` op's argument). */
export interface PlaceOrderBody {
  instId: string;
  tdMode: string;
  side: 'buy' | 'sell';
  ordType: OkxOrderType;
  sz: string;
  clOrdId: string;
  px?: string;
  tgtCcy?: 'base_ccy' | 'quote_ccy';
}

/**
 * The placement of one of our orders. Sizes are in the base currency: a spot market buy says so with
 * `tgtCcy: base_ccy` (OKX's default for a market buy is the quote currency).
 */
export function placeOrderBody(order: PlacedOrder): PlaceOrderBody {
  const ordType = ordTypeOf(order);
  const body: PlaceOrderBody = {
    instId: instIdOf(order.instrumentId),
    tdMode: SPOT_TRADE_MODE,
    side: order.side,
    ordType,
    sz: order.quantity.toFixed(),
    clOrdId: wireClientOrderId(order.clientOrderId),
  };
  if (ordType === 'market') {
    if (order.side === 'buy') body.tgtCcy = 'base_ccy';
  } else {
    if (order.price === undefined) throw new AutotraderError('ORDER_INVALID', `order ${order.clientOrderId}: a ${order.type} order needs a price`, { details: { clientOrderId: order.clientOrderId } });
    body.px = order.price.toFixed();
  }
  return body;
}

/** A spot market buy for an amount of the quote currency (`tgtCcy: quote_ccy`): OKX's spend-this-much buy. */
export function marketBuyByQuoteBody(clientOrderId: string, instrumentId: string, quoteAmount: Decimal): PlaceOrderBody {
  return { instId: instIdOf(instrumentId), tdMode: SPOT_TRADE_MODE, side: 'buy', ordType: 'market', sz: quoteAmount.toFixed(), clOrdId: wireClientOrderId(clientOrderId), tgtCcy: 'quote_ccy' };
}

/** The body of `POST /api/v5/trade/cancel-order` by our client order id. */
export const cancelOrderBody = (instrumentId: string, clientOrderId: string): { instId: string; clOrdId: string } => ({
  instId: instIdOf(instrumentId),
  clOrdId: wireClientOrderId(clientOrderId),
});

/** The body of `POST /api/v5/trade/amend-order`. */
export interface AmendOrderBody {
  instId: string;
  clOrdId: string;
  reqId: string;
  cxlOnFail: boolean;
  newSz?: string;
  newPx?: string;
}

/** Only limit orders that rest (GTC, post-only included) can be amended; IOC/FOK never rest, and a trigger price is an algo order. */
export function isAmendable(order: Pick<OrderSnapshot, 'type' | 'timeInForce' | 'filledQuantity'>, changes: VenueOrderChanges): boolean {
  if (order.type !== 'limit' || order.timeInForce !== 'GTC' || changes.triggerPrice !== undefined) return false;
  if (changes.quantity === undefined && changes.price === undefined) return false;
  // OKX's newSz counts what already filled: a new size at or below it leaves nothing to rest.
  return changes.quantity === undefined || changes.quantity.gt(order.filledQuantity);
}

/**
 * The amendment of one of our orders. `newSz` is the order's new total size, what already filled
 * included (OKX: "When amending a partially-filled order, the newSz should include the amount that has
 * been filled"), which is exactly what our changes' quantity means. `cxlOnFail: false`: a failed
 * amendment leaves the order as it was. `reqId` names this amendment in the answer and the orders channel.
 */
export function amendOrderBody(order: Pick<OrderSnapshot, 'clientOrderId' | 'instrumentId' | 'quantity' | 'price'>, changes: VenueOrderChanges, reqId: string): AmendOrderBody {
  const body: AmendOrderBody = { instId: instIdOf(order.instrumentId), clOrdId: wireClientOrderId(order.clientOrderId), reqId, cxlOnFail: false };
  if (changes.quantity !== undefined && !changes.quantity.eq(order.quantity)) body.newSz = changes.quantity.toFixed();
  if (changes.price !== undefined && (order.price === undefined || !changes.price.eq(order.price))) body.newPx = changes.price.toFixed();
  if (body.newSz === undefined && body.newPx === undefined) {
    // Nothing differs: still send the size so the venue confirms the order as it stands.
    body.newSz = (changes.quantity ?? order.quantity).toFixed();
  }
  return body;
}

// ---- answers ----

/** Every REST answer: `{code, msg, data}` (code "0" is success; "1"/"2" put the reason in each item's sCode). */
export const envelopeSchema = z.looseObject({ code: z.string(), msg: z.string().optional(), data: z.array(z.unknown()).optional() });
export type Envelope = z.output<typeof envelopeSchema>;

/** One item of an order operation's answer (place, cancel, amend): `sCode` "0" is success. */
export const orderAckSchema = z.looseObject({
  ordId: z.string().optional(),
  clOrdId: z.string().optional(),
  reqId: z.string().optional(),
  sCode: z.string(),
  sMsg: z.string().optional(),
  ts: z.string().optional(),
});
export type OrderAck = z.output<typeof orderAckSchema>;
export const orderAckAnswerSchema = envelopeSchema.extend({ data: z.array(orderAckSchema) });

/** An order as the orders channel, `GET /trade/order` and `/trade/orders-pending` give it (VENUES.md §3.5). */
export const venueOrderSchema = z.looseObject({
  instType: z.string().optional(),
  instId: z.string(),
  ordId: z.string(),
  clOrdId: z.string().optional(),
  px: optNum,
  sz: num,
  ordType: z.string(),
  side: z.enum(['buy', 'sell']),
  tgtCcy: z.string().optional(),
  accFillSz: optNum,
  fillPx: optNum,
  fillSz: optNum,
  fillTime: optNum,
  fillFee: optNum,
  fillFeeCcy: z.string().optional(),
  tradeId: z.string().optional(),
  execType: z.string().optional(),
  avgPx: optNum,
  state: z.string(),
  fee: optNum,
  feeCcy: z.string().optional(),
  cTime: optNum,
  uTime: optNum,
  amendResult: z.string().optional(),
  reqId: z.string().optional(),
  code: z.string().optional(),
  msg: z.string().optional(),
  cancelSource: z.string().optional(),
});
export type VenueOrder = z.output<typeof venueOrderSchema>;
export const ordersAnswerSchema = envelopeSchema.extend({ data: z.array(venueOrderSchema) });

/** One fill of `GET /trade/fills` and `/trade/fills-history`: `fee` is this fill's (negative = charged). */
export const venueFillSchema = z.looseObject({
  instId: z.string(),
  tradeId: z.string(),
  ordId: z.string(),
  clOrdId: z.string().optional(),
  billId: z.string().optional(),
  fillPx: num,
  fillSz: num,
  side: z.enum(['buy', 'sell']),
  execType: z.string().optional(),
  fee: optNum,
  feeCcy: z.string().optional(),
  fillTime: optNum,
  ts: optNum,
});
export type VenueFill = z.output<typeof venueFillSchema>;
export const fillsAnswerSchema = envelopeSchema.extend({ data: z.array(venueFillSchema) });

/** One currency of `GET /account/balance` and the `account` channel (`data[0].details[]`). */
export const balanceDetailSchema = z.looseObject({ ccy: z.string(), cashBal: optNum, availBal: optNum, frozenBal: optNum, eq: optNum, uTime: optNum });
export type BalanceDetail = z.output<typeof balanceDetailSchema>;
export const accountSchema = z.looseObject({ details: z.array(balanceDetailSchema), uTime: optNum });
export const balanceAnswerSchema = envelopeSchema.extend({ data: z.array(accountSchema) });

/** `GET /public/time`. */
export const serverTimeSchema = envelopeSchema.extend({ data: z.array(z.looseObject({ ts: num })).min(1) });

// ---- translations ----

/**
 * Order states (VENUES.md §3.5): live, partially_filled, filled, canceled, and mmp_canceled (cancelled by
 * market-maker protection), which is a cancel to us.
 */
export function orderStatusOf(state: string, filled: Decimal): OrderStatus {
  switch (state) {
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'mmp_canceled':
      return 'canceled';
    case 'partially_filled':
      return 'partially_filled';
    default:
      // live (and anything newer that still rests).
      return filled.gt(0) ? 'partially_filled' : 'accepted';
  }
}

/** True for the states after which an order never changes. */
export const isFinalState = (state: string): boolean => state === 'filled' || state === 'canceled' || state === 'mmp_canceled';

/** The venue's state of one order, in our terms. A market buy sized in the quote currency counts what it filled. */
export function orderStateOf(o: VenueOrder): VenueOrderState {
  const filled = decimalOr0(o.accFillSz);
  const bySpend = o.tgtCcy === 'quote_ccy';
  return {
    clientOrderId: ourClientOrderId(o.clOrdId && o.clOrdId !== '' ? o.clOrdId : o.ordId),
    venueOrderId: o.ordId,
    instrumentId: instrumentIdOf(o.instId),
    status: orderStatusOf(o.state, filled),
    side: o.side,
    quantity: quantity(bySpend ? filled : o.sz),
    filledQuantity: quantity(filled),
    price: hasNumber(o.px) && Number(o.px) > 0 ? price(o.px) : undefined,
  };
}

/**
 * OKX's fee sign is the account's: negative is charged, positive is a rebate. Ours is a cost: charged is
 * positive, a rebate negative. Never dropped: a rebate lowers our costs.
 */
export const feeOf = (okxFee: string | undefined): Decimal => (hasNumber(okxFee) ? new Decimal(okxFee).negated() : new Decimal(0));

/**
 * The fill an orders-channel push carries (`fillSz` > 0 with a `tradeId`), or undefined. The fee is
 * this fill's: `fillFee`/`fillFeeCcy`; `fee` is the order's running total, so it is this fill's only
 * when the caller says so (`feeFallback`, computed from the total's change).
 */
export function fillOfPush(o: VenueOrder, clientOrderId: string, tsInit: number, feeFallback?: { fee: Decimal; feeCcy: string }): Fill | undefined {
  if (!hasNumber(o.fillSz) || Number(o.fillSz) <= 0 || o.tradeId === undefined || o.tradeId === '' || !hasNumber(o.fillPx)) return undefined;
  const perFill = hasNumber(o.fillFee);
  const fee = perFill ? feeOf(o.fillFee) : (feeFallback?.fee ?? new Decimal(0));
  const feeCurrency = (perFill ? o.fillFeeCcy : undefined) || feeFallback?.feeCcy || o.feeCcy || '';
  return {
    clientOrderId,
    venueOrderId: o.ordId,
    tradeId: o.tradeId,
    instrumentId: instrumentIdOf(o.instId),
    side: o.side,
    price: price(o.fillPx),
    quantity: quantity(o.fillSz),
    fee: money(fee),
    feeCurrency,
    liquidity: o.execType === 'M' ? 'maker' : 'taker',
    tsEvent: hasNumber(o.fillTime) && Number(o.fillTime) > 0 ? Number(o.fillTime) : hasNumber(o.uTime) ? Number(o.uTime) : tsInit,
    tsInit,
  };
}

/** One fill of the fills endpoints in our terms. */
export function fillOfEndpoint(f: VenueFill, clientOrderId: string, tsInit: number): Fill {
  const ts = hasNumber(f.fillTime) && Number(f.fillTime) > 0 ? Number(f.fillTime) : hasNumber(f.ts) ? Number(f.ts) : tsInit;
  return {
    clientOrderId,
    venueOrderId: f.ordId,
    tradeId: f.tradeId,
    instrumentId: instrumentIdOf(f.instId),
    side: f.side,
    price: price(f.fillPx),
    quantity: quantity(f.fillSz),
    fee: money(feeOf(f.fee)),
    feeCurrency: f.feeCcy ?? '',
    liquidity: f.execType === 'M' ? 'maker' : 'taker',
    tsEvent: ts,
    tsInit,
  };
}

/** Balances from the account's details: `availBal` is free, `frozenBal` is locked, `cashBal` the total. Zero balances are left out. */
export function balancesOf(details: readonly BalanceDetail[], tsFallback: number): Balance[] {
  const out: Balance[] = [];
  for (const d of details) {
    const free = money(decimalOr0(d.availBal));
    const locked = money(decimalOr0(d.frozenBal));
    const total = money(hasNumber(d.cashBal) ? new Decimal(d.cashBal) : free.plus(locked));
    if (total.isZero() && free.isZero() && locked.isZero()) continue;
    out.push({ currency: d.ccy, free, locked, total, tsEvent: hasNumber(d.uTime) && Number(d.uTime) > 0 ? Number(d.uTime) : tsFallback });
  }
  return out;
}

// ---- errors ----

/** Live key on demo or the reverse. */
export const ENVIRONMENT_MISMATCH = '50101';
/** The request's timestamp is more than 30 s off the venue's clock. */
export const TIMESTAMP_EXPIRED = '50102';
/** The venue did not finish in time: it may have acted. */
export const ENDPOINT_TIMEOUT = '50004';
/** Duplicated clOrdId: an order with this id already exists. */
export const DUPLICATE_CLIENT_ORDER_ID = '51016';
/** Cancel of an order that is finished or unknown. */
export const CANCEL_OF_FINISHED = new Set(['51400', '51401', '51402']);
/** Amend of an order that does not exist or is finished. */
export const AMEND_OF_FINISHED = new Set(['51503', '51509', '51510']);
/** The order does not exist (queries). */
export const ORDER_NOT_FOUND = '51603';

/**
 * OKX codes (VENUES.md §3.6; issue 13) → our codes. Anything not listed is VENUE_REJECTED with the
 * venue's code in `details.venueCode`.
 */
const ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  '50001': 'VENUE_UNAVAILABLE',
  '50004': 'VENUE_TIMEOUT',
  '50011': 'RATE_LIMITED',
  '50013': 'VENUE_UNAVAILABLE',
  '50026': 'VENUE_UNAVAILABLE',
  '50061': 'RATE_LIMITED',
  '50100': 'AUTH_FAILED',
  '50101': 'AUTH_FAILED',
  '50102': 'AUTH_FAILED',
  '50103': 'AUTH_FAILED',
  '50104': 'AUTH_FAILED',
  '50105': 'AUTH_FAILED',
  '50106': 'AUTH_FAILED',
  '50107': 'AUTH_FAILED',
  '50110': 'AUTH_FAILED',
  '50111': 'AUTH_FAILED',
  '50112': 'AUTH_FAILED',
  '50113': 'AUTH_FAILED',
  '50114': 'AUTH_FAILED',
  '51000': 'ORDER_INVALID',
  '51001': 'INSTRUMENT_UNKNOWN',
  '51008': 'INSUFFICIENT_FUNDS',
  '51016': 'VENUE_REJECTED',
  '51400': 'ORDER_UNKNOWN',
  '51401': 'ORDER_UNKNOWN',
  '51402': 'ORDER_UNKNOWN',
  '51503': 'ORDER_UNKNOWN',
  '51509': 'ORDER_UNKNOWN',
  '51510': 'ORDER_UNKNOWN',
  '51603': 'ORDER_UNKNOWN',
};

/** Our code for an OKX code. */
export const errorCodeOf = (venueCode: string): ErrorCode => ERROR_CODES[venueCode] ?? 'VENUE_REJECTED';

/** What to tell the user about some codes, beyond the venue's words. */
export function errorAdvice(venueCode: string, demo: boolean): string | undefined {
  if (venueCode === ENVIRONMENT_MISMATCH) {
    return demo
      ? 'a live key on the demo environment: create a demo-trading key, or add --mainnet to trade real money with this one'
      : 'a demo key on the live environment (--mainnet): remove --mainnet to use demo trading, or use a live key';
  }
  if (venueCode === TIMESTAMP_EXPIRED) return 'our clock is more than 30 s off the venue\'s; check the system clock (NTP)';
  if (errorCodeOf(venueCode) === 'AUTH_FAILED') return 'check OKX_API_KEY, OKX_API_SECRET and OKX_API_PASSPHRASE, the key\'s permissions and IP allow-list';
  return undefined;
}

/**
 * The failing code of an answer: an order operation answers `code: "1"` (or "2" for a batch; even "0"
 * with a refused item, fixture http_place_algo_order_rejected.json) and puts the reason in the item's
 * `sCode`; anything else is the envelope's code.
 */
export function failingCodeOf(env: { code: string; msg?: string; data?: readonly unknown[] }): { code: string; msg: string } {
  const first = env.data?.[0] as { sCode?: unknown; sMsg?: unknown } | undefined;
  if ((env.code === '0' || env.code === '1' || env.code === '2') && typeof first?.sCode === 'string' && first.sCode !== '0') {
    return { code: first.sCode, msg: typeof first.sMsg === 'string' ? first.sMsg : (env.msg ?? '') };
  }
  return { code: env.code, msg: env.msg ?? '' };
}

/** A refused operation (an item's `sCode` ≠ 0, or a failing envelope) as a coded error with the venue's code in details. */
export function okxError(venueCode: string, venueMessage: string, what: string, demo: boolean, details: Record<string, unknown> = {}): AutotraderError {
  const code = errorCodeOf(venueCode);
  const advice = errorAdvice(venueCode, demo);
  const message = `OKX ${what}: ${venueCode}${venueMessage === '' ? '' : ` ${venueMessage}`}${advice === undefined ? '' : ` (${advice})`}`;
  return new AutotraderError(code, message, { details: { ...details, venueCode, venueMessage } });
}
