import { describe, expect, it } from 'vitest';
import { AutotraderError } from '@autotrader/core';
import { parseParams, type PairFlag } from './args';

/** The coded error parseParams throws for these pairs. */
function failure(pairs: string[], flag?: PairFlag): AutotraderError {
  try {
    parseParams(pairs, flag);
  } catch (error) {
    if (error instanceof AutotraderError) return error;
    throw error;
  }
  throw new Error('parseParams accepted the pairs');
}

describe('parseParams', () => {
  it('reads JSON values and keeps the rest as text', () => {
    expect(parseParams(['fast=10', 'allowShort=true', 'name=BTC-PERP', 'url=http://127.0.0.1:9000', 'rate={"count":5}'])).toEqual({
      fast: 10,
      allowShort: true,
      name: 'BTC-PERP',
      url: 'http://127.0.0.1:9000',
      rate: { count: 5 },
    });
  });

  it('a malformed pair names the flag it came from, with that flag’s error code', () => {
    expect(failure(['fast'])).toMatchObject({ code: 'PARAM_INVALID', message: "--param 'fast' is not of the form name=value" });
    expect(failure(['maxDailyLoss'], '--risk')).toMatchObject({ code: 'CONFIG_INVALID', message: "--risk 'maxDailyLoss' is not of the form name=value" });
    expect(failure(['=http://x'], '--venue-opt')).toMatchObject({ code: 'CONFIG_INVALID', message: "--venue-opt '=http://x' is not of the form name=value" });
    expect(failure([' =1'], '--risk')).toMatchObject({ code: 'CONFIG_INVALID', message: "--risk ' =1' has no name before '='" });
  });
});
