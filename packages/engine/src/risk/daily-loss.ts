import { Decimal } from '@autotrader/core';
import type { RiskView } from './view';

const DAY = 86_400_000;

/**
 * Trips the kill switch to `halted` when equity falls more than `maxLoss` below its value at the
 * start of the UTC day (on the first day: at the first market event). It checks after the portfolio has marked
 * each market event and after each fill: one comparison per event.
 */
export function watchDailyLoss(kernel: RiskView, maxLoss: string): () => void {
  const limit = new Decimal(maxLoss).toNumber();
  // The baseline is taken at the first event checked, not at start-up: a live session loads its
  // balances from the venue after the kernel connects.
  let day = NaN;
  let dayStartEquity = 0;
  const check = (): void => {
    const now = kernel.clock.now();
    const today = Math.floor(now / DAY);
    const equity = kernel.portfolio.equity();
    if (today !== day) {
      day = today;
      dayStartEquity = equity;
      return;
    }
    if (kernel.tradingState !== 'halted' && dayStartEquity - equity > limit) {
      kernel.setTradingState('halted', `max daily loss: equity ${equity.toFixed(2)} is ${(dayStartEquity - equity).toFixed(2)} below the day's start ${dayStartEquity.toFixed(2)} (limit ${limit})`);
    }
  };
  const opts = { priority: -90, owner: 'risk:daily-loss' };
  const offs = [kernel.bus.on('bar', check, opts), kernel.bus.on('trade', check, opts), kernel.bus.on('quote', check, opts), kernel.bus.on('fill', check, opts)];
  return () => offs.forEach((off) => off());
}
