import { definePlugin, makeInstrument, type Instrument, type VenueCapabilities } from '@autotrader/core';
import { paperVenueConfigSchema, SUPPORTED_ORDER_TYPES, SUPPORTED_TIME_IN_FORCE, type PaperVenueConfig } from './config';
import { createSimulatedVenue } from './venue';

/** What the paper venue can do: every order type and time in force, native modify; it serves no market data. */
export const paperCapabilities: VenueCapabilities = {
  assetClasses: ['spot', 'perpetual', 'future', 'option', 'fx', 'equity'],
  orderTypes: SUPPORTED_ORDER_TYPES,
  timeInForce: SUPPORTED_TIME_IN_FORCE,
  nativeModify: true,
  data: [],
  execution: true,
};

/** The instruments listed in the config; each without a venue gets the config's venue. */
export function configInstruments(config: PaperVenueConfig): Instrument[] {
  return config.instruments.map((spec) => makeInstrument({ ...spec, venue: spec.venue ?? config.venue }));
}

/**
 * The `paper` plugin: the simulated venue as an execution port, with an instrument provider over
 * `config.instruments`. Market data comes from elsewhere (a data port or a backtest replay) over the bus.
 */
export const paperPlugin = definePlugin({
  name: 'paper',
  apiVersion: 1,
  capabilities: paperCapabilities,
  configSchema: paperVenueConfigSchema,
  create(config, ctx) {
    const instruments = configInstruments(config);
    const execution = createSimulatedVenue({ config, instruments, clock: ctx.clock, bus: ctx.bus, logger: ctx.logger });
    return {
      instruments: { load: async () => [...instruments] },
      execution,
    };
  },
});
