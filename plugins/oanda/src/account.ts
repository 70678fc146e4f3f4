import { AutotraderError, money, price, quantity, Decimal, type AccountSummary, type Balance, type Logger, type VenuePosition } from '@autotrader/core';
import { ENV_ACCOUNT_ID } from './credentials';
import type { OandaHttp } from './http';
import { accountsAnswerSchema, instrumentIdOf, summaryAnswerSchema, type OandaAccountSummary } from './mapping';

/** Where the account id came from. */
export type AccountSource = 'option' | 'environment' | 'first listed';

/**
 * Which account this session trades: the `accountId` venue option, else `OANDA_ACCOUNT_ID`, else the
 * first account `GET /v3/accounts` lists for the token. One line says which (and, when the option and
 * the variable disagree, that the option won).
 */
export async function resolveAccountId(o: { option?: string; env?: string; http: OandaHttp; logger: Logger }): Promise<{ accountId: string; source: AccountSource }> {
  if (o.option !== undefined) {
    const note = o.env !== undefined && o.env !== o.option ? ` (${ENV_ACCOUNT_ID}=${o.env} is ignored: the option wins)` : '';
    o.logger.info(`OANDA account ${o.option} from the accountId option${note}`);
    return { accountId: o.option, source: 'option' };
  }
  if (o.env !== undefined) {
    if (!/^\d+-\d+-\d+-\d+$/.test(o.env)) {
      throw new AutotraderError('CONFIG_INVALID', `${ENV_ACCOUNT_ID} must look like 101-004-1435156-001, got ${JSON.stringify(o.env)}`, { details: { variable: ENV_ACCOUNT_ID } });
    }
    o.logger.info(`OANDA account ${o.env} from ${ENV_ACCOUNT_ID}`);
    return { accountId: o.env, source: 'environment' };
  }
  const answer = await o.http.request('GET', '/v3/accounts', accountsAnswerSchema);
  const first = answer.accounts[0];
  if (first === undefined) throw new AutotraderError('AUTH_FAILED', 'OANDA lists no account for this token: create one, or check OANDA_API_TOKEN');
  const others = answer.accounts.length > 1 ? ` (of ${answer.accounts.length}: ${answer.accounts.map((a) => a.id).join(', ')}; set ${ENV_ACCOUNT_ID} to choose)` : '';
  o.logger.info(`OANDA account ${first.id}: the first the token lists${others}`);
  return { accountId: first.id, source: 'first listed' };
}

/** `GET /summary` read once. */
export async function fetchSummary(http: OandaHttp, accountId: string): Promise<OandaAccountSummary> {
  return (await http.request('GET', `/v3/accounts/${accountId}/summary`, summaryAnswerSchema)).account;
}

/** OANDA's account summary as core's: a margin account in the account currency. */
export function accountSummaryOf(s: OandaAccountSummary, tsEvent: number): AccountSummary {
  return {
    accountType: 'margin',
    baseCurrency: s.currency,
    balance: money(s.balance),
    unrealizedPnl: money(s.unrealizedPL),
    nav: money(s.NAV),
    marginUsed: money(s.marginUsed),
    marginAvailable: money(s.marginAvailable),
    tsEvent,
  };
}

/**
 * The account's cash as a balance: its balance in the account currency, the margin used as locked and
 * the rest free (unrealized P/L is not cash: the NAV figures are compared through the account summary).
 */
export function balanceOf(s: OandaAccountSummary, tsEvent: number): Balance {
  const total = new Decimal(s.balance);
  const locked = new Decimal(s.marginUsed);
  return { currency: s.currency, total: money(total), free: money(total.minus(locked)), locked: money(locked), tsEvent };
}

/** One v20 position as ours: net units, and on a hedging account the long and short legs apart. */
export function venuePositionOf(p: { instrument: string; long: { units: string; averagePrice?: string }; short: { units: string; averagePrice?: string } }, hedging: boolean): VenuePosition | undefined {
  const long = new Decimal(p.long.units);
  const short = new Decimal(p.short.units).abs();
  const net = long.minus(short);
  if (long.isZero() && short.isZero()) return undefined;
  const avg = net.isPositive() && !net.isZero() ? p.long.averagePrice : net.isNegative() ? p.short.averagePrice : undefined;
  return {
    instrumentId: instrumentIdOf(p.instrument),
    quantity: quantity(net),
    ...(avg !== undefined ? { averagePrice: price(avg) } : {}),
    ...(hedging && !long.isZero() ? { long: { quantity: quantity(long), averagePrice: price(p.long.averagePrice ?? '0') } } : {}),
    ...(hedging && !short.isZero() ? { short: { quantity: quantity(short), averagePrice: price(p.short.averagePrice ?? '0') } } : {}),
  };
}
