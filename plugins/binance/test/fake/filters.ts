/**
 * Order filter checks (filters.md), in the order the symbol lists its filters. A failure is
 * -1013 "Filter failure: <NAME>".
 * @module
 */
import type { Decimal } from '@autotrader/core';
import { binanceErrors } from './errors';
import type { SymbolRules } from './symbols';

/** What the filters look at. */
export interface FilterInput {
  readonly isMarket: boolean;
  /** Limit price; absent for market orders. */
  readonly price?: Decimal;
  readonly quantity: Decimal;
  /** Price used for a market order's notional (last trade or touch); absent when nothing has traded. */
  readonly referencePrice?: Decimal;
  /** Open orders the account already has on the symbol. */
  readonly openOrders: number;
}

/** `(value - min) % step == 0`, the grid rule of PRICE_FILTER and LOT_SIZE; a zero step disables it. */
function onGrid(value: Decimal, min: Decimal, step: Decimal): boolean {
  return step.isZero() || value.minus(min).mod(step).isZero();
}

function lotOk(r: SymbolRules, q: Decimal): boolean {
  return q.gte(r.minQty) && (r.maxQty.isZero() || q.lte(r.maxQty)) && onGrid(q, r.minQty, r.stepSize);
}

/** Throws the first failing filter as Binance would. */
export function checkFilters(r: SymbolRules, o: FilterInput): void {
  if (!o.isMarket) {
    const p = o.price as Decimal;
    const ok = p.gte(r.minPrice) && (r.maxPrice.isZero() || p.lte(r.maxPrice)) && onGrid(p, r.minPrice, r.tickSize);
    if (!ok) throw binanceErrors.filterFailure('PRICE_FILTER');
  }
  // LOT_SIZE applies to market orders too; MARKET_LOT_SIZE is listed with the same values, so a
  // market quantity off the grid fails LOT_SIZE first, as it does on Binance for such symbols.
  if (!lotOk(r, o.quantity)) throw binanceErrors.filterFailure('LOT_SIZE');
  const notionalPrice = o.isMarket ? o.referencePrice : o.price;
  if (notionalPrice !== undefined) {
    const notional = notionalPrice.mul(o.quantity);
    for (const name of r.notionalFilters) {
      if (notional.lt(r.minNotional)) throw binanceErrors.filterFailure(name);
      // NOTIONAL's maxNotional does not apply to market orders (applyMaxToMarket false).
      if (name === 'NOTIONAL' && !o.isMarket && !r.maxNotional.isZero() && notional.gt(r.maxNotional)) {
        throw binanceErrors.filterFailure(name);
      }
    }
  }
  if (o.openOrders >= r.maxNumOrders) throw binanceErrors.filterFailure('MAX_NUM_ORDERS');
}
