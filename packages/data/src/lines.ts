import { DataError } from './errors';

/** The longest line a text file may have: far beyond any CSV row, and a guard against a file that is not line-based. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Turns a stream of byte chunks into lines without ever holding the whole text: each chunk is decoded
 * up to its last newline, and only the unfinished line is carried over. Lines are numbered from 1, a
 * leading UTF-8 byte-order mark is dropped, and a trailing carriage return (CRLF files) is removed.
 * Splitting UTF-8 at a newline byte is safe: 0x0A never occurs inside a multi-byte character.
 */
export class LineSplitter {
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  private lineNo = 0;
  private atStart = true;

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string, lineNo: number) => void,
  ) {}

  /** Lines emitted so far. */
  get lines(): number {
    return this.lineNo;
  }

  /** Feeds one chunk; calls `onLine` for every line it completes. */
  push(chunk: Uint8Array): void {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.hold(chunk);
      return;
    }
    let text: string;
    if (this.carryBytes > 0) {
      this.carry.push(chunk.subarray(0, last));
      text = Buffer.concat(this.carry).toString('utf8');
      this.carry = [];
      this.carryBytes = 0;
    } else {
      text = Buffer.from(chunk.buffer, chunk.byteOffset, last).toString('utf8');
    }
    this.emit(text);
    if (last + 1 < chunk.length) this.hold(chunk.slice(last + 1));
  }

  /** Emits the last line when the input did not end with a newline. */
  end(): void {
    if (this.carryBytes === 0) return;
    const text = Buffer.concat(this.carry).toString('utf8');
    this.carry = [];
    this.carryBytes = 0;
    this.emit(text);
  }

  private hold(bytes: Uint8Array): void {
    this.carryBytes += bytes.length;
    if (this.carryBytes > MAX_LINE_BYTES) {
      throw new DataError('DATA_FORMAT_UNKNOWN', `${this.path} line ${this.lineNo + 1} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; this is not a line-based CSV file.`, `Check what the file holds (\`head -c 300 ${this.path}\`); import CSV with one row per line, or a JSON array.`, {
        details: { path: this.path, line: this.lineNo + 1 },
      });
    }
    // A chunk that is only held must be copied: the caller may reuse its buffer.
    this.carry.push(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());
  }

  private emit(text: string): void {
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      const end = nl < 0 ? text.length : nl;
      const cut = end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      this.onLine(text.slice(from, cut), ++this.lineNo);
      if (nl < 0) return;
      from = nl + 1;
    }
  }
}
