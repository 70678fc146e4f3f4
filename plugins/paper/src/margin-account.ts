import {
  Decimal,
  RateBook,
  ZERO,
  marginOf,
  marginRateOf,
  quoteToBaseAtFill,
  settlesProfitOnly,
  type AccountConfig,
  type AccountSummary,
  type AccountType,
  type Instrument,
  type Money,
  type OrderSide,
} from '@autotrader/core';
import type { SimAccount } from './account';

/** The current price of an instrument as the venue marks it (its last price), or undefined before any. */
export type MarkOf = (instrument: Instrument) => Decimal | undefined;

/** An account's figures in its base currency, exact. */
export interface AccountFigures {
  /** Every currency's cash converted to the base currency (a spot holding included). */
  readonly balance: Decimal;
  /** Σ (mark − average price) × quantity × multiplier of the open positions, converted. */
  readonly unrealizedPnl: Decimal;
  /** balance + the open positions: their unrealized profit where only profit settles, their value where the notional was paid. */
  readonly nav: Decimal;
  /** Σ marginOf(instrument, quantity, mark, marginRateOf(instrument)) converted; 0 in a cash account. */
  readonly marginUsed: Decimal;
}

/** An open position in plain numbers, for the closeout screen. */
interface ScreenPosition {
  readonly instrument: Instrument;
  readonly quantity: number;
  readonly averagePrice: number;
  readonly multiplier: number;
  readonly marginRate: number;
  readonly profitOnly: boolean;
  readonly spot: boolean;
}


/**
 * How the simulated venue values an account, in one place: which fills move only their profit, the
 * rate a fill converts at, NAV, margin used and the margin an order needs. Every margin figure comes
 * from core's `marginOf` and `marginRateOf` and every conversion from core's {@link RateBook}, so the
 * venue and the engine's ledger can never reckon them differently.
 *
 * - A margin account settles FX, futures and perpetuals by profit only (`settlesProfitOnly`): their
 *   realized P/L and fees, converted to the base currency at the fill's rate, go to the base currency's
 *   cash. Everything else pays its notional in the quote currency, which may go negative (borrowed).
 * - NAV = Σ cash converted at the current rate + Σ open positions converted at the current rate: the
 *   unrealized P/L of a profit-only position, the value (quantity × mark × multiplier) of a position
 *   whose notional was paid; a spot position is its base asset's balance, already in the cash.
 * - Margin used = Σ over open positions of marginOf(at the mark), converted. Margin available = NAV − margin used.
 *
 * Marks are the venue's last prices: a trade, a bar's close, the mid of a quote. OANDA computes margin
 * figures at mid prices too ("Only mid-prices are used in the margin calculations", help.oanda.com,
 * FAQ "v20 Margin-related calculations").
 */
export class AccountValuation {
  readonly type: AccountType;
  readonly baseCurrency: string;
  readonly config: AccountConfig;
  /** Conversion rates: the last prices of the venue's currency pairs, then the config's table. */
  readonly rates: RateBook;
  private readonly rateById = new Map<string, Decimal>();
  /** The account in plain numbers for {@link mayCloseOut}, rebuilt when the account's version moves. */
  private screen: { version: number; cash: [string, number][]; positions: ScreenPosition[] } | undefined;
  private readonly level: number;

  constructor(config: AccountConfig, baseCurrency: string) {
    this.config = config;
    this.type = config.type;
    this.baseCurrency = baseCurrency;
    this.rates = new RateBook(config.rates);
    this.level = Number(config.closeoutLevel);
  }

  /** True in a margin account. */
  get margin(): boolean {
    return this.type === 'margin';
  }

  /** True when a fill of this instrument moves only its profit (core's `settlesProfitOnly`). */
  profitOnly(i: Instrument): boolean {
    return settlesProfitOnly(i, this.type);
  }

  /** The instrument's initial margin rate (core's `marginRateOf`), computed once per instrument. */
  marginRate(i: Instrument): Decimal {
    let r = this.rateById.get(i.id);
    if (r === undefined) {
      r = marginRateOf(i, this.config);
      this.rateById.set(i.id, r);
    }
    return r;
  }

  /** Base-currency units per quote-currency unit at a fill at `px` (core's quoteToBaseAtFill: the ledger converts with the same). */
  fillRate(i: Instrument, px: Decimal): Decimal {
    return quoteToBaseAtFill(i, px, this.baseCurrency, this.rates);
  }

  /** Converts an amount of `currency` to the base currency at the current rate. */
  toBase(amount: Decimal, currency: string): Decimal {
    return this.rates.convert(amount, currency, this.baseCurrency);
  }

  /**
   * The part of an order of `quantity` on `side` that adds to the position `position` (what a
   * reducing order closes first is not new exposure): 0 for an order that only reduces.
   */
  static increase(position: Decimal, side: OrderSide, quantity: Decimal): Decimal {
    const reducible = side === 'buy' ? Decimal.max(position.neg(), 0) : Decimal.max(position, 0);
    return Decimal.max(quantity.sub(reducible), 0);
  }

  /** The initial margin of `quantity` at `px`, in the base currency (core's `marginOf`, converted). */
  marginFor(i: Instrument, quantity: Decimal, px: Decimal): Decimal {
    return this.toBase(marginOf(i, quantity, px, this.marginRate(i)), i.quote);
  }

  /** The account's figures now, positions marked at `markOf` (a position with no mark yet at its average price). */
  figures(account: SimAccount, markOf: MarkOf): AccountFigures {
    let balance: Decimal = ZERO;
    for (const [currency, c] of account.cashTotals()) if (!c.total.isZero()) balance = balance.add(this.toBase(c.total, currency));
    let unrealized: Decimal = ZERO;
    let positions: Decimal = ZERO;
    let marginUsed: Decimal = ZERO;
    for (const p of account.openPositions()) {
      const i = p.instrument;
      const mark = markOf(i) ?? p.averagePrice;
      const pnl = this.toBase(mark.sub(p.averagePrice).mul(p.quantity).mul(i.multiplier), i.quote);
      unrealized = unrealized.add(pnl);
      if (this.profitOnly(i)) positions = positions.add(pnl);
      else if (!p.spot) positions = positions.add(this.toBase(p.quantity.mul(mark).mul(i.multiplier), i.quote));
      if (this.margin) marginUsed = marginUsed.add(this.marginFor(i, p.quantity, mark));
    }
    return { balance, unrealizedPnl: unrealized, nav: balance.add(positions), marginUsed };
  }

  /** The figures as core's {@link AccountSummary}; margin available = NAV − margin used. */
  summary(account: SimAccount, markOf: MarkOf, ts: number): AccountSummary {
    const f = this.figures(account, markOf);
    return {
      accountType: this.type,
      baseCurrency: this.baseCurrency,
      balance: f.balance as Money,
      unrealizedPnl: f.unrealizedPnl as Money,
      nav: f.nav as Money,
      marginUsed: f.marginUsed as Money,
      marginAvailable: f.nav.sub(f.marginUsed) as Money,
      tsEvent: ts,
    };
  }

  /**
   * A screen in plain numbers, run on every market event so that the exact figures are computed only
   * near the closeout: false when NAV is clearly above the closeout level × margin used (the same
   * formulas as {@link figures} in doubles, with a tolerance far wider than their rounding), true when
   * {@link mustCloseOut} on the exact figures must decide.
   */
  mayCloseOut(account: SimAccount, markOf: (i: Instrument) => number): boolean {
    if (!this.margin) return false;
    let s = this.screen;
    if (s === undefined || s.version !== account.version) {
      s = { version: account.version, cash: [], positions: [] };
      for (const [currency, c] of account.cashTotals()) if (!c.total.isZero()) s.cash.push([currency, c.total.toNumber()]);
      for (const p of account.openPositions()) {
        const i = p.instrument;
        s.positions.push({ instrument: i, quantity: p.quantity.toNumber(), averagePrice: p.averagePrice.toNumber(), multiplier: i.multiplier.toNumber(), marginRate: this.marginRate(i).toNumber(), profitOnly: this.profitOnly(i), spot: p.spot });
      }
      this.screen = s;
    }
    if (s.positions.length === 0) return false;
    const base = this.baseCurrency;
    let nav = 0;
    let used = 0;
    for (const [currency, total] of s.cash) nav += currency === base ? total : total * this.rates.rateNumber(currency, base);
    for (const p of s.positions) {
      const i = p.instrument;
      let mark = markOf(i);
      if (!Number.isFinite(mark)) mark = p.averagePrice;
      const r = i.quote === base ? 1 : this.rates.rateNumber(i.quote, base);
      if (p.profitOnly) nav += (mark - p.averagePrice) * p.quantity * p.multiplier * r;
      else if (!p.spot) nav += p.quantity * mark * p.multiplier * r;
      used += Math.abs(p.quantity) * mark * p.multiplier * p.marginRate * r;
    }
    if (!(used > 0)) return false;
    return nav <= this.level * used + 1e-9 * (Math.abs(nav) + used + 1);
  }

  /**
   * True when the account must be closed out: margin is in use and NAV has fallen to the closeout
   * level × margin used. OANDA: "Margin_% = (0.5 × Margin_Used) / NAV … up to 100%, at which point a
   * Margin Close-Out event is triggered" (help.oanda.com, FAQ "Margin-related calculations"), that is
   * NAV ≤ 0.5 × margin used; the level is the config's `closeoutLevel`.
   */
  mustCloseOut(f: AccountFigures): boolean {
    return f.marginUsed.gt(0) && f.nav.lte(f.marginUsed.mul(this.config.closeoutLevel));
  }
}
