import { Decimal } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { LevelBook, type Level } from './level-book';

const d = (v: string): Decimal => new Decimal(v);
const text = (levels: readonly Level[]): string[] => levels.map(([p, q]) => `${p.toString()}x${q.toString()}`);

describe('the level book', () => {
  it('keeps one level per price, removes a level at quantity 0, and reads bids high to low, asks low to high', () => {
    const book = new LevelBook();
    book.set('bid', d('29999'), d('1'));
    book.set('bid', d('30000.00'), d('2'));
    book.set('bid', d('30000'), d('3'));
    book.set('bid', d('29998'), d('4'));
    book.set('ask', d('30002'), d('5'));
    book.set('ask', d('30001'), d('6'));
    expect(text(book.top('bid'))).toEqual(['30000x3', '29999x1', '29998x4']);
    expect(text(book.top('ask', 1))).toEqual(['30001x6']);
    book.set('bid', d('30000'), d('0'));
    expect(text([book.best('bid')!])).toEqual(['29999x1']);
    expect(() => book.set('ask', d('-1'), d('1'))).toThrow(RangeError);
    book.clear();
    expect(book.best('ask')).toBeUndefined();
  });
});
