/**
 * Market streams (web-socket-streams.md): raw `/ws/<stream>[/<stream>…]`, combined
 * `/stream?streams=a/b` with the `{"stream","data"}` wrapper, live SUBSCRIBE / UNSUBSCRIBE /
 * LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY frames and their error replies.
 * @module
 */
import { WsEndpoint, type HeartbeatOptions } from '@autotrader/testkit/fake-venue';
import type { RawData, WebSocket } from 'ws';
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

/** True when `pathname` is a market stream endpoint. */
const handles = (pathname: string): boolean => pathname === '/ws' || pathname.startsWith('/ws/') || pathname === '/stream' || pathname === '/stream/';

/** Stream connections and what each listens to, on the kit's WebSocket endpoint. */
export class MarketStreams {
  /** The endpoint to mount on the loopback server. */
  readonly endpoint: WsEndpoint<StreamClient>;

  constructor(heartbeat: HeartbeatOptions) {
    this.endpoint = new WsEndpoint<StreamClient>({
      matches: (url) => handles(url.pathname),
      heartbeat,
      onConnect: (_ws, _req, url) => {
        const combined = url.pathname.startsWith('/stream');
        const names = combined ? (url.searchParams.get('streams') ?? '') : url.pathname.slice('/ws'.length);
        return { combined, streams: new Set(names.split('/').filter((s) => s !== '')) };
      },
      onMessage: (ws, _client, data, isBinary) => this.onMessage(ws, data, isBinary),
    });
  }

  /** Sends each message to the connections subscribed to its stream. */
  publish(messages: readonly StreamMessage[]): void {
    for (const m of messages) {
      let raw: string | undefined;
      let wrapped: string | undefined;
      for (const [ws, c] of this.endpoint.clients()) {
        if (!c.streams.has(m.stream) || ws.readyState !== ws.OPEN) continue;
        if (c.combined) ws.send((wrapped ??= JSON.stringify({ stream: m.stream, data: m.payload })));
        else ws.send((raw ??= JSON.stringify(m.payload)));
      }
    }
  }

  /** Number of open stream connections. */
  connectionCount(): number {
    return this.endpoint.connectionCount();
  }

  /** Sends one frame that is not valid JSON to every connection; returns how many got it. */
  sendMalformed(): number {
    return this.endpoint.sendRaw('{"e":"trade","E":1672515782136,"s":"BTCUSDT","p":');
  }

  /** Terminates every connection (clients must reconnect and resubscribe). */
  dropAll(): void {
    this.endpoint.dropAll();
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const c = this.endpoint.clients().get(ws);
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
