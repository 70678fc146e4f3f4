import { z } from 'zod';
import { defineStrategy, roundPrice } from '@autotrader/core';

/**
 * A strategy that keeps fills coming in bursts: on its first trade it rests `levels` limit buys of
 * `size`, one tick-step apart below the price; a trade through several levels fills them together.
 * On `sellAbove` it also rests the same ladder of sells above the price.
 */
export default defineStrategy({
  name: 'ladder',
  params: z.object({ levels: z.number().int().positive().default(8), step: z.number().positive().default(1), size: z.string().default('0.01'), sellAbove: z.boolean().default(false) }),
  requires: { orderTypes: ['limit'], data: ['trade'] },
  create(ctx, p) {
    const instrument = ctx.instruments.list()[0]!;
    let placed = false;
    ctx.trades(instrument.id).subscribe((t) => {
      if (placed) return;
      placed = true;
      for (let k = 1; k <= p.levels; k++) {
        ctx.submit({ instrumentId: instrument.id, side: 'buy', type: 'limit', price: roundPrice(instrument, t.price - k * p.step, 'down'), quantity: p.size });
        if (p.sellAbove) ctx.submit({ instrumentId: instrument.id, side: 'sell', type: 'limit', price: roundPrice(instrument, t.price + k * p.step, 'up'), quantity: p.size });
      }
    });
  },
});
