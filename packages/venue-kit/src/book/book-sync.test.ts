import { describe, expect, it } from 'vitest';
import { BookSide, BookSync, type BookRules, type WireLevel } from './book-sync';
import { checkCounter, checkLinked, checkRange } from './sequence';

describe('sequence checks', () => {
  it('counters: next is last + 1, older is stale, further is a gap; the first is next', () => {
    expect(checkCounter(undefined, 17)).toBe('next');
    expect(checkCounter(4, 5)).toBe('next');
    expect(checkCounter(4, 4)).toBe('stale');
    expect(checkCounter(4, 2)).toBe('stale');
    expect(checkCounter(4, 6)).toBe('gap');
  });

  it('ranges (Binance U..u): may overlap the book, must not start after last + 1', () => {
    expect(checkRange(100, 95, 100)).toBe('stale');
    expect(checkRange(100, 95, 105)).toBe('next');
    expect(checkRange(100, 101, 105)).toBe('next');
    expect(checkRange(100, 102, 105)).toBe('gap');
  });

  it('linked (OKX prevSeqId → seqId): next when it names the last, a keep-alive included; a reset seqId still links', () => {
    expect(checkLinked(10, 10, 11)).toBe('next');
    expect(checkLinked(10, 10, 10)).toBe('next');
    expect(checkLinked(10, 10, 3)).toBe('next');
    expect(checkLinked(10, 8, 9)).toBe('stale');
    expect(checkLinked(10, 12, 13)).toBe('gap');
  });
});

describe('BookSide', () => {
  it('sets and removes levels and sorts best first', () => {
    const bids = new BookSide(true);
    bids.update([['100', '1'], ['101', '2'], ['99.5', '3']]);
    bids.update([['100', '0'], ['98', '1', 'ignored']]);
    expect(bids.sorted()).toEqual([[101, 2], [99.5, 3], [98, 1]]);
    expect(bids.sorted(2)).toEqual([[101, 2], [99.5, 3]]);
    const asks = new BookSide(false);
    asks.update([['102', '1'], ['101.5', '4']]);
    expect(asks.sorted()).toEqual([[101.5, 4], [102, 1]]);
  });
});

interface Diff {
  readonly U: number;
  readonly u: number;
  readonly b: WireLevel[];
  readonly a: WireLevel[];
}
const binanceRules: BookRules<Diff> = { verdict: (last, d) => checkRange(last, d.U, d.u), sequenceOf: (d) => d.u, bids: (d) => d.b, asks: (d) => d.a };
const diff = (U: number, u: number, b: WireLevel[] = [], a: WireLevel[] = []): Diff => ({ U, u, b, a });

describe('BookSync (snapshot from REST, Binance rules)', () => {
  it('holds updates until the snapshot, applies the newer ones on top, then applies in order', () => {
    const book = new BookSync(binanceRules);
    expect(book.update(diff(95, 99, [['10', '9']]))).toBe('buffered');
    expect(book.update(diff(100, 102, [['10', '1']]))).toBe('buffered');
    expect(book.heldCount).toBe(2);
    expect(book.snapshot(100, [['10', '5'], ['9', '5']], [['11', '5']])).toBe('synced');
    expect(book.synced).toBe(true);
    expect(book.sequence).toBe(102);
    expect(book.bids.sorted()).toEqual([[10, 1], [9, 5]]);
    expect(book.update(diff(103, 104, [], [['11', '0'], ['12', '2']]))).toBe('applied');
    expect(book.asks.sorted()).toEqual([[12, 2]]);
    expect(book.update(diff(101, 104))).toBe('stale');
  });

  it('a snapshot older than the first held update is too old; the updates stay held for the next one', () => {
    const book = new BookSync(binanceRules);
    book.update(diff(110, 112));
    expect(book.snapshot(100, [], [])).toBe('too-old');
    expect(book.synced).toBe(false);
    expect(book.heldCount).toBe(1);
    expect(book.snapshot(111, [['1', '1']], [])).toBe('synced');
    expect(book.sequence).toBe(112);
  });

  it('a gap unsyncs the book and keeps the update for the next snapshot; a held gap after a snapshot is a gap', () => {
    const book = new BookSync(binanceRules);
    book.snapshot(100, [], []);
    expect(book.update(diff(101, 101))).toBe('applied');
    expect(book.update(diff(105, 106))).toBe('gap');
    expect(book.synced).toBe(false);
    expect(book.heldCount).toBe(1);
    const again = new BookSync(binanceRules);
    again.update(diff(101, 102));
    again.update(diff(104, 105));
    expect(again.snapshot(101, [], [])).toBe('gap');
    expect(again.synced).toBe(false);
  });

  it('unsync() forgets the held updates (a reconnect missed some)', () => {
    const book = new BookSync(binanceRules);
    book.snapshot(1, [], []);
    book.unsync();
    book.update(diff(5, 6));
    book.unsync();
    expect(book.heldCount).toBe(0);
    expect(book.synced).toBe(false);
  });

  it('holds at most maxHeld updates, dropping the oldest', () => {
    const book = new BookSync(binanceRules, 3);
    for (let i = 1; i <= 5; i++) book.update(diff(i, i));
    expect(book.heldCount).toBe(3);
    // Updates 1 and 2 were dropped: a snapshot at 0 cannot bridge to 3.
    expect(book.snapshot(0, [], [])).toBe('too-old');
  });
});

describe('BookSync (snapshot in the channel, OKX rules)', () => {
  interface OkxUpdate {
    readonly prevSeqId: number;
    readonly seqId: number;
    readonly bids: WireLevel[];
    readonly asks: WireLevel[];
  }
  const rules: BookRules<OkxUpdate> = { verdict: (last, u) => checkLinked(last, u.prevSeqId, u.seqId), sequenceOf: (u) => u.seqId, bids: (u) => u.bids, asks: (u) => u.asks };

  it('applies linked updates and reports a broken link as a gap', () => {
    const book = new BookSync(rules);
    expect(book.snapshot(123, [['8476.98', '415']], [['8477', '7']])).toBe('synced');
    expect(book.update({ prevSeqId: 123, seqId: 130, bids: [['8476.98', '0']], asks: [] })).toBe('applied');
    expect(book.update({ prevSeqId: 130, seqId: 130, bids: [], asks: [] })).toBe('applied');
    expect(book.bids.size).toBe(0);
    expect(book.update({ prevSeqId: 140, seqId: 150, bids: [], asks: [] })).toBe('gap');
  });
});
