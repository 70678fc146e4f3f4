import { money, type AccountSummary } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { compareAccountSummaries } from './account-compare';

const summary = (over: Partial<Record<'balance' | 'nav' | 'marginUsed', string>>, base = 'USD'): AccountSummary => ({
  accountType: 'margin',
  baseCurrency: base,
  balance: money(over.balance ?? '10000'),
  unrealizedPnl: money('0'),
  nav: money(over.nav ?? '10000'),
  marginUsed: money(over.marginUsed ?? '200'),
  marginAvailable: money('9800'),
  tsEvent: 0,
});

describe('compareAccountSummaries', () => {
  it('agrees within a cent of balance and 0.5% of NAV and margin (prices sampled at different moments)', () => {
    expect(compareAccountSummaries(summary({}), summary({ balance: '10000.004', nav: '10030', marginUsed: '200.9' }))).toEqual([]);
  });

  it('reports each figure outside the tolerance with both values', () => {
    const out = compareAccountSummaries(summary({}), summary({ balance: '10000.02', nav: '10100', marginUsed: '250' }));
    expect(out).toEqual([
      { what: 'account balance (USD)', ours: '10000', venue: '10000.02' },
      { what: 'NAV (USD)', ours: '10000', venue: '10100' },
      { what: 'margin used (USD)', ours: '200', venue: '250' },
    ]);
  });

  it('names a different base currency instead of comparing figures in two currencies', () => {
    expect(compareAccountSummaries(summary({}), summary({}, 'EUR'))).toEqual([{ what: 'account base currency', ours: 'USD', venue: 'EUR' }]);
  });
});
