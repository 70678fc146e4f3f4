/**
 * Commissions the way Binance Spot charges them (faqs/commission_faq.md, "How is the commission
 * calculated?"): the standard rate times the amount RECEIVED, taken out of the asset received — a
 * buy pays in the base asset (buying 0.001 BTC at 0.1% credits 0.000999 BTC), a sell in the quote
 * asset. With "use BNB to pay fees" on, the commission is converted into BNB, discounted, and taken
 * from free BNB instead; when free BNB is short, the full commission is taken from the asset received.
 *
 * The charging itself is the kit's fee schedule (`received` with BNB as the discount asset, rounded
 * to 8 places half-even); here are Binance's options, their checks and names. Choices where the
 * documentation is silent are in test/fake/README.md ("Fees").
 * @module
 */
import { AutotraderError, Decimal } from '@autotrader/core';
import { FeeSchedule as KitFeeSchedule, type Commission, type Ledger } from '@autotrader/testkit/fake-venue';
import { inputDecimal, round8 } from './format';
import type { Side } from './orders';
import type { SymbolRules } from './symbols';

export type { Commission };

/** The asset Binance's fee discount is paid in (`discount.discountAsset` of GET /api/v3/account/commission). */
export const BNB = 'BNB';

/** How the fake charges commissions, as given to `startFakeBinance`. */
export interface FeeOptions {
  /** Maker rate; default "0.001". */
  readonly makerCommission?: string;
  /** Taker rate; default "0.001". */
  readonly takerCommission?: string;
  /** Pay commissions in BNB at a discount while free BNB suffices; default false (the asset received). */
  readonly payFeesInBnb?: boolean;
  /** Fraction taken off the standard commission when it is paid in BNB; default "0.25" (25% off). */
  readonly bnbDiscount?: string;
  /** Price of 1 BNB in each quote asset (for example `{ USDT: '600' }`), to convert commissions into BNB. */
  readonly bnbPrices?: Readonly<Record<string, string>>;
}

/** The commission schedule of the fake's one account. */
export class FeeSchedule {
  readonly makerRate: Decimal;
  readonly takerRate: Decimal;
  readonly payInBnb: boolean;
  readonly bnbDiscount: Decimal;
  private readonly schedule: KitFeeSchedule;

  /** Reads and checks the options; with BNB fees on, every listed quote asset needs a BNB price. */
  constructor(o: FeeOptions, symbols: Iterable<SymbolRules>) {
    this.makerRate = inputDecimal('makerCommission', o.makerCommission ?? '0.001');
    this.takerRate = inputDecimal('takerCommission', o.takerCommission ?? '0.001');
    this.payInBnb = o.payFeesInBnb ?? false;
    this.bnbDiscount = inputDecimal('bnbDiscount', o.bnbDiscount ?? '0.25');
    if (this.bnbDiscount.gt(1)) throw new AutotraderError('CONFIG_INVALID', `Fake Binance: bnbDiscount is a fraction from 0 to 1 (0.25 = 25% off), got ${o.bnbDiscount}.`);
    const bnbPrices = new Map<string, Decimal>();
    for (const [asset, text] of Object.entries(o.bnbPrices ?? {})) {
      const price = inputDecimal(`bnbPrices.${asset}`, text);
      if (!price.gt(0)) throw new AutotraderError('CONFIG_INVALID', `Fake Binance: bnbPrices.${asset} must be above 0, got ${text}.`);
      bnbPrices.set(asset, price);
    }
    if (this.payInBnb) {
      for (const r of symbols) {
        if (r.quote !== BNB && !bnbPrices.has(r.quote)) {
          throw new AutotraderError(
            'CONFIG_INVALID',
            `Fake Binance: payFeesInBnb needs the price of 1 BNB in ${r.quote} (quote asset of ${r.symbol}) to convert commissions; give bnbPrices: { ${r.quote}: '…' }.`,
          );
        }
      }
    }
    this.schedule = new KitFeeSchedule({
      makerRate: this.makerRate,
      takerRate: this.takerRate,
      paidIn: 'received',
      // Binance prints commissions with the symbol's base/quoteCommissionPrecision: 8 places here.
      round: round8,
      discountAsset: this.payInBnb ? { asset: BNB, discount: this.bnbDiscount, priceIn: (quote) => bnbPrices.get(quote) } : undefined,
    });
  }

  /** The standard rate of a maker or taker fill. */
  rate(isMaker: boolean): Decimal {
    return this.schedule.rate(isMaker);
  }

  /**
   * The commission of one fill of `qty` at `price`. Read the ledger's free BNB before the fill
   * changes any balance: BNB is used only if it already covers the discounted commission.
   */
  charge(rules: SymbolRules, side: Side, price: Decimal, qty: Decimal, isMaker: boolean, ledger: Ledger): Commission {
    return this.schedule.charge(rules, side === 'BUY' ? 'buy' : 'sell', price, qty, isMaker, ledger);
  }
}
