/**
 * Server pings, as Binance sends them on every WebSocket (a ping frame every 20 s; a connection
 * that has not answered with a pong within a minute is dropped).
 * @module
 */
import type { WebSocket } from 'ws';

/** Ping settings. */
export interface HeartbeatOptions {
  readonly intervalMs: number;
  readonly pongTimeoutMs: number;
}

/** Pings the sockets `clients()` returns; returns a function that stops it. */
export function startHeartbeat(clients: () => Iterable<WebSocket>, o: HeartbeatOptions): () => void {
  const lastPong = new WeakMap<WebSocket, number>();
  const tracked = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const ws of clients()) {
      if (!tracked.has(ws)) {
        tracked.add(ws);
        lastPong.set(ws, now);
        ws.on('pong', () => lastPong.set(ws, Date.now()));
      }
      if (now - (lastPong.get(ws) ?? now) > o.pongTimeoutMs) {
        ws.terminate();
        continue;
      }
      if (ws.readyState === ws.OPEN) ws.ping();
    }
  }, o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
