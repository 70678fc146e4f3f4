import { describe, expect, it } from 'vitest';
import { fxSessionBreakout, fxSessionBreakoutParams } from './index';

describe('fx-session-breakout params', () => {
  it('has the documented defaults', () => {
    expect(fxSessionBreakoutParams.parse({})).toEqual({
      rangeStart: '00:00',
      rangeEnd: '07:00',
      sessionEnd: '16:00',
      offsetPips: 2,
      minRangePips: 10,
      maxRangePips: 60,
      takeProfitK: 1,
      riskFraction: 0.01,
      maxMarginShare: 0.5,
      lateStartMs: 300_000,
    });
    expect(fxSessionBreakout.requires).toEqual({ orderTypes: ['stop', 'limit', 'market'], data: ['quote'] });
  });

  it('refuses times out of order or not of the form HH:MM, and limits the wrong way round', () => {
    expect(fxSessionBreakoutParams.safeParse({ rangeEnd: '08:30', sessionEnd: '17:00' }).success).toBe(true);
    expect(fxSessionBreakoutParams.safeParse({ rangeEnd: '17:00' }).success).toBe(false); // after the session end
    expect(fxSessionBreakoutParams.safeParse({ rangeStart: '07:00' }).success).toBe(false); // an empty window
    expect(fxSessionBreakoutParams.safeParse({ rangeEnd: '7:00' }).success).toBe(false);
    expect(fxSessionBreakoutParams.safeParse({ minRangePips: 70 }).success).toBe(false);
    expect(fxSessionBreakoutParams.safeParse({ maxMarginShare: 1.5 }).success).toBe(false);
  });
});
