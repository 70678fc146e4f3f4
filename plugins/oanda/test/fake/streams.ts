/**
 * The pricing and transaction streams: chunked HTTP responses (the kit's `LineStream`), one JSON
 * object per line, a HEARTBEAT line every `heartbeatMs`, at most 4 prices a second per instrument
 * (a newer price waits and replaces an unsent one), and the stream faults: stalled streams, lines
 * split over several chunks, dropped streams, repeated or withheld transactions, a malformed line.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { LineStream } from '@autotrader/testkit/fake-venue';
import type { Account, Transaction } from './account';
import { toWire } from './json';
import { nanosAt, type DatetimeFormat } from './wire';

/** Minimum spacing of two prices of one instrument on one stream (v20: "at most 4 prices per second"). */
export const PRICE_SPACING_MS = 250;

/** Gap between the chunks of a split line, so each reaches the client as its own read. */
const SPLIT_CHUNK_GAP_MS = 8;

/** A line that is not JSON (a truncated PRICE object), for the malformed-line fault. */
export const MALFORMED_LINE = '{"type":"PRICE","instrument":"EUR_USD","time":"2016-10-27T08:38:43.0945';

interface OpenStream {
  readonly kind: 'pricing' | 'transactions';
  readonly account: Account;
  readonly instruments: ReadonlySet<string>;
  readonly format: DatetimeFormat;
  readonly line: LineStream;
  readonly timer: NodeJS.Timeout;
  /** Split mode: text waiting to be written, and whether a write of pieces is under way. */
  buffer: string;
  flushing: boolean;
  flushTimer?: NodeJS.Timeout;
  /** Per instrument: when its last price went out, and a price held back by the 4/s limit. */
  readonly lastPriceAt: Map<string, number>;
  readonly heldPrice: Map<string, { value: Record<string, unknown>; timer: NodeJS.Timeout }>;
}

/** Hub options. */
export interface StreamHubOptions {
  readonly nowMs: () => number;
  readonly heartbeatMs: number;
}

/** Every open stream, and the stream faults. */
export class StreamHub {
  private readonly streams = new Set<OpenStream>();
  private stalled = false;
  private split = false;
  private duplicates = 0;
  private gap = false;

  constructor(private readonly o: StreamHubOptions) {}

  /** Open streams. */
  get count(): number {
    return this.streams.size;
  }

  /** Opens a stream on `res` (the response is taken over). */
  open(res: ServerResponse, kind: OpenStream['kind'], account: Account, instruments: ReadonlySet<string>, format: DatetimeFormat, headers: Record<string, string>, snapshot: readonly Record<string, unknown>[]): void {
    const line = new LineStream(res, { headers });
    const s: OpenStream = {
      kind,
      account,
      instruments,
      format,
      line,
      timer: setInterval(() => this.write(s, [this.heartbeat(s)]), this.o.heartbeatMs),
      buffer: '',
      flushing: false,
      lastPriceAt: new Map(),
      heldPrice: new Map(),
    };
    s.timer.unref();
    this.streams.add(s);
    res.on('close', () => this.forget(s));
    if (snapshot.length > 0) {
      for (const p of snapshot) s.lastPriceAt.set(p.instrument as string, this.o.nowMs());
      this.write(s, snapshot);
    }
  }

  private forget(s: OpenStream): void {
    clearInterval(s.timer);
    if (s.flushTimer !== undefined) clearTimeout(s.flushTimer);
    for (const h of s.heldPrice.values()) clearTimeout(h.timer);
    this.streams.delete(s);
  }

  private heartbeat(s: OpenStream): Record<string, unknown> {
    const time = nanosAt(this.o.nowMs());
    return s.kind === 'pricing' ? { type: 'HEARTBEAT', time } : { type: 'HEARTBEAT', lastTransactionID: s.account.lastTransactionID, time };
  }

  /** A new price of `instrument` (ClientPrice JSON) for every pricing stream that asked for it. */
  price(instrument: string, price: (account: Account) => Record<string, unknown>): void {
    const now = this.o.nowMs();
    for (const s of this.streams) {
      if (s.kind !== 'pricing' || !s.instruments.has(instrument)) continue;
      const value = price(s.account);
      const last = s.lastPriceAt.get(instrument);
      const held = s.heldPrice.get(instrument);
      if (last !== undefined && now - last < PRICE_SPACING_MS) {
        if (held !== undefined) {
          held.value = value;
          continue;
        }
        const h = { value, timer: setTimeout(() => {
          s.heldPrice.delete(instrument);
          s.lastPriceAt.set(instrument, this.o.nowMs());
          this.write(s, [h.value]);
        }, last + PRICE_SPACING_MS - now) };
        h.timer.unref();
        s.heldPrice.set(instrument, h);
        continue;
      }
      s.lastPriceAt.set(instrument, now);
      this.write(s, [value]);
    }
  }

  /** New transactions of `account` for its transaction streams (unless withheld by the gap fault). */
  transactions(account: Account, txs: readonly Transaction[]): void {
    if (this.gap) return;
    const lines: Transaction[] = [];
    for (const t of txs) {
      lines.push(t);
      if (this.duplicates > 0) {
        this.duplicates -= 1;
        lines.push(t);
      }
    }
    for (const s of this.streams) if (s.kind === 'transactions' && s.account === account) this.write(s, lines);
  }

  private write(s: OpenStream, values: readonly unknown[]): void {
    const text = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(toWire(v, s.format)))).map((l) => `${l}\n`).join('');
    this.writeText(s, text);
  }

  private writeText(s: OpenStream, text: string): void {
    if (this.stalled || !s.line.open) return;
    if (!this.split && !s.flushing && s.buffer === '') {
      s.line.writeRaw(text);
      return;
    }
    s.buffer += text;
    this.scheduleFlush(s);
  }

  private scheduleFlush(s: OpenStream): void {
    if (s.flushing || s.flushTimer !== undefined) return;
    // A short wait lets lines written together share chunks ("several lines per chunk").
    s.flushTimer = setTimeout(() => {
      s.flushTimer = undefined;
      this.flush(s);
    }, 15);
    s.flushTimer.unref();
  }

  /** Writes the buffer as pieces cut inside every line: each line spans 2–3 chunks, a chunk spans lines. */
  private flush(s: OpenStream): void {
    const text = s.buffer;
    s.buffer = '';
    if (text === '') return;
    const pieces = this.split ? splitIntoPieces(text) : [text];
    s.flushing = true;
    const next = (): void => {
      const piece = pieces.shift();
      if (piece === undefined || this.stalled || !s.line.open) {
        s.flushing = false;
        if (s.buffer !== '') this.scheduleFlush(s);
        return;
      }
      s.line.writeRaw(piece);
      setTimeout(next, SPLIT_CHUNK_GAP_MS).unref();
    };
    next();
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** While on, streams stay open and write nothing (no heartbeats); what falls in the stall is lost. */
  stall(on: boolean): void {
    this.stalled = on;
  }

  /** While on, each line is written in 2–3 chunks cut mid-line, chunks spanning lines. */
  splitLines(on: boolean): void {
    this.split = on;
  }

  /** Destroys every open stream's connection; returns how many there were. */
  dropAll(): number {
    const n = this.streams.size;
    for (const s of [...this.streams]) {
      this.forget(s);
      s.line.drop();
    }
    return n;
  }

  /** The next `times` transactions are each sent twice. */
  duplicate(times: number): void {
    this.duplicates += times;
  }

  /** While on, transactions are not pushed on the streams (GET /transactions/sinceid still has them). */
  transactionGap(on: boolean): void {
    this.gap = on;
  }

  /** Writes a line that is not JSON on every open stream now. */
  malformed(): void {
    for (const s of this.streams) this.writeText(s, `${MALFORMED_LINE}\n`);
  }

  /** Closes every stream (the server is closing). */
  close(): void {
    for (const s of [...this.streams]) {
      this.forget(s);
      s.line.end();
    }
  }
}

/** Cuts `text` (whole lines) inside every line: once for even lines, twice for odd ones. */
export function splitIntoPieces(text: string): string[] {
  const cuts: number[] = [];
  let start = 0;
  let index = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start) + 1 || text.length;
    const len = end - start;
    if (len >= 3) {
      if (index % 2 === 0) cuts.push(start + Math.floor(len / 2));
      else cuts.push(start + Math.floor(len / 3), start + Math.floor((2 * len) / 3));
    }
    start = end;
    index++;
  }
  const pieces: string[] = [];
  let from = 0;
  for (const c of cuts) {
    if (c > from) pieces.push(text.slice(from, c));
    from = c;
  }
  pieces.push(text.slice(from));
  return pieces;
}
