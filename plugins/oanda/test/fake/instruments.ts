/**
 * Instruments the fake lists, and the market: the latest price of each (bids and asks with their
 * liquidity, as `price()` set them) and the home conversion of an amount in a quote currency into
 * an account's currency.
 * @module
 */
import { AutotraderError, Decimal } from '@autotrader/core';
import { decimalInput, nanosAt, type Nanos } from './wire';

/** How a test describes an instrument (the fields of v20 `Instrument` the fake uses). */
export interface FakeOandaInstrumentSpec {
  name: string;
  type?: 'CURRENCY';
  pipLocation: number;
  displayPrecision: number;
  tradeUnitsPrecision: number;
  minimumTradeSize: string;
  maximumOrderUnits: string;
  marginRate: string;
}

/**
 * The default instruments. EUR_USD is the captured instrument (fixtures
 * `accounts__v3_account_by_accountID_instruments.json`: pipLocation -4, displayPrecision 5,
 * tradeUnitsPrecision 0, minimumTradeSize 1, maximumOrderUnits 100000000) with the 2% margin of
 * OANDA's US division; the others follow the same pattern with JPY's pip at -2.
 */
export const DEFAULT_INSTRUMENTS: readonly FakeOandaInstrumentSpec[] = [
  { name: 'EUR_USD', type: 'CURRENCY', pipLocation: -4, displayPrecision: 5, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.02' },
  { name: 'USD_JPY', type: 'CURRENCY', pipLocation: -2, displayPrecision: 3, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.04' },
  { name: 'EUR_GBP', type: 'CURRENCY', pipLocation: -4, displayPrecision: 5, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.05' },
  { name: 'GBP_USD', type: 'CURRENCY', pipLocation: -4, displayPrecision: 5, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.05' },
];

/** An instrument with its numbers parsed. */
export interface Instrument {
  readonly spec: FakeOandaInstrumentSpec;
  readonly name: string;
  readonly base: string;
  readonly quote: string;
  readonly minimumTradeSize: Decimal;
  readonly maximumOrderUnits: Decimal;
  readonly marginRate: Decimal;
}

/** Parses and checks a test's instrument list. */
export function toInstruments(specs: readonly FakeOandaInstrumentSpec[]): Map<string, Instrument> {
  const out = new Map<string, Instrument>();
  for (const s of specs) {
    const m = /^([A-Z0-9]+)_([A-Z0-9]+)$/.exec(s.name);
    if (m === null) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: instrument name ${JSON.stringify(s.name)} is not BASE_QUOTE (e.g. EUR_USD).`);
    if (out.has(s.name)) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: instrument ${s.name} is listed twice.`);
    const dec = (what: string, v: string): Decimal => {
      const d = decimalInput(v, false);
      if (d === undefined) throw new AutotraderError('CONFIG_INVALID', `Fake OANDA: ${s.name} ${what} must be a decimal string, got ${JSON.stringify(v)}.`);
      return d;
    };
    out.set(s.name, {
      spec: s,
      name: s.name,
      base: m[1]!,
      quote: m[2]!,
      minimumTradeSize: dec('minimumTradeSize', s.minimumTradeSize),
      maximumOrderUnits: dec('maximumOrderUnits', s.maximumOrderUnits),
      marginRate: dec('marginRate', s.marginRate),
    });
  }
  return out;
}

/** v20 `Instrument` JSON (fields as in the captured `/instruments` response). */
export function instrumentJson(i: Instrument): Record<string, unknown> {
  const s = i.spec;
  return {
    name: s.name,
    type: s.type ?? 'CURRENCY',
    displayName: `${i.base}/${i.quote}`,
    pipLocation: s.pipLocation,
    displayPrecision: s.displayPrecision,
    tradeUnitsPrecision: s.tradeUnitsPrecision,
    minimumTradeSize: s.minimumTradeSize,
    maximumTrailingStopDistance: new Decimal(1).toFixed(s.displayPrecision),
    // 5 pips, as captured for EUR_USD ("0.00050").
    minimumTrailingStopDistance: new Decimal(5).times(pipSize(s.pipLocation)).toFixed(s.displayPrecision),
    maximumPositionSize: '0',
    maximumOrderUnits: s.maximumOrderUnits,
    marginRate: s.marginRate,
  };
}

/** 10^pipLocation. */
export function pipSize(pipLocation: number): Decimal {
  return new Decimal(`1e${pipLocation}`);
}

/** One price level: price and liquidity (units available at it). */
export interface Level {
  readonly price: Decimal;
  readonly liquidity: number;
}

/** The latest price of an instrument. */
export interface Quote {
  readonly instrument: string;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly time: Nanos;
}

/** Latest prices and home conversion. */
export class Market {
  private readonly quotes = new Map<string, Quote>();

  constructor(
    readonly instruments: ReadonlyMap<string, Instrument>,
    private readonly nowMs: () => number,
  ) {}

  /** Sets the price of `instrument` (levels best first, as OANDA lists them). */
  set(instrument: string, bids: readonly Level[], asks: readonly Level[]): Quote {
    const q: Quote = { instrument, bids, asks, time: nanosAt(this.nowMs()) };
    this.quotes.set(instrument, q);
    return q;
  }

  quote(instrument: string): Quote | undefined {
    return this.quotes.get(instrument);
  }

  /** Best bid, best ask and their mid; undefined without a two-sided price. */
  top(instrument: string): { bid: Decimal; ask: Decimal; mid: Decimal } | undefined {
    const q = this.quotes.get(instrument);
    const bid = q?.bids[0]?.price;
    const ask = q?.asks[0]?.price;
    if (bid === undefined || ask === undefined) return undefined;
    return { bid, ask, mid: bid.plus(ask).div(2) };
  }

  /**
   * The factor turning an amount in `currency` into `home`: 1 for the same currency, else the mid of
   * an instrument listing the pair (multiplied when it is CURRENCY_HOME, divided when HOME_CURRENCY).
   * Undefined when no priced instrument links them.
   */
  conversion(currency: string, home: string): Decimal | undefined {
    if (currency === home) return new Decimal(1);
    const direct = this.top(`${currency}_${home}`);
    if (direct !== undefined) return direct.mid;
    const inverse = this.top(`${home}_${currency}`);
    if (inverse !== undefined) return new Decimal(1).div(inverse.mid);
    return undefined;
  }
}
