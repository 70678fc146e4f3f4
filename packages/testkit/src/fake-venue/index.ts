/**
 * @packageDocumentation
 * The fake-venue kit: what every fake venue shares, whatever its wire protocol. A loopback HTTP and
 * WebSocket server with routing hooks, chunked-HTTP line streams, a fault plan, a ledger that
 * locks funds for open orders and charges fees in any asset, keep-alives, windowed rate limits and
 * a venue clock that can be skewed. A fake built on it writes only its venue's protocol: paths,
 * signatures, payload shapes, error codes and matching rules.
 *
 * Imported as `@autotrader/testkit/fake-venue` (no test runner involved, so a benchmark script can
 * start a fake too).
 */
export { VenueClock } from './clock';
export {
  ANY_REQUEST,
  ArmedCount,
  FaultPlan,
  ReportShuffle,
  SequenceGaps,
  type AfterProcessing,
  type FakeRequest,
  type RateLimitFaultOptions,
  type RequestFault,
  type RequestMatcher,
  type RequestVerdict,
  type ScreenHooks,
} from './faults';
export { FeeSchedule, type DiscountAsset, type FeePair, type FeeScheduleOptions } from './fees';
export { startHeartbeat, startIdleTimeout, startPeriodic, type HeartbeatOptions } from './heartbeat';
export { Ledger, placeHold, releaseHold, settleSpotFill, type Commission, type OrderHold, type SpotFill } from './ledger';
export { LevelBook, type BookSide, type Level } from './level-book';
export { LineStream, type LineStreamOptions } from './line-stream';
export { BackoffGate, FixedWindowCounter, SlidingWindowCounter, retryAfterSeconds, type GateAdmission } from './rate-window';
export { RequestLog, type LoggedFakeRequest } from './request-log';
export {
  HttpRouter,
  WsEndpoint,
  dropConnection,
  readBody,
  sendJson,
  startLoopbackServer,
  type LoopbackServer,
  type LoopbackServerOptions,
  type RoutedRequest,
  type RouteHandler,
  type UpgradeRoute,
  type WsEndpointOptions,
} from './server';
