/**
 * Validation of an order request body (`{"order": OrderRequest}`) against v20.json: the type's
 * request definition (`MarketOrderRequest`, `LimitOrderRequest`, `StopOrderRequest`,
 * `MarketIfTouchedOrderRequest`), units and prices as decimal strings within the instrument's
 * precisions and limits, time in force per type, GTD times, position fill, trigger condition and
 * client extensions. A failure carries the `TransactionRejectReason` OANDA names for it.
 * @module
 */
import { Decimal } from '@autotrader/core';
import type { Account, ClientExtensions, Order } from './account';
import type { Instrument } from './instruments';
import { inEnum, propertiesOf, specEnum } from './spec';
import { decimalInput, parseTime, type DatetimeFormat, type Nanos } from './wire';

/** The order types the fake deals. */
export type DealtType = Order['type'];

const REQUEST_DEFINITION: Readonly<Record<DealtType, string>> = {
  MARKET: 'MarketOrderRequest',
  LIMIT: 'LimitOrderRequest',
  STOP: 'StopOrderRequest',
  MARKET_IF_TOUCHED: 'MarketIfTouchedOrderRequest',
};

/** Time in force allowed per type, and the default (the request definitions' descriptions). */
const TIME_IN_FORCE: Readonly<Record<DealtType, { readonly allowed: readonly string[]; readonly default: string }>> = {
  MARKET: { allowed: ['FOK', 'IOC'], default: 'FOK' },
  LIMIT: { allowed: ['GTC', 'GTD', 'GFD', 'FOK', 'IOC'], default: 'GTC' },
  STOP: { allowed: ['GTC', 'GTD', 'GFD'], default: 'GTC' },
  MARKET_IF_TOUCHED: { allowed: ['GTC', 'GTD', 'GFD'], default: 'GTC' },
};

/** Dependent orders on fill: accepted by OANDA, not modelled by the fake (refused plainly, see README). */
const ON_FILL = ['takeProfitOnFill', 'stopLossOnFill', 'trailingStopLossOnFill', 'guaranteedStopLossOnFill'];

/** A request that passed validation. */
export interface ParsedOrder {
  readonly type: DealtType;
  readonly instrument: Instrument;
  readonly units: Decimal;
  readonly price?: Decimal;
  readonly priceBound?: Decimal;
  readonly timeInForce: string;
  readonly gtdTime?: Nanos;
  readonly positionFill: string;
  readonly triggerCondition: string;
  readonly clientExtensions?: ClientExtensions;
  readonly tradeClientExtensions?: ClientExtensions;
  /** The request fields as sent, for the transactions that echo them. */
  readonly raw: Record<string, unknown>;
}

/** Why a request is refused. */
export type OrderRequestProblem =
  /** An order-specific rejection: a `*_ORDER_REJECT` transaction with this reason. */
  | { readonly kind: 'reject'; readonly type: DealtType; readonly reason: string; readonly message: string; readonly raw: Record<string, unknown> }
  /** A body the fake cannot even type: 400 with errorMessage only. */
  | { readonly kind: 'invalid'; readonly message: string };

/** What validation needs from the venue. */
export interface OrderRequestContext {
  readonly account: Account;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly format: DatetimeFormat;
  readonly now: Nanos;
  /** An order whose client id may be reused (the order being replaced). */
  readonly replacing?: Order;
}

function extensions(v: unknown, prefix: 'CLIENT_ORDER' | 'CLIENT_TRADE'): ClientExtensions | string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${prefix}_ID_INVALID`;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['id', 'tag', 'comment'].includes(k)) return `${prefix}_ID_INVALID`;
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id === '')) return `${prefix}_ID_INVALID`;
  if (o.tag !== undefined && typeof o.tag !== 'string') return `${prefix}_TAG_INVALID`;
  if (o.comment !== undefined && typeof o.comment !== 'string') return `${prefix}_COMMENT_INVALID`;
  const out: ClientExtensions = {};
  if (o.id !== undefined) out.id = o.id as string;
  if (o.tag !== undefined) out.tag = o.tag as string;
  if (o.comment !== undefined) out.comment = o.comment as string;
  return out;
}

/** Validates `body` (the whole request body) as an order request. */
export function parseOrderRequest(body: unknown, ctx: OrderRequestContext): ParsedOrder | OrderRequestProblem {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { kind: 'invalid', message: 'Invalid JSON body: an object {"order": {...}} is required' };
  const order = (body as Record<string, unknown>).order;
  if (typeof order !== 'object' || order === null || Array.isArray(order)) return { kind: 'invalid', message: "Invalid value specified for 'order'" };
  const raw = order as Record<string, unknown>;
  const type = raw.type;
  if (type === undefined) return { kind: 'invalid', message: "Order type must be specified ('order.type')" };
  if (typeof type !== 'string' || !(type in REQUEST_DEFINITION)) {
    return { kind: 'invalid', message: inEnum('OrderType', type) ? `Fake OANDA does not deal ${type} orders (see fake/README.md)` : `Invalid value specified for 'order.type'` };
  }
  const t = type as DealtType;
  const reject = (reason: string, message: string): OrderRequestProblem => ({ kind: 'reject', type: t, reason: specEnum('TransactionRejectReason', reason), message, raw });
  const known = propertiesOf(REQUEST_DEFINITION[t]);
  for (const k of Object.keys(raw)) {
    if (!known.includes(k)) return { kind: 'invalid', message: `Invalid value specified for 'order.${k}': not a field of ${REQUEST_DEFINITION[t]}` };
  }
  for (const k of ON_FILL) if (raw[k] !== undefined) return { kind: 'invalid', message: `Fake OANDA does not model '${k}' (dependent orders); see fake/README.md` };

  if (raw.instrument === undefined) return reject('INSTRUMENT_MISSING', 'Instrument must be specified');
  const instrument = typeof raw.instrument === 'string' ? ctx.instruments.get(raw.instrument) : undefined;
  if (instrument === undefined) return reject('INSTRUMENT_UNKNOWN', 'Instrument specified is unknown');
  const spec = instrument.spec;

  if (raw.units === undefined) return reject('UNITS_MISSING', 'Order units must be specified');
  const units = decimalInput(raw.units, true);
  if (units === undefined || units.isZero()) return reject('UNITS_INVALID', 'Order units specified are invalid');
  if (units.decimalPlaces() > spec.tradeUnitsPrecision) return reject('UNITS_PRECISION_EXCEEDED', `Order units precision exceeds the instrument's units precision (${spec.tradeUnitsPrecision})`);
  if (units.abs().gt(instrument.maximumOrderUnits)) return reject('UNITS_LIMIT_EXCEEDED', `Order units exceed the maximum of ${spec.maximumOrderUnits}`);
  if (units.abs().lt(instrument.minimumTradeSize)) return reject('UNITS_MIMIMUM_NOT_MET', `Order units are below the minimum trade size of ${spec.minimumTradeSize}`);

  let price: Decimal | undefined;
  if (t !== 'MARKET') {
    if (raw.price === undefined) return reject('PRICE_MISSING', 'Order price must be specified');
    price = decimalInput(raw.price, false);
    if (price === undefined || price.isZero()) return reject('PRICE_INVALID', 'Order price specified is invalid');
    if (price.decimalPlaces() > spec.displayPrecision) return reject('PRICE_PRECISION_EXCEEDED', `Order price precision exceeds the instrument's (${spec.displayPrecision})`);
  }
  let priceBound: Decimal | undefined;
  if (raw.priceBound !== undefined) {
    priceBound = decimalInput(raw.priceBound, false);
    if (priceBound === undefined || priceBound.isZero()) return reject('PRICE_BOUND_INVALID', 'Order price bound specified is invalid');
    if (priceBound.decimalPlaces() > spec.displayPrecision) return reject('PRICE_BOUND_PRECISION_EXCEEDED', `Order price bound precision exceeds the instrument's (${spec.displayPrecision})`);
  }

  const tif = TIME_IN_FORCE[t];
  const timeInForce = raw.timeInForce ?? tif.default;
  if (typeof timeInForce !== 'string' || !tif.allowed.includes(timeInForce)) return reject('TIME_IN_FORCE_INVALID', `Time in force ${JSON.stringify(timeInForce)} is not allowed for ${t} orders`);
  let gtdTime: Nanos | undefined;
  if (timeInForce === 'GTD') {
    if (raw.gtdTime === undefined) return reject('TIME_IN_FORCE_GTD_TIMESTAMP_MISSING', 'A GTD order needs a gtdTime');
    gtdTime = typeof raw.gtdTime === 'string' ? parseTime(raw.gtdTime, ctx.format) : undefined;
    if (gtdTime === undefined) return { kind: 'invalid', message: `Invalid value specified for 'order.gtdTime': not a ${ctx.format} DateTime` };
    if (gtdTime <= ctx.now) return reject('TIME_IN_FORCE_GTD_TIMESTAMP_IN_PAST', 'The gtdTime is in the past');
  }

  const positionFill = raw.positionFill ?? 'DEFAULT';
  if (!inEnum('OrderPositionFill', positionFill)) return reject('ORDER_FILL_POSITION_ACTION_INVALID', 'Order position fill specified is invalid');
  const triggerCondition = raw.triggerCondition ?? 'DEFAULT';
  if (t !== 'MARKET' && !inEnum('OrderTriggerCondition', triggerCondition)) return reject('TRIGGER_CONDITION_INVALID', 'Order trigger condition specified is invalid');

  const ce = extensions(raw.clientExtensions, 'CLIENT_ORDER');
  if (typeof ce === 'string') return reject(ce, 'Order client extensions are invalid');
  if (ce?.id !== undefined) {
    for (const o of ctx.account.orders.values()) {
      if (o !== ctx.replacing && o.clientExtensions?.id === ce.id) return reject('CLIENT_ORDER_ID_ALREADY_EXISTS', `Client order ID ${ce.id} already exists`);
    }
  }
  const tce = extensions(raw.tradeClientExtensions, 'CLIENT_TRADE');
  if (typeof tce === 'string') return reject(tce, 'Trade client extensions are invalid');
  if (tce?.id !== undefined) {
    for (const tr of ctx.account.trades.values()) if (tr.clientExtensions?.id === tce.id) return reject('CLIENT_TRADE_ID_ALREADY_EXISTS', `Client trade ID ${tce.id} already exists`);
  }

  return {
    type: t,
    instrument,
    units,
    ...(price !== undefined ? { price } : {}),
    ...(priceBound !== undefined ? { priceBound } : {}),
    timeInForce,
    ...(gtdTime !== undefined ? { gtdTime } : {}),
    positionFill: positionFill as string,
    triggerCondition: triggerCondition as string,
    ...(ce !== undefined ? { clientExtensions: ce } : {}),
    ...(tce !== undefined ? { tradeClientExtensions: tce } : {}),
    raw,
  };
}

/** True when `p` is a refusal. */
export function isProblem(p: ParsedOrder | OrderRequestProblem): p is OrderRequestProblem {
  return 'kind' in p;
}
