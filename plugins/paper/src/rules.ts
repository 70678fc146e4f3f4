import { isOnStep, type Decimal, type ErrorCode, type Instrument, type OrderType, type Price, type Quantity, type TimeInForce } from '@autotrader/core';

/** Why the venue refuses an order: a code from core's table and a sentence saying what to change. */
export interface RuleViolation {
  readonly code: ErrorCode;
  readonly reason: string;
}

/** The order fields the venue rules look at. */
export interface RuleInput {
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly quantity: Quantity;
  readonly price?: Price;
  readonly triggerPrice?: Price;
  readonly trailingOffset?: Price;
  readonly expireAt?: number;
  readonly postOnly: boolean;
}

const violation = (code: ErrorCode, reason: string): RuleViolation => ({ code, reason });

/** Order type and time in force against what this venue supports. */
export function checkSupported(o: RuleInput, orderTypes: readonly OrderType[], timeInForce: readonly TimeInForce[]): RuleViolation | undefined {
  if (!orderTypes.includes(o.type)) return violation('ORDER_TYPE_UNSUPPORTED', `order type ${o.type} is not supported here (supported: ${orderTypes.join(', ')})`);
  if (!timeInForce.includes(o.timeInForce)) {
    return violation('ORDER_TYPE_UNSUPPORTED', `time in force ${o.timeInForce} is not supported here (supported: ${timeInForce.join(', ')})`);
  }
  return undefined;
}

/** The fields each order type needs, and their signs. */
export function checkShape(o: RuleInput, now: number): RuleViolation | undefined {
  if (!o.quantity.gt(0)) return violation('ORDER_INVALID', `quantity must be positive, got ${o.quantity.toString()}`);
  const needsPrice = o.type === 'limit' || o.type === 'stop_limit';
  const needsTrigger = o.type === 'stop' || o.type === 'stop_limit' || o.type === 'market_if_touched';
  if (needsPrice && o.price === undefined) return violation('ORDER_INVALID', `a ${o.type} order needs a price`);
  if (needsTrigger && o.triggerPrice === undefined) return violation('ORDER_INVALID', `a ${o.type} order needs a trigger price`);
  if (o.type === 'trailing_stop' && (o.trailingOffset === undefined || !o.trailingOffset.gt(0))) {
    return violation('ORDER_INVALID', 'a trailing_stop order needs a positive trailingOffset');
  }
  if (o.price !== undefined && !o.price.gt(0)) return violation('ORDER_INVALID', `price must be positive, got ${o.price.toString()}`);
  if (o.triggerPrice !== undefined && !o.triggerPrice.gt(0)) return violation('ORDER_INVALID', `trigger price must be positive, got ${o.triggerPrice.toString()}`);
  if (o.postOnly && o.type !== 'limit') return violation('ORDER_INVALID', `post-only applies to limit orders, not ${o.type}`);
  if (o.postOnly && (o.timeInForce === 'IOC' || o.timeInForce === 'FOK')) return violation('ORDER_INVALID', `a post-only order cannot be ${o.timeInForce}: it must rest`);
  if (o.timeInForce === 'GTD') {
    if (o.expireAt === undefined) return violation('ORDER_INVALID', 'a GTD order needs expireAt (epoch ms)');
    if (o.expireAt <= now) return violation('ORDER_INVALID', `expireAt ${new Date(o.expireAt).toISOString()} is not in the future`);
  }
  return undefined;
}

/** Prices on the tick grid, quantity on the lot grid and within the instrument's bounds. */
export function checkGrid(i: Instrument, price: Price | undefined, triggerPrice: Price | undefined, trailingOffset: Price | undefined, quantity: Quantity): RuleViolation | undefined {
  const offTick = offTickViolation(i, 'price', price) ?? offTickViolation(i, 'trigger price', triggerPrice) ?? offTickViolation(i, 'trailing offset', trailingOffset);
  if (offTick !== undefined) return offTick;
  if (!isOnStep(quantity, i.lotSize)) {
    return violation('LOT_SIZE', `quantity ${quantity.toString()} is not a multiple of ${i.id}'s lot size ${i.lotSize.toString()}; round it to the lot`);
  }
  if (quantity.lt(i.minQuantity)) return violation('LOT_SIZE', `quantity ${quantity.toString()} is below ${i.id}'s minimum ${i.minQuantity.toString()}`);
  if (i.maxQuantity !== undefined && quantity.gt(i.maxQuantity)) {
    return violation('LOT_SIZE', `quantity ${quantity.toString()} is above ${i.id}'s maximum ${i.maxQuantity.toString()}`);
  }
  return undefined;
}

function offTickViolation(i: Instrument, name: string, value: Price | undefined): RuleViolation | undefined {
  if (value === undefined || isOnStep(value, i.tickSize)) return undefined;
  return violation('TICK_SIZE', `${name} ${value.toString()} is not a multiple of ${i.id}'s tick size ${i.tickSize.toString()}; round it to the tick`);
}

/** Notional (at the order's reference price) against the instrument's minimum. */
export function checkNotional(i: Instrument, notional: Decimal): RuleViolation | undefined {
  if (notional.lt(i.minNotional)) {
    return violation('MIN_NOTIONAL', `notional ${notional.toString()} ${i.quote} is below ${i.id}'s minimum ${i.minNotional.toString()}; increase the quantity`);
  }
  return undefined;
}
