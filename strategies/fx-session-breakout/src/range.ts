import { Decimal } from '@autotrader/core';

/** The extremes of the mid over a window, exact: each extreme is kept as the bid and ask it came from. */
export interface MidRange {
  readonly high: Decimal;
  readonly low: Decimal;
  /** Quotes seen in the window. */
  readonly quotes: number;
}

/**
 * Tracks the high and low of the mid ((bid + ask) / 2) of the quotes it is given. Comparison runs on
 * plain numbers (bid + ask orders the same as the mid), once per quote; the exact mids are made only
 * when the range is read.
 */
export class RangeTracker {
  private hiSum = -Infinity;
  private loSum = Infinity;
  private hiBid = 0;
  private hiAsk = 0;
  private loBid = 0;
  private loAsk = 0;
  private count = 0;

  /** Starts a new, empty window. */
  reset(): void {
    this.hiSum = -Infinity;
    this.loSum = Infinity;
    this.count = 0;
  }

  /** Adds one quote. Quotes without a two-sided positive price are left out. */
  push(bid: number, ask: number): void {
    if (!(bid > 0 && ask > 0)) return;
    const sum = bid + ask;
    this.count++;
    if (sum > this.hiSum) {
      this.hiSum = sum;
      this.hiBid = bid;
      this.hiAsk = ask;
    }
    if (sum < this.loSum) {
      this.loSum = sum;
      this.loBid = bid;
      this.loAsk = ask;
    }
  }

  /** Quotes in the window so far. */
  get quotes(): number {
    return this.count;
  }

  /** The window's range of the mid, or undefined when it saw no quote. */
  range(): MidRange | undefined {
    if (this.count === 0) return undefined;
    return { high: new Decimal(this.hiBid).plus(this.hiAsk).div(2), low: new Decimal(this.loBid).plus(this.loAsk).div(2), quotes: this.count };
  }
}
