import { accountConfigSchema, isAutotraderError, makeInstrument, money, price, quantity, type AccountConfigInput, type Fill, type Instrument } from '@autotrader/core';
import { testFill } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { StaticInstrumentCatalog } from './instrument-catalog';
import { Portfolio } from './portfolio';

const eurusd = makeInstrument({ symbol: 'EUR_USD', venue: 'SIM', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1', marginRate: '0.02', pipLocation: -4 });
const es = makeInstrument({ symbol: 'ESH5', venue: 'SIM', assetClass: 'future', base: 'ES', quote: 'USD', tickSize: '0.25', lotSize: '1', multiplier: '50', expiry: Date.UTC(2025, 2, 21) });
const orcl = makeInstrument({ symbol: 'ORCL', venue: 'SIM', assetClass: 'equity', base: 'ORCL', quote: 'USD', tickSize: '0.01', lotSize: '1' });

const make = (instruments: Instrument[], base: string, cash: string, account: AccountConfigInput): Portfolio =>
  new Portfolio(new StaticInstrumentCatalog(instruments), { [base]: money(cash) }, base, 64, accountConfigSchema.parse(account));
const fill = (i: Instrument, over: Partial<Fill>): Fill => testFill({ instrumentId: i.id, feeCurrency: i.quote, fee: money(0), ...over });

describe('Portfolio: a margin account', () => {
  it('books only the realized profit of an FX trade, and values NAV = balance + unrealized P/L', () => {
    const p = make([eurusd], 'USD', '10000', { type: 'margin' });
    p.applyFill(fill(eurusd, { tradeId: '1', side: 'buy', price: price('1.10000'), quantity: quantity('10000'), tsEvent: 1 }));
    // No notional moved: the balance is what it was.
    expect(p.cash('USD').toString()).toBe('10000');
    p.mark(eurusd.id, 1.1010, 2);
    const s = p.accountSummary();
    expect(s.unrealizedPnl.toString()).toBe('10');
    expect(s.nav.toString()).toBe('10010');
    // 10,000 × 1.1010 × 0.02
    expect(s.marginUsed.toString()).toBe('220.2');
    expect(s.marginAvailable.toString()).toBe('9789.8');
    expect(p.marginUsedAtFills()).toEqual([220]);
    p.applyFill(fill(eurusd, { tradeId: '2', side: 'sell', price: price('1.10250'), quantity: quantity('10000'), tsEvent: 3 }));
    expect(p.cash('USD').toString()).toBe('10025');
    expect(p.accountSummary().marginUsed.toString()).toBe('0');
    expect(p.roundTrips()[0]).toMatchObject({ side: 'long', currency: 'USD' });
  });

  it('goes short, and a EUR account books USD profit at the EUR/USD rate of the closing fill', () => {
    const p = make([eurusd], 'EUR', '10000', { type: 'margin', leverage: '50' });
    p.applyFill(fill(eurusd, { tradeId: '1', side: 'sell', price: price('1.25'), quantity: quantity('10000'), tsEvent: 1 }));
    expect(p.position(eurusd.id)!.quantity.toString()).toBe('-10000');
    p.applyFill(fill(eurusd, { tradeId: '2', side: 'buy', price: price('1.2'), quantity: quantity('10000'), tsEvent: 2 }));
    // +500 USD at 1.2 USD per EUR = 416.66… EUR
    expect(p.cash('EUR').toFixed(10)).toBe('10416.6666666667');
  });

  it("books the venue's own account-currency P/L of a fill where it reports one (OANDA's pl), not its own conversion", () => {
    const p = make([eurusd], 'EUR', '10000', { type: 'margin', leverage: '50' });
    p.applyFill(fill(eurusd, { tradeId: '1', side: 'sell', price: price('1.25'), quantity: quantity('10000'), tsEvent: 1 }));
    p.applyFill(fill(eurusd, { tradeId: '2', side: 'buy', price: price('1.2'), quantity: quantity('10000'), accountPnl: money('416.6667'), tsEvent: 2 }));
    expect(p.cash('EUR').toString()).toBe('10416.6667');
  });

  it('a future moves no notional: P/L × multiplier settles in the balance; margin is |qty| × price × 50 × rate', () => {
    const p = make([es], 'USD', '100000', { type: 'margin', marginRates: { ESH5: '0.05' } });
    p.applyFill(fill(es, { tradeId: '1', side: 'buy', price: price('4000'), quantity: quantity('2'), fee: money('4.2'), tsEvent: 1 }));
    expect(p.cash('USD').toString()).toBe('99995.8');
    expect(p.marginUsedAtFills()).toEqual([20000]);
    p.applyFill(fill(es, { tradeId: '2', side: 'sell', price: price('4010.25'), quantity: quantity('2'), fee: money('4.2'), tsEvent: 2 }));
    // 10.25 × 2 × 50 = 1025, less the two fees
    expect(p.cash('USD').toString()).toBe('101016.6');
  });

  it('an equity in a margin account pays its notional (the cash goes negative when borrowed)', () => {
    const p = make([orcl], 'USD', '1000', { type: 'margin', leverage: '2' });
    p.applyFill(fill(orcl, { tradeId: '1', side: 'buy', price: price('20'), quantity: quantity('100'), tsEvent: 1 }));
    expect(p.cash('USD').toString()).toBe('-1000');
    p.mark(orcl.id, 21, 2);
    expect(p.accountSummary()).toMatchObject({ nav: money('1100'), unrealizedPnl: money('100'), marginUsed: money('1050') });
  });

  it('a position quoted in a currency with no rate is RATE_MISSING naming the pair, never valued at 1', () => {
    const p = make([es], 'EUR', '100000', { type: 'margin' });
    let error: unknown;
    try {
      p.applyFill(fill(es, { tradeId: '1', side: 'buy', price: price('4000'), quantity: quantity('1'), tsEvent: 1 }));
      p.mark(es.id, 4001, 2);
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'RATE_MISSING')).toBe(true);
    expect(String((error as Error).message)).toContain('USD/EUR');
  });

  it('values instruments quoted in several currencies in one base currency, the pair from market data, and shows the exposure per currency', () => {
    const usdjpy = makeInstrument({ symbol: 'USD_JPY', venue: 'SIM', assetClass: 'fx', base: 'USD', quote: 'JPY', tickSize: '0.001', lotSize: '1', marginRate: '0.04' });
    const p = make([eurusd, usdjpy], 'USD', '10000', { type: 'margin' });
    p.mark(usdjpy.id, 150, 1);
    p.mark(eurusd.id, 1.1, 1);
    p.applyFill(fill(eurusd, { tradeId: '1', side: 'buy', price: price('1.1'), quantity: quantity('10000'), tsEvent: 2 }));
    p.applyFill(fill(usdjpy, { tradeId: '2', side: 'sell', price: price('150'), quantity: quantity('10000'), tsEvent: 2 }));
    p.mark(eurusd.id, 1.11, 3);
    p.mark(usdjpy.id, 148.5, 3);
    const s = p.accountSummary();
    // EUR/USD: +100 USD. USD/JPY short: +15,000 JPY at 148.5 JPY per USD = 101.0101… USD.
    expect(s.unrealizedPnl.toFixed(4)).toBe('201.0101');
    expect(s.nav.toFixed(4)).toBe('10201.0101');
    // Margin: 10,000 × 1.11 × 0.02 = 222 USD; 10,000 × 148.5 × 0.04 = 59,400 JPY = 400 USD.
    expect(s.marginUsed.toFixed(4)).toBe('622.0000');
    const exposure = p.exposureByCurrency();
    expect(Object.keys(exposure).sort()).toEqual(['JPY', 'USD']);
    expect(exposure.USD).toBeCloseTo(11_100, 6);
    expect(exposure.JPY).toBeCloseTo(1_485_000, 6);
    expect(p.equity()).toBeCloseTo(10201.0101, 3);
  });

  it('converts with the rates table when no market data of the pair is seen', () => {
    const p = make([es], 'EUR', '100000', { type: 'margin', rates: { 'EUR/USD': '1.25' } });
    p.applyFill(fill(es, { tradeId: '1', side: 'buy', price: price('4000'), quantity: quantity('1'), tsEvent: 1 }));
    p.mark(es.id, 4010, 2);
    // 10 × 50 = 500 USD = 400 EUR
    expect(p.accountSummary().unrealizedPnl.toString()).toBe('400');
    expect(p.exposureByCurrency()).toEqual({ USD: 200500 });
  });
});

describe('Portfolio: a hedging account', () => {
  it('keeps long and short legs apart, reckons margin on the larger leg, and closes the oldest trade first', () => {
    const p = make([eurusd], 'USD', '10000', { type: 'margin', hedging: true });
    p.applyFill(fill(eurusd, { tradeId: '1', side: 'buy', price: price('1.1000'), quantity: quantity('10000'), tsEvent: 1 }));
    p.applyFill(fill(eurusd, { tradeId: '2', side: 'buy', price: price('1.1100'), quantity: quantity('10000'), tsEvent: 2 }));
    p.applyFill(fill(eurusd, { tradeId: '3', side: 'sell', price: price('1.1050'), quantity: quantity('5000'), tsEvent: 3 }));
    expect(p.hedgedLegs(eurusd.id)).toEqual({ long: quantity('20000'), short: quantity('5000') });
    expect(p.position(eurusd.id)!.quantity.toString()).toBe('15000');
    p.mark(eurusd.id, 1.1050, 4);
    // Margin on the larger leg: 20,000 × 1.105 × 0.02
    expect(p.accountSummary().marginUsed.toString()).toBe('442');
    // Open P/L of both legs: +50 − 50 + 0 = 0
    expect(p.accountSummary().unrealizedPnl.toString()).toBe('0');
    // Closing 15,000 of the long leg: the 1.1000 trade first (+150), then 5,000 of the 1.1100 one (+25).
    p.applyFill(fill(eurusd, { tradeId: '4', side: 'sell', price: price('1.1150'), quantity: quantity('15000'), closes: true, tsEvent: 5 }));
    expect(p.cash('USD').toString()).toBe('10175');
    expect(p.hedgedLegs(eurusd.id)).toEqual({ long: quantity('5000'), short: quantity('5000') });
    expect(p.roundTrips()).toHaveLength(0);
    p.applyFill(fill(eurusd, { tradeId: '5', side: 'sell', price: price('1.1200'), quantity: quantity('5000'), closes: true, tsEvent: 6 }));
    expect(p.roundTrips()).toHaveLength(1);
    expect(p.roundTrips()[0]).toMatchObject({ side: 'long', quantity: 20000 });
    expect(p.cash('USD').toString()).toBe('10225');
  });
});

describe('Portfolio: the default account is unchanged', () => {
  it('a cash account in one currency takes the old path', () => {
    const p = new Portfolio(new StaticInstrumentCatalog([orcl]), { USD: money('1000') }, 'USD');
    expect(p.general).toBe(false);
    p.applyFill(fill(orcl, { tradeId: '1', side: 'buy', price: price('20'), quantity: quantity('10'), tsEvent: 1 }));
    p.mark(orcl.id, 21, 2);
    expect(p.equity()).toBe(1010);
    expect(p.marginUsed()).toBe(0);
  });
});
