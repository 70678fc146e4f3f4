/**
 * A chunked-HTTP line stream, the way Oanda streams prices and transactions: a 200 response with
 * chunked transfer encoding that never ends by itself, each JSON object on its own line, a
 * heartbeat line on a timer so an idle stream stays alive, and the faults a client must survive:
 * the stream stalls (nothing more arrives, not even heartbeats, and the connection stays open), a
 * line that is not JSON, or the connection dropped.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { startPeriodic } from './heartbeat';

/** How to open a {@link LineStream}. */
export interface LineStreamOptions {
  /** Heartbeats: `line()` is written every `intervalMs` (Oanda: `{"type":"HEARTBEAT","time":…}` every 5 s). */
  readonly heartbeat?: { readonly intervalMs: number; readonly line: () => unknown };
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Content type; default `application/octet-stream` (what Oanda's streams send). */
  readonly contentType?: string;
}

/** One open line stream on one response. */
export class LineStream {
  private stopBeats: (() => void) | undefined;
  private stalled = false;
  private ended = false;

  constructor(private readonly res: ServerResponse, o: LineStreamOptions = {}) {
    res.writeHead(200, { ...o.headers, 'Content-Type': o.contentType ?? 'application/octet-stream', 'Transfer-Encoding': 'chunked' });
    // The status line and headers go out now, before any line: a client sees the stream open at once.
    res.flushHeaders();
    if (o.heartbeat !== undefined) {
      const { line } = o.heartbeat;
      this.stopBeats = startPeriodic(o.heartbeat.intervalMs, () => void this.write(line()));
    }
    res.on('close', () => this.finish());
  }

  /** True until the stream ends or its connection closes. */
  get open(): boolean {
    return !this.ended && !this.res.destroyed;
  }

  /** Writes `value` as one JSON line (one chunk); false when the stream is closed or stalled. */
  write(value: unknown): boolean {
    return this.writeRaw(`${JSON.stringify(value)}\n`);
  }

  /** Writes several objects in one chunk, one per line (Oanda: "multiple objects … separated by newlines"). */
  writeMany(values: readonly unknown[]): boolean {
    if (values.length === 0) return this.open && !this.stalled;
    return this.writeRaw(values.map((v) => `${JSON.stringify(v)}\n`).join(''));
  }

  /** Writes `text` exactly as given (a malformed line); false when the stream is closed or stalled. */
  writeRaw(text: string): boolean {
    if (!this.open || this.stalled) return false;
    this.res.write(text);
    return true;
  }

  /** From now on nothing is written, heartbeats included, and the connection stays open: a client must detect the stall. */
  stall(): void {
    this.stalled = true;
  }

  /** Ends the response cleanly (the last chunk). */
  end(): void {
    if (!this.open) return;
    this.finish();
    this.res.end();
  }

  /** Destroys the connection without ending the response (a dropped stream). */
  drop(): void {
    this.finish();
    this.res.socket?.destroy();
  }

  private finish(): void {
    this.ended = true;
    this.stopBeats?.();
    this.stopBeats = undefined;
  }
}
