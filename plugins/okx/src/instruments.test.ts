import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeInstrument, price, quantity } from '@autotrader/core';
import { checkOrder, INSTRUMENT_MAPPERS, parseInstruments, venueInstrumentSchema } from './instruments';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

describe('OKX instruments', () => {
  it('maps spot instruments: tickSz, lotSz, minSz, state (fixture http_get_instruments_spot.json)', () => {
    const { instruments, rules } = parseInstruments(fixture('http_get_instruments_spot.json'));
    expect(instruments.map((i) => i.id)).toEqual(['BTC-USD.OKX', 'ETH-USD.OKX', 'SOL-USD.OKX', 'XRP-USD.OKX', 'USDT-USD.OKX']);
    const btc = instruments[0]!;
    expect(btc).toMatchObject({ symbol: 'BTC-USD', venue: 'OKX', assetClass: 'spot', base: 'BTC', quote: 'USD' });
    expect(btc.tickSize.toString()).toBe('0.1');
    expect(btc.lotSize.toString()).toBe('0.00000001');
    expect(btc.minQuantity.toString()).toBe('0.00001');
    expect(rules.get('BTC-USD.OKX')).toMatchObject({ instId: 'BTC-USD', instType: 'SPOT', state: 'live', tradable: true, settleCurrency: 'USD' });
  });

  it('has a swap mapping (contract value, multiplier, settle currency) behind the same port', () => {
    const swaps = fixture('http_get_instruments_swap.json').data.map((v: unknown) => venueInstrumentSchema.parse(v));
    const r = INSTRUMENT_MAPPERS.SWAP(swaps[0]);
    expect(r).toBeDefined();
    expect(r!.instrument.assetClass).toBe('perpetual');
    expect(r!.rules.contract).toBeDefined();
    expect(r!.rules.settleCurrency).toBe(swaps[0].settleCcy);
    expect(r!.instrument.multiplier.toString()).toBe(r!.rules.contract!.value.times(r!.rules.contract!.multiplier).toString());
  });

  it('refuses what OKX would: not live, off the lot, below the minimum, off the tick', () => {
    const i = makeInstrument({ symbol: 'BTC-USDT', venue: 'OKX', assetClass: 'spot', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.00000001', minQuantity: '0.00001', minNotional: '0' });
    const rules = { instId: 'BTC-USDT', instType: 'SPOT' as const, state: 'live', tradable: true, settleCurrency: 'USDT' };
    const o = (q: string, p?: string) => ({ clientOrderId: 'c', quantity: quantity(q), price: p === undefined ? undefined : price(p) });
    expect(() => checkOrder(o('0.01', '30000.1'), i, rules)).not.toThrow();
    expect(() => checkOrder(o('0.01', '30000.15'), i, rules)).toThrow(/tick/);
    expect(() => checkOrder(o('0.000001'), i, rules)).toThrow(/minimum/);
    expect(() => checkOrder(o('0.000010001'), i, rules)).toThrow(/lot/);
    expect(() => checkOrder(o('0.01'), i, { ...rules, state: 'suspend', tradable: false })).toThrow(/state suspend/);
  });
});
