/**
 * The account model shared by the engine's ledger, the simulated venue and the venue plugins: what
 * kind of account it is, which currency it is measured in, how margin is reckoned and how an amount
 * in one currency becomes another. One module, so that the ledger and the simulated venue can never
 * reckon margin or convert profit differently.
 */
import { z } from 'zod';
import { Decimal, ZERO, type DecimalLike, type Money } from './decimal';
import { AutotraderError } from './errors';
import { decimalText, type Instrument } from './instrument';
import type { AccountType } from './account';

const positiveDecimal = decimalText.refine((v) => new Decimal(v).gt(0), 'must be > 0');
const currencyCode = z.string().regex(/^[A-Z0-9]{2,12}$/, 'must be a currency code such as USD, EUR or USDT');
/** A rate's key: `BASE/QUOTE`, the price of one BASE in QUOTE (`EUR/USD: 1.08`). */
const pairKey = z.string().regex(/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, 'must be a pair such as EUR/USD');

/**
 * How an account is set up. Every field has a default, so that no block at all means what every run
 * meant before: a cash account in the quote currency of the first instrument.
 */
export const accountConfigSchema = z.strictObject({
  /** `cash` cannot borrow (no shorts unless the venue allows them); `margin` posts margin and may be short. */
  type: z.enum(['cash', 'margin']).default('cash'),
  /** The currency NAV, equity and returns are measured in (default: the first instrument's quote currency). */
  baseCurrency: currencyCode.optional(),
  /** Margin rate 1/leverage for every instrument without a rate of its own (50 → 0.02). */
  leverage: positiveDecimal.optional(),
  /** Initial margin rates by instrument id (`EUR_USD.OANDA`) or symbol (`EUR_USD`): they win over the instrument's own. */
  marginRates: z.record(z.string().min(1), positiveDecimal).default({}),
  /**
   * The margin closeout level: when NAV falls below this fraction of the margin used, the venue closes
   * positions out (OANDA: 0.5, "margin closeout at 50% of margin used").
   */
  closeoutLevel: positiveDecimal.refine((v) => new Decimal(v).lte(1), 'must be ≤ 1').default('0.5'),
  /** Conversion rates used when no market data of the pair is seen: `{"EUR/USD": "1.08"}`. */
  rates: z.record(pairKey, positiveDecimal).default({}),
  /** Hedging: long and short positions kept apart per instrument (default netting). */
  hedging: z.boolean().default(false),
});
/** An account's setup as written in a config file. */
export type AccountConfigInput = z.input<typeof accountConfigSchema>;
/** An account's setup, parsed. */
export type AccountConfig = z.output<typeof accountConfigSchema>;

/** The account every run had before accounts were configurable: cash, in the first instrument's quote currency. */
export const DEFAULT_ACCOUNT: AccountConfig = accountConfigSchema.parse({});

/**
 * True when a fill of this instrument moves no notional in this account, only its profit: futures,
 * perpetuals and FX in a margin account (OANDA books an FX trade's P/L, never its notional). A cash
 * account, and equities, options and crypto spot in a margin account, pay the notional (a margin
 * account may borrow it: the cash goes negative).
 */
export function settlesProfitOnly(instrument: Instrument, accountType: AccountType): boolean {
  return accountType === 'margin' && (instrument.assetClass === 'fx' || instrument.assetClass === 'future' || instrument.assetClass === 'perpetual');
}

/** True for an instrument whose base and quote are both currencies (FX, crypto spot): its price is a conversion rate. */
export function isCurrencyPair(instrument: Instrument): boolean {
  return instrument.assetClass === 'fx' || (instrument.assetClass === 'spot' && instrument.base !== instrument.quote);
}

/**
 * How many base-currency units one unit of an instrument's quote currency is worth at a fill at `px`:
 * 1 in the base currency; the fill price itself when the instrument is the conversion pair (EUR/USD
 * filled in a EUR account: 1 / px); otherwise the rate book's current rate (RATE_MISSING naming the pair).
 * The ledger and the simulated venue convert a fill's profit with this one function.
 */
export function quoteToBaseAtFill(instrument: Instrument, px: Decimal, baseCurrency: string, rates: RateBook): Decimal {
  if (instrument.quote === baseCurrency) return new Decimal(1);
  if (isCurrencyPair(instrument) && instrument.base === baseCurrency) return new Decimal(1).div(px);
  return rates.rate(instrument.quote, baseCurrency);
}

/**
 * An instrument's initial margin rate in an account: the config's rate for its id or symbol, else the
 * instrument's own, else 1/leverage, else 1 (the whole notional: no leverage at all).
 */
export function marginRateOf(instrument: Instrument, config: AccountConfig): Decimal {
  const configured = config.marginRates[instrument.id] ?? config.marginRates[instrument.symbol];
  if (configured !== undefined) return new Decimal(configured);
  if (instrument.marginRate !== undefined) return instrument.marginRate;
  if (config.leverage !== undefined) return new Decimal(1).div(config.leverage);
  return new Decimal(1);
}

/**
 * The margin a position (or an order) of `quantity` at `px` needs, in the instrument's quote
 * currency: |quantity| × price × multiplier × margin rate. Convert it with a {@link RateBook}.
 */
export function marginOf(instrument: Instrument, quantity: Decimal, px: DecimalLike, marginRate: Decimal): Decimal {
  return quantity.abs().mul(px).mul(instrument.multiplier).mul(marginRate);
}

/**
 * What an account is worth, in its base currency, as a venue reports it and as our ledger computes it.
 * `balance` is the cash (plus realized profit) converted to the base currency; `nav` adds the open
 * positions (their unrealized profit, or their value where the notional was paid).
 */
export interface AccountSummary {
  readonly accountType: AccountType;
  readonly baseCurrency: string;
  readonly balance: Money;
  readonly unrealizedPnl: Money;
  readonly nav: Money;
  readonly marginUsed: Money;
  readonly marginAvailable: Money;
  readonly tsEvent: number;
}

/**
 * Conversion rates between currencies: from market data of the conversion pair when it is seen
 * (`observe`), otherwise from the config's table; the same currency is 1. Never assumes 1 for two
 * different currencies: a pair with no rate is RATE_MISSING, naming it.
 */
export class RateBook {
  /** Rates seen in market data by base then quote: the number as it came, its exact decimal made on first use. */
  private readonly seen = new Map<string, Map<string, { num: number; dec?: Decimal }>>();
  private readonly table = new Map<string, Map<string, Decimal>>();

  constructor(table: Readonly<Record<string, DecimalLike>> = {}) {
    for (const [pair, rate] of Object.entries(table)) {
      const [base, quote] = pair.split('/') as [string, string];
      let row = this.table.get(base);
      if (row === undefined) this.table.set(base, (row = new Map()));
      row.set(quote, new Decimal(rate));
    }
  }

  /** Records the current price of one `base` in `quote` (market data of that pair). O(1), no decimal made. */
  observe(base: string, quote: string, px: number): void {
    if (!(px > 0) || !Number.isFinite(px)) return;
    let row = this.seen.get(base);
    if (row === undefined) this.seen.set(base, (row = new Map()));
    const s = row.get(quote);
    if (s === undefined) row.set(quote, { num: px });
    else if (s.num !== px) {
      s.num = px;
      s.dec = undefined;
    }
  }

  private direct(base: string, quote: string): Decimal | undefined {
    const s = this.seen.get(base)?.get(quote);
    if (s !== undefined) return (s.dec ??= new Decimal(s.num));
    return this.table.get(base)?.get(quote);
  }

  /** True when `rate(from, to)` has an answer. */
  has(from: string, to: string): boolean {
    return from === to || this.direct(from, to) !== undefined || this.direct(to, from) !== undefined;
  }

  /** How many `to` one `from` is worth, exactly. RATE_MISSING names the pair when there is no rate. */
  rate(from: string, to: string): Decimal {
    if (from === to) return new Decimal(1);
    const d = this.direct(from, to);
    if (d !== undefined) return d;
    const inverse = this.direct(to, from);
    if (inverse !== undefined) return new Decimal(1).div(inverse);
    throw new AutotraderError('RATE_MISSING', `no conversion rate for ${from}/${to}: no market data of ${from}/${to} or ${to}/${from} and no rates["${from}/${to}"] in the account config`, {
      details: { pair: `${from}/${to}` },
    });
  }

  /** The same as {@link rate}, as a plain number (for marking equity on every event). */
  rateNumber(from: string, to: string): number {
    if (from === to) return 1;
    const d = this.seen.get(from)?.get(to);
    if (d !== undefined) return d.num;
    const inv = this.seen.get(to)?.get(from);
    if (inv !== undefined) return 1 / inv.num;
    return this.rate(from, to).toNumber();
  }

  /** Converts an amount from one currency to another. */
  convert(amount: Decimal, from: string, to: string): Decimal {
    return from === to ? amount : amount.mul(this.rate(from, to));
  }
}

/** The zero summary of an account that holds nothing. */
export function emptyAccountSummary(accountType: AccountType, baseCurrency: string, ts: number): AccountSummary {
  const zero = ZERO as Money;
  return { accountType, baseCurrency, balance: zero, unrealizedPnl: zero, nav: zero, marginUsed: zero, marginAvailable: zero, tsEvent: ts };
}
