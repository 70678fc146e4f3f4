/**
 * An exact decimal with the semantics of
 * `DecimalJs.clone({ precision: 34, rounding: ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 })`
 * for the subset of decimal.js that autotrader uses, built for speed.
 *
 * Representation: value = coefficient × 10^exponent. The coefficient is a JS `number` while it is a
 * safe integer and a `bigint` beyond that, so the everyday money maths (prices and quantities with a
 * few decimals) runs on plain double arithmetic that is provably exact, and falls back to bigint only
 * when a result would not fit in 2^53. Every instance is canonical (no trailing zeros in the
 * coefficient, zero is `0 × 10^0`, `number` exactly when the coefficient is safe), so equal values have
 * equal fields: `eq` is two comparisons and structural equality in tests works.
 *
 * Deliberate differences from decimal.js, none of which a finite money value can observe through
 * `toString`: there is no NaN, Infinity or negative zero. Division or modulo by zero throws instead of
 * returning Infinity/NaN, and a result that decimal.js would call `-0` is plain 0 (so `isNeg()` is
 * false and `isPos()` true for it, and `valueOf()` gives `'0'`). Exponents beyond ±9e15 in a parsed
 * string throw (overflow) or give 0 (underflow), as decimal.js does; arithmetic results are not
 * checked against that range.
 *
 * @packageDocumentation
 */

/** A decimal.js rounding mode: 0 up, 1 down, 2 ceil, 3 floor, 4 half-up, 5 half-down, 6 half-even, 7 half-ceil, 8 half-floor. */
export type FastRounding = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** What {@link FastDecimal} accepts wherever decimal.js accepts a `Decimal.Value`. */
export type FastDecimalValue = FastDecimal | number | string | bigint;

type Coefficient = number | bigint;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_N = BigInt(MAX_SAFE);
/** decimal.js's default precision for our clone, in significant digits. */
const PRECISION = 34;
/** decimal.js's exponent limits (`maxE`/`minE`), applied when parsing. */
const MAX_E = 9e15;
/** Largest `dp` decimal.js accepts in toFixed/toDecimalPlaces (its MAX_DIGITS). */
const MAX_DIGITS = 1e9;
const ROUND_HALF_EVEN = 6;

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

const pow10n = (k: number): bigint => (k < POW10N.length ? POW10N[k] : 10n ** BigInt(k));

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

/** Number of decimal digits of |c|. */
function digitsOf(c: Coefficient): number {
  if (typeof c === 'number') return digitsNum(c < 0 ? -c : c);
  return digitsBig(c < 0n ? -c : c);
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
  let e = exp - fraction + zerosRun;
  const kept = sig - zerosRun;
  const adjusted = e + kept - 1;
  if (adjusted > MAX_E) throw invalid('exponent overflow:', s);
  if (adjusted < -MAX_E) { parsedC = 0; parsedE = 0; return; }

  if (sig <= 15) {
    let c = acc;
    if (zerosRun > 0) c /= POW10[zerosRun]; // exact: c is a multiple of 10^zerosRun
    parsedC = negative ? -c : c;
    parsedE = e;
    return;
  }
  // Long mantissa: let bigint do the work on the digit string.
  let text = s.slice(mantissaStart, mantissaEnd);
  if (seenPoint) text = text.replace('.', '');
  let start = 0;
  while (text.charCodeAt(start) === 48) start++;
  text = text.slice(start, text.length - zerosRun);
  if (text.length <= 15) {
    const c = Number(text);
    parsedC = negative ? -c : c;
  } else {
    const m = BigInt(text);
    if (m <= MAX_SAFE_N) {
      const c = Number(m);
      parsedC = negative ? -c : c;
    } else parsedC = negative ? -m : m;
  }
  parsedE = e;
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
    while (v % 10 === 0) { v /= 10; e++; }
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
      while (c % 10 === 0) { c /= 10; e++; }
      parsedC = v < 0 ? -c : c;
      parsedE = e;
      return;
    }
  }
  parseString(String(v));
}

/**
 * An immutable exact decimal: a drop-in for the decimal.js clone in `decimal.ts` (precision 34,
 * ROUND_HALF_EVEN, plain notation for exponents within -40..40) over the API subset autotrader uses,
 * several times faster and allocating only the result on its fast path.
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

  /** @internal Coefficient: a safe-integer `number`, else a `bigint`; never a multiple of 10 unless 0. */
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
  constructor(value: FastDecimalValue, exponent?: number) {
    // Internal construction (see `make`): value is already a canonical coefficient.
    if (exponent !== undefined) {
      this._c = value as Coefficient;
      this._e = exponent;
      return;
    }
    if (typeof value === 'number') parseNumber(value);
    else if (typeof value === 'string') parseString(value);
    else if (value instanceof FastDecimal) {
      this._c = value._c;
      this._e = value._e;
      return;
    } else if (typeof value === 'bigint') parseString(value.toString());
    else throw invalid('not a decimal value:', value);
    this._c = parsedC;
    this._e = parsedE;
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
    const o = y instanceof FastDecimal ? y : new FastDecimal(y);
    return add(this._c, this._e, o._c, o._e);
  }

  /** Alias of {@link FastDecimal.plus}. */
  add(y: FastDecimalValue): FastDecimal {
    const o = y instanceof FastDecimal ? y : new FastDecimal(y);
    return add(this._c, this._e, o._c, o._e);
  }

  /** this - y, rounded to 34 significant digits (half-even). */
  minus(y: FastDecimalValue): FastDecimal {
    const o = y instanceof FastDecimal ? y : new FastDecimal(y);
    return add(this._c, this._e, negate(o._c), o._e);
  }

  /** Alias of {@link FastDecimal.minus}. */
  sub(y: FastDecimalValue): FastDecimal {
    const o = y instanceof FastDecimal ? y : new FastDecimal(y);
    return add(this._c, this._e, negate(o._c), o._e);
  }

  /** this × y, rounded to 34 significant digits (half-even). */
  times(y: FastDecimalValue): FastDecimal {
    return multiply(this, y instanceof FastDecimal ? y : new FastDecimal(y));
  }

  /** Alias of {@link FastDecimal.times}. */
  mul(y: FastDecimalValue): FastDecimal {
    return multiply(this, y instanceof FastDecimal ? y : new FastDecimal(y));
  }

  /** this ÷ y, rounded to 34 significant digits (half-even). Throws when y is zero. */
  div(y: FastDecimalValue): FastDecimal {
    return divide(this, y instanceof FastDecimal ? y : new FastDecimal(y));
  }

  /** Alias of {@link FastDecimal.div}. */
  dividedBy(y: FastDecimalValue): FastDecimal {
    return divide(this, y instanceof FastDecimal ? y : new FastDecimal(y));
  }

  /**
   * this modulo y with decimal.js's default mode (truncated quotient: the result has the sign of
   * this), rounded to 34 significant digits. Throws when y is zero.
   */
  mod(y: FastDecimalValue): FastDecimal {
    return modulo(this, y instanceof FastDecimal ? y : new FastDecimal(y));
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
    return this._c < 0 ? make(negate(this._c), this._e) : this;
  }

  /** Alias of {@link FastDecimal.abs}. */
  absoluteValue(): FastDecimal {
    return this.abs();
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than y. */
  cmp(y: FastDecimalValue): number {
    return compare(this, y instanceof FastDecimal ? y : new FastDecimal(y));
  }

  /** Alias of {@link FastDecimal.cmp}. */
  comparedTo(y: FastDecimalValue): number {
    return compare(this, y instanceof FastDecimal ? y : new FastDecimal(y));
  }

  /** this == y (by value). */
  eq(y: FastDecimalValue): boolean {
    const o = y instanceof FastDecimal ? y : new FastDecimal(y);
    // Canonical form: equal values have identical fields.
    return this._c === o._c && this._e === o._e;
  }

  /** Alias of {@link FastDecimal.eq}. */
  equals(y: FastDecimalValue): boolean {
    return this.eq(y);
  }

  /** this < y. */
  lt(y: FastDecimalValue): boolean {
    return compare(this, y instanceof FastDecimal ? y : new FastDecimal(y)) < 0;
  }

  /** this <= y. */
  lte(y: FastDecimalValue): boolean {
    return compare(this, y instanceof FastDecimal ? y : new FastDecimal(y)) <= 0;
  }

  /** this > y. */
  gt(y: FastDecimalValue): boolean {
    return compare(this, y instanceof FastDecimal ? y : new FastDecimal(y)) > 0;
  }

  /** this >= y. */
  gte(y: FastDecimalValue): boolean {
    return compare(this, y instanceof FastDecimal ? y : new FastDecimal(y)) >= 0;
  }

  /** True when the value is 0. */
  isZero(): boolean {
    return this._c === 0;
  }

  /** True when the value is >= 0 (decimal.js counts zero as positive). */
  isPositive(): boolean {
    return this._c >= 0;
  }

  /** Alias of {@link FastDecimal.isPositive}. */
  isPos(): boolean {
    return this._c >= 0;
  }

  /** True when the value is < 0 (there is no negative zero). */
  isNegative(): boolean {
    return this._c < 0;
  }

  /** Alias of {@link FastDecimal.isNegative}. */
  isNeg(): boolean {
    return this._c < 0;
  }

  /** Always true: a FastDecimal is never NaN or infinite. Kept for decimal.js call sites. */
  isFinite(): boolean {
    return true;
  }

  /** True when the value is a whole number. */
  isInteger(): boolean {
    return this._e >= 0;
  }

  /** Alias of {@link FastDecimal.isInteger}. */
  isInt(): boolean {
    return this._e >= 0;
  }

  /** Number of decimal places (digits after the point, trailing zeros not counted). */
  decimalPlaces(): number {
    return this._e < 0 ? -this._e : 0;
  }

  /** Alias of {@link FastDecimal.decimalPlaces}. */
  dp(): number {
    return this._e < 0 ? -this._e : 0;
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
    const negative = c < 0;
    const digits = (negative ? negate(c) : c).toString();
    const sciExp = e + digits.length - 1;
    const body = sciExp <= -40 || sciExp >= 40 ? exponential(digits, sciExp) : plain(digits, e);
    return negative ? '-' + body : body;
  }

  /**
   * Fixed-point text with exactly `dp` decimals, rounded with `rm` (default half-even); plain notation
   * of the exact value when `dp` is omitted. Like decimal.js, a negative value that rounds to zero
   * keeps its minus sign (`-0.001` → `'-0.00'`).
   */
  toFixed(dp?: number, rm?: FastRounding): string {
    let body: string;
    if (dp === undefined) {
      const c = this._c;
      body = plain((c < 0 ? negate(c) : c).toString(), this._e);
    } else {
      checkInt(dp, 0, MAX_DIGITS, 'decimal places');
      if (rm === undefined) rm = ROUND_HALF_EVEN;
      else checkInt(rm, 0, 8, 'rounding mode');
      const y = roundToPlaces(this, dp, rm);
      const c = y._c;
      body = fixed((c < 0 ? negate(c) : c).toString(), y._e, dp);
    }
    return this._c < 0 ? '-' + body : body;
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

const toFast = (v: FastDecimalValue): FastDecimal => (v instanceof FastDecimal ? v : new FastDecimal(v));

function negate(c: Coefficient): Coefficient {
  return typeof c === 'number' ? (c === 0 ? 0 : -c) : -c;
}

/** Canonical instance from a safe-integer coefficient. */
function fromNum(c: number, e: number): FastDecimal {
  if (c === 0) return ZERO;
  if (c % 10 === 0) {
    do { c /= 10; e++; } while (c % 10 === 0);
  }
  return new Raw(c, e);
}

/** Canonical instance from a magnitude and sign that already have at most 34 significant digits. */
function fromMagnitude(negative: boolean, m: bigint, e: number): FastDecimal {
  if (m <= MAX_SAFE_N) {
    const n = Number(m);
    return fromNum(negative ? -n : n, e);
  }
  if (m % 10n === 0n) {
    do { m /= 10n; e++; } while (m % 10n === 0n);
    if (m <= MAX_SAFE_N) {
      const n = Number(m);
      return new Raw(negative ? -n : n, e);
    }
  }
  return new Raw(negative ? -m : m, e);
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
  return (c < 0n ? -c : c) < TEN_PRECISION_N ? x : fromBig(c, x._e);
}

/** xc×10^xe + yc×10^ye, rounded to 34 significant digits. */
function add(xc: Coefficient, xe: number, yc: Coefficient, ye: number): FastDecimal {
  if (typeof xc === 'number' && typeof yc === 'number') {
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
  }
  return addSlow(xc, xe, yc, ye);
}

function addSlow(xc: Coefficient, xe: number, yc: Coefficient, ye: number): FastDecimal {
  if (yc === 0) return roundToPrecision(make(xc, xe));
  if (xc === 0) return roundToPrecision(make(yc, ye));
  let X = BigInt(xc);
  let Y = BigInt(yc);
  // When one operand lies wholly below both the other's last digit and the 34-digit rounding point,
  // only its sign matters for rounding: replace it by ±1 one place lower, so that 1e30 + 1e-30 does
  // not build a 61-digit integer (decimal.js truncates such an operand for the same reason).
  const ax = xe + digitsOf(xc) - 1;
  const ay = ye + digitsOf(yc) - 1;
  if (ax > ay) {
    const p = Math.min(xe, ax - PRECISION - 1) - 1;
    if (ay <= p) { Y = Y < 0n ? -1n : 1n; ye = p; }
  } else if (ay > ax) {
    const p = Math.min(ye, ay - PRECISION - 1) - 1;
    if (ax <= p) { X = X < 0n ? -1n : 1n; xe = p; }
  }
  if (xe > ye) return fromBig(X * pow10n(xe - ye) + Y, ye);
  if (ye > xe) return fromBig(X + Y * pow10n(ye - xe), xe);
  return fromBig(X + Y, xe);
}

function multiply(x: FastDecimal, y: FastDecimal): FastDecimal {
  const xc = x._c;
  const yc = y._c;
  if (typeof xc === 'number' && typeof yc === 'number') {
    // A product of safe integers is exact whenever it is itself safe (rounding is monotone).
    const p = xc * yc;
    if (p <= MAX_SAFE && p >= -MAX_SAFE) return fromNum(p, x._e + y._e);
  }
  return fromBig(BigInt(xc) * BigInt(yc), x._e + y._e);
}

function divide(x: FastDecimal, y: FastDecimal): FastDecimal {
  const xc = x._c;
  const yc = y._c;
  if (yc === 0) throw invalid('division by zero:', `${x.toString()} / 0`);
  if (xc === 0) return ZERO;
  if (typeof xc === 'number' && typeof yc === 'number') {
    // Exact integer quotient: the double division returns it exactly.
    if (xc % yc === 0) return fromNum(xc / yc, x._e - y._e);
  }
  const negative = (xc < 0) !== (yc < 0);
  const dx = digitsOf(xc);
  const dy = digitsOf(yc);
  let X = BigInt(xc);
  if (X < 0n) X = -X;
  let Y = BigInt(yc);
  if (Y < 0n) Y = -Y;
  // Scale so the integer quotient has at least 35 digits (one more than we keep), then append a
  // sticky digit for a non-zero remainder: rounding the result then sees ties and exactness right.
  let s = PRECISION + 1 - dx + dy;
  if (s < 0) s = 0;
  const A = s === 0 ? X : X * pow10n(s);
  const q = A / Y;
  let m = q * 10n;
  if (A !== q * Y) m += 1n;
  return fromBig(negative ? -m : m, x._e - y._e - s - 1);
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
  const A = BigInt(xc) * pow10n(xe - e);
  const B = BigInt(yc) * pow10n(ye - e);
  return fromBig(A % B, e);
}

function compare(x: FastDecimal, y: FastDecimal): number {
  const xc = x._c;
  const yc = y._c;
  const xs = xc > 0 ? 1 : xc < 0 ? -1 : 0;
  const ys = yc > 0 ? 1 : yc < 0 ? -1 : 0;
  if (xs !== ys) return xs > ys ? 1 : -1;
  if (xs === 0) return 0;
  const xe = x._e;
  const ye = y._e;
  if (xe === ye) return xc > yc ? 1 : xc < yc ? -1 : 0;
  if (typeof xc === 'number' && typeof yc === 'number') {
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
  // Different leading-digit positions decide it; otherwise align (a bounded shift) and compare.
  const ax = xe + digitsOf(xc);
  const ay = ye + digitsOf(yc);
  if (ax !== ay) return (ax > ay) === xs > 0 ? 1 : -1;
  const X = xe > ye ? BigInt(xc) * pow10n(xe - ye) : BigInt(xc);
  const Y = ye > xe ? BigInt(yc) * pow10n(ye - xe) : BigInt(yc);
  return X > Y ? 1 : X < Y ? -1 : 0;
}

/** x rounded to `dp` decimal places with rounding mode `rm`. */
function roundToPlaces(x: FastDecimal, dp: number, rm: number): FastDecimal {
  const c = x._c;
  const e = x._e;
  if (e >= -dp) return x;
  const k = -dp - e; // digits to drop, > 0; the dropped part is never 0 (canonical coefficient)
  if (typeof c === 'number') {
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
    if (roundsAway(rm, negative, q % 2 === 1, half)) q += 1;
    return fromNum(negative ? -q : q, -dp);
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
