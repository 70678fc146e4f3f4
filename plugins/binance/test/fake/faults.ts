/**
 * Armed faults. Counted request faults sit in one queue and are consumed in the order they were
 * armed: a request takes the first armed fault whose target matches it.
 * @module
 */

/** A REST or WebSocket API request, as faults and the request log see it. */
export interface FakeRequest {
  readonly transport: 'rest' | 'ws-api';
  /** HTTP method, or `WS` for a WebSocket API request. */
  readonly method: string;
  /** REST path (`/api/v3/order`) or WebSocket API method (`order.place`). */
  readonly path: string;
  /** Parameters sent, `signature` removed. */
  readonly params: Readonly<Record<string, string>>;
}

/** Chooses which requests a fault applies to. */
export type RequestMatcher = (request: FakeRequest) => boolean;

/** Every REST and WebSocket API request. */
export const ANY_REQUEST: RequestMatcher = () => true;

const ORDER_PLACEMENTS = new Set(['/api/v3/order', '/api/v3/order/cancelReplace', 'order.place', 'order.cancelReplace']);

/** Requests that place an order: POST /api/v3/order, POST /api/v3/order/cancelReplace, order.place, order.cancelReplace. */
export const ORDER_PLACEMENT: RequestMatcher = (r) =>
  ORDER_PLACEMENTS.has(r.path) && (r.transport === 'ws-api' || r.method === 'POST');

/** A fault armed for a number of requests. */
export type CountedFault =
  | { readonly kind: 'rateLimit'; remaining: number; readonly target: RequestMatcher; readonly retryAfterSec: number; readonly escalateAfter?: number; readonly banSec: number }
  | { readonly kind: 'serverError'; remaining: number; readonly target: RequestMatcher; readonly status: number }
  | { readonly kind: 'acceptThenTimeout'; remaining: number; readonly target: RequestMatcher }
  | { readonly kind: 'dropRequest'; remaining: number; readonly target: RequestMatcher };

/** Faults armed on one fake venue. */
export class FaultPlan {
  private readonly queue: CountedFault[] = [];
  /** Delay before every REST and WebSocket API response, ms. */
  delayMs = 0;
  /** Duplicate and reorder the execution reports of the next action that produces any. */
  duplicateReports = false;
  /** depthUpdate calls still to be sent with a gap in U/u. */
  depthGaps = 0;

  /** Arms a counted fault (ignored when its count is not positive). */
  arm(fault: CountedFault): void {
    if (fault.remaining > 0) this.queue.push(fault);
  }

  /** The first armed fault that applies to `request`, without consuming it. */
  match(request: FakeRequest): CountedFault | undefined {
    return this.queue.find((f) => f.target(request));
  }

  /** Uses up one count of `fault`. */
  consume(fault: CountedFault): void {
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      const i = this.queue.indexOf(fault);
      if (i >= 0) this.queue.splice(i, 1);
    }
  }
}
