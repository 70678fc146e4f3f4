import { makeInstrument, money, type Balance } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { spotPositions } from './spot-positions';

const inst = (symbol: string, base: string, quote: string) => makeInstrument({ symbol, venue: 'X', base, quote, tickSize: '0.01', lotSize: '0.00001' });
const bal = (currency: string, total: string): Balance => ({ currency, total: money(total), free: money(total), locked: money(0), tsEvent: 0 });

describe('spotPositions', () => {
  const instruments = [inst('BTCFDUSD', 'BTC', 'FDUSD'), inst('BTCUSDT', 'BTC', 'USDT'), inst('ETHUSDT', 'ETH', 'USDT'), inst('LTCUSDT', 'LTC', 'USDT')];
  const balances = [bal('BTC', '1.5'), bal('ETH', '2'), bal('LTC', '0'), bal('USDT', '9')];

  it('one per base asset held (none for a zero balance), on the first instrument listed', () => {
    expect(spotPositions(balances, instruments).map((p) => [p.instrumentId, p.quantity.toFixed()])).toEqual([
      ['BTCFDUSD.X', '1.5'],
      ['ETHUSDT.X', '2'],
    ]);
  });

  it('on a traded instrument when there is one', () => {
    expect(spotPositions(balances, instruments, new Set(['BTCUSDT.X']))[0]!.instrumentId).toBe('BTCUSDT.X');
  });
});
