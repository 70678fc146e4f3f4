import { AutotraderError, accountConfigSchema, checkSettings, type AccountConfig, type Instrument } from '@autotrader/core';
import type { ConfigFile } from './config-file';

/**
 * The account options of `backtest` (and `paper`): `--account cash|margin`, `--base-currency CCY`,
 * `--leverage N`, over the config file's `account` block (core's `accountConfigSchema`: margin rates
 * per instrument, closeout level, rates table, hedging). The flags override the file. One resolved
 * config goes to the kernel and to the simulated venue alike, so the two can never reckon margin or
 * convert profit differently.
 */

/** The account flags as yargs gives them (undefined: not given). */
export interface AccountFlags {
  readonly account?: string;
  readonly baseCurrency?: string;
  readonly leverage?: number;
}

/** The account types `--account` takes. */
export const ACCOUNT_TYPES = ['cash', 'margin'] as const;
/** The same rule as core's account schema: `USD`, `EUR`, `USDT`. */
const CURRENCY_CODE = /^[A-Z0-9]{2,12}$/;

const usage = (flag: string, message: string): AutotraderError => new AutotraderError('CONFIG_INVALID', `${flag} ${message}`, { details: { usage: true, flag } });

/**
 * Checks each account flag on its own, before anything is loaded: a bad value is refused naming the
 * flag as typed (`--leverage 0`, `--account nope`, `--base-currency eur`).
 */
export function checkAccountFlags(flags: AccountFlags): void {
  if (flags.account !== undefined && !(ACCOUNT_TYPES as readonly string[]).includes(flags.account)) {
    throw usage('--account', `must be ${ACCOUNT_TYPES.join(' or ')}, got '${flags.account}'`);
  }
  if (flags.baseCurrency !== undefined && !CURRENCY_CODE.test(flags.baseCurrency)) {
    throw usage('--base-currency', `must be a currency code in capitals such as USD, EUR or USDT, got '${flags.baseCurrency}'`);
  }
  if (flags.leverage !== undefined && !(Number.isFinite(flags.leverage) && flags.leverage > 0)) {
    throw usage('--leverage', `must be a number > 0 (50 means 50:1, a margin rate of 2%), got ${String(flags.leverage)}`);
  }
}

/**
 * The account of a run: the config file's `account` block with the flags over it, validated by
 * core's schema (a bad field is CONFIG_INVALID naming `account.<field>`). Undefined when neither gives
 * anything, so that a run without account options is exactly the run it was before accounts existed.
 * Leverage and margin rates only mean something in a margin account: in a cash account they are
 * refused rather than ignored.
 */
export function resolveAccount(file: ConfigFile | undefined, flags: AccountFlags): AccountConfig | undefined {
  checkAccountFlags(flags);
  const fromFile = file?.account;
  if (fromFile === undefined && flags.account === undefined && flags.baseCurrency === undefined && flags.leverage === undefined) return undefined;
  const merged: Record<string, unknown> = { ...(fromFile ?? {}) };
  if (flags.account !== undefined) merged.type = flags.account;
  if (flags.baseCurrency !== undefined) merged.baseCurrency = flags.baseCurrency;
  if (flags.leverage !== undefined) merged.leverage = String(flags.leverage);
  const result = checkSettings(accountConfigSchema, merged, 'account');
  if (!result.success) throw new AutotraderError('CONFIG_INVALID', `account (--account, --base-currency, --leverage or the config file's "account"): ${result.message}`, { details: { issues: result.issues } });
  const account = result.data;
  if (account.type === 'cash') {
    if (account.leverage !== undefined) {
      throw flags.leverage !== undefined
        ? usage('--leverage', 'applies to a margin account: add --account margin')
        : new AutotraderError('CONFIG_INVALID', `account.leverage applies to a margin account: set account.type to "margin" (or give --account margin)`);
    }
    const rated = Object.keys(account.marginRates);
    if (rated.length > 0) throw new AutotraderError('CONFIG_INVALID', `account.marginRates (${rated.join(', ')}) apply to a margin account: set account.type to "margin" (or give --account margin)`);
  }
  return account;
}

/** The currency a run is measured in: the account's base currency, else the first instrument's quote currency. */
export function baseCurrencyOf(account: AccountConfig | undefined, instruments: readonly Instrument[]): string {
  return account?.baseCurrency ?? instruments[0]?.quote ?? 'USD';
}
