import { z } from 'zod';
import { AutotraderError, Decimal, describeZodIssues, makeInstrument, type Instrument, type Logger, type OrderSnapshot } from '@autotrader/core';
import { InstrumentCache } from '@autotrader/venue-kit';
import type { CoinbaseHttp } from './http';
import { instrumentIdOf, VENUE } from './mapping';
import { API_PREFIX } from './urls';

const dec = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');

/** One product of `GET /products` (fixture http_products.json). */
export const productSchema = z.looseObject({
  product_id: z.string(),
  base_increment: dec,
  quote_increment: dec,
  price_increment: dec.optional(),
  base_min_size: dec,
  base_max_size: dec.optional(),
  quote_min_size: dec.optional(),
  status: z.string(),
  trading_disabled: z.boolean().optional(),
  is_disabled: z.boolean().optional(),
  cancel_only: z.boolean().optional(),
  view_only: z.boolean().optional(),
  limit_only: z.boolean().optional(),
  post_only: z.boolean().optional(),
  product_type: z.string().optional(),
  base_currency_id: z.string().optional(),
  quote_currency_id: z.string().optional(),
});
export const productsSchema = z.looseObject({ products: z.array(productSchema) });
export type Product = z.output<typeof productSchema>;

/** What Coinbase allows of one product, beyond what an Instrument says. */
export interface ProductRules {
  readonly productId: string;
  readonly status: string;
  /** Online, not disabled, not cancel-only, not view-only: new orders are accepted. */
  readonly tradable: boolean;
  readonly limitOnly: boolean;
  readonly postOnly: boolean;
  readonly quoteMinSize: Decimal;
}

/** Whether a product takes new orders (VENUES.md §2.3: `status: online` and no disabling flag). */
export const isTradable = (p: Product): boolean => p.status === 'online' && p.trading_disabled !== true && p.is_disabled !== true && p.cancel_only !== true && p.view_only !== true;

/** One spot product as an instrument and its rules; undefined for a product that is not spot (futures are not supported). */
export function parseProduct(p: Product): { instrument: Instrument; rules: ProductRules } | undefined {
  if (p.product_type !== undefined && p.product_type !== 'SPOT') return undefined;
  const [base, quote] = p.product_id.split('-');
  const instrument = makeInstrument({
    symbol: p.product_id,
    venue: VENUE,
    assetClass: 'spot',
    base: p.base_currency_id ?? base,
    quote: p.quote_currency_id ?? quote ?? 'USD',
    tickSize: new Decimal(p.price_increment ?? p.quote_increment).toFixed(),
    lotSize: new Decimal(p.base_increment).toFixed(),
    minQuantity: new Decimal(p.base_min_size).toFixed(),
    maxQuantity: p.base_max_size === undefined ? undefined : new Decimal(p.base_max_size).toFixed(),
    minNotional: p.quote_min_size === undefined ? '0' : new Decimal(p.quote_min_size).toFixed(),
  });
  return {
    instrument,
    rules: {
      productId: p.product_id,
      status: p.status,
      tradable: isTradable(p),
      limitOnly: p.limit_only === true,
      postOnly: p.post_only === true,
      quoteMinSize: new Decimal(p.quote_min_size ?? '0'),
    },
  };
}

/** Parses a `/products` answer into instruments and rules, in the venue's order. */
export function parseProducts(json: unknown): { instruments: Instrument[]; rules: Map<string, ProductRules> } {
  const parsed = productsSchema.safeParse(json);
  if (!parsed.success) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `Coinbase /products: unexpected shape (${describeZodIssues(parsed.error.issues, undefined, { max: 3 })})`);
  const instruments: Instrument[] = [];
  const rules = new Map<string, ProductRules>();
  for (const p of parsed.data.products) {
    const r = parseProduct(p);
    if (r === undefined) continue;
    instruments.push(r.instrument);
    rules.set(r.instrument.id, r.rules);
  }
  return { instruments, rules };
}

const refuse = (code: 'VENUE_REJECTED' | 'LOT_SIZE' | 'TICK_SIZE' | 'MIN_NOTIONAL', order: Pick<OrderSnapshot, 'clientOrderId'>, instrument: Instrument, text: string): AutotraderError =>
  new AutotraderError(code, `order ${order.clientOrderId} on ${instrument.id}: ${text}`, { details: { clientOrderId: order.clientOrderId, instrumentId: instrument.id } });

/**
 * Refuses, before anything is sent, what Coinbase would refuse: a product that takes no orders now,
 * a market order on a limit-only product, a taking order on a post-only product, a size off the base
 * increment or below the minimum, a price off the price increment, a priced notional under the minimum funds.
 */
export function checkOrder(order: Pick<OrderSnapshot, 'clientOrderId' | 'type' | 'quantity' | 'price' | 'triggerPrice' | 'postOnly'>, instrument: Instrument, rules: ProductRules | undefined): void {
  if (rules !== undefined) {
    if (!rules.tradable) throw refuse('VENUE_REJECTED', order, instrument, `Coinbase takes no new orders on ${rules.productId} now (status ${rules.status})`);
    if (rules.limitOnly && order.type === 'market') throw refuse('VENUE_REJECTED', order, instrument, `${rules.productId} is limit-only at Coinbase now`);
    if (rules.postOnly && !order.postOnly) throw refuse('VENUE_REJECTED', order, instrument, `${rules.productId} is post-only at Coinbase now`);
  }
  if (order.quantity.lt(instrument.minQuantity)) throw refuse('LOT_SIZE', order, instrument, `size ${order.quantity.toFixed()} is below the minimum ${instrument.minQuantity.toFixed()}`);
  if (!order.quantity.mod(instrument.lotSize).isZero()) throw refuse('LOT_SIZE', order, instrument, `size ${order.quantity.toFixed()} is not a multiple of the base increment ${instrument.lotSize.toFixed()}`);
  for (const p of [order.price, order.triggerPrice]) {
    if (p !== undefined && !p.mod(instrument.tickSize).isZero()) throw refuse('TICK_SIZE', order, instrument, `price ${p.toFixed()} is not a multiple of the price increment ${instrument.tickSize.toFixed()}`);
  }
  if (order.price !== undefined && instrument.minNotional.gt(0) && order.price.times(order.quantity).lt(instrument.minNotional)) {
    throw refuse('MIN_NOTIONAL', order, instrument, `notional ${order.price.times(order.quantity).toFixed()} is below the minimum funds ${instrument.minNotional.toFixed()}`);
  }
}

/**
 * Loads Coinbase's spot products and keeps them with their rules. With credentials it asks the private
 * `/products`; without (paper trading, market data only) the public `/market/products`, which needs no key.
 */
export class CoinbaseInstruments extends InstrumentCache<ProductRules> {
  constructor(http: CoinbaseHttp, logger: Logger, signed: boolean) {
    super({
      venueName: 'Coinbase',
      unknownHint: `check the product id (for example ${instrumentIdOf('BTC-USD')})`,
      logger,
      fetch: async () => {
        const path = signed ? `${API_PREFIX}/products` : `${API_PREFIX}/market/products`;
        return parseProducts(await http.request('GET', path, z.unknown(), { query: [['product_type', 'SPOT']], signed }));
      },
    });
  }
}
