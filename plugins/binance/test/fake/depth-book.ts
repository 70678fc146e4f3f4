/**
 * The server-side market depth of one symbol: levels set by the test's `depthUpdate` calls, an
 * update id sequence, and snapshots (`GET /api/v3/depth`) consistent with the diffs streamed.
 *
 * Each diff takes one update id per level it changes: U = lastUpdateId + 1, u = U + levels - 1
 * (an empty diff still takes one id), which satisfies web-socket-streams.md "How to manage a local
 * order book correctly". A sequence-gap fault skips ids before U; the book itself still applies the
 * diff, so a client that re-snapshots after seeing the gap is consistent again. The levels are the
 * kit's; the update ids and the printing are Binance's.
 * @module
 */
import { LevelBook, type Level } from '@autotrader/testkit/fake-venue';
import { inputDecimal, wire } from './format';

/** A price level on the wire: `[price, quantity]`. */
export type WireLevel = [string, string];

/** One diff, as the `depthUpdate` event carries it. */
export interface DepthDiff {
  readonly U: number;
  readonly u: number;
  readonly b: WireLevel[];
  readonly a: WireLevel[];
}

/** A depth snapshot, as `GET /api/v3/depth` and partial-depth streams print it. */
export interface DepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: WireLevel[];
  readonly asks: WireLevel[];
}

/** Levels of one symbol with an update id sequence. */
export class DepthBook {
  private readonly levels = new LevelBook();

  /** @param lastUpdateId - id before the first diff. */
  constructor(private lastUpdateIdValue = 1000) {}

  /** The id of the last diff applied. */
  get lastUpdateId(): number {
    return this.lastUpdateIdValue;
  }

  /**
   * Applies a diff (quantity 0 removes a level) and returns it with its update ids.
   * @param gap - ids to skip before this diff (the sequence-gap fault); 0 normally.
   */
  apply(bids: readonly (readonly [string, string])[], asks: readonly (readonly [string, string])[], gap = 0): DepthDiff {
    const b = bids.map((l) => this.set('bid', l));
    const a = asks.map((l) => this.set('ask', l));
    const U = this.lastUpdateIdValue + 1 + gap;
    const u = U + Math.max(1, b.length + a.length) - 1;
    this.lastUpdateIdValue = u;
    return { U, u, b, a };
  }

  /** The best `limit` levels per side: bids high to low, asks low to high. */
  snapshot(limit: number): DepthSnapshot {
    const print = ([p, q]: Level): WireLevel => [wire(p), wire(q)];
    return { lastUpdateId: this.lastUpdateIdValue, bids: this.levels.top('bid', limit).map(print), asks: this.levels.top('ask', limit).map(print) };
  }

  private set(side: 'bid' | 'ask', [priceText, qtyText]: readonly [string, string]): WireLevel {
    const price = inputDecimal('depth price', priceText);
    const qty = inputDecimal('depth quantity', qtyText);
    this.levels.set(side, price, qty);
    return [wire(price), wire(qty)];
  }
}
