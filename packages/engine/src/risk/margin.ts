import { Decimal, marginOf, marginRateOf, type AccountConfig, type ErrorCode, type Order, type OrderRejection } from '@autotrader/core';
import type { PreTradeCheck, RiskView } from './view';

const reject = (code: ErrorCode, message: string): OrderRejection => ({ code, message });

/** The remaining quantity of our open orders of one instrument and side (they will use margin too). */
function pendingQuantity(view: RiskView, instrumentId: string, side: Order['side'], except: string): Decimal {
  let total = new Decimal(0);
  for (const o of view.oms.open(instrumentId)) if (o.side === side && o.clientOrderId !== except) total = total.plus(o.quantity.minus(o.filledQuantity));
  return total;
}

/**
 * How much an order adds to what margin is reckoned on. Netting: the growth of |position| (with our
 * other open orders on that side counted as filled). Hedging: a reduce-only order adds nothing; any
 * other opens on its own side, and margin is on the larger leg (OANDA), so only growth of that counts.
 */
function addedExposure(o: Readonly<Order>, legs: { long: Decimal; short: Decimal } | undefined, position: Decimal, pending: Decimal): Decimal {
  if (legs === undefined) {
    const signed = o.side === 'buy' ? position.plus(pending) : position.minus(pending);
    const after = o.side === 'buy' ? signed.plus(o.quantity) : signed.minus(o.quantity);
    return after.abs().minus(signed.abs());
  }
  if (o.reduceOnly) return new Decimal(0);
  const long = o.side === 'buy' ? legs.long.plus(pending) : legs.long;
  const short = o.side === 'sell' ? legs.short.plus(pending) : legs.short;
  const before = Decimal.max(long, short);
  const after = o.side === 'buy' ? Decimal.max(long.plus(o.quantity), short) : Decimal.max(long, short.plus(o.quantity));
  return after.minus(before);
}

/**
 * The pre-trade margin check of a margin account: an order that takes the position further from zero
 * (counting our other open orders on that side) needs initial margin for the part that adds exposure,
 * at its price (or the last price for a market order), converted to the base currency; it is refused
 * with INSUFFICIENT_MARGIN when that is more than the margin available (NAV − margin used). An order
 * that only reduces a position always passes: it frees margin. The venue enforces margin again: this
 * check only keeps an order that cannot fit from being sent.
 */
export function marginCheck(account: AccountConfig): PreTradeCheck {
  return (o, view) => {
    const instrument = view.instruments.get(o.instrumentId);
    const position = new Decimal(view.portfolio.position(o.instrumentId)?.quantity ?? 0);
    const pending = pendingQuantity(view, o.instrumentId, o.side, o.clientOrderId);
    const added = addedExposure(o, view.portfolio.hedgedLegs(o.instrumentId), position, pending);
    if (!added.gt(0)) return undefined;
    const last = view.portfolio.lastPrice(o.instrumentId);
    const px = o.price ?? o.triggerPrice ?? (last > 0 ? new Decimal(last) : undefined);
    if (px === undefined) return reject('RISK_NO_PRICE', `no last price for ${o.instrumentId} to reckon the margin of this order`);
    const summary = view.portfolio.accountSummary();
    const need = marginOf(instrument, added, px, marginRateOf(instrument, account)).mul(view.portfolio.rates.rate(instrument.quote, summary.baseCurrency));
    if (need.gt(summary.marginAvailable)) {
      return reject(
        'INSUFFICIENT_MARGIN',
        `this ${o.side} of ${o.quantity.toString()} ${o.instrumentId} needs ${need.toDecimalPlaces(2).toString()} ${summary.baseCurrency} of margin; ${summary.marginAvailable.toDecimalPlaces(2).toString()} is available (NAV ${summary.nav.toDecimalPlaces(2).toString()}, margin used ${summary.marginUsed.toDecimalPlaces(2).toString()})`,
      );
    }
    return undefined;
  };
}
