import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AutotraderError, EventBus, RealtimeClock, silentLogger, type PluginContext } from '@autotrader/core';
import { retryAfterMs } from './retry-after';
import { SignedHttpClient, type HttpFailure, type PreparedRequest, type SignedHttpOptions } from './signed-http';
import { VenueClock } from './venue-clock';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => void;
let handler: Handler = (_req, res) => res.end('{}');
let server: Server;
let base: string;
const seen: Array<{ method: string; url: URL; headers: IncomingMessage['headers']; body: string; socketPort: number }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      seen.push({ method: req.method!, url, headers: req.headers, body, socketPort: req.socket.remotePort! });
      handler(req, res, url, body);
    });
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

async function rejection(p: Promise<unknown>): Promise<AutotraderError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof AutotraderError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const SECRET = 'kit-test-secret-0123456789';

/** An OKX-like signature: base64 HMAC of timestamp + METHOD + path?query + body, in headers. */
const signOkxStyle = (clock: () => string) => (r: PreparedRequest): PreparedRequest => {
  if (!r.signed) return r;
  const ts = clock();
  const path = r.path + (r.query.length > 0 ? `?${r.query}` : '');
  const sign = createHmac('sha256', SECRET).update(ts + r.method + path + r.body).digest('base64');
  return { ...r, headers: { ...r.headers, 'ok-access-key': 'key-1', 'ok-access-timestamp': ts, 'ok-access-sign': sign } };
};

/** A venue whose error bodies are `{ code, msg }` and whose 5xx and 429 are what the engine expects. */
function mapError(f: HttpFailure): AutotraderError {
  const body = f.json as { code?: string; msg?: string } | undefined;
  const details: Record<string, unknown> = { request: f.request, status: f.status, venueCode: body?.code };
  if (f.status === 429) return new AutotraderError('RATE_LIMITED', `${f.request}: 429`, { details: { ...details, retryAfterMs: retryAfterMs(f.headers['retry-after'], f.now) ?? 1000 } });
  if (f.status >= 500) return new AutotraderError('VENUE_UNAVAILABLE', `${f.request}: HTTP ${f.status}`, { details });
  if (body?.code === '50113') return new AutotraderError('AUTH_FAILED', `${f.request}: invalid signature`, { details });
  return new AutotraderError('VENUE_REJECTED', `${f.request}: ${body?.code} ${body?.msg}`, { details });
}

function client(over: Partial<SignedHttpOptions> = {}): SignedHttpClient {
  return new SignedHttpClient({
    venue: 'Acme',
    baseUrl: `${base}/`,
    timeoutMs: 2000,
    now: () => Date.now(),
    logger: silentLogger,
    sign: signOkxStyle(() => '2020-12-08T09:08:57.715Z'),
    mapError,
    ...over,
  });
}

const OK = z.object({ ok: z.boolean() });

describe('SignedHttpClient', () => {
  it('sends the query in order and the JSON body byte for byte as signed', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const http = client();
    const body = { instId: 'BTC-USDT', sz: '0.01', px: '1e-7' };
    await expect(http.request({ method: 'POST', path: '/api/v5/trade/order', query: [['b', 2], ['a', 'x y']], body, schema: OK, signed: true, kind: 'order' })).resolves.toEqual({
      ok: true,
    });
    const s = seen[0]!;
    expect(s.url.search).toBe('?b=2&a=x%20y');
    expect(s.body).toBe(JSON.stringify(body));
    expect(s.headers['content-type']).toBe('application/json');
    const expected = createHmac('sha256', SECRET).update('2020-12-08T09:08:57.715Z' + 'POST' + '/api/v5/trade/order?b=2&a=x%20y' + s.body).digest('base64');
    expect(s.headers['ok-access-sign']).toBe(expected);
    expect(s.headers.accept).toBe('application/json');
    await http.close();
  });

  it('asks sign for every request and it may leave unsigned ones alone; a signed request without a sign hook is INTERNAL', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const http = client();
    await http.request({ method: 'GET', path: '/public', schema: OK });
    expect(seen[0]!.headers['ok-access-sign']).toBeUndefined();
    const bare = client({ sign: undefined });
    expect((await rejection(bare.request({ method: 'GET', path: '/private', schema: OK, signed: true }))).code).toBe('INTERNAL');
    expect(seen).toHaveLength(1);
    await Promise.all([http.close(), bare.close()]);
  });

  it('a sign hook that throws AUTH_MISSING sends nothing', async () => {
    const http = client({
      sign: () => {
        throw new AutotraderError('AUTH_MISSING', 'ACME_API_KEY is not set');
      },
    });
    expect((await rejection(http.request({ method: 'GET', path: '/private', schema: OK, signed: true }))).code).toBe('AUTH_MISSING');
    expect(seen).toHaveLength(0);
    await http.close();
  });

  it('maps error answers with the plugin hook and keeps its retryable flag', async () => {
    handler = (_req, res) => json(res, 401, { code: '50113', msg: 'Invalid Sign' });
    const http = client();
    const e = await rejection(http.request({ method: 'GET', path: '/api/v5/account/balance', schema: OK, signed: true }));
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.details.venueCode).toBe('50113');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(SECRET);
    await http.close();
  });

  it('a 2xx answer that isFailure calls an error goes to mapError too (OKX code ≠ "0")', async () => {
    handler = (_req, res) => json(res, 200, { code: '51000', msg: 'Parameter instId error', data: [] });
    const http = client({ isFailure: (body) => (body as { code?: string }).code !== '0' });
    const e = await rejection(http.request({ method: 'POST', path: '/api/v5/trade/order', body: {}, schema: z.unknown(), signed: true, kind: 'order' }));
    expect(e.code).toBe('VENUE_REJECTED');
    expect(e.details.outcomeUnknown).toBeUndefined();
    await http.close();
  });

  it('429 is RATE_LIMITED with retryAfterMs from Retry-After', async () => {
    handler = (_req, res) => json(res, 429, { code: '50011', msg: 'Rate limit reached' }, { 'retry-after': '3' });
    const http = client();
    const e = await rejection(http.request({ method: 'GET', path: '/x', schema: OK }));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.details.retryAfterMs).toBe(3000);
    await http.close();
  });

  it('5xx: an order request has an unknown outcome, a read has not', async () => {
    handler = (_req, res) => json(res, 503, { code: '50001', msg: 'Service temporarily unavailable' });
    const http = client();
    const order = await rejection(http.request({ method: 'POST', path: '/order', body: {}, schema: OK, signed: true, kind: 'order' }));
    expect(order.code).toBe('VENUE_UNAVAILABLE');
    expect(order.details.outcomeUnknown).toBe(true);
    const read = await rejection(http.request({ method: 'GET', path: '/orders', schema: OK, signed: true }));
    expect(read.details.outcomeUnknown).toBeUndefined();
    expect(seen.filter((s) => s.method === 'POST')).toHaveLength(1);
    await http.close();
  });

  it('mapError decides the outcome when it says so (a 5xx the venue documents as not processed)', async () => {
    handler = (_req, res) => json(res, 503, { code: '50001', msg: 'maintenance: nothing was processed' });
    const http = client({ mapError: (f) => new AutotraderError('VENUE_UNAVAILABLE', f.request, { details: { outcomeUnknown: false } }) });
    const e = await rejection(http.request({ method: 'POST', path: '/order', body: {}, schema: OK, kind: 'order' }));
    expect(e.details).not.toHaveProperty('outcomeUnknown');
    await http.close();
  });

  it('no answer in time: VENUE_TIMEOUT, outcome unknown for an order', async () => {
    handler = () => {}; // never answers
    const http = client({ timeoutMs: 150 });
    const e = await rejection(http.request({ method: 'POST', path: '/order', body: {}, schema: OK, kind: 'order' }));
    expect(e.code).toBe('VENUE_TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(e.details.outcomeUnknown).toBe(true);
    expect(e.message).toContain('no answer within 150 ms');
    await http.close();
  });

  it('a connection dropped after the venue read the order: outcome unknown', async () => {
    handler = (req) => req.socket.destroy();
    const http = client();
    const e = await rejection(http.request({ method: 'POST', path: '/order', body: {}, schema: OK, kind: 'order' }));
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    expect(e.details.outcomeUnknown).toBe(true);
    expect(seen).toHaveLength(1);
    await http.close();
  });

  it('a venue that refuses the connection never got the order: no unknown outcome', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const http = client({ baseUrl: `http://127.0.0.1:${port}` });
    const e = await rejection(http.request({ method: 'POST', path: '/order', body: {}, schema: OK, kind: 'order' }));
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.details.transport).toBe('ECONNREFUSED');
    expect(e.details.outcomeUnknown).toBeUndefined();
    await http.close();
  });

  it('an answer that is not JSON or fails its schema is VENUE_MESSAGE_MALFORMED, described by the one formatter', async () => {
    handler = (_req, res) => json(res, 200, { ok: 'yes' });
    const http = client();
    const e = await rejection(http.request({ method: 'GET', path: '/x', schema: OK }));
    expect(e.code).toBe('VENUE_MESSAGE_MALFORMED');
    expect(e.message).toBe('Acme GET /x: unexpected answer (ok: Invalid input: expected boolean, received string)');
    handler = (_req, res) => res.end('<html>');
    const order = await rejection(http.request({ method: 'POST', path: '/order', body: {}, schema: OK, kind: 'order' }));
    expect(order.code).toBe('VENUE_MESSAGE_MALFORMED');
    // The venue answered 200 to an order we cannot read: it may have placed it.
    expect(order.details.outcomeUnknown).toBe(true);
    await http.close();
  });

  it('reports usage from headers through readUsage and keeps counters of other intervals', async () => {
    let now = 1_000;
    handler = (_req, res) => json(res, 200, { ok: true }, { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '25' });
    const http = client({
      now: () => now,
      readUsage: (h) => {
        const limit = Number(h['x-ratelimit-limit']);
        const remaining = Number(h['x-ratelimit-remaining']);
        return Number.isFinite(limit) && Number.isFinite(remaining) ? { usedWeight: { '1s': limit - remaining } } : undefined;
      },
    });
    const updates: unknown[] = [];
    const off = http.onUsage((u) => updates.push(u));
    await http.request({ method: 'GET', path: '/x', schema: OK });
    expect(http.usage()).toEqual({ usedWeight: { '1s': 5 }, orderCount: {}, tsEvent: 1_000 });
    off();
    now = 2_000;
    handler = (_req, res) => json(res, 200, { ok: true });
    await http.request({ method: 'GET', path: '/x', schema: OK });
    expect(http.usage().tsEvent).toBe(1_000);
    expect(updates).toHaveLength(1);
    await http.close();
  });

  it('recover repairs once and resends re-signed; a second failure is final', async () => {
    let serverSkewMs = 60_000;
    const clock = new VenueClock(() => Date.now());
    handler = (_req, res, url) => {
      if (url.pathname === '/time') return json(res, 200, { ts: Date.now() + serverSkewMs });
      const ts = Number(seen[seen.length - 1]!.headers['ok-access-timestamp']);
      if (Math.abs(ts - (Date.now() + serverSkewMs)) > 1000) return json(res, 400, { code: '50102', msg: 'Timestamp request expired' });
      json(res, 200, { ok: true });
    };
    let repairs = 0;
    const http: SignedHttpClient = client({
      sign: signOkxStyle(() => String(clock.now())),
      recover: async (error) => {
        if (error.details.venueCode !== '50102') return false;
        repairs++;
        await clock.sync(async () => (await http.request({ method: 'GET', path: '/time', schema: z.object({ ts: z.number() }) })).ts);
        return true;
      },
    });
    await expect(http.request({ method: 'GET', path: '/private', schema: OK, signed: true })).resolves.toEqual({ ok: true });
    expect(seen.map((s) => s.url.pathname)).toEqual(['/private', '/time', '/private']);
    expect(clock.offsetMs).toBeGreaterThan(59_000);
    expect(repairs).toBe(1);

    seen.length = 0;
    serverSkewMs = -60_000;
    handler = (_req, res, url) => (url.pathname === '/time' ? json(res, 200, { ts: Date.now() + 120_000 }) : json(res, 400, { code: '50102', msg: 'Timestamp request expired' }));
    const e = await rejection(http.request({ method: 'GET', path: '/private', schema: OK, signed: true }));
    expect(e.details.venueCode).toBe('50102');
    expect(seen.map((s) => s.url.pathname)).toEqual(['/private', '/time', '/private']);
    await http.close();
  });

  it('sends through the plugin context’s connection pool and leaves it open on close()', async () => {
    handler = (_req, res) => json(res, 200, { ok: true });
    const pool = new Agent({ connections: 1 });
    const ctx: PluginContext = { clock: new RealtimeClock(), bus: new EventBus(), logger: silentLogger, env: {}, dispatcher: pool };
    const a = client({ dispatcher: ctx.dispatcher });
    const b = client({ dispatcher: ctx.dispatcher });
    await a.request({ method: 'GET', path: '/one', schema: OK });
    await b.request({ method: 'GET', path: '/two', schema: OK });
    // One pool, one keep-alive connection: both requests came over the same socket.
    expect(seen[0]!.socketPort).toBe(seen[1]!.socketPort);
    await a.close();
    await b.close();
    await expect(b.request({ method: 'GET', path: '/three', schema: OK })).resolves.toEqual({ ok: true });
    await pool.close();
    expect((await rejection(b.request({ method: 'GET', path: '/four', schema: OK }))).code).toBe('VENUE_UNAVAILABLE');
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates; nothing readable is undefined', () => {
    expect(retryAfterMs('7', 0)).toBe(7000);
    expect(retryAfterMs(['0.5'], 0)).toBe(500);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(retryAfterMs(' ', 0)).toBeUndefined();
  });
});
