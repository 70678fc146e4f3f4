import { AutotraderError, EventBus, SimulatedClock, assertPlugin, silentLogger } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { paperVenueConfigSchema } from './config';
import { paperPlugin } from './plugin';
import { createSimulatedVenue, SimulatedVenue } from './venue';

describe('paperPlugin', () => {
  it('is a valid plugin whose config has a default for every field', () => {
    expect(assertPlugin(paperPlugin, 'paper')).toBe(paperPlugin);
    const config = paperVenueConfigSchema.parse({});
    expect(config).toMatchObject({
      venue: 'SIM',
      startingBalances: { USD: '100000' },
      allowShort: false,
      fees: { maker: '0', taker: '0', perContract: '0' },
      slippage: { kind: 'none' },
      latency: { submitMs: 0, cancelMs: 0, modifyMs: 0, jitterMs: 0 },
      partialFills: true,
      dayEndUtcHour: 0,
    });
    expect(paperVenueConfigSchema.parse({ slippage: { kind: 'volumeShare' } }).slippage).toEqual({ kind: 'volumeShare', limit: 0.025, impact: 0.1 });
  });

  it('creates an execution port named after the venue and an instrument provider over config.instruments', async () => {
    const clock = new SimulatedClock(0);
    const config = paperVenueConfigSchema.parse({ venue: 'BINANCE', instruments: [{ symbol: 'BTCUSDT', quote: 'USDT', tickSize: '0.01' }, { symbol: 'ETHUSD', venue: 'OTHER' }] });
    const conn = await paperPlugin.create(config, { clock, bus: new EventBus(), logger: silentLogger, env: {} });
    expect(conn.execution).toBeInstanceOf(SimulatedVenue);
    expect(conn.execution!.venue).toBe('BINANCE');
    const instruments = await conn.instruments.load();
    expect(instruments.map((i) => [i.id, i.tickSize.toString()])).toEqual([
      ['BTCUSDT.BINANCE', '0.01'],
      ['ETHUSD.OTHER', '0.00000001'],
    ]);
  });

  it('refuses an invalid config with CONFIG_INVALID naming the field', () => {
    const make = () => createSimulatedVenue({ config: { fees: { taker: 'lots' } }, instruments: [], clock: new SimulatedClock(0), bus: new EventBus() });
    expect(make).toThrow(AutotraderError);
    expect(make).toThrow(/fees\.taker/);
  });

  it('subscribes ahead of the portfolio and strategy, and dispose() unsubscribes', () => {
    const bus = new EventBus();
    const venue = createSimulatedVenue({ config: {}, instruments: [], clock: new SimulatedClock(0), bus });
    expect(bus.hasListeners('bar')).toBe(true);
    venue.dispose();
    expect(bus.hasListeners('bar')).toBe(false);
  });
});
