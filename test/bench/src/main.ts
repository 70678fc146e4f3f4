/**
 * `pnpm bench`: prints the engine's throughput and memory against a plain loop, measured in one run.
 * Figures are printed, never asserted: timing is not a test.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSeries, type Series } from '@autotrader/data';
import { makeInstrument } from '@autotrader/core';
import { minimalEngineSmaCross } from './minimal-engine';
import { plainSmaCross } from './plain-loop';
import { tileBars } from './tile';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

const workDir = resolve(root, '.bench');
mkdirSync(workDir, { recursive: true });
const tiled = resolve(workDir, 'btc-perp-1m-tiled.arrow');
const { bars, copies } = tileBars(resolve(root, 'data/btc-perp-1m.arrow'), tiled, 1_000_000);
console.log(`bench file: ${tiled} (${fmt(bars)} bars, BTC-PERP month tiled ×${copies}; not committed)`);

// 1. End to end, in a fresh child process (so peak RSS is the backtest's own). First run warms the JIT.
const runs = 9;
const child = execFileSync(process.execPath, ['--import', 'tsx', resolve(root, 'test/bench/src/run-backtest.ts'), tiled, String(runs)], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const e2e = JSON.parse(child.trim().split('\n').pop()!) as { bars: number; timingsMs: number[]; busEvents: number; trades: number; orders: number; maxRssMb: number };
// Peak RSS of one backtest alone: fresh processes that run it once (the timing child's RSS includes
// every run's garbage). GC timing moves it by tens of MB, so three runs: median and max.
const rssRuns = [0, 1, 2].map(
  () =>
    (
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', resolve(root, 'test/bench/src/run-backtest.ts'), tiled, '1'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
          .trim()
          .split('\n')
          .pop()!,
      ) as { maxRssMb: number }
    ).maxRssMb,
);
const once = { maxRssMb: median(rssRuns), worst: Math.max(...rssRuns) };
const warm = e2e.timingsMs.slice(1);
const e2eMs = median(warm);
/** Median warm time of the same backtest with another strategy, in a child of its own. */
const warmMedianWith = (strategy: 'signal-only' | 'no-strategy'): number => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(root, 'test/bench/src/run-backtest.ts'), tiled, String(runs), strategy], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return median((JSON.parse(out.trim().split('\n').pop()!) as { timingsMs: number[] }).timingsMs.slice(1));
};
// A strategy that computes the signal and never trades: the bar path alone.
const idleMs = warmMedianWith('signal-only');
// No strategy at all: the replay floor that every strategy pays before its own work.
const floorMs = warmMedianWith('no-strategy');

// 2. The plain loop over the same typed arrays, same signals.
const s = readSeries(tiled) as Extract<Series, { meta: { kind: 'bar' } }>;
const loopMs: number[] = [];
let crosses = 0;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  crosses = plainSmaCross(s.columns.close, 10, 30);
  loopMs.push(performance.now() - t0);
}
const plainMs = median(loopMs.slice(1));

// 3. The minimal event-driven engine (see minimal-engine.ts): what the design reaches at best here.
const benchInstrument = makeInstrument(s.meta.instrument);
const minimalSpec = {
  intervalMs: s.meta.intervalMs!,
  tickSize: benchInstrument.tickSize.toNumber(),
  lotSize: benchInstrument.lotSize.toNumber(),
  startingCash: 100_000_000,
  fast: 10,
  slow: 30,
  size: 1,
};
const minimalTimes: number[] = [];
let minimal = minimalEngineSmaCross(s.columns, minimalSpec);
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  minimal = minimalEngineSmaCross(s.columns, minimalSpec);
  minimalTimes.push(performance.now() - t0);
}
const minimalMs = median(minimalTimes.slice(1));
const sameTrades = minimal.orders === e2e.orders && minimal.roundTrips === e2e.trades;

const barsPerSec = (e2e.bars / e2eMs) * 1000;
const eventsPerSec = (e2e.busEvents / e2eMs) * 1000;
const plainPerSec = (s.length / plainMs) * 1000;
console.log('');
console.log(`sma-cross(10,30) end to end (kernel + bus + simulated venue + portfolio), median of ${warm.length} warm runs:`);
console.log(`  ${fmt(e2eMs)} ms for ${fmt(e2e.bars)} bars → ${fmt(barsPerSec / 1e6)}M bars/s, ${fmt(eventsPerSec / 1e6)}M bus events/s (${fmt(e2e.busEvents)} events, ${e2e.trades} round trips)`);
console.log(`  all runs (ms): ${e2e.timingsMs.map((t) => t.toFixed(1)).join(', ')} (first is the cold run)`);
console.log(`  the same bars with the signal computed and no orders: ${fmt(idleMs)} ms → ${fmt(e2e.bars / idleMs / 1000)}M bars/s; so each of the ${fmt(e2e.orders)} orders costs ${fmt(((e2eMs - idleMs) / e2e.orders) * 1000)} µs`);
console.log(`  the same bars with no strategy (clock, bus, venue, portfolio and equity curve only): ${fmt(floorMs)} ms → ${fmt(e2e.bars / floorMs / 1000)}M bars/s`);
console.log(`  peak RSS of one 1M-bar backtest in a fresh process: median ${fmt(once.maxRssMb)} MB, max ${fmt(once.worst)} MB of 3 (the timing process, after ${runs} runs: ${fmt(e2e.maxRssMb)} MB)`);
console.log(`plain loop over the same Float64Array (same signals, ${crosses} crosses): ${fmt(plainMs)} ms → ${fmt(plainPerSec / 1e6)}M bars/s`);
console.log(`ratio plain loop / engine: ${fmt(plainPerSec / barsPerSec)}×`);
console.log(
  `minimal event-driven engine (clock, bus, RxJS strategy, orders in columns, integer accounting; none of the kernel's checks, state machine or decimals): ${fmt(minimalMs)} ms → ${fmt(s.length / minimalMs / 1000)}M bars/s; same ${minimal.orders} orders and ${minimal.roundTrips} round trips as the kernel: ${sameTrades ? 'yes' : 'NO'}`,
);
console.log(`targets: ≥ 10M bars/s end to end → ${barsPerSec >= 10e6 ? 'met' : 'NOT met'}; peak RSS < 400 MB → ${once.maxRssMb < 400 ? 'met' : 'NOT met'}`);
// readSeries on the bench file, in a child: decode, copy into typed arrays, and check every row.
const read = JSON.parse(
  execFileSync(process.execPath, ['--import', 'tsx', resolve(root, 'test/bench/src/read-series.ts'), tiled, '11'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!,
) as { timingsMs: number[] };
console.log(`readSeries of the same file (decode, copy, every row checked against the market-data rules): median ${fmt(median(read.timingsMs.slice(1)))} ms of ${read.timingsMs.length - 1} warm reads`);

// 4. Tick-to-order latency against the fake Binance on loopback.
const { measureTickToOrder } = await import('./latency');
const ticks = Number(process.env.BENCH_TICKS ?? 10_000);
const lat = await measureTickToOrder(ticks);
const us = (x: number): string => `${x.toFixed(0)} µs`;
console.log('');
console.log(`tick-to-order inside the process (WebSocket frame received → order request written), ${fmt(lat.n)} ticks against the fake Binance:`);
console.log(`  p50 ${us(lat.p50)}, p99 ${us(lat.p99)}, max ${us(lat.max)}; target p99 ≤ 1 ms → ${lat.p99 <= 1000 ? 'met' : 'NOT met'}`);
for (const [part, v] of Object.entries(lat.parts)) console.log(`  ${part.padEnd(26)} p50 ${us(v.p50)}, p99 ${us(v.p99)}`);
const dominant = Object.entries(lat.parts).sort((a, b) => b[1].p50 - a[1].p50)[0]!;
console.log(`  dominated by: ${dominant[0]}`);

// 5. Tick-to-order latency against the fake OKX: orders over REST, then as private-socket operations.
const { measureOkxTickToOrder } = await import('./latency-okx');
console.log('');
console.log(`tick-to-order against the fake OKX (public frame received → order written; → order acknowledged), ${fmt(ticks)} ticks per transport:`);
for (const transport of ['rest', 'ws'] as const) {
  const okx = await measureOkxTickToOrder(ticks, transport);
  console.log(`  ${transport.padEnd(4)} written p50 ${us(okx.written.p50)}, p99 ${us(okx.written.p99)}; acknowledged p50 ${us(okx.acked.p50)}, p99 ${us(okx.acked.p99)} (${fmt(okx.n)} orders)`);
}
