import { makeInstrument } from '@autotrader/core';
import { seriesToFeed } from '@autotrader/engine';
import { expect } from 'vitest';
import { fxGolden, type FxExpected } from './fx-loop';
import { fxMomentum } from './fx-momentum';
import { CENT, dataFile, runAccount, type Quotes } from './run';

/** The parameters both EUR/USD cases share: a flip decision every 600 quotes, 100,000 units, 50:1. */
export const FX = { every: 600, units: 100_000, leverage: 50, startingBalance: 10_000 } as const;

/**
 * Runs fx-momentum on the EUR/USD ticks in a margin account of the given currency and compares
 * everything with the plain loop: fills, round trips, margin used after each fill, balance, NAV (ours
 * and the simulated venue's).
 */
export async function checkFxAccount(account: 'USD' | 'EUR'): Promise<FxExpected> {
  const series = dataFile<Quotes>('eurusd-ticks-2014-05.arrow');
  const instrument = makeInstrument(series.meta.instrument);
  const c = series.columns;
  const expected = fxGolden(c.ts, c.bid, c.ask, { ...FX, account });
  // The data must exercise the model: many flips both ways, and a position open at the end.
  expect(expected.fills.length).toBeGreaterThan(50);
  expect(expected.fills.filter((f) => f.quantity === 2 * FX.units).length).toBeGreaterThan(40);
  expect(expected.position).not.toBe(0);

  const accountConfig = { type: 'margin' as const, baseCurrency: account, leverage: String(FX.leverage) };
  const { result, venue } = await runAccount({
    strategy: fxMomentum,
    params: { every: FX.every, units: FX.units },
    feeds: [seriesToFeed(series, instrument.id)],
    instruments: [instrument],
    account: accountConfig,
    currency: account,
    startingCash: FX.startingBalance,
    venue: 'OANDA',
  });

  // Fills: side, time, price (buys at the ask, sells at the bid of the next quote) and quantity, exactly.
  const fills = result.fills.map((f) => ({ side: f.side, ts: f.tsEvent, price: f.price.toNumber(), quantity: f.quantity.toNumber() }));
  expect(fills).toEqual(expected.fills);

  // Round trips: P/L in USD (the quote currency) to the cent.
  expect(result.trades.map((t) => ({ side: t.side, quantity: t.quantity, entryTs: t.entryTs, entryPrice: t.entryPrice, exitTs: t.exitTs, exitPrice: t.exitPrice, currency: t.currency }))).toEqual(
    expected.trips.map((t) => ({ side: t.side, quantity: t.quantity, entryTs: t.entryTs, entryPrice: t.entryPrice, exitTs: t.exitTs, exitPrice: t.exitPrice, currency: 'USD' })),
  );
  result.trades.forEach((t, i) => expect(Math.abs(t.pnl - expected.trips[i]!.pnlUsd.toNumber()), `trade ${i} pnl ${t.pnl}`).toBeLessThan(CENT));

  // Margin used just after each fill, in the account currency.
  expect(result.account).toBeDefined();
  const acct = result.account!;
  expect(acct.type).toBe('margin');
  expect(acct.baseCurrency).toBe(account);
  expect(acct.marginUsedAtFills).toHaveLength(expected.marginAtFills.length);
  acct.marginUsedAtFills.forEach((m, i) => expect(Math.abs(m - expected.marginAtFills[i]!.toNumber()), `margin after fill ${i}: ${m}`).toBeLessThan(CENT));
  expect(acct.closeouts).toBe(0);

  // Balance and NAV at the end, exactly as the loop books them (to the cent).
  const summary = result.kernel.portfolio.accountSummary();
  expect(summary.baseCurrency).toBe(account);
  expect(Math.abs(summary.balance.toNumber() - expected.balance.toNumber()), `balance ${summary.balance.toString()} vs ${expected.balance.toFixed()}`).toBeLessThan(CENT);
  expect(Math.abs(summary.unrealizedPnl.toNumber() - expected.unrealized.toNumber())).toBeLessThan(CENT);
  expect(Math.abs(Number(acct.nav) - expected.nav.toNumber()), `NAV ${acct.nav} vs ${expected.nav.toFixed()}`).toBeLessThan(CENT);
  expect(Math.abs(Number(result.finalEquityExact) - expected.nav.toNumber())).toBeLessThan(CENT);
  // What is still open at the end: its margin (at the last mid) and its exposure in USD.
  expect(Math.abs(acct.marginUsedEnd - expected.marginUsedEnd.toNumber()), `margin used at the end ${acct.marginUsedEnd}`).toBeLessThan(CENT);
  expect(Object.keys(acct.exposureByCurrency)).toEqual(['USD']);
  expect(Math.abs(acct.exposureByCurrency.USD! - expected.exposureUsd.toNumber())).toBeLessThan(CENT);

  // The simulated venue reckons the same account the same way.
  const theirs = await venue.accountSummary();
  expect(theirs.baseCurrency).toBe(account);
  expect(Math.abs(theirs.balance.toNumber() - expected.balance.toNumber()), `venue balance ${theirs.balance.toString()}`).toBeLessThan(CENT);
  expect(Math.abs(theirs.nav.toNumber() - expected.nav.toNumber()), `venue NAV ${theirs.nav.toString()}`).toBeLessThan(CENT);
  return expected;
}
