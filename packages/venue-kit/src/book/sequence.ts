/**
 * Sequence checks for venue books and streams. Each venue numbers its updates its own way; these say,
 * for one update, whether it is the next one, an old one (drop it), or whether updates were missed (a
 * gap: the book must be resynced from a new snapshot).
 */

/** What an update is, against the last sequence applied. */
export type SequenceVerdict = 'next' | 'stale' | 'gap';

/**
 * Counters that go up by one per message (Coinbase's envelope `sequence_num`). The first message seen
 * (`last` undefined) is next.
 */
export function checkCounter(last: number | undefined, seq: number): SequenceVerdict {
  if (last === undefined || seq === last + 1) return 'next';
  return seq <= last ? 'stale' : 'gap';
}

/**
 * Updates that cover a range of update ids, `first`..`final` (Binance depth diffs `U`..`u`). After id
 * `last` the next update must end after `last` and start no later than `last + 1`: it may overlap what
 * the book already has (the first diff after a snapshot usually does).
 */
export function checkRange(last: number, first: number, final: number): SequenceVerdict {
  if (final <= last) return 'stale';
  return first > last + 1 ? 'gap' : 'next';
}

/**
 * Updates that name their predecessor (OKX books: `prevSeqId` → `seqId`). An update whose predecessor
 * is the last one applied is next (a keep-alive with `seqId === prevSeqId` included); one that is not
 * but lies at or before `last` is old; anything else means updates were missed.
 */
export function checkLinked(last: number, prev: number, seq: number): SequenceVerdict {
  if (prev === last) return 'next';
  return seq <= last ? 'stale' : 'gap';
}
