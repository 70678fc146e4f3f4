/**
 * Throughput of FastDecimal against the decimal.js clone it replaces.
 * Run: `node --import tsx packages/core/src/fast-decimal.bench.ts` (add `--quick` for shorter runs).
 * Prints operations per second for each implementation and the speed-up.
 */
import DecimalJs from 'decimal.js';
import { FastDecimal } from './fast-decimal';

const Oracle = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });

/** Anything with the shared decimal API, so one benchmark body drives both implementations. */
interface Dec {
  plus(y: Dec | number | string): Dec;
  minus(y: Dec | number | string): Dec;
  times(y: Dec | number | string): Dec;
  div(y: Dec | number | string): Dec;
  cmp(y: Dec | number | string): number;
  toNumber(): number;
  toString(): string;
}
type Ctor = new (v: number | string) => Dec;

const MS = process.argv.includes('--quick') ? 150 : 500;
const N = 1024; // inputs cycle through a fixed pool, so only the operation itself is timed

// Deterministic inputs: prices with 2 decimals around 60k, quantities with up to 5 decimals.
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

let sink = 0; // consumed results, so the JIT cannot drop the work

/** Runs `body(i)` repeatedly for about MS milliseconds after a warm-up; returns calls per second. */
function measure(body: (i: number) => void): number {
  for (let i = 0; i < 20000; i++) body(i & (N - 1));
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(MS) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 4096; i++) body(i & (N - 1));
    calls += 4096;
    elapsed = process.hrtime.bigint() - start;
  }
  return calls / (Number(elapsed) / 1e9);
}

function cases(D: Ctor): [string, (i: number) => void][] {
  const P = prices.map((p) => new D(p));
  const Q = qtys.map((q) => new D(q));
  const rate = new D('0.00075');
  let cash = new D('1000000');
  let avg = new D(0);
  let pos = new D(0);
  return [
    ['construct from number', (i) => { sink += new D(prices[i]).toNumber() > 0 ? 1 : 0; }],
    ['construct from string', (i) => { sink += new D(qtys[i]).cmp(P[0]) > 0 ? 1 : 0; }],
    ['add', (i) => { sink += P[i].plus(Q[i]).cmp(P[0]); }],
    ['mul', (i) => { sink += P[i].times(Q[i]).cmp(P[0]); }],
    ['div (34-digit quotient)', (i) => { sink += P[i].div(Q[i]).cmp(P[0]); }],
    ['cmp', (i) => { sink += P[i].cmp(P[(i + 1) & (N - 1)]); }],
    ['toNumber', (i) => { sink += P[i].toNumber(); }],
    [
      'fill mix',
      (i) => {
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
    ],
  ];
}

const fast = cases(FastDecimal as unknown as Ctor);
const slow = cases(Oracle as unknown as Ctor);
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);
console.log(`node ${process.version}, ${MS} ms per case; ops/s (fill mix: fills/s, 11 decimal operations each)`);
console.log('case'.padEnd(26) + 'FastDecimal'.padStart(13) + 'decimal.js'.padStart(13) + 'speed-up'.padStart(10));
for (let k = 0; k < fast.length; k++) {
  const [name, f] = fast[k];
  const ours = measure(f);
  const theirs = measure(slow[k][1]);
  console.log(name.padEnd(26) + fmt(ours).padStart(13) + fmt(theirs).padStart(13) + `${(ours / theirs).toFixed(1)}×`.padStart(10));
  if (name === 'fill mix') console.log(`${''.padEnd(26)}${(1e6 / ours).toFixed(2).padStart(10)} µs ${(1e6 / theirs).toFixed(2).padStart(10)} µs   per fill`);
}
if (sink === 0.5) console.log(sink);
