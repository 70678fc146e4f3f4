/**
 * Throughput of FastDecimal against the decimal.js clone it replaces.
 * Run: `node --import tsx packages/core/src/fast-decimal.bench.ts` (add `--quick` for shorter runs).
 * Prints operations per second for each implementation and the speed-up.
 *
 * Each implementation runs in its own child process: sharing one process would share the JIT's type
 * feedback between the two (the benchmark bodies are the same functions), slowing both unevenly.
 * The machine is shared, so every case keeps its best of several rounds (the least disturbed one).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import DecimalJs from 'decimal.js';
import { FastDecimal } from './fast-decimal';

/** Anything with the shared decimal API, so one benchmark body drives both implementations. */
interface Dec {
  isZero(): boolean;
  plus(y: Dec | number | string): Dec;
  minus(y: Dec | number | string): Dec;
  times(y: Dec | number | string): Dec;
  div(y: Dec | number | string): Dec;
  cmp(y: Dec | number | string): number;
  toNumber(): number;
  toString(): string;
}
type Ctor = new (v: number | string) => Dec;

const QUICK = process.argv.includes('--quick');
const ROUND_MS = QUICK ? 40 : 120;
const ROUNDS = 5;
const PROCESS_ROUNDS = QUICK ? 1 : 2;
const N = 1024; // inputs cycle through a fixed pool, so only the operation itself is timed

/** The benchmark cases, in print order. */
const CASES = ['construct from number', 'construct from string', 'add', 'mul', 'div (34-digit quotient)', 'cmp', 'toNumber', 'fill mix'] as const;

function inputs(): { prices: number[]; qtys: string[] } {
  // Deterministic: prices with 2 decimals around 60k, quantities with up to 5 decimals.
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const prices: number[] = [];
  const qtys: string[] = [];
  for (let i = 0; i < N; i++) {
    prices.push(Math.round((50000 + rnd() * 20000) * 100) / 100);
    qtys.push(((1 + Math.floor(rnd() * 99999)) / 1e5).toString());
  }
  return { prices, qtys };
}

let sink = 0; // consumed results, so the JIT cannot drop the work

/** Calls per second of `body(i)` over about `ms` milliseconds. */
function measure(body: (i: number) => void, ms: number): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(ms * 1e6));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 4096; i++) body(i & (N - 1));
    calls += 4096;
    elapsed = process.hrtime.bigint() - start;
  }
  return calls / (Number(elapsed) / 1e9);
}

function bodies(D: Ctor): Record<(typeof CASES)[number], (i: number) => void> {
  const { prices, qtys } = inputs();
  const P = prices.map((p) => new D(p));
  const Q = qtys.map((q) => new D(q));
  const rate = new D('0.00075');
  let cash = new D('1000000');
  let avg = new D(0);
  let pos = new D(0);
  return {
    'construct from number': (i) => { sink += new D(prices[i]).isZero() ? 1 : 0; },
    'construct from string': (i) => { sink += new D(qtys[i]).isZero() ? 1 : 0; },
    add: (i) => { sink += P[i].plus(Q[i]).isZero() ? 1 : 0; },
    mul: (i) => { sink += P[i].times(Q[i]).isZero() ? 1 : 0; },
    'div (34-digit quotient)': (i) => { sink += P[i].div(Q[i]).isZero() ? 1 : 0; },
    cmp: (i) => { sink += P[i].cmp(P[(i + 1) & (N - 1)]); },
    toNumber: (i) => { sink += P[i].toNumber(); },
    'fill mix': (i) => {
      const p = new D(prices[i]);
      const q = new D(qtys[i]);
      const notional = p.times(q);
      const fee = notional.times(rate);
      cash = cash.minus(notional).minus(fee);
      const newPos = pos.plus(q);
      avg = avg.times(pos).plus(p.times(q)).div(newPos);
      pos = newPos;
      // A position is closed now and then, so the average restarts from a fresh price.
      if ((i & 63) === 63) { avg = new D(0); pos = new D(0); }
    },
  };
}

/** Child: measures one implementation and prints its best ops/s per case as JSON. */
function child(impl: string): void {
  const D = (impl === 'fast' ? FastDecimal : DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 })) as unknown as Ctor;
  const b = bodies(D);
  const best: Record<string, number> = {};
  for (const name of CASES) {
    for (let i = 0; i < 20000; i++) b[name](i & (N - 1)); // warm-up
    let top = 0;
    for (let r = 0; r < ROUNDS; r++) top = Math.max(top, measure(b[name], ROUND_MS));
    best[name] = top;
  }
  if (sink === 0.5) console.error(sink);
  process.stdout.write(JSON.stringify(best));
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  const best: Record<string, Record<string, number>> = { fast: {}, oracle: {} };
  for (let r = 0; r < PROCESS_ROUNDS; r++) {
    for (const impl of ['fast', 'oracle']) {
      const run = spawnSync(process.execPath, [...process.execArgv, self, '--impl', impl, ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`benchmark child for ${impl} failed: ${run.stderr}`);
      const figures = JSON.parse(run.stdout) as Record<string, number>;
      for (const [name, v] of Object.entries(figures)) best[impl][name] = Math.max(best[impl][name] ?? 0, v);
    }
  }
  const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
  console.log(`node ${process.version}; best of ${ROUNDS * PROCESS_ROUNDS} rounds of ${ROUND_MS} ms per case; ops/s (fill mix: fills/s, 11 operations + 2 constructions each)`);
  console.log('case'.padEnd(26) + 'FastDecimal'.padStart(13) + 'decimal.js'.padStart(13) + 'speed-up'.padStart(10));
  for (const name of CASES) {
    const ours = best.fast[name];
    const theirs = best.oracle[name];
    console.log(name.padEnd(26) + fmt(ours).padStart(13) + fmt(theirs).padStart(13) + `${(ours / theirs).toFixed(1)}×`.padStart(10));
    if (name === 'fill mix') console.log(`${''.padEnd(26)}${(1e6 / ours).toFixed(2).padStart(10)} µs ${(1e6 / theirs).toFixed(2).padStart(10)} µs   per fill`);
  }
}

const at = process.argv.indexOf('--impl');
if (at >= 0) child(process.argv[at + 1]);
else parent();
