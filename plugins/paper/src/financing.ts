import { Decimal, type Instrument } from '@autotrader/core';
import type { SimAccount } from './account';
import type { PaperVenueConfig } from './config';
import type { AccountValuation, MarkOf } from './margin-account';

/** Days a year for daily financing: an annual rate is charged 1/365 a day. */
const DAYS_PER_YEAR = 365;

/** One position's financing for one day, in the account's base currency. */
export interface FinancingCharge {
  readonly instrument: Instrument;
  /** The signed position it was charged on. */
  readonly quantity: Decimal;
  /** Booked to the base currency: negative is a charge, positive is paid to us. */
  readonly amount: Decimal;
}

/**
 * The daily financing (rollover) of an FX venue such as OANDA, as a model: every open position of an
 * instrument listed in `financing` (by id or symbol) is charged, once a day at `dayEndUtcHour`, its
 * annual rate / 365 on its value |quantity| × mark × multiplier converted to the base currency at the
 * current rate; `longRate` for a long position, `shortRate` for a short one. A positive rate is a
 * charge, a negative rate is paid to us. Every day counts the same (OANDA books a weekend's financing
 * on one weekday; this model spreads it evenly). The model draws nothing at random: the same data and
 * config give the same charges.
 */
export class FinancingModel {
  private readonly table: PaperVenueConfig['financing'];

  constructor(table: PaperVenueConfig['financing']) {
    this.table = table;
  }

  /** True when some instrument is financed. */
  get active(): boolean {
    return Object.keys(this.table).length > 0;
  }

  /** The day's charges of the account's open positions (an instrument without a mark yet is valued at its average price). */
  charges(account: SimAccount, valuation: AccountValuation, markOf: MarkOf): FinancingCharge[] {
    const out: FinancingCharge[] = [];
    for (const p of account.openPositions()) {
      const i = p.instrument;
      const rates = this.table[i.id] ?? this.table[i.symbol];
      if (rates === undefined) continue;
      const annual = new Decimal(p.quantity.isNegative() ? rates.shortRate : rates.longRate);
      if (annual.isZero()) continue;
      const mark = markOf(i) ?? p.averagePrice;
      const value = valuation.toBase(p.quantity.abs().mul(mark).mul(i.multiplier), i.quote);
      out.push({ instrument: i, quantity: p.quantity, amount: value.mul(annual).div(DAYS_PER_YEAR).neg() });
    }
    return out;
  }
}
