/**
 * The symbols the fake lists: their trading rules, and their `exchangeInfo` entries with filter
 * objects shaped exactly like binance-spot-api-docs filters.md (fixtures `docs/filter_*.json`).
 * @module
 */
import { AutotraderError, Decimal } from '@autotrader/core';
import { dec, wire } from './format';

/** Which notional filters a symbol lists and checks, in this order. */
export type NotionalFilterName = 'NOTIONAL' | 'MIN_NOTIONAL';

/** A symbol the fake lists. Decimal fields are strings, as on the wire. */
export interface FakeSymbolSpec {
  /** Upper case, no separator: `BTCUSDT`. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** PRICE_FILTER tickSize (minPrice is one tick, maxPrice 1,000,000). */
  readonly tickSize: string;
  /** LOT_SIZE and MARKET_LOT_SIZE stepSize. */
  readonly stepSize: string;
  /** LOT_SIZE and MARKET_LOT_SIZE minQty. */
  readonly minQty: string;
  /** LOT_SIZE and MARKET_LOT_SIZE maxQty (default 9000). */
  readonly maxQty?: string;
  /** minNotional of the NOTIONAL and MIN_NOTIONAL filters. */
  readonly minNotional: string;
  /** NOTIONAL maxNotional (default 9,000,000). */
  readonly maxNotional?: string;
  /** Which notional filters are listed and checked, in order (default both: NOTIONAL first). */
  readonly notionalFilters?: readonly NotionalFilterName[];
  /** MAX_NUM_ORDERS: open orders allowed on the symbol (default 200). */
  readonly maxNumOrders?: number;
  /** TRADING (default) or HALT: a halted symbol refuses new orders with -2010 "Market is closed.". */
  readonly status?: 'TRADING' | 'HALT';
}

/** A symbol's rules as exact decimals. */
export interface SymbolRules {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly status: 'TRADING' | 'HALT';
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;
  readonly tickSize: Decimal;
  readonly minQty: Decimal;
  readonly maxQty: Decimal;
  readonly stepSize: Decimal;
  readonly minNotional: Decimal;
  readonly maxNotional: Decimal;
  readonly notionalFilters: readonly NotionalFilterName[];
  readonly maxNumOrders: number;
}

/** BTCUSDT and ETHUSDT, with Binance's real tick and step sizes and a minNotional of 5 USDT. */
export const DEFAULT_SYMBOLS: readonly FakeSymbolSpec[] = [
  { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', minNotional: '5' },
  { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', minNotional: '5' },
];

function positive(spec: FakeSymbolSpec, field: string, text: string | undefined, fallback: string): Decimal {
  const raw = text ?? fallback;
  let value: Decimal;
  try {
    value = dec(raw);
  } catch {
    throw new AutotraderError('CONFIG_INVALID', `Fake Binance symbol ${spec.symbol}: ${field} ${JSON.stringify(raw)} is not a number; give a decimal string.`);
  }
  if (!value.isFinite() || value.isNeg()) {
    throw new AutotraderError('CONFIG_INVALID', `Fake Binance symbol ${spec.symbol}: ${field} must be zero or more, got ${raw}.`);
  }
  return value;
}

/** Turns a spec into exact rules; throws CONFIG_INVALID on a malformed spec. */
export function toRules(spec: FakeSymbolSpec): SymbolRules {
  if (!/^[A-Z0-9]+$/.test(spec.symbol)) {
    throw new AutotraderError('CONFIG_INVALID', `Fake Binance symbol ${JSON.stringify(spec.symbol)} must be upper case letters and digits, like BTCUSDT.`);
  }
  const tickSize = positive(spec, 'tickSize', spec.tickSize, '0');
  return {
    symbol: spec.symbol,
    base: spec.base,
    quote: spec.quote,
    status: spec.status ?? 'TRADING',
    minPrice: tickSize,
    maxPrice: dec('1000000'),
    tickSize,
    minQty: positive(spec, 'minQty', spec.minQty, '0'),
    maxQty: positive(spec, 'maxQty', spec.maxQty, '9000'),
    stepSize: positive(spec, 'stepSize', spec.stepSize, '0'),
    minNotional: positive(spec, 'minNotional', spec.minNotional, '0'),
    maxNotional: positive(spec, 'maxNotional', spec.maxNotional, '9000000'),
    notionalFilters: spec.notionalFilters ?? ['NOTIONAL', 'MIN_NOTIONAL'],
    maxNumOrders: spec.maxNumOrders ?? 200,
  };
}

/** The symbol's filter objects, in the order they are checked. */
export function filterObjects(r: SymbolRules): Record<string, unknown>[] {
  const lot = { minQty: wire(r.minQty), maxQty: wire(r.maxQty), stepSize: wire(r.stepSize) };
  const filters: Record<string, unknown>[] = [
    { filterType: 'PRICE_FILTER', minPrice: wire(r.minPrice), maxPrice: wire(r.maxPrice), tickSize: wire(r.tickSize) },
    { filterType: 'LOT_SIZE', ...lot },
    { filterType: 'MARKET_LOT_SIZE', ...lot },
  ];
  for (const name of r.notionalFilters) {
    filters.push(
      name === 'NOTIONAL'
        ? {
            filterType: 'NOTIONAL',
            minNotional: wire(r.minNotional),
            applyMinToMarket: true,
            maxNotional: wire(r.maxNotional),
            applyMaxToMarket: false,
            avgPriceMins: 5,
          }
        : { filterType: 'MIN_NOTIONAL', minNotional: wire(r.minNotional), applyToMarket: true, avgPriceMins: 5 },
    );
  }
  filters.push({ filterType: 'MAX_NUM_ORDERS', maxNumOrders: r.maxNumOrders });
  return filters;
}

/** The order types the fake executes (stop and take-profit types are not listed, so clients can tell). */
export const SUPPORTED_ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET'] as const;

/** One `exchangeInfo.symbols[]` entry, with the fields of rest-api.md "Exchange information". */
export function symbolInfo(r: SymbolRules): Record<string, unknown> {
  return {
    symbol: r.symbol,
    status: r.status,
    baseAsset: r.base,
    baseAssetPrecision: 8,
    quoteAsset: r.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [...SUPPORTED_ORDER_TYPES],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    opoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: true,
    amendAllowed: false,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: filterObjects(r),
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'NONE',
    allowedSelfTradePreventionModes: ['NONE'],
  };
}
