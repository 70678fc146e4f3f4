import { isAutotraderError } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { buildableInterval, formatInterval, parseBarInterval } from './interval';

describe('bar intervals', () => {
  it('parses lengths that divide a day, and says which intervals only a venue can serve', () => {
    expect(parseBarInterval('1m')).toEqual({ text: '1m', ms: 60_000 });
    expect(parseBarInterval('15s').ms).toBe(15_000);
    expect(parseBarInterval('4h').ms).toBe(14_400_000);
    expect(parseBarInterval('1d').ms).toBe(86_400_000);
    expect(parseBarInterval('250').ms).toBe(250);
    expect(parseBarInterval('1w').ms).toBeUndefined();
    expect(parseBarInterval('1M').ms).toBeUndefined();
    expect(parseBarInterval('7m').unbuildable).toMatch(/does not divide a day/);
    expect(parseBarInterval('3d').ms).toBeUndefined();
  });

  it('refuses what is not an interval with CONFIG_INVALID naming it', () => {
    for (const text of ['banana', '0m', '1.5m', '-1m', '']) {
      let caught: unknown;
      try {
        parseBarInterval(text);
      } catch (e) {
        caught = e;
      }
      expect(isAutotraderError(caught) && caught.code === 'CONFIG_INVALID' && caught.message.includes(`'${text}'`), text).toBe(true);
    }
    expect(() => buildableInterval(parseBarInterval('1w'), 'binance has no 1w bars')).toThrow(/binance has no 1w bars, and the engine cannot build 1w bars/);
  });

  it('formats a length as its shortest text', () => {
    expect([60_000, 1_000, 3_600_000, 86_400_000, 90_000, 1_500].map(formatInterval)).toEqual(['1m', '1s', '1h', '1d', '90s', '1500ms']);
  });
});
