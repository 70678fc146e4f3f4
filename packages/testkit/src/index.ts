/**
 * @packageDocumentation
 * Test tools for autotrader and for plugin authors: the venue conformance suite and helpers. The
 * fake-venue kit (loopback server, fault plan, ledger, heartbeats, rate windows) is its own entry,
 * `@autotrader/testkit/fake-venue`.
 */
export {
  describeVenueConformance,
  isNotApplicable,
  notApplicable,
  type ConformanceHarness,
  type ConformanceOptions,
  type HarnessRequest,
  type Hook,
  type NotApplicable,
  type RestartedProcess,
  type VenueBalanceTruth,
  type VenueFillTruth,
} from './conformance';
export { waitFor } from './wait';
export { testFill, testOrder } from './order';
export { rejectionOf } from './rejection';
export { runParity, parityWalk, orderKey, fillKey, type ParityOptions, type ParityResult } from './parity';
export { pingPong } from './strategies/ping-pong';
