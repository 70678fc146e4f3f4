import type { Money, Price, Quantity } from './decimal';
import type { OrderSide } from './order';
import type { VenueOrderReason } from './ports';

/** Maker added liquidity; taker removed it. */
export type Liquidity = 'maker' | 'taker';

/** One execution. `tradeId` is unique per venue and instrument, which is how duplicates are dropped. */
export interface Fill {
  readonly clientOrderId: string;
  readonly venueOrderId?: string;
  readonly tradeId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly price: Price;
  readonly quantity: Quantity;
  readonly fee: Money;
  readonly feeCurrency: string;
  readonly liquidity: Liquidity;
  readonly tsEvent: number;
  readonly tsInit: number;
  /** Set on a fill of an order the venue made itself (a margin closeout, a settlement at expiry). */
  readonly reason?: VenueOrderReason;
  /**
   * Hedging accounts: true when this fill closed trades of the opposite side (OANDA's `tradesClosed`)
   * rather than opening its own. Absent: the order decides (a reduce-only order closes).
   */
  readonly closes?: boolean;
  /**
   * The realized P/L the venue booked for this fill in the account's base currency (OANDA's `pl`),
   * where it reports one: a margin account books it as the venue did instead of converting its own.
   */
  readonly accountPnl?: Money;
}

/** A net position in one instrument. `quantity` is signed: negative is short. */
export interface Position {
  readonly instrumentId: string;
  readonly quantity: Quantity;
  readonly averagePrice: Price;
  readonly realizedPnl: Money;
  readonly fees: Money;
  readonly tsEvent: number;
}

/** One currency's balance. */
export interface Balance {
  readonly currency: string;
  readonly total: Money;
  readonly free: Money;
  readonly locked: Money;
  readonly tsEvent: number;
}

/** Cash accounts cannot borrow; margin accounts can. */
export type AccountType = 'cash' | 'margin';

/** The position a venue reports, used in reconciliation. */
export interface VenuePosition {
  readonly instrumentId: string;
  readonly quantity: Quantity;
  readonly averagePrice?: Price;
  /** A hedging account's legs, where the venue keeps them apart (quantity is then long − short). */
  readonly long?: { readonly quantity: Quantity; readonly averagePrice: Price };
  readonly short?: { readonly quantity: Quantity; readonly averagePrice: Price };
}

/** Who the venue says we are: the journal records it, so a journal is never replayed against another account. */
export interface VenueAccount {
  /** An identifier the venue returns for the account (Binance: `uid` of GET /api/v3/account). */
  readonly accountId: string;
  readonly accountType?: AccountType;
  /** The currency the venue books the account in (OANDA's `currency`), where it has one. */
  readonly baseCurrency?: string;
}
