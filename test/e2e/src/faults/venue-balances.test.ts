import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { expectConsistentWithVenue, startRun } from './harness';
import ladder from './ladder';

const open = (run: { fake: { orders(): { status: string }[] } }): number => run.fake.orders().filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').length;

/**
 * Balances at the fake Binance, which behaves as Binance does: fees in the asset received or in BNB,
 * locks for resting orders, deposits and withdrawals reported by balanceUpdate. Our books must equal the
 * venue's in every currency (total, free and locked), and a difference must be told with both figures.
 */
describe('balances against the fake Binance', () => {
  it('books fees paid in BNB (at a discount) from the BNB balance, locks what resting orders hold, and matches the venue exactly', async () => {
    const run = await startRun(ladder, { levels: 3, step: 1, size: '0.01', sellAbove: true }, {
      fake: { balances: { USDT: '100000', BTC: '1', BNB: '2' }, payFeesInBnb: true, bnbPrices: { USDT: '600' } },
    });
    try {
      await run.trade('30000.00');
      await waitFor('the ladder to rest at the venue', () => open(run) === 6);
      // While orders rest, the venue locks their funds, and so do we.
      await new Promise((r) => setTimeout(r, 100));
      expectLocked(run, 'USDT', '0.01', ['29999', '29998', '29997']);
      await run.trade('29998.00'); // fills two buy levels, fees in BNB
      await run.trade('30002.00'); // fills two sell levels
      await waitFor('four fills', () => run.session.engine.oms.allFills().length === 4, 10_000);
      for (const f of run.session.engine.oms.allFills()) expect(f.feeCurrency).toBe('BNB');
      await expectConsistentWithVenue(run);
      expect(run.errors.filter((e) => e.startsWith('BALANCE_MISMATCH'))).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('books a deposit and a withdrawal the venue reports (balanceUpdate) into our balances and position', async () => {
    const run = await startRun(ladder, { levels: 2, step: 1, size: '0.01' }, { fake: { balances: { USDT: '100000', BTC: '0' } } });
    try {
      await run.trade('30000.00');
      await waitFor('the ladder to rest at the venue', () => open(run) === 2);
      run.fake.deposit('BTC', '0.5');
      run.fake.withdraw('USDT', '1000');
      await waitFor('the deposit to be booked', () => run.session.engine.portfolio.position('BTCUSDT.BINANCE')?.quantity.toString() === '0.5', 5_000);
      await run.trade('29999.00');
      await waitFor('one fill', () => run.session.engine.oms.allFills().length === 1, 10_000);
      await new Promise((r) => setTimeout(r, 700)); // past the balance watch's settle time
      await expectConsistentWithVenue(run);
      expect(run.errors.filter((e) => e.startsWith('BALANCE_MISMATCH'))).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('tells a difference between the venue and our books with both figures (a change our books cannot know of)', async () => {
    const run = await startRun(ladder, { levels: 1, step: 1, size: '0.01' }, { fake: { balances: { USDT: '100000', BTC: '0' } } });
    try {
      // Our ledger is made wrong on purpose: the venue's next balance report must show it.
      run.session.engine.portfolio.setCash('USDT', run.session.engine.portfolio.cash('USDT').plus(5) as never);
      await run.trade('30000.00');
      await waitFor('the mismatch to be told', () => run.errors.some((e) => e.startsWith('BALANCE_MISMATCH')), 5_000);
      const message = run.errors.find((e) => e.startsWith("BALANCE_MISMATCH"))!;
      // The order of 0.01 at 29999 locks 299.99 at the venue and in our books; only the total differs, by the 5 added.
      expect(message).toBe('BALANCE_MISMATCH: BINANCE USDT balance differs from ours: venue total 100000 (free 99700.01, locked 299.99), ours total 100005 (free 99705.01, locked 299.99)');
      expect(run.session.engine.tradingState).toBe('active');
    } finally {
      await run.stop();
    }
  }, 60_000);
});

/** What our ledger locks of `currency`, against the resting buys' price × quantity (Binance holds no fee for a buy). */
function expectLocked(run: Awaited<ReturnType<typeof startRun>>, currency: string, qty: string, prices: string[]): void {
  const expected = prices.reduce((sum, p) => sum + Number(p) * Number(qty), 0);
  expect(run.session.engine.portfolio.balanceOf(currency).locked.toNumber()).toBeCloseTo(expected, 8);
  const venue = run.fake.balances()[currency]!;
  expect(run.session.engine.portfolio.balanceOf(currency).locked.toString()).toBe(String(Number(venue.locked)));
}
