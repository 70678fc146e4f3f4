import { describe, expect, it } from 'vitest';
import { formatRefusals, refusalTotals } from './refusals';

describe('refusals', () => {
  it('counts orders cancelled at fill time with those rejected at submission', () => {
    const r = { rejected: { RISK_MAX_NOTIONAL: 2, INSUFFICIENT_FUNDS: 2 }, canceled: { INSUFFICIENT_FUNDS: 5 } };
    expect(refusalTotals(r)).toEqual({ INSUFFICIENT_FUNDS: 7, RISK_MAX_NOTIONAL: 2 });
    expect(formatRefusals(r)).toBe('Rejected orders: 7 INSUFFICIENT_FUNDS (5 cancelled at fill), 2 RISK_MAX_NOTIONAL');
  });

  it('says nothing when no order was refused', () => {
    expect(formatRefusals({ rejected: {}, canceled: {} })).toBeUndefined();
  });
});
