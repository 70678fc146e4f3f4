import { z } from 'zod';
import { defineStrategy } from '@autotrader/core';
import { SmaCrossSignal } from './signal';

export { SmaCrossSignal } from './signal';

/** Parameters of {@link smaCross}. */
export const smaCrossParams = z
  .object({
    fast: z.number().int().positive().default(10),
    slow: z.number().int().positive().default(30),
    /** Units bought on a cross up. */
    size: z.number().positive().default(1),
    /** Also sell short on a cross down (default: long only). */
    allowShort: z.boolean().default(false),
    /** Instrument id; default: the first instrument of the run. */
    instrument: z.string().optional(),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

/**
 * Moving-average crossover. Buys `size` when flat and the fast SMA crosses above the slow one; when
 * long and it crosses below, sells the position (and with `allowShort`, goes short `size`).
 * A cross is judged against the last non-zero difference fast − slow, because exact ties occur in
 * real data. Market orders; rules run on every bar.
 */
export const smaCross = defineStrategy({
  name: 'sma-cross',
  description: 'Fast/slow simple moving average crossover, long-only by default.',
  params: smaCrossParams,
  requires: { orderTypes: ['market'], data: ['bar'] },
  create(ctx, p) {
    const instrumentId = p.instrument ?? ctx.instruments.list()[0]?.id;
    if (instrumentId === undefined) throw new Error('sma-cross: the run has no instrument');
    ctx.instruments.get(instrumentId); // fails early with INSTRUMENT_UNKNOWN
    const signal = new SmaCrossSignal(p.fast, p.slow);
    const size = String(p.size);
    ctx.bars(instrumentId).subscribe((bar) => {
      const cross = signal.update(bar.close);
      if (cross === 0) return;
      const position = ctx.portfolio.positionSize(instrumentId);
      if (cross > 0) {
        if (position < 0) ctx.submit({ instrumentId, side: 'buy', quantity: String(-position) });
        if (position <= 0) ctx.submit({ instrumentId, side: 'buy', quantity: size });
      } else {
        if (position > 0) ctx.submit({ instrumentId, side: 'sell', quantity: ctx.portfolio.position(instrumentId)!.quantity });
        if (p.allowShort && position >= 0) ctx.submit({ instrumentId, side: 'sell', quantity: size });
      }
    });
  },
});

export default smaCross;
