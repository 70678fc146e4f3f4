import { readSeries, writeSeries, type Series } from '@autotrader/data';

/**
 * Builds a long bar series by tiling a real one: copy k is shifted by k × (its span + one bar), so
 * the result is one unbroken run of bars (prices jump at the seams). Written to `out`, not committed.
 */
export function tileBars(source: string, out: string, minBars: number): { bars: number; copies: number } {
  const s = readSeries(source);
  if (s.meta.kind !== 'bar') throw new Error(`${source} is not bar data`);
  const c = (s as Extract<Series, { meta: { kind: 'bar' } }>).columns;
  const n = s.length;
  const copies = Math.ceil(minBars / n);
  const interval = s.meta.intervalMs!;
  const shift = c.tsOpen[n - 1]! - c.tsOpen[0]! + interval;
  const total = n * copies;
  const cols = { tsOpen: new Float64Array(total), open: new Float64Array(total), high: new Float64Array(total), low: new Float64Array(total), close: new Float64Array(total), volume: new Float64Array(total) };
  for (let k = 0; k < copies; k++) {
    const at = k * n;
    for (let i = 0; i < n; i++) cols.tsOpen[at + i] = c.tsOpen[i]! + k * shift;
    cols.open.set(c.open, at);
    cols.high.set(c.high, at);
    cols.low.set(c.low, at);
    cols.close.set(c.close, at);
    cols.volume.set(c.volume, at);
  }
  writeSeries(out, { meta: { ...s.meta, source: `${s.meta.source ?? source}, tiled ×${copies}` }, length: total, columns: cols } as Series);
  return { bars: total, copies };
}
