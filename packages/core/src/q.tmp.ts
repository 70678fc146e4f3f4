import { FastDecimal as D } from './fast-decimal';
const which = process.argv[2];
function t(name: string, f: (i: number) => unknown) {
  for (let i = 0; i < 300000; i++) f(i);
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const N = 300_000; const a = process.hrtime.bigint();
    for (let i = 0; i < N; i++) f(i);
    best = Math.min(best, Number(process.hrtime.bigint() - a) / N);
  }
  console.log(name.padEnd(30), best.toFixed(1), 'ns');
}
const P = Array.from({ length: 1024 }, (_, i) => new D(Math.round((50000 + i * 13.37) * 100) / 100));
const Q = Array.from({ length: 1024 }, (_, i) => new D(((i * 7919) % 99999 + 1) / 1e5));
const W = P.map((p, i) => p.div(Q[i]));
const all: Record<string, [string, (i: number) => unknown]> = {
  addnum: ['add num+num', (i) => P[i & 1023].add(Q[i & 1023])],
  mulnum: ['mul num*num', (i) => P[i & 1023].mul(Q[i & 1023])],
  divnum: ['div num/num', (i) => P[i & 1023].div(Q[i & 1023])],
  mulwide: ['mul wide*num', (i) => W[i & 1023].mul(Q[i & 1023])],
  addwide: ['add wide+num', (i) => W[i & 1023].add(P[i & 1023])],
  divwide: ['div wide/num', (i) => W[i & 1023].div(Q[i & 1023])],
  divww: ['div wide/wide', (i) => W[i & 1023].div(W[(i + 1) & 1023])],
  cmpwide: ['cmp wide', (i) => W[i & 1023].cmp(W[(i + 1) & 1023])],
  strwide: ['toString wide', (i) => W[i & 1023].toString()],
  ctor: ['ctor num', (i) => new D(P[i & 1023].toNumber())],
};
for (const k of which ? which.split(',') : Object.keys(all)) t(...all[k]);
