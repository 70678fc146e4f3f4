import { z } from 'zod';
import { defineStrategy, roundPrice, roundQuantity, type OrderSnapshot } from '@autotrader/core';
import { RollingStats } from './rolling-stats';

export { RollingStats } from './rolling-stats';

/** Parameters of {@link meanReversion}. */
export const meanReversionParams = z.object({
  /** Bars in the rolling mean and standard deviation. */
  lookback: z.number().int().min(2).default(20),
  /** Entry distance below the mean, in standard deviations. */
  entryZ: z.number().positive().default(2),
  /** Stop distance below the entry, in standard deviations. */
  stopZ: z.number().positive().default(3),
  /** Share of equity committed per entry. */
  allocation: z.number().positive().max(1).default(0.5),
  /** How long an unfilled entry order may rest before it is cancelled (ms). */
  entryTtlMs: z.number().int().positive().default(15 * 60_000),
  instrument: z.string().optional(),
});

/**
 * Limit-order mean reversion, a strategy of a different shape from sma-cross: it rests a limit buy at
 * mean − entryZ·σ, cancels it with a clock alert if it has not filled in time, and once filled places a
 * take-profit limit at the mean and a protective stop; whichever fills first cancels the other (OCO
 * done by the strategy from the `fill` stream). Long only.
 */
export const meanReversion = defineStrategy({
  name: 'mean-reversion',
  description: 'Bollinger-style limit entries with a take-profit at the mean and a stop, using timers and order events.',
  params: meanReversionParams,
  requires: { orderTypes: ['limit', 'stop'] },
  create(ctx, p) {
    const instrumentId = p.instrument ?? ctx.instruments.list()[0]?.id;
    if (instrumentId === undefined) throw new Error('mean-reversion: the run has no instrument');
    const instrument = ctx.instruments.get(instrumentId);
    const stats = new RollingStats(p.lookback);
    let entry: OrderSnapshot | undefined;
    let takeProfit: OrderSnapshot | undefined;
    let stop: OrderSnapshot | undefined;

    const live = (o: OrderSnapshot | undefined): boolean => o !== undefined && ['submitted', 'accepted', 'partially_filled', 'pending_update'].includes(ctx.order(o.clientOrderId)?.status ?? '');

    ctx.bars(instrumentId).subscribe((bar) => {
      stats.push(bar.close);
      if (!stats.ready || live(entry) || ctx.portfolio.positionSize(instrumentId) !== 0) return;
      const sd = stats.stdDev;
      if (sd === 0) return;
      const limit = roundPrice(instrument, stats.mean - p.entryZ * sd, 'down');
      if (!limit.isPositive() || limit.isZero()) return;
      const qty = roundQuantity(instrument, (ctx.portfolio.equity() * p.allocation) / limit.toNumber());
      if (qty.lt(instrument.minQuantity) || qty.isZero()) return;
      entry = ctx.submit({ instrumentId, side: 'buy', type: 'limit', price: limit, quantity: qty, tag: 'entry' });
      const id = entry.clientOrderId;
      ctx.clock.setAlert('entry-ttl', ctx.clock.now() + p.entryTtlMs, () => {
        if (live(entry) && entry?.clientOrderId === id) ctx.cancel(id);
      });
    });

    ctx.stream('fill').subscribe((fill) => {
      if (fill.instrumentId !== instrumentId) return;
      const position = ctx.portfolio.position(instrumentId);
      if (entry !== undefined && fill.clientOrderId === entry.clientOrderId) {
        // (Re)arm the exits for the whole position after every entry fill.
        if (live(takeProfit)) ctx.cancel(takeProfit!.clientOrderId);
        if (live(stop)) ctx.cancel(stop!.clientOrderId);
        if (position === undefined || !position.quantity.isPositive() || position.quantity.isZero()) return;
        const sd = stats.stdDev;
        const target = roundPrice(instrument, Math.max(stats.mean, fill.price.toNumber() + instrument.tickSize.toNumber()), 'up');
        const stopPrice = roundPrice(instrument, fill.price.toNumber() - p.stopZ * sd, 'down');
        takeProfit = ctx.submit({ instrumentId, side: 'sell', type: 'limit', price: target, quantity: position.quantity, tag: 'take-profit' });
        if (stopPrice.isPositive() && !stopPrice.isZero()) {
          stop = ctx.submit({ instrumentId, side: 'sell', type: 'stop', triggerPrice: stopPrice, quantity: position.quantity, tag: 'stop' });
        }
      } else if (position === undefined || position.quantity.isZero()) {
        // An exit completed: cancel its sibling.
        if (takeProfit !== undefined && fill.clientOrderId === takeProfit.clientOrderId && live(stop)) ctx.cancel(stop!.clientOrderId);
        if (stop !== undefined && fill.clientOrderId === stop.clientOrderId && live(takeProfit)) ctx.cancel(takeProfit!.clientOrderId);
      }
    });
  },
});

export default meanReversion;
