import { makeInstrument } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIP_LOCATION, pipSize, pipsToPrice, priceToPips } from './pips';

const eurusd = makeInstrument({ symbol: 'EURUSD', venue: 'OANDA', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1' });
const usdjpy = makeInstrument({ symbol: 'USD_JPY', venue: 'OANDA', assetClass: 'fx', base: 'USD', quote: 'JPY', tickSize: '0.001', lotSize: '1', pipLocation: -2 });

describe('pips', () => {
  it('is 10^pipLocation, and 0.0001 when the instrument has no pipLocation', () => {
    expect(DEFAULT_PIP_LOCATION).toBe(-4);
    expect(eurusd.pipLocation).toBeUndefined();
    expect(pipSize(eurusd).toString()).toBe('0.0001');
    expect(pipSize(usdjpy).toString()).toBe('0.01');
  });

  it('converts pips to price distances and back exactly', () => {
    expect(pipsToPrice(eurusd, 2).toString()).toBe('0.0002');
    expect(pipsToPrice(eurusd, 2.5).toString()).toBe('0.00025');
    expect(pipsToPrice(usdjpy, 15).toString()).toBe('0.15');
    expect(priceToPips(eurusd, 0.00223)).toBe(22.3);
    expect(priceToPips(usdjpy, 0.42)).toBe(42);
  });
});
