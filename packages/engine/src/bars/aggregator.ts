import type { Bar } from '@autotrader/core';

/**
 * Builds time bars of one instrument from a stream of prices (trades, or one price of each quote).
 * It is the only place bars are cut, in every mode; the rules, which reproduce Binance's klines
 * from its trades (checked against three days of Binance's own XRPETH klines):
 *
 * - **Boundaries.** A bar covers `[tsOpen, tsOpen + interval)` where `tsOpen` is a multiple of the
 *   interval since the UTC epoch (intervals divide a day, so days start bars). An event belongs to the
 *   bar its `tsEvent` falls in. The bar's `tsEvent` is its end, `tsOpen + interval`.
 * - **Values.** open = the first price in the interval, high/low = the extremes, close = the last,
 *   volume = the sum of trade sizes (0 for bars built from quotes, which carry no traded size).
 * - **When a bar closes.** At the first event of a later interval ({@link update}), or when the
 *   caller's clock says the interval is over ({@link closeUntil}, driven by a timer so that a quiet
 *   market still closes its bar). Either way the bar is emitted before the later event is used.
 * - **Empty intervals.** After the first bar, an interval with no event still gives a bar: open = high
 *   = low = close = the previous close, volume 0 (what Binance's klines show). Before the first event
 *   there are no bars, and the first bar starts with the first event (it is partial when the data or
 *   the session starts inside an interval).
 * - **Late events.** An event older than the bar being built (its bar already closed) is not used;
 *   {@link update} returns false so the caller can say so.
 *
 * Numbers are plain floats summed in event order, so the same events give the same bars to the bit.
 */
export class TimeBarAggregator {
  private tsOpen = NaN;
  private hasData = false;
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private v = 0;
  private last = NaN;

  constructor(
    readonly instrumentId: string,
    readonly intervalMs: number,
    /** Receives each closed bar; `tsInit` is the time it was closed. */
    private readonly emit: (bar: Bar) => void,
  ) {
    if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0)) throw new RangeError(`bar interval must be a positive whole number of ms, got ${intervalMs}`);
  }

  /** The end of the interval being built (the time its bar is due), or NaN before the first event. */
  get currentEnd(): number {
    return this.tsOpen + this.intervalMs;
  }

  /**
   * Adds one price at `ts` (volume `size`; 0 for quotes). Closes first every bar that ends at or
   * before `ts`, stamping them with `now`. Returns false, changing nothing, for an event older than the
   * bar being built.
   */
  update(ts: number, price: number, size: number, now: number): boolean {
    const start = ts - (ts % this.intervalMs);
    if (this.tsOpen !== this.tsOpen) {
      this.tsOpen = start;
    } else if (start < this.tsOpen) {
      return false;
    } else if (start > this.tsOpen) {
      this.closeUntil(start, now);
    }
    if (this.hasData) {
      if (price > this.h) this.h = price;
      if (price < this.l) this.l = price;
      this.c = price;
      this.v += size;
    } else {
      this.hasData = true;
      this.o = this.h = this.l = this.c = price;
      this.v = size;
    }
    return true;
  }

  /** Closes every bar whose interval ends at or before `until` (empty ones as flat bars), stamped `now`. */
  closeUntil(until: number, now: number): void {
    while (this.currentEnd <= until) this.closeCurrent(now);
  }

  private closeCurrent(now: number): void {
    const tsOpen = this.tsOpen;
    const tsEvent = tsOpen + this.intervalMs;
    const bar: Bar = this.hasData
      ? { instrumentId: this.instrumentId, tsOpen, tsEvent, tsInit: now, open: this.o, high: this.h, low: this.l, close: this.c, volume: this.v }
      : { instrumentId: this.instrumentId, tsOpen, tsEvent, tsInit: now, open: this.last, high: this.last, low: this.last, close: this.last, volume: 0 };
    // The state moves on before the bar leaves: a strategy that throws on it leaves a consistent builder.
    this.last = bar.close;
    this.tsOpen = tsEvent;
    this.hasData = false;
    this.emit(bar);
  }
}
