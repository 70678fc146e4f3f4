import { crc32 } from 'node:zlib';
import type { WireLevel } from '@autotrader/venue-kit';

/**
 * OKX's order-book checksum (books channel): the CRC32 of the best 25 bids and asks as the venue wrote
 * them, interleaved `bidPx:bidSz:askPx:askSz:…` (a side that runs out just stops contributing), as a
 * signed 32-bit integer. It is computed over the venue's own strings ("8476.90" is not "8476.9"), so the
 * local book keeps each level's text as received.
 *
 * OKX has announced that the field will always be 0 (books, books-l2-tbt, books50-l2-tbt): a checksum
 * of 0 means "not checked", never a mismatch; seqId/prevSeqId still guard the book then.
 */
export const CHECKSUM_DEPTH = 25;

/** The text the checksum is computed over, from the best levels of each side (best first). */
export function checksumText(bids: readonly WireLevel[], asks: readonly WireLevel[], depth = CHECKSUM_DEPTH): string {
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b === undefined && a === undefined) break;
    if (b !== undefined) parts.push(b[0], b[1]);
    if (a !== undefined) parts.push(a[0], a[1]);
  }
  return parts.join(':');
}

/** The signed CRC32 OKX sends in `checksum` for a book whose best levels are these. */
export function bookChecksum(bids: readonly WireLevel[], asks: readonly WireLevel[]): number {
  return crc32(checksumText(bids, asks)) | 0;
}

/** What a checksum comparison says. */
export type ChecksumVerdict = 'ok' | 'mismatch' | 'unchecked';

/** Compares the venue's checksum with ours; 0 from the venue is `unchecked` (the announced change). */
export function verifyChecksum(venueChecksum: number | undefined, bids: readonly WireLevel[], asks: readonly WireLevel[]): ChecksumVerdict {
  if (venueChecksum === undefined || venueChecksum === 0) return 'unchecked';
  return bookChecksum(bids, asks) === venueChecksum ? 'ok' : 'mismatch';
}

/** One side of a book kept as the venue's text, for the checksum: price → [price text, size text]. */
export class TextBookSide {
  private readonly levels = new Map<number, readonly [string, string]>();

  constructor(private readonly descending: boolean) {}

  /** Sets (or, at size 0, removes) each level. */
  update(levels: Iterable<WireLevel>): void {
    for (const [p, q] of levels) {
      const px = Number(p);
      if (Number(q) === 0) this.levels.delete(px);
      else this.levels.set(px, [p, q]);
    }
  }

  clear(): void {
    this.levels.clear();
  }

  /** The best `depth` levels, best first, as the venue wrote them. */
  best(depth = CHECKSUM_DEPTH): WireLevel[] {
    const keys = [...this.levels.keys()].sort(this.descending ? (a, b) => b - a : (a, b) => a - b);
    return keys.slice(0, depth).map((k) => this.levels.get(k)!);
  }
}
