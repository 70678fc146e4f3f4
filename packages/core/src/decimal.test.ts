import DecimalJs from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { Decimal, isOnStep, price, quantity, roundToStep } from './decimal';
import { makeInstrument, roundPrice, roundQuantity } from './instrument';

describe('decimals', () => {
  it('are exact where floats are not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(price('0.1').plus(price('0.2')).toString()).toBe('0.3');
  });

  it('use precision 34 and are not affected by the global Decimal settings', () => {
    const before = DecimalJs.precision;
    DecimalJs.set({ precision: 5 });
    try {
      expect(new Decimal(1).div(3).toString()).toBe('0.3333333333333333333333333333333333');
    } finally {
      DecimalJs.set({ precision: before });
    }
  });

  it('refuse NaN, infinity and text that is not a number', () => {
    expect(() => quantity(Number.NaN)).toThrow(/finite/);
    expect(() => price(Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => price('abc')).toThrow(/not a number/);
  });

  it('round onto a grid with an explicit mode', () => {
    const tick = new Decimal('0.05');
    expect(roundToStep(price('1.2345'), tick, 'down').toString()).toBe('1.2');
    expect(roundToStep(price('1.2345'), tick, 'up').toString()).toBe('1.25');
    expect(roundToStep(price('1.225'), tick, 'nearest').toString()).toBe('1.2');
    expect(isOnStep(price('1.25'), tick)).toBe(true);
    expect(isOnStep(price('1.26'), tick)).toBe(false);
  });

  it('round prices and quantities on an instrument', () => {
    const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001' });
    expect(btc.id).toBe('BTCUSDT.BINANCE');
    expect(btc.pricePrecision).toBe(2);
    expect(btc.sizePrecision).toBe(5);
    expect(roundPrice(btc, 100.129, 'down').toString()).toBe('100.12');
    expect(roundQuantity(btc, 0.123456).toString()).toBe('0.12345');
  });

  it('validate instrument specs with a zod error naming the field', () => {
    expect(() => makeInstrument({ symbol: 'X', tickSize: 'zero' })).toThrow(/tickSize/);
  });
});
