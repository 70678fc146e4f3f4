/**
 * Times `readSeries` (decode, copy into typed arrays, and every check it makes on the rows) on one
 * Arrow file: `runs` reads in this process, the first one cold. Prints one JSON line with the timings.
 * Run alone: `node --import tsx test/bench/src/read-series.ts data/btc-perp-1m.arrow 21`.
 */
import { readSeries } from '@autotrader/data';

const [file, runsText] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: read-series.ts <file.arrow> [runs]');
const runs = Number(runsText ?? 11);
const timingsMs: number[] = [];
let rows = 0;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  rows = readSeries(file).length;
  timingsMs.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ file, rows, timingsMs }) + '\n');
