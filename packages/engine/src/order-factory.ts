import {
  AutotraderError,
  isOnStep,
  money,
  price as toPrice,
  quantity as toQuantity,
  type ClientOrderIdFactory,
  type Instrument,
  type Order,
  type OrderIntent,
  type OrderType,
  type Price,
  type Quantity,
} from '@autotrader/core';

const PRICED: ReadonlySet<OrderType> = new Set(['limit', 'stop_limit']);
const TRIGGERED: ReadonlySet<OrderType> = new Set(['stop', 'stop_limit', 'market_if_touched']);

function invalid(message: string, details: Record<string, unknown>): AutotraderError {
  return new AutotraderError('ORDER_INVALID', message, { details });
}

const ZERO_QUANTITY = toQuantity(0);
const ZERO_MONEY = money(0);

/**
 * The last text or number parsed, per parser. Strategies send the same size (and often the same
 * price) order after order; decimals are immutable, so the parsed value is shared, not rebuilt.
 */
const lastParsed = new Map<(v: never) => unknown, { input: unknown; value: unknown }>();

function positiveDecimal<T extends Quantity | Price>(make: (v: never) => T, value: unknown, field: string, instrumentId: string): T {
  const cached = lastParsed.get(make);
  if (cached !== undefined && cached.input === value && (typeof value === 'string' || typeof value === 'number')) return cached.value as T;
  let d: T;
  try {
    d = make(value as never);
  } catch {
    throw invalid(`${field} must be a finite number, got ${JSON.stringify(value)}`, { field, instrumentId });
  }
  if (!d.isPositive() || d.isZero()) throw invalid(`${field} must be greater than zero, got ${d.toString()}`, { field, instrumentId });
  if (cached === undefined) lastParsed.set(make, { input: value, value: d });
  else {
    cached.input = value;
    cached.value = d;
  }
  return d;
}

/** The price, or TICK_SIZE when it is off the instrument's tick grid. */
function onTick(instrument: Instrument, p: Price, field: string): Price {
  if (!isOnStep(p, instrument.tickSize)) {
    throw new AutotraderError('TICK_SIZE', `${field} ${p.toString()} is not a multiple of the tick size ${instrument.tickSize.toString()} of ${instrument.id}`, {
      details: { instrumentId: instrument.id, field },
    });
  }
  return p;
}

/**
 * Turns a strategy's intent into an order on the instrument's grid, or throws a coded error.
 * Off-grid prices and quantities are refused, not silently rounded: a strategy that wants rounding
 * says so with `roundPrice`/`roundQuantity` from core, with the rounding mode it means.
 */
export function buildOrder(intent: OrderIntent, instrument: Instrument, ids: ClientOrderIdFactory, now: number, lastPrice: number): Order {
  const type: OrderType = intent.type ?? (intent.price === undefined ? 'market' : 'limit');
  const id = instrument.id;
  if (intent.side !== 'buy' && intent.side !== 'sell') throw invalid(`side must be 'buy' or 'sell', got ${JSON.stringify(intent.side)}`, { instrumentId: id });
  const qty = positiveDecimal(toQuantity, intent.quantity, 'quantity', id);
  if (!isOnStep(qty, instrument.lotSize)) {
    throw new AutotraderError('LOT_SIZE', `quantity ${qty.toString()} is not a multiple of the lot size ${instrument.lotSize.toString()} of ${id}`, {
      details: { instrumentId: id, quantity: qty.toString() },
    });
  }
  if (qty.lt(instrument.minQuantity)) {
    throw new AutotraderError('LOT_SIZE', `quantity ${qty.toString()} is below the minimum ${instrument.minQuantity.toString()} of ${id}`, {
      details: { instrumentId: id },
    });
  }
  if (instrument.maxQuantity !== undefined && qty.gt(instrument.maxQuantity)) {
    throw new AutotraderError('LOT_SIZE', `quantity ${qty.toString()} is above the maximum ${instrument.maxQuantity.toString()} of ${id}`, {
      details: { instrumentId: id },
    });
  }

  let px: Price | undefined;
  if (PRICED.has(type)) {
    if (intent.price === undefined) throw invalid(`a ${type} order needs a price`, { instrumentId: id });
    px = onTick(instrument, positiveDecimal(toPrice, intent.price, 'price', id), 'price');
  } else if (intent.price !== undefined) {
    throw invalid(`a ${type} order takes no price (use type 'limit' or 'stop_limit')`, { instrumentId: id });
  }
  let trigger: Price | undefined;
  if (TRIGGERED.has(type)) {
    if (intent.triggerPrice === undefined) throw invalid(`a ${type} order needs a triggerPrice`, { instrumentId: id });
    trigger = onTick(instrument, positiveDecimal(toPrice, intent.triggerPrice, 'triggerPrice', id), 'triggerPrice');
  }
  let trailing: Price | undefined;
  if (type === 'trailing_stop') {
    if (intent.trailingOffset === undefined) throw invalid(`a trailing_stop order needs a trailingOffset`, { instrumentId: id });
    trailing = onTick(instrument, positiveDecimal(toPrice, intent.trailingOffset, 'trailingOffset', id), 'trailingOffset');
  }
  const tif = intent.timeInForce ?? 'GTC';
  if (tif === 'GTD' && !(typeof intent.expireAt === 'number' && intent.expireAt > now)) {
    throw invalid(`a GTD order needs expireAt in the future`, { instrumentId: id });
  }
  if (intent.postOnly && type !== 'limit') throw invalid(`post-only applies to limit orders only`, { instrumentId: id });

  const reference = px ?? trigger ?? (lastPrice > 0 ? toPrice(lastPrice) : undefined);
  if (reference !== undefined && !instrument.minNotional.isZero()) {
    const notional = reference.mul(qty).mul(instrument.multiplier);
    if (notional.lt(instrument.minNotional)) {
      throw new AutotraderError('MIN_NOTIONAL', `notional ${notional.toString()} is below the minimum ${instrument.minNotional.toString()} of ${id}`, {
        details: { instrumentId: id, notional: notional.toString() },
      });
    }
  }

  return {
    clientOrderId: ids.create(),
    instrumentId: id,
    side: intent.side,
    type,
    quantity: qty,
    price: px,
    triggerPrice: trigger,
    trailingOffset: trailing,
    timeInForce: tif,
    expireAt: intent.expireAt,
    postOnly: intent.postOnly ?? false,
    reduceOnly: intent.reduceOnly ?? false,
    status: 'initialized',
    filledQuantity: ZERO_QUANTITY,
    fees: ZERO_MONEY,
    tsCreated: now,
    tsUpdated: now,
    tag: intent.tag,
    // Set later; declared now so every order keeps one hidden class with its fields in the object.
    venueOrderId: undefined,
    averagePrice: undefined,
    rejection: undefined,
  };
}
