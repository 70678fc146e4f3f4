import { channel } from 'node:diagnostics_channel';
import WebSocket from 'ws';
import { AutotraderError, backoffDelay, type BackoffPolicy, type Logger, type VenueState } from '@autotrader/core';

/**
 * Every frame a venue socket receives is announced on this diagnostics channel as `{ socket, at }`
 * (`performance.now()`), for latency measurement (`pnpm bench`). Publishing costs nothing when nobody
 * subscribes.
 */
export const FRAME_CHANNEL = 'autotrader:venue:frame';
const frameChannel = channel(FRAME_CHANNEL);

/**
 * How a socket proves it is alive. Whatever the policy, `ws` answers the server's ping frames with
 * pongs, and any frame received (data, ping, pong) counts as a sign of life for idle detection.
 */
export type HeartbeatPolicy =
  /** The server pings (Binance every 20 s); we only answer and watch for silence. */
  | { readonly kind: 'server-ping' }
  /** We send a WebSocket ping frame every `intervalMs`; the pong proves the socket alive. */
  | { readonly kind: 'client-ping'; readonly intervalMs: number }
  /**
   * We send an application text when either side has been quiet for `intervalMs` (OKX: `ping`,
   * answered by `pong`): nothing received (is the socket alive?) or nothing sent (a venue that drops a
   * client which writes nothing, even while it streams to it). The reply text is taken here and never
   * reaches `onMessage`.
   */
  | { readonly kind: 'text-ping'; readonly intervalMs: number; readonly text: string; readonly reply: string };

/** Connection health as the socket sees it. */
export type SocketState = 'connected' | 'disconnected';

/** What `onOpen` is told about the connection it runs on. */
export interface OpenInfo {
  /** False on the first connection, true on every reconnect (resubscribe, log in again, resync books). */
  readonly reconnect: boolean;
}

/** What a reconnecting socket needs. */
export interface ReconnectingSocketOptions {
  /** Names the socket in logs, errors and status reasons. */
  readonly name: string;
  /** Called before each attempt, so the URL can change between attempts (a new token, other streams). */
  readonly url: () => string;
  /** Handshake headers, asked for before each attempt (a venue that authenticates the upgrade). */
  readonly headers?: () => Record<string, string>;
  readonly logger: Logger;
  /** Waits between reconnect attempts: core's one backoff. */
  readonly backoff: BackoffPolicy;
  /** A handshake that has not finished in this time is a failed attempt. */
  readonly connectTimeoutMs: number;
  readonly heartbeat: HeartbeatPolicy;
  /** Nothing received for this long: the socket is dead; it is terminated and reconnected. */
  readonly idleTimeoutMs: number;
  /**
   * Runs after every open, before `connected` is reported: log in and (re)subscribe here. If it throws,
   * the connection is dropped and, after the first connection, retried with backoff.
   */
  readonly onOpen: (socket: ReconnectingSocket, info: OpenInfo) => Promise<void>;
  /** Every text frame. Errors it throws are logged and the frame is skipped: they never kill the socket. */
  readonly onMessage: (text: string) => void;
  /** Reports `connected` (after onOpen) and `disconnected` (with the reason). */
  readonly onState: (state: SocketState, reason: string) => void;
  /** Jitter draws (tests pass a fixed one). */
  readonly random?: () => number;
}

/** A socket's state as a `venueStatus` state: a socket down while its port is running is reconnecting. */
export function venueStateOf(state: SocketState, running: boolean): VenueState {
  return state === 'connected' ? 'connected' : running ? 'reconnecting' : 'disconnected';
}

/** URLs in errors lose their query (a token or a long list of streams may be there). */
const withoutQuery = (url: string): string => url.split('?')[0]!;

/**
 * A WebSocket that stays connected: the heartbeat policy of its venue, idle detection, reconnects
 * waited out with core's one backoff, and `onOpen` after every (re)connect so the plugin resubscribes.
 * The first connection's failure is an error (a wrong URL is told at connect, not retried forever);
 * later drops are retried until `close()`.
 */
export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = true;
  private ready = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private lastPingAt = 0;
  /** When we last wrote a frame (text-ping keeps our side talking too). */
  private lastSentAt = 0;
  private everConnected = false;
  /** The first connection while it is being opened: every caller of start() waits for the same one. */
  private starting: Promise<void> | undefined;

  constructor(private readonly o: ReconnectingSocketOptions) {}

  /** True when open and `onOpen` has finished. */
  get connected(): boolean {
    return this.ready;
  }

  /**
   * Opens the first connection. Resolves when it is open and `onOpen` has run; rejects with
   * VENUE_UNAVAILABLE (or the error `onOpen` threw) and does not retry when that first attempt fails.
   */
  start(): Promise<void> {
    if (this.starting !== undefined) return this.starting;
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    this.attempt = 0;
    this.everConnected = false;
    this.starting = new Promise<void>((resolve, reject) => {
      this.open((error) => {
        if (error === undefined) {
          resolve();
          return;
        }
        this.stopped = true;
        reject(error);
      });
    }).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Sends a text frame; throws VENUE_UNAVAILABLE when the socket is not open. */
  send(text: string): void {
    const s = this.socket;
    if (s === undefined || s.readyState !== WebSocket.OPEN) {
      throw new AutotraderError('VENUE_UNAVAILABLE', `${this.o.name}: not connected, cannot send`, { details: { socket: this.o.name } });
    }
    s.send(text);
    this.lastSentAt = Date.now();
  }

  /** Drops the current connection on purpose (it is re-established with backoff), for example when the venue announces a shutdown. */
  recycle(reason: string): void {
    this.o.logger.warn(`${this.o.name}: recycling connection`, { reason });
    this.socket?.terminate();
  }

  /** Closes for good: no reconnect. Reports `disconnected` if it was connected. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopHeartbeat();
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
    const socket = new WebSocket(url, { handshakeTimeout: this.o.connectTimeoutMs, headers: this.o.headers?.() });
    this.socket = socket;
    let opened = false;
    let settled = false;
    const settle = (error?: AutotraderError): void => {
      if (settled) return;
      settled = true;
      firstResult?.(error);
    };
    const reconnect = this.everConnected;

    socket.on('open', () => {
      opened = true;
      this.lastFrameAt = Date.now();
      this.lastPingAt = this.lastFrameAt;
      this.lastSentAt = this.lastFrameAt;
      this.startHeartbeat(socket);
      this.o
        .onOpen(this, { reconnect })
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
          if (firstResult !== undefined && !settled) settle(coded);
          socket.terminate();
        });
    });
    socket.on('message', (data, isBinary) => {
      this.lastFrameAt = Date.now();
      if (frameChannel.hasSubscribers) frameChannel.publish({ socket: this.o.name, at: performance.now() });
      if (isBinary) return;
      const text = data.toString();
      const hb = this.o.heartbeat;
      if (hb.kind === 'text-ping' && text === hb.reply) return;
      try {
        this.o.onMessage(text);
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
      this.stopHeartbeat();
      const wasReady = this.ready;
      this.ready = false;
      const reason = `${this.o.name} closed (${code}${reasonBuffer.length > 0 ? ` ${reasonBuffer.toString()}` : ''})`;
      if (!this.everConnected && firstResult !== undefined) {
        settle(new AutotraderError('VENUE_UNAVAILABLE', `${this.o.name}: could not connect to ${withoutQuery(url)}: ${opened ? reason : 'connection failed'}`, { details: { socket: this.o.name } }));
        return;
      }
      if (wasReady) this.o.onState('disconnected', reason);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.attempt++;
    const delay = backoffDelay(this.o.backoff, this.attempt, (this.o.random ?? Math.random)());
    this.o.logger.info(`${this.o.name}: reconnecting`, { attempt: this.attempt, delayMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open();
    }, delay);
  }

  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    const hb = this.o.heartbeat;
    const interval = hb.kind === 'server-ping' ? Infinity : hb.intervalMs;
    const tick = Math.max(10, Math.min(interval, Math.floor(this.o.idleTimeoutMs / 2)));
    this.heartbeatTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      const now = Date.now();
      if (now - this.lastFrameAt > this.o.idleTimeoutMs) {
        this.o.logger.warn(`${this.o.name}: nothing received for ${this.o.idleTimeoutMs} ms; treating the socket as dead`);
        socket.terminate();
        return;
      }
      // Half a tick of slack: timers fire a little early or late, and a ping must not slip a whole tick.
      const due = (since: number): boolean => now - since >= interval - tick / 2;
      if (hb.kind === 'client-ping' && due(this.lastPingAt)) {
        this.lastPingAt = now;
        socket.ping();
      } else if (hb.kind === 'text-ping' && due(Math.max(Math.min(this.lastFrameAt, this.lastSentAt), this.lastPingAt))) {
        // Pinged when either side was quiet: traffic both ways already proves the socket alive and keeps it open.
        this.lastPingAt = now;
        this.lastSentAt = now;
        socket.send(hb.text);
      }
    }, tick);
    this.heartbeatTimer.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}
