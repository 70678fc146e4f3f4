import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AutotraderError, silentLogger } from '@autotrader/core';
import { backoffDelay, ReconnectingSocket, type ReconnectingSocketOptions } from './ws';

const backoff = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2 };

describe('backoffDelay', () => {
  it('grows exponentially and stops at the maximum', () => {
    const none = { ...backoff, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, none))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads by ±jitter and never exceeds the maximum', () => {
    expect(backoffDelay(1, backoff, () => 0)).toBe(160);
    expect(backoffDelay(1, backoff, () => 1)).toBe(240);
    expect(backoffDelay(1, backoff, () => 0.5)).toBe(200);
    expect(backoffDelay(9, backoff, () => 1)).toBe(1000);
  });
});

const servers: WebSocketServer[] = [];
const sockets: ReconnectingSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function server(options: { autoPong?: boolean } = {}): Promise<{ wss: WebSocketServer; url: string; connections: WebSocket[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: options.autoPong ?? true });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const connections: WebSocket[] = [];
  wss.on('connection', (ws) => connections.push(ws));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, connections };
}

function socket(url: string, over: Partial<ReconnectingSocketOptions> = {}) {
  const states: string[] = [];
  const messages: string[] = [];
  let opens = 0;
  const s = new ReconnectingSocket({
    name: 'test socket',
    url: () => url,
    logger: silentLogger,
    backoff: { initialDelayMs: 20, maxDelayMs: 100, multiplier: 2, jitter: 0 },
    connectTimeoutMs: 1000,
    pingIntervalMs: 10_000,
    deadAfterMs: 30_000,
    onOpen: async () => {
      opens++;
    },
    onMessage: (t) => messages.push(t),
    onState: (state) => states.push(state),
    ...over,
  });
  sockets.push(s);
  return { s, states, messages, opens: () => opens };
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ReconnectingSocket', () => {
  it('connects, receives frames, and reconnects (running onOpen again) after a drop', async () => {
    const { url, connections } = await server();
    const t = socket(url);
    await t.s.start();
    expect(t.s.connected).toBe(true);
    connections[0]!.send('hello');
    await until(() => t.messages.length === 1);
    expect(t.messages).toEqual(['hello']);
    connections[0]!.terminate();
    await until(() => t.opens() === 2 && t.s.connected);
    expect(t.states).toEqual(['connected', 'disconnected', 'connected']);
    expect(connections).toHaveLength(2);
  });

  it('answers server pings', async () => {
    const { url, connections } = await server();
    const t = socket(url);
    await t.s.start();
    const pong = new Promise<string>((r) => connections[0]!.once('pong', (data) => r(data.toString())));
    connections[0]!.ping('are-you-there');
    expect(await pong).toBe('are-you-there');
  });

  it('treats a silent socket as dead and reconnects', async () => {
    // The server neither answers our pings nor sends anything.
    const { url, connections } = await server({ autoPong: false });
    const t = socket(url, { pingIntervalMs: 50, deadAfterMs: 200 });
    await t.s.start();
    await until(() => connections.length >= 2 && t.s.connected, 5000);
    expect(t.states.slice(0, 3)).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('fails the first connect with VENUE_UNAVAILABLE and does not retry', async () => {
    const { wss, url } = await server();
    await new Promise<void>((r) => wss.close(() => r()));
    servers.length = 0;
    const t = socket(url);
    await expect(t.s.start()).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.opens()).toBe(0);
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
