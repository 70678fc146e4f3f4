import { AutotraderError, Decimal, makeInstrument } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { quoteToAccountRate, sizeOrder } from './sizing';

const eurusd = makeInstrument({ symbol: 'EURUSD', venue: 'OANDA', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1' });
const d = (v: string | number) => new Decimal(v);
const base = { nav: d(10_000), marginAvailable: d(10_000), entry: d('1.389'), stop: d('1.38656'), quoteToAccount: d(1), riskFraction: 0.01, marginRate: d('0.02'), maxMarginShare: 0.5 };

describe('sizing', () => {
  it('sizes from the risk fraction of NAV and the stop distance, rounded down to the lot', () => {
    const s = sizeOrder(eurusd, base);
    // 100 USD / 0.00244 USD per unit = 40,983.6 units
    expect(s.units.toString()).toBe('40983');
    expect(s.limitedBy).toBe('risk');
    const lots = makeInstrument({ symbol: 'EURUSD', venue: 'X', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1000' });
    expect(sizeOrder(lots, base).units.toString()).toBe('40000');
  });

  it('caps the initial margin at maxMarginShare of the margin available', () => {
    const s = sizeOrder(eurusd, { ...base, riskFraction: 0.2, maxMarginShare: 0.1 });
    // 0.1 × 10,000 / (1.389 × 0.02) = 35,997.1 units, less than the 819,672 the risk allows
    expect(s.limitedBy).toBe('margin');
    expect(s.units.toString()).toBe('35997');
    expect(s.units.mul('1.389').mul('0.02').lte(1_000)).toBe(true);
    // No margin available: no order.
    expect(sizeOrder(eurusd, { ...base, marginAvailable: d(-5) }).units.isZero()).toBe(true);
    // A cash account reckons the whole notional (rate 1).
    expect(sizeOrder(eurusd, { ...base, marginRate: d(1) }).units.toString()).toBe('3599'); // 5,000 / 1.389
  });

  it('converts the loss per unit into the account currency, and refuses a currency it cannot convert to', () => {
    expect(quoteToAccountRate(eurusd, 'USD', d('1.389')).toString()).toBe('1');
    const toEur = quoteToAccountRate(eurusd, 'EUR', d('1.25'));
    expect(toEur.toString()).toBe('0.8');
    // 100 EUR of risk: 100 / (0.00244 × 0.8) = 51,229.5 units
    expect(sizeOrder(eurusd, { ...base, quoteToAccount: toEur }).units.toString()).toBe('51229');
    try {
      quoteToAccountRate(eurusd, 'GBP', d('1.389'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AutotraderError);
      expect((e as AutotraderError).code).toBe('RATE_MISSING');
      expect((e as AutotraderError).details.pair).toBe('USD/GBP');
    }
  });

  it('gives nothing below the minimum quantity or for a zero stop distance', () => {
    const big = makeInstrument({ symbol: 'EURUSD', venue: 'Y', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1', minQuantity: '50000' });
    expect(sizeOrder(big, base).units.isZero()).toBe(true);
    expect(sizeOrder(eurusd, { ...base, stop: base.entry }).units.isZero()).toBe(true);
  });
});
