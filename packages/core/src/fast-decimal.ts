/**
 * An exact decimal with the semantics of
 * `DecimalJs.clone({ precision: 34, rounding: ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 })`
 * for the subset of decimal.js that autotrader uses, built for speed.
 *
 * Representation: value = coefficient × 10^exponent, in one of three tiers chosen by size:
 * - a JS `number` while the coefficient is a safe integer: the everyday money maths (prices and
 *   quantities with a few decimals) runs on double arithmetic that is provably exact;
 * - a {@link Wide} of up to six base-10^7 limbs past that: 34-digit quotients, cash balances with many
 *   decimals. Its arithmetic is still plain doubles (every limb product fits 2^53 exactly), and its
 *   exponent is a multiple of 7, so rounding to 34 digits edits one limb instead of shifting digits;
 * - a `bigint` only for the rare longer coefficient a caller parses (the constructor keeps every
 *   digit, as decimal.js does); any operation rounds back to 34 digits.
 * Every instance is canonical, so equal values have equal fields (`eq` is cheap, structural equality
 * in tests works): zero is `0 × 10^0`; a value takes the first tier it fits; `number` and `bigint`
 * coefficients have no trailing zeros; a Wide has its exponent a multiple of 7 and a non-zero lowest limb.
 *
 * Deliberate differences from decimal.js, none of which a finite money value can observe through
 * `toString`: there is no NaN, Infinity or negative zero. Division or modulo by zero throws instead of
 * returning Infinity/NaN, and a result that decimal.js would call `-0` is plain 0 (so `isNeg()` is
 * false and `isPos()` true for it, and `valueOf()` gives `'0'`). Only decimal notation is parsed (no
 * hex/binary/octal, `Infinity`, `NaN` or `1_000` digit separators). Exponents beyond ±9e15 in a parsed
 * string throw (overflow) or give 0 (underflow), as decimal.js does; arithmetic results are not
 * checked against that range.
 *
 * @packageDocumentation
 */

/** A decimal.js rounding mode: 0 up, 1 down, 2 ceil, 3 floor, 4 half-up, 5 half-down, 6 half-even, 7 half-ceil, 8 half-floor. */
export type FastRounding = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** What {@link FastDecimal} accepts wherever decimal.js accepts a `Decimal.Value`. */
export type FastDecimalValue = FastDecimal | number | string | bigint;

/**
 * A coefficient past 2^53 as six base-10^7 limbs, least significant first (w0 never 0), with its
 * sign. The owning instance's exponent is a multiple of 7. Immutable; shared freely.
 */
class Wide {
  declare readonly neg: boolean;
  declare readonly w0: number;
  declare readonly w1: number;
  declare readonly w2: number;
  declare readonly w3: number;
  declare readonly w4: number;
  declare readonly w5: number;
  constructor(neg: boolean, w0: number, w1: number, w2: number, w3: number, w4: number, w5: number) {
    this.neg = neg;
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
    this.w4 = w4;
    this.w5 = w5;
  }
}

type Coefficient = number | bigint | Wide;
/** The tiers the limb arithmetic works on. */
type Limbable = number | Wide;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_N = BigInt(MAX_SAFE);
/** decimal.js's default precision for our clone, in significant digits. */
const PRECISION = 34;
/** decimal.js's exponent limits (`maxE`/`minE`), applied when parsing. */
const MAX_E = 9e15;
/** Largest `dp` decimal.js accepts in toFixed/toDecimalPlaces (its MAX_DIGITS). */
const MAX_DIGITS = 1e9;
const ROUND_HALF_EVEN = 6;
/** Limb base: a product of two limbs plus carries stays far below 2^53. */
const BASE = 1e7;
const LOG_BASE = 7;
/**
 * 1 / BASE. A dependent double division costs about twice a multiplication, and limb carries form
 * dependency chains, so carries use floor(t × INV_BASE) and then fix the quotient by at most one.
 */
const INV_BASE = 1e-7;
const INV_LOG_BASE = 1 / 7;
/** floor(k / 7) for the small digit counts the limb code handles. */
const DIV7: number[] = [];
for (let k = 0; k < 128; k++) DIV7.push(Math.floor(k / 7));
/** 10^-k, k = 0..7, for reciprocal digit splits. */
const INV_POW10: number[] = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7];
/** Divisors up to this go through short division: remainder × BASE + limb + divisor < 2^53. */
const SMALL_DIVISOR = 9e8;

/** 10^k as exact doubles, k = 0..22 (the largest power of ten a double holds exactly). */
const POW10: number[] = [];
for (let k = 0, p = 1; k <= 22; k++, p *= 10) POW10.push(p);
/** For k = 0..15: the largest |c| with c × 10^k still a safe integer. */
const SAFE_SCALE_LIMIT: number[] = [];
for (let k = 0; k <= 15; k++) SAFE_SCALE_LIMIT.push(Math.floor(MAX_SAFE / POW10[k]));
/** 10^k as bigints, k = 0..128; larger powers are computed on demand. */
const POW10N: bigint[] = [];
for (let k = 0, p = 1n; k <= 128; k++, p *= 10n) POW10N.push(p);
const TEN_PRECISION_N = POW10N[PRECISION];
/** Limbs in a Wide. */
const WIDE_LIMBS = 6;

const pow10n = (k: number): bigint => (k < POW10N.length ? POW10N[k] : 10n ** BigInt(k));

// Scratch limb buffers (little-endian, base 10^7). Operations are synchronous and never re-enter, so
// module-level buffers replace per-call arrays. 48 limbs cover the widest intermediate (an aligned sum
// of two 42-digit values up to 78 places apart, a 17-limb dividend).
const SA = new Float64Array(48);
const SB = new Float64Array(48);
const SR = new Float64Array(48);
const SU = new Float64Array(48);
const SV = new Float64Array(48);
/** Set by the division routines: whether the remainder was non-zero. */
let divSticky = false;

/** Number of decimal digits of a non-negative safe integer (1 for 0). */
function digitsNum(a: number): number {
  if (a < 1e8) {
    if (a < 1e4) return a < 100 ? (a < 10 ? 1 : 2) : a < 1000 ? 3 : 4;
    return a < 1e6 ? (a < 1e5 ? 5 : 6) : a < 1e7 ? 7 : 8;
  }
  if (a < 1e12) return a < 1e10 ? (a < 1e9 ? 9 : 10) : a < 1e11 ? 11 : 12;
  return a < 1e14 ? (a < 1e13 ? 13 : 14) : a < 1e15 ? 15 : 16;
}

/** Number of decimal digits of a positive bigint. */
function digitsBig(m: bigint): number {
  if (m < POW10N[16]) return digitsNum(Number(m));
  let hi = POW10N.length - 1;
  if (m >= POW10N[hi]) return m.toString().length;
  // Smallest d with m < 10^d; we know d > 16.
  let lo = 17;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (m < POW10N[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Number of limbs of a Wide (its top non-zero limb + 1). */
function wideLimbs(w: Wide): number {
  return w.w5 !== 0 ? 6 : w.w4 !== 0 ? 5 : w.w3 !== 0 ? 4 : w.w2 !== 0 ? 3 : w.w1 !== 0 ? 2 : 1;
}

/** Trailing zero digits of a non-zero limb. */
function limbZeros(w: number): number {
  let z = 0;
  while (isMultipleOf10(w)) { w /= 10; z++; }
  return z;
}

/** Number of decimal digits of |c| (for a Wide, counted from its lowest limb's last digit). */
function digitsOf(c: Coefficient): number {
  if (typeof c === 'number') return digitsNum(c < 0 ? -c : c);
  if (typeof c === 'bigint') return digitsBig(c < 0n ? -c : c);
  if (c.w5 !== 0) return 5 * LOG_BASE + digitsNum(c.w5);
  if (c.w4 !== 0) return 4 * LOG_BASE + digitsNum(c.w4);
  if (c.w3 !== 0) return 3 * LOG_BASE + digitsNum(c.w3);
  if (c.w2 !== 0) return 2 * LOG_BASE + digitsNum(c.w2);
  return c.w1 !== 0 ? LOG_BASE + digitsNum(c.w1) : digitsNum(c.w0);
}

/** The exponent of the last non-zero digit: `_e`, except for a Wide's trailing zeros. */
function lastDigitExponent(x: FastDecimal): number {
  const c = x._c;
  return typeof c === 'object' ? x._e + limbZeros(c.w0) : x._e;
}

function isNegative(c: Coefficient): boolean {
  if (typeof c === 'number') return c < 0;
  if (typeof c === 'bigint') return c < 0n;
  return c.neg;
}

function signOf(c: Coefficient): number {
  if (typeof c === 'number') return c > 0 ? 1 : c < 0 ? -1 : 0;
  if (typeof c === 'bigint') return c < 0n ? -1 : 1;
  return c.neg ? -1 : 1;
}

function negate(c: Coefficient): Coefficient {
  if (typeof c === 'number') return c === 0 ? 0 : -c;
  if (typeof c === 'bigint') return -c;
  return new Wide(!c.neg, c.w0, c.w1, c.w2, c.w3, c.w4, c.w5);
}

/** The digits of |w|. */
function wideDigits(w: Wide): string {
  const n = load(w, SU);
  let s = String(SU[n - 1]);
  for (let i = n - 2; i >= 0; i--) {
    const part = String(SU[i]);
    s += '0000000'.slice(part.length) + part;
  }
  return s;
}

// Text conversions leave the exponent that goes with the digits here.
let textE = 0;

/** The digits of |x| without trailing zeros; their exponent goes to textE. */
function digitsText(x: FastDecimal): string {
  const c = x._c;
  textE = x._e;
  if (typeof c === 'number') return String(c < 0 ? -c : c);
  if (typeof c === 'bigint') return (c < 0n ? -c : c).toString();
  const s = wideDigits(c);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  textE += s.length - end;
  return s.slice(0, end);
}

/**
 * Sets parsedC/parsedE to the canonical form of digits × 10^e, the digits without leading or
 * trailing zeros.
 */
function setFromDigits(neg: boolean, t: string, e: number): void {
  if (t.length <= 16) {
    const v = Number(t); // correctly rounded, so ≤ MAX_SAFE exactly when the value is
    if (v <= MAX_SAFE) {
      parsedC = neg ? -v : v;
      parsedE = e;
      return;
    }
  }
  // A Wide's exponent is a multiple of 7: pad the digits down to the limb boundary.
  const pad = e - LOG_BASE * Math.floor(e / LOG_BASE);
  const len = t.length + pad;
  if (len <= WIDE_LIMBS * LOG_BASE) {
    const padded = pad > 0 ? t + '000000'.slice(0, pad) : t;
    const limb = (i: number): number => {
      const end = len - LOG_BASE * i;
      return end <= 0 ? 0 : Number(padded.slice(end > LOG_BASE ? end - LOG_BASE : 0, end));
    };
    parsedC = new Wide(neg, limb(0), limb(1), limb(2), limb(3), limb(4), limb(5));
    parsedE = e - pad;
    return;
  }
  const m = BigInt(t);
  parsedC = neg ? -m : m;
  parsedE = e;
}

/** The coefficient as a signed bigint (for the rare bigint-tier operations). */
function toBig(c: Coefficient): bigint {
  if (typeof c === 'number') return BigInt(c);
  if (typeof c === 'bigint') return c;
  const m = BigInt(wideDigits(c));
  return c.neg ? -m : m;
}

// Double `%` compiles to a slow library call in V8; these exact replacements do not.

/** Whether a safe integer is a multiple of 10: c / 10 is then exact, and otherwise ≥ 0.1 from an integer. */
function isMultipleOf10(c: number): boolean {
  const q = c / 10;
  return Math.floor(q) === q;
}

/** Whether a non-negative safe integer is odd (q / 2 is exact). */
function isOdd(q: number): boolean {
  const h = q / 2;
  return Math.floor(h) !== h;
}

/**
 * Whether dropping a non-zero remainder should bump the kept magnitude by one.
 * `half` is the remainder compared with half a unit of the last kept digit (-1, 0, 1).
 */
function roundsAway(rm: number, negative: boolean, odd: boolean, half: number): boolean {
  switch (rm) {
    case 0: return true;
    case 1: return false;
    case 2: return !negative;
    case 3: return negative;
    case 4: return half >= 0;
    case 5: return half > 0;
    case 6: return half > 0 || (half === 0 && odd);
    case 7: return half > 0 || (half === 0 && !negative);
    default: return half > 0 || (half === 0 && negative);
  }
}

function invalid(what: string, value: unknown): Error {
  return new RangeError(`[FastDecimal] Invalid argument: ${what} ${String(value)}`);
}

/** decimal.js's checkInt32: an integer in [min, max], or throw. */
function checkInt(value: number, min: number, max: number, what: string): void {
  if (value !== ~~value || value < min || value > max) throw invalid(what, value);
}

// The parsers leave their result here instead of allocating a tuple per call.
let parsedC: Coefficient = 0;
let parsedE = 0;

/**
 * Parses decimal.js's decimal syntax (`[+-]digits[.digits][e[+-]digits]`, also `.5` and `5.`) into
 * parsedC/parsedE, canonical. Anything else (hex, `Infinity`, `NaN`, spaces, empty) throws.
 */
function parseString(s: string): void {
  const n = s.length;
  let i = 0;
  let negative = false;
  const first = s.charCodeAt(0);
  if (first === 45) { negative = true; i = 1; } else if (first === 43) i = 1;

  // Accumulate up to 15 significant digits in a double (always exact); more go to the slow path.
  let acc = 0;
  let sig = 0; // significant digits seen (after leading zeros)
  let digits = 0; // all mantissa digits seen
  let fraction = 0; // digits after the point
  let zerosRun = 0; // trailing zeros among the significant digits
  let seenPoint = false;
  const mantissaStart = i;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      digits++;
      if (seenPoint) fraction++;
      const d = ch - 48;
      if (sig === 0 && d === 0) continue;
      sig++;
      zerosRun = d === 0 ? zerosRun + 1 : 0;
      if (sig <= 15) acc = acc * 10 + d;
    } else if (ch === 46 && !seenPoint) {
      seenPoint = true;
    } else break;
  }
  const mantissaEnd = i;
  if (digits === 0) throw invalid('not a decimal number:', JSON.stringify(s));

  let exp = 0;
  if (i < n) {
    const ch = s.charCodeAt(i);
    if (ch !== 101 && ch !== 69) throw invalid('not a decimal number:', JSON.stringify(s));
    i++;
    let expNegative = false;
    const sign = s.charCodeAt(i);
    if (sign === 45) { expNegative = true; i++; } else if (sign === 43) i++;
    const expStart = i;
    for (; i < n; i++) {
      const ch2 = s.charCodeAt(i);
      if (ch2 < 48 || ch2 > 57) throw invalid('not a decimal number:', JSON.stringify(s));
      // Saturate: anything this large is out of range whatever the mantissa.
      if (exp < 1e17) exp = exp * 10 + (ch2 - 48);
    }
    if (i === expStart) throw invalid('not a decimal number:', JSON.stringify(s));
    if (expNegative) exp = -exp;
  }

  if (sig === 0) { parsedC = 0; parsedE = 0; return; }
  // Canonical exponent: drop the fraction and the trailing zeros of the significant digits.
  const e = exp - fraction + zerosRun;
  const adjusted = e + sig - zerosRun - 1;
  if (adjusted > MAX_E) throw invalid('exponent overflow:', s);
  if (adjusted < -MAX_E) { parsedC = 0; parsedE = 0; return; }

  if (sig <= 15) {
    let c = acc;
    if (zerosRun > 0) c /= POW10[zerosRun]; // exact: c is a multiple of 10^zerosRun
    parsedC = negative ? -c : c;
    parsedE = e;
    return;
  }
  let text = s.slice(mantissaStart, mantissaEnd);
  if (seenPoint) text = text.replace('.', '');
  let start = 0;
  while (text.charCodeAt(start) === 48) start++;
  setFromDigits(negative, text.slice(start, text.length - zerosRun), e);
}

/**
 * Converts a finite double the way decimal.js does (through its shortest round-trip string), into
 * parsedC/parsedE. Fast path: the shortest string of a double has ≤ 15 significant digits exactly
 * when some integer n < 10^15 satisfies n / 10^k === v (decimals of ≤ 15 digits map to distinct
 * doubles, and n / 10^k is correctly rounded for k ≤ 22), and then n × 10^-k is that string.
 */
function parseNumber(v: number): void {
  if (Number.isSafeInteger(v)) {
    if (v === 0) { parsedC = 0; parsedE = 0; return; }
    let e = 0;
    while (isMultipleOf10(v)) { v /= 10; e++; }
    parsedC = v;
    parsedE = e;
    return;
  }
  if (v !== v || v === Infinity || v === -Infinity) throw invalid('not a finite number:', v);
  const a = v < 0 ? -v : v;
  for (let k = 1; k <= 22; k++) {
    const scaled = a * POW10[k];
    if (scaled >= 1e15) break;
    const n = Math.round(scaled);
    if (n / POW10[k] === a) {
      let c = n;
      let e = -k;
      // Minimal k already excludes trailing zeros; this only guards the n = 10^15 edge.
      while (isMultipleOf10(c)) { c /= 10; e++; }
      parsedC = v < 0 ? -c : c;
      parsedE = e;
      return;
    }
  }
  parseString(String(v));
}

/** Parses any accepted constructor argument into parsedC/parsedE. */
function parseValue(value: FastDecimalValue): void {
  if (typeof value === 'number') parseNumber(value);
  else if (typeof value === 'string') parseString(value);
  else if (value instanceof FastDecimal) {
    parsedC = value._c;
    parsedE = value._e;
  } else if (typeof value === 'bigint') parseString(value.toString());
  else throw invalid('not a decimal value:', value);
}

/**
 * An immutable exact decimal: a drop-in for the decimal.js clone in `decimal.ts` (precision 34,
 * ROUND_HALF_EVEN, plain notation for exponents within -40..40) over the API subset autotrader uses,
 * many times faster and allocating only the result on its fast path.
 */
export class FastDecimal {
  /** Rounds away from zero. */
  static readonly ROUND_UP = 0 as const;
  /** Rounds towards zero. */
  static readonly ROUND_DOWN = 1 as const;
  /** Rounds towards +Infinity. */
  static readonly ROUND_CEIL = 2 as const;
  /** Rounds towards -Infinity. */
  static readonly ROUND_FLOOR = 3 as const;
  /** Rounds to nearest, ties away from zero. */
  static readonly ROUND_HALF_UP = 4 as const;
  /** Rounds to nearest, ties towards zero. */
  static readonly ROUND_HALF_DOWN = 5 as const;
  /** Rounds to nearest, ties to even (banker's rounding): the default for every operation. */
  static readonly ROUND_HALF_EVEN = 6 as const;
  /** Rounds to nearest, ties towards +Infinity. */
  static readonly ROUND_HALF_CEIL = 7 as const;
  /** Rounds to nearest, ties towards -Infinity. */
  static readonly ROUND_HALF_FLOOR = 8 as const;

  /** @internal Coefficient in its smallest tier (safe `number`, `Wide`, `bigint`); no trailing zeros. */
  declare readonly _c: Coefficient;
  /** @internal Base-10 exponent: value = _c × 10^_e; 0 when the value is 0. */
  declare readonly _e: number;

  /**
   * Makes a decimal from another one, a number (via its shortest round-trip string, so `0.1` is
   * exactly 0.1), a bigint, or a string in decimal notation (`-1.5`, `.5`, `1e-7`, `1.5E+3`). The
   * value is kept exactly, not rounded to 34 digits (as decimal.js does). Throws on NaN, Infinity,
   * and any other text.
   */
  constructor(value: FastDecimalValue);
  constructor(value: FastDecimalValue | Wide, exponent?: number) {
    // Kept tiny so V8 inlines it into every operation. Internal construction (see `make`) passes a
    // canonical coefficient and its exponent.
    if (exponent === undefined) {
      parseValue(value as FastDecimalValue);
      this._c = parsedC;
      this._e = parsedE;
    } else {
      this._c = value as Coefficient;
      this._e = exponent;
    }
  }

  /** True for FastDecimal instances. */
  static isDecimal(value: unknown): value is FastDecimal {
    return value instanceof FastDecimal;
  }

  /** The largest of the arguments (the first of equal ones), like decimal.js `Decimal.max`. */
  static max(...values: FastDecimalValue[]): FastDecimal {
    if (values.length === 0) throw invalid('max of nothing:', '[]');
    let best = toFast(values[0]);
    for (let i = 1; i < values.length; i++) {
      const v = toFast(values[i]);
      if (compare(best, v) < 0) best = v;
    }
    return best;
  }

  /** The smallest of the arguments (the first of equal ones), like decimal.js `Decimal.min`. */
  static min(...values: FastDecimalValue[]): FastDecimal {
    if (values.length === 0) throw invalid('min of nothing:', '[]');
    let best = toFast(values[0]);
    for (let i = 1; i < values.length; i++) {
      const v = toFast(values[i]);
      if (compare(best, v) > 0) best = v;
    }
    return best;
  }

  /** this + y, rounded to 34 significant digits (half-even). */
  plus(y: FastDecimalValue): FastDecimal {
    return add(this, toFast(y), false);
  }

  /** Alias of {@link FastDecimal.plus}. */
  add(y: FastDecimalValue): FastDecimal {
    return add(this, toFast(y), false);
  }

  /** this - y, rounded to 34 significant digits (half-even). */
  minus(y: FastDecimalValue): FastDecimal {
    return add(this, toFast(y), true);
  }

  /** Alias of {@link FastDecimal.minus}. */
  sub(y: FastDecimalValue): FastDecimal {
    return add(this, toFast(y), true);
  }

  /** this × y, rounded to 34 significant digits (half-even). */
  times(y: FastDecimalValue): FastDecimal {
    return multiply(this, toFast(y));
  }

  /** Alias of {@link FastDecimal.times}. */
  mul(y: FastDecimalValue): FastDecimal {
    return multiply(this, toFast(y));
  }

  /** this ÷ y, rounded to 34 significant digits (half-even). Throws when y is zero. */
  div(y: FastDecimalValue): FastDecimal {
    return divide(this, toFast(y));
  }

  /** Alias of {@link FastDecimal.div}. */
  dividedBy(y: FastDecimalValue): FastDecimal {
    return divide(this, toFast(y));
  }

  /**
   * this modulo y with decimal.js's default mode (truncated quotient: the result has the sign of
   * this), rounded to 34 significant digits. Throws when y is zero.
   */
  mod(y: FastDecimalValue): FastDecimal {
    return modulo(this, toFast(y));
  }

  /** -this (not rounded). */
  neg(): FastDecimal {
    return this._c === 0 ? this : make(negate(this._c), this._e);
  }

  /** Alias of {@link FastDecimal.neg}. */
  negated(): FastDecimal {
    return this.neg();
  }

  /** |this| (not rounded). */
  abs(): FastDecimal {
    return isNegative(this._c) ? make(negate(this._c), this._e) : this;
  }

  /** Alias of {@link FastDecimal.abs}. */
  absoluteValue(): FastDecimal {
    return this.abs();
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than y. */
  cmp(y: FastDecimalValue): number {
    return compare(this, toFast(y));
  }

  /** Alias of {@link FastDecimal.cmp}. */
  comparedTo(y: FastDecimalValue): number {
    return compare(this, toFast(y));
  }

  /** this == y (by value). */
  eq(y: FastDecimalValue): boolean {
    const o = toFast(y);
    // Canonical form: equal values have equal exponents and coefficients of the same tier.
    if (this._e !== o._e) return false;
    const a = this._c;
    const b = o._c;
    if (a === b) return true;
    return typeof a === 'object' && typeof b === 'object' && a.neg === b.neg && a.w0 === b.w0 && a.w1 === b.w1 && a.w2 === b.w2 && a.w3 === b.w3 && a.w4 === b.w4;
  }

  /** Alias of {@link FastDecimal.eq}. */
  equals(y: FastDecimalValue): boolean {
    return this.eq(y);
  }

  /** this < y. */
  lt(y: FastDecimalValue): boolean {
    return compare(this, toFast(y)) < 0;
  }

  /** this <= y. */
  lte(y: FastDecimalValue): boolean {
    return compare(this, toFast(y)) <= 0;
  }

  /** this > y. */
  gt(y: FastDecimalValue): boolean {
    return compare(this, toFast(y)) > 0;
  }

  /** this >= y. */
  gte(y: FastDecimalValue): boolean {
    return compare(this, toFast(y)) >= 0;
  }

  /** True when the value is 0. */
  isZero(): boolean {
    return this._c === 0;
  }

  /** True when the value is >= 0 (decimal.js counts zero as positive). */
  isPositive(): boolean {
    return !isNegative(this._c);
  }

  /** Alias of {@link FastDecimal.isPositive}. */
  isPos(): boolean {
    return !isNegative(this._c);
  }

  /** True when the value is < 0 (there is no negative zero). */
  isNegative(): boolean {
    return isNegative(this._c);
  }

  /** Alias of {@link FastDecimal.isNegative}. */
  isNeg(): boolean {
    return isNegative(this._c);
  }

  /** Always true: a FastDecimal is never NaN or infinite. Kept for decimal.js call sites. */
  isFinite(): boolean {
    return true;
  }

  /** True when the value is a whole number. */
  isInteger(): boolean {
    return this._e >= 0 || lastDigitExponent(this) >= 0;
  }

  /** Alias of {@link FastDecimal.isInteger}. */
  isInt(): boolean {
    return this.isInteger();
  }

  /** Number of decimal places (digits after the point, trailing zeros not counted). */
  decimalPlaces(): number {
    const e = lastDigitExponent(this);
    return e < 0 ? -e : 0;
  }

  /** Alias of {@link FastDecimal.decimalPlaces}. */
  dp(): number {
    return this.decimalPlaces();
  }

  /**
   * The value rounded to `dp` decimal places with `rm` (default half-even), not to 34 digits;
   * unchanged when `dp` is omitted or the value has no more places. Throws on a bad dp or rm.
   */
  toDecimalPlaces(dp?: number, rm?: FastRounding): FastDecimal {
    if (dp === undefined) return this;
    checkInt(dp, 0, MAX_DIGITS, 'decimal places');
    if (rm === undefined) rm = ROUND_HALF_EVEN;
    else checkInt(rm, 0, 8, 'rounding mode');
    return roundToPlaces(this, dp, rm);
  }

  /** Alias of {@link FastDecimal.toDecimalPlaces}. */
  toDP(dp?: number, rm?: FastRounding): FastDecimal {
    return this.toDecimalPlaces(dp, rm);
  }

  /** The nearest double (what `Number(this.toString())` gives). */
  toNumber(): number {
    const c = this._c;
    const e = this._e;
    if (typeof c === 'number') {
      // Both operands exact, so IEEE division/multiplication is the correctly rounded result.
      if (e === 0) return c;
      if (e < 0 && e >= -22) return c / POW10[-e];
      if (e > 0 && e <= 22) return c * POW10[e];
    }
    return Number(this.toString());
  }

  /** Plain notation, or exponential (`1.5e+45`, `1e-41`) when the exponent is <= -40 or >= 40. */
  toString(): string {
    const c = this._c;
    const e = this._e;
    if (typeof c === 'number') {
      if (e === 0) return String(c);
      if (e < 0 && e >= -22) {
        const a = c < 0 ? -c : c;
        // ≤ 15 digits and ≥ 1e-6: the double's shortest string is exactly this decimal, in plain form.
        if (a < 1e15 && digitsNum(a) + e > -6) return String(c / POW10[-e]);
      }
    }
    const digits = digitsText(this);
    const sciExp = textE + digits.length - 1;
    const body = sciExp <= -40 || sciExp >= 40 ? exponential(digits, sciExp) : plain(digits, textE);
    return isNegative(c) ? '-' + body : body;
  }

  /**
   * Fixed-point text with exactly `dp` decimals, rounded with `rm` (default half-even); plain notation
   * of the exact value when `dp` is omitted. Like decimal.js, a negative value that rounds to zero
   * keeps its minus sign (`-0.001` → `'-0.00'`).
   */
  toFixed(dp?: number, rm?: FastRounding): string {
    let body: string;
    if (dp === undefined) {
      const digits = digitsText(this);
      body = plain(digits, textE);
    } else {
      checkInt(dp, 0, MAX_DIGITS, 'decimal places');
      if (rm === undefined) rm = ROUND_HALF_EVEN;
      else checkInt(rm, 0, 8, 'rounding mode');
      const digits = digitsText(roundToPlaces(this, dp, rm));
      body = fixed(digits, textE, dp);
    }
    return isNegative(this._c) ? '-' + body : body;
  }

  /** Same as {@link FastDecimal.toString} (decimal.js returns a string too). */
  toJSON(): string {
    return this.toString();
  }

  /** Same as {@link FastDecimal.toString}, so `+d` and `Number(d)` work as with decimal.js. */
  valueOf(): string {
    return this.toString();
  }

  /** Shows the value in `console.log` and the Node REPL. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `FastDecimal(${this.toString()})`;
  }
}

/** Makes an instance from a canonical coefficient and exponent without parsing. */
const Raw = FastDecimal as unknown as new (c: Coefficient, e: number) => FastDecimal;
const make = (c: Coefficient, e: number): FastDecimal => new Raw(c, e);
const ZERO = make(0, 0);

/** `v` as a FastDecimal; zero, the usual literal operand (`x.gt(0)`), is the shared instance, not a new one. */
const toFast = (v: FastDecimalValue): FastDecimal => (v instanceof FastDecimal ? v : v === 0 ? ZERO : new FastDecimal(v));

/** Canonical instance from a safe-integer coefficient. */
function fromNum(c: number, e: number): FastDecimal {
  if (c === 0) return ZERO;
  if (isMultipleOf10(c)) {
    do { c /= 10; e++; } while (isMultipleOf10(c));
  }
  return new Raw(c, e);
}

/** floor(e / 7) × 7: the limb-aligned exponent at or below e. */
function alignDown(e: number): number {
  // floor(e / 7) by a reciprocal multiply and a one-step fix: cheaper than a dependent division.
  let q = Math.floor(e * INV_LOG_BASE);
  const r = e - q * LOG_BASE;
  if (r < 0) q--; else if (r >= LOG_BASE) q++;
  return q * LOG_BASE;
}

// ---------------------------------------------------------------------------------------------
// Limb arithmetic on magnitudes (number and Wide tiers). All values stay integers below 2^53.
// ---------------------------------------------------------------------------------------------

/** Writes |c| into L as limbs; returns the limb count (0 for zero). */
function load(c: Limbable, L: Float64Array): number {
  if (typeof c === 'number') {
    const a = c < 0 ? -c : c;
    if (a < BASE) {
      L[0] = a;
      return a === 0 ? 0 : 1;
    }
    let q1 = Math.floor(a * INV_BASE);
    let r = a - q1 * BASE;
    if (r < 0) { q1--; r += BASE; } else if (r >= BASE) { q1++; r -= BASE; }
    L[0] = r;
    if (q1 < BASE) {
      L[1] = q1;
      return 2;
    }
    let q2 = Math.floor(q1 * INV_BASE);
    r = q1 - q2 * BASE;
    if (r < 0) { q2--; r += BASE; } else if (r >= BASE) { q2++; r -= BASE; }
    L[1] = r;
    L[2] = q2;
    return 3;
  }
  L[0] = c.w0;
  L[1] = c.w1;
  L[2] = c.w2;
  L[3] = c.w3;
  L[4] = c.w4;
  L[5] = c.w5;
  return wideLimbs(c);
}

const limbDigits = (L: Float64Array, n: number): number => (n - 1) * LOG_BASE + digitsNum(L[n - 1]);

/**
 * L × 10^k in place; returns the new limb count. Each limb splits into the digits that move up a
 * limb and those that stay, independently of its neighbours, so there is no carry chain.
 */
function shiftUp(L: Float64Array, n: number, k: number): number {
  if (n === 0) return 0;
  const limbs = k < 128 ? DIV7[k] : Math.floor(k / LOG_BASE);
  const d = k - limbs * LOG_BASE;
  if (d === 0) {
    if (limbs > 0) {
      for (let i = n - 1; i >= 0; i--) L[i + limbs] = L[i];
      for (let i = 0; i < limbs; i++) L[i] = 0;
    }
    return n + limbs;
  }
  const p = POW10[LOG_BASE - d]; // limb = up × p + stay
  const inv = INV_POW10[LOG_BASE - d];
  const m = POW10[d];
  let x = L[n - 1];
  let up = Math.floor(x * inv);
  let stay = x - up * p;
  if (stay < 0) { up--; stay += p; } else if (stay >= p) { up++; stay -= p; }
  const top = up;
  for (let i = n - 1; i >= 0; i--) {
    let upBelow = 0;
    let stayBelow = 0;
    if (i > 0) {
      x = L[i - 1];
      upBelow = Math.floor(x * inv);
      stayBelow = x - upBelow * p;
      if (stayBelow < 0) { upBelow--; stayBelow += p; } else if (stayBelow >= p) { upBelow++; stayBelow -= p; }
    }
    L[i + limbs] = stay * m + upBelow;
    stay = stayBelow;
  }
  for (let i = 0; i < limbs; i++) L[i] = 0;
  n += limbs;
  if (top > 0) L[n++] = top;
  return n;
}

/** |c| × 10^(e - at) into L (at <= e); returns the limb count. */
function loadAt(c: Limbable, e: number, at: number, L: Float64Array): number {
  const n = load(c, L);
  return e === at ? n : shiftUp(L, n, e - at);
}

function trim(L: Float64Array, n: number): number {
  while (n > 0 && L[n - 1] === 0) n--;
  return n;
}

function addMag(A: Float64Array, na: number, B: Float64Array, nb: number, R: Float64Array): number {
  const n = na > nb ? na : nb;
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const t = (i < na ? A[i] : 0) + (i < nb ? B[i] : 0) + carry;
    if (t >= BASE) { R[i] = t - BASE; carry = 1; } else { R[i] = t; carry = 0; }
  }
  if (carry === 0) return n;
  R[n] = 1;
  return n + 1;
}

/** R = A - B for A >= B. */
function subMag(A: Float64Array, na: number, B: Float64Array, nb: number, R: Float64Array): number {
  let borrow = 0;
  for (let i = 0; i < na; i++) {
    let t = A[i] - (i < nb ? B[i] : 0) - borrow;
    if (t < 0) { t += BASE; borrow = 1; } else borrow = 0;
    R[i] = t;
  }
  return trim(R, na);
}

function cmpMag(A: Float64Array, na: number, B: Float64Array, nb: number): number {
  if (na !== nb) return na > nb ? 1 : -1;
  for (let i = na - 1; i >= 0; i--) if (A[i] !== B[i]) return A[i] > B[i] ? 1 : -1;
  return 0;
}

function mulMag(A: Float64Array, na: number, B: Float64Array, nb: number, R: Float64Array): number {
  // Per column: the sum of limb products (< 6 × 10^14) plus the carry, split by BASE.
  const n = na + nb;
  let carry = 0;
  for (let k = 0; k < n - 1; k++) {
    let t = carry;
    const lo = k < nb ? 0 : k - nb + 1;
    const hi = k < na ? k : na - 1;
    for (let i = lo; i <= hi; i++) t += A[i] * B[k - i];
    carry = Math.floor(t * INV_BASE);
    let r = t - carry * BASE;
    if (r < 0) { carry--; r += BASE; } else if (r >= BASE) { carry++; r -= BASE; }
    R[k] = r;
  }
  R[n - 1] = carry;
  return trim(R, n);
}

/** Q = floor(A × BASE^k / y) for 0 < y <= SMALL_DIVISOR; sets divSticky. */
function divSmall(A: Float64Array, na: number, k: number, y: number, Q: Float64Array): number {
  const n = na + k;
  const inv = 1 / y;
  const scaled = BASE * inv;
  let r = 0;
  for (let i = n - 1; i >= 0; i--) {
    const limb = i >= k ? A[i - k] : 0;
    const cur = r * BASE + limb; // < y × BASE <= 9e15
    // r × (BASE / y) + limb / y: the limb's share is off the remainder's dependency chain.
    let q = Math.floor(r * scaled + limb * inv);
    r = cur - q * y;
    // The estimate can be one off next to an integer; the exact remainder settles it.
    if (r < 0) { q--; r += y; } else if (r >= y) { q++; r -= y; }
    Q[i] = q;
  }
  divSticky = r !== 0;
  return trim(Q, n);
}

/**
 * Q = floor(A × BASE^k / B) for a divisor of nb >= 2 limbs (Knuth's algorithm D in base 10^7, where
 * every partial product fits a double exactly); sets divSticky.
 */
function divLong(A: Float64Array, na: number, k: number, B: Float64Array, nb: number, Q: Float64Array): number {
  const U = SU;
  const V = SV;
  const nu = na + k;
  for (let i = 0; i < k; i++) U[i] = 0;
  for (let i = 0; i < na; i++) U[k + i] = A[i];
  U[nu] = 0;
  // Normalise so the divisor's top limb is >= BASE / 2, which bounds the trial quotient's error.
  const d = Math.floor(BASE / (B[nb - 1] + 1));
  if (d > 1) {
    let carry = 0;
    for (let i = 0; i < nb; i++) {
      const t = B[i] * d + carry;
      carry = Math.floor(t * INV_BASE);
      let r = t - carry * BASE;
      if (r < 0) { carry--; r += BASE; } else if (r >= BASE) { carry++; r -= BASE; }
      V[i] = r;
    }
    carry = 0;
    for (let i = 0; i < nu; i++) {
      const t = U[i] * d + carry;
      carry = Math.floor(t * INV_BASE);
      let r = t - carry * BASE;
      if (r < 0) { carry--; r += BASE; } else if (r >= BASE) { carry++; r -= BASE; }
      U[i] = r;
    }
    U[nu] = carry;
  } else {
    for (let i = 0; i < nb; i++) V[i] = B[i];
  }
  const vTop = V[nb - 1];
  const vNext = V[nb - 2];
  const m = nu - nb;
  for (let j = m; j >= 0; j--) {
    const num = U[j + nb] * BASE + U[j + nb - 1];
    let qhat = Math.floor(num / vTop);
    let rhat = num - qhat * vTop;
    while (qhat >= BASE || qhat * vNext > rhat * BASE + U[j + nb - 2]) {
      qhat--;
      rhat += vTop;
      if (rhat >= BASE) break;
    }
    // U[j .. j+nb] -= qhat × V
    let carry = 0;
    let borrow = 0;
    for (let i = 0; i < nb; i++) {
      const p = qhat * V[i] + carry;
      carry = Math.floor(p * INV_BASE);
      let lo = p - carry * BASE;
      if (lo < 0) { carry--; lo += BASE; } else if (lo >= BASE) { carry++; lo -= BASE; }
      let t = U[i + j] - lo - borrow;
      if (t < 0) { t += BASE; borrow = 1; } else borrow = 0;
      U[i + j] = t;
    }
    let top = U[j + nb] - carry - borrow;
    if (top < 0) {
      // qhat was one too large (rare): add the divisor back.
      qhat--;
      let c = 0;
      for (let i = 0; i < nb; i++) {
        const t = U[i + j] + V[i] + c;
        if (t >= BASE) { U[i + j] = t - BASE; c = 1; } else { U[i + j] = t; c = 0; }
      }
      top += c;
    }
    U[j + nb] = top;
    Q[j] = qhat;
  }
  let sticky = false;
  for (let i = 0; i < nb; i++) if (U[i] !== 0) { sticky = true; break; }
  divSticky = sticky;
  return trim(Q, m + 1);
}

/**
 * Canonical instance of the exact magnitude in R[lo..n) × 10^(e + 7·lo), e a multiple of 7, the
 * magnitude non-zero: a number when its significant digits form a safe integer, else a Wide.
 */
function canonical(neg: boolean, R: Float64Array, lo: number, n: number, e: number): FastDecimal {
  while (R[lo] === 0) lo++;
  while (R[n - 1] === 0) n--;
  e += lo * LOG_BASE;
  const count = n - lo;
  // At most 6 trailing zeros hide in R[lo]: only a value of ≤ 22 positions can fit a safe integer.
  if (count <= 4 && limbDigits(R, n) - lo * LOG_BASE <= 22) {
    const z = limbZeros(R[lo]);
    if (limbDigits(R, n) - lo * LOG_BASE - z <= 16) {
      // Each term is exact when the sum is safe; monotone rounding puts unsafe sums above MAX_SAFE.
      let v = R[lo] / POW10[z];
      if (count > 1) v += R[lo + 1] * POW10[LOG_BASE - z];
      if (count > 2) v += R[lo + 2] * POW10[2 * LOG_BASE - z];
      if (count > 3) v += R[lo + 3] * POW10[3 * LOG_BASE - z];
      if (v <= MAX_SAFE) return new Raw(neg ? -v : v, e + z);
    }
  }
  if (count <= WIDE_LIMBS) {
    return new Raw(
      new Wide(neg, R[lo], count > 1 ? R[lo + 1] : 0, count > 2 ? R[lo + 2] : 0, count > 3 ? R[lo + 3] : 0, count > 4 ? R[lo + 4] : 0, count > 5 ? R[lo + 5] : 0),
      e,
    );
  }
  // Longer than a Wide: arithmetic never gets here (its results have at most 34 digits), but the
  // function stays total.
  let t = String(R[n - 1]);
  for (let i = n - 2; i >= lo; i--) {
    const part = String(R[i]);
    t += '0000000'.slice(part.length) + part;
  }
  let end = t.length;
  while (t.charCodeAt(end - 1) === 48) end--;
  const m = BigInt(t.slice(0, end));
  return new Raw(neg ? -m : m, e + t.length - end);
}

/**
 * Rounds the magnitude in R[0..n) × 10^e (e a multiple of 7) to a multiple of 10^(e+d) with mode rm
 * (sticky: non-zero digits lie below R) and returns the canonical instance. No digit shifting: the
 * dropped digits are cleared in place and a carry may ripple up.
 */
function roundAt(neg: boolean, R: Float64Array, n: number, e: number, d: number, rm: number, sticky: boolean): FastDecimal {
  const digits = limbDigits(R, n);
  if (d >= digits) {
    // Nothing is kept: the result is 0 or one unit of 10^(e+d).
    let half = -1;
    if (d === digits) {
      const top = R[n - 1];
      const p = POW10[digitsNum(top) - 1];
      const lead = Math.floor(top / p);
      let rest = sticky || top !== lead * p;
      for (let i = 0; !rest && i < n - 1; i++) rest = R[i] !== 0;
      half = lead > 5 ? 1 : lead < 5 ? -1 : rest ? 1 : 0;
    }
    return roundsAway(rm, neg, false, half) ? new Raw(neg ? -1 : 1, e + d) : ZERO;
  }
  const ld = d < 128 ? DIV7[d] : Math.floor(d / LOG_BASE);
  const dd = d - ld * LOG_BASE;
  let below = sticky;
  let dropped: number; // the dropped digits that share the limb with the last kept digit, or the limb below
  let halfUnit: number;
  let unit: number; // one unit of the last kept digit, within limb `keep`
  let keep: number; // lowest limb with a kept digit
  let odd: boolean;
  if (dd === 0) {
    for (let i = 0; !below && i < ld - 1; i++) below = R[i] !== 0;
    dropped = R[ld - 1];
    halfUnit = BASE / 2;
    unit = 1;
    keep = ld;
    odd = isOdd(R[ld]);
  } else {
    for (let i = 0; !below && i < ld; i++) below = R[i] !== 0;
    unit = POW10[dd];
    let q = Math.floor(R[ld] * INV_POW10[dd]);
    dropped = R[ld] - q * unit;
    if (dropped < 0) { q--; dropped += unit; } else if (dropped >= unit) { q++; dropped -= unit; }
    R[ld] -= dropped;
    halfUnit = unit / 2;
    keep = ld;
    odd = isOdd(q);
  }
  const half = dropped > halfUnit ? 1 : dropped < halfUnit ? -1 : below ? 1 : 0;
  if ((dropped !== 0 || below) && roundsAway(rm, neg, odd, half)) {
    let i = keep;
    R[i] += unit;
    while (R[i] >= BASE) {
      R[i] -= BASE;
      i++;
      if (i === n) { R[n++] = 1; break; }
      R[i] += 1;
    }
  }
  // The kept part can be 0 only if nothing was kept, handled above.
  return canonical(neg, R, keep, n, e);
}

/** Rounds the magnitude in R × 10^e (e a multiple of 7) to 34 significant digits and returns it canonical. */
function finish(neg: boolean, R: Float64Array, n: number, e: number, sticky: boolean): FastDecimal {
  n = trim(R, n);
  if (n === 0) return ZERO;
  const digits = limbDigits(R, n);
  if (digits > PRECISION) return roundAt(neg, R, n, e, digits - PRECISION, ROUND_HALF_EVEN, sticky);
  return canonical(neg, R, 0, n, e);
}

// ---------------------------------------------------------------------------------------------
// bigint tier: coefficients too long for a Wide, which only the constructor makes.
// ---------------------------------------------------------------------------------------------

/** Canonical instance from a magnitude and sign (any length). */
function fromMagnitude(negative: boolean, m: bigint, e: number): FastDecimal {
  if (m <= MAX_SAFE_N) {
    const n = Number(m);
    return fromNum(negative ? -n : n, e);
  }
  if (m % 10n === 0n) {
    do { m /= 10n; e++; } while (m % 10n === 0n);
  }
  setFromDigits(negative, m.toString(), e);
  return new Raw(parsedC, parsedE);
}

/** Canonical instance of c × 10^e rounded to 34 significant digits, half-even. */
function fromBig(c: bigint, e: number): FastDecimal {
  const negative = c < 0n;
  let m = negative ? -c : c;
  if (m === 0n) return ZERO;
  if (m >= TEN_PRECISION_N) {
    const k = digitsBig(m) - PRECISION;
    const p = pow10n(k);
    let q = m / p;
    const r = m - q * p;
    if (r !== 0n) {
      const twice = r << 1n;
      if (twice > p || (twice === p && (q & 1n) === 1n)) q += 1n;
    }
    m = q;
    e += k;
  }
  return fromMagnitude(negative, m, e);
}

/** x rounded to 34 significant digits (only constructor-made values can have more). */
function roundToPrecision(x: FastDecimal): FastDecimal {
  const c = x._c;
  if (typeof c === 'number') return x;
  if (typeof c === 'bigint') return (c < 0n ? -c : c) < TEN_PRECISION_N ? x : fromBig(c, x._e);
  const n = load(c, SR);
  const digits = limbDigits(SR, n);
  if (digits - limbZeros(c.w0) <= PRECISION) return x;
  return roundAt(c.neg, SR, n, x._e, digits - PRECISION, ROUND_HALF_EVEN, false);
}

// ---------------------------------------------------------------------------------------------
// Operations.
// ---------------------------------------------------------------------------------------------

/** x ± y, rounded to 34 significant digits. */
function add(x: FastDecimal, y: FastDecimal, subtract: boolean): FastDecimal {
  const xc = x._c;
  let yc = y._c;
  const xe = x._e;
  const ye = y._e;
  if (typeof xc === 'number' && typeof yc === 'number') {
    // Adding zero to a number-tier value is exact and changes nothing: share the instance (they are
    // immutable) instead of allocating an equal one. Fills onto fresh orders and flat positions hit this.
    if (yc === 0) return x;
    if (xc === 0 && !subtract) return y;
    if (subtract) yc = -yc;
    // Fast path: align the exponents by scaling one coefficient, all within safe integers (exact).
    if (xe === ye) {
      const s = xc + yc;
      if (s <= MAX_SAFE && s >= -MAX_SAFE) return fromNum(s, xe);
    } else if (xe > ye) {
      const k = xe - ye;
      if (k <= 15 && xc <= SAFE_SCALE_LIMIT[k] && xc >= -SAFE_SCALE_LIMIT[k]) {
        const s = xc * POW10[k] + yc;
        if (s <= MAX_SAFE && s >= -MAX_SAFE) return fromNum(s, ye);
      }
    } else {
      const k = ye - xe;
      if (k <= 15 && yc <= SAFE_SCALE_LIMIT[k] && yc >= -SAFE_SCALE_LIMIT[k]) {
        const s = xc + yc * POW10[k];
        if (s <= MAX_SAFE && s >= -MAX_SAFE) return fromNum(s, xe);
      }
    }
    return addLimbs(xc, xe, xc < 0, yc, ye, yc < 0);
  }
  if (typeof xc === 'bigint' || typeof yc === 'bigint') {
    const Y = toBig(yc);
    return addBig(toBig(xc), xe, subtract ? -Y : Y, ye);
  }
  if (typeof yc === 'number') {
    const r = addWideNumber(xc as Wide, xe, (xc as Wide).neg, subtract ? -yc : yc, ye);
    if (r !== null) return r;
  } else if (typeof xc === 'number') {
    const r = addWideNumber(yc, ye, yc.neg !== subtract, xc, xe);
    if (r !== null) return r;
  }
  return addLimbs(xc, xe, isNegative(xc), yc, ye, isNegative(yc) !== subtract);
}

/**
 * ±|w|×10^E + c×10^e for the common shape (cash ± a fill amount, a sum of products): the number's
 * digits land inside the Wide's six limbs. Returns null for any other shape (the caller falls back
 * to the general path), including a subtraction that changes the sign.
 */
function addWideNumber(w: Wide, E: number, wneg: boolean, c: number, e: number): FastDecimal | null {
  const s = e - E;
  if (s < 0 || s >= 36 || c === 0) return null;
  const cneg = c < 0;
  const a = cneg ? -c : c;
  const L = DIV7[s];
  const d = s - L * LOG_BASE;
  // a × 10^d as limbs: its low 7 - d digits shift into limb 0, the rest split by BASE.
  const p = POW10[LOG_BASE - d];
  const hi = Math.floor(a / p); // exact: a / p stays over 1/p from the next integer
  const N = SB;
  N[0] = (a - hi * p) * POW10[d];
  let nl = 1;
  if (hi > 0) {
    let q = Math.floor(hi * INV_BASE);
    let r = hi - q * BASE;
    if (r < 0) { q--; r += BASE; } else if (r >= BASE) { q++; r -= BASE; }
    N[1] = r;
    nl = 2;
    if (q > 0) {
      let q2 = Math.floor(q * INV_BASE);
      r = q - q2 * BASE;
      if (r < 0) { q2--; r += BASE; } else if (r >= BASE) { q2++; r -= BASE; }
      N[2] = r;
      nl = 3;
      if (q2 > 0) { N[3] = q2; nl = 4; }
    }
  }
  if (L + nl > WIDE_LIMBS) return null;
  const R = SR;
  R[0] = w.w0;
  R[1] = w.w1;
  R[2] = w.w2;
  R[3] = w.w3;
  R[4] = w.w4;
  R[5] = w.w5;
  if (wneg === cneg) {
    let carry = 0;
    for (let i = L; i < WIDE_LIMBS; i++) {
      const t = R[i] + (i - L < nl ? N[i - L] : 0) + carry;
      if (t >= BASE) { R[i] = t - BASE; carry = 1; } else { R[i] = t; carry = 0; if (i - L >= nl) break; }
    }
    R[WIDE_LIMBS] = carry;
    return finish(wneg, R, WIDE_LIMBS + 1, E, false);
  }
  let borrow = 0;
  for (let i = L; i < WIDE_LIMBS; i++) {
    let t = R[i] - (i - L < nl ? N[i - L] : 0) - borrow;
    if (t < 0) { t += BASE; borrow = 1; } else { borrow = 0; if (i - L >= nl) { R[i] = t; break; } }
    R[i] = t;
  }
  if (borrow !== 0) return null; // |c| > |w|: the general path handles the sign change
  return finish(wneg, R, WIDE_LIMBS, E, false);
}

/**
 * When one operand lies wholly below both the other's last digit and the 34-digit rounding point,
 * only its sign matters for rounding: it is replaced by ±1 one place lower (the returned exponent),
 * so that 1e30 + 1e-30 never builds a 61-digit integer. Returns NaN when no replacement applies.
 * decimal.js truncates such an operand for the same reason.
 */
function stickyExponent(bigE: number, bigTop: number, smallTop: number): number {
  const p = Math.min(bigE, bigTop - PRECISION - 1) - 1;
  return smallTop <= p ? p : NaN;
}

function addLimbs(xc: Limbable, xe: number, xneg: boolean, yc: Limbable, ye: number, yneg: boolean): FastDecimal {
  if (yc === 0) return roundToPrecision(make(xc, xe));
  if (xc === 0) return roundToPrecision(make(yneg === isNegative(yc) ? yc : negate(yc), ye));
  const ax = xe + digitsOf(xc) - 1;
  const ay = ye + digitsOf(yc) - 1;
  if (ax > ay) {
    const p = stickyExponent(xe, ax, ay);
    if (p === p) { yc = 1; ye = p; }
  } else if (ay > ax) {
    const p = stickyExponent(ye, ay, ax);
    if (p === p) { xc = 1; xe = p; }
  }
  // Work at a limb-aligned exponent, so the result needs no digit shifting to become canonical.
  const e = alignDown(xe < ye ? xe : ye);
  const na = loadAt(xc, xe, e, SA);
  const nb = loadAt(yc, ye, e, SB);
  if (xneg === yneg) return finish(xneg, SR, addMag(SA, na, SB, nb, SR), e, false);
  const c = cmpMag(SA, na, SB, nb);
  if (c === 0) return ZERO;
  return c > 0 ? finish(xneg, SR, subMag(SA, na, SB, nb, SR), e, false) : finish(yneg, SR, subMag(SB, nb, SA, na, SR), e, false);
}

function addBig(X: bigint, xe: number, Y: bigint, ye: number): FastDecimal {
  if (Y === 0n) return fromBig(X, xe);
  if (X === 0n) return fromBig(Y, ye);
  const ax = xe + digitsBig(X < 0n ? -X : X) - 1;
  const ay = ye + digitsBig(Y < 0n ? -Y : Y) - 1;
  if (ax > ay) {
    const p = stickyExponent(xe, ax, ay);
    if (p === p) { Y = Y < 0n ? -1n : 1n; ye = p; }
  } else if (ay > ax) {
    const p = stickyExponent(ye, ay, ax);
    if (p === p) { X = X < 0n ? -1n : 1n; xe = p; }
  }
  if (xe > ye) return fromBig(X * pow10n(xe - ye) + Y, ye);
  if (ye > xe) return fromBig(X + Y * pow10n(ye - xe), xe);
  return fromBig(X + Y, xe);
}

function multiply(x: FastDecimal, y: FastDecimal): FastDecimal {
  const xc = x._c;
  const yc = y._c;
  if (typeof xc === 'number' && typeof yc === 'number') {
    // One times a number-tier value is that value, exactly: share it (multipliers and sizes are often 1).
    if (yc === 1 && y._e === 0) return x;
    if (xc === 1 && x._e === 0) return y;
    // A product of safe integers is exact whenever it is itself safe (rounding is monotone).
    const p = xc * yc;
    if (p <= MAX_SAFE && p >= -MAX_SAFE) return fromNum(p, x._e + y._e);
  }
  if (typeof xc === 'bigint' || typeof yc === 'bigint') return fromBig(toBig(xc) * toBig(yc), x._e + y._e);
  if (typeof yc === 'number') {
    if (typeof xc === 'object') {
      const r = mulWideNumber(xc, x._e, yc, y._e);
      if (r !== null) return r;
    }
  } else if (typeof xc === 'number') {
    const r = mulWideNumber(yc, y._e, xc, x._e);
    if (r !== null) return r;
  }
  // Scale one factor (a number one if there is one: fewer limbs) so the product's exponent is aligned.
  const e = x._e + y._e;
  const at = alignDown(e);
  let na: number;
  let nb: number;
  if (typeof xc === 'number') {
    na = loadAt(xc, e, at, SA);
    nb = load(yc, SB);
  } else {
    na = load(xc, SA);
    nb = loadAt(yc, e, at, SB);
  }
  return finish(isNegative(xc) !== isNegative(yc), SR, mulMag(SA, na, SB, nb, SR), at, false);
}

/**
 * w×10^E times c×10^e when c, scaled to align the product's exponent, fits two limbs (a price or a
 * quantity): the seven column sums are written out, then one carry pass. Null otherwise.
 */
function mulWideNumber(w: Wide, E: number, c: number, e: number): FastDecimal | null {
  const ea = alignDown(e);
  const a = (c < 0 ? -c : c) * POW10[e - ea];
  if (a >= 1e14) return null;
  let b1 = Math.floor(a * INV_BASE);
  let b0 = a - b1 * BASE;
  if (b0 < 0) { b1--; b0 += BASE; } else if (b0 >= BASE) { b1++; b0 -= BASE; }
  const w0 = w.w0;
  const w1 = w.w1;
  const w2 = w.w2;
  const w3 = w.w3;
  const w4 = w.w4;
  const w5 = w.w5;
  const R = SR;
  R[0] = w0 * b0;
  R[1] = w1 * b0 + w0 * b1;
  R[2] = w2 * b0 + w1 * b1;
  R[3] = w3 * b0 + w2 * b1;
  R[4] = w4 * b0 + w3 * b1;
  R[5] = w5 * b0 + w4 * b1;
  R[6] = w5 * b1;
  let carry = 0;
  for (let k = 0; k < 7; k++) {
    const t = R[k] + carry;
    carry = Math.floor(t * INV_BASE);
    let r = t - carry * BASE;
    if (r < 0) { carry--; r += BASE; } else if (r >= BASE) { carry++; r -= BASE; }
    R[k] = r;
  }
  R[7] = carry;
  return finish(w.neg !== c < 0, R, 8, E + ea, false);
}

function divide(x: FastDecimal, y: FastDecimal): FastDecimal {
  const xc = x._c;
  const yc = y._c;
  if (yc === 0) throw invalid('division by zero:', `${x.toString()} / 0`);
  if (xc === 0) return ZERO;
  if (typeof xc === 'number' && typeof yc === 'number') {
    // Exact integer quotient: the double division returns it exactly, and the product check rules
    // out a non-integer quotient that rounded to an integer.
    const q = xc / yc;
    if (Math.floor(q) === q && q * yc === xc) return fromNum(q, x._e - y._e);
  }
  if (typeof xc === 'bigint' || typeof yc === 'bigint') return divideBig(toBig(xc), x._e, toBig(yc), y._e);
  const negative = isNegative(xc) !== isNegative(yc);
  const xe = x._e;
  const ye = y._e;
  let na: number;
  let divisor = Infinity;
  let at: number;
  if (typeof yc === 'number') {
    // Align each operand's exponent on its own: free for a Wide dividend, and a number divisor
    // usually stays small enough for short division after scaling by at most 10^6.
    const ya = alignDown(ye);
    const scaled = (yc < 0 ? -yc : yc) * POW10[ye - ya];
    if (scaled <= SMALL_DIVISOR) {
      const xa = typeof xc === 'object' ? xe : alignDown(xe); // a Wide's exponent is aligned already
      na = loadAt(xc, xe, xa, SA);
      divisor = scaled;
      SB[0] = scaled; // for the digit count below
      at = xa - ya;
    }
  }
  let nb: number;
  if (divisor === Infinity) {
    // Scale the dividend so the quotient's exponent is limb-aligned.
    const e = xe - ye;
    at = alignDown(e);
    na = loadAt(xc, e, at, SA);
    nb = load(yc, SB);
  } else nb = 1;
  // Append k zero limbs to the dividend so the integer quotient has at least 35 digits (one more
  // than we keep); the remainder then only acts as a sticky bit for the rounding.
  const dy = divisor === Infinity ? limbDigits(SB, nb) : digitsNum(divisor);
  const missing = PRECISION + 1 - limbDigits(SA, na!) + dy;
  const k = missing <= 0 ? 0 : missing + 6 < 128 ? DIV7[missing + 6] : Math.ceil(missing / LOG_BASE);
  let n: number;
  if (divisor !== Infinity) n = divSmall(SA, na!, k, divisor, SR);
  else {
    const small = nb === 1 ? SB[0] : nb === 2 ? SB[1] * BASE + SB[0] : Infinity;
    n = small <= SMALL_DIVISOR ? divSmall(SA, na!, k, small, SR) : divLong(SA, na!, k, SB, nb, SR);
  }
  return finish(negative, SR, n, at! - k * LOG_BASE, divSticky);
}

function divideBig(X: bigint, xe: number, Y: bigint, ye: number): FastDecimal {
  const negative = (X < 0n) !== (Y < 0n);
  if (X < 0n) X = -X;
  if (Y < 0n) Y = -Y;
  // Scale so the integer quotient has at least 35 digits, then append a sticky digit for a non-zero
  // remainder: rounding the result then sees ties and exactness right.
  let s = PRECISION + 1 - digitsBig(X) + digitsBig(Y);
  if (s < 0) s = 0;
  const A = s === 0 ? X : X * pow10n(s);
  const q = A / Y;
  let m = q * 10n;
  if (A !== q * Y) m += 1n;
  return fromBig(negative ? -m : m, xe - ye - s - 1);
}

function modulo(x: FastDecimal, y: FastDecimal): FastDecimal {
  const xc = x._c;
  const yc = y._c;
  const xe = x._e;
  const ye = y._e;
  if (yc === 0) throw invalid('modulo by zero:', `${x.toString()} % 0`);
  if (xc === 0) return ZERO;
  if (typeof xc === 'number' && typeof yc === 'number') {
    // JS % on integers is exact and takes the dividend's sign, as decimal.js's default mode does.
    if (xe === ye) return fromNum(xc % yc, xe);
    if (xe > ye) {
      const k = xe - ye;
      if (k <= 15 && xc <= SAFE_SCALE_LIMIT[k] && xc >= -SAFE_SCALE_LIMIT[k]) return fromNum((xc * POW10[k]) % yc, ye);
    } else {
      const k = ye - xe;
      if (k <= 15 && yc <= SAFE_SCALE_LIMIT[k] && yc >= -SAFE_SCALE_LIMIT[k]) return fromNum(xc % (yc * POW10[k]), xe);
    }
  }
  // |x| < |y| is visible from the leading digit positions; the result is x itself.
  if (xe + digitsOf(xc) < ye + digitsOf(yc)) return roundToPrecision(x);
  const e = xe < ye ? xe : ye;
  const A = toBig(xc) * pow10n(xe - e);
  const B = toBig(yc) * pow10n(ye - e);
  return fromBig(A % B, e);
}

function compare(x: FastDecimal, y: FastDecimal): number {
  const xc = x._c;
  const yc = y._c;
  if (typeof xc === 'number' && typeof yc === 'number') {
    const xs = xc > 0 ? 1 : xc < 0 ? -1 : 0;
    const ys = yc > 0 ? 1 : yc < 0 ? -1 : 0;
    if (xs !== ys) return xs > ys ? 1 : -1;
    if (xs === 0) return 0;
    const xe = x._e;
    const ye = y._e;
    if (xe === ye) return xc > yc ? 1 : xc < yc ? -1 : 0;
    if (xe > ye) {
      const k = xe - ye;
      if (k <= 15 && xc <= SAFE_SCALE_LIMIT[k] && xc >= -SAFE_SCALE_LIMIT[k]) {
        const a = xc * POW10[k];
        return a > yc ? 1 : a < yc ? -1 : 0;
      }
    } else {
      const k = ye - xe;
      if (k <= 15 && yc <= SAFE_SCALE_LIMIT[k] && yc >= -SAFE_SCALE_LIMIT[k]) {
        const b = yc * POW10[k];
        return xc > b ? 1 : xc < b ? -1 : 0;
      }
    }
  }
  return compareSlow(x, y);
}

function compareSlow(x: FastDecimal, y: FastDecimal): number {
  const xc = x._c;
  const yc = y._c;
  const xs = signOf(xc);
  const ys = signOf(yc);
  if (xs !== ys) return xs > ys ? 1 : -1;
  if (xs === 0) return 0;
  const xe = x._e;
  const ye = y._e;
  // Different leading-digit positions decide it; otherwise align (a bounded shift) and compare.
  const ax = xe + digitsOf(xc);
  const ay = ye + digitsOf(yc);
  if (ax !== ay) return (ax > ay) === xs > 0 ? 1 : -1;
  let m: number;
  if (typeof xc === 'bigint' || typeof yc === 'bigint') {
    const X = xe > ye ? toBig(xc) * pow10n(xe - ye) : toBig(xc);
    const Y = ye > xe ? toBig(yc) * pow10n(ye - xe) : toBig(yc);
    return X > Y ? 1 : X < Y ? -1 : 0; // signed values: no flip below
  } else {
    const e = xe < ye ? xe : ye;
    m = cmpMag(SA, loadAt(xc, xe, e, SA), SB, loadAt(yc, ye, e, SB));
  }
  return xs > 0 ? m : 0 - m; // 0 - 0 is +0, -0 would not be
}

/** x rounded to `dp` decimal places with rounding mode `rm`. */
function roundToPlaces(x: FastDecimal, dp: number, rm: number): FastDecimal {
  const c = x._c;
  const e = x._e;
  if (e >= -dp) return x;
  const k = -dp - e; // digits to drop, > 0
  if (typeof c === 'number') {
    // The dropped part is never 0 here: a canonical coefficient has no trailing zeros.
    const negative = c < 0;
    const a = negative ? -c : c;
    let q = 0;
    let half = -1; // a < 2^53 < 5 × 10^16: below half when k > 16
    if (k <= 16) {
      const p = POW10[k];
      const r = a % p;
      q = (a - r) / p;
      const twice = r * 2;
      half = twice < p ? -1 : twice === p ? 0 : 1;
    }
    if (roundsAway(rm, negative, isOdd(q), half)) q += 1;
    return fromNum(negative ? -q : q, -dp);
  }
  if (typeof c === 'object') {
    if (lastDigitExponent(x) >= -dp) return x;
    return roundAt(c.neg, SR, load(c, SR), e, k, rm, false);
  }
  const negative = c < 0n;
  const a = negative ? -c : c;
  const d = digitsBig(a);
  let q = 0n;
  let half = -1;
  if (k <= d) {
    const p = pow10n(k);
    q = a / p;
    const twice = (a - q * p) << 1n;
    half = twice < p ? -1 : twice === p ? 0 : 1;
  }
  if (roundsAway(rm, negative, (q & 1n) === 1n, half)) q += 1n;
  return fromMagnitude(negative, q, -dp);
}

/** Plain notation of digits × 10^e (digits without sign, no trailing zeros unless "0"). */
function plain(digits: string, e: number): string {
  if (e >= 0) return digits === '0' ? digits : digits + '0'.repeat(e);
  const point = digits.length + e;
  if (point > 0) return digits.slice(0, point) + '.' + digits.slice(point);
  return '0.' + '0'.repeat(-point) + digits;
}

/** decimal.js's exponential notation: `d[.ddd]e±x`. */
function exponential(digits: string, sciExp: number): string {
  const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return mantissa + (sciExp < 0 ? 'e' : 'e+') + sciExp;
}

/** digits × 10^e (with e >= -dp) written with exactly dp decimals. */
function fixed(digits: string, e: number, dp: number): string {
  if (digits === '0') return dp > 0 ? '0.' + '0'.repeat(dp) : '0';
  if (e >= 0) return digits + '0'.repeat(e) + (dp > 0 ? '.' + '0'.repeat(dp) : '');
  const places = -e;
  const point = digits.length - places;
  const whole = point > 0 ? digits.slice(0, point) : '0';
  const fraction = point > 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
  return whole + '.' + fraction + '0'.repeat(dp - places);
}

/** Type-level companions so call sites can write `FastDecimal.Value` and `FastDecimal.Rounding` as with decimal.js. */
export declare namespace FastDecimal {
  /** Anything a FastDecimal method accepts as an operand. */
  type Value = FastDecimalValue;
  /** A rounding mode number. */
  type Rounding = FastRounding;
}
