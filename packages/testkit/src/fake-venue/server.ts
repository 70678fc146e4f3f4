/**
 * The loopback server every fake venue runs on: one HTTP server on 127.0.0.1, port 0 (the system
 * picks a free port), serving plain HTTP through a request hook and WebSocket upgrades through the
 * endpoints it is given, with what fault injection needs: responses held open and never answered,
 * upgrades refused during an outage, and a close that drops everything.
 *
 * ```ts
 * const stream = new WsEndpoint({ matches: (u) => u.pathname === '/ws', onConnect: () => ({}) });
 * const server = await startLoopbackServer({ onRequest: router.handle, upgrades: [stream] });
 * // point the plugin at server.httpUrl / `${server.wsUrl}/ws`
 * await server.close();
 * ```
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { startHeartbeat, startIdleTimeout, type HeartbeatOptions } from './heartbeat';

/** A WebSocket endpoint of a loopback server. */
export interface UpgradeRoute {
  /** True when this endpoint serves an upgrade to `url`. */
  matches(url: URL): boolean;
  /** Completes the upgrade. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
  /** Drops its connections and stops its timers (called by the server's `close`). */
  close?(): void;
}

/** How to start a loopback server. */
export interface LoopbackServerOptions {
  /** Handles every plain HTTP request; default: 404 with an empty body. */
  readonly onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
  /** WebSocket endpoints, tried in order; an upgrade none of them matches gets 404. */
  readonly upgrades?: readonly UpgradeRoute[];
}

/** A running loopback server. */
export interface LoopbackServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:<port>`. */
  readonly wsUrl: string;
  /** Keeps `res` open and never answers it (accept-then-timeout); it is destroyed when the server closes. */
  hold(res: ServerResponse): void;
  /**
   * Answers new WebSocket upgrades with HTTP `status` (503: the venue is down) until called with
   * undefined. Connections already open are not touched (drop them with `WsEndpoint.dropAll`).
   */
  refuseUpgrades(status: number | undefined): void;
  /** Closes every endpoint, held response and connection, then the server. Safe to call twice. */
  close(): Promise<void>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/** Starts a server on 127.0.0.1 on a free port. */
export async function startLoopbackServer(o: LoopbackServerOptions = {}): Promise<LoopbackServer> {
  const held = new Set<ServerResponse>();
  const routes = o.upgrades ?? [];
  let refusal: number | undefined;
  const server = createServer(o.onRequest ?? ((_req, res) => void res.writeHead(404).end()));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes.find((r) => r.matches(url));
    const status = refusal ?? (route === undefined ? 404 : undefined);
    if (status !== undefined || route === undefined) {
      socket.end(`HTTP/1.1 ${status ?? 404} ${STATUS_TEXT[status ?? 404] ?? 'Refused'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    route.upgrade(req, socket, head, url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    hold(res) {
      held.add(res);
      res.on('close', () => held.delete(res));
    },
    refuseUpgrades(status) {
      if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 599)) throw new RangeError(`an upgrade is refused with a 4xx or 5xx status, got ${status}`);
      refusal = status;
    },
    close() {
      closed ??= (async () => {
        for (const r of routes) r.close?.();
        for (const res of held) res.socket?.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}

/** Reads a request body whole, as UTF-8 text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A request as a {@link HttpRouter} handler sees it: raw query and body kept exactly as sent (for signatures). */
export interface RoutedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string as sent, without `?`. */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  /** The body as sent. */
  readonly body: string;
  /** Values of the route's `:name` segments. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingMessage['headers'];
  readonly raw: IncomingMessage;
}

/** Handles one routed request. May answer later (or never: {@link LoopbackServer.hold}). */
export type RouteHandler = (req: RoutedRequest, res: ServerResponse) => void | Promise<void>;

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

/**
 * Routes HTTP requests by method and path pattern (`/orders/historical/:orderId`; a `:name` segment
 * matches one path segment). Unknown paths get `notFound` (default: 404 with an empty body); a
 * handler that throws answers 500 and is printed, since it is a bug of the fake.
 */
export class HttpRouter {
  private readonly routes: Route[] = [];

  constructor(private readonly notFound: RouteHandler = (_req, res) => void res.writeHead(404).end()) {}

  /** Adds a route; routes are tried in the order added. */
  on(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), segments: pattern.split('/'), handler });
    return this;
  }

  /** The `onRequest` hook of {@link startLoopbackServer}. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const body = await readBody(req);
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const rawQuery = q < 0 ? '' : target.slice(q + 1);
      const method = req.method ?? 'GET';
      let handler = this.notFound;
      let params: Record<string, string> = {};
      for (const r of this.routes) {
        if (r.method !== method) continue;
        const found = matchPath(r.segments, path);
        if (found !== undefined) {
          handler = r.handler;
          params = found;
          break;
        }
      }
      await handler({ method, path, rawQuery, query: new URLSearchParams(rawQuery), body, params, headers: req.headers, raw: req }, res);
    })().catch((e: unknown) => {
      console.error('fake venue HTTP handler failed', e);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

function matchPath(segments: readonly string[], path: string): Record<string, string> | undefined {
  const parts = path.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const s = segments[i]!;
    const p = parts[i]!;
    if (s.startsWith(':') && p !== '') params[s.slice(1)] = decodeURIComponent(p);
    else if (s !== p) return undefined;
  }
  return params;
}

/** Writes `body` as JSON with `status` and `headers` (after `delayMs`, when given). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}, delayMs = 0): void {
  const write = (): void => {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  };
  if (delayMs > 0) setTimeout(write, delayMs);
  else write();
}

/** Destroys the connection of `res` without answering (a dropped request). */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

/** How to build a {@link WsEndpoint}. `State` is what the venue keeps per connection. */
export interface WsEndpointOptions<State> {
  /** True when the endpoint serves an upgrade to `url`. */
  readonly matches: (url: URL) => boolean;
  /** Server pings (see heartbeat.ts); none when absent. */
  readonly heartbeat?: HeartbeatOptions;
  /** Terminate a socket that has sent nothing for this long, ms; never when absent. */
  readonly idleTimeoutMs?: number;
  /** A client connected: returns the state kept for it. */
  readonly onConnect: (ws: WebSocket, req: IncomingMessage, url: URL) => State;
  /** A frame arrived. */
  readonly onMessage?: (ws: WebSocket, state: State, data: RawData, isBinary: boolean) => void;
  /** The socket closed (after which it is no longer listed). */
  readonly onClose?: (ws: WebSocket, state: State) => void;
}

/**
 * A WebSocket endpoint: its connections with their state, server pings and idle timeouts, sends to
 * one or all, and the faults that act on sockets (every connection dropped, a raw frame that is not
 * what the protocol promises).
 */
export class WsEndpoint<State> implements UpgradeRoute {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Map<WebSocket, State>();
  private readonly stops: (() => void)[] = [];

  constructor(private readonly o: WsEndpointOptions<State>) {
    if (o.heartbeat !== undefined) this.stops.push(startHeartbeat(() => this.connections.keys(), o.heartbeat));
    if (o.idleTimeoutMs !== undefined) this.stops.push(startIdleTimeout(() => this.connections.keys(), o.idleTimeoutMs));
  }

  matches(url: URL): boolean {
    return this.o.matches(url);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const state = this.o.onConnect(ws, req, url);
      this.connections.set(ws, state);
      ws.on('message', (data, isBinary) => this.o.onMessage?.(ws, state, data, isBinary));
      ws.on('close', () => {
        this.connections.delete(ws);
        this.o.onClose?.(ws, state);
      });
      ws.on('error', () => ws.terminate());
    });
  }

  /** Open connections and their state. */
  clients(): ReadonlyMap<WebSocket, State> {
    return this.connections;
  }

  /** Number of connections. */
  connectionCount(): number {
    return this.connections.size;
  }

  /** Sends `frame` (a string as is, anything else as JSON) to `ws` if it is open; returns whether it was sent. */
  send(ws: WebSocket, frame: unknown): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    return true;
  }

  /** Sends `frame` to every open connection `to` selects (default all); returns how many got it. */
  broadcast(frame: unknown, to: (state: State, ws: WebSocket) => boolean = () => true): number {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    let n = 0;
    for (const [ws, state] of this.connections) if (to(state, ws) && this.send(ws, text)) n++;
    return n;
  }

  /** A malformed frame: `text` exactly as given to every open connection `to` selects; returns how many got it. */
  sendRaw(text: string, to: (state: State, ws: WebSocket) => boolean = () => true): number {
    return this.broadcast(text, to);
  }

  /** Terminates every connection now (clients must reconnect and resubscribe); returns how many there were. */
  dropAll(): number {
    const n = this.connections.size;
    for (const ws of this.connections.keys()) ws.terminate();
    return n;
  }

  /** Stops pings and timers, drops every connection and closes the endpoint. */
  close(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.dropAll();
    this.wss.close();
  }
}
