import { DataError } from './errors';
import { MAX_LINE_BYTES } from './lines';

const WS = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/** Where the scanner is: before the opening `[`, between elements, inside one, or after the closing `]`. */
const enum State {
  Before,
  Between,
  Inside,
  After,
}

/**
 * Reads a JSON array element by element from a stream of byte chunks, so that a file of any size is
 * imported without holding its text: only the element being read is kept. Each element is handed to
 * `onElement` parsed, with its 0-based index. Strings (and the brackets or commas inside them) are
 * skipped correctly; anything that is not a single JSON array is refused with a coded error.
 */
export class JsonArrayScanner {
  private state = State.Before;
  private depth = 0;
  private inString = false;
  private escape = false;
  private afterComma = false;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private index = 0;

  constructor(
    private readonly path: string,
    private readonly onElement: (value: unknown, index: number) => void,
  ) {}

  /** Elements read so far. */
  get elements(): number {
    return this.index;
  }

  /** Feeds one chunk. */
  push(chunk: Uint8Array): void {
    let start = this.state === State.Inside ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      switch (this.state) {
        case State.Before:
          if (WS(c) || c === 0xef || c === 0xbb || c === 0xbf /* a UTF-8 byte-order mark */) continue;
          if (c !== 91 /* [ */) throw this.notAnArray();
          this.state = State.Between;
          continue;
        case State.Between:
          if (WS(c)) continue;
          if (c === 93 /* ] */) {
            if (this.afterComma) throw this.syntax('a comma before the closing ]');
            this.state = State.After;
            continue;
          }
          if (c === 44 /* , */) throw this.syntax('two commas in a row');
          this.state = State.Inside;
          this.depth = 0;
          this.inString = false;
          this.escape = false;
          start = i;
          i--; // read this byte again as the element's first
          continue;
        case State.Inside:
          if (this.inString) {
            if (this.escape) this.escape = false;
            else if (c === 92 /* \ */) this.escape = true;
            else if (c === 34 /* " */) this.inString = false;
          } else if (c === 34) this.inString = true;
          else if (c === 91 || c === 123) this.depth++;
          else if (c === 93 || c === 125) {
            if (this.depth === 0) {
              this.element(chunk, start, i);
              this.state = State.After;
            } else this.depth--;
          } else if (c === 44 && this.depth === 0) {
            this.element(chunk, start, i);
            this.state = State.Between;
            this.afterComma = true;
          }
          continue;
        case State.After:
          if (!WS(c)) throw this.syntax('more text after the closing ] of the array');
          continue;
      }
    }
    if (this.state === State.Inside) this.hold(chunk.subarray(start));
  }

  /** Checks the array was closed; an element cut off by the end of the file is parsed first, for the better message. */
  end(): void {
    if (this.state === State.Inside) {
      this.element(new Uint8Array(0), 0, 0);
      throw this.syntax('the file ends inside the array (no closing ]); it may be truncated');
    }
    if (this.state === State.Before) throw this.notAnArray();
    if (this.state === State.Between) throw this.syntax('the file ends inside the array (no closing ]); it may be truncated');
  }

  private hold(bytes: Uint8Array): void {
    this.partBytes += bytes.length;
    if (this.partBytes > MAX_LINE_BYTES) {
      throw new DataError('DATA_FORMAT_UNKNOWN', `${this.path}: element [${this.index}] of the JSON array is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB; that is not a row of market data.`, `Check what the file holds (\`head -c 300 ${this.path}\`); supported JSON layouts are listed in data/README.md.`, {
        details: { path: this.path, element: this.index },
      });
    }
    this.parts.push(bytes.slice());
  }

  private element(chunk: Uint8Array, start: number, end: number): void {
    let text: string;
    if (this.parts.length > 0) {
      this.parts.push(chunk.subarray(start, end));
      text = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.partBytes = 0;
    } else {
      text = Buffer.from(chunk.buffer, chunk.byteOffset + start, end - start).toString('utf8');
    }
    this.afterComma = false;
    const i = this.index++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new DataError(
        'DATA_PARSE',
        `${this.path} row ${i + 1} (element [${i}] of the JSON array): not valid JSON (${(cause as Error).message}): ${JSON.stringify(text.trim().slice(0, 80))}.`,
        `Fix that element, or re-download the file if it was cut short (\`tail -c 300 ${this.path}\` shows its end).`,
        { details: { path: this.path, element: i }, cause },
      );
    }
    this.onElement(value, i);
  }

  private notAnArray(): DataError {
    return new DataError('DATA_FORMAT_UNKNOWN', `${this.path}: the JSON is not an array of rows; supported JSON layouts are Binance klines, Binance (agg)trades and freqtrade trades.`, `Check what the file holds (\`head -c 300 ${this.path}\`); the layouts are listed in data/README.md.`, {
      details: { path: this.path },
    });
  }

  private syntax(why: string): DataError {
    return new DataError('DATA_PARSE', `${this.path}: not valid JSON: ${why} (after ${this.index} elements).`, `Fix the file, or re-download it if it was cut short (\`tail -c 300 ${this.path}\` shows its end).`, {
      details: { path: this.path, element: this.index },
    });
  }
}
