import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { AutotraderError, backoffDelay, type BackoffPolicy, type HttpDispatcher, type Logger } from '@autotrader/core';
import type { HttpFailure, ResponseHeaders } from '../http/signed-http';
import { retryAfterMs } from '../http/retry-after';
import type { OpenInfo, SocketState } from '../ws/reconnecting-socket';

/** What a line stream needs. */
export interface LineStreamOptions {
  /** Names the stream in logs, errors and status reasons. */
  readonly name: string;
  /** The full URL, asked for before each attempt (so a reconnect can ask for what it missed). */
  readonly url: () => string;
  /** Request headers, asked for before each attempt (authentication: `authorization: Bearer …`). May throw AUTH_MISSING. */
  readonly headers?: () => Record<string, string> | Promise<Record<string, string>>;
  readonly logger: Logger;
  /** The connection pool to use; one is created (and closed by `close()`) when absent. */
  readonly dispatcher?: HttpDispatcher | Dispatcher;
  /** Waits between reconnect attempts: core's one backoff. */
  readonly backoff: BackoffPolicy;
  /** The response headers must arrive within this time, or the attempt failed. */
  readonly connectTimeoutMs: number;
  /**
   * No complete line (data or heartbeat) for this long: the stream has stalled; it is dropped and
   * reopened. Set it to a few heartbeat periods (Oanda sends one every 5 s).
   */
  readonly stallTimeoutMs: number;
  /** True for a heartbeat (Oanda `{"type":"HEARTBEAT"}`): it proves the stream alive and is not passed to `onLine`. */
  readonly isHeartbeat?: (value: unknown) => boolean;
  /** Runs after every open, before `connected` is reported (fetch what was missed while down). Throwing drops the stream. */
  readonly onOpen?: (info: OpenInfo) => Promise<void> | void;
  /** Every JSON value, one per line, in order. Errors it throws are logged; the stream goes on. */
  readonly onLine: (value: unknown) => void;
  /** A line that is not JSON (or longer than `maxLineLength`): skipped after this is told. */
  readonly onMalformed?: (line: string, reason: string) => void;
  /** Reports `connected` (after onOpen) and `disconnected` (with the reason). */
  readonly onState: (state: SocketState, reason: string) => void;
  /** An error answer to the stream request (default: 401/403 AUTH_FAILED, 429 RATE_LIMITED, 5xx VENUE_UNAVAILABLE, else VENUE_REJECTED). */
  readonly mapError?: (failure: HttpFailure) => AutotraderError;
  /** Characters a line may have before it is dropped as malformed (default 1 MiB). */
  readonly maxLineLength?: number;
  readonly random?: () => number;
}

/** The default reading of an error answer to a stream request. */
export function defaultStreamError(f: HttpFailure): AutotraderError {
  const details: Record<string, unknown> = { request: f.request, status: f.status };
  const body = f.text.slice(0, 200);
  if (f.status === 429) {
    details.retryAfterMs = retryAfterMs(f.headers['retry-after'], f.now) ?? 1000;
    return new AutotraderError('RATE_LIMITED', `${f.request}: 429 rate limited`, { details });
  }
  if (f.status === 401 || f.status === 403) return new AutotraderError('AUTH_FAILED', `${f.request}: HTTP ${f.status}, the credentials were refused`, { details });
  if (f.status >= 500) return new AutotraderError('VENUE_UNAVAILABLE', `${f.request}: HTTP ${f.status}`, { details });
  return new AutotraderError('VENUE_REJECTED', `${f.request}: HTTP ${f.status} ${body}`, { details });
}

/**
 * Splits text into lines across chunk boundaries: a chunk may end in the middle of a line (or of a
 * `\r\n`), and the rest of the line comes with the next chunk. Empty lines are skipped.
 */
export class LineSplitter {
  private rest = '';

  constructor(private readonly maxLineLength = 1 << 20) {}

  /** The complete lines `chunk` finishes, in order; an over-long unfinished line is returned as `overflow`. */
  push(chunk: string): { lines: string[]; overflow?: string } {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop()!;
    const lines: string[] = [];
    for (const p of parts) {
      const line = p.endsWith('\r') ? p.slice(0, -1) : p;
      if (line.trim().length > 0) lines.push(line);
    }
    if (this.rest.length > this.maxLineLength) {
      const overflow = this.rest;
      this.rest = '';
      return { lines, overflow };
    }
    return { lines };
  }

  /** Drops a partial line (the stream ended or was reopened). */
  reset(): void {
    this.rest = '';
  }
}

/**
 * A long-lived chunked HTTP response carrying one JSON object per line (Oanda's pricing and transaction
 * streams): lines split across chunks are joined, heartbeats are recognised, a stream that goes quiet
 * is dropped as stalled, and a dropped, ended or refused stream is reopened with core's one backoff,
 * running `onOpen` again. The first connection's failure is an error; later ones are retried until
 * `close()`.
 */
export class LineStream {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private dispatcherClosed = false;
  private stopped = true;
  private ready = false;
  private attempt = 0;
  private controller: AbortController | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private stallTimer: ReturnType<typeof setInterval> | undefined;
  private lastLineAt = 0;
  private everConnected = false;
  private running: Promise<void> | undefined;
  /** The current attempt was dropped for silence. */
  private stalled = false;

  constructor(private readonly o: LineStreamOptions) {
    this.ownsDispatcher = o.dispatcher === undefined;
    this.dispatcher = (o.dispatcher as Dispatcher | undefined) ?? new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  }

  /** True when the stream is open and `onOpen` has finished. */
  get connected(): boolean {
    return this.ready;
  }

  /** Opens the stream. Resolves once it is open and `onOpen` has run; rejects (without retrying) when that first attempt fails. */
  start(): Promise<void> {
    if (!this.stopped) return Promise.resolve();
    this.stopped = false;
    this.attempt = 0;
    this.everConnected = false;
    return new Promise<void>((resolve, reject) => {
      this.running = this.run((error) => {
        if (error === undefined) resolve();
        else {
          this.stopped = true;
          reject(error);
        }
      });
    });
  }

  /** Drops the current response on purpose; it is reopened with backoff. */
  recycle(reason: string): void {
    this.o.logger.warn(`${this.o.name}: recycling the stream`, { reason });
    this.controller?.abort(new Error(reason));
  }

  /** Closes for good: no reconnect. Reports `disconnected` if it was connected. Closing twice is harmless. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.controller?.abort(new Error('closed by us'));
    await this.running?.catch(() => {});
    this.running = undefined;
    if (this.ownsDispatcher && !this.dispatcherClosed) {
      this.dispatcherClosed = true;
      await this.dispatcher.close();
    }
  }

  /** One attempt: open, read lines until the response ends or fails, then schedule the next attempt. */
  private async run(first?: (error?: AutotraderError) => void): Promise<void> {
    if (this.stopped) return;
    const reconnect = this.everConnected;
    const controller = new AbortController();
    this.controller = controller;
    this.stalled = false;
    const url = this.o.url();
    const what = `GET ${url.split('?')[0]}`;
    let reason = `${this.o.name} ended`;
    let waitAtLeast = 0;
    const splitter = new LineSplitter(this.o.maxLineLength);
    try {
      const headers = { accept: 'application/json', ...(await this.o.headers?.()) };
      const openTimer = setTimeout(() => controller.abort(new Error(`no answer within ${this.o.connectTimeoutMs} ms`)), this.o.connectTimeoutMs);
      let res: Dispatcher.ResponseData;
      try {
        res = await undiciRequest(url, { method: 'GET', headers, dispatcher: this.dispatcher, signal: controller.signal, bodyTimeout: 0 });
      } finally {
        clearTimeout(openTimer);
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const text = await res.body.text().catch(() => '');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const failure: HttpFailure = { request: what, kind: 'read', status: res.statusCode, headers: res.headers as ResponseHeaders, text, json, now: Date.now() };
        throw (this.o.mapError ?? defaultStreamError)(failure);
      }
      this.lastLineAt = Date.now();
      this.watchForStalls(controller);
      await this.o.onOpen?.({ reconnect });
      if (controller.signal.aborted) throw controller.signal.reason;
      this.attempt = 0;
      this.ready = true;
      this.everConnected = true;
      this.o.onState('connected', `${this.o.name} connected`);
      first?.();
      first = undefined;
      const decoder = new TextDecoder('utf-8');
      for await (const chunk of res.body) {
        const { lines, overflow } = splitter.push(decoder.decode(chunk as Buffer, { stream: true }));
        if (overflow !== undefined) this.malformed(overflow.slice(0, 200), `a line longer than ${this.o.maxLineLength ?? 1 << 20} characters`);
        for (const line of lines) this.onLine(line);
      }
    } catch (error) {
      const coded = this.coded(error, controller, what);
      reason = `${this.o.name}: ${coded.message}`;
      if (coded.code === 'RATE_LIMITED') waitAtLeast = Number(coded.details.retryAfterMs) || 0;
      if (first !== undefined) {
        this.stopWatching();
        controller.abort();
        this.controller = undefined;
        first(coded);
        return;
      }
    }
    this.stopWatching();
    // Releases the connection whatever ended the attempt (a response left unread would hold it).
    controller.abort();
    const wasReady = this.ready;
    this.ready = false;
    if (wasReady) this.o.onState('disconnected', reason);
    this.scheduleReconnect(waitAtLeast);
  }

  private onLine(line: string): void {
    this.lastLineAt = Date.now();
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.malformed(line.slice(0, 200), 'not JSON');
      return;
    }
    if (this.o.isHeartbeat?.(value) === true) return;
    try {
      this.o.onLine(value);
    } catch (error) {
      this.o.logger.error(`${this.o.name}: line handler threw; line skipped`, { error });
    }
  }

  private malformed(line: string, reason: string): void {
    this.o.logger.warn(`${this.o.name}: line skipped (${reason})`);
    this.o.onMalformed?.(line, reason);
  }

  private coded(error: unknown, controller: AbortController, what: string): AutotraderError {
    if (error instanceof AutotraderError) return error;
    const cause = controller.signal.aborted ? controller.signal.reason : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    return new AutotraderError(this.stalled ? 'VENUE_TIMEOUT' : 'VENUE_UNAVAILABLE', `${what}: ${message}`, {
      cause: error,
      details: { stream: this.o.name, ...(this.stalled ? { stalled: true } : {}) },
    });
  }

  private watchForStalls(controller: AbortController): void {
    this.stopWatching();
    const tick = Math.max(10, Math.floor(this.o.stallTimeoutMs / 4));
    this.stallTimer = setInterval(() => {
      if (Date.now() - this.lastLineAt > this.o.stallTimeoutMs) {
        this.o.logger.warn(`${this.o.name}: no line for ${this.o.stallTimeoutMs} ms; dropping the stalled stream`);
        this.stalled = true;
        controller.abort(new Error(`stalled: no line for ${this.o.stallTimeoutMs} ms`));
      }
    }, tick);
    this.stallTimer.unref?.();
  }

  private stopWatching(): void {
    if (this.stallTimer !== undefined) clearInterval(this.stallTimer);
    this.stallTimer = undefined;
  }

  private scheduleReconnect(waitAtLeast: number): void {
    if (this.stopped) return;
    this.attempt++;
    const delay = Math.max(waitAtLeast, backoffDelay(this.o.backoff, this.attempt, (this.o.random ?? Math.random)()));
    this.o.logger.info(`${this.o.name}: reconnecting`, { attempt: this.attempt, delayMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.running = this.run();
    }, delay);
  }
}
