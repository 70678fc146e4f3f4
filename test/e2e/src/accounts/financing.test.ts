import { defineStrategy, makeInstrument, type Instrument } from '@autotrader/core';
import { runBacktest, seriesToFeed, type MarketFeed } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dataFile, type Quotes } from './run';

/** Buys 100,000 EUR/USD on the first quote and holds it: each day end is charged the long rate. */
const holdLong = defineStrategy({
  name: 'hold-long',
  params: z.object({}),
  create(ctx) {
    const id = ctx.instruments.list()[0]!.id;
    let sent = false;
    ctx.quotes(id).subscribe(() => {
      if (sent) return;
      sent = true;
      ctx.submit({ instrumentId: id, side: 'buy', quantity: '100000' });
    });
  },
});

describe('daily financing in a backtest (simulated venue → engine)', () => {
  it("books the venue's charges into our balance, so our books and the venue's agree to the cent", async () => {
    const series = dataFile<Quotes>('eurusd-ticks-2014-05.arrow');
    const instrument: Instrument = makeInstrument(series.meta.instrument);
    const feed: MarketFeed = seriesToFeed(series, instrument.id);
    const account = { type: 'margin' as const, leverage: '50' };
    let venue: ReturnType<typeof createSimulatedVenue> | undefined;
    const withFinancing = async (rate: string) =>
      runBacktest({
        strategy: holdLong,
        feeds: [feed],
        instruments: [instrument],
        account,
        currency: 'USD',
        startingCash: 10_000,
        venue: (ctx) =>
          (venue = createSimulatedVenue({
            config: { venue: instrument.venue, startingBalances: { USD: '10000' }, account, financing: { [instrument.symbol]: { longRate: rate, shortRate: '0' } } },
            instruments: ctx.instruments,
            clock: ctx.clock,
            bus: ctx.bus,
          })),
      });
    const free = await withFinancing('0');
    const charged = await withFinancing('0.0365');
    const ours = charged.kernel.portfolio.accountSummary();
    const theirs = await venue!.accountSummary();
    // Four day ends in the data at ~0.001 × 100,000 × 1.38 a day: the balance is lower by the charges, and both books agree.
    expect(Number(free.account!.balance) - Number(charged.account!.balance)).toBeGreaterThan(4 * 1.3);
    expect(ours.balance.toFixed(2)).toBe(theirs.balance.toFixed(2));
    expect(ours.nav.toFixed(2)).toBe(theirs.nav.toFixed(2));
  });
});
