import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AutotraderError, silentLogger } from '@autotrader/core';
import type { OpenInfo } from '../ws/reconnecting-socket';
import { LineSplitter, LineStream, type LineStreamOptions } from './line-stream';

/** One stream request as the loopback server saw it, with its response to write to. */
interface Connection {
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly res: ServerResponse;
}

let server: Server;
let base: string;
let connections: Connection[];
/** How the server answers a new stream request: by default 200 chunked, left open for the test to write. */
let answer: (c: Connection) => void;

beforeEach(async () => {
  connections = [];
  answer = (c) => {
    c.res.writeHead(200, { 'content-type': 'application/octet-stream' });
    c.res.flushHeaders();
  };
  server = createServer((req, res) => {
    const c = { url: new URL(req.url!, 'http://127.0.0.1'), headers: req.headers, res };
    connections.push(c);
    answer(c);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const streams: LineStream[] = [];
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Writes one chunk and waits a moment, so the client gets it as its own chunk. */
const chunk = async (c: Connection, text: string | Buffer): Promise<void> => {
  c.res.write(text);
  await new Promise((r) => setTimeout(r, 15));
};

const isHeartbeat = (v: unknown): boolean => (v as { type?: unknown } | null)?.type === 'HEARTBEAT';

function stream(over: Partial<LineStreamOptions> = {}) {
  const lines: unknown[] = [];
  const malformed: string[] = [];
  const states: string[] = [];
  const opens: OpenInfo[] = [];
  let attempt = 0;
  const s = new LineStream({
    name: 'pricing stream',
    url: () => `${base}/v3/accounts/101-004-1435156-001/pricing/stream?instruments=EUR_USD&attempt=${++attempt}`,
    headers: () => ({ authorization: 'Bearer token-of-test' }),
    logger: silentLogger,
    backoff: { baseDelayMs: 20, maxDelayMs: 100, jitter: 0 },
    connectTimeoutMs: 1000,
    stallTimeoutMs: 10_000,
    isHeartbeat,
    onOpen: (info) => {
      opens.push(info);
    },
    onLine: (v) => lines.push(v),
    onMalformed: (line, reason) => malformed.push(`${reason}: ${line}`),
    onState: (state) => states.push(state),
    ...over,
  });
  streams.push(s);
  return { s, lines, malformed, states, opens };
}

const PRICE = { type: 'PRICE', instrument: 'EUR_USD', time: '2016-09-20T15:05:47.960449532Z', bids: [{ price: '1.11590', liquidity: 10000000 }], asks: [{ price: '1.11610', liquidity: 10000000 }] };
const HEARTBEAT = { type: 'HEARTBEAT', time: '2016-09-20T15:05:50.163791738Z' };

describe('LineStream', () => {
  it('joins lines split across chunks (even inside a UTF-8 character), skips heartbeats, blank lines and CRLF', async () => {
    const t = stream();
    await t.s.start();
    expect(t.s.connected).toBe(true);
    const c = connections[0]!;
    expect(c.headers.authorization).toBe('Bearer token-of-test');
    const price = JSON.stringify(PRICE);
    await chunk(c, price.slice(0, 17));
    await chunk(c, price.slice(17, 40));
    await chunk(c, `${price.slice(40)}\n${JSON.stringify(HEARTBEAT)}\r\n\n{"type":"PRICE","instrument":"EUR`);
    // "€" is three bytes in UTF-8; the chunk boundary falls between its bytes.
    const euro = Buffer.from('_USD","note":"€ and more"}\n', 'utf8');
    const cut = euro.indexOf(0xe2) + 1;
    await chunk(c, euro.subarray(0, cut));
    await chunk(c, euro.subarray(cut));
    await until(() => t.lines.length === 2);
    expect(t.lines).toEqual([PRICE, { type: 'PRICE', instrument: 'EUR_USD', note: '€ and more' }]);
    expect(t.malformed).toEqual([]);
  });

  it('reports a line that is not JSON and goes on', async () => {
    const t = stream();
    await t.s.start();
    await chunk(connections[0]!, 'not json at all\n{"type":"PRICE"}\n');
    await until(() => t.lines.length === 1);
    expect(t.malformed).toEqual(['not JSON: not json at all']);
  });

  it('a stalled stream is dropped and reopened; heartbeats keep it alive meanwhile', async () => {
    const t = stream({ stallTimeoutMs: 150 });
    await t.s.start();
    const c = connections[0]!;
    // Heartbeats every 50 ms for 400 ms: alive, although no price came.
    for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(() => r(c.res.write(JSON.stringify(HEARTBEAT) + '\n')), 50));
    expect(connections).toHaveLength(1);
    expect(t.states).toEqual(['connected']);
    // Half a line, then silence: that is a stall, not life.
    c.res.write('{"type":"PRI');
    await until(() => connections.length === 2 && t.s.connected, 3000);
    expect(t.states).toEqual(['connected', 'disconnected', 'connected']);
    expect(t.opens).toEqual([{ reconnect: false }, { reconnect: true }]);
    // The URL is asked for again on each attempt.
    expect(connections.map((x) => x.url.searchParams.get('attempt'))).toEqual(['1', '2']);
    // The half line of the dropped response does not leak into the new one.
    await chunk(connections[1]!, 'CE"}\n{"type":"PRICE","n":2}\n');
    await until(() => t.lines.length === 1);
    expect(t.lines).toEqual([{ type: 'PRICE', n: 2 }]);
    expect(t.malformed).toEqual(['not JSON: CE"}']);
  });

  it('reopens a stream the server ended, and one the server refused with 5xx, with backoff', async () => {
    const t = stream();
    await t.s.start();
    let refuse = 1;
    answer = (c) => {
      if (refuse-- > 0) {
        c.res.writeHead(503).end('busy');
        return;
      }
      c.res.writeHead(200);
      c.res.flushHeaders();
    };
    connections[0]!.res.end(JSON.stringify(PRICE) + '\n');
    await until(() => connections.length === 3 && t.s.connected);
    expect(t.lines).toEqual([PRICE]);
    expect(t.states).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('waits out a 429’s Retry-After before the next attempt', async () => {
    const t = stream();
    await t.s.start();
    let refused = false;
    answer = (c) => {
      if (!refused) {
        refused = true;
        c.res.writeHead(429, { 'retry-after': '0.4' }).end();
        return;
      }
      c.res.writeHead(200);
      c.res.flushHeaders();
    };
    const dropped = Date.now();
    connections[0]!.res.end();
    await until(() => connections.length === 3 && t.s.connected);
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(380);
  });

  it('fails the first attempt with a coded error and does not retry', async () => {
    answer = (c) => c.res.writeHead(401, { 'content-type': 'application/json' }).end('{"errorMessage":"Insufficient authorization to perform request."}');
    const t = stream();
    const e = (await t.s.start().catch((x: unknown) => x)) as AutotraderError;
    expect(e).toBeInstanceOf(AutotraderError);
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).not.toContain('token-of-test');
    await new Promise((r) => setTimeout(r, 100));
    expect(connections).toHaveLength(1);
    expect(t.states).toEqual([]);
  });

  it('fails the first attempt when headers do not come in time', async () => {
    answer = () => {}; // never answers
    const t = stream({ connectTimeoutMs: 100 });
    await expect(t.s.start()).rejects.toMatchObject({ code: 'VENUE_UNAVAILABLE' });
  });

  it('a line handler that throws skips that line only', async () => {
    const seen: unknown[] = [];
    const t = stream({
      onLine: (v) => {
        if ((v as { n: number }).n === 1) throw new Error('boom');
        seen.push(v);
      },
    });
    await t.s.start();
    await chunk(connections[0]!, '{"n":1}\n{"n":2}\n');
    await until(() => seen.length === 1);
    expect(seen).toEqual([{ n: 2 }]);
  });

  it('does not reopen after close()', async () => {
    const t = stream();
    await t.s.start();
    await t.s.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(connections).toHaveLength(1);
    expect(t.states).toEqual(['connected', 'disconnected']);
  });
});

describe('LineSplitter', () => {
  it('keeps the unfinished line for the next chunk and drops an over-long one', () => {
    const s = new LineSplitter(10);
    expect(s.push('ab\ncd')).toEqual({ lines: ['ab'] });
    expect(s.push('ef\r\n\n')).toEqual({ lines: ['cdef'] });
    expect(s.push('0123456789X')).toEqual({ lines: [], overflow: '0123456789X' });
    expect(s.push('y\n')).toEqual({ lines: ['y'] });
  });
});
