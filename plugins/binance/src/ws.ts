import { channel } from 'node:diagnostics_channel';
import WebSocket from 'ws';
import { AutotraderError, type Logger, type VenueState } from '@autotrader/core';
import type { BinanceConfig, ReconnectConfig } from './config';

/** Backoff settings (see config.ts `reconnect`). */
export type BackoffOptions = ReconnectConfig;

/** The backoff and timing options every Binance socket takes from the plugin config. */
export function socketTimings(config: Pick<BinanceConfig, 'reconnect' | 'timeouts'>): Pick<ReconnectingSocketOptions, 'backoff' | 'connectTimeoutMs' | 'pingIntervalMs' | 'deadAfterMs'> {
  return {
    backoff: config.reconnect,
    connectTimeoutMs: config.timeouts.connectMs,
    pingIntervalMs: config.timeouts.pingIntervalMs,
    deadAfterMs: config.timeouts.deadAfterMs,
  };
}

/** A socket's state as a `venueStatus` state: a socket down while its port runs is reconnecting. */
export function venueStateOf(state: 'connected' | 'disconnected', running: boolean): VenueState {
  return state === 'connected' ? 'connected' : running ? 'reconnecting' : 'disconnected';
}

/**
 * The delay before reconnect attempt `attempt` (0-based): `initial × multiplier^attempt`, capped at
 * `max`, then spread by ±`jitter` so that many clients do not reconnect in lock step.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.multiplier, attempt));
  const spread = base * o.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(o.maxDelayMs, base + spread)));
}

/** Connection health as the socket sees it. */
export type SocketState = 'connected' | 'disconnected';

/** What a reconnecting socket needs. */
/**
 * Every frame received is announced on this diagnostics channel as `{ socket, at }` (`performance.now()`),
 * for latency measurement (`pnpm bench`). Publishing costs nothing when nobody subscribes.
 */
export const FRAME_CHANNEL = 'autotrader:venue:frame';
const frameChannel = channel(FRAME_CHANNEL);

export interface ReconnectingSocketOptions {
  /** Names the socket in logs and status reasons. */
  readonly name: string;
  /** Called before each attempt, so a URL can change between attempts. */
  readonly url: () => string;
  readonly logger: Logger;
  readonly backoff: BackoffOptions;
  readonly connectTimeoutMs: number;
  /** We send a ping this often; any frame from the server counts as a sign of life. */
  readonly pingIntervalMs: number;
  /** No frame for this long: the socket is dead; it is terminated and reconnected. */
  readonly deadAfterMs: number;
  /**
   * Runs after every open, before `connected` is reported: resubscribe here. If it throws, the
   * socket is closed and, after the first connection, retried with backoff.
   */
  readonly onOpen: (socket: ReconnectingSocket) => Promise<void>;
  /** Every text frame. Must not throw (errors are caught and logged, never crash the socket). */
  readonly onMessage: (text: string) => void;
  /** Reports `connected` (after onOpen) and `disconnected` (with the reason). */
  readonly onState: (state: SocketState, reason: string) => void;
  readonly random?: () => number;
}

/**
 * A WebSocket that stays connected: exponential backoff with jitter between attempts, `onOpen` to
 * resubscribe after each reconnect, pong replies to server pings (the `ws` library answers them
 * itself), and dead-socket detection by our own pings and a silence limit.
 */
export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = true;
  private ready = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private everConnected = false;

  constructor(private readonly o: ReconnectingSocketOptions) {}

  /** True when open and `onOpen` has finished. */
  get connected(): boolean {
    return this.ready;
  }

  /**
   * Opens the first connection. Resolves when it is open and `onOpen` has run; rejects with
   * VENUE_UNAVAILABLE (and does not retry) when that first attempt fails, so a wrong URL is a clear
   * error at connect rather than a silent retry loop. Later drops are retried forever until `close()`.
   */
  start(): Promise<void> {
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    this.attempt = 0;
    this.everConnected = false;
    return new Promise<void>((resolve, reject) => {
      this.open((error) => {
        if (error === undefined) {
          resolve();
          return;
        }
        this.stopped = true;
        reject(error);
      });
    });
  }

  /** Sends a text frame; throws VENUE_UNAVAILABLE when the socket is not open. */
  send(text: string): void {
    const s = this.socket;
    if (s === undefined || s.readyState !== WebSocket.OPEN) {
      throw new AutotraderError('VENUE_UNAVAILABLE', `${this.o.name}: not connected, cannot send`, { details: { socket: this.o.name } });
    }
    s.send(text);
  }

  /** Drops the current connection on purpose (it is re-established with backoff), for example after a fatal frame. */
  recycle(reason: string): void {
    this.o.logger.warn(`${this.o.name}: recycling connection`, { reason });
    this.socket?.terminate();
  }

  /** Closes for good: no reconnect. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopPing();
    const s = this.socket;
    this.socket = undefined;
    if (s === undefined) return;
    const wasReady = this.ready;
    this.ready = false;
    if (s.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        s.terminate();
        resolve();
      }, 1000);
      s.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (s.readyState === WebSocket.CONNECTING) s.terminate();
      else s.close(1000, 'client closing');
    });
    if (wasReady) this.o.onState('disconnected', `${this.o.name} closed by us`);
  }

  private open(firstResult?: (error?: AutotraderError) => void): void {
    if (this.stopped) return;
    const url = this.o.url();
    const socket = new WebSocket(url, { handshakeTimeout: this.o.connectTimeoutMs });
    this.socket = socket;
    let opened = false;
    let settled = false;
    const settle = (error?: AutotraderError): void => {
      if (settled) return;
      settled = true;
      firstResult?.(error);
    };

    socket.on('open', () => {
      opened = true;
      this.lastFrameAt = Date.now();
      this.startPing(socket);
      this.o
        .onOpen(this)
        .then(() => {
          if (this.socket !== socket || socket.readyState !== WebSocket.OPEN) return;
          this.attempt = 0;
          this.ready = true;
          this.everConnected = true;
          this.o.onState('connected', `${this.o.name} connected`);
          settle();
        })
        .catch((error: unknown) => {
          this.o.logger.warn(`${this.o.name}: setup after open failed`, { error });
          const coded =
            error instanceof AutotraderError
              ? error
              : new AutotraderError('VENUE_UNAVAILABLE', `${this.o.name}: setup after connecting failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
          if (firstResult !== undefined && !settled) {
            settle(coded);
            socket.terminate();
            return;
          }
          socket.terminate();
        });
    });
    socket.on('message', (data, isBinary) => {
      this.lastFrameAt = Date.now();
      if (frameChannel.hasSubscribers) frameChannel.publish({ socket: this.o.name, at: performance.now() });
      if (isBinary) return;
      try {
        this.o.onMessage(data.toString());
      } catch (error) {
        this.o.logger.error(`${this.o.name}: message handler threw; frame skipped`, { error });
      }
    });
    socket.on('ping', () => {
      this.lastFrameAt = Date.now();
    });
    socket.on('pong', () => {
      this.lastFrameAt = Date.now();
    });
    socket.on('error', (error) => {
      this.o.logger.debug(`${this.o.name}: socket error`, { error });
    });
    socket.on('close', (code, reasonBuffer) => {
      if (this.socket !== socket) return;
      this.stopPing();
      const wasReady = this.ready;
      this.ready = false;
      const reason = `${this.o.name} closed (${code}${reasonBuffer.length > 0 ? ` ${reasonBuffer.toString()}` : ''})`;
      if (!this.everConnected && firstResult !== undefined) {
        settle(new AutotraderError('VENUE_UNAVAILABLE', `${this.o.name}: could not connect to ${redactQuery(url)}: ${opened ? reason : 'connection failed'}`, { details: { socket: this.o.name } }));
        return;
      }
      if (wasReady) this.o.onState('disconnected', reason);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.o.backoff, this.o.random);
    this.attempt++;
    this.o.logger.info(`${this.o.name}: reconnecting`, { attempt: this.attempt, delayMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open();
    }, delay);
  }

  private startPing(socket: WebSocket): void {
    this.stopPing();
    const tick = Math.max(10, Math.min(this.o.pingIntervalMs, Math.floor(this.o.deadAfterMs / 2)));
    let sinceLastPing = 0;
    this.pingTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.lastFrameAt > this.o.deadAfterMs) {
        this.o.logger.warn(`${this.o.name}: no frame for ${this.o.deadAfterMs} ms; treating the socket as dead`);
        socket.terminate();
        return;
      }
      sinceLastPing += tick;
      if (sinceLastPing >= this.o.pingIntervalMs) {
        sinceLastPing = 0;
        socket.ping();
      }
    }, tick);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}

/** URLs in errors lose their query (a combined-stream URL can be long; nothing secret is ever in it, but keep it tidy). */
const redactQuery = (url: string): string => url.split('?')[0]!;

interface Waiting<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests sent over a socket that wait, by id, for the frame that answers them, each with a deadline
 * (VENUE_TIMEOUT naming the request). Both Binance sockets use it: SUBSCRIBE frames on the market
 * streams and WebSocket API calls on the user-data socket.
 */
export class PendingRequests<T> {
  private readonly waiting = new Map<string, Waiting<T>>();

  constructor(
    /** Names the socket in errors. */
    private readonly name: string,
    private readonly timeoutMs: number,
  ) {}

  /** Registers `id`, then sends; a send that throws rejects at once. */
  request(id: string, what: string, send: () => void, details: Record<string, unknown> = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new AutotraderError('VENUE_TIMEOUT', `${this.name}: no answer to ${what} within ${this.timeoutMs} ms`, { details }));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      try {
        send();
      } catch (error) {
        this.take(id);
        reject(error as Error);
      }
    });
  }

  /** Answers request `id`; false when nothing waits for it (a late or foreign answer). */
  resolve(id: string, value: T): boolean {
    const w = this.take(id);
    w?.resolve(value);
    return w !== undefined;
  }

  /** Fails request `id`; false when nothing waits for it. */
  reject(id: string, error: Error): boolean {
    const w = this.take(id);
    w?.reject(error);
    return w !== undefined;
  }

  /** Fails every waiting request (the socket is closing). */
  rejectAll(error: Error): void {
    for (const id of [...this.waiting.keys()]) this.reject(id, error);
  }

  private take(id: string): Waiting<T> | undefined {
    const w = this.waiting.get(id);
    if (w === undefined) return undefined;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    return w;
  }
}
