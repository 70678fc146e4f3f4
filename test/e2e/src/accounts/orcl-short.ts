import { defineStrategy } from '@autotrader/core';
import { Decimal } from 'decimal.js';
import { z } from 'zod';

/**
 * The short-only equity strategy of the closeout golden test: on the first bar opening at or after
 * `from` it sells `shares` short at market, and then never trades again. Whatever closes the
 * position afterwards is the venue's doing (a margin closeout).
 */
export const shortOnce = defineStrategy({
  name: 'short-once-golden',
  params: z.object({ from: z.number(), shares: z.number().int().positive() }),
  requires: { orderTypes: ['market'], data: ['bar'] },
  create(ctx, p) {
    const id = ctx.instruments.list()[0]!.id;
    let done = false;
    ctx.bars(id).subscribe((bar) => {
      if (done || bar.tsOpen < p.from) return;
      ctx.submit({ instrumentId: id, side: 'sell', quantity: String(p.shares) });
      done = true;
    });
  },
});

const DAY = 86_400_000;

/**
 * The golden spec of the closeout, as a plain loop over the ORCL daily bars:
 *
 * - The short of `shares` is decided on the first bar opening at or after `from` and fills at the next
 *   bar's open (stamped with that bar's open time). An equity pays its notional even in a margin
 *   account: the sale's proceeds go to the cash, and NAV = cash − shares × price.
 * - Margin used = shares × price × margin rate. After every bar, at its close, the venue closes the
 *   account out when NAV ≤ closeout level × margin used: it buys the shares back at that close, stamped
 *   with the bar's close time (open + 1 day), reason 'closeout'. No fees, no slippage.
 * - Margin used after each fill: the short at its fill price, then 0 once closed out.
 */
export function shortCloseoutGolden(
  tsOpen: Float64Array,
  open: Float64Array,
  close: Float64Array,
  o: { from: number; shares: number; startingCash: number; marginRate: string; closeoutLevel: string },
): {
  entry: { ts: number; price: number };
  closeout: { ts: number; price: number; nav: Decimal; marginUsed: Decimal } | undefined;
  marginAtFills: Decimal[];
  pnl: Decimal;
  finalValue: Decimal;
} {
  const rate = new Decimal(o.marginRate);
  const level = new Decimal(o.closeoutLevel);
  let f = 0;
  while (tsOpen[f]! < o.from) f++;
  const e = f + 1;
  const entryPx = new Decimal(open[e]!);
  let cash = new Decimal(o.startingCash).plus(entryPx.times(o.shares));
  const marginAtFills = [entryPx.times(o.shares).times(rate)];
  for (let d = e; d < tsOpen.length; d++) {
    const px = new Decimal(close[d]!);
    const nav = cash.minus(px.times(o.shares));
    const marginUsed = px.times(o.shares).times(rate);
    if (nav.lte(marginUsed.times(level))) {
      cash = cash.minus(px.times(o.shares));
      marginAtFills.push(new Decimal(0));
      return {
        entry: { ts: tsOpen[e]!, price: open[e]! },
        closeout: { ts: tsOpen[d]! + DAY, price: close[d]!, nav, marginUsed },
        marginAtFills,
        pnl: entryPx.minus(px).times(o.shares),
        finalValue: cash,
      };
    }
  }
  const last = new Decimal(close[tsOpen.length - 1]!);
  return { entry: { ts: tsOpen[e]!, price: open[e]! }, closeout: undefined, marginAtFills, pnl: entryPx.minus(last).times(o.shares), finalValue: cash.minus(last.times(o.shares)) };
}
