/**
 * Binance's view of the kit's fault plan (`@autotrader/testkit/fake-venue`): requests come through
 * REST or the WebSocket API, and order placements are the requests that place an order. The plan
 * itself (counted faults consumed in the order armed, delays), duplicated and reordered reports and
 * depth sequence gaps are the kit's.
 * @module
 */
import {
  ANY_REQUEST as KIT_ANY_REQUEST,
  FaultPlan,
  ReportShuffle,
  SequenceGaps,
  type FakeRequest as KitFakeRequest,
  type RequestMatcher as KitRequestMatcher,
} from '@autotrader/testkit/fake-venue';

/** A REST or WebSocket API request, as faults and the request log see it. */
export type FakeRequest = KitFakeRequest<'rest' | 'ws-api'>;

/** Chooses which requests a fault applies to. */
export type RequestMatcher = KitRequestMatcher<FakeRequest>;

/** Every REST and WebSocket API request. */
export const ANY_REQUEST: RequestMatcher = KIT_ANY_REQUEST;

const ORDER_PLACEMENTS = new Set(['/api/v3/order', '/api/v3/order/cancelReplace', 'order.place', 'order.cancelReplace']);

/** Requests that place an order: POST /api/v3/order, POST /api/v3/order/cancelReplace, order.place, order.cancelReplace. */
export const ORDER_PLACEMENT: RequestMatcher = (r) =>
  ORDER_PLACEMENTS.has(r.path) && (r.transport === 'ws-api' || r.method === 'POST');

/** Everything armed on one fake Binance. */
export interface BinanceFaultState {
  /** Counted request faults and response delays. */
  readonly requests: FaultPlan<FakeRequest>;
  /** Duplicated and reordered execution reports. */
  readonly reports: ReportShuffle;
  /** Gaps in the depth update ids (each skips 10). */
  readonly depthGaps: SequenceGaps;
}

/** A fresh, empty fault state. */
export function createFaultState(): BinanceFaultState {
  return { requests: new FaultPlan<FakeRequest>('Fake Binance'), reports: new ReportShuffle(), depthGaps: new SequenceGaps() };
}
