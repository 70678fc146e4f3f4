import { describe, expect, it } from 'vitest';
import { AutotraderError, ERROR_CODES, type ErrorCode } from '@autotrader/core';
import { formatError } from './errors';

/** Codes a user's own input or action can cause: each hint must name a command or flag that helps. */
const USER_FACING: readonly ErrorCode[] = [
  'CONFIG_INVALID', 'PARAM_INVALID', 'STRATEGY_NOT_FOUND', 'STRATEGY_INVALID', 'STRATEGY_ERROR', 'SUBSCRIBER_ERROR', 'PLUGIN_NOT_FOUND', 'PLUGIN_INVALID',
  'CAPABILITY_MISSING', 'RANGE_INVALID', 'DATA_NOT_FOUND', 'DATA_CORRUPT', 'DATA_PARSE', 'DATA_UNSORTED', 'DATA_EMPTY', 'DATA_FORMAT_UNKNOWN',
  'INSTRUMENT_UNKNOWN', 'INSUFFICIENT_FUNDS', 'RISK_MAX_QUANTITY', 'RISK_MAX_NOTIONAL', 'RISK_MAX_POSITION', 'RISK_MAX_OPEN_ORDERS', 'RISK_PRICE_BAND',
  'RISK_ORDER_RATE', 'TRADING_HALTED', 'REDUCE_ONLY_MODE', 'AUTH_MISSING', 'AUTH_FAILED', 'JOURNAL_IO', 'JOURNAL_PATH_INVALID', 'JOURNAL_MISMATCH',
  'JOURNAL_CORRUPT', 'SESSION_NOT_RUNNING', 'STARTUP_FAILED', 'INTERNAL',
];

describe('error hints', () => {
  it.each(USER_FACING)('%s names a command or flag that helps', (code) => {
    expect(ERROR_CODES[code].hint).toMatch(/`[^`]+`|--[a-z]/);
  });

  it('an uncoded error is INTERNAL and asks for a report with --verbose output', () => {
    const line = formatError(new TypeError('x is undefined'));
    expect(line).toMatch(/^error INTERNAL: x is undefined \(A bug in autotrader, not a mistake of yours; please report it with the output of the same command run with --verbose\.\)$/);
    expect(formatError(new AutotraderError('CONFIG_INVALID', '--cash needs a value'))).not.toMatch(/INTERNAL|report/);
  });
});
