/**
 * OKX's documented rate limits of the endpoints the fake serves, per 2 seconds (docs-v5 "Rate
 * Limit" and "Rate limit rule" of each endpoint). The WebSocket `order`, `amend-order` and
 * `cancel-order` ops share the limit of their REST twins ("Rate limit is shared with the Place
 * order REST API endpoints").
 * @module
 */
import type { RateRule } from './gatekeeper';

interface Limit {
  /** Requests per 2 s. */
  readonly limit: number;
  /** What the count is kept per: User ID (our API key), User ID + Instrument ID, or IP. */
  readonly by: 'user' | 'user+instId' | 'ip';
  /** Endpoints sharing one count have the same group. */
  readonly group: string;
}

const LIMITS: Readonly<Record<string, Limit>> = {
  'POST /api/v5/trade/order': { limit: 60, by: 'user+instId', group: 'place' },
  'WS order': { limit: 60, by: 'user+instId', group: 'place' },
  'POST /api/v5/trade/amend-order': { limit: 60, by: 'user+instId', group: 'amend' },
  'WS amend-order': { limit: 60, by: 'user+instId', group: 'amend' },
  'POST /api/v5/trade/cancel-order': { limit: 60, by: 'user+instId', group: 'cancel' },
  'WS cancel-order': { limit: 60, by: 'user+instId', group: 'cancel' },
  'GET /api/v5/trade/order': { limit: 60, by: 'user+instId', group: 'order-details' },
  'GET /api/v5/trade/orders-pending': { limit: 60, by: 'user', group: 'orders-pending' },
  'GET /api/v5/trade/orders-history': { limit: 40, by: 'user', group: 'orders-history' },
  'GET /api/v5/trade/fills': { limit: 60, by: 'user', group: 'fills' },
  'GET /api/v5/trade/fills-history': { limit: 10, by: 'user', group: 'fills-history' },
  'GET /api/v5/account/balance': { limit: 10, by: 'user', group: 'balance' },
  'GET /api/v5/account/config': { limit: 5, by: 'user', group: 'config' },
  'GET /api/v5/public/time': { limit: 10, by: 'ip', group: 'time' },
  'GET /api/v5/public/instruments': { limit: 20, by: 'ip', group: 'instruments' },
  'GET /api/v5/market/ticker': { limit: 20, by: 'ip', group: 'ticker' },
  'GET /api/v5/market/tickers': { limit: 20, by: 'ip', group: 'tickers' },
  'GET /api/v5/market/books': { limit: 40, by: 'ip', group: 'books' },
  'GET /api/v5/market/trades': { limit: 100, by: 'ip', group: 'trades' },
  'GET /api/v5/market/candles': { limit: 40, by: 'ip', group: 'candles' },
  'GET /api/v5/market/history-candles': { limit: 20, by: 'ip', group: 'history-candles' },
};

/** The limit of `endpoint` ("GET /api/v5/..." or "WS order") for this caller, if OKX documents one. */
export function rateRule(endpoint: string, who: { readonly env: string; readonly apiKey?: string; readonly instId?: string; readonly ip: string }): RateRule | undefined {
  const l = LIMITS[endpoint];
  if (l === undefined) return undefined;
  const id = l.by === 'ip' ? `ip:${who.ip}` : l.by === 'user' ? `${who.env}:${who.apiKey ?? ''}` : `${who.env}:${who.apiKey ?? ''}:${who.instId ?? ''}`;
  return { key: `${l.group}|${id}`, limit: l.limit, windowMs: 2000 };
}
