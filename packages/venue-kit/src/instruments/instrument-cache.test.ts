import { isAutotraderError, makeInstrument, silentLogger } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { InstrumentCache } from './instrument-cache';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'X', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001' });

describe('InstrumentCache', () => {
  it('shares one request between concurrent loads, keeps the venue rules by id, and names the venue for an unknown id', async () => {
    let requests = 0;
    const cache = new InstrumentCache<{ status: string }>({
      venueName: 'Acme',
      unknownHint: 'check the symbol (for example BTCUSDT.X)',
      logger: silentLogger,
      fetch: async () => {
        requests++;
        await new Promise((r) => setTimeout(r, 10));
        return { instruments: [btc], rules: new Map([[btc.id, { status: 'TRADING' }]]) };
      },
    });
    await Promise.all([cache.load(), cache.load(), cache.require(btc.id)]);
    expect(requests).toBe(1);
    expect(cache.loaded()).toEqual([btc]);
    expect(cache.rules(btc.id)).toEqual({ status: 'TRADING' });
    const error = await cache.require('NOPE.X').catch((e: unknown) => e);
    expect(isAutotraderError(error, 'INSTRUMENT_UNKNOWN')).toBe(true);
    expect((error as Error).message).toBe('Acme does not list NOPE.X; check the symbol (for example BTCUSDT.X)');
    // A loaded list is not fetched again for an unknown id.
    expect(requests).toBe(1);
  });
});
