/**
 * The products the fake lists, with Coinbase's trading rules (GET /products: `base_increment`,
 * `quote_increment`, `price_increment`, min and max sizes, `status`, and the switches that stop
 * trading), and the product object as Coinbase prints it (nautilus_trader http_product.json).
 * @module
 */
import { AutotraderError, Decimal } from '@autotrader/core';

/** A product as a test lists it. Sizes and increments are decimal strings. */
export interface FakeProductSpec {
  /** `BASE-QUOTE`, e.g. `BTC-USD`. */
  readonly productId: string;
  readonly baseIncrement: string;
  readonly quoteIncrement: string;
  readonly priceIncrement: string;
  readonly baseMinSize: string;
  readonly baseMaxSize: string;
  readonly quoteMinSize: string;
  readonly quoteMaxSize: string;
  /** `online` (default), `offline`, `delisted`: only `online` trades. */
  readonly status?: string;
  readonly tradingDisabled?: boolean;
  readonly cancelOnly?: boolean;
  readonly limitOnly?: boolean;
  readonly postOnly?: boolean;
}

/** BTC-USD and ETH-USD with the increments Coinbase lists for them. */
export const DEFAULT_PRODUCTS: readonly FakeProductSpec[] = [
  { productId: 'BTC-USD', baseIncrement: '0.00000001', quoteIncrement: '0.01', priceIncrement: '0.01', baseMinSize: '0.00000001', baseMaxSize: '3400', quoteMinSize: '1', quoteMaxSize: '150000000' },
  { productId: 'ETH-USD', baseIncrement: '0.00000001', quoteIncrement: '0.01', priceIncrement: '0.01', baseMinSize: '0.00000001', baseMaxSize: '42000', quoteMinSize: '1', quoteMaxSize: '150000000' },
];

/** A product's rules as exact decimals. */
export interface Product {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly baseIncrement: Decimal;
  readonly quoteIncrement: Decimal;
  readonly priceIncrement: Decimal;
  readonly baseMinSize: Decimal;
  readonly baseMaxSize: Decimal;
  readonly quoteMinSize: Decimal;
  readonly quoteMaxSize: Decimal;
  status: string;
  tradingDisabled: boolean;
  cancelOnly: boolean;
  limitOnly: boolean;
  postOnly: boolean;
}

/** Reads a spec; a bad one is the test's mistake (CONFIG_INVALID). */
export function toProduct(s: FakeProductSpec): Product {
  const [base, quote, ...rest] = s.productId.split('-');
  if (!base || !quote || rest.length > 0) throw new AutotraderError('CONFIG_INVALID', `Fake Coinbase: a product id is BASE-QUOTE (e.g. BTC-USD), got ${JSON.stringify(s.productId)}.`);
  const d = (what: string, v: string): Decimal => {
    if (!/^[0-9]+(\.[0-9]+)?$/.test(v)) throw new AutotraderError('CONFIG_INVALID', `Fake Coinbase: ${s.productId} ${what} must be a decimal string, got ${JSON.stringify(v)}.`);
    return new Decimal(v);
  };
  return {
    id: s.productId,
    base,
    quote,
    baseIncrement: d('baseIncrement', s.baseIncrement),
    quoteIncrement: d('quoteIncrement', s.quoteIncrement),
    priceIncrement: d('priceIncrement', s.priceIncrement),
    baseMinSize: d('baseMinSize', s.baseMinSize),
    baseMaxSize: d('baseMaxSize', s.baseMaxSize),
    quoteMinSize: d('quoteMinSize', s.quoteMinSize),
    quoteMaxSize: d('quoteMaxSize', s.quoteMaxSize),
    status: s.status ?? 'online',
    tradingDisabled: s.tradingDisabled ?? false,
    cancelOnly: s.cancelOnly ?? false,
    limitOnly: s.limitOnly ?? false,
    postOnly: s.postOnly ?? false,
  };
}

/** True when new orders are accepted on `p` at all. */
export function acceptsOrders(p: Product): boolean {
  return p.status === 'online' && !p.tradingDisabled && !p.cancelOnly;
}

/** The product object of GET /products and /products/{id}. `price` is the last trade, "" before any. */
export function productJson(p: Product, lastPrice: Decimal | undefined, bestBid: Decimal | undefined, bestAsk: Decimal | undefined): Record<string, unknown> {
  return {
    product_id: p.id,
    price: lastPrice?.toString() ?? '',
    price_percentage_change_24h: '0',
    volume_24h: '0',
    volume_percentage_change_24h: '0',
    base_increment: p.baseIncrement.toString(),
    quote_increment: p.quoteIncrement.toString(),
    quote_min_size: p.quoteMinSize.toString(),
    quote_max_size: p.quoteMaxSize.toString(),
    base_min_size: p.baseMinSize.toString(),
    base_max_size: p.baseMaxSize.toString(),
    base_name: p.base,
    quote_name: p.quote,
    watched: false,
    is_disabled: p.status !== 'online',
    new: false,
    status: p.status,
    cancel_only: p.cancelOnly,
    limit_only: p.limitOnly,
    post_only: p.postOnly,
    trading_disabled: p.tradingDisabled,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: p.quote,
    base_currency_id: p.base,
    fcm_trading_session_details: null,
    mid_market_price: bestBid && bestAsk ? bestBid.plus(bestAsk).div(2).toString() : '',
    alias: '',
    alias_to: [],
    base_display_symbol: p.base,
    quote_display_symbol: p.quote,
    view_only: false,
    price_increment: p.priceIncrement.toString(),
    display_name: p.id,
    product_venue: 'CBE',
    approximate_quote_24h_volume: '0',
  };
}
