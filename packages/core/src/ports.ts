import type { Balance, Fill, VenueAccount, VenuePosition } from './account';
import type { AccountSummary } from './accounts';
import type { Decimal, Quantity, Price } from './decimal';
import type { ErrorCode } from './errors';
import type { Instrument } from './instrument';
import type { Bar, MarketDataKind } from './market-data';
import type { OrderSnapshot, OrderStatus } from './order';

/** What a venue tells the engine about our orders. The OMS turns these into state transitions. */
export type ExecutionReport =
  | { readonly kind: 'accepted'; readonly clientOrderId: string; readonly venueOrderId: string; readonly tsEvent: number }
  | { readonly kind: 'rejected'; readonly clientOrderId: string; readonly code: ErrorCode; readonly reason: string; readonly tsEvent: number }
  | { readonly kind: 'canceled'; readonly clientOrderId: string; readonly tsEvent: number; readonly reason?: string }
  | { readonly kind: 'expired'; readonly clientOrderId: string; readonly tsEvent: number }
  | {
      readonly kind: 'updated';
      readonly clientOrderId: string;
      /** Set when the venue replaced the order under a new venue id (cancel-replace). */
      readonly venueOrderId?: string;
      readonly quantity?: Quantity;
      readonly price?: Price;
      readonly triggerPrice?: Price;
      readonly tsEvent: number;
    }
  | { readonly kind: 'cancelRejected' | 'modifyRejected'; readonly clientOrderId: string; readonly reason: string; readonly tsEvent: number }
  | { readonly kind: 'fill'; readonly fill: Fill }
  /**
   * An order the venue made itself on our account, reported before its fills: a margin closeout, the
   * settlement of a future or an option at expiry. The engine adopts it (journal first) so that its
   * fills are booked like any other and show in the trade list; `reason` says why it exists.
   */
  | { readonly kind: 'venueOrder'; readonly clientOrderId: string; readonly order: OrderSnapshot; readonly reason: VenueOrderReason; readonly tsEvent: number };

/** Why a venue made an order on our account. */
export type VenueOrderReason = 'closeout' | 'expiry' | 'exercise';

/** Receives execution reports from a venue. */
export type ExecutionReportSink = (report: ExecutionReport) => void;

/** An order as the venue knows it, for queries and reconciliation. */
export interface VenueOrderState {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrumentId: string;
  readonly status: OrderStatus;
  readonly side: 'buy' | 'sell';
  readonly quantity: Quantity;
  readonly filledQuantity: Quantity;
  readonly price?: Price;
}

/** Changes sent with a native modify. */
export interface VenueOrderChanges {
  readonly quantity?: Quantity;
  readonly price?: Price;
  readonly triggerPrice?: Price;
}

/**
 * The execution port: how the engine talks to a venue about orders. Methods resolve when the venue
 * has received the request; outcomes arrive as {@link ExecutionReport}s through the sink given to
 * `connect`. A failure rejects with an `AutotraderError` whose `retryable` flag the engine obeys.
 *
 * `submit`, `cancel` and `modify` may instead complete synchronously, returning nothing and failing
 * by throwing: the simulated venue does, because a backtest sends tens of thousands of orders inside
 * one synchronous replay, and a promise per order would be held until the replay ends.
 */
export interface ExecutionPort {
  readonly venue: string;
  /**
   * What a resting buy holds at this venue on top of its notional, for the fee it will pay in the quote
   * asset: `feeRate` × notional plus `feePerUnit` × quantity. Absent (Binance, which charges a buy's fee in
   * the asset received): the notional only. Our ledger locks exactly what the venue locks.
   */
  readonly buyFeeHold?: BuyFeeHold;
  /**
   * Checks, without any network call, what can be checked before a live session starts (the
   * credentials are present and well formed). Throws a coded error (AUTH_MISSING names the
   * environment variable). Called before the first request, so a user with no keys and no network is
   * told about the keys, not about DNS.
   */
  preflight?(): void;
  connect(sink: ExecutionReportSink): Promise<void>;
  disconnect(): Promise<void>;
  submit(order: OrderSnapshot): Promise<void> | void;
  cancel(order: OrderSnapshot): Promise<void> | void;
  /** Native modify. Absent when the venue has none: the engine then cancels and replaces. */
  modify?(order: OrderSnapshot, changes: VenueOrderChanges): Promise<void> | void;
  /**
   * True when this venue can amend this order in place with these changes (Coinbase edits limit GTC
   * orders only); false sends it through the engine's cancel-replace. Absent: every order is modified
   * natively when `modify` exists and the plugin declares `nativeModify`. Pure: no network call.
   */
  canModify?(order: OrderSnapshot, changes: VenueOrderChanges): boolean;
  /**
   * From now on, order placements that have not left the process (queued behind a rate limit or a
   * backoff) are not sent: each fails as never placed (non-retryable, not outcome-unknown). Cancels and
   * queries still go through. The engine calls it when a shutdown begins. Optional: a port that sends
   * at once has nothing to withhold.
   */
  withholdOrders?(reason: string): void;
  /** One order by our client order id, or undefined when the venue does not know it. */
  order(clientOrderId: string, instrumentId: string): Promise<VenueOrderState | undefined>;
  openOrders(instrumentId?: string): Promise<VenueOrderState[]>;
  positions(): Promise<VenuePosition[]>;
  balances(): Promise<Balance[]>;
  /**
   * The account this port trades, as the venue names it. The journal records it and refuses to be
   * replayed against another account. Absent on venues that cannot say (the simulated venue).
   */
  venueAccount?(): Promise<VenueAccount>;
  /** Our fills at or after `since` (epoch ms), oldest first, for reconciliation after a reconnect. */
  fillsSince?(instrumentId: string, since: number): Promise<Fill[]>;
  /**
   * The venue's figures for the account in its base currency (NAV, unrealized P/L, margin used and
   * available), where it reports them: compared with our ledger's, a difference is reported.
   */
  accountSummary?(): Promise<AccountSummary>;
}

/** See {@link ExecutionPort.buyFeeHold}. */
export interface BuyFeeHold {
  readonly feeRate: Decimal;
  readonly feePerUnit: Decimal;
}

/** One market-data subscription. */
export interface DataSubscription {
  readonly kind: MarketDataKind;
  readonly instrumentId: string;
  /** For bars: the interval, for example `1m`. */
  readonly interval?: string;
}

/** A request for a venue's past bars (see {@link DataPort.history}). */
export interface BarHistoryRequest {
  readonly kind: 'bar';
  readonly instrumentId: string;
  /** The venue's interval name, for example `1m`. */
  readonly interval: string;
  /** Epoch ms: the first bar wanted opens at or after this time. */
  readonly from: number;
  /** Epoch ms, exclusive: the last bar wanted opens before this time. */
  readonly to: number;
  /** Stops the fetch: waits for a rate limit end at once, and no further page is requested. */
  readonly signal?: AbortSignal;
}

/** The data port: subscriptions to a venue's live market data, which it publishes on the bus. */
export interface DataPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: DataSubscription): Promise<void>;
  unsubscribe(subscription: DataSubscription): Promise<void>;
  /**
   * The venue's historical bars in `[from, to)`, one page per venue request, oldest first, each bar
   * checked against core's market-data rules. The plugin pages within the venue's limits and waits out
   * its rate limits (a 429's Retry-After included); the caller decides what to fetch, so resuming a
   * download is the caller's job. Bars still open at the venue may be included (`tsEvent` in the
   * future). Absent where the venue has no historical data.
   */
  history?(request: BarHistoryRequest): AsyncIterable<readonly Bar[]>;
}

/** Loads a venue's instruments with their trading rules. */
export interface InstrumentProvider {
  load(): Promise<Instrument[]>;
}
