import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutotraderError, type Instrument } from '@autotrader/core';
import { baseCurrencyOf, checkAccountFlags, resolveAccount } from './account-options';
import { readConfigFile } from './config-file';

const dir = mkdtempSync(join(tmpdir(), 'autotrader-account-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config file with this content, read as the CLI reads it. */
function file(content: unknown): ReturnType<typeof readConfigFile> {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return readConfigFile(path);
}

/** The coded error `fn` throws. */
function refusal(fn: () => unknown): AutotraderError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AutotraderError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('account flags', () => {
  it('refuses a bad value naming the flag, as a usage error', () => {
    for (const [flags, flag, text] of [
      [{ leverage: 0 }, '--leverage', /--leverage must be a number > 0.*got 0/],
      [{ leverage: -5 }, '--leverage', /got -5/],
      [{ leverage: Infinity }, '--leverage', /got Infinity/],
      [{ account: 'nope' }, '--account', /--account must be cash or margin, got 'nope'/],
      [{ baseCurrency: 'eur' }, '--base-currency', /--base-currency must be a currency code.*got 'eur'/],
    ] as const) {
      const e = refusal(() => checkAccountFlags(flags));
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.message).toMatch(text);
      expect(e.details).toMatchObject({ usage: true, flag });
    }
  });

  it('gives no account at all without options, so a default run is the run it always was', () => {
    expect(resolveAccount(undefined, {})).toBeUndefined();
    expect(resolveAccount(file({ risk: { maxOpenOrders: 3 } }), {})).toBeUndefined();
  });

  it('resolves the flags into core’s account config', () => {
    expect(resolveAccount(undefined, { account: 'margin', leverage: 50, baseCurrency: 'EUR' })).toEqual({
      type: 'margin', baseCurrency: 'EUR', leverage: '50', marginRates: {}, closeoutLevel: '0.5', rates: {}, hedging: false,
    });
  });

  it('lets the flags override the config file’s account block, keeping the rest of it', () => {
    const f = file({ account: { type: 'cash', baseCurrency: 'USD', closeoutLevel: '0.3', marginRates: { 'EURUSD.OANDA': '0.05' }, rates: { 'EUR/USD': '1.08' }, hedging: true } });
    expect(resolveAccount(f, { account: 'margin', baseCurrency: 'EUR' })).toEqual({
      type: 'margin', baseCurrency: 'EUR', marginRates: { 'EURUSD.OANDA': '0.05' }, closeoutLevel: '0.3', rates: { 'EUR/USD': '1.08' }, hedging: true,
    });
  });

  it('refuses leverage or margin rates in a cash account instead of ignoring them', () => {
    expect(refusal(() => resolveAccount(undefined, { leverage: 50 })).message).toMatch(/--leverage applies to a margin account: add --account margin/);
    expect(refusal(() => resolveAccount(file({ account: { leverage: 50 } }), {})).message).toMatch(/account\.leverage applies to a margin account/);
    expect(refusal(() => resolveAccount(file({ account: { marginRates: { EURUSD: '0.02' } } }), { account: 'cash' })).message).toMatch(/account\.marginRates \(EURUSD\) apply to a margin account/);
  });
});

describe('the config file’s account block', () => {
  it('refuses a bad field naming account.<field>', () => {
    for (const [account, text] of [
      [{ type: 'margin', leverage: 0 }, /account\.leverage: must be > 0/],
      [{ type: 'margin', closeoutLevel: '1.5' }, /account\.closeoutLevel: must be ≤ 1/],
      [{ baseCurrency: 'usd' }, /account\.baseCurrency: must be a currency code/],
      [{ type: 'margin', rates: { EURUSD: '1.08' } }, /account\.rates\.EURUSD/],
      [{ type: 'margin', levrage: 50 }, /account: Unrecognized key: "levrage" \(did you mean "leverage"\?/],
    ] as const) {
      const e = refusal(() => file({ account }));
      expect(e.code).toBe('CONFIG_INVALID');
      expect(e.message).toMatch(text);
    }
  });
});

describe('baseCurrencyOf', () => {
  const eurusd = { quote: 'USD' } as Instrument;
  it('is the account’s base currency, else the first instrument’s quote currency', () => {
    expect(baseCurrencyOf({ baseCurrency: 'EUR' } as never, [eurusd])).toBe('EUR');
    expect(baseCurrencyOf(undefined, [eurusd])).toBe('USD');
  });
});
