import type { Balance, Fill, Position } from './account';
import type { Money } from './decimal';
import type { ErrorCode } from './errors';
import type { Bar, BookSnapshot, QuoteTick, TradeTick } from './market-data';
import type { OrderChanges, OrderSnapshot, OrderStatus } from './order';

/** An order changed state (or was updated in place). */
export interface OrderEvent {
  readonly order: OrderSnapshot;
  readonly previous: OrderStatus | undefined;
  readonly tsEvent: number;
}

/** A timer or alert fired. */
export interface TimerEvent {
  readonly name: string;
  readonly tsEvent: number;
}

/** The health of a venue connection, as seen by the engine. */
export type VenueState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'degraded' | 'halted';

/** A venue changed state. */
export interface VenueStatusEvent {
  readonly venue: string;
  readonly state: VenueState;
  readonly reason?: string;
  readonly tsEvent: number;
}

/** Something went wrong that a component isolated rather than crashing on. */
export interface ErrorEvent {
  readonly source: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly tsEvent: number;
  readonly error?: unknown;
}

/** The kill switch and risk state. */
export type TradingState = 'active' | 'reducing' | 'halted';

/** The trading state changed. */
export interface TradingStateEvent {
  readonly state: TradingState;
  readonly reason: string;
  readonly tsEvent: number;
}

/** A command was issued: published for observers (recorders, audit), after the OMS accepted it. */
export interface SubmitCommand {
  readonly order: OrderSnapshot;
  readonly tsEvent: number;
}
/** A cancel was requested. */
export interface CancelCommand {
  readonly clientOrderId: string;
  readonly tsEvent: number;
}
/** A modify was requested. */
export interface ModifyCommand {
  readonly clientOrderId: string;
  readonly changes: OrderChanges;
  readonly tsEvent: number;
}
/** A cancel of all open orders (optionally of one instrument) was requested. */
export interface CancelAllCommand {
  readonly instrumentId?: string;
  readonly tsEvent: number;
}

/**
 * What the venue itself says about our balances, apart from our own ledger's `balance` topic.
 * `snapshot`: the venue's absolute free and locked amounts of the currencies listed (Binance
 * `outboundAccountPosition`, a REST account query). `delta`: a change the venue made outside our
 * orders (a deposit, a withdrawal, a transfer: Binance `balanceUpdate`), which our ledger must book too.
 */
export type VenueBalanceEvent =
  | { readonly kind: 'snapshot'; readonly venue: string; readonly balances: readonly Balance[]; readonly tsEvent: number }
  | { readonly kind: 'delta'; readonly venue: string; readonly currency: string; readonly delta: Money; readonly tsEvent: number };

/**
 * Every bus topic and the type of its events. A closed union: a typo in a topic name does not compile.
 */
export interface BusEvents {
  bar: Bar;
  trade: TradeTick;
  quote: QuoteTick;
  book: BookSnapshot;
  submit: SubmitCommand;
  cancel: CancelCommand;
  modify: ModifyCommand;
  cancelAll: CancelAllCommand;
  order: OrderEvent;
  fill: Fill;
  position: Position;
  balance: Balance;
  venueBalance: VenueBalanceEvent;
  timer: TimerEvent;
  venueStatus: VenueStatusEvent;
  tradingState: TradingStateEvent;
  error: ErrorEvent;
}

/** A bus topic name. */
export type Topic = keyof BusEvents;

/** The topics whose events name an instrument, which can be filtered by instrument. */
export type InstrumentTopic = { [K in Topic]: BusEvents[K] extends { readonly instrumentId: string } ? K : never }[Topic];
