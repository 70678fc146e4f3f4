/**
 * @packageDocumentation
 * The simulated venue: one matching engine for backtest and paper trading, with fees, slippage,
 * latency, venue rules, a cash account and fault injection. See README.md for the matching semantics.
 */
export { paperVenueConfigSchema, SUPPORTED_ORDER_TYPES, SUPPORTED_TIME_IN_FORCE } from './config';
export type { PaperVenueConfig, PaperVenueConfigInput, SlippageConfig } from './config';
export { SimulatedVenue, createSimulatedVenue, nextDayEnd } from './venue';
export type { SimulatedVenueOptions, LastMarket } from './venue';
export type { VenueFaults } from './faults';
export { paperPlugin, paperCapabilities, configInstruments } from './plugin';
export { barPath, matchBar, matchAtPoint, matchSegment } from './matching';
export type { MatchOut, MatchState, PriceSource } from './matching';
