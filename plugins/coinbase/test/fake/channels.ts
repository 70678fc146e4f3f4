/**
 * The WebSocket API: `{"type":"subscribe"|"unsubscribe","product_ids":[…],"channel":…,"jwt"?}`
 * frames, and messages `{channel, client_id, timestamp, sequence_num, events}` with `sequence_num`
 * counted per connection. Channels: `heartbeats`, `ticker`, `market_trades`, `level2` (messages on
 * `l2_data`: a snapshot, then updates), `candles` (5-minute) and `user` (JWT required; a snapshot of
 * open orders batched by 50, then updates with cumulative totals). A connection that has not
 * subscribed within `subscribeTimeoutMs` is closed, as Coinbase closes one after 5 seconds.
 * @module
 */
import type { Decimal } from '@autotrader/core';
import { LevelBook, ReportShuffle, SequenceGaps, WsEndpoint, startPeriodic } from '@autotrader/testkit/fake-venue';
import type { WebSocket } from 'ws';
import type { Candle } from './candles';
import { verifyCdpJwt, type CdpKey } from './jwt';
import type { OrderRecord } from './orders';
import { rfc3339, userOrderJson } from './wire';

/** Channels a client can subscribe to. */
export const CHANNELS = ['heartbeats', 'ticker', 'market_trades', 'level2', 'candles', 'user'] as const;
export type ChannelName = (typeof CHANNELS)[number];

interface Conn {
  seq: number;
  heartbeatCounter: number;
  readonly subs: Map<ChannelName, Set<string>>;
  timer: NodeJS.Timeout | undefined;
}

/** A trade as the channels print it. */
export interface PrintedTrade {
  readonly tradeId: string;
  readonly productId: string;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly side: 'BUY' | 'SELL';
  readonly time: number;
}

/** Channel server wiring. */
export interface ChannelOptions {
  readonly path: string;
  readonly keys: readonly CdpKey[];
  readonly now: () => number;
  readonly knownProduct: (productId: string) => boolean;
  readonly openOrders: () => readonly OrderRecord[];
  readonly book: (productId: string) => LevelBook;
  readonly ticker: (productId: string) => Record<string, unknown> | undefined;
  readonly recentTrades: (productId: string) => readonly PrintedTrade[];
  readonly currentCandle: (productId: string) => Candle | undefined;
  readonly heartbeatIntervalMs: number;
  readonly subscribeTimeoutMs: number;
  readonly l2Gaps: SequenceGaps;
  /** True while the user channel is down (its sockets were dropped; new user subscriptions are refused). */
  readonly userDown: () => boolean;
}

const isProductChannel = (c: ChannelName): boolean => c !== 'heartbeats' && c !== 'user';

/** One WebSocket endpoint serving every channel. */
export class ChannelServer {
  readonly endpoint: WsEndpoint<Conn>;
  private readonly stopBeats: () => void;

  constructor(private readonly o: ChannelOptions) {
    this.endpoint = new WsEndpoint<Conn>({
      matches: (u) => u.pathname === o.path,
      onConnect: (ws) => {
        const conn: Conn = { seq: 0, heartbeatCounter: 0, subs: new Map(), timer: undefined };
        conn.timer = setTimeout(() => {
          if (conn.subs.size === 0) ws.close(1000, 'no subscription');
        }, o.subscribeTimeoutMs);
        conn.timer.unref();
        return conn;
      },
      onMessage: (ws, conn, data) => this.onMessage(ws, conn, data.toString()),
      onClose: (_ws, conn) => clearTimeout(conn.timer),
    });
    this.stopBeats = startPeriodic(o.heartbeatIntervalMs, () => {
      const current = rfc3339(o.now());
      for (const [ws, conn] of this.endpoint.clients()) {
        if (!conn.subs.has('heartbeats')) continue;
        this.send(ws, conn, 'heartbeats', [{ current_time: current, heartbeat_counter: ++conn.heartbeatCounter }]);
      }
    });
  }

  /** Stops the heartbeat timer (the loopback server closes the endpoint). */
  close(): void {
    this.stopBeats();
  }

  /** Sends one message on a connection, numbering it; `skip` ids are left out first (a sequence gap). */
  private send(ws: WebSocket, conn: Conn, channel: string, events: unknown[], skip = 0): void {
    conn.seq += skip;
    this.endpoint.send(ws, { channel, client_id: '', timestamp: rfc3339(this.o.now()), sequence_num: conn.seq++, events });
  }

  private error(ws: WebSocket, message: string): void {
    this.endpoint.send(ws, { type: 'error', message });
  }

  private onMessage(ws: WebSocket, conn: Conn, text: string): void {
    let m: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      m = v as Record<string, unknown>;
    } catch {
      this.error(ws, 'Failure to parse message');
      return;
    }
    const type = m.type;
    const channel = m.channel as ChannelName;
    if ((type !== 'subscribe' && type !== 'unsubscribe') || !CHANNELS.includes(channel)) {
      this.error(ws, `Failure to subscribe: unknown type or channel`);
      return;
    }
    const ids = m.product_ids === undefined ? [] : m.product_ids;
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
      this.error(ws, 'product_ids must be a list of product ids');
      return;
    }
    const unknown = (ids as string[]).find((id) => !this.o.knownProduct(id));
    if (unknown !== undefined) {
      this.error(ws, `Failure to subscribe: unknown product ${unknown}`);
      return;
    }
    if (type === 'subscribe' && isProductChannel(channel) && ids.length === 0) {
      this.error(ws, `Failure to subscribe: ${channel} needs product_ids`);
      return;
    }
    const jwt = typeof m.jwt === 'string' ? m.jwt : undefined;
    if (channel === 'user' || jwt !== undefined) {
      const check = verifyCdpJwt(jwt, this.o.keys, { nowMs: this.o.now() });
      if (!check.ok) {
        this.error(ws, `authentication failure: ${check.reason}`);
        return;
      }
    }
    if (channel === 'user' && type === 'subscribe' && this.o.userDown()) {
      this.error(ws, 'user channel unavailable');
      ws.close(1011, 'unavailable');
      return;
    }
    const set = conn.subs.get(channel) ?? new Set<string>();
    if (type === 'unsubscribe') {
      for (const id of ids as string[]) set.delete(id);
      if (ids.length === 0 || set.size === 0) conn.subs.delete(channel);
      this.sendSubscriptions(ws, conn);
      return;
    }
    for (const id of ids as string[]) set.add(id);
    conn.subs.set(channel, set);
    this.sendSubscriptions(ws, conn);
    this.sendSnapshots(ws, conn, channel, ids as string[]);
  }

  private sendSubscriptions(ws: WebSocket, conn: Conn): void {
    const subscriptions: Record<string, string[]> = {};
    for (const [c, ids] of conn.subs) subscriptions[c] = [...ids];
    this.send(ws, conn, 'subscriptions', [{ subscriptions }]);
  }

  private sendSnapshots(ws: WebSocket, conn: Conn, channel: ChannelName, ids: readonly string[]): void {
    const o = this.o;
    if (channel === 'level2') {
      for (const id of ids) this.send(ws, conn, 'l2_data', [{ type: 'snapshot', product_id: id, updates: this.levels(o.book(id), o.now()) }]);
    } else if (channel === 'ticker') {
      const tickers = ids.map((id) => o.ticker(id)).filter((t) => t !== undefined);
      if (tickers.length > 0) this.send(ws, conn, 'ticker', [{ type: 'snapshot', tickers }]);
    } else if (channel === 'market_trades') {
      const trades = ids.flatMap((id) => o.recentTrades(id)).map(tradeJson);
      this.send(ws, conn, 'market_trades', [{ type: 'snapshot', trades }]);
    } else if (channel === 'candles') {
      const candles = ids.map((id) => [id, o.currentCandle(id)] as const).filter(([, c]) => c !== undefined).map(([id, c]) => candleJson(id, c!));
      this.send(ws, conn, 'candles', [{ type: 'snapshot', candles }]);
    } else if (channel === 'user') {
      const mine = o.openOrders().filter((x) => ids.length === 0 || ids.includes(x.productId));
      // "Open orders are returned in the snapshot batched by 50" (user channel docs).
      for (let i = 0; i === 0 || i < mine.length; i += 50) {
        this.send(ws, conn, 'user', [{ type: 'snapshot', orders: mine.slice(i, i + 50).map(userOrderJson) }]);
      }
    }
  }

  private levels(book: LevelBook, now: number): Record<string, string>[] {
    const t = rfc3339(now);
    return [
      ...book.top('bid').map(([p, q]) => ({ side: 'bid', event_time: t, price_level: p.toString(), new_quantity: q.toString() })),
      ...book.top('ask').map(([p, q]) => ({ side: 'offer', event_time: t, price_level: p.toString(), new_quantity: q.toString() })),
    ];
  }

  private subscribers(channel: ChannelName, productId: string | undefined): [WebSocket, Conn][] {
    const out: [WebSocket, Conn][] = [];
    for (const [ws, conn] of this.endpoint.clients()) {
      const ids = conn.subs.get(channel);
      if (ids !== undefined && (productId === undefined || ids.size === 0 || ids.has(productId))) out.push([ws, conn]);
    }
    return out;
  }

  /** Publishes a book update (levels with quantity 0 removed); an armed gap skips sequence numbers on it. */
  bookUpdate(productId: string, changes: readonly { side: 'bid' | 'offer'; price: Decimal; size: Decimal }[]): void {
    const t = rfc3339(this.o.now());
    const updates = changes.map((c) => ({ side: c.side, event_time: t, price_level: c.price.toString(), new_quantity: c.size.toString() }));
    const skip = this.o.l2Gaps.take();
    for (const [ws, conn] of this.subscribers('level2', productId)) this.send(ws, conn, 'l2_data', [{ type: 'update', product_id: productId, updates }], skip);
  }

  /** Publishes a trade on `market_trades`, the ticker after it, and the 5-minute candle it updated. */
  tradePrinted(t: PrintedTrade, candle: Candle): void {
    for (const [ws, conn] of this.subscribers('market_trades', t.productId)) this.send(ws, conn, 'market_trades', [{ type: 'update', trades: [tradeJson(t)] }]);
    this.tickerUpdate(t.productId);
    for (const [ws, conn] of this.subscribers('candles', t.productId)) this.send(ws, conn, 'candles', [{ type: 'update', candles: [candleJson(t.productId, candle)] }]);
  }

  /** Publishes the product's ticker. */
  tickerUpdate(productId: string): void {
    const ticker = this.o.ticker(productId);
    if (ticker === undefined) return;
    for (const [ws, conn] of this.subscribers('ticker', productId)) this.send(ws, conn, 'ticker', [{ type: 'update', tickers: [ticker] }]);
  }

  /**
   * Sends the orders one action changed on the `user` channel: each once, as it is now, one message
   * per order; `shuffle` (shared by every endpoint, so an armed fault is used once) may duplicate
   * and reorder them.
   */
  static userBatch(changed: readonly OrderRecord[], shuffle: ReportShuffle): Record<string, unknown>[] {
    return [...shuffle.apply([...new Set(changed)].map(userOrderJson), () => true)];
  }

  /** Sends a batch made by {@link ChannelServer.userBatch} to the `user` subscribers of each order's product. */
  userUpdate(batch: readonly Record<string, unknown>[]): void {
    if (this.o.userDown()) return;
    for (const order of batch) {
      for (const [ws, conn] of this.subscribers('user', order.product_id as string)) this.send(ws, conn, 'user', [{ type: 'update', orders: [order] }]);
    }
  }

  /** Drops the connections subscribed to `user`; returns how many. */
  dropUserSockets(): number {
    const victims = this.subscribers('user', undefined);
    for (const [ws] of victims) ws.terminate();
    return victims.length;
  }

  /** Sends `text` as is to every connection with a subscription to `channel` (any, when undefined). */
  malformed(text: string, channel?: ChannelName): number {
    return this.endpoint.sendRaw(text, (conn) => (channel === undefined ? conn.subs.size > 0 : conn.subs.has(channel)));
  }
}

function tradeJson(t: PrintedTrade): Record<string, string> {
  return { trade_id: t.tradeId, product_id: t.productId, price: t.price.toString(), size: t.size.toString(), side: t.side, time: rfc3339(t.time) };
}

function candleJson(productId: string, c: Candle): Record<string, string> {
  return { start: String(c.start), high: c.high, low: c.low, open: c.open, close: c.close, volume: c.volume, product_id: productId };
}
