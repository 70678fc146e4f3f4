import DecimalJs from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { FastDecimal, type FastRounding } from './fast-decimal';
import { mulberry32 } from './random';

/** The reference: exactly the clone core uses today. */
const Oracle = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
const F = (v: string | number | FastDecimal): FastDecimal => new FastDecimal(v);
const O = (v: string | number): DecimalJs => new Oracle(v);

/** Random decimal strings over the ranges the brief names. */
function generator(seed: number) {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const digits = (n: number, leadingNonZero = true): string => {
    let s = leadingNonZero ? String(1 + int(9)) : String(int(10));
    for (let i = 1; i < n; i++) s += String(int(10));
    return s;
  };
  const sign = (): string => (rnd() < 0.3 ? '-' : '');
  const withPoint = (d: string): string => {
    const at = int(d.length + 1);
    return at === d.length ? d : `${d.slice(0, at) || '0'}.${d.slice(at)}`;
  };
  const kinds = {
    /** A price or quantity: up to 7 integer digits, 0-8 decimals. */
    money: (): string => {
      const whole = String(int(10 ** (1 + int(7))));
      const dp = int(9);
      return sign() + whole + (dp > 0 ? '.' + digits(dp, false) : '');
    },
    integer: (): string => sign() + String(int(1e9)),
    large: (): string => `${sign()}${withPoint(digits(1 + int(15)))}e${15 + int(16)}`,
    tiny: (): string => `${sign()}${withPoint(digits(1 + int(15)))}e-${20 + int(15)}`,
    /** 16-34 significant digits: coefficients past 2^53. */
    wide: (): string => sign() + withPoint(digits(16 + int(19))),
    /** 35-50 digits: more than the precision, kept exactly by the constructor. */
    long: (): string => sign() + withPoint(digits(35 + int(16))),
    /** Exponents around the ±40 switch to exponential notation and beyond. */
    extreme: (): string => `${sign()}${withPoint(digits(1 + int(20)))}e${rnd() < 0.5 ? '-' : ''}${30 + int(40)}`,
    zero: (): string => ['0', '-0', '0.000', '0e5'][int(4)],
  };
  const weighted: [keyof typeof kinds, number][] = [
    ['money', 40], ['integer', 8], ['large', 10], ['tiny', 10], ['wide', 15], ['long', 6], ['extreme', 6], ['zero', 5],
  ];
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  const any = (): string => {
    let r = int(total);
    for (const [k, w] of weighted) if ((r -= w) < 0) return kinds[k]();
    return kinds.money();
  };
  /** A pair, sometimes deliberately close (cancellation, equal values, far apart magnitudes). */
  const pair = (): [string, string] => {
    const a = any();
    const r = rnd();
    if (r < 0.08) return [a, a];
    if (r < 0.14) return [a, O(a).neg().toString()];
    if (r < 0.22) return [a, O(a).neg().plus(kinds.tiny()).toString()];
    if (r < 0.28) return [a, `${rnd() < 0.5 ? '-' : ''}1e-${30 + int(30)}`];
    return [a, any()];
  };
  return { rnd, int, kinds, any, pair };
}

const CASES = 4000;

describe('FastDecimal against decimal.js (randomised, seeded)', () => {
  it('constructs from strings exactly, with the same canonical text', () => {
    const g = generator(1);
    for (let i = 0; i < CASES; i++) {
      const s = g.any();
      expect(F(s).toString(), s).toBe(O(s).toString());
    }
  });

  it('plus / add', () => {
    const g = generator(2);
    for (let i = 0; i < CASES; i++) {
      const [a, b] = g.pair();
      const want = O(a).plus(b).toString();
      const got = F(a).plus(F(b));
      expect(got.toString(), `${a} + ${b}`).toBe(want);
      expect(F(a).add(b).toString(), `${a} + ${b}`).toBe(want);
      // Canonical: a computed result has exactly the fields of the same value parsed.
      expect(got, `${a} + ${b}`).toEqual(F(want));
    }
  });

  it('minus / sub', () => {
    const g = generator(3);
    for (let i = 0; i < CASES; i++) {
      const [a, b] = g.pair();
      const want = O(a).minus(b).toString();
      expect(F(a).minus(F(b)).toString(), `${a} - ${b}`).toBe(want);
      expect(F(a).sub(b).toString(), `${a} - ${b}`).toBe(want);
    }
  });

  it('plus / minus of operands many orders of magnitude apart (only the sign of the small one matters)', () => {
    const g = generator(16);
    for (let i = 0; i < CASES; i++) {
      const a = g.kinds[(['long', 'wide', 'money'] as const)[g.int(3)]]();
      // A 1-3 digit value 36-80 places below or above a's leading digit.
      const shift = (g.rnd() < 0.5 ? -1 : 1) * (36 + g.int(45));
      const b = `${g.rnd() < 0.5 ? '-' : ''}${g.int(999) + 1}e${O(a).isZero() ? shift : O(a).e + shift}`;
      expect(F(a).plus(b).toString(), `${a} + ${b}`).toBe(O(a).plus(b).toString());
      expect(F(a).minus(b).toString(), `${a} - ${b}`).toBe(O(a).minus(b).toString());
      expect(F(b).minus(a).toString(), `${b} - ${a}`).toBe(O(b).minus(a).toString());
    }
  });

  it('times / mul', () => {
    const g = generator(4);
    for (let i = 0; i < CASES; i++) {
      const [a, b] = g.pair();
      const want = O(a).times(b).toString();
      const got = F(a).times(F(b));
      expect(got.toString(), `${a} * ${b}`).toBe(want);
      expect(got, `${a} * ${b}`).toEqual(F(want));
      expect(F(a).mul(b).toString(), `${a} * ${b}`).toBe(want);
    }
  });

  it('div / dividedBy, including 34-digit quotients', () => {
    const g = generator(5);
    let inexact = 0;
    for (let i = 0; i < CASES; i++) {
      const [a, b] = g.pair();
      if (O(b).isZero()) continue;
      const want = O(a).div(b).toString();
      if (want.replace(/[-.]|e.*$/g, '').replace(/^0+/, '').length === 34) inexact++;
      const got = F(a).div(F(b));
      expect(got.toString(), `${a} / ${b}`).toBe(want);
      expect(got, `${a} / ${b}`).toEqual(F(want));
      expect(F(a).dividedBy(b).toString(), `${a} / ${b}`).toBe(want);
    }
    // The property really covers rounded quotients, not only exact ones.
    expect(inexact).toBeGreaterThan(CASES / 4);
  });

  it('div rounds exact ties and near-ties half-even', () => {
    const g = generator(6);
    const divisors = ['2', '4', '5', '8', '0.5', '0.25', '1', '-2', '16', '3', '7', '1.25'];
    for (let i = 0; i < CASES; i++) {
      const a = g.kinds[g.rnd() < 0.5 ? 'long' : 'wide']();
      const b = divisors[g.int(divisors.length)];
      expect(F(a).div(b).toString(), `${a} / ${b}`).toBe(O(a).div(b).toString());
    }
  });

  it('div by long divisors (multi-limb long division, add-back steps)', () => {
    const g = generator(17);
    for (let i = 0; i < CASES; i++) {
      const a = g.kinds[(['wide', 'long', 'money', 'large'] as const)[g.int(4)]]();
      // Divisors past 9e8 in coefficient: 10-34 digits, often with a leading 9 or 1 (qhat edge cases).
      const lead = ['9', '1', '5', String(1 + g.int(9))][g.int(4)];
      let b = lead;
      const n = 9 + g.int(26);
      for (let k = 1; k < n; k++) b += g.rnd() < 0.2 ? (g.rnd() < 0.5 ? '0' : '9') : String(g.int(10));
      const at = g.int(b.length);
      b = (g.rnd() < 0.3 ? '-' : '') + (at === 0 ? b : `${b.slice(0, at)}.${b.slice(at)}`);
      const got = F(a).div(b);
      expect(got.toString(), `${a} / ${b}`).toBe(O(a).div(b).toString());
      expect(got, `${a} / ${b}`).toEqual(F(O(a).div(b).toString()));
    }
  });

  it('mod (truncated, sign of the dividend)', () => {
    const g = generator(7);
    for (let i = 0; i < CASES; i++) {
      const [a, b] = g.pair();
      if (O(b).isZero()) continue;
      expect(F(a).mod(F(b)).toString(), `${a} mod ${b}`).toBe(O(a).mod(b).toString());
    }
  });

  it('mod by tick-like steps', () => {
    const g = generator(8);
    const steps = ['0.01', '0.5', '0.00000001', '0.25', '5', '-0.01', '0.0001', '1e-12', '12.5'];
    for (let i = 0; i < CASES; i++) {
      const a = g.kinds.money();
      const b = steps[g.int(steps.length)];
      expect(F(a).mod(b).toString(), `${a} mod ${b}`).toBe(O(a).mod(b).toString());
    }
  });

  it('cmp, eq, lt, lte, gt, gte', () => {
    const g = generator(9);
    for (let i = 0; i < CASES; i++) {
      const [a, b] = g.pair();
      const o = O(a);
      const f = F(a);
      const fb = F(b);
      const ctx = `${a} vs ${b}`;
      expect(f.cmp(fb), ctx).toBe(o.cmp(b));
      expect(f.comparedTo(b), ctx).toBe(o.cmp(b));
      expect(f.eq(fb), ctx).toBe(o.eq(b));
      expect(f.equals(b), ctx).toBe(o.eq(b));
      expect(f.lt(fb), ctx).toBe(o.lt(b));
      expect(f.lte(fb), ctx).toBe(o.lte(b));
      expect(f.gt(fb), ctx).toBe(o.gt(b));
      expect(f.gte(fb), ctx).toBe(o.gte(b));
    }
  });

  it('neg, abs, predicates, decimalPlaces, toNumber, valueOf, toJSON', () => {
    const g = generator(10);
    for (let i = 0; i < CASES; i++) {
      const a = g.any();
      const o = O(a);
      const f = F(a);
      expect(f.neg().toString(), a).toBe(o.neg().toString());
      expect(f.negated().toString(), a).toBe(o.negated().toString());
      expect(f.abs().toString(), a).toBe(o.abs().toString());
      expect(f.absoluteValue().toString(), a).toBe(o.abs().toString());
      expect(f.isZero(), a).toBe(o.isZero());
      // No negative zero here: decimal.js's -0 reads as +0.
      expect(f.isPositive(), a).toBe(o.isZero() || o.isPositive());
      expect(f.isPos(), a).toBe(o.isZero() || o.isPos());
      expect(f.isNegative(), a).toBe(!o.isZero() && o.isNegative());
      expect(f.isNeg(), a).toBe(!o.isZero() && o.isNeg());
      expect(f.isFinite()).toBe(true);
      expect(f.isInteger(), a).toBe(o.isInteger());
      expect(f.isInt(), a).toBe(o.isInt());
      expect(f.decimalPlaces(), a).toBe(o.decimalPlaces());
      expect(f.dp(), a).toBe(o.dp());
      expect(f.toNumber(), a).toBe(o.toNumber() + 0);
      const v = o.valueOf();
      expect(f.valueOf(), a).toBe(v === '-0' ? '0' : v);
      expect(f.toJSON(), a).toBe(o.isZero() ? '0' : o.toJSON());
      expect(+f, a).toBe(+o + 0);
    }
  });

  it('toFixed and toDecimalPlaces with every rounding mode', () => {
    const g = generator(11);
    for (let i = 0; i < CASES; i++) {
      const a = g.rnd() < 0.7 ? g.kinds.money() : g.any();
      const dp = g.int(12);
      const rm = g.int(9) as FastRounding;
      const o = O(a);
      const f = F(a);
      const ctx = `${a} dp=${dp} rm=${rm}`;
      expect(f.toFixed(dp, rm), ctx).toBe(o.toFixed(dp, rm));
      expect(f.toDecimalPlaces(dp, rm).toString(), ctx).toBe(o.toDecimalPlaces(dp, rm).toString());
      expect(f.toDP(dp, rm).toString(), ctx).toBe(o.toDP(dp, rm).toString());
      expect(f.toFixed(dp), ctx).toBe(o.toFixed(dp));
      expect(f.toDP(dp).toString(), ctx).toBe(o.toDP(dp).toString());
      expect(f.toFixed(), a).toBe(o.toFixed());
    }
  });

  it('max and min over mixed arguments', () => {
    const g = generator(12);
    for (let i = 0; i < CASES / 4; i++) {
      const args: (string | number | FastDecimal)[] = [];
      const n = 1 + g.int(5);
      for (let k = 0; k < n; k++) {
        const s = g.any();
        const r = g.rnd();
        args.push(r < 0.3 ? s : r < 0.5 ? Number(s) : F(s));
      }
      const plain = args.map((x) => (x instanceof FastDecimal ? x.toString() : x));
      expect(FastDecimal.max(...args).toString(), plain.join(',')).toBe(Oracle.max(...plain).toString());
      expect(FastDecimal.min(...args).toString(), plain.join(',')).toBe(Oracle.min(...plain).toString());
    }
  });

  it('converts random doubles through their shortest round-trip string', () => {
    const g = generator(13);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const samples: number[] = [];
    for (let i = 0; i < CASES; i++) {
      const r = g.rnd();
      if (r < 0.25) samples.push(Math.round(g.rnd() * 1e8) / 10 ** g.int(9)); // price-like
      else if (r < 0.5) samples.push((g.rnd() - 0.5) * 10 ** (g.int(40) - 20)); // arbitrary doubles
      else if (r < 0.6) samples.push(g.int(2 ** 31) * 2 ** (g.int(40) - 10)); // integers, unsafe ones too
      else {
        words[0] = g.int(2 ** 32);
        words[1] = g.int(2 ** 32); // any bit pattern: subnormals, huge, tiny
        if (Number.isFinite(bits[0])) samples.push(bits[0]);
      }
    }
    samples.push(0.1, 0.2, 0.1 + 0.2, 1e-7, 1.5e-7, 123.456, 5e-324, Number.MAX_VALUE, 2 ** 53, 2 ** 53 + 2, 1e21, 1e15 + 0.5, 999999999999999.9);
    for (const x of samples) expect(F(x).toString(), String(x)).toBe(O(x).toString());
  });

  it('matches along a chained fill sequence (cash, fees, average price)', () => {
    const g = generator(14);
    let fc = F('100000');
    let oc = O('100000');
    let fAvg = F(0);
    let oAvg = O(0);
    let fPos = F(0);
    let oPos = O(0);
    const rate = '0.00075';
    for (let i = 0; i < CASES; i++) {
      const p = Math.round(g.rnd() * 6e6) / 100;
      const q = (1 + g.int(99999)) / 1e5;
      const qs = q.toString();
      const fn = F(p).mul(qs);
      const on = O(p).mul(qs);
      const ff = fn.mul(rate);
      const of = on.mul(rate);
      fc = fc.minus(fn).minus(ff);
      oc = oc.minus(on).minus(of);
      const fNewPos = fPos.plus(qs);
      const oNewPos = oPos.plus(qs);
      fAvg = fAvg.mul(fPos).plus(F(p).mul(qs)).div(fNewPos);
      oAvg = oAvg.mul(oPos).plus(O(p).mul(qs)).div(oNewPos);
      fPos = fNewPos;
      oPos = oNewPos;
      expect(fc.toString()).toBe(oc.toString());
      expect(fAvg.toString()).toBe(oAvg.toString());
    }
  });
});

describe('FastDecimal edge cases', () => {
  it('does exact money arithmetic', () => {
    expect(F(0.1).plus(0.2).toString()).toBe('0.3');
    expect(F('0.1').plus('0.2').eq('0.3')).toBe(true);
    expect(F(1).div(3).toString()).toBe('0.3333333333333333333333333333333333');
    expect(F(2).div(3).toString()).toBe('0.6666666666666666666666666666666667');
    expect(F(-2).div(3).toString()).toBe('-0.6666666666666666666666666666666667');
    expect(F(10).div(4).toString()).toBe('2.5');
    expect(F('1.10').mul('3').toString()).toBe('3.3');
    expect(F('0.3').minus('0.1').minus('0.2').isZero()).toBe(true);
  });

  it('normalises -0 to 0', () => {
    for (const z of [F(-0), F('-0'), F('-0.000'), F(-1).mul(0), F('0.001').neg().toDP(2)]) {
      expect(z.toString()).toBe('0');
      expect(z.isZero()).toBe(true);
      expect(z.isNeg()).toBe(false);
      expect(Object.is(z.toNumber(), 0)).toBe(true);
      expect(z.toFixed(2)).toBe('0.00');
    }
  });

  it('keeps the minus sign of a negative value that toFixed rounds to zero, like decimal.js', () => {
    expect(F('-0.001').toFixed(2)).toBe('-0.00');
    expect(F('-0.5').toFixed(0)).toBe('-0');
    expect(F('-0.5').toFixed(0)).toBe(O('-0.5').toFixed(0));
  });

  it('writes 1e-7 and the exponent limits as decimal.js does', () => {
    expect(F('1e-7').toString()).toBe('0.0000001');
    expect(F(1e-7).toString()).toBe('0.0000001');
    expect(F('1.5E+3').toString()).toBe('1500');
    expect(F('1e-39').toString()).toBe('0.000000000000000000000000000000000000001');
    expect(F('1e-40').toString()).toBe('1e-40');
    expect(F('-1.25e-45').toString()).toBe('-1.25e-45');
    expect(F('1e39').toString()).toBe('1' + '0'.repeat(39));
    expect(F('1e40').toString()).toBe('1e+40');
    expect(F('1e40').toFixed()).toBe('1' + '0'.repeat(40));
    expect(F('.5').toString()).toBe('0.5');
    expect(F('5.').toString()).toBe('5');
    expect(F('+5').toString()).toBe('5');
    expect(F('007.500').toString()).toBe('7.5');
  });

  it('rounds ties with every mode (toDecimalPlaces to 0 places)', () => {
    const values = ['2.5', '-2.5', '3.5', '-3.5', '2.51', '-2.49'];
    const expected: Record<FastRounding, string[]> = {
      0: ['3', '-3', '4', '-4', '3', '-3'], // up (away from zero)
      1: ['2', '-2', '3', '-3', '2', '-2'], // down (towards zero)
      2: ['3', '-2', '4', '-3', '3', '-2'], // ceil
      3: ['2', '-3', '3', '-4', '2', '-3'], // floor
      4: ['3', '-3', '4', '-4', '3', '-2'], // half up
      5: ['2', '-2', '3', '-3', '3', '-2'], // half down
      6: ['2', '-2', '4', '-4', '3', '-2'], // half even
      7: ['3', '-2', '4', '-3', '3', '-2'], // half ceil
      8: ['2', '-3', '3', '-4', '3', '-2'], // half floor
    };
    for (const rm of [0, 1, 2, 3, 4, 5, 6, 7, 8] as FastRounding[]) {
      expect(values.map((v) => F(v).toDP(0, rm).toString()), `rm=${rm}`).toEqual(expected[rm]);
    }
    expect(FastDecimal.ROUND_UP).toBe(DecimalJs.ROUND_UP);
    expect(FastDecimal.ROUND_DOWN).toBe(DecimalJs.ROUND_DOWN);
    expect(FastDecimal.ROUND_CEIL).toBe(DecimalJs.ROUND_CEIL);
    expect(FastDecimal.ROUND_FLOOR).toBe(DecimalJs.ROUND_FLOOR);
    expect(FastDecimal.ROUND_HALF_UP).toBe(DecimalJs.ROUND_HALF_UP);
    expect(FastDecimal.ROUND_HALF_DOWN).toBe(DecimalJs.ROUND_HALF_DOWN);
    expect(FastDecimal.ROUND_HALF_EVEN).toBe(DecimalJs.ROUND_HALF_EVEN);
  });

  it('rounds results past 34 digits half-even', () => {
    const n34 = '1234567890123456789012345678901234';
    expect(F(n34).plus('0.5').toString()).toBe(n34); // tie, 4 is even
    expect(F(n34).plus('1.5').toString()).toBe('1234567890123456789012345678901236'); // tie, 5 is odd
    expect(F(n34).plus('0.5000000000000000000001').toString()).toBe('1234567890123456789012345678901235');
    expect(F('9999999999999999999999999999999999').plus(1).toString()).toBe('1' + '0'.repeat(34));
    expect(F('9999999999999999999999999999999999').plus('0.5').toString()).toBe('1' + '0'.repeat(34));
    expect(F('1e30').plus('1e-30').toString()).toBe('1' + '0'.repeat(30));
    expect(F('1e30').minus('1e-30').toString()).toBe('1' + '0'.repeat(30)); // 60 nines round up
    expect(F('1e30').minus('1e-4').toString()).toBe('999999999999999999999999999999.9999'); // exactly 34 digits
    expect(F('1e30').minus('1e-5').toString()).toBe('1' + '0'.repeat(30));
    // A far smaller operand only breaks ties: 36 digits whose dropped part is just below or above half.
    expect(F('123456789012345678901234567890123549').plus('1e-40').toString()).toBe('123456789012345678901234567890123500');
    expect(F('123456789012345678901234567890123351').minus('1e-40').toString()).toBe('123456789012345678901234567890123400');
    expect(F('123456789012345678901234567890123350').minus('1e-40').toString()).toBe('123456789012345678901234567890123300');
    expect(F('123456789012345678901234567890123450').plus('1e-40').toString()).toBe('123456789012345678901234567890123500');
    expect(F('12345678901234567890123456789012345').div(1).toString()).toBe('12345678901234567890123456789012340');
    expect(F('12345678901234567890123456789012355').mul(1).toString()).toBe('12345678901234567890123456789012360');
    // The constructor keeps every digit; the first operation rounds.
    const long = '1.23456789012345678901234567890123456789';
    expect(F(long).toString()).toBe(long);
    expect(F(long).plus(0).toString()).toBe('1.234567890123456789012345678901235');
    expect(F(long).neg().toString()).toBe('-' + long);
  });

  it('keeps 16-35 digit values exact across sign changes and carries', () => {
    const cash = F('123456789012.345678901234'); // 24 digits
    expect(cash.minus('123456789012.345678901235').toString()).toBe('-0.000000000001');
    expect(cash.minus('200000000000').toString()).toBe('-76543210987.654321098766');
    expect(cash.neg().plus('123456789012.345678901234').isZero()).toBe(true);
    expect(F('99999999999999999999999999999999.99').plus('0.01').toString()).toBe('1' + '0'.repeat(32));
    expect(F('99999999999999999999999999999999.99').plus('0.06').toString()).toBe('1' + '0'.repeat(32)); // 35 digits: the tie .05 goes to even
    expect(F('0.3333333333333333333333333333333333').mul(3).toString()).toBe('0.9999999999999999999999999999999999');
    expect(F('0.3333333333333333333333333333333333').mul('3.000000000000000000000000000000001').toString()).toBe('1');
    expect(F(1).div(3).mul(3)).toEqual(F('0.9999999999999999999999999999999999'));
    expect(F('9007199254740993').minus('0.5').toString()).toBe('9007199254740992.5');
    expect(F('9007199254740993').minus(1)).toEqual(F(9007199254740992));
    expect(F('12345678901234567890').dp()).toBe(0);
    expect(F('1234567890123456789.0123').dp()).toBe(4);
    expect(F('123456789012345678900').isInteger()).toBe(true);
    expect(F('12345678901234567890.5').isInteger()).toBe(false);
  });

  it('multiplies past 2^53 exactly', () => {
    const a = F('94906265'); // a² is just under 2^53
    expect(a.mul(a).toString()).toBe('9007199136250225');
    const b = F('94906266'); // b² is just over 2^53
    expect(b.mul(b).toString()).toBe('9007199326062756');
    expect(b.mul(b).minus(a.mul(a)).toString()).toBe('189812531');
    expect(F(2 ** 53 - 1).plus(1).toString()).toBe('9007199254740992');
    expect(F(2 ** 53 - 1).plus(2).minus(2).toString()).toBe('9007199254740991');
  });

  it('is canonical: equal values have equal fields', () => {
    expect(F('1.50')).toEqual(F('1.5'));
    expect(F('150e-2')).toEqual(F(1.5));
    expect(F('1e2')).toEqual(F(100));
    expect(F('0.25').mul(4)).toEqual(F(1));
    expect(F('123456789012345678901234567890').div('1e10')).toEqual(F('12345678901234567890.12345678900'));
    expect(F('123456789012345678900000000000').div('-1e10')).toEqual(F('-12345678901234567890'));
    expect(F('1e2').eq(100)).toBe(true);
    expect(F('9007199254740993').minus(2)).toEqual(F(9007199254740991));
  });

  it('accepts FastDecimal, number, string and bigint operands', () => {
    const x = F('10');
    expect(x.plus(F('1')).toString()).toBe('11');
    expect(x.plus(1).toString()).toBe('11');
    expect(x.plus('1').toString()).toBe('11');
    expect(x.plus(1n).toString()).toBe('11');
    expect(new FastDecimal(x).eq(x)).toBe(true);
    expect(FastDecimal.isDecimal(x)).toBe(true);
    expect(FastDecimal.isDecimal(O('10'))).toBe(false);
    expect(FastDecimal.isDecimal('10')).toBe(false);
    expect(FastDecimal.max(1, '2.5', F(2)).toString()).toBe('2.5');
    expect(FastDecimal.min(1, '2.5', F(-2)).toString()).toBe('-2');
    expect(JSON.stringify({ p: F('1.25') })).toBe('{"p":"1.25"}');
    expect(`${F('-0.5')}`).toBe('-0.5');
  });

  it('throws on values that are not finite decimals', () => {
    for (const bad of ['', ' 5', '5 ', 'abc', '1e', '1e+', '--5', '+-5', '1.2.3', '.', '-', '1,5']) {
      expect(() => F(bad), JSON.stringify(bad)).toThrow();
      expect(() => new Oracle(bad), JSON.stringify(bad)).toThrow();
    }
    // decimal.js reads these (as NaN, Infinity, hex, digit separators); we accept decimal notation only.
    for (const other of ['NaN', 'Infinity', '-Infinity', '0x10', '1_000']) expect(() => F(other), other).toThrow();
    expect(() => F(Number.NaN)).toThrow();
    expect(() => F(Infinity)).toThrow();
    expect(() => F(-Infinity)).toThrow();
    expect(() => F('1e9000000000000001')).toThrow();
    expect(F('1e-9000000000000001').isZero()).toBe(true);
    expect(() => new FastDecimal(null as unknown as string)).toThrow();
  });

  it('throws on division or modulo by zero and on bad toFixed/toDP arguments', () => {
    expect(() => F(1).div(0)).toThrow(/division by zero/);
    expect(() => F(0).div('0.000')).toThrow(/division by zero/);
    expect(() => F(1).mod(0)).toThrow(/modulo by zero/);
    expect(() => F(1).toFixed(-1)).toThrow();
    expect(() => F(1).toFixed(1.5)).toThrow();
    expect(() => F(1).toDP(2, 9 as FastRounding)).toThrow();
    expect(() => FastDecimal.max()).toThrow();
    expect(F('1.234').toDP()).toEqual(F('1.234'));
  });

  it('reproduces core’s tick rounding (roundToStep) for every mode', () => {
    const g = generator(15);
    const steps = ['0.01', '0.5', '0.00001', '25', '0.0025'];
    for (let i = 0; i < 1000; i++) {
      const v = g.kinds.money();
      const step = steps[g.int(steps.length)];
      for (const rm of [FastDecimal.ROUND_FLOOR, FastDecimal.ROUND_CEIL, FastDecimal.ROUND_HALF_EVEN]) {
        const ours = F(v).div(step).toDecimalPlaces(0, rm).mul(step);
        const theirs = O(v).div(step).toDecimalPlaces(0, rm).mul(step);
        expect(ours.toString(), `${v} step ${step} rm ${rm}`).toBe(theirs.toString());
        expect(F(v).mod(step).isZero()).toBe(O(v).mod(step).isZero());
      }
    }
  });
});
