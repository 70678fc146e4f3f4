import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../wait';
import { LineStream } from './line-stream';
import { HttpRouter, WsEndpoint, sendJson, startLoopbackServer, type LoopbackServer } from './server';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(...args: Parameters<typeof startLoopbackServer>): Promise<LoopbackServer> {
  const s = await startLoopbackServer(...args);
  servers.push(s);
  return s;
}

/** Opens a WebSocket and resolves once it is open, or rejects with the HTTP status of a refused upgrade. */
function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('the loopback server', () => {
  it('listens on 127.0.0.1 on a port of its own and routes by method and path, keeping the raw query and body', async () => {
    const seen: unknown[] = [];
    const router = new HttpRouter()
      .on('GET', '/orders/:id', (req, res) => {
        seen.push({ id: req.params.id, rawQuery: req.rawQuery, ids: req.query.getAll('x') });
        sendJson(res, 200, { ok: true });
      })
      .on('POST', '/orders', (req, res) => {
        seen.push({ body: req.body });
        sendJson(res, 201, { created: true }, { 'x-ratelimit-remaining': '9' });
      });
    const s = await start({ onRequest: router.handle });
    expect(s.httpUrl).toBe(`http://127.0.0.1:${s.port}`);
    const got = await fetch(`${s.httpUrl}/orders/a%2Fb?x=1&x=2`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ ok: true });
    const posted = await fetch(`${s.httpUrl}/orders`, { method: 'POST', body: '{"q":"1"}' });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('x-ratelimit-remaining')).toBe('9');
    expect((await fetch(`${s.httpUrl}/nothing`)).status).toBe(404);
    expect(seen).toEqual([{ id: 'a/b', rawQuery: 'x=1&x=2', ids: ['1', '2'] }, { body: '{"q":"1"}' }]);
  });

  it('a held response is never answered, and closing the server ends it', async () => {
    let server: LoopbackServer | undefined;
    const s = await startLoopbackServer({ onRequest: (_req, res) => server!.hold(res) });
    server = s;
    const answer = new Promise<string>((resolve) => {
      const req = httpRequest(`${s.httpUrl}/order`, { method: 'POST' }, () => resolve('answered'));
      req.on('error', () => resolve('connection closed'));
      req.end();
    });
    const early = await Promise.race([answer, new Promise((r) => setTimeout(() => r('still waiting'), 200))]);
    expect(early).toBe('still waiting');
    await s.close();
    expect(await answer).toBe('connection closed');
  });

  it('refuses WebSocket upgrades during an outage and accepts them again after; unknown paths are 404', async () => {
    const endpoint = new WsEndpoint({ matches: (u) => u.pathname === '/ws', onConnect: () => ({}) });
    const s = await start({ upgrades: [endpoint] });
    await expect(connect(`${s.wsUrl}/other`)).rejects.toThrow('upgrade refused: 404');
    s.refuseUpgrades(503);
    await expect(connect(`${s.wsUrl}/ws`)).rejects.toThrow('upgrade refused: 503');
    s.refuseUpgrades(undefined);
    const ws = await connect(`${s.wsUrl}/ws`);
    await waitFor('the connection to be listed', () => endpoint.connectionCount() === 1);
    ws.close();
  });
});

describe('WebSocket endpoints', () => {
  it('keep per-connection state, send to one or all, send raw (malformed) frames, and drop every connection', async () => {
    const got: string[] = [];
    const endpoint = new WsEndpoint<{ name: string }>({
      matches: (u) => u.pathname === '/ws',
      onConnect: (_ws, _req, url) => ({ name: url.searchParams.get('name') ?? '?' }),
      onMessage: (ws, state, data) => void endpoint.send(ws, { echo: `${state.name}:${data.toString()}` }),
    });
    const s = await start({ upgrades: [endpoint] });
    const a = await connect(`${s.wsUrl}/ws?name=a`);
    const b = await connect(`${s.wsUrl}/ws?name=b`);
    for (const ws of [a, b]) ws.on('message', (m) => got.push(m.toString()));
    a.send('hi');
    await waitFor('the echo', () => got.includes('{"echo":"a:hi"}'));
    expect(endpoint.broadcast({ t: 1 }, (st) => st.name === 'b')).toBe(1);
    expect(endpoint.sendRaw('{"broken":')).toBe(2);
    await waitFor('three more frames', () => got.length === 4);
    expect(got.filter((m) => m === '{"broken":')).toHaveLength(2);
    const closed = Promise.all([once(a, 'close'), once(b, 'close')]);
    expect(endpoint.dropAll()).toBe(2);
    await closed;
    await waitFor('no connection listed', () => endpoint.connectionCount() === 0);
  });

  it('ping every socket and terminate one that stops answering with pongs', async () => {
    // Generous timings: a busy machine may hold a pong back for a while, which must not drop a socket that answers.
    const endpoint = new WsEndpoint({ matches: () => true, heartbeat: { intervalMs: 50, pongTimeoutMs: 400 }, onConnect: () => ({}) });
    const s = await start({ upgrades: [endpoint] });
    const answering = await connect(`${s.wsUrl}/`);
    const silent = await connect(`${s.wsUrl}/`, { autoPong: false });
    let pings = 0;
    silent.on('ping', () => pings++);
    await once(silent, 'close');
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(answering.readyState).toBe(WebSocket.OPEN);
    await waitFor('only the answering socket to be listed', () => endpoint.connectionCount() === 1);
    answering.close();
  });

  it('terminate a socket that sends nothing for the idle timeout, and keep one that does', async () => {
    const endpoint = new WsEndpoint({ matches: () => true, idleTimeoutMs: 400, onConnect: () => ({}) });
    const s = await start({ upgrades: [endpoint] });
    const talker = await connect(`${s.wsUrl}/`);
    const silent = await connect(`${s.wsUrl}/`);
    const timer = setInterval(() => talker.send('ping'), 50);
    try {
      await once(silent, 'close');
      expect(talker.readyState).toBe(WebSocket.OPEN);
    } finally {
      clearInterval(timer);
    }
  });
});

/** Reads a chunked response line by line. */
async function readLines(url: string, onLine: (line: string) => boolean): Promise<'done' | 'ended'> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 'ended';
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (onLine(line)) {
        await reader.cancel();
        return 'done';
      }
    }
  }
}

describe('chunked-HTTP line streams', () => {
  it('write one JSON object per line, several per chunk, heartbeats on a timer, and stop for a stall', async () => {
    let stream: LineStream | undefined;
    const s = await start({
      onRequest: (_req, res) => {
        stream = new LineStream(res, { heartbeat: { intervalMs: 40, line: () => ({ type: 'HEARTBEAT' }) } });
      },
    });
    const lines: unknown[] = [];
    const reading = readLines(`${s.httpUrl}/stream`, (line) => {
      lines.push(JSON.parse(line));
      return lines.length === 5;
    });
    await waitFor('the stream to open', () => stream);
    stream!.write({ type: 'PRICE', bid: '1.1' });
    stream!.writeMany([{ type: 'PRICE', bid: '1.2' }, { type: 'PRICE', bid: '1.3' }]);
    expect(await reading).toBe('done');
    expect(lines.slice(0, 3)).toEqual([{ type: 'PRICE', bid: '1.1' }, { type: 'PRICE', bid: '1.2' }, { type: 'PRICE', bid: '1.3' }]);
    expect(lines.slice(3)).toEqual([{ type: 'HEARTBEAT' }, { type: 'HEARTBEAT' }]);
    await waitFor('the stream to close', () => !stream!.open);
  });

  it('a stalled stream sends nothing more, not even heartbeats, and keeps its connection; a dropped one ends', async () => {
    let stream: LineStream | undefined;
    const s = await start({ onRequest: (_req, res) => void (stream = new LineStream(res, { heartbeat: { intervalMs: 20, line: () => ({ type: 'HEARTBEAT' }) } })) });
    const lines: string[] = [];
    const reading = readLines(`${s.httpUrl}/stream`, (line) => {
      lines.push(line);
      return false;
    }).catch(() => 'error');
    await waitFor('a heartbeat', () => lines.length > 0);
    stream!.stall();
    expect(stream!.write({ type: 'PRICE' })).toBe(false);
    const seen = lines.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(lines.length).toBeLessThanOrEqual(seen + 1); // one chunk may have been in flight
    expect(stream!.open).toBe(true);
    stream!.drop();
    expect(await reading).toMatch(/ended|error/);
  });
});
