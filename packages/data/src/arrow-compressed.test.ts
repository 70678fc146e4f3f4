import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionType, compressionRegistry, RecordBatchFileWriter, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { readSeries } from './arrow-read';
import { seriesToArrow } from './arrow-write';

/*
 * A minimal LZ4 frame codec (greedy block compressor, block-independent frames, no checksums) so that
 * the test can write a genuinely LZ4_FRAME-compressed Arrow file with apache-arrow's own writer. No
 * LZ4 package is among our dependencies. This file mutates Arrow's global codec registry; vitest
 * isolates test files, so other files are unaffected.
 */
function xxh32(b: Uint8Array): number {
  // Inputs here are shorter than 16 bytes (the 2-byte frame descriptor), so only the short path is needed.
  const P1 = 2654435761, P2 = 2246822519, P3 = 3266489917, P4 = 668265263, P5 = 374761393;
  const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
  let h = (P5 + b.length) >>> 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) h = Math.imul(rotl((h + Math.imul(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24), P3)) >>> 0, 17), P4) >>> 0;
  for (; i < b.length; i++) h = Math.imul(rotl((h + Math.imul(b[i], P5)) >>> 0, 11), P1) >>> 0;
  h = Math.imul(h ^ (h >>> 15), P2) >>> 0;
  h = Math.imul(h ^ (h >>> 13), P3) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function lz4Encode(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  const length = (n: number): void => {
    for (; n >= 255; n -= 255) out.push(255);
    out.push(n);
  };
  const sequence = (lit: Uint8Array, offset: number, match: number): void => {
    out.push((Math.min(lit.length, 15) << 4) | (match ? Math.min(match - 4, 15) : 0));
    if (lit.length >= 15) length(lit.length - 15);
    out.push(...lit);
    if (!match) return;
    out.push(offset & 255, offset >> 8);
    if (match - 4 >= 15) length(match - 4 - 15);
  };
  const table = new Map<number, number>();
  let anchor = 0;
  let i = 0;
  while (i < src.length - 12) {
    const key = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
    const ref = table.get(key);
    table.set(key, i);
    if (ref !== undefined && i - ref < 65536) {
      let len = 4;
      while (i + len < src.length - 5 && src[ref + len] === src[i + len]) len++;
      sequence(src.subarray(anchor, i), i - ref, len);
      i += len;
      anchor = i;
    } else i++;
  }
  sequence(src.subarray(anchor), 0, 0);
  const block = Uint8Array.from(out);
  const descriptor = Uint8Array.from([0x60, 0x70]); // version 01, independent blocks; 4 MB max block
  const frame = new Uint8Array(7 + 4 + block.length + 4);
  frame.set([0x04, 0x22, 0x4d, 0x18, ...descriptor, (xxh32(descriptor) >>> 8) & 255]);
  new DataView(frame.buffer).setUint32(7, block.length, true);
  frame.set(block, 11);
  return frame; // ends with a zero end mark
}

function lz4Decode(frame: Uint8Array): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const out: number[] = [];
  for (let p = 7; ; ) {
    const size = view.getUint32(p, true);
    p += 4;
    if (size === 0) break;
    if (size & 0x80000000) {
      out.push(...frame.subarray(p, p + (size & 0x7fffffff)));
      p += size & 0x7fffffff;
      continue;
    }
    const end = p + size;
    while (p < end) {
      const token = frame[p++];
      let lit = token >> 4;
      if (lit === 15) for (let b = 255; b === 255; lit += b) b = frame[p++];
      out.push(...frame.subarray(p, p + lit));
      p += lit;
      if (p >= end) break;
      const offset = frame[p] | (frame[p + 1] << 8);
      p += 2;
      let match = (token & 15) + 4;
      if ((token & 15) === 15) for (let b = 255; b === 255; match += b) b = frame[p++];
      for (let k = 0; k < match; k++) out.push(out[out.length - offset]);
    }
  }
  return Uint8Array.from(out);
}

/** One of our quote files, re-written by apache-arrow with LZ4_FRAME-compressed record batches. */
function compressedCopy(): Uint8Array {
  const n = 1000;
  const ours = tableFromIPC(
    seriesToArrow({
      meta: { kind: 'quote', instrument: { symbol: 'EURUSD' } },
      length: n,
      columns: {
        ts: Float64Array.from({ length: n }, (_, i) => 1_399_000_000_000 + i * 250),
        bid: Float64Array.from({ length: n }, (_, i) => 1.38 + (i % 7) * 0.00001),
        ask: Float64Array.from({ length: n }, (_, i) => 1.3801 + (i % 7) * 0.00001),
        bidSize: new Float64Array(n),
        askSize: new Float64Array(n),
      },
    }),
  );
  compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: lz4Encode });
  return RecordBatchFileWriter.writeAll(ours, { compressionType: CompressionType.LZ4_FRAME }).toUint8Array(true);
}

describe('compressed Arrow files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autotrader-data-lz4-'));

  it('are refused with DATA_CORRUPT naming the codec and saying to re-import', () => {
    const path = join(dir, 'lz4.arrow');
    writeFileSync(path, compressedCopy());
    try {
      readSeries(path);
      expect.unreachable();
    } catch (e) {
      expect(isAutotraderError(e, 'DATA_CORRUPT')).toBe(true);
      expect((e as Error).message).toMatch(/LZ4_FRAME-compressed/);
      expect((e as Error).message).toMatch(/only uncompressed/);
      expect((e as Error).message).toMatch(/re-import it/);
    }
  });

  it('are refused even when the process has a decoder registered (Arrow alone would read them)', () => {
    const bytes = compressedCopy();
    const path = join(dir, 'lz4-decodable.arrow');
    writeFileSync(path, bytes);
    compressionRegistry.set(CompressionType.LZ4_FRAME, { encode: lz4Encode, decode: lz4Decode });
    // The file really is compressed (smaller than the 1000 × 40 bytes of raw columns) and Arrow can read it...
    expect(bytes.length).toBeLessThan(20_000);
    const t = tableFromIPC(bytes);
    expect(t.numRows).toBe(1000);
    expect(t.getChild('bid')!.get(8)).toBe(1.38 + 0.00001);
    // ...yet we refuse it.
    expect(() => readSeries(path)).toThrow(/LZ4_FRAME-compressed/);
  });
});
