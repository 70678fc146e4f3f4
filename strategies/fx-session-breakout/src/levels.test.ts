import { Decimal, makeInstrument } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { breakoutLevels, takeProfitPrice } from './levels';

const eurusd = makeInstrument({ symbol: 'EURUSD', venue: 'OANDA', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1' });
const P = { offsetPips: 2, minRangePips: 10, maxRangePips: 60 };
const range = (low: string, high: string) => ({ low: new Decimal(low), high: new Decimal(high), quotes: 100 });

describe('breakout levels', () => {
  it('puts the stops offsetPips beyond the range, rounded outwards to the tick, and the stop-losses at the other side', () => {
    const d = breakoutLevels(eurusd, range('1.386565', '1.388795'), P);
    expect(d.trade).toBe(true);
    if (!d.trade) return;
    expect(d.levels.buyTrigger.toString()).toBe('1.389'); // 1.388995 rounded up
    expect(d.levels.sellTrigger.toString()).toBe('1.38636'); // 1.386365 rounded down
    expect(d.levels.longStop.toString()).toBe('1.38656'); // the low, rounded down
    expect(d.levels.shortStop.toString()).toBe('1.3888'); // the high, rounded up
    expect(d.levels.width.toString()).toBe('0.00223');
    expect(d.levels.widthPips).toBeCloseTo(22.3, 10);
  });

  it('does not trade a range narrower or wider than the limits', () => {
    const narrow = breakoutLevels(eurusd, range('1.3800', '1.3809'), P);
    expect(narrow).toEqual({ trade: false, reason: 'range 9.0 pips is narrower than minRangePips 10' });
    const wide = breakoutLevels(eurusd, range('1.3800', '1.38601'), P);
    expect(wide.trade).toBe(false);
    expect(!wide.trade && wide.reason).toBe('range 60.1 pips is wider than maxRangePips 60');
    expect(breakoutLevels(eurusd, range('1.3800', '1.3810'), P).trade).toBe(true);
    expect(breakoutLevels(eurusd, range('1.3800', '1.3860'), P).trade).toBe(true);
  });

  it('sets the take-profit k range widths from the entry, rounded away from it', () => {
    const width = new Decimal('0.00223');
    expect(takeProfitPrice(eurusd, 'long', new Decimal('1.38900'), width, 1).toString()).toBe('1.39123');
    expect(takeProfitPrice(eurusd, 'short', new Decimal('1.38636'), width, 1.5).toString()).toBe('1.38301'); // 1.383015 down
    expect(takeProfitPrice(eurusd, 'long', new Decimal('1.38900'), width, 1.5).toString()).toBe('1.39235'); // 1.392345 up
  });
});
