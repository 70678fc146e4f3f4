/**
 * @packageDocumentation
 * What every venue plugin shares, so that each plugin writes only what is its venue's (signing, mapping,
 * stream names, error codes): a signed HTTP client, a reconnecting WebSocket with heartbeat policies and
 * a table of pending requests, a chunked-HTTP line stream, book sequencing, client-order-id codecs, and
 * the config blocks every plugin's schema shares. The guide to writing a plugin is this package's README.
 */
export { urlOption, reconnectSchema, timeoutsSchema, backoffPolicyOf, type ReconnectConfig, type TimeoutsConfig } from './config';
export { RecentKeys } from './recent-keys';
export { checkFrame, parseJsonFrame, reportSkippedFrame, type Checked, type FrameProblemSink } from './frames';
export { encodeQuery, percentEncode, type QueryParams, type QueryValue } from './http/query';
export { retryAfterMs } from './http/retry-after';
export { VenueClock } from './http/venue-clock';
export {
  SignedHttpClient,
  type HttpFailure,
  type HttpMethod,
  type PreparedRequest,
  type RequestKind,
  type RequestSpec,
  type ResponseHeaders,
  type SignedHttpOptions,
  type TrackedUsage,
} from './http/signed-http';
export { VenueHttp, type VenueRequestOptions } from './http/venue-http';
export {
  FRAME_CHANNEL,
  ReconnectingSocket,
  venueStateOf,
  type HeartbeatPolicy,
  type OpenInfo,
  type ReconnectingSocketOptions,
  type SocketState,
} from './ws/reconnecting-socket';
export { PendingRequests } from './ws/pending-requests';
export { socketSettings } from './ws/settings';
export { checkCounter, checkLinked, checkRange, type SequenceVerdict } from './book/sequence';
export { BookSide, BookSync, type BookRules, type SnapshotResult, type UpdateResult, type WireLevel } from './book/book-sync';
export { LineSplitter, LineStream, defaultStreamError, type LineStreamOptions } from './stream/line-stream';
export {
  binanceClientOrderIds,
  coinbaseClientOrderIds,
  escapeCodec,
  IbOrderIdCodec,
  identityCodec,
  okxClientOrderIds,
  type ClientOrderIdCodec,
  type EscapeCodecSpec,
  type IbOrderRef,
} from './client-order-id/codec';
export { InstrumentCache, type InstrumentSource, type LoadedInstruments } from './instruments/instrument-cache';
export { pause } from './http/pause';
export { deliverOnce, type ReportContext } from './report-once';
export { spotPositions } from './positions/spot-positions';
export { OrderQueues } from './order-queues';
