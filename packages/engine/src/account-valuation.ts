import type { HedgedLegs } from './hedged-legs';
import { Decimal, marginOf, money, ZERO, type AccountSummary, type AccountType, type Instrument, type Money, type RateBook } from '@autotrader/core';

/** What the valuation reads of one position (the portfolio's own state, read-only). */
export interface ValuedPosition {
  readonly instrument: Instrument;
  readonly qty: Decimal;
  readonly avg: Decimal;
  readonly qtyF: number;
  readonly avgF: number;
  readonly last: number;
  readonly mult: number;
  /** Profit-only settlement (core's settlesProfitOnly): the position counts by its unrealized P/L, not its value. */
  readonly profitOnly: boolean;
  /** The position is a currency balance (crypto spot): its base asset's cash is not counted again. */
  readonly baseSettled: boolean;
  readonly marginRate: Decimal;
  readonly marginRateF: number;
  /** A hedging account's instrument: long and short legs apart (the net quantity is in qty). */
  readonly legs?: HedgedLegs;
}

/**
 * Every currency's cash, exactly, with a plain-number copy of the non-zero balances that is remade only
 * after a change: marking NAV on every event reads numbers, never decimals.
 */
export class CashBook extends Map<string, Money> {
  private cached: [string, number][] | undefined;

  override set(currency: string, amount: Money): this {
    this.cached = undefined;
    return super.set(currency, amount);
  }

  override delete(currency: string): boolean {
    this.cached = undefined;
    return super.delete(currency);
  }

  override clear(): void {
    this.cached = undefined;
    super.clear();
  }

  /** The non-zero balances as plain numbers. */
  numbers(): readonly (readonly [string, number])[] {
    if (this.cached === undefined) {
      this.cached = [];
      for (const [ccy, amount] of this) if (!amount.isZero()) this.cached.push([ccy, amount.toNumber()]);
    }
    return this.cached;
  }
}

/** NAV, margin and gross exposure in the base currency, as plain numbers (marking on every event). */
export interface ValuationNumbers {
  nav: number;
  marginUsed: number;
  gross: number;
}

/**
 * Values an account in its base currency: every currency's cash and every open position converted at
 * the current rate. A position settled profit-only (futures, perpetuals, FX in a margin account) is
 * worth its unrealized P/L; any other is worth its market value. Margin used is Σ |qty| · price ·
 * multiplier · margin rate, converted. The float form is for marking; the exact form is what a summary
 * prints and what is compared with the venue's figures.
 */
export class AccountValuation {
  /** Base assets held as positions (crypto spot), reused between marks. */
  private readonly held = new Set<string>();

  constructor(
    private readonly base: string,
    private readonly rates: RateBook,
    private readonly accountType: AccountType,
  ) {}

  /** Plain-number NAV, margin used and gross exposure. `override` values one position at another price (a fill's). */
  numbers(cash: CashBook, positions: Iterable<ValuedPosition>, override?: { readonly id: string; readonly px: number }, out: ValuationNumbers = { nav: 0, marginUsed: 0, gross: 0 }): ValuationNumbers {
    let nav = 0;
    let margin = 0;
    let gross = 0;
    const held = this.held;
    held.clear();
    for (const p of positions) {
      if (p.baseSettled) held.add(p.instrument.base);
      const px = override !== undefined && override.id === p.instrument.id ? override.px : p.last;
      if (p.legs !== undefined) {
        // Hedged: both legs count, and margin is on the larger one.
        const size = p.legs.marginQty().toNumber();
        if (size === 0) continue;
        const rate = this.rates.rateNumber(p.instrument.quote, this.base);
        const open = p.legs.unrealized(new Decimal(px)).toNumber();
        nav += (p.profitOnly ? open : p.qtyF * px * p.mult) * rate;
        margin += size * px * p.mult * p.marginRateF * rate;
        gross += (p.legs.longQty().toNumber() + p.legs.shortQty().toNumber()) * px * p.mult * rate;
        continue;
      }
      if (p.qtyF === 0) continue;
      const rate = this.rates.rateNumber(p.instrument.quote, this.base);
      const value = p.qtyF * px * p.mult;
      nav += (p.profitOnly ? (px - p.avgF) * p.qtyF * p.mult : value) * rate;
      margin += Math.abs(value) * p.marginRateF * rate;
      gross += Math.abs(value) * rate;
    }
    for (const [ccy, amount] of cash.numbers()) {
      if (held.size > 0 && held.has(ccy)) continue;
      const rate = this.rateOrUndefined(ccy);
      if (rate !== undefined) nav += amount * rate;
    }
    out.nav = nav;
    out.marginUsed = this.accountType === 'margin' ? margin : 0;
    out.gross = gross;
    return out;
  }

  /** The exact summary, for printing and for comparing with the venue's. */
  summary(cash: ReadonlyMap<string, Decimal>, positions: Iterable<ValuedPosition>, ts: number): AccountSummary {
    let cashTotal: Decimal = ZERO;
    let positionsWorth: Decimal = ZERO;
    let unrealized: Decimal = ZERO;
    let margin: Decimal = ZERO;
    const held = new Set<string>();
    const list = [...positions];
    for (const p of list) if (p.baseSettled) held.add(p.instrument.base);
    for (const [ccy, amount] of cash) {
      if (held.has(ccy) || amount.isZero()) continue;
      if (ccy === this.base || this.rates.has(ccy, this.base)) cashTotal = cashTotal.plus(this.rates.convert(amount, ccy, this.base));
    }
    for (const p of list) {
      const size = p.legs === undefined ? p.qty.abs() : p.legs.marginQty();
      if (size.isZero() || p.last === 0) continue;
      const px = new Decimal(p.last);
      const rate = this.rates.rate(p.instrument.quote, this.base);
      const upnl = (p.legs === undefined ? px.minus(p.avg).mul(p.qty).mul(p.instrument.multiplier) : p.legs.unrealized(px)).mul(rate);
      unrealized = unrealized.plus(upnl);
      // What the position adds to NAV: its unrealized P/L (profit-only), or its whole value where the notional was paid.
      positionsWorth = positionsWorth.plus(p.profitOnly ? upnl : p.qty.mul(px).mul(p.instrument.multiplier).mul(rate));
      if (this.accountType === 'margin') margin = margin.plus(marginOf(p.instrument, size, px, p.marginRate).mul(rate));
    }
    const nav = cashTotal.plus(positionsWorth);
    // The balance is NAV less the open P/L: the cash, plus what was paid for positions whose notional was paid (their cost).
    const balance = nav.minus(unrealized);
    return {
      accountType: this.accountType,
      baseCurrency: this.base,
      balance: money(balance),
      unrealizedPnl: money(unrealized),
      nav: money(nav),
      marginUsed: money(margin),
      marginAvailable: money(nav.minus(margin)),
      tsEvent: ts,
    };
  }

  /** Gross notional per quote currency, in that currency (the exposure a multi-currency run reports). */
  exposureByCurrency(positions: Iterable<ValuedPosition>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of positions) {
      if (p.qtyF === 0) continue;
      out[p.instrument.quote] = (out[p.instrument.quote] ?? 0) + Math.abs(p.qtyF * p.last * p.mult);
    }
    return out;
  }

  /**
   * A currency's rate to the base. A quote currency of a traded instrument must have one (RATE_MISSING
   * otherwise, from the RateBook); a stray balance (a fee asset such as BNB) with no rate is left out of
   * NAV rather than valued at an assumed 1.
   */
  private rateOrUndefined(ccy: string): number | undefined {
    if (ccy === this.base) return 1;
    return this.rates.has(ccy, this.base) ? this.rates.rateNumber(ccy, this.base) : undefined;
  }
}
