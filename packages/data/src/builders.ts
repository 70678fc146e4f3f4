import { barProblem, isGoodBar, quoteProblem, timeProblem, tradeProblem, type RowProblem } from '@autotrader/core';
import { DataError } from './errors';
import { RepairLog, type RepairMode } from './repair';
import type { BarColumns, QuoteColumns, TradeColumns } from './series';
import { unsortedError, valueError, type RowLocation } from './text';
import { utf8Ids } from './trade-ids';

/** How rows entering a series are checked, and what happens to a bad one. */
export interface RowRules {
  /** The file the rows come from, for messages. */
  readonly path: string;
  /** Absent: a bad row is refused (the whole file is). `drop` removes it, `clip` repairs a bar's open/close. */
  readonly repair?: RepairMode;
  /** The instrument's prices may be zero or negative. */
  readonly allowNonPositivePrices: boolean;
  /** How a row position is shown: a CSV line, a JSON element or an Arrow row. */
  readonly locate: (position: number) => RowLocation;
}

/** The most rows one series may hold: Arrow's limit for one array (2^31 - 1). */
export const MAX_ROWS = 2 ** 31 - 1;

const grow = <T extends Float64Array | Int8Array | Int32Array>(a: T, capacity: number): T => {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a.subarray(0, Math.min(a.length, capacity)) as never);
  return b;
};

/**
 * Collects rows into typed columns that grow as needed (by half again, so a long import wastes little),
 * checking each row with the market-data rules from `@autotrader/core` and applying the repair mode.
 * Rows are committed only once every check passed, so a dropped row leaves nothing behind.
 */
abstract class SeriesBuilder {
  /** Rows committed so far. */
  length = 0;
  protected capacity = 0;
  /** The time of the last committed row. */
  protected prev = -Infinity;
  /** What the repair changed; undefined when no repair was asked for. */
  readonly log: RepairLog | undefined;

  constructor(
    protected readonly rules: RowRules,
    /** Bars need strictly increasing times; ticks only non-decreasing. */
    private readonly strict: boolean,
    private readonly timeColumn: string,
  ) {
    this.log = rules.repair === undefined ? undefined : new RepairLog(rules.repair);
  }

  /** Makes room for `rows` rows at once (an estimate from the file size saves growing step by step). */
  reserve(rows: number): void {
    if (rows > this.capacity) this.resize(Math.min(MAX_ROWS, Math.ceil(rows)));
  }

  protected abstract resize(capacity: number): void;

  /** Makes room for one more row. */
  protected room(): void {
    if (this.length < this.capacity) return;
    if (this.capacity >= MAX_ROWS) {
      throw new DataError('CONFIG_INVALID', `${this.rules.path} has more than ${MAX_ROWS} rows, more than one Arrow array can hold.`, 'Split the source into parts by time (for example with `split -l 1000000000`) and import each part to its own Arrow file; `pnpm backtest --data` takes them all.', {
        details: { path: this.rules.path, rows: this.length },
      });
    }
    this.resize(Math.min(MAX_ROWS, Math.max(4096, Math.ceil(this.capacity * 1.5))));
  }

  /** Checks a row's time; false when the row was dropped. */
  protected timeOk(position: number, ts: number): boolean {
    const problem = timeProblem(this.timeColumn, ts);
    if (problem !== undefined) return this.bad(position, problem);
    if (this.strict ? ts > this.prev : ts >= this.prev) return true;
    if (this.rules.repair === 'drop') {
      this.log!.dropped(this.rules.locate(position), `time ${new Date(ts).toISOString()} does not move forward`);
      return false;
    }
    throw unsortedError(this.rules.path, this.rules.locate(position), ts, this.prev, this.strict);
  }

  /** A row with a problem `clip` cannot repair: dropped (returns false) or refused (throws). */
  protected bad(position: number, problem: RowProblem): false {
    const at = this.rules.locate(position);
    if (this.rules.repair === 'drop') {
      this.log!.dropped(at, `${problem.column} ${problem.value} ${problem.reason}`);
      return false;
    }
    const extra = this.rules.repair === 'clip' ? ' (--repair clip only moves an open or close that lies outside [low, high]; --repair drop removes the row)' : '';
    throw valueError(this.rules.path, at, problem, extra);
  }
}

/** Bars as they are imported: tsOpen, open, high, low, close, volume. */
export class BarBuilder extends SeriesBuilder {
  private c: BarColumns = { tsOpen: new Float64Array(0), open: new Float64Array(0), high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) };

  constructor(rules: RowRules) {
    super(rules, true, 'ts_open');
  }

  protected resize(capacity: number): void {
    const c = this.c;
    this.c = { tsOpen: grow(c.tsOpen, capacity), open: grow(c.open, capacity), high: grow(c.high, capacity), low: grow(c.low, capacity), close: grow(c.close, capacity), volume: grow(c.volume, capacity) };
    this.capacity = capacity;
  }

  /** Adds one bar, or drops, clips or refuses it. `position` is where it is in the source, for messages. */
  add(position: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (!this.timeOk(position, ts)) return;
    const allow = this.rules.allowNonPositivePrices;
    if (!isGoodBar(open, high, low, close, volume, allow)) {
      const problem = barProblem(open, high, low, close, volume, allow);
      if (problem !== undefined) {
        if (this.rules.repair !== 'clip' || problem.outsideRange !== true) {
          this.bad(position, problem);
          return;
        }
        open = Math.min(Math.max(open, low), high);
        close = Math.min(Math.max(close, low), high);
        this.log!.clipped(this.rules.locate(position), `${problem.column} ${problem.value} ${problem.reason}`);
      }
    }
    this.room();
    const i = this.length++;
    const c = this.c;
    c.tsOpen[i] = ts;
    c.open[i] = open;
    c.high[i] = high;
    c.low[i] = low;
    c.close[i] = close;
    c.volume[i] = volume;
    this.prev = ts;
  }

  /** The committed rows, as views on the columns. */
  columns(): BarColumns {
    const c = this.c;
    const n = this.length;
    return { tsOpen: c.tsOpen.subarray(0, n), open: c.open.subarray(0, n), high: c.high.subarray(0, n), low: c.low.subarray(0, n), close: c.close.subarray(0, n), volume: c.volume.subarray(0, n) };
  }
}

const encoder = new TextEncoder();

/** Trade prints as they are imported, ids held as UTF-8 bytes and offsets (no string per row). */
export class TradeBuilder extends SeriesBuilder {
  private ts = new Float64Array(0);
  private price = new Float64Array(0);
  private size = new Float64Array(0);
  private aggressor = new Int8Array(0);
  private offsets = new Int32Array(1);
  private bytes = new Uint8Array(1 << 16);

  constructor(rules: RowRules) {
    super(rules, false, 'ts');
  }

  protected resize(capacity: number): void {
    this.ts = grow(this.ts, capacity);
    this.price = grow(this.price, capacity);
    this.size = grow(this.size, capacity);
    this.aggressor = grow(this.aggressor, capacity);
    this.offsets = grow(this.offsets, capacity + 1);
    this.capacity = capacity;
  }

  /** Adds one trade, or drops or refuses it. `aggressor`: 1 buy, -1 sell, 0 unknown. */
  add(position: number, ts: number, price: number, size: number, aggressor: number, id: string): void {
    if (!this.timeOk(position, ts)) return;
    const problem = tradeProblem(price, size, this.rules.allowNonPositivePrices);
    if (problem !== undefined) {
      this.bad(position, problem);
      return;
    }
    this.room();
    const i = this.length;
    const start = this.offsets[i];
    const end = this.putId(start, id);
    this.length++;
    this.ts[i] = ts;
    this.price[i] = price;
    this.size[i] = size;
    this.aggressor[i] = aggressor;
    this.offsets[i + 1] = end;
    this.prev = ts;
  }

  /** Writes an id's UTF-8 bytes at `at`, growing the byte store; returns where they end. */
  private putId(at: number, id: string): number {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const need = at + id.length * 3;
    if (need > this.bytes.length) {
      if (need > 0x7fffffff) {
        throw new DataError('CONFIG_INVALID', `${this.rules.path}: the trade ids take more than 2 GiB, more than one Arrow string column can hold.`, 'Split the source into parts by time and import each part to its own Arrow file; `pnpm backtest --data` takes them all.', {
          details: { path: this.rules.path, rows: this.length },
        });
      }
      const bigger = new Uint8Array(Math.min(0x7fffffff, Math.max(need, Math.ceil(this.bytes.length * 1.5))));
      bigger.set(this.bytes.subarray(0, at));
      this.bytes = bigger;
    }
    for (let k = 0; k < id.length; k++) {
      const ch = id.charCodeAt(k);
      if (ch > 127) return at + encoder.encodeInto(id, this.bytes.subarray(at)).written;
      this.bytes[at + k] = ch;
    }
    return at + id.length;
  }

  /** The committed rows, as views on the columns. */
  columns(): TradeColumns {
    const n = this.length;
    return {
      ts: this.ts.subarray(0, n),
      price: this.price.subarray(0, n),
      size: this.size.subarray(0, n),
      aggressor: this.aggressor.subarray(0, n),
      tradeId: utf8Ids(this.bytes.subarray(0, this.offsets[n]), this.offsets.subarray(0, n + 1)),
      arrowIds: { bytes: this.bytes.subarray(0, this.offsets[n]), offsets: this.offsets.subarray(0, n + 1) },
    };
  }
}

/** Top-of-book quotes as they are imported. */
export class QuoteBuilder extends SeriesBuilder {
  private c: QuoteColumns = { ts: new Float64Array(0), bid: new Float64Array(0), ask: new Float64Array(0), bidSize: new Float64Array(0), askSize: new Float64Array(0) };

  constructor(rules: RowRules) {
    super(rules, false, 'ts');
  }

  protected resize(capacity: number): void {
    const c = this.c;
    this.c = { ts: grow(c.ts, capacity), bid: grow(c.bid, capacity), ask: grow(c.ask, capacity), bidSize: grow(c.bidSize, capacity), askSize: grow(c.askSize, capacity) };
    this.capacity = capacity;
  }

  /** Adds one quote, or drops or refuses it. Sizes of 0 mean unknown. */
  add(position: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    if (!this.timeOk(position, ts)) return;
    const problem = quoteProblem(bid, ask, bidSize, askSize, this.rules.allowNonPositivePrices);
    if (problem !== undefined) {
      this.bad(position, problem);
      return;
    }
    this.room();
    const i = this.length++;
    const c = this.c;
    c.ts[i] = ts;
    c.bid[i] = bid;
    c.ask[i] = ask;
    c.bidSize[i] = bidSize;
    c.askSize[i] = askSize;
    this.prev = ts;
  }

  /** The committed rows, as views on the columns. */
  columns(): QuoteColumns {
    const c = this.c;
    const n = this.length;
    return { ts: c.ts.subarray(0, n), bid: c.bid.subarray(0, n), ask: c.ask.subarray(0, n), bidSize: c.bidSize.subarray(0, n), askSize: c.askSize.subarray(0, n) };
  }
}

/** Any of the three builders. */
export type AnyBuilder = BarBuilder | TradeBuilder | QuoteBuilder;
