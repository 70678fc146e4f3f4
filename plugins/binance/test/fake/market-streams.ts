/**
 * Market streams (web-socket-streams.md): raw `/ws/<stream>[/<stream>…]`, combined
 * `/stream?streams=a/b` with the `{"stream","data"}` wrapper, live SUBSCRIBE / UNSUBSCRIBE /
 * LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY frames and their error replies.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { startHeartbeat, type HeartbeatOptions } from './heartbeat';
import type { StreamMessage } from './market-data';

interface StreamClient {
  combined: boolean;
  readonly streams: Set<string>;
}

const METHODS = '`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`';
const ALNUM_ID = /^[A-Za-z0-9]{1,36}$/;

/** A request id Binance accepts: 64-bit signed integer, alphanumeric string of at most 36, or null. */
function validId(id: unknown): boolean {
  return id === null || (typeof id === 'number' && Number.isInteger(id)) || (typeof id === 'string' && ALNUM_ID.test(id));
}

/** Stream connections and what each listens to. */
export class MarketStreams {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Map<WebSocket, StreamClient>();
  private readonly stopHeartbeat: () => void;

  constructor(heartbeat: HeartbeatOptions) {
    this.stopHeartbeat = startHeartbeat(() => this.clients.keys(), heartbeat);
  }

  /** True when `pathname` is a market stream endpoint. */
  static handles(pathname: string): boolean {
    return pathname === '/ws' || pathname.startsWith('/ws/') || pathname === '/stream' || pathname === '/stream/';
  }

  /** Accepts an upgrade for `url`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const combined = url.pathname.startsWith('/stream');
    const names = combined ? (url.searchParams.get('streams') ?? '') : url.pathname.slice('/ws'.length);
    const streams = new Set(names.split('/').filter((s) => s !== ''));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.clients.set(ws, { combined, streams });
      ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
      ws.on('close', () => this.clients.delete(ws));
      ws.on('error', () => ws.terminate());
    });
  }

  /** Sends each message to the connections subscribed to its stream. */
  publish(messages: readonly StreamMessage[]): void {
    for (const m of messages) {
      let raw: string | undefined;
      let wrapped: string | undefined;
      for (const [ws, c] of this.clients) {
        if (!c.streams.has(m.stream) || ws.readyState !== ws.OPEN) continue;
        if (c.combined) ws.send((wrapped ??= JSON.stringify({ stream: m.stream, data: m.payload })));
        else ws.send((raw ??= JSON.stringify(m.payload)));
      }
    }
  }

  /** Number of open stream connections. */
  connectionCount(): number {
    return this.clients.size;
  }

  /** Sends one frame that is not valid JSON to every connection; returns how many got it. */
  sendMalformed(): number {
    let n = 0;
    for (const ws of this.clients.keys()) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send('{"e":"trade","E":1672515782136,"s":"BTCUSDT","p":');
      n++;
    }
    return n;
  }

  /** Terminates every connection (clients must reconnect and resubscribe). */
  dropAll(): void {
    for (const ws of this.clients.keys()) ws.terminate();
  }

  /** Stops pings and closes every connection. */
  close(): void {
    this.stopHeartbeat();
    this.dropAll();
    this.wss.close();
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const c = this.clients.get(ws);
    if (!c) return;
    const reply = (frame: unknown): void => ws.send(JSON.stringify(frame));
    let msg: unknown;
    try {
      msg = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      reply({ code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' });
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      reply({ code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' });
      return;
    }
    const { method, params, id } = msg as { method?: unknown; params?: unknown; id?: unknown };
    if (!validId(id)) {
      reply({ code: 2, msg: 'Invalid request: request ID must be an unsigned integer' });
      return;
    }
    if (method === undefined) {
      reply({ code: 2, msg: 'Invalid request: missing field `method` at line 1 column 1', id });
      return;
    }
    const list = Array.isArray(params) ? params : [];
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!list.every((s): s is string => typeof s === 'string')) {
          reply({ code: 2, msg: 'Invalid request: invalid type: expected a string', id });
          return;
        }
        for (const s of list) {
          if (method === 'SUBSCRIBE') c.streams.add(s);
          else c.streams.delete(s);
        }
        reply({ result: null, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        reply({ result: [...c.streams], id });
        return;
      case 'SET_PROPERTY':
        if (list[0] !== 'combined') reply({ code: 0, msg: 'Unknown property', id });
        else if (typeof list[1] !== 'boolean') reply({ code: 1, msg: 'Invalid value type: expected Boolean', id });
        else {
          c.combined = list[1];
          reply({ result: null, id });
        }
        return;
      case 'GET_PROPERTY':
        if (list[0] !== 'combined') reply({ code: 0, msg: 'Unknown property', id });
        else reply({ result: c.combined, id });
        return;
      default:
        reply({ code: 2, msg: `Invalid request: unknown variant \`${String(method)}\`, expected one of ${METHODS} at line 1 column 28`, id });
    }
  }
}
