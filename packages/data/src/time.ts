import { AutotraderError } from '@autotrader/core';

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): no Date object per row. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Value of `n` digits of `s` from `at`, or -1 if any is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(at + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Parses `[T| ]HH:MM[:SS[.fff…]][Z|±HH[:]MM]` starting at `at` (the separator included), adding it to
 * `dayMs`. Returns NaN when the text does not match.
 */
function parseClock(s: string, at: number, end: number, dayMs: number): number {
  if (at === end) return dayMs;
  const sep = s.charCodeAt(at);
  if (sep !== 32 /* space */ && sep !== 84 /* T */) return NaN;
  let i = at + 1;
  while (i < end && s.charCodeAt(i) === 32) i++;
  const hh = digits(s, i, 2);
  if (hh < 0 || hh > 23 || s.charCodeAt(i + 2) !== 58 /* : */) return NaN;
  const mm = digits(s, i + 3, 2);
  if (mm < 0 || mm > 59) return NaN;
  i += 5;
  let ss = 0;
  let frac = 0;
  if (i < end && s.charCodeAt(i) === 58) {
    ss = digits(s, i + 1, 2);
    if (ss < 0 || ss > 59) return NaN;
    i += 3;
    if (i < end && (s.charCodeAt(i) === 46 /* . */ || s.charCodeAt(i) === 44) /* , */) {
      i++;
      // Millisecond precision: keep 3 digits (truncating), skip the rest.
      let n = 0;
      while (i < end && isDigit(s.charCodeAt(i))) {
        if (n < 3) frac = frac * 10 + (s.charCodeAt(i) - 48);
        n++;
        i++;
      }
      if (n === 0) return NaN;
      for (; n < 3; n++) frac *= 10;
    }
  }
  let offsetMin = 0;
  if (i < end) {
    const c = s.charCodeAt(i);
    if (c === 90 /* Z */ && i + 1 === end) {
      i++;
    } else if (c === 43 /* + */ || c === 45 /* - */) {
      const oh = digits(s, i + 1, 2);
      if (oh < 0 || oh > 23) return NaN;
      let j = i + 3;
      if (j < end && s.charCodeAt(j) === 58) j++;
      let om = 0;
      if (j < end) {
        om = digits(s, j, 2);
        if (om < 0 || om > 59) return NaN;
        j += 2;
      }
      if (j !== end) return NaN;
      offsetMin = (c === 45 ? -1 : 1) * (oh * 60 + om);
      i = j;
    } else {
      return NaN;
    }
  }
  if (i !== end) return NaN;
  return dayMs + ((hh * 60 + mm - offsetMin) * 60 + ss) * 1000 + frac;
}

/** An epoch number (digits, optional sign and fraction); the magnitude of the integer part decides the unit. */
function parseEpoch(s: string, start: number, end: number): number {
  let i = start;
  let sign = 1;
  const c0 = s.charCodeAt(i);
  if (c0 === 45 || c0 === 43) {
    sign = c0 === 45 ? -1 : 1;
    i++;
  }
  const intStart = i;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracMs = 0;
  if (i < end && s.charCodeAt(i) === 46) {
    i++;
    let n = 0;
    while (i < end && isDigit(s.charCodeAt(i))) {
      if (n < 3) fracMs = fracMs * 10 + (s.charCodeAt(i) - 48);
      n++;
      i++;
    }
    for (; n < 3; n++) fracMs *= 10;
  }
  if (i !== end || intEnd === intStart) {
    // Exponent notation (1.5e12) is rare but written by some tools: fall back to Number.
    const v = Number(s.slice(start, end));
    if (!Number.isFinite(v)) return NaN;
    return Math.floor(scaleEpoch(v));
  }
  const nDigits = intEnd - intStart;
  // Digit counts stand for magnitudes: ≤11 digits < 1e11 → seconds; ≤14 → ms; ≤17 → µs; ≤20 → ns.
  // Slicing the text (rather than dividing a float) keeps 19-digit nanoseconds exact.
  if (nDigits <= 11) return sign * (Number(s.slice(intStart, intEnd)) * 1000 + fracMs);
  if (nDigits <= 14) return sign * Number(s.slice(intStart, intEnd));
  if (nDigits <= 17) return sign * Number(s.slice(intStart, intEnd - 3));
  if (nDigits <= 20) return sign * Number(s.slice(intStart, intEnd - 6));
  return NaN;
}

/** Scales an epoch number to ms by magnitude: < 1e11 seconds, < 1e14 ms, < 1e17 µs, otherwise ns. */
export function scaleEpoch(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return v * 1000;
  if (a < 1e14) return v;
  if (a < 1e17) return v / 1000;
  return v / 1e6;
}

/**
 * Parses a timestamp to epoch milliseconds (UTC), or NaN when it is not one. Accepted:
 * `YYYY-MM-DD`, `YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]]` with optional `Z` or `±HH:MM`, `YYYYMMDD`,
 * `YYYYMMDD HH:MM[:SS]`, and epoch numbers whose magnitude decides the unit (s, ms, µs, ns).
 * Naive times are UTC. Sub-millisecond digits are truncated. An 8-digit integer is read as YYYYMMDD
 * when it is a valid date (an epoch in seconds that small would be in 1970–1973).
 */
export function parseTime(text: string): number {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 34)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 34)) end--;
  if (end === start) return NaN;
  let i = start;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  const lead = i - start;
  if (lead === 4 && text.charCodeAt(i) === 45 /* - */) {
    const y = digits(text, start, 4);
    const mo = digits(text, start + 5, 2);
    const d = digits(text, start + 8, 2);
    if (text.charCodeAt(start + 7) !== 45 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
    return parseClock(text, start + 10, end, daysFromCivil(y, mo, d) * MS_PER_DAY);
  }
  if (lead === 8 && (i === end || text.charCodeAt(i) === 32 || text.charCodeAt(i) === 84)) {
    const y = digits(text, start, 4);
    const mo = digits(text, start + 4, 2);
    const d = digits(text, start + 6, 2);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) {
      return parseClock(text, i, end, daysFromCivil(y, mo, d) * MS_PER_DAY);
    }
    if (i !== end) return NaN;
  }
  return parseEpoch(text, start, end);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: MS_PER_DAY, w: 7 * MS_PER_DAY };

/**
 * A bar interval as ms: a number of ms, or text like `500ms`, `15s`, `1m`, `4h`, `1d`, `1w`.
 * Months are refused (they have no fixed length). Throws CONFIG_INVALID.
 */
export function parseInterval(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0 && Number.isInteger(value)) return value;
  } else {
    const t = value.trim();
    let i = 0;
    while (i < t.length && isDigit(t.charCodeAt(i))) i++;
    const n = Number(t.slice(0, i));
    const unit = t.slice(i).trim();
    const scale = unit === '' ? 1 : UNIT_MS[unit];
    if (i > 0 && scale !== undefined && n > 0) return n * scale;
  }
  throw new AutotraderError('CONFIG_INVALID', `--interval ${JSON.stringify(value)} is not a bar length; use a number of ms or e.g. 15s, 1m, 1h, 1d, 1w.`, {
    details: { interval: value },
  });
}

/** The most common positive gap between consecutive times (ties: the smaller gap), or undefined for < 2 rows. */
export function inferIntervalMs(tsOpen: Float64Array): number | undefined {
  if (tsOpen.length < 2) return undefined;
  const counts = new Map<number, number>();
  for (let i = 1; i < tsOpen.length; i++) {
    const gap = tsOpen[i] - tsOpen[i - 1];
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best: number | undefined;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  return best;
}
