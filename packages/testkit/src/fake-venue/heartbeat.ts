/**
 * Keep-alives as venues do them, so that a plugin's idle detection and heartbeat handling meet the
 * real thing:
 * - server pings: a ping frame every interval, and a socket that has not answered with a pong in
 *   time is terminated (Binance: every 20 s, dropped after a minute of silence);
 * - idle timeouts: a socket that has sent nothing (no frame, no pong) for a while is terminated
 *   (OKX drops a connection after 30 s without data, so clients send the text `ping`);
 * - periodic application heartbeats: a message or a line sent on a timer (Coinbase's `heartbeats`
 *   channel, Oanda's `HEARTBEAT` lines every 5 s).
 * Timers are unref'd: a forgotten fake never keeps a test process alive.
 * @module
 */
import type { WebSocket } from 'ws';

/** Server ping settings. */
export interface HeartbeatOptions {
  /** A ping frame to every socket this often, ms. */
  readonly intervalMs: number;
  /** A socket that has not answered a ping with a pong for this long is terminated, ms. */
  readonly pongTimeoutMs: number;
}

/** Pings the sockets `clients()` returns and terminates the silent ones; returns a function that stops it. */
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

/**
 * Terminates every socket of `clients()` that has sent nothing (no message, no pong) for `idleMs`,
 * checking every `checkEveryMs` (default a tenth of `idleMs`). Returns a function that stops it.
 */
export function startIdleTimeout(clients: () => Iterable<WebSocket>, idleMs: number, checkEveryMs = Math.max(10, Math.floor(idleMs / 10))): () => void {
  const lastHeard = new WeakMap<WebSocket, number>();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const ws of clients()) {
      if (!lastHeard.has(ws)) {
        lastHeard.set(ws, now);
        const heard = (): void => void lastHeard.set(ws, Date.now());
        ws.on('message', heard);
        ws.on('pong', heard);
        continue;
      }
      if (now - lastHeard.get(ws)! > idleMs) ws.terminate();
    }
  }, checkEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Calls `beat` every `intervalMs` until the returned function is called. */
export function startPeriodic(intervalMs: number, beat: () => void): () => void {
  if (!(intervalMs > 0)) throw new RangeError(`a heartbeat interval must be positive, got ${intervalMs} ms`);
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
