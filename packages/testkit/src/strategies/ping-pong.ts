import { z } from 'zod';
import { Decimal, defineStrategy } from '@autotrader/core';

/**
 * A strategy that trades often, for parity and latency tests: every `every` trades (or quotes, with
 * `on: 'quote'`) it buys `size` at market when flat and sells what that buy credited at market when
 * long. It tracks its own holding from its fills, net of a fee charged in the base asset (Binance and
 * OKX charge a spot buy's fee in the asset received), so it behaves the same whatever the account held
 * before, and never sells more than its buy delivered. One order at a time.
 */
export const pingPong = defineStrategy({
  name: 'ping-pong',
  params: z.object({
    every: z.number().int().positive().default(3),
    size: z.coerce.string().default('0.01'),
    /** The market events it counts: trades (default) or quotes (a venue that streams prices only). */
    on: z.enum(['trade', 'quote']).default('trade'),
  }),
  requires: { orderTypes: ['market'] },
  create(ctx, p) {
    const id = ctx.instruments.list()[0]!.id;
    const base = ctx.instruments.get(id).base;
    let seen = 0;
    let held = new Decimal(0);
    let pending = false;
    ctx.stream('fill').subscribe((f) => {
      const feeInBase = f.feeCurrency === base ? f.fee : new Decimal(0);
      held = f.side === 'buy' ? held.plus(f.quantity).minus(feeInBase) : held.minus(f.quantity).minus(feeInBase);
    });
    ctx.stream('order').subscribe((e) => {
      if (e.order.status === 'filled' || e.order.status === 'rejected' || e.order.status === 'canceled' || e.order.status === 'expired') pending = false;
    });
    const onEvent = (): void => {
      if (++seen % p.every !== 0 || pending) return;
      pending = true;
      const long = held.isPositive() && !held.isZero();
      ctx.submit({ instrumentId: id, side: long ? 'sell' : 'buy', quantity: long ? held.toString() : p.size });
    };
    if (p.on === 'quote') ctx.quotes(id).subscribe(onEvent);
    else ctx.trades(id).subscribe(onEvent);
  },
});

export default pingPong;
