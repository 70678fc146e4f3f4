import { describe, it } from 'vitest';
import { checkFxAccount } from './fx-test-body';

describe('golden: EUR/USD ticks in a USD margin account at 50:1', () => {
  it('makes the plain loop\'s fills and round trips, margin used after each fill and final NAV, to the cent', async () => {
    await checkFxAccount('USD');
  });
});
