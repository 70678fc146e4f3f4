import { resolve } from 'node:path';
import { z } from 'zod';
import { defineStrategy, makeInstrument, roundPrice, roundQuantity, ZERO, type Balance, type Decimal, type OrderSnapshot, type PortfolioView } from '@autotrader/core';
import { readSeries, type Series } from '@autotrader/data';
import { runBacktest, seriesToFeed } from '@autotrader/engine';
import { createSimulatedVenue, type SimulatedVenue } from '@autotrader/plugin-paper';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli';

type Trades = Extract<Series, { meta: { kind: 'trade' } }>;

/** Binance XRP/ETH trades (spot: the base asset XRP is a holding), 12,477 rows. */
const series = readSeries(resolve(ROOT, 'data/xrpeth-trades.arrow')) as Trades;
const instrument = makeInstrument(series.meta.instrument);

/** One difference between our books and the venue's, in words. */
type Mismatch = string;

/** Every asset's total, free and locked, and the position: ours against the venue's, after one event. */
function compare(when: string, ours: PortfolioView, venue: SimulatedVenue, out: Mismatch[]): void {
  const mine = new Map<string, Balance>(ours.balances().map((b) => [b.currency, b]));
  const theirs = new Map<string, Balance>();
  for (const currency of new Set([...mine.keys(), instrument.base, instrument.quote])) {
    const b = venue.balanceOf(currency);
    if (b !== undefined) theirs.set(currency, b);
  }
  for (const currency of new Set([...mine.keys(), ...theirs.keys()])) {
    for (const field of ['total', 'free', 'locked'] as const) {
      const a: Decimal = mine.get(currency)?.[field] ?? ZERO;
      const b: Decimal = theirs.get(currency)?.[field] ?? ZERO;
      if (!a.eq(b)) out.push(`${when}: ${currency} ${field} ours ${a.toFixed()}, venue ${b.toFixed()}`);
    }
  }
  const a: Decimal = ours.position(instrument.id)?.quantity ?? ZERO;
  const b: Decimal = venue.positionOf(instrument.id)?.quantity ?? ZERO;
  if (!a.eq(b)) out.push(`${when}: position ours ${a.toFixed()}, venue ${b.toFixed()}`);
}

/**
 * True while the two books cannot agree yet: a request of ours has not reached the venue (`submitted`,
 * `pending_cancel`, `pending_update`: we hold funds for it, the venue does not know it), or a market order
 * waits for the next trade (the venue holds its cost meanwhile; at Binance a market order never rests).
 */
const unsettled = (open: readonly OrderSnapshot[]): boolean =>
  open.some((o) => o.status === 'submitted' || o.status === 'pending_cancel' || o.status === 'pending_update' || o.type === 'market');

/**
 * A backtest on real spot trades through the kernel and the simulated venue. Every 400th trade the
 * strategy takes the next step of a cycle: a market buy of 100 XRP; a limit buy of 50 XRP just below
 * the market, which rests and locks quote; cancel it and sell what the portfolio says it holds, down
 * to the lot. After every fill and order update at which no request of ours is still on its way (see
 * {@link unsettled}), our portfolio's balances (total, free, locked per asset) and position must equal
 * the venue's, and at the end of the run too.
 */
async function crossCheck(feeCurrency: 'quote' | 'received') {
  let venue!: SimulatedVenue;
  const mismatches: Mismatch[] = [];
  const rejected: string[] = [];
  let fills = 0;
  let checks = 0;
  const probe = defineStrategy({
    name: 'fee-currency-probe',
    params: z.object({}),
    requires: { data: ['trade'] },
    create(ctx) {
      const id = instrument.id;
      let n = 0;
      let step = 0;
      ctx.stream('order').subscribe(({ order }) => {
        if (order.status === 'rejected') rejected.push(`${order.side} ${order.quantity.toFixed()}: ${order.rejection?.code ?? ''} ${order.rejection?.message ?? ''}`);
        if (unsettled(ctx.openOrders(id))) return;
        checks++;
        compare(`order ${order.clientOrderId} ${order.status}`, ctx.portfolio, venue, mismatches);
      });
      ctx.stream('fill').subscribe((fill) => {
        fills++;
        if (unsettled(ctx.openOrders(id))) return;
        checks++;
        compare(`fill ${fill.tradeId} (${fill.side} ${fill.quantity.toFixed()}, fee ${fill.fee.toFixed()} ${fill.feeCurrency})`, ctx.portfolio, venue, mismatches);
      });
      ctx.trades(id).subscribe((trade) => {
        if (++n % 400 !== 0) return;
        const s = step++ % 3;
        if (s === 0) ctx.submit({ instrumentId: id, side: 'buy', quantity: '100' });
        else if (s === 1) ctx.submit({ instrumentId: id, side: 'buy', type: 'limit', quantity: '50', price: roundPrice(instrument, trade.price * 0.999, 'down') });
        else {
          ctx.cancelAll(id);
          const held = roundQuantity(instrument, ctx.portfolio.position(id)?.quantity ?? ZERO, 'down');
          if (held.gt(0)) ctx.submit({ instrumentId: id, side: 'sell', quantity: held });
        }
      });
    },
  });
  const result = await runBacktest({
    strategy: probe,
    feeds: [seriesToFeed(series, instrument.id)],
    instruments: [instrument],
    venue: (ctx) =>
      (venue = createSimulatedVenue({
        config: { startingBalances: { ETH: '10' }, partialFills: false, fees: { maker: '0.001', taker: '0.001', currency: feeCurrency } },
        instruments: ctx.instruments,
        clock: ctx.clock,
        bus: ctx.bus,
      })),
    startingCash: '10',
  });
  compare('end of the run', result.kernel.portfolio, venue, mismatches);
  return { mismatches, rejected, fills, checks, venue, result };
}

describe.each(['quote', 'received'] as const)('our books equal the simulated venue, fees in the %s asset', (feeCurrency) => {
  it('position and every balance (total, free, locked) after every order update and fill of a backtest on XRP/ETH', async () => {
    const { mismatches, rejected, fills, checks, venue } = await crossCheck(feeCurrency);
    expect(fills).toBeGreaterThan(20);
    expect(checks).toBeGreaterThan(40);
    // The venue's own answers agree with each other: the spot position is the base asset's total.
    const [position] = await venue.positions();
    expect(position?.quantity.toFixed()).toBe((await venue.balances()).find((b) => b.currency === instrument.base)?.total.toFixed());
    const feeAssets = new Set((await venue.fillsSince(instrument.id, 0)).map((f) => `${f.side} ${f.feeCurrency}`));
    expect([...feeAssets].sort()).toEqual(feeCurrency === 'received' ? ['buy XRP', 'sell ETH'] : ['buy ETH', 'sell ETH']);
    expect({ count: mismatches.length, first: mismatches.slice(0, 6) }).toEqual({ count: 0, first: [] });
    expect(rejected).toEqual([]);
  });
});
