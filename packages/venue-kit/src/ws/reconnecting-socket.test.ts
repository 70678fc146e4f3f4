import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AutotraderError, silentLogger } from '@autotrader/core';
import { ReconnectingSocket, venueStateOf, type OpenInfo, type ReconnectingSocketOptions } from './reconnecting-socket';
import { socketSettings } from './settings';

const servers: WebSocketServer[] = [];
const sockets: ReconnectingSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function server(options: { autoPong?: boolean } = {}): Promise<{ wss: WebSocketServer; url: string; connections: WebSocket[]; received: string[]; pings: () => number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: options.autoPong ?? true });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const connections: WebSocket[] = [];
  const received: string[] = [];
  let pings = 0;
  wss.on('connection', (ws, req) => {
    connections.push(ws);
    (ws as unknown as { headers: unknown }).headers = req.headers;
    ws.on('message', (d) => received.push(d.toString()));
    ws.on('ping', () => pings++);
  });
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, connections, received, pings: () => pings };
}

function socket(url: string, over: Partial<ReconnectingSocketOptions> = {}) {
  const states: string[] = [];
  const messages: string[] = [];
  const opens: OpenInfo[] = [];
  const s = new ReconnectingSocket({
    name: 'test socket',
    url: () => url,
    logger: silentLogger,
    backoff: { baseDelayMs: 20, maxDelayMs: 100, jitter: 0 },
    connectTimeoutMs: 1000,
    heartbeat: { kind: 'server-ping' },
    idleTimeoutMs: 30_000,
    onOpen: async (_socket, info) => {
      opens.push(info);
    },
    onMessage: (t) => messages.push(t),
    onState: (state) => states.push(state),
    ...over,
  });
  sockets.push(s);
  return { s, states, messages, opens };
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ReconnectingSocket', () => {
  it('connects, receives frames, and after a drop reconnects and runs onOpen again as a reconnect', async () => {
    const { url, connections } = await server();
    const t = socket(url);
    await t.s.start();
    expect(t.s.connected).toBe(true);
    connections[0]!.send('hello');
    await until(() => t.messages.length === 1);
    expect(t.messages).toEqual(['hello']);
    connections[0]!.terminate();
    await until(() => t.opens.length === 2 && t.s.connected);
    expect(t.opens).toEqual([{ reconnect: false }, { reconnect: true }]);
    expect(t.states).toEqual(['connected', 'disconnected', 'connected']);
    expect(connections).toHaveLength(2);
  });

  it('concurrent starts share one connection and all resolve only once it is open', async () => {
    const { url, connections } = await server();
    let release: () => void = () => {};
    const t = socket(url, { onOpen: () => new Promise<void>((r) => (release = r)) });
    const first = t.s.start();
    let secondDone = false;
    const second = t.s.start().then(() => (secondDone = true));
    await until(() => connections.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    // The second caller must not be told the socket is ready while onOpen (the subscription) is still running.
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(t.s.connected).toBe(true);
    expect(connections).toHaveLength(1);
  });

  it('waits the shared backoff between failed attempts, growing each time', async () => {
    const { wss, url, connections } = await server();
    const t = socket(url, { backoff: { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0 } });
    await t.s.start();
    // Refuse the next two upgrades, then accept again.
    let refusals = 0;
    const times: number[] = [];
    wss.on('headers', () => times.push(Date.now()));
    (wss.options as { verifyClient?: unknown }).verifyClient = (_info: unknown, cb: (ok: boolean) => void) => cb(++refusals > 2);
    const dropped = Date.now();
    connections[0]!.terminate();
    await until(() => t.s.connected && connections.length === 2, 5000);
    // Attempts at about +100 (refused), +100+200 (refused), +100+200+400 (accepted).
    const elapsed = Date.now() - dropped;
    expect(elapsed).toBeGreaterThanOrEqual(650);
    expect(elapsed).toBeLessThan(2000);
    expect(refusals).toBe(3);
  });

  it('answers server pings', async () => {
    const { url, connections } = await server();
    const t = socket(url);
    await t.s.start();
    const pong = new Promise<string>((r) => connections[0]!.once('pong', (data) => r(data.toString())));
    connections[0]!.ping('are-you-there');
    expect(await pong).toBe('are-you-there');
  });

  it('client-ping: sends WebSocket pings; a server that never answers is dead and reconnected', async () => {
    const { url, connections, pings } = await server({ autoPong: false });
    const t = socket(url, { heartbeat: { kind: 'client-ping', intervalMs: 50 }, idleTimeoutMs: 200 });
    await t.s.start();
    await until(() => connections.length >= 2 && t.s.connected, 5000);
    expect(pings()).toBeGreaterThanOrEqual(2);
    expect(t.states.slice(0, 3)).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('server-ping: a quiet but pinged socket stays; a silent one is dead', async () => {
    const { url, connections } = await server();
    const t = socket(url, { idleTimeoutMs: 150 });
    await t.s.start();
    const pinger = setInterval(() => connections[0]?.ping(), 40);
    await new Promise((r) => setTimeout(r, 400));
    clearInterval(pinger);
    expect(connections).toHaveLength(1);
    await until(() => connections.length === 2 && t.s.connected, 5000);
  });

  it('text-ping: sends the venue’s ping text when quiet and swallows its reply; other frames pass', async () => {
    const { url, connections, received } = await server();
    const t = socket(url, { heartbeat: { kind: 'text-ping', intervalMs: 60, text: 'ping', reply: 'pong' }, idleTimeoutMs: 1000 });
    await t.s.start();
    connections[0]!.on('message', (d) => {
      if (d.toString() === 'ping') connections[0]!.send('pong');
    });
    await until(() => received.filter((r) => r === 'ping').length >= 2);
    connections[0]!.send('{"arg":{"channel":"tickers"}}');
    await until(() => t.messages.length === 1);
    expect(t.messages).toEqual(['{"arg":{"channel":"tickers"}}']);
    expect(connections).toHaveLength(1);
  });

  it('text-ping: a socket that receives all the time but writes nothing still pings (a venue drops a client that never writes); traffic both ways needs none', async () => {
    const { url, connections, received } = await server();
    const t = socket(url, { heartbeat: { kind: 'text-ping', intervalMs: 80, text: 'ping', reply: 'pong' }, idleTimeoutMs: 1000 });
    await t.s.start();
    // The server streams every 10 ms: receive-silence never comes.
    const stream = setInterval(() => connections[0]!.send('{"arg":{"channel":"trades"}}'), 10);
    try {
      await until(() => received.filter((r) => r === 'ping').length >= 2);
      // Now we write every 10 ms too: no ping is needed.
      const before = received.filter((r) => r === 'ping').length;
      const writer = setInterval(() => t.s.send('{"op":"noop"}'), 10);
      await new Promise((r) => setTimeout(r, 300));
      clearInterval(writer);
      expect(received.filter((r) => r === 'ping').length - before).toBeLessThanOrEqual(1);
    } finally {
      clearInterval(stream);
    }
  });

  it('text-ping: a socket that stops answering is dead and reconnected', async () => {
    const { url, connections } = await server();
    const t = socket(url, { heartbeat: { kind: 'text-ping', intervalMs: 40, text: 'ping', reply: 'pong' }, idleTimeoutMs: 200 });
    await t.s.start();
    await until(() => connections.length >= 2 && t.s.connected, 5000);
  });

  it('sends handshake headers asked for before each attempt', async () => {
    const { url, connections } = await server();
    let n = 0;
    const t = socket(url, { headers: () => ({ 'x-attempt': String(++n) }) });
    await t.s.start();
    connections[0]!.terminate();
    await until(() => connections.length === 2 && t.s.connected);
    expect(connections.map((c) => (c as unknown as { headers: Record<string, string> }).headers['x-attempt'])).toEqual(['1', '2']);
  });

  it('fails the first connect with VENUE_UNAVAILABLE and does not retry', async () => {
    const { wss, url } = await server();
    await new Promise<void>((r) => wss.close(() => r()));
    servers.length = 0;
    const t = socket(url);
    await expect(t.s.start()).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.opens).toHaveLength(0);
    expect(t.states).toEqual([]);
  });

  it('fails the first connect with the error onOpen threw', async () => {
    const { url } = await server();
    const t = socket(url, {
      onOpen: async () => {
        throw new AutotraderError('AUTH_FAILED', 'refused');
      },
    });
    await expect(t.s.start()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('a message handler that throws skips the frame, not the socket', async () => {
    const { url, connections } = await server();
    const seen: string[] = [];
    const t = socket(url, {
      onMessage: (text) => {
        if (text === 'bad') throw new Error('boom');
        seen.push(text);
      },
    });
    await t.s.start();
    connections[0]!.send('bad');
    connections[0]!.send('good');
    await until(() => seen.length === 1);
    expect(seen).toEqual(['good']);
    expect(t.s.connected).toBe(true);
  });

  it('does not reconnect after close()', async () => {
    const { url, connections } = await server();
    const t = socket(url);
    await t.s.start();
    await t.s.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(connections).toHaveLength(1);
    expect(t.states).toEqual(['connected', 'disconnected']);
    expect(() => t.s.send('x')).toThrow(expect.objectContaining({ code: 'VENUE_UNAVAILABLE' }));
  });
});

describe('socketSettings and venueStateOf', () => {
  it('takes backoff, timeouts and a client ping from the shared config blocks', () => {
    const reconnect = { initialDelayMs: 250, maxDelayMs: 5000, multiplier: 3, jitter: 0.1 };
    const timeouts = { requestMs: 1, connectMs: 2, wsRequestMs: 3, pingIntervalMs: 4, deadAfterMs: 5 };
    expect(socketSettings({ reconnect, timeouts })).toEqual({
      backoff: { baseDelayMs: 250, maxDelayMs: 5000, multiplier: 3, jitter: 0.1 },
      connectTimeoutMs: 2,
      heartbeat: { kind: 'client-ping', intervalMs: 4 },
      idleTimeoutMs: 5,
    });
    expect(socketSettings({ reconnect, timeouts }, { kind: 'server-ping' }).heartbeat).toEqual({ kind: 'server-ping' });
  });

  it('a socket down while its port runs is reconnecting', () => {
    expect(venueStateOf('connected', false)).toBe('connected');
    expect(venueStateOf('disconnected', true)).toBe('reconnecting');
    expect(venueStateOf('disconnected', false)).toBe('disconnected');
  });
});
