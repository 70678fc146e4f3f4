import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bookChecksum, checksumText, TextBookSide, verifyChecksum } from './books-checksum';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

describe('OKX books checksum', () => {
  // The two examples OKX published with the checksum (okex.com/docs/en/#futures_ws-checksum, as quoted in
  // gist Michael-J-Ward/fdaad16ffe56e94fcaa7e90910ddf1d2): an even book and an odd one.
  it('matches the published even example', () => {
    const bids = [['3366.1', '7'], ['3366', '6']] as const;
    const asks = [['3366.8', '9'], ['3368', '8']] as const;
    expect(checksumText(bids, asks)).toBe('3366.1:7:3366.8:9:3366:6:3368:8');
    expect(bookChecksum(bids, asks)).toBe(-1881014294);
  });

  it('matches the published odd example (a side that runs out stops contributing)', () => {
    const bids = [['3366.1', '7']] as const;
    const asks = [['3366.8', '9'], ['3368', '8'], ['3372', '8']] as const;
    expect(checksumText(bids, asks)).toBe('3366.1:7:3366.8:9:3368:8:3372:8');
    expect(bookChecksum(bids, asks)).toBe(831078360);
  });

  it('takes the best 25 levels only', () => {
    const bids = Array.from({ length: 30 }, (_, i) => [String(100 - i), '1'] as const);
    const asks = Array.from({ length: 30 }, (_, i) => [String(101 + i), '2'] as const);
    expect(checksumText(bids, asks).split(':')).toHaveLength(100);
  });

  it('treats 0 as not checked (the announced deprecation), never as a mismatch', () => {
    expect(verifyChecksum(0, [['1', '1']], [['2', '1']])).toBe('unchecked');
    expect(verifyChecksum(12345, [['1', '1']], [['2', '1']])).toBe('mismatch');
    const bids = [['3366.1', '7']] as const;
    const asks = [['3366.8', '9'], ['3368', '8'], ['3372', '8']] as const;
    expect(verifyChecksum(831078360, bids, asks)).toBe('ok');
  });

  it('keeps the venue text of each level (trailing zeros count) and sorts by price', () => {
    const side = new TextBookSide(true);
    side.update([['8476.90', '1.500'], ['8477', '2'], ['8475', '3']]);
    side.update([['8477', '0']]);
    expect(side.best()).toEqual([['8476.90', '1.500'], ['8475', '3']]);
  });

  it('reads the documented snapshot frame (fixture) level by level', () => {
    const frame = fixture('ws_books_snapshot.json') as { data: { bids: [string, string][]; asks: [string, string][] }[] };
    const bids = new TextBookSide(true);
    const asks = new TextBookSide(false);
    bids.update(frame.data[0]!.bids);
    asks.update(frame.data[0]!.asks);
    expect(checksumText(bids.best(), asks.best()).startsWith('8476.97:256:8476.98:415:8475.55:101:8477:7')).toBe(true);
  });
});
