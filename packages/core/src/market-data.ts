/**
 * Market data. Prices and sizes are plain numbers (they come from Float64Array columns and feed
 * indicators); exact decimals start at the order. Times are epoch milliseconds: `tsEvent` is when it
 * happened at the venue, `tsInit` when this process saw it.
 */

/** An OHLCV bar. `tsEvent` is the bar's close time (`tsOpen + intervalMs`): a bar is known only once it closes. */
export interface Bar {
  readonly instrumentId: string;
  readonly tsOpen: number;
  readonly tsEvent: number;
  readonly tsInit: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Which side took liquidity in a trade. */
export type AggressorSide = 'buy' | 'sell' | 'unknown';

/** One trade print. */
export interface TradeTick {
  readonly instrumentId: string;
  readonly tsEvent: number;
  readonly tsInit: number;
  readonly price: number;
  readonly size: number;
  readonly aggressor: AggressorSide;
  readonly tradeId: string;
}

/** Top of book. */
export interface QuoteTick {
  readonly instrumentId: string;
  readonly tsEvent: number;
  readonly tsInit: number;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
}

/** A price level: [price, size]. */
export type BookLevel = readonly [price: number, size: number];

/** A full order book snapshot after every update, bids best first, asks best first. */
export interface BookSnapshot {
  readonly instrumentId: string;
  readonly tsEvent: number;
  readonly tsInit: number;
  readonly sequence: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** Any market-data event. */
export type MarketEvent = Bar | TradeTick | QuoteTick | BookSnapshot;
/** The market-data kinds a data port can serve. */
export type MarketDataKind = 'bar' | 'trade' | 'quote' | 'book';
