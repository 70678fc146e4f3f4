/**
 * A fake venue's market depth: price levels per side, set by the test (a quantity of 0 removes a
 * level), read back best first. The venue adds its own update ids, sequence numbers and checksums
 * on top (Binance's U/u, Coinbase's `sequence_num`, OKX's `seqId`/`prevSeqId` and `checksum`).
 * @module
 */
import type { Decimal } from '@autotrader/core';

/** A price level: price and quantity. */
export type Level = readonly [price: Decimal, quantity: Decimal];

/** Which side of the book. */
export type BookSide = 'bid' | 'ask';

/** Price levels of one instrument. Prices that are equal as numbers ("30000" and "30000.00") are one level. */
export class LevelBook {
  private readonly sides: Record<BookSide, Map<string, Level>> = { bid: new Map(), ask: new Map() };

  /** Sets the quantity at `price`; 0 removes the level. */
  set(side: BookSide, price: Decimal, quantity: Decimal): void {
    if (price.isNeg() || quantity.isNeg()) throw new RangeError(`a book level needs a price and quantity >= 0, got ${price.toString()} x ${quantity.toString()}`);
    const levels = this.sides[side];
    const key = price.toString();
    if (quantity.isZero()) levels.delete(key);
    else levels.set(key, [price, quantity]);
  }

  /** The best `limit` levels of a side: bids high to low, asks low to high. */
  top(side: BookSide, limit = Number.POSITIVE_INFINITY): Level[] {
    const levels = [...this.sides[side].values()];
    levels.sort(side === 'bid' ? ([x], [y]) => y.cmp(x) : ([x], [y]) => x.cmp(y));
    return Number.isFinite(limit) ? levels.slice(0, limit) : levels;
  }

  /** The best level of a side, if any. */
  best(side: BookSide): Level | undefined {
    return this.top(side, 1)[0];
  }

  /** Removes every level. */
  clear(): void {
    this.sides.bid.clear();
    this.sides.ask.clear();
  }
}
