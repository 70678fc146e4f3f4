import { isAutotraderError } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from './codec';
import { checkJournalIdentity } from './identity';

const session = (venue: string, account?: string): JournalEntry => ({ t: 'session', ts: 1, prefix: 'p1', venue, account });
const refusal = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    if (isAutotraderError(error, 'JOURNAL_MISMATCH')) return error.message;
    throw error;
  }
  return 'accepted';
};

describe('checkJournalIdentity', () => {
  it('accepts a journal of the same venue and account, an empty one, and one written before accounts were recorded', () => {
    expect(refusal(() => checkJournalIdentity([session('BINANCE', '42'), session('BINANCE', '42')], 'j', 'BINANCE', '42'))).toBe('accepted');
    expect(refusal(() => checkJournalIdentity([], 'j', 'BINANCE', '42'))).toBe('accepted');
    expect(refusal(() => checkJournalIdentity([session('BINANCE')], 'j', 'BINANCE', '42'))).toBe('accepted');
  });

  it('refuses a journal of another venue, naming both', () => {
    expect(refusal(() => checkJournalIdentity([session('OKX', '42')], 'orders.jsonl', 'BINANCE', '42'))).toBe(
      'orders.jsonl was written by a session on venue OKX (entry 1); this session trades on BINANCE',
    );
  });

  it('refuses a journal of another account, naming both', () => {
    expect(refusal(() => checkJournalIdentity([session('BINANCE', '42'), session('BINANCE', '7')], 'orders.jsonl', 'BINANCE', '42'))).toBe(
      'orders.jsonl belongs to BINANCE account 7 (entry 2); these API keys trade account 42',
    );
  });
});
