import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '@autotrader/core';
import { rejectionOf } from '@autotrader/testkit';
import { hmacSha256Hex } from './auth';
import { readCredentials } from './credentials';
import { BinanceHttp, mapVenueFailure, parseUsageHeaders, type VenueFailure } from './http';

const KEY = 'test-api-key-0123456789';
const SECRET = 'test-api-secret-9876543210';
const creds = readCredentials({ BINANCE_API_KEY: KEY, BINANCE_API_SECRET: SECRET }, 'hmac');

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let handler: Handler = (_req, res) => res.end('{}');
let server: Server;
let base: string;
const seen: Array<{ method: string; url: URL; headers: IncomingMessage['headers'] }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    seen.push({ method: req.method!, url, headers: req.headers });
    handler(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  seen.length = 0;
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function client(over: Partial<ConstructorParameters<typeof BinanceHttp>[0]> = {}): BinanceHttp {
  return new BinanceHttp({ baseUrl: base, recvWindow: 5000, timeoutMs: 2000, now: () => Date.now(), logger: silentLogger, credentials: () => creds, ...over });
}

const OK = z.object({ ok: z.boolean() });

describe('BinanceHttp', () => {
  it('signs with timestamp, recvWindow and the API key header; the signature verifies', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const http = client();
    await expect(http.request('GET', '/api/v3/account', [['omitZeroBalances', 'true']], OK, { signed: true })).resolves.toEqual({ ok: true });
    const { url, headers } = seen[0]!;
    expect(headers['x-mbx-apikey']).toBe(KEY);
    const raw = url.search.slice(1);
    const [payload, signature] = raw.split('&signature=') as [string, string];
    expect(payload).toMatch(/^omitZeroBalances=true&recvWindow=5000&timestamp=\d{13}$/);
    expect(signature).toBe(hmacSha256Hex(SECRET, payload));
    await http.close();
  });

  it('sends unsigned requests without key or signature', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const http = client();
    await http.request('GET', '/api/v3/depth', [['symbol', 'BTCUSDT'], ['limit', 5]], OK);
    expect(seen[0]!.url.search).toBe('?symbol=BTCUSDT&limit=5');
    expect(seen[0]!.headers['x-mbx-apikey']).toBeUndefined();
    await http.close();
  });

  it('on -1021 re-syncs the clock from /api/v3/time and retries the request once', async () => {
    let refused = 0;
    handler = (_req, res, url) => {
      if (url.pathname === '/api/v3/time') return json(res, 200, { serverTime: Date.now() + 60_000 });
      const ts = Number(url.searchParams.get('timestamp'));
      // The "server" runs a minute ahead: only a timestamp near its time is accepted.
      if (Math.abs(ts - (Date.now() + 60_000)) > 1000) {
        refused++;
        return json(res, 400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
      }
      json(res, 200, { ok: true });
    };
    const http = client();
    await expect(http.request('POST', '/api/v3/order', [['symbol', 'BTCUSDT']], OK, { signed: true, kind: 'order' })).resolves.toEqual({ ok: true });
    expect(refused).toBe(1);
    expect(seen.map((s) => s.url.pathname)).toEqual(['/api/v3/order', '/api/v3/time', '/api/v3/order']);
    expect(http.timeOffsetMs).toBeGreaterThan(59_000);
    await http.close();
  });

  it('retries a -1021 only once, then fails retryable', async () => {
    handler = (_req, res, url) =>
      url.pathname === '/api/v3/time' ? json(res, 200, { serverTime: Date.now() }) : json(res, 400, { code: -1021, msg: 'Timestamp for this request was 1000ms ahead of the server time.' });
    const http = client();
    const e = await rejectionOf(http.request('GET', '/api/v3/account', [], OK, { signed: true }));
    expect(e.code).toBe('VENUE_REJECTED');
    expect(e.retryable).toBe(true);
    expect(e.details.venueCode).toBe(-1021);
    expect(seen.map((s) => s.url.pathname)).toEqual(['/api/v3/account', '/api/v3/time', '/api/v3/account']);
    await http.close();
  });

  it('tracks X-MBX-USED-WEIGHT-* and X-MBX-ORDER-COUNT-* and reports them', async () => {
    handler = (_req, res) => json(res, 200, { ok: true }, { 'X-MBX-USED-WEIGHT-1M': '42', 'X-MBX-USED-WEIGHT': '42', 'X-MBX-ORDER-COUNT-10S': '3', 'X-MBX-ORDER-COUNT-1D': '17' });
    let now = 1_000;
    const http = client({ now: () => now });
    const updates: unknown[] = [];
    const off = http.onUsage((u) => updates.push(u));
    await http.request('POST', '/api/v3/order', [], OK, { signed: true, kind: 'order' });
    expect(http.usage()).toEqual({ usedWeight: { '1m': 42 }, orderCount: { '10s': 3, '1d': 17 }, tsEvent: 1_000 });
    expect(updates).toHaveLength(1);
    off();
    now = 2_000;
    handler = (_req, res) => json(res, 200, { ok: true }, { 'X-MBX-USED-WEIGHT-1M': '50' });
    await http.request('GET', '/api/v3/account', [], OK, { signed: true });
    // Order counts are kept from the last response that had them.
    expect(http.usage()).toEqual({ usedWeight: { '1m': 50 }, orderCount: { '10s': 3, '1d': 17 }, tsEvent: 2_000 });
    expect(updates).toHaveLength(1);
    await http.close();
  });

  it.each([429, 418])('%i → RATE_LIMITED with retryAfterMs from Retry-After', async (status) => {
    handler = (_req, res) => json(res, status, { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.' }, { 'Retry-After': '7' });
    const http = client();
    const e = await rejectionOf(http.request('GET', '/api/v3/exchangeInfo', [], OK));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.details.retryAfterMs).toBe(7000);
    await http.close();
  });

  it('5xx on an order request is VENUE_UNAVAILABLE with an unknown outcome; on a read it is plain', async () => {
    handler = (_req, res) => json(res, 503, { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
    const http = client();
    const order = await rejectionOf(http.request('POST', '/api/v3/order', [], OK, { signed: true, kind: 'order' }));
    expect(order.code).toBe('VENUE_UNAVAILABLE');
    expect(order.retryable).toBe(true);
    expect(order.details.outcomeUnknown).toBe(true);
    const read = await rejectionOf(http.request('GET', '/api/v3/openOrders', [], OK, { signed: true }));
    expect(read.code).toBe('VENUE_UNAVAILABLE');
    expect(read.details.outcomeUnknown).toBeUndefined();
    // No retry of an order by the plugin: exactly one POST went out.
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
    await http.close();
  });

  it('a request with no answer in time is VENUE_TIMEOUT with an unknown outcome', async () => {
    handler = () => {}; // never answers
    const http = client({ timeoutMs: 150 });
    const e = await rejectionOf(http.request('POST', '/api/v3/order', [], OK, { signed: true, kind: 'order' }));
    expect(e.code).toBe('VENUE_TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(e.details.outcomeUnknown).toBe(true);
    await http.close();
  });

  it('an unreachable venue is VENUE_UNAVAILABLE', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const http = client({ baseUrl: `http://127.0.0.1:${port}` });
    const e = await rejectionOf(http.request('GET', '/api/v3/ping', [], z.object({})));
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    await http.close();
  });

  it('an answer that fails its schema is VENUE_MESSAGE_MALFORMED', async () => {
    handler = (_req, res) => json(res, 200, { ok: 'yes' });
    const http = client();
    const e = await rejectionOf(http.request('GET', '/api/v3/ping', [], OK));
    expect(e.code).toBe('VENUE_MESSAGE_MALFORMED');
    expect(e.message).toContain('ok');
    handler = (_req, res) => res.end('<html>');
    expect((await rejectionOf(http.request('GET', '/api/v3/ping', [], OK))).code).toBe('VENUE_MESSAGE_MALFORMED');
    await http.close();
  });

  it('never puts the key or secret in an error', async () => {
    handler = (_req, res) => json(res, 401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    const http = client();
    const e = await rejectionOf(http.request('GET', '/api/v3/account', [], OK, { signed: true }));
    expect(e.code).toBe('AUTH_FAILED');
    const text = JSON.stringify({ message: e.message, details: e.details, stack: e.stack });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('signature');
    await http.close();
  });

  it('throws AUTH_MISSING before sending a signed request without credentials', async () => {
    const http = client({ credentials: () => readCredentials({}, 'hmac') });
    const e = await rejectionOf(http.request('GET', '/api/v3/account', [], OK, { signed: true }));
    expect(e.code).toBe('AUTH_MISSING');
    expect(seen).toHaveLength(0);
    await http.close();
  });
});

describe('mapVenueFailure', () => {
  const f = (over: Partial<VenueFailure>): VenueFailure => ({ status: 400, request: 'POST /api/v3/order', orderRequest: true, ...over });
  it.each([
    [{ code: -1013, msg: 'Filter failure: PRICE_FILTER' }, 'TICK_SIZE'],
    [{ code: -1013, msg: 'Filter failure: LOT_SIZE' }, 'LOT_SIZE'],
    [{ code: -1013, msg: 'Filter failure: MARKET_LOT_SIZE' }, 'LOT_SIZE'],
    [{ code: -1013, msg: 'Filter failure: NOTIONAL' }, 'MIN_NOTIONAL'],
    [{ code: -1013, msg: 'Filter failure: MIN_NOTIONAL' }, 'MIN_NOTIONAL'],
    [{ code: -1013, msg: 'Filter failure: PERCENT_PRICE_BY_SIDE' }, 'VENUE_REJECTED'],
    [{ code: -2010, msg: 'Account has insufficient balance for requested action.' }, 'INSUFFICIENT_FUNDS'],
    [{ code: -2010, msg: 'Order would immediately match and take.' }, 'VENUE_REJECTED'],
    [{ code: -1121, msg: 'Invalid symbol.' }, 'INSTRUMENT_UNKNOWN'],
    [{ code: -1022, msg: 'Signature for this request is not valid.' }, 'AUTH_FAILED'],
    [{ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.', status: 401 }, 'AUTH_FAILED'],
    [{ code: -2011, msg: 'Unknown order sent.' }, 'ORDER_UNKNOWN'],
    [{ code: -2013, msg: 'Order does not exist.' }, 'ORDER_UNKNOWN'],
    [{ code: -1015, msg: 'Too many new orders.', status: 429 }, 'RATE_LIMITED'],
    [{ code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', status: 408 }, 'VENUE_TIMEOUT'],
    [{ status: 502 }, 'VENUE_UNAVAILABLE'],
  ])('%j → %s', (over, code) => {
    const e = mapVenueFailure(f(over), 0);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(['RATE_LIMITED', 'VENUE_UNAVAILABLE', 'VENUE_TIMEOUT'].includes(code));
    if (code === 'VENUE_UNAVAILABLE' || code === 'VENUE_TIMEOUT') expect(e.details.outcomeUnknown).toBe(true);
    else expect(e.details.outcomeUnknown).toBeUndefined();
  });

  it('derives retryAfterMs from a ban time when there is no Retry-After', () => {
    const e = mapVenueFailure(f({ status: 418, code: -1003, msg: 'Way too much request weight used; IP banned until 1659146400000. Please use WebSocket Streams.' }), 1659146000000);
    expect(e.details.retryAfterMs).toBe(400_000);
    expect(mapVenueFailure(f({ status: 429, retryAfterEpochMs: 5_000 }), 1_000).details.retryAfterMs).toBe(4_000);
  });
});

describe('parseUsageHeaders', () => {
  it('reads weights and order counts by interval; none → undefined', () => {
    expect(parseUsageHeaders({ 'x-mbx-used-weight-1m': '12', 'x-mbx-order-count-10s': ['2'], 'content-type': 'x' })).toEqual({ usedWeight: { '1m': 12 }, orderCount: { '10s': 2 } });
    expect(parseUsageHeaders({ 'content-type': 'x' })).toBeUndefined();
  });
});
