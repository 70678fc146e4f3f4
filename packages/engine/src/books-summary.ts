import type { InstrumentCatalog } from '@autotrader/core';
import type { Portfolio } from './portfolio';

/**
 * One line with every position and every balance (total, free, locked), exact: what a session says
 * when it stops, so a user (or a test) can check it against the venue's own figures.
 */
export function describeBooks(portfolio: Pick<Portfolio, 'position' | 'balances'>, instruments: InstrumentCatalog): string {
  const positions = instruments.list().map((i) => `${i.id} ${portfolio.position(i.id)?.quantity.toString() ?? '0'}`);
  const balances = portfolio
    .balances()
    .map((b) => `${b.currency} total ${b.total.toString()} (free ${b.free.toString()}, locked ${b.locked.toString()})`);
  return `books: positions ${positions.join(', ') || 'none'}; balances ${balances.join(', ') || 'none'}`;
}
