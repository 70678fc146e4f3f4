import type { BookLevel } from '@autotrader/core';
import type { SequenceVerdict } from './sequence';

/** A price level as venues send it: price and size as decimal strings (extra fields ignored). */
export type WireLevel = readonly [price: string, size: string, ...rest: unknown[]];

/** One side of a local book: price → size; a size of zero removes the level. */
export class BookSide {
  private readonly levels = new Map<number, number>();

  constructor(private readonly descending: boolean) {}

  /** Sets (or, at size 0, removes) each level. */
  update(levels: Iterable<WireLevel>): void {
    for (const [p, q] of levels) {
      const price = Number(p);
      const size = Number(q);
      if (size === 0) this.levels.delete(price);
      else this.levels.set(price, size);
    }
  }

  clear(): void {
    this.levels.clear();
  }

  get size(): number {
    return this.levels.size;
  }

  /** Levels best first (bids: highest; asks: lowest), `depth` of them at most. */
  sorted(depth = Infinity): BookLevel[] {
    const out: BookLevel[] = [];
    for (const [p, q] of this.levels) out.push([p, q]);
    out.sort(this.descending ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
    return depth < out.length ? out.slice(0, depth) : out;
  }
}

/** How a venue's book updates are numbered and what they change. */
export interface BookRules<D> {
  /** The update against the last sequence applied: next, stale, or a gap (see sequence.ts). */
  readonly verdict: (last: number, update: D) => SequenceVerdict;
  /** The book's sequence once the update is applied. */
  readonly sequenceOf: (update: D) => number;
  readonly bids: (update: D) => Iterable<WireLevel>;
  readonly asks: (update: D) => Iterable<WireLevel>;
}

/** What happened to an update offered to {@link BookSync.update}. */
export type UpdateResult =
  /** Applied: publish the book. */
  | 'applied'
  /** Kept until a snapshot arrives. */
  | 'buffered'
  /** Older than the book: dropped. */
  | 'stale'
  /** Updates were missed: the book is unsynced (this update is kept) and needs a new snapshot. */
  | 'gap';

/** What happened to a snapshot offered to {@link BookSync.snapshot}. */
export type SnapshotResult =
  /** The book is synced: publish it. */
  | 'synced'
  /** The snapshot is older than the first update held, so updates between are lost: get a newer one. */
  | 'too-old'
  /** A held update after the snapshot does not follow it: get a new snapshot. */
  | 'gap';

/**
 * A local order book kept by the snapshot-plus-updates procedure every venue documents: updates that
 * arrive before the snapshot are held; the snapshot is applied with the held updates newer than it; then
 * each update is checked against the last sequence and applied, dropped as stale, or reported as a gap
 * (after which the book is unsynced until the next snapshot). The plugin decides where snapshots come
 * from: a REST call (Binance), or the channel itself after a resubscribe (Coinbase, OKX).
 */
export class BookSync<D> {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  private last = -1;
  private isSynced = false;
  private held: D[] = [];

  constructor(
    private readonly rules: BookRules<D>,
    /** Updates held while waiting for a snapshot; beyond this the oldest are dropped (the snapshot will then be too old and is fetched again). */
    private readonly maxHeld = 10_000,
  ) {}

  /** True when the book reflects a snapshot and every update since. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** The last sequence applied, or -1 before any snapshot. */
  get sequence(): number {
    return this.last;
  }

  /** Updates held for the next snapshot. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Offers one update. */
  update(u: D): UpdateResult {
    if (!this.isSynced) {
      this.hold(u);
      return 'buffered';
    }
    const verdict = this.rules.verdict(this.last, u);
    if (verdict === 'stale') return 'stale';
    if (verdict === 'gap') {
      this.unsync();
      this.hold(u);
      return 'gap';
    }
    this.apply(u);
    return 'applied';
  }

  /** Offers a snapshot taken at `sequence`; the held updates newer than it are applied on top. */
  snapshot(sequence: number, bids: Iterable<WireLevel>, asks: Iterable<WireLevel>): SnapshotResult {
    const newer = this.held.filter((u) => this.rules.verdict(sequence, u) !== 'stale');
    if (newer.length > 0 && this.rules.verdict(sequence, newer[0]!) === 'gap') {
      this.held = newer;
      return 'too-old';
    }
    this.bids.clear();
    this.asks.clear();
    this.bids.update(bids);
    this.asks.update(asks);
    this.last = sequence;
    this.held = [];
    this.isSynced = true;
    for (const u of newer) {
      const verdict = this.rules.verdict(this.last, u);
      if (verdict === 'stale') continue;
      if (verdict === 'gap') {
        this.unsync();
        return 'gap';
      }
      this.apply(u);
    }
    return 'synced';
  }

  /** Forgets the synced state and the held updates (the connection dropped: updates were missed). */
  unsync(): void {
    this.isSynced = false;
    this.held = [];
  }

  private hold(u: D): void {
    this.held.push(u);
    if (this.held.length > this.maxHeld) this.held.shift();
  }

  private apply(u: D): void {
    this.bids.update(this.rules.bids(u));
    this.asks.update(this.rules.asks(u));
    this.last = this.rules.sequenceOf(u);
  }
}
