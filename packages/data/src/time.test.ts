import { describe, expect, it } from 'vitest';
import { isAutotraderError } from '@autotrader/core';
import { daysFromCivil, inferIntervalMs, parseInterval, parseTime } from './time';

const utc = (s: string): number => Date.parse(s);

describe('parseTime', () => {
  it.each([
    ['1995-01-03', '1995-01-03T00:00:00.000Z'],
    ['2021-12-31 23:01:00.000000', '2021-12-31T23:01:00.000Z'],
    ['2021-12-31T23:01', '2021-12-31T23:01:00.000Z'],
    ['2021-12-31 23:01:07', '2021-12-31T23:01:07.000Z'],
    ['2013-01-01 22:00:00.295000+00:00', '2013-01-01T22:00:00.295Z'],
    ['2013-01-01T22:00:00.2959Z', '2013-01-01T22:00:00.295Z'],
    ['2013-01-01T22:00:00.5', '2013-01-01T22:00:00.500Z'],
    ['2013-01-02T01:30:00+02:00', '2013-01-01T23:30:00.000Z'],
    ['2013-01-01T20:00:00-0130', '2013-01-01T21:30:00.000Z'],
    ['20140501', '2014-05-01T00:00:00.000Z'],
    ['19980102 00:00', '1998-01-02T00:00:00.000Z'],
    ['20140501 13:45:10', '2014-05-01T13:45:10.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['"2020-03-01"', '2020-03-01T00:00:00.000Z'],
  ])('reads %s as %s (naive times are UTC)', (text, iso) => {
    expect(parseTime(text)).toBe(utc(iso));
  });

  it('decides the epoch unit by magnitude', () => {
    expect(parseTime('1570752011')).toBe(1570752011000); // s
    expect(parseTime('1570752011.62')).toBe(1570752011620); // s with fraction, exact
    expect(parseTime('1570752011620')).toBe(1570752011620); // ms
    expect(parseTime('1570752011620123')).toBe(1570752011620); // µs
    expect(parseTime('1570752011620123456')).toBe(1570752011620); // ns, beyond 2^53, still exact
    expect(parseTime('1.570752011620e12')).toBe(1570752011620);
    expect(parseTime('0')).toBe(0);
  });

  it.each(['', 'abc', '2021-13-01', '2021-02-30', '2019-02-29', '2021-12-31 24:00', '2021-12-31 23:60', '2021-12-31 23:01:61', '2021-12-31X23:01', '2021-12-31 23:01 UTC', '12:00', '1e400', '20211301 00:00'])(
    'refuses %j',
    (text) => {
      expect(parseTime(text)).toBeNaN();
    },
  );

  it('matches Date for every day of a leap and a non-leap year', () => {
    for (const year of [1900, 1970, 2000, 2023, 2024]) {
      for (let day = 0; day < 366; day++) {
        const d = new Date(Date.UTC(year, 0, 1 + day));
        expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()) * 86_400_000).toBe(d.getTime());
      }
    }
  });
});

describe('parseInterval', () => {
  it.each([
    ['1m', 60_000],
    ['15s', 15_000],
    ['1d', 86_400_000],
    ['4h', 14_400_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['60000', 60_000],
    [60_000, 60_000],
  ] as const)('%s → %d ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['1M', '', 'm', '0m', '1.5m', -5, 0, 1.5])('refuses %j with CONFIG_INVALID', (value) => {
    try {
      parseInterval(value);
      expect.unreachable();
    } catch (e) {
      expect(isAutotraderError(e, 'CONFIG_INVALID')).toBe(true);
    }
  });
});

describe('inferIntervalMs', () => {
  it('takes the most common gap, so weekends and holidays do not matter', () => {
    const day = 86_400_000;
    // Mon..Fri, then the next Mon (a 3-day gap), Tue.
    const ts = Float64Array.from([0, 1, 2, 3, 4, 7, 8], (d) => d * day);
    expect(inferIntervalMs(ts)).toBe(day);
  });
  it('prefers the smaller gap on a tie and gives up on one row', () => {
    expect(inferIntervalMs(Float64Array.from([0, 10, 20, 50, 80]))).toBe(10);
    expect(inferIntervalMs(Float64Array.from([5]))).toBeUndefined();
  });
});
