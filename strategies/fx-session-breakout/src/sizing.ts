import { AutotraderError, Decimal, roundToStep, type Instrument, type Quantity } from '@autotrader/core';

/**
 * What one unit of the instrument's quote currency is worth in the account currency, at the price
 * `px` of the instrument: 1 when the account is in the quote currency (USD for EUR/USD), 1/px when
 * it is in the base currency (EUR). The strategy sees no other rates: any other account currency is
 * RATE_MISSING, naming the pair.
 */
export function quoteToAccountRate(instrument: Pick<Instrument, 'base' | 'quote'>, accountCurrency: string, px: Decimal): Decimal {
  if (accountCurrency === instrument.quote) return new Decimal(1);
  if (accountCurrency === instrument.base) return new Decimal(1).div(px);
  throw new AutotraderError('RATE_MISSING', `fx-session-breakout sizes in the account currency ${accountCurrency}, which is neither side of ${instrument.base}/${instrument.quote}: no ${instrument.quote}/${accountCurrency} rate is known to the strategy`, {
    details: { pair: `${instrument.quote}/${accountCurrency}` },
  });
}

/** Everything the size of one breakout order depends on. Amounts are in the account currency. */
export interface SizingInput {
  readonly nav: Decimal;
  readonly marginAvailable: Decimal;
  /** The entry (the stop order's trigger) and the stop-loss. */
  readonly entry: Decimal;
  readonly stop: Decimal;
  /** One unit of the quote currency in the account currency ({@link quoteToAccountRate}). */
  readonly quoteToAccount: Decimal;
  /** Share of NAV lost if the stop-loss is hit (0.01 = 1%). */
  readonly riskFraction: number;
  /** Initial margin as a fraction of notional (1 for a cash account: the whole notional is paid). */
  readonly marginRate: Decimal;
  /** The most of the margin available one entry may take. */
  readonly maxMarginShare: number;
}

/** An order size and what set it. */
export interface Sizing {
  /** On the lot grid, rounded down; 0 when below the instrument's minimum. */
  readonly units: Quantity;
  /** Units the risk allows, before rounding. */
  readonly byRisk: Decimal;
  /** Units the margin cap allows, before rounding. */
  readonly byMargin: Decimal;
  readonly limitedBy: 'risk' | 'margin';
}

/**
 * Units from a risk fraction of NAV and the stop distance: riskFraction × NAV / (|entry − stop| ×
 * multiplier × quoteToAccount), capped so the initial margin (units × entry × multiplier × marginRate,
 * in the account currency) is at most maxMarginShare × the margin available, then rounded down to
 * the lot. The cap is reckoned at the entry price: a stop that fills through a gap fills at a worse
 * price, and its margin moves with that price (and later with the mark).
 */
export function sizeOrder(instrument: Pick<Instrument, 'multiplier' | 'lotSize' | 'minQuantity'>, s: SizingInput): Sizing {
  const distance = s.entry.minus(s.stop).abs();
  const zero = new Decimal(0);
  const lossPerUnit = distance.mul(instrument.multiplier).mul(s.quoteToAccount);
  const byRisk = lossPerUnit.isZero() || !s.nav.gt(0) ? zero : s.nav.mul(s.riskFraction).div(lossPerUnit);
  const marginPerUnit = s.entry.mul(instrument.multiplier).mul(s.marginRate).mul(s.quoteToAccount);
  const byMargin = marginPerUnit.isZero() || !s.marginAvailable.gt(0) ? zero : s.marginAvailable.mul(s.maxMarginShare).div(marginPerUnit);
  const limitedBy = byMargin.lt(byRisk) ? 'margin' : 'risk';
  const rounded = roundToStep(Decimal.min(byRisk, byMargin), instrument.lotSize, 'down') as Quantity;
  const units = rounded.lt(instrument.minQuantity) || rounded.isZero() ? (zero as Quantity) : rounded;
  return { units, byRisk, byMargin, limitedBy };
}
