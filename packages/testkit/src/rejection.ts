import { AutotraderError } from '@autotrader/core';

/**
 * The coded error a promise rejects with, for assertions on its code and message. Fails the test when
 * the promise resolves, and rethrows anything that is not an {@link AutotraderError}.
 */
export async function rejectionOf(p: Promise<unknown>): Promise<AutotraderError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AutotraderError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}
