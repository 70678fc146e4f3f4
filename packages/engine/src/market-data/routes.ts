import { AutotraderError, type MarketDataKind, type StrategyDefinition } from '@autotrader/core';
import type { QuotePrice } from '../bars/bar-builder';
import type { MarketDataUse } from './usage';

/** How one kind of market data of one instrument reaches the strategies. */
export type MarketDataRoute =
  /** Straight from the data: a file in a backtest, the venue's stream live (bars at the venue's or file's interval). */
  | { readonly instrumentId: string; readonly kind: MarketDataKind; readonly from: 'data'; readonly interval?: string }
  /** Bars the engine builds from trades or quotes. */
  | { readonly instrumentId: string; readonly kind: 'bar'; readonly from: 'trade' | 'quote'; readonly interval: string; readonly quotePrice?: QuotePrice };

/** The bar settings of a session or backtest. */
export interface BarSettings {
  /**
   * The bar interval strategies get (`1m`, `15s`, `1h` …). Paper and live default to `1m`. A backtest
   * on bar data uses the file's interval (giving another is an error: the engine does not resample
   * bars) and builds `1m` bars by default from trades or quotes.
   */
  readonly interval?: string;
  /** The price bars built from quotes follow: `mid` (default), `bid` or `ask`. */
  readonly quotePrice?: QuotePrice;
  /** How long after its end a quiet interval's bar is closed by the clock (default 1,000 ms). */
  readonly closeDelayMs?: number;
}

/** One kind of data the session must deliver for one instrument, and who asked for it. */
export interface MarketDataNeed {
  readonly instrumentId: string;
  readonly kind: MarketDataKind;
  /** Strategies that asked for this instrument by id: it must be served. */
  readonly named: readonly string[];
  /** Strategies that asked for every instrument (or declared the kind): at least one instrument must serve it. */
  readonly anyOf: readonly string[];
}

const KIND_ORDER: readonly MarketDataKind[] = ['bar', 'trade', 'quote', 'book'];
const PLURAL: Readonly<Record<MarketDataKind, string>> = { bar: 'bars', trade: 'trades', quote: 'quotes', book: 'order books' };

/** `bars`, `trades`, `quotes`, `order books`. */
export function kindPlural(kind: MarketDataKind): string {
  return PLURAL[kind];
}

/**
 * Checks a strategy's `requires.data` (when it declares one) against what it asked for while it was
 * created: a kind it reads but did not declare is STRATEGY_INVALID, naming both lists.
 */
export function checkDeclaredData(strategies: readonly StrategyDefinition[], uses: readonly MarketDataUse[]): void {
  for (const s of strategies) {
    const declared = s.requires?.data;
    if (declared === undefined) continue;
    const used = [...new Set(uses.filter((u) => u.strategy === s.name).map((u) => u.kind))];
    const undeclared = used.filter((k) => !declared.includes(k));
    if (undeclared.length > 0) {
      throw new AutotraderError(
        'STRATEGY_INVALID',
        `strategy '${s.name}' reads ${undeclared.map(kindPlural).join(' and ')} but its requires.data lists ${declared.length > 0 ? declared.join(', ') : 'nothing'}; add ${undeclared.join(', ')} to requires.data, or leave requires.data out (the engine subscribes to what the strategy reads)`,
        { details: { strategy: s.name, declared, used } },
      );
    }
  }
}

/**
 * The data to deliver per instrument: what the strategies asked for (by instrument, or for every
 * instrument), the kinds they declared in `requires.data`, and `extraKinds` for every instrument.
 * Ordered by instrument, then bars, trades, quotes, books. A use of an instrument the session does not
 * trade is INSTRUMENT_UNKNOWN.
 */
export function marketDataNeeds(
  uses: readonly MarketDataUse[],
  strategies: readonly StrategyDefinition[],
  instrumentIds: readonly string[],
  extraKinds: readonly MarketDataKind[] = [],
): MarketDataNeed[] {
  const table = new Map<string, Map<MarketDataKind, { named: string[]; anyOf: string[] }>>(instrumentIds.map((id) => [id, new Map()]));
  const entry = (id: string, kind: MarketDataKind): { named: string[]; anyOf: string[] } => {
    const kinds = table.get(id)!;
    let e = kinds.get(kind);
    if (e === undefined) kinds.set(kind, (e = { named: [], anyOf: [] }));
    return e;
  };
  const addUnique = (list: string[], name: string): void => {
    if (!list.includes(name)) list.push(name);
  };
  for (const u of uses) {
    if (u.instrumentId === undefined) {
      for (const id of instrumentIds) addUnique(entry(id, u.kind).anyOf, u.strategy);
    } else if (table.has(u.instrumentId)) {
      addUnique(entry(u.instrumentId, u.kind).named, u.strategy);
    } else {
      throw new AutotraderError('INSTRUMENT_UNKNOWN', `strategy '${u.strategy}' reads ${kindPlural(u.kind)} of '${u.instrumentId}', which this run does not trade (it trades ${instrumentIds.join(', ')})`, {
        details: { instrumentId: u.instrumentId, strategy: u.strategy },
      });
    }
  }
  for (const s of strategies) for (const kind of s.requires?.data ?? []) for (const id of instrumentIds) addUnique(entry(id, kind).anyOf, s.name);
  for (const kind of extraKinds) for (const id of instrumentIds) addUnique(entry(id, kind).anyOf, 'the session');
  const out: MarketDataNeed[] = [];
  for (const [instrumentId, kinds] of table) {
    for (const kind of KIND_ORDER) {
      const e = kinds.get(kind);
      if (e !== undefined) out.push({ instrumentId, kind, named: e.named, anyOf: e.anyOf });
    }
  }
  return out;
}

/**
 * Collects the needs a source cannot serve, then throws CAPABILITY_MISSING for those that must be
 * served: a need named by instrument, or a kind asked of every instrument that no instrument has.
 */
export class UnservedNeeds {
  private readonly unserved: { need: MarketDataNeed; why: string }[] = [];
  private readonly served = new Set<MarketDataKind>();

  add(need: MarketDataNeed, why: string): void {
    this.unserved.push({ need, why });
  }

  markServed(kind: MarketDataKind): void {
    this.served.add(kind);
  }

  throwIfAny(): void {
    for (const { need, why } of this.unserved) {
      const who = need.named.length > 0 ? need.named : this.served.has(need.kind) ? [] : need.anyOf;
      if (who.length === 0) continue;
      throw new AutotraderError('CAPABILITY_MISSING', `${who.map((w) => (w === 'the session' ? w : `strategy '${w}'`)).join(', ')} reads ${kindPlural(need.kind)} of ${need.instrumentId}, but ${why}`, {
        details: { instrumentId: need.instrumentId, kind: need.kind, strategies: who },
      });
    }
  }
}

/** One line per instrument: `EURUSD.OANDA: 1m bars built from quotes (mid price), quotes`. */
export function describeRoutes(routes: readonly MarketDataRoute[], sourceName: string): string[] {
  const byInstrument = new Map<string, string[]>();
  for (const r of routes) {
    let parts = byInstrument.get(r.instrumentId);
    if (parts === undefined) byInstrument.set(r.instrumentId, (parts = []));
    parts.push(describeRoute(r, sourceName));
  }
  return [...byInstrument].map(([id, parts]) => `${id}: ${parts.join(', ')}`);
}

/** `1m bars from binance`, `1m bars built from trades`, `quotes`. */
export function describeRoute(r: MarketDataRoute, sourceName: string): string {
  if (r.kind !== 'bar') return kindPlural(r.kind);
  if (r.from === 'data') return `${r.interval ?? ''} bars from ${sourceName}`.replace(/^ /, '');
  return `${r.interval} bars built by the engine from ${r.from === 'trade' ? 'trades' : `quotes (${r.quotePrice ?? 'mid'} price)`}`;
}
