import { describe, expect, it } from 'vitest';
import { checkOptionTokens, type OptionTable } from './option-tokens';

const TABLE: OptionTable = {
  key: { cash: true, 'maker-fee': true, data: true, from: true, json: true, 'fee-currency': true },
  boolean: ['json'],
  array: ['data'],
  number: ['cash', 'maker-fee'],
};
const check = (...tokens: string[]): void => checkOptionTokens(tokens, TABLE);
const refused = (tokens: string[], message: RegExp): void => expect(() => check(...tokens)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message), details: expect.objectContaining({ usage: true }) }));

describe('checkOptionTokens', () => {
  it('accepts values, negative numbers, arrays and booleans', () => {
    expect(() => check('backtest', '--cash', '5', '--maker-fee', '-0.0001', '--data', 'a.csv', 'b.csv', '--json', '--from=2022-01-01', '--fee-currency', 'quote')).not.toThrow();
    expect(() => check('backtest', '--makerFee', '1e-4', '--', '--cash')).not.toThrow();
  });

  it('refuses a value flag with no value, naming it as typed', () => {
    refused(['backtest', '--cash'], /^--cash needs a value$/);
    refused(['backtest', '--cash', '--json'], /^--cash needs a value$/);
    refused(['backtest', '--cash='], /^--cash needs a value \(nothing follows '='\)$/);
    refused(['backtest', '--data', '--json'], /^--data needs a value$/);
    refused(['backtest', '--fee-currency'], /^--fee-currency needs a value$/);
    refused(['backtest', '--makerFee'], /^--makerFee needs a value$/);
  });

  it('refuses numbers that are not numbers, a value flag given twice, and --no-<value flag>', () => {
    for (const bad of ['NaN', 'Infinity', '0x10', 'abc', '1,5']) refused(['backtest', '--cash', bad], new RegExp(`^--cash '${bad}' is not a number$`));
    refused(['backtest', '--from', 'a', '--from', 'b'], /--from is given twice \('a' and 'b'\)/);
    refused(['backtest', '--no-cash'], /--no-cash is not an option/);
  });
});
