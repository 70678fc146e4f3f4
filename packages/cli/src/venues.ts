import type { VenuePlugin } from '@autotrader/core';
import { binancePlugin } from '@autotrader/plugin-binance';
import { coinbasePlugin } from '@autotrader/plugin-coinbase';
import { oandaPlugin } from '@autotrader/plugin-oanda';
import { okxPlugin } from '@autotrader/plugin-okx';
import { paperPlugin } from '@autotrader/plugin-paper';

/**
 * The built-in venue plugins, registered by name exactly like a third-party package would be:
 * nothing is discovered by scanning folders.
 */
export const VENUE_PLUGINS: Readonly<Record<string, VenuePlugin>> = {
  paper: paperPlugin as unknown as VenuePlugin,
  binance: binancePlugin as unknown as VenuePlugin,
  coinbase: coinbasePlugin as unknown as VenuePlugin,
  okx: okxPlugin as unknown as VenuePlugin,
  oanda: oandaPlugin as unknown as VenuePlugin,
};
