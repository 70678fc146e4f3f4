import { AutotraderError } from '@autotrader/core';
import type { JournalEntry } from './codec';

/**
 * Refuses a journal written for another venue or another account (JOURNAL_MISMATCH): replaying its
 * orders and fills against this account would restore orders that are not there and book fills that
 * never happened here. Session lines written before accounts were recorded carry no account and are
 * checked by venue only.
 */
export function checkJournalIdentity(entries: readonly JournalEntry[], path: string, venue: string, account: string | undefined): void {
  for (const [index, entry] of entries.entries()) {
    if (entry.t !== 'session') continue;
    if (entry.venue !== venue) {
      throw new AutotraderError('JOURNAL_MISMATCH', `${path} was written by a session on venue ${entry.venue} (entry ${index + 1}); this session trades on ${venue}`, {
        details: { path, journalVenue: entry.venue, venue },
      });
    }
    if (account !== undefined && entry.account !== undefined && entry.account !== account) {
      throw new AutotraderError('JOURNAL_MISMATCH', `${path} belongs to ${venue} account ${entry.account} (entry ${index + 1}); these API keys trade account ${account}`, {
        details: { path, journalAccount: entry.account, account },
      });
    }
  }
}
