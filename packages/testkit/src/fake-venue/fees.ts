/**
 * Commissions in any asset, the ways venues charge them:
 * - `received`: the rate times the amount received, out of the asset received (Binance by default,
 *   OKX spot): a buy pays in the base asset (buying 0.001 BTC at 0.1% credits 0.000999 BTC), a sell
 *   in the quote asset;
 * - `quote`: the rate times the notional, always in the quote asset (Coinbase): a buy pays it with
 *   the notional, a sell out of the quote it receives;
 * - with a discount asset (Binance's BNB): the standard commission converted into that asset,
 *   discounted, and taken from its free balance while that covers it; otherwise the standard
 *   commission as above.
 * Each commission is rounded by the venue's rule before any balance moves.
 * @module
 */
import { AutotraderError, Decimal, type OrderSide } from '@autotrader/core';
import type { Commission, Ledger } from './ledger';

/** A third asset fees can be paid in at a discount. */
export interface DiscountAsset {
  readonly asset: string;
  /** Fraction taken off the standard commission (0.25 = 25% off). */
  readonly discount: Decimal;
  /** Price of 1 unit of `asset` in `quote` (not asked when `quote` is the asset itself). */
  readonly priceIn: (quote: string) => Decimal | undefined;
}

/** How a {@link FeeSchedule} charges. */
export interface FeeScheduleOptions {
  readonly makerRate: Decimal;
  readonly takerRate: Decimal;
  /** Which asset the standard commission is in. */
  readonly paidIn: 'received' | 'quote';
  /** Pay in this asset at a discount while its free balance covers it. */
  readonly discountAsset?: DiscountAsset;
  /** Rounds every commission (Binance: 8 places, half-even). */
  readonly round: (amount: Decimal) => Decimal;
}

/** A traded pair, as fees see it. */
export interface FeePair {
  readonly base: string;
  readonly quote: string;
}

/** The commission schedule of one fake account. */
export class FeeSchedule {
  readonly makerRate: Decimal;
  readonly takerRate: Decimal;
  readonly paidIn: 'received' | 'quote';
  readonly discountAsset: DiscountAsset | undefined;

  constructor(private readonly o: FeeScheduleOptions) {
    this.makerRate = o.makerRate;
    this.takerRate = o.takerRate;
    this.paidIn = o.paidIn;
    this.discountAsset = o.discountAsset;
    const d = o.discountAsset?.discount;
    if (d !== undefined && (d.isNeg() || d.gt(1))) throw new AutotraderError('CONFIG_INVALID', `a fee discount is a fraction from 0 to 1, got ${d.toString()}`);
  }

  /** The standard rate of a maker or taker fill. */
  rate(isMaker: boolean): Decimal {
    return isMaker ? this.makerRate : this.takerRate;
  }

  /**
   * The commission of one fill of `qty` at `price`. Call it before the fill moves any balance: a
   * discount asset pays only if its free balance already covers the discounted commission.
   */
  charge(pair: FeePair, side: OrderSide, price: Decimal, qty: Decimal, isMaker: boolean, ledger: Ledger): Commission {
    const notional = price.mul(qty);
    const standard: Commission =
      this.paidIn === 'quote'
        ? { amount: this.o.round(notional.mul(this.rate(isMaker))), asset: pair.quote, from: side === 'buy' ? 'order' : 'received' }
        : side === 'buy'
          ? { amount: this.o.round(qty.mul(this.rate(isMaker))), asset: pair.base, from: 'received' }
          : { amount: this.o.round(notional.mul(this.rate(isMaker))), asset: pair.quote, from: 'received' };
    const third = this.discountAsset;
    if (third !== undefined) {
      const inThird = this.o.round(this.convert(standard.amount, standard.asset, pair, price, third).mul(new Decimal(1).minus(third.discount)));
      if (ledger.free(third.asset).gte(inThird)) return { amount: inThird, asset: third.asset, from: 'free' };
    }
    return standard;
  }

  /** `amount` of `asset` (the pair's base or quote) in the discount asset: base via the fill price, quote via the asset's price. */
  private convert(amount: Decimal, asset: string, pair: FeePair, price: Decimal, third: DiscountAsset): Decimal {
    if (asset === third.asset) return amount;
    const inQuote = asset === pair.quote ? amount : amount.mul(price);
    if (pair.quote === third.asset) return inQuote;
    const p = third.priceIn(pair.quote);
    if (p === undefined || !p.gt(0)) {
      throw new AutotraderError('CONFIG_INVALID', `fees in ${third.asset} need the price of 1 ${third.asset} in ${pair.quote} to convert commissions`);
    }
    return inQuote.div(p);
  }
}
