import { defineStrategy } from '@autotrader/core';
import { z } from 'zod';

/**
 * The FX strategy of the account golden tests: every `every` quotes it compares the mid with the mid
 * `every` quotes earlier and holds `units` long when it rose, `units` short when it fell (an unchanged
 * mid keeps the side). The side is what it asked for, not what the portfolio says yet, so the orders
 * do not depend on when fill reports arrive: the plain loop in fx-loop.ts follows the same rule.
 */
export const fxMomentum = defineStrategy({
  name: 'fx-momentum-golden',
  params: z.object({ every: z.number().int().min(2), units: z.number().int().positive() }),
  requires: { orderTypes: ['market'], data: ['quote'] },
  create(ctx, p) {
    const id = ctx.instruments.list()[0]!.id;
    let k = 0;
    let anchor = NaN;
    let target = 0;
    ctx.quotes(id).subscribe((q) => {
      const mid = (q.bid + q.ask) / 2;
      if (k % p.every === 0) {
        if (k > 0) {
          const next = mid > anchor ? p.units : mid < anchor ? -p.units : target;
          if (next !== target) ctx.submit({ instrumentId: id, side: next > target ? 'buy' : 'sell', quantity: String(Math.abs(next - target)) });
          target = next;
        }
        anchor = mid;
      }
      k++;
    });
  },
});
