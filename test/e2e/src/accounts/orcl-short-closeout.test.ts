import { makeInstrument } from '@autotrader/core';
import { seriesToFeed } from '@autotrader/engine';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { shortCloseoutGolden, shortOnce } from './orcl-short';
import { CENT, dataFile, runAccount, type Bars } from './run';

/** Leverage 2 (margin rate 0.5), closeout at NAV ≤ 0.5 × margin used. */
const ACCOUNT = { type: 'margin', leverage: '2', closeoutLevel: '0.5' } as const;
const CASH = 100_000;
/** Short from the first bar of June 1999: ORCL then more than tripled by the end of the year. */
const FROM = Date.UTC(1999, 5, 1);

describe('golden: short-only ORCL in a margin account (leverage 2, closeout level 0.5)', () => {
  it('is closed out by the venue when the 1999 rally takes NAV to half the margin used: the closeout trade, its time and price, and the final value, to the cent', async () => {
    const series = dataFile<Bars>('orcl-1995-2014.arrow');
    const c = series.columns;
    let f = 0;
    while (c.tsOpen[f]! < FROM) f++;
    // As many shares as the starting cash is worth at the decision bar's close: half the leverage allowed.
    const shares = Math.floor(CASH / c.close[f]!);
    const expected = shortCloseoutGolden(c.tsOpen, c.open, c.close, { from: FROM, shares, startingCash: CASH, marginRate: '0.5', closeoutLevel: ACCOUNT.closeoutLevel });
    expect(expected.closeout).toBeDefined();
    const co = expected.closeout!;
    expect(new Date(co.ts).getUTCFullYear()).toBe(1999);
    expect(co.nav.lte(co.marginUsed.times(0.5))).toBe(true);

    const instrument = makeInstrument(series.meta.instrument);
    const { result, venue } = await runAccount({
      strategy: shortOnce,
      params: { from: FROM, shares },
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      account: ACCOUNT,
      currency: 'USD',
      startingCash: CASH,
    });

    // The short, then the venue's closeout: a buy of every share at that bar's close, at its close time.
    expect(result.fills.map((x) => ({ side: x.side, ts: x.tsEvent, price: x.price.toNumber(), quantity: x.quantity.toNumber(), reason: x.reason }))).toEqual([
      { side: 'sell', ts: expected.entry.ts, price: expected.entry.price, quantity: shares, reason: undefined },
      { side: 'buy', ts: co.ts, price: co.price, quantity: shares, reason: 'closeout' },
    ]);
    expect(result.trades).toHaveLength(1);
    const trade = result.trades[0]!;
    expect({ side: trade.side, quantity: trade.quantity, entryTs: trade.entryTs, entryPrice: trade.entryPrice, exitTs: trade.exitTs, exitPrice: trade.exitPrice, reason: trade.reason, currency: trade.currency }).toEqual({
      side: 'short',
      quantity: shares,
      entryTs: expected.entry.ts,
      entryPrice: expected.entry.price,
      exitTs: co.ts,
      exitPrice: co.price,
      reason: 'closeout',
      currency: 'USD',
    });
    expect(Math.abs(trade.pnl - expected.pnl.toNumber()), `closeout P/L ${trade.pnl} vs ${expected.pnl.toFixed()}`).toBeLessThan(CENT);

    expect(result.account).toBeDefined();
    const acct = result.account!;
    expect(acct.closeouts).toBe(1);
    expect(acct.marginUsedAtFills).toHaveLength(2);
    acct.marginUsedAtFills.forEach((m, i) => expect(Math.abs(m - expected.marginAtFills[i]!.toNumber()), `margin after fill ${i}: ${m}`).toBeLessThan(CENT));
    expect(acct.marginUsedEnd).toBe(0);

    // Flat after the closeout: the final value is the cash, exactly.
    expect(new Decimal(acct.nav).equals(expected.finalValue), `NAV ${acct.nav} vs ${expected.finalValue.toFixed()}`).toBe(true);
    expect(Math.abs(result.finalEquity - expected.finalValue.toNumber())).toBeLessThan(CENT);
    const theirs = await venue.accountSummary();
    expect(new Decimal(theirs.nav.toString()).equals(expected.finalValue), `venue NAV ${theirs.nav.toString()}`).toBe(true);
  });
});
