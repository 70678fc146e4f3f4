import { AutotraderError } from '@autotrader/core';

/** The merged order of several streams: row `i` of the output is row `row[i]` of stream `stream[i]`. */
export interface MergeOrder {
  stream: Uint16Array;
  row: Uint32Array;
}

/**
 * Stable k-way merge of ascending event-time arrays into one global order of (stream, row) pairs. Ties
 * go to the lower stream index, then the lower row, so the result never depends on the sort algorithm.
 * Typed arrays throughout and no allocation per row: it feeds the backtest hot path.
 */
export function mergeByTime(times: readonly Float64Array[]): MergeOrder {
  const k = times.length;
  if (k > 65_536) {
    throw new AutotraderError('CONFIG_INVALID', `Cannot merge ${k} streams; at most 65536 fit a Uint16 stream index.`, { details: { streams: k } });
  }
  let total = 0;
  for (const t of times) total += t.length;
  const stream = new Uint16Array(total);
  const row = new Uint32Array(total);
  if (k === 1) {
    for (let i = 0; i < total; i++) row[i] = i;
  } else if (k === 2) {
    mergeTwo(times[0], times[1], stream, row);
  } else if (k <= SCAN_MAX) {
    mergeScan(times, stream, row);
  } else {
    mergeHeap(times, stream, row);
  }
  return { stream, row };
}

/** Two streams: a plain two-pointer merge (the common backtest case: bars plus one other feed). */
function mergeTwo(a: Float64Array, b: Float64Array, stream: Uint16Array, row: Uint32Array): void {
  let i = 0;
  let j = 0;
  let o = 0;
  const na = a.length;
  const nb = b.length;
  while (i < na && j < nb) {
    if (a[i] <= b[j]) {
      row[o++] = i++;
    } else {
      stream[o] = 1;
      row[o++] = j++;
    }
  }
  while (i < na) row[o++] = i++;
  while (j < nb) {
    stream[o] = 1;
    row[o++] = j++;
  }
}

/** Up to this many streams a linear scan of the heads beats a heap (fewer branches, no sifting). */
const SCAN_MAX = 8;

/**
 * A few streams: find the best and second-best head by a linear scan, then let the best stream emit
 * while it stays ahead of the second (runs from one stream cost one comparison per row).
 */
function mergeScan(times: readonly Float64Array[], stream: Uint16Array, row: Uint32Array): void {
  const k = times.length;
  const pos = new Uint32Array(k);
  const head = new Float64Array(k);
  const len = new Uint32Array(k);
  for (let s = 0; s < k; s++) {
    len[s] = times[s].length;
    head[s] = len[s] > 0 ? times[s][0] : Infinity;
  }
  const total = stream.length;
  let o = 0;
  while (o < total) {
    // Ascending scan with strict '<' keeps the lower stream index on ties.
    let best = -1;
    let second = -1;
    for (let s = 0; s < k; s++) {
      if (pos[s] >= len[s]) continue;
      if (best < 0 || head[s] < head[best]) {
        second = best;
        best = s;
      } else if (second < 0 || head[s] < head[second]) {
        second = s;
      }
    }
    const t = times[best];
    const n = len[best];
    let p = pos[best];
    if (second < 0) {
      while (p < n) {
        stream[o] = best;
        row[o++] = p++;
      }
    } else {
      const limit = head[second];
      const winsTies = best < second;
      do {
        stream[o] = best;
        row[o++] = p++;
      } while (p < n && (t[p] < limit || (winsTies && t[p] === limit)));
    }
    pos[best] = p;
    if (p < n) head[best] = t[p];
  }
}

/**
 * Many streams: a binary min-heap of stream indices keyed by (head time, stream index). After
 * each pop the same stream keeps emitting while it stays ahead of the heap's next best, so long runs
 * from one stream cost one comparison per row instead of a sift.
 */
function mergeHeap(times: readonly Float64Array[], stream: Uint16Array, row: Uint32Array): void {
  const k = times.length;
  const heap = new Int32Array(k);
  const pos = new Uint32Array(k);
  const head = new Float64Array(k);
  let size = 0;
  const before = (s: number, r: number): boolean => head[s] < head[r] || (head[s] === head[r] && s < r);
  const siftDown = (at: number): void => {
    const s = heap[at];
    for (;;) {
      let c = 2 * at + 1;
      if (c >= size) break;
      if (c + 1 < size && before(heap[c + 1], heap[c])) c++;
      if (!before(heap[c], s)) break;
      heap[at] = heap[c];
      at = c;
    }
    heap[at] = s;
  };
  for (let s = 0; s < k; s++) {
    if (times[s].length === 0) continue;
    head[s] = times[s][0];
    // Insert by sifting up.
    let at = size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(s, heap[parent])) break;
      heap[at] = heap[parent];
      at = parent;
    }
    heap[at] = s;
  }
  let o = 0;
  while (size > 0) {
    const s = heap[0];
    const t = times[s];
    const n = t.length;
    // The runner-up is the smaller child of the root; s may emit while it stays before it.
    let limitStream = -1;
    if (size > 1) limitStream = size > 2 && before(heap[2], heap[1]) ? heap[2] : heap[1];
    let p = pos[s];
    if (limitStream < 0) {
      while (p < n) {
        stream[o] = s;
        row[o++] = p++;
      }
    } else {
      const limit = head[limitStream];
      const winsTies = s < limitStream;
      do {
        stream[o] = s;
        row[o++] = p++;
      } while (p < n && (t[p] < limit || (winsTies && t[p] === limit)));
    }
    pos[s] = p;
    if (p < n) {
      head[s] = t[p];
    } else {
      heap[0] = heap[--size];
    }
    if (size > 0) siftDown(0);
  }
}
