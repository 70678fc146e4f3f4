import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** What {@link writeBarsCsv} wrote. */
export interface GeneratedCsv {
  readonly rows: number;
  readonly bytes: number;
  /** The first and last bar, as written. */
  readonly first: readonly number[];
  readonly last: readonly number[];
}

/**
 * Writes a CSV of 1-minute bars (`timestamp,open,high,low,close,volume`, times in epoch ms) of at least
 * `minBytes`, streamed to disk so that a file of several GiB costs no memory. Prices wander
 * deterministically; every row is a valid bar.
 */
export async function writeBarsCsv(path: string, minBytes: number): Promise<GeneratedCsv> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const header = 'timestamp,open,high,low,close,volume\n';
  out.write(header);
  let bytes = header.length;
  let rows = 0;
  const t0 = Date.UTC(2000, 0, 1);
  let first: number[] = [];
  let last: number[] = [];
  while (bytes < minBytes) {
    let batch = '';
    for (let k = 0; k < 20_000; k++) {
      const t = t0 + rows * 60_000;
      const open = 40_000 + ((rows * 7919) % 10_000) / 4;
      const close = open + ((rows % 13) - 6) / 2;
      const high = Math.max(open, close) + 1.5;
      const low = Math.min(open, close) - 1.25;
      const volume = (rows % 1000) + 0.5;
      batch += `${t},${open},${high},${low},${close},${volume}\n`;
      if (rows === 0) first = [t, open, high, low, close, volume];
      last = [t, open, high, low, close, volume];
      rows++;
    }
    bytes += batch.length;
    if (!out.write(batch)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return { rows, bytes, first, last };
}
