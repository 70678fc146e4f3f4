import { describe, it } from 'vitest';
import { checkFxAccount } from './fx-test-body';

describe('golden: EUR/USD ticks in a EUR margin account at 50:1', () => {
  it('books each USD profit in EUR at its fill price, and the margin and NAV in EUR, to the cent', async () => {
    await checkFxAccount('EUR');
  });
});
