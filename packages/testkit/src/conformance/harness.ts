/**
 * What a plugin author gives the conformance suite: the plugin's connection to their fake venue,
 * ways to move the fake market, the fake venue's own view (its "truth") and its fault injection.
 * Every hook the later scenarios need is required: a harness that cannot provide one says so with
 * {@link notApplicable} and a reason, and the scenarios that need it are reported as not applicable
 * with that reason (vitest lists them as skipped, the reason in brackets), never silently skipped.
 * @module
 */
import type { Clock, EventBus, VenueConnection, VenuePlugin } from '@autotrader/core';

/** A hook a harness cannot provide, and why. */
export interface NotApplicable {
  readonly notApplicable: string;
}

/** Says that a harness cannot provide a hook, and why (the reason is shown with each scenario it rules out). */
export function notApplicable(reason: string): NotApplicable {
  if (reason.trim() === '') throw new Error('notApplicable needs a reason');
  return { notApplicable: reason };
}

/** A hook, or the reason the harness cannot provide it. */
export type Hook<F> = F | NotApplicable;

/** True when `hook` was declared not applicable. */
export function isNotApplicable<F>(hook: Hook<F>): hook is NotApplicable {
  return typeof hook === 'object' && hook !== null && 'notApplicable' in hook && typeof (hook as NotApplicable).notApplicable === 'string';
}

/** One asset's balance as the fake venue holds it. */
export interface VenueBalanceTruth {
  readonly free: string;
  readonly locked: string;
}

/** One of our fills as the fake venue recorded it. */
export interface VenueFillTruth {
  readonly clientOrderId: string;
  readonly tradeId: string;
}

/** What the suite asks of the venue a harness starts, per scenario. */
export interface HarnessRequest {
  /** The scenario the harness is for (to name things, or to log). */
  readonly scenario: string;
  /**
   * The scenario needs the venue to charge a buy's fee in the base asset it receives (as Binance does).
   * A harness whose venue can be configured so does it; one whose venue cannot answers
   * `feesInBaseAsset: notApplicable(why)`.
   */
  readonly feesInBaseAsset: boolean;
}

/** The connection of a restarted process: a new plugin connection to the same venue account, with its own bus and clock. */
export interface RestartedProcess {
  readonly connection: VenueConnection;
  readonly bus: EventBus;
  readonly clock: Clock;
}

/**
 * What a plugin author provides so the conformance suite can drive their plugin against their fake
 * venue. One harness per scenario: `setup` starts a fresh fake and a fresh plugin connection.
 */
export interface ConformanceHarness {
  readonly plugin: VenuePlugin;
  /** The plugin's ports, created with `bus` and `clock` in its context. */
  readonly connection: VenueConnection;
  readonly bus: EventBus;
  /** The clock the plugin was created with (the engine the suite runs on top of it uses it too). */
  readonly clock: Clock;
  /** The instrument the scenarios trade: quote-currency funds and some base must be available. */
  readonly instrumentId: string;
  /** A quantity that is valid (lot, min quantity, min notional) at `referencePrice`. */
  readonly orderQuantity: string;
  /** A price around which the fake market trades, on the instrument's tick. */
  readonly referencePrice: string;
  /** The market: make the fake venue print a trade (which also matches resting orders), a quote, or a closed bar. */
  readonly market: {
    trade(price: string, qty: string): Promise<void>;
    quote(bid: string, bidQty: string, ask: string, askQty: string): Promise<void>;
    bar?(open: string, high: string, low: string, close: string, volume: string): Promise<void>;
    book?(bids: [string, string][], asks: [string, string][]): Promise<void>;
  };
  /** The fake venue's own view, to check that the plugin (and the engine on it) agrees with it. */
  readonly venueTruth: {
    /** Client order ids of the orders open at the venue. */
    openOrderIds(): Promise<string[]>;
    /** Total (free + locked) of one currency at the venue, as a decimal string. */
    balance(currency: string): Promise<string | undefined>;
    /** Every asset's free and locked balance at the venue. */
    readonly balances: Hook<() => Promise<Readonly<Record<string, VenueBalanceTruth>>>>;
    /** Every fill the venue made for us, with its order's client order id. */
    readonly fills: Hook<() => Promise<VenueFillTruth[]>>;
    /** How many orders with this client order id the venue has accepted, open or closed. */
    readonly ordersWithClientId: Hook<(clientOrderId: string) => Promise<number>>;
    /** How many order placements the venue has received, refused ones included. */
    readonly orderRequests: Hook<() => Promise<number>>;
    /** How many bans (Binance's 418) the venue has imposed on us. */
    readonly bans: Hook<() => Promise<number>>;
  };
  /** Faults the fake venue can inject on demand. */
  readonly faults: {
    /**
     * The venue places the next order but its answer never reaches the plugin as a clear outcome (a
     * timeout, a 5xx after it acted, a lost acknowledgement): until it asks, the engine does not
     * know whether the order exists.
     */
    readonly unknownOutcome: Hook<() => Promise<void>>;
    /**
     * Cuts the stream of order updates now and keeps it down until `restore()`: whatever the venue
     * does meanwhile (fills included) is never sent, and can only be learnt by asking.
     */
    readonly orderUpdatesDown: Hook<() => Promise<{ restore(): Promise<void> }>>;
    /**
     * The next `count` requests get 429 with a Retry-After of about a second; a client that keeps
     * asking before it elapses (beyond the requests already in flight) is banned.
     */
    readonly rateLimitStorm: Hook<(count: number) => Promise<void>>;
  };
  /**
   * The venue fills a resting limit order partly when less trades at its price than it wants. Absent:
   * it does. A venue that fills a limit whole or not at all (OANDA) answers `notApplicable(why)`.
   */
  readonly partialFills?: Hook<true>;
  /**
   * A resting buy locks quote-currency funds at the venue (a spot venue). Absent: it does. A margin venue
   * that locks nothing for pending orders (OANDA) answers `notApplicable(why)`.
   */
  readonly pendingOrdersLockFunds?: Hook<true>;
  /** Cuts every connection of the plugin (market data and order updates); the plugin must reconnect by itself. */
  readonly dropConnections: Hook<() => Promise<void>>;
  /** The venue charges a buy's fee in the base asset it receives (see {@link HarnessRequest.feesInBaseAsset}). */
  readonly feesInBaseAsset: Hook<true>;
  /**
   * A restart: a new process's connection of the plugin to the same venue account (new bus, new
   * clock), while the venue keeps its orders and goes on trading. The harness closes it in `teardown`.
   */
  readonly restart: Hook<() => Promise<RestartedProcess>>;
  teardown(): Promise<void>;
}
