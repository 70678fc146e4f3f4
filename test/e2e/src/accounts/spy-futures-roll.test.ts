import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { CENT, dataFile, runAccount, type Bars } from './run';
import { contractsAsInstruments, frontRoll, futuresGolden, quarterlyContracts } from './spy-futures';

const CASH = 100_000;
/** 10% initial margin. */
const ACCOUNT = { type: 'margin', leverage: '10' } as const;
/** Not rolled: held through its expiry (in the 2008 crash) to be settled by the venue. */
const HOLD_THROUGH = 'SPF200809';

describe('golden: quarterly futures (× 50) built from SPY daily bars, long the front contract and rolled two days before expiry', () => {
  it('makes the plain loop\'s fills, roll P/L, the settlement at expiry, margin after each fill and final value, to the cent', async () => {
    const spy = dataFile<Bars>('spy-1998-2021-daily.arrow');
    const contracts = quarterlyContracts(spy.columns.tsOpen);
    expect(contracts.length).toBeGreaterThan(90);
    expect(contracts.some((k) => k.symbol === HOLD_THROUGH)).toBe(true);
    const expected = futuresGolden(spy, contracts, { holdThrough: HOLD_THROUGH, startingCash: CASH, marginRate: '0.1' });
    // One roll per quarter but the kept one: two fills each, and the settlement.
    expect(expected.fills.filter((f) => f.reason === 'expiry')).toHaveLength(1);
    expect(expected.trips.length).toBe(contracts.length - 1);
    expect(expected.held).toBe(contracts[contracts.length - 1]!.symbol);

    const { instruments, feeds } = contractsAsInstruments(spy, contracts);
    const symbolOf = new Map(instruments.map((i) => [i.id, i.symbol]));
    const { result, venue } = await runAccount({
      strategy: frontRoll,
      params: { holdThrough: HOLD_THROUGH },
      feeds,
      instruments,
      account: ACCOUNT,
      currency: 'USD',
      startingCash: CASH,
    });

    expect(result.fills.map((f) => ({ symbol: symbolOf.get(f.instrumentId), side: f.side, ts: f.tsEvent, price: f.price.toNumber(), quantity: f.quantity.toNumber(), ...(f.reason === undefined ? {} : { reason: f.reason }) }))).toEqual(
      expected.fills.map((f) => ({ ...f, quantity: 1 })),
    );
    expect(result.trades.map((t) => ({ symbol: symbolOf.get(t.instrumentId), side: t.side, quantity: t.quantity, entryTs: t.entryTs, entryPrice: t.entryPrice, exitTs: t.exitTs, exitPrice: t.exitPrice, reason: t.reason }))).toEqual(
      expected.trips.map((t) => ({ symbol: t.symbol, side: 'long', quantity: 1, entryTs: t.entryTs, entryPrice: t.entryPrice, exitTs: t.exitTs, exitPrice: t.exitPrice, reason: t.reason })),
    );
    result.trades.forEach((t, i) => expect(Math.abs(t.pnl - expected.trips[i]!.pnl.toNumber()), `${symbolOf.get(t.instrumentId)} P/L ${t.pnl}`).toBeLessThan(CENT));
    // Roll P/L: the sum over the contracts closed by a roll (not the one settled at expiry).
    const rollPnl = result.trades.filter((t) => t.reason === undefined).reduce((s, t) => s + t.pnl, 0);
    expect(Math.abs(rollPnl - expected.rollPnl.toNumber()), `roll P/L ${rollPnl} vs ${expected.rollPnl.toFixed()}`).toBeLessThan(CENT);

    expect(result.account).toBeDefined();
    const acct = result.account!;
    expect(acct.closeouts).toBe(0);
    expect(acct.marginUsedAtFills).toHaveLength(expected.marginAtFills.length);
    acct.marginUsedAtFills.forEach((m, i) => expect(Math.abs(m - expected.marginAtFills[i]!.toNumber()), `margin after fill ${i}: ${m}`).toBeLessThan(CENT));

    // Final value: the cash (start + every realized P/L) plus the open contract at the last close, exactly.
    expect(new Decimal(acct.nav).equals(expected.nav), `NAV ${acct.nav} vs ${expected.nav.toFixed()}`).toBe(true);
    expect(new Decimal(acct.balance).equals(expected.cash), `balance ${acct.balance} vs ${expected.cash.toFixed()}`).toBe(true);
    expect(Math.abs(result.finalEquity - expected.nav.toNumber())).toBeLessThan(CENT);
    // The contract still held: its margin and exposure at the last close.
    const lastClose = spy.columns.close[spy.length - 1]!;
    expect(Math.abs(acct.marginUsedEnd - lastClose * 50 * 0.1)).toBeLessThan(CENT);
    expect(Object.keys(acct.exposureByCurrency)).toEqual(['USD']);
    expect(Math.abs(acct.exposureByCurrency.USD! - lastClose * 50)).toBeLessThan(CENT);
    const theirs = await venue.accountSummary();
    expect(new Decimal(theirs.nav.toString()).equals(expected.nav), `venue NAV ${theirs.nav.toString()}`).toBe(true);
  });
});
