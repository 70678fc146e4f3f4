import { Decimal, isAutotraderError } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { FeeSchedule } from './fees';
import { Ledger, placeHold, releaseHold, settleSpotFill, type OrderHold } from './ledger';

const d = (v: string | number): Decimal => new Decimal(v);
const pair = { base: 'BTC', quote: 'USDT' };
const round8 = (v: Decimal): Decimal => v.toDecimalPlaces(8);

function ledger(balances: Record<string, string>): Ledger {
  return new Ledger(Object.fromEntries(Object.entries(balances).map(([a, v]) => [a, d(v)])), () => 1_000);
}

/** Free and locked of every asset, as strings, for exact comparisons. */
function books(l: Ledger): Record<string, string> {
  return Object.fromEntries(l.assets().map((a) => [a, `${l.free(a).toFixed()} / ${l.locked(a).toFixed()}`]));
}

describe('the ledger', () => {
  it('locks, unlocks, spends and credits exactly, and records which assets each action changed', () => {
    const l = ledger({ USDT: '100', BTC: '0' });
    expect(l.lock('USDT', d('30'))).toBe(true);
    expect(l.lock('USDT', d('71'))).toBe(false);
    l.spendLocked('USDT', d('10'));
    l.unlock('USDT', d('5'));
    l.credit('BTC', d('0.001'));
    expect(books(l)).toEqual({ USDT: '75 / 15', BTC: '0.001 / 0' });
    expect(l.total('USDT').toFixed()).toBe('90');
    expect(l.takeChanged()).toEqual(['USDT', 'BTC']);
    expect(l.takeChanged()).toEqual([]);
  });

  it('never lets a balance go below zero: that would be a bug of the fake, and it says so', () => {
    const l = ledger({ USDT: '1' });
    let error: unknown;
    try {
      l.spendFree('USDT', d('2'));
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'INTERNAL')).toBe(true);
    expect(l.free('USDT').toFixed()).toBe('1');
  });
});

describe('spot settlement with fees in any asset', () => {
  const received = new FeeSchedule({ makerRate: d('0.001'), takerRate: d('0.001'), paidIn: 'received', round: round8 });

  it('a buy of 0.001 BTC at 0.1% in the asset received credits 0.000999 BTC and spends exactly the notional', () => {
    const l = ledger({ USDT: '100', BTC: '0' });
    const hold: OrderHold = { lockAsset: 'USDT', locked: d('30'), lockPerUnit: d('30000') };
    expect(placeHold(l, hold)).toBe(true);
    const commission = received.charge(pair, 'buy', d('30000'), d('0.001'), false, l);
    expect(commission).toEqual({ amount: d('0.000001'), asset: 'BTC', from: 'received' });
    settleSpotFill(l, hold, { side: 'buy', ...pair, price: d('30000'), qty: d('0.001'), commission });
    expect(books(l)).toEqual({ USDT: '70 / 0', BTC: '0.000999 / 0' });
    expect(hold.locked.isZero()).toBe(true);
  });

  it('a partial fill below the limit spends its notional and releases the rest of its share at once; closing releases the remainder', () => {
    const l = ledger({ USDT: '1000', BTC: '0' });
    const hold: OrderHold = { lockAsset: 'USDT', locked: d('600'), lockPerUnit: d('30000') }; // 0.02 at 30000
    placeHold(l, hold);
    const commission = received.charge(pair, 'buy', d('29000'), d('0.01'), true, l);
    settleSpotFill(l, hold, { side: 'buy', ...pair, price: d('29000'), qty: d('0.01'), commission });
    // 290 spent, 10 of this fill's 300 share released, 300 still held for the rest.
    expect(books(l)).toEqual({ USDT: '410 / 300', BTC: '0.00999 / 0' });
    releaseHold(l, hold);
    expect(books(l)).toEqual({ USDT: '710 / 0', BTC: '0.00999 / 0' });
  });

  it('a sell spends its base from the hold and is credited the notional less the fee in the quote asset', () => {
    const l = ledger({ USDT: '0', BTC: '1' });
    const hold: OrderHold = { lockAsset: 'BTC', locked: d('0.5'), lockPerUnit: d('1') };
    placeHold(l, hold);
    const commission = received.charge(pair, 'sell', d('30000'), d('0.5'), true, l);
    expect(commission).toEqual({ amount: d('15'), asset: 'USDT', from: 'received' });
    settleSpotFill(l, hold, { side: 'sell', ...pair, price: d('30000'), qty: d('0.5'), commission });
    expect(books(l)).toEqual({ USDT: '14985 / 0', BTC: '0.5 / 0' });
  });

  it('fees in the quote asset: a buy holds the notional and its fee, and pays both from the hold', () => {
    const quote = new FeeSchedule({ makerRate: d('0.004'), takerRate: d('0.006'), paidIn: 'quote', round: (v) => v.toDecimalPlaces(2, Decimal.ROUND_UP) });
    const l = ledger({ USD: '1000', BTC: '0' });
    const p2 = { base: 'BTC', quote: 'USD' };
    const hold: OrderHold = { lockAsset: 'USD', locked: d('100').mul('1.006'), lockPerUnit: d('100').mul('1.006') };
    placeHold(l, hold);
    const commission = quote.charge(p2, 'buy', d('100'), d('1'), true, l);
    expect(commission).toEqual({ amount: d('0.4'), asset: 'USD', from: 'order' });
    settleSpotFill(l, hold, { side: 'buy', ...p2, price: d('100'), qty: d('1'), commission });
    // Maker at 0.4%: 100.4 spent, the 0.2 held for a taker fee released.
    expect(books(l)).toEqual({ USD: '899.6 / 0', BTC: '1 / 0' });
  });

  describe('a third asset at a discount (BNB)', () => {
    const bnb = new FeeSchedule({
      makerRate: d('0.001'),
      takerRate: d('0.001'),
      paidIn: 'received',
      round: round8,
      discountAsset: { asset: 'BNB', discount: d('0.25'), priceIn: (q) => (q === 'USDT' ? d('600') : undefined) },
    });

    it('pays the converted, discounted commission from free BNB and credits the asset received whole', () => {
      const l = ledger({ USDT: '100', BTC: '0', BNB: '1' });
      const hold: OrderHold = { lockAsset: 'USDT', locked: d('30'), lockPerUnit: d('30000') };
      placeHold(l, hold);
      const commission = bnb.charge(pair, 'buy', d('30000'), d('0.001'), false, l);
      // 0.000001 BTC = 0.03 USDT = 0.00005 BNB, 25% off: 0.0000375
      expect(commission).toEqual({ amount: d('0.0000375'), asset: 'BNB', from: 'free' });
      settleSpotFill(l, hold, { side: 'buy', ...pair, price: d('30000'), qty: d('0.001'), commission });
      expect(books(l)).toEqual({ USDT: '70 / 0', BTC: '0.001 / 0', BNB: '0.9999625 / 0' });
    });

    it('falls back to the full commission in the asset received when free BNB is short', () => {
      const l = ledger({ USDT: '100', BTC: '0', BNB: '0.00001' });
      expect(bnb.charge(pair, 'buy', d('30000'), d('0.001'), false, l)).toEqual({ amount: d('0.000001'), asset: 'BTC', from: 'received' });
    });

    it('needs the price of the discount asset to convert a commission', () => {
      const l = ledger({ EUR: '100', BNB: '1' });
      let error: unknown;
      try {
        bnb.charge({ base: 'BTC', quote: 'EUR' }, 'sell', d('100'), d('1'), false, l);
      } catch (e) {
        error = e;
      }
      expect(isAutotraderError(error, 'CONFIG_INVALID')).toBe(true);
    });
  });
});
