import { Decimal, type AccountSummary } from '@autotrader/core';
import type { HoldingMismatch } from './reconcile';

/**
 * How far our account figures may be from the venue's before the difference is reported. The balance
 * is booked from the same fills, so it must agree to a cent of the base currency (venues round what
 * they book in the account currency: OANDA to 4 places); NAV and margin are marked at prices the two
 * sides sample at different moments (we mark at the mid, a venue at its closeout bid or ask), so a
 * relative tolerance applies.
 */
export const ACCOUNT_TOLERANCE = { balance: new Decimal('0.01'), relative: new Decimal('0.005') } as const;

/** Our account summary against the venue's: each figure outside the tolerance, with both values. */
export function compareAccountSummaries(ours: AccountSummary, venue: AccountSummary): HoldingMismatch[] {
  const out: HoldingMismatch[] = [];
  if (ours.baseCurrency !== venue.baseCurrency) {
    return [{ what: 'account base currency', ours: ours.baseCurrency, venue: venue.baseCurrency }];
  }
  const ccy = ours.baseCurrency;
  if (ours.balance.minus(venue.balance).abs().gt(ACCOUNT_TOLERANCE.balance)) out.push({ what: `account balance (${ccy})`, ours: ours.balance.toString(), venue: venue.balance.toString() });
  const relative = (a: Decimal, b: Decimal): boolean => {
    const scale = Decimal.max(a.abs(), b.abs());
    return scale.isZero() ? false : a.minus(b).abs().div(scale).gt(ACCOUNT_TOLERANCE.relative) && a.minus(b).abs().gt(ACCOUNT_TOLERANCE.balance);
  };
  if (relative(ours.nav, venue.nav)) out.push({ what: `NAV (${ccy})`, ours: ours.nav.toString(), venue: venue.nav.toString() });
  if (relative(ours.marginUsed, venue.marginUsed)) out.push({ what: `margin used (${ccy})`, ours: ours.marginUsed.toString(), venue: venue.marginUsed.toString() });
  return out;
}
