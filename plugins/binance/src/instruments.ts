import { z } from 'zod';
import {
  AutotraderError,
  Decimal,
  describeZodIssues,
  makeInstrument,
  type ErrorCode,
  type Instrument,
  type Logger,
  type OrderSnapshot,
} from '@autotrader/core';
import { InstrumentCache } from '@autotrader/venue-kit';
import type { BinanceHttp } from './http';
import { instrumentIdOf, VENUE } from './mapping';

const decimalString = z.string().refine((v) => {
  try {
    return new Decimal(v).isFinite();
  } catch {
    return false;
  }
}, 'must be a decimal string');

const filterSchema = z.looseObject({ filterType: z.string() });

const symbolSchema = z.looseObject({
  symbol: z.string().min(1),
  status: z.string(),
  baseAsset: z.string().min(1),
  quoteAsset: z.string().min(1),
  baseAssetPrecision: z.number().int().min(0).optional(),
  quoteAssetPrecision: z.number().int().min(0).optional(),
  quotePrecision: z.number().int().min(0).optional(),
  orderTypes: z.array(z.string()).default([]),
  cancelReplaceAllowed: z.boolean().optional(),
  isSpotTradingAllowed: z.boolean().optional(),
  filters: z.array(filterSchema).default([]),
});

/** The part of `GET /api/v3/exchangeInfo` we read. */
export const exchangeInfoSchema = z.looseObject({
  serverTime: z.number().optional(),
  symbols: z.array(symbolSchema),
});

/** A symbol's full Binance trading rules, beyond what core's Instrument carries. Zero means "not enforced". */
export interface BinanceSymbolRules {
  readonly symbol: string;
  readonly status: string;
  readonly orderTypes: readonly string[];
  readonly cancelReplaceAllowed: boolean;
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;
  readonly tickSize: Decimal;
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  readonly stepSize: Decimal;
  /** MARKET_LOT_SIZE, which replaces LOT_SIZE for market orders where set. */
  readonly marketMinQty: Decimal;
  readonly marketMaxQty: Decimal;
  readonly marketStepSize: Decimal;
  readonly minNotional: Decimal;
  /** Which filter set the minimum notional: NOTIONAL (current) or MIN_NOTIONAL (older symbols). */
  readonly notionalFilter: 'NOTIONAL' | 'MIN_NOTIONAL' | undefined;
  /** Whether the minimum notional also binds market orders (checked against a reference price). */
  readonly applyMinToMarket: boolean;
  readonly maxNotional: Decimal;
  readonly applyMaxToMarket: boolean;
}

const ZERO = new Decimal(0);

function filterDecimal(filter: Record<string, unknown> | undefined, field: string, where: string): Decimal {
  const raw = filter?.[field];
  if (raw === undefined) return ZERO;
  const parsed = decimalString.safeParse(raw);
  if (!parsed.success) {
    throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance exchangeInfo: ${where}.${field} is not a decimal string: ${JSON.stringify(raw)}`, {
      details: { where, field },
    });
  }
  return new Decimal(parsed.data);
}

const stepOfPrecision = (places: number | undefined): string => (places === undefined ? '0.00000001' : new Decimal(`1e-${places}`).toFixed());

/** One exchangeInfo symbol → its core Instrument and full rules. */
export function parseSymbol(raw: z.output<typeof symbolSchema>): { instrument: Instrument; rules: BinanceSymbolRules } {
  const byType = new Map<string, Record<string, unknown>>();
  for (const f of raw.filters) byType.set(f.filterType, f);
  const where = (type: string): string => `${raw.symbol}.${type}`;
  const price = byType.get('PRICE_FILTER');
  const lot = byType.get('LOT_SIZE');
  const marketLot = byType.get('MARKET_LOT_SIZE');
  const notional = byType.get('NOTIONAL');
  const minNotionalFilter = byType.get('MIN_NOTIONAL');

  const tickSize = filterDecimal(price, 'tickSize', where('PRICE_FILTER'));
  const stepSize = filterDecimal(lot, 'stepSize', where('LOT_SIZE'));
  const minQty = filterDecimal(lot, 'minQty', where('LOT_SIZE'));
  const maxQty = filterDecimal(lot, 'maxQty', where('LOT_SIZE'));
  // NOTIONAL superseded MIN_NOTIONAL; a symbol normally has one of them.
  const minNotional = notional ? filterDecimal(notional, 'minNotional', where('NOTIONAL')) : filterDecimal(minNotionalFilter, 'minNotional', where('MIN_NOTIONAL'));
  const applyMinToMarket = notional ? notional.applyMinToMarket === true : minNotionalFilter?.applyToMarket === true;

  const rules: BinanceSymbolRules = {
    symbol: raw.symbol,
    status: raw.status,
    orderTypes: raw.orderTypes,
    cancelReplaceAllowed: raw.cancelReplaceAllowed ?? false,
    minPrice: filterDecimal(price, 'minPrice', where('PRICE_FILTER')),
    maxPrice: filterDecimal(price, 'maxPrice', where('PRICE_FILTER')),
    tickSize,
    minQty,
    maxQty,
    stepSize,
    marketMinQty: filterDecimal(marketLot, 'minQty', where('MARKET_LOT_SIZE')),
    marketMaxQty: filterDecimal(marketLot, 'maxQty', where('MARKET_LOT_SIZE')),
    marketStepSize: filterDecimal(marketLot, 'stepSize', where('MARKET_LOT_SIZE')),
    minNotional,
    notionalFilter: notional ? 'NOTIONAL' : minNotionalFilter ? 'MIN_NOTIONAL' : undefined,
    applyMinToMarket,
    maxNotional: notional ? filterDecimal(notional, 'maxNotional', where('NOTIONAL')) : ZERO,
    applyMaxToMarket: notional?.applyMaxToMarket === true,
  };

  // A disabled tick or step (0) still needs a precision to format prices: use the asset precision.
  const instrument = makeInstrument({
    symbol: raw.symbol,
    venue: VENUE,
    assetClass: 'spot',
    base: raw.baseAsset,
    quote: raw.quoteAsset,
    tickSize: tickSize.isZero() ? stepOfPrecision(raw.quoteAssetPrecision ?? raw.quotePrecision) : tickSize.toFixed(),
    lotSize: stepSize.isZero() ? stepOfPrecision(raw.baseAssetPrecision) : stepSize.toFixed(),
    minQuantity: minQty.isZero() ? undefined : minQty.toFixed(),
    maxQuantity: maxQty.isZero() ? undefined : maxQty.toFixed(),
    minNotional: minNotional.toFixed(),
  });
  return { instrument, rules };
}

/** Parses an exchangeInfo answer into instruments and rules, in the venue's order. */
export function parseExchangeInfo(json: unknown): { instruments: Instrument[]; rules: Map<string, BinanceSymbolRules> } {
  const parsed = exchangeInfoSchema.safeParse(json);
  if (!parsed.success) {
    throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Binance exchangeInfo: unexpected shape (${describeZodIssues(parsed.error.issues, undefined, { max: 3 })})`);
  }
  const instruments: Instrument[] = [];
  const rules = new Map<string, BinanceSymbolRules>();
  for (const s of parsed.data.symbols) {
    const r = parseSymbol(s);
    instruments.push(r.instrument);
    rules.set(r.instrument.id, r.rules);
  }
  return { instruments, rules };
}

/** The fields of an order the filters look at. */
export type FilterCheckedOrder = Pick<OrderSnapshot, 'clientOrderId' | 'type' | 'quantity' | 'price' | 'triggerPrice'>;

function filterError(code: ErrorCode, order: FilterCheckedOrder, instrument: Instrument, filter: string, text: string, extra: Record<string, unknown>): AutotraderError {
  return new AutotraderError(code, `order ${order.clientOrderId} on ${instrument.id}: ${text} (Binance ${filter})`, {
    details: { clientOrderId: order.clientOrderId, instrumentId: instrument.id, filter, ...extra },
  });
}

function checkPrice(value: Decimal, what: string, order: FilterCheckedOrder, instrument: Instrument, rules: BinanceSymbolRules | undefined): void {
  const minPrice = rules?.minPrice ?? ZERO;
  const maxPrice = rules?.maxPrice ?? ZERO;
  const tick = rules && !rules.tickSize.isZero() ? rules.tickSize : instrument.tickSize;
  const extra = { field: what, value: value.toFixed() };
  if (value.lte(0)) throw filterError('TICK_SIZE', order, instrument, 'PRICE_FILTER', `${what} ${value.toFixed()} must be positive`, extra);
  if (minPrice.gt(0) && value.lt(minPrice)) {
    throw filterError('TICK_SIZE', order, instrument, 'PRICE_FILTER', `${what} ${value.toFixed()} is below the minimum ${minPrice.toFixed()}`, { ...extra, minPrice: minPrice.toFixed() });
  }
  if (maxPrice.gt(0) && value.gt(maxPrice)) {
    throw filterError('TICK_SIZE', order, instrument, 'PRICE_FILTER', `${what} ${value.toFixed()} is above the maximum ${maxPrice.toFixed()}`, { ...extra, maxPrice: maxPrice.toFixed() });
  }
  if (tick.gt(0) && !value.minus(minPrice).mod(tick).isZero()) {
    throw filterError('TICK_SIZE', order, instrument, 'PRICE_FILTER', `${what} ${value.toFixed()} is not a multiple of the tick size ${tick.toFixed()}`, { ...extra, tickSize: tick.toFixed() });
  }
}

function checkQuantity(order: FilterCheckedOrder, instrument: Instrument, rules: BinanceSymbolRules | undefined): void {
  const qty = order.quantity;
  const market = order.type === 'market' || order.type === 'stop';
  const useMarketLot = market && rules !== undefined && (rules.marketStepSize.gt(0) || rules.marketMinQty.gt(0) || rules.marketMaxQty.gt(0));
  const filter = useMarketLot ? 'MARKET_LOT_SIZE' : 'LOT_SIZE';
  const minQty = useMarketLot ? rules!.marketMinQty : (rules?.minQty ?? instrument.minQuantity);
  const maxQty = useMarketLot ? rules!.marketMaxQty : (rules?.maxQty ?? instrument.maxQuantity ?? ZERO);
  const step = useMarketLot ? rules!.marketStepSize : rules && rules.stepSize.gt(0) ? rules.stepSize : instrument.lotSize;
  const extra = { value: qty.toFixed() };
  if (qty.lte(0)) throw filterError('LOT_SIZE', order, instrument, filter, `quantity ${qty.toFixed()} must be positive`, extra);
  if (minQty.gt(0) && qty.lt(minQty)) {
    throw filterError('LOT_SIZE', order, instrument, filter, `quantity ${qty.toFixed()} is below the minimum ${minQty.toFixed()}`, { ...extra, minQty: minQty.toFixed() });
  }
  if (maxQty.gt(0) && qty.gt(maxQty)) {
    throw filterError('LOT_SIZE', order, instrument, filter, `quantity ${qty.toFixed()} is above the maximum ${maxQty.toFixed()}`, { ...extra, maxQty: maxQty.toFixed() });
  }
  if (step.gt(0) && !qty.minus(minQty).mod(step).isZero()) {
    throw filterError('LOT_SIZE', order, instrument, filter, `quantity ${qty.toFixed()} is not a multiple of the step size ${step.toFixed()}`, { ...extra, stepSize: step.toFixed() });
  }
}

/**
 * Checks an order against the symbol's Binance filters (PRICE_FILTER, LOT_SIZE / MARKET_LOT_SIZE,
 * NOTIONAL / MIN_NOTIONAL) and throws the coded error (TICK_SIZE, LOT_SIZE, MIN_NOTIONAL) before the
 * order leaves the process. Without `rules` it checks what core's Instrument carries. Market orders
 * are held to the minimum notional only where the venue applies it to them, and only when a
 * `referencePrice` (for example the last trade) is given, because they have no price of their own.
 */
export function checkOrderAgainstFilters(order: FilterCheckedOrder, instrument: Instrument, rules?: BinanceSymbolRules, referencePrice?: Decimal): void {
  const priced = order.type === 'limit' || order.type === 'stop_limit';
  const triggered = order.type === 'stop' || order.type === 'stop_limit';
  if (priced) {
    if (order.price === undefined) throw new AutotraderError('ORDER_INVALID', `${order.type} order ${order.clientOrderId} has no price`, { details: { clientOrderId: order.clientOrderId } });
    checkPrice(order.price, 'price', order, instrument, rules);
  }
  if (triggered) {
    if (order.triggerPrice === undefined) {
      throw new AutotraderError('ORDER_INVALID', `${order.type} order ${order.clientOrderId} has no trigger price`, { details: { clientOrderId: order.clientOrderId } });
    }
    checkPrice(order.triggerPrice, 'trigger price', order, instrument, rules);
  }
  checkQuantity(order, instrument, rules);

  const minNotional = rules?.minNotional ?? instrument.minNotional;
  const maxNotional = rules?.maxNotional ?? ZERO;
  const marketLike = !priced;
  const notionalPrice = priced ? order.price : order.type === 'stop' ? order.triggerPrice : referencePrice;
  if (notionalPrice === undefined) return;
  const notional = notionalPrice.mul(order.quantity);
  const applyMin = !marketLike || rules === undefined || rules.applyMinToMarket;
  const applyMax = !marketLike || (rules?.applyMaxToMarket ?? false);
  if (applyMin && minNotional.gt(0) && notional.lt(minNotional)) {
    throw filterError('MIN_NOTIONAL', order, instrument, rules?.notionalFilter ?? 'NOTIONAL', `notional ${notional.toFixed()} is below the minimum ${minNotional.toFixed()}`, {
      notional: notional.toFixed(),
      minNotional: minNotional.toFixed(),
    });
  }
  if (applyMax && maxNotional.gt(0) && notional.gt(maxNotional)) {
    throw filterError('ORDER_INVALID', order, instrument, 'NOTIONAL', `notional ${notional.toFixed()} is above the maximum ${maxNotional.toFixed()}`, {
      notional: notional.toFixed(),
      maxNotional: maxNotional.toFixed(),
    });
  }
}

/**
 * Loads Binance's instruments from `GET /api/v3/exchangeInfo` and keeps them, with their full
 * rules, for the data and execution ports.
 */
export class BinanceInstruments extends InstrumentCache<BinanceSymbolRules> {
  constructor(http: BinanceHttp, logger: Logger) {
    super({
      venueName: 'Binance',
      unknownHint: `check the symbol (for example BTCUSDT.${VENUE})`,
      logger,
      // GET /api/v3/exchangeInfo, weight 20.
      fetch: async () => parseExchangeInfo(await http.request('GET', '/api/v3/exchangeInfo', [], z.unknown())),
    });
  }

  /** The instrument id for a venue symbol, even when it was not loaded. */
  idOf(symbol: string): string {
    return instrumentIdOf(symbol);
  }
}
