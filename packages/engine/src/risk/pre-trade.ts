import { Decimal, isOpen, type ErrorCode, type Order, type OrderRejection } from '@autotrader/core';
import type { PreTradeCheck, RiskView } from './view';
import type { RiskConfig } from './config';

const reject = (code: ErrorCode, message: string): OrderRejection => ({ code, message });

/** Remaining quantity of the open orders of one instrument and side. */
function openQuantity(kernel: RiskView, instrumentId: string, side: Order['side'], except: string): Decimal {
  let total = new Decimal(0);
  for (const o of kernel.oms.open(instrumentId)) {
    if (o.side === side && o.clientOrderId !== except) total = total.plus(o.quantity.minus(o.filledQuantity));
  }
  return total;
}

/**
 * Builds the pre-trade checks for a set of limits. Each returns a coded rejection the strategy
 * receives on the order (status `rejected`, `rejection.code`), or undefined to let the order through.
 * Checks are plain functions over a narrow view of the kernel's state: they work the same in every mode.
 */
export function preTradeChecks(config: RiskConfig): PreTradeCheck[] {
  const checks: PreTradeCheck[] = [];
  const maxQty = config.maxOrderQuantity === undefined ? undefined : new Decimal(config.maxOrderQuantity);
  if (maxQty !== undefined) {
    checks.push((o) => (o.quantity.gt(maxQty) ? reject('RISK_MAX_QUANTITY', `quantity ${o.quantity.toString()} is above the limit ${maxQty.toString()}`) : undefined));
  }
  if (config.maxOpenOrders !== undefined) {
    const max = config.maxOpenOrders;
    checks.push((_o, k) => {
      const open = k.oms.open().filter((x) => isOpen(x.status)).length;
      // The order being checked is not open yet, so `open` counts the others.
      return open >= max ? reject('RISK_MAX_OPEN_ORDERS', `${open} orders are open; the limit is ${max}`) : undefined;
    });
  }
  const maxNotional = config.maxOrderNotional === undefined ? undefined : new Decimal(config.maxOrderNotional);
  const band = config.priceBandPct;
  if (maxNotional !== undefined || band !== undefined) {
    checks.push((o, k) => {
      const last = k.portfolio.lastPrice(o.instrumentId);
      const px = o.price ?? o.triggerPrice;
      if (band !== undefined && px !== undefined) {
        if (!(last > 0)) return reject('RISK_NO_PRICE', `no last price for ${o.instrumentId} to check the price band against`);
        const distance = Math.abs(px.toNumber() - last) / last;
        if (distance > band) {
          return reject('RISK_PRICE_BAND', `price ${px.toString()} is ${(distance * 100).toFixed(2)}% from the last price ${last}; the band is ${(band * 100).toFixed(2)}%`);
        }
      }
      if (maxNotional !== undefined) {
        const reference = px ?? (last > 0 ? new Decimal(last) : undefined);
        if (reference === undefined) return reject('RISK_NO_PRICE', `no last price for ${o.instrumentId} to value the order`);
        const instrument = k.instruments.get(o.instrumentId);
        const notional = reference.mul(o.quantity).mul(instrument.multiplier);
        if (notional.gt(maxNotional)) return reject('RISK_MAX_NOTIONAL', `notional ${notional.toString()} is above the limit ${maxNotional.toString()}`);
      }
      return undefined;
    });
  }
  const maxPos = config.maxPosition === undefined ? undefined : new Decimal(config.maxPosition);
  if (maxPos !== undefined) {
    checks.push((o, k) => {
      const position = new Decimal(k.portfolio.position(o.instrumentId)?.quantity ?? 0);
      const pending = openQuantity(k, o.instrumentId, o.side, o.clientOrderId).plus(o.quantity);
      const worst = o.side === 'buy' ? position.plus(pending) : position.minus(pending);
      return worst.abs().gt(maxPos) && worst.abs().gt(position.abs())
        ? reject('RISK_MAX_POSITION', `the position could reach ${worst.toString()}; the limit is ±${maxPos.toString()}`)
        : undefined;
    });
  }
  // Last: an order refused by another check does not use up the rate budget.
  if (config.orderRate !== undefined) {
    const { count, intervalMs } = config.orderRate;
    const sent: number[] = [];
    checks.push((_o, k) => {
      const now = k.clock.now();
      while (sent.length > 0 && sent[0]! <= now - intervalMs) sent.shift();
      if (sent.length >= count) return reject('RISK_ORDER_RATE', `${sent.length} orders in the last ${intervalMs} ms; the limit is ${count}`);
      sent.push(now);
      return undefined;
    });
  }
  return checks;
}

/**
 * The kill switch as a pre-trade check: `halted` refuses every order; `reducing` lets through only an
 * order that reduces the position, counting the other reducing orders already open.
 */
export function killSwitchCheck(): PreTradeCheck {
  return (o, k) => {
    const state = k.tradingState;
    if (state === 'active') return undefined;
    if (state === 'halted') return reject('TRADING_HALTED', `trading is halted (${k.tradingStateReason}); no new orders`);
    const position = new Decimal(k.portfolio.position(o.instrumentId)?.quantity ?? 0);
    const reduces = (o.side === 'sell' && position.isPositive() && !position.isZero()) || (o.side === 'buy' && position.isNegative());
    const room = position.abs().minus(openQuantity(k, o.instrumentId, o.side, o.clientOrderId));
    if (!reduces || o.quantity.gt(room)) {
      return reject('REDUCE_ONLY_MODE', `trading is reduce-only (${k.tradingStateReason}); this ${o.side} of ${o.quantity.toString()} would not reduce the position ${position.toString()}`);
    }
    return undefined;
  };
}
