/**
 * @packageDocumentation
 * Test tools for autotrader and for plugin authors: the venue conformance suite and helpers.
 */
export { describeVenueConformance, type ConformanceHarness, type ConformanceOptions } from './conformance';
export { waitFor } from './wait';
export { testFill, testOrder } from './order';
export { rejectionOf } from './rejection';
