/**
 * Coinbase order configurations (create-order `order_configuration`: exactly one key) read into one
 * shape, and the records the fake keeps for orders and fills.
 * @module
 */
import { Decimal } from '@autotrader/core';
import type { OrderHold } from '@autotrader/testkit/fake-venue';

/** `BUY` or `SELL`. */
export type Side = 'BUY' | 'SELL';

/** Order statuses the fake uses (Coinbase's `OrderStatus` has more: PENDING, QUEUED, …). */
export type FakeOrderStatus = 'OPEN' | 'FILLED' | 'CANCELLED' | 'EXPIRED';

/** Coinbase's `time_in_force` values. */
export type TimeInForce = 'GOOD_UNTIL_CANCELLED' | 'GOOD_UNTIL_DATE_TIME' | 'IMMEDIATE_OR_CANCEL' | 'FILL_OR_KILL';

/** A parsed configuration. */
export interface OrderSpec {
  /** The configuration key, e.g. `limit_limit_gtc`. */
  readonly key: string;
  readonly type: 'MARKET' | 'LIMIT' | 'STOP_LIMIT';
  readonly timeInForce: TimeInForce;
  readonly baseSize?: Decimal;
  /** Market orders by funds. */
  readonly quoteSize?: Decimal;
  limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly stopDirection?: 'STOP_DIRECTION_STOP_UP' | 'STOP_DIRECTION_STOP_DOWN';
  /** GTD expiry, epoch ms. */
  readonly endTime?: number;
  readonly postOnly: boolean;
}

/** Why a configuration could not be read: `invalid` is a 400 INVALID_ARGUMENT, `unsupported` an UNSUPPORTED_ORDER_CONFIGURATION failure. */
export type SpecError = { readonly kind: 'invalid' | 'unsupported'; readonly message: string };

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

interface Shape {
  readonly type: OrderSpec['type'];
  readonly tif: TimeInForce;
  readonly fields: readonly string[];
  readonly optional?: readonly string[];
}

/** The configurations the fake trades, with their fields (create-order docs; CCXT request examples). */
const SHAPES: Readonly<Record<string, Shape>> = {
  market_market_ioc: { type: 'MARKET', tif: 'IMMEDIATE_OR_CANCEL', fields: [], optional: ['base_size', 'quote_size'] },
  limit_limit_gtc: { type: 'LIMIT', tif: 'GOOD_UNTIL_CANCELLED', fields: ['base_size', 'limit_price'], optional: ['post_only'] },
  limit_limit_gtd: { type: 'LIMIT', tif: 'GOOD_UNTIL_DATE_TIME', fields: ['base_size', 'limit_price', 'end_time'], optional: ['post_only'] },
  limit_limit_fok: { type: 'LIMIT', tif: 'FILL_OR_KILL', fields: ['base_size', 'limit_price'] },
  sor_limit_ioc: { type: 'LIMIT', tif: 'IMMEDIATE_OR_CANCEL', fields: ['base_size', 'limit_price'] },
  stop_limit_stop_limit_gtc: { type: 'STOP_LIMIT', tif: 'GOOD_UNTIL_CANCELLED', fields: ['base_size', 'limit_price', 'stop_price', 'stop_direction'] },
  stop_limit_stop_limit_gtd: { type: 'STOP_LIMIT', tif: 'GOOD_UNTIL_DATE_TIME', fields: ['base_size', 'limit_price', 'stop_price', 'stop_direction', 'end_time'] },
};

/** Reads `order_configuration`. */
export function parseOrderConfiguration(raw: unknown): OrderSpec | SpecError {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'invalid', message: 'order_configuration is required' };
  const keys = Object.keys(raw);
  if (keys.length !== 1) return { kind: 'unsupported', message: 'exactly one order configuration must be given' };
  const key = keys[0]!;
  const shape = SHAPES[key];
  if (shape === undefined) return { kind: 'unsupported', message: `order configuration ${key} is not supported` };
  const body = (raw as Record<string, unknown>)[key];
  if (typeof body !== 'object' || body === null) return { kind: 'invalid', message: `${key} must be an object` };
  const f = body as Record<string, unknown>;
  for (const name of Object.keys(f)) {
    if (!shape.fields.includes(name) && !(shape.optional ?? []).includes(name)) return { kind: 'invalid', message: `unknown field ${key}.${name}` };
  }
  for (const name of shape.fields) if (f[name] === undefined || f[name] === '') return { kind: 'invalid', message: `${key}.${name} is required` };
  const dec = (name: string): Decimal | undefined | SpecError => {
    const v = f[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || !DECIMAL.test(v)) return { kind: 'invalid', message: `${key}.${name} must be a decimal string` };
    return new Decimal(v);
  };
  const parsed: Record<string, Decimal | undefined> = {};
  for (const name of ['base_size', 'quote_size', 'limit_price', 'stop_price']) {
    const d = dec(name);
    if (d !== undefined && !(d instanceof Decimal)) return d;
    parsed[name] = d;
  }
  if (key === 'market_market_ioc' && (parsed.base_size === undefined) === (parsed.quote_size === undefined)) {
    return { kind: 'invalid', message: 'market_market_ioc needs exactly one of base_size and quote_size' };
  }
  let endTime: number | undefined;
  if (f.end_time !== undefined) {
    endTime = typeof f.end_time === 'string' ? Date.parse(f.end_time) : NaN;
    if (!Number.isFinite(endTime)) return { kind: 'invalid', message: `${key}.end_time must be an RFC 3339 time` };
  }
  const direction = f.stop_direction;
  if (direction !== undefined && direction !== 'STOP_DIRECTION_STOP_UP' && direction !== 'STOP_DIRECTION_STOP_DOWN') {
    return { kind: 'invalid', message: `${key}.stop_direction must be STOP_DIRECTION_STOP_UP or STOP_DIRECTION_STOP_DOWN` };
  }
  if (f.post_only !== undefined && typeof f.post_only !== 'boolean') return { kind: 'invalid', message: `${key}.post_only must be a boolean` };
  return {
    key,
    type: shape.type,
    timeInForce: shape.tif,
    baseSize: parsed.base_size,
    quoteSize: parsed.quote_size,
    limitPrice: parsed.limit_price,
    stopPrice: parsed.stop_price,
    stopDirection: direction,
    endTime,
    postOnly: f.post_only === true,
  };
}

/** One execution of one of our orders. */
export interface FillRecord {
  /** Position in the account's fill history, 1-based: the fills cursor. */
  readonly seq: number;
  readonly entryId: string;
  readonly tradeId: string;
  readonly orderId: string;
  readonly productId: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly commission: Decimal;
  readonly liquidity: 'MAKER' | 'TAKER';
  readonly time: number;
}

/** An edit applied to an order (`edit_history`). */
export interface EditRecord {
  readonly price: Decimal;
  readonly size: Decimal;
  readonly time: number;
}

/** An order the venue accepted. */
export interface OrderRecord {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly productId: string;
  readonly side: Side;
  readonly spec: OrderSpec;
  /** The `order_configuration` as the client sent it (edits rewrite size and price). */
  configuration: Record<string, Record<string, unknown>>;
  status: FakeOrderStatus;
  /** Stop-limit: the stop has been reached. */
  triggered: boolean;
  /** Total base size (market by funds: set when it fills). */
  size: Decimal;
  filledSize: Decimal;
  filledValue: Decimal;
  totalFees: Decimal;
  readonly fills: FillRecord[];
  readonly createdTime: number;
  lastFillTime: number | undefined;
  readonly hold: OrderHold;
  readonly edits: EditRecord[];
  cancelMessage: string;
}

/** Base size not yet filled. */
export function leaves(o: OrderRecord): Decimal {
  return o.status === 'OPEN' ? o.size.minus(o.filledSize) : new Decimal(0);
}

/** Average fill price, 0 before any fill. */
export function averagePrice(o: OrderRecord): Decimal {
  return o.filledSize.isZero() ? new Decimal(0) : o.filledValue.div(o.filledSize);
}
