import { ZERO, type Fill, type Instrument, type Money, type OrderSide, type OrderSnapshot, type Price, type Quantity, type VenueOrderReason, type VenueOrderState } from '@autotrader/core';

/** What the venue decided to trade on our account by itself (a closeout, a settlement at expiry). */
export interface VenueMadeTrade {
  readonly instrument: Instrument;
  readonly reason: VenueOrderReason;
  readonly side: OrderSide;
  readonly quantity: Quantity;
  readonly price: Price;
  readonly fee: Money;
  readonly feeCurrency: string;
  /** When the trade happened (the market event's time, or the expiry). */
  readonly tsEvent: number;
}

/** The order and the fill the venue reports for a {@link VenueMadeTrade}, and the state an order query answers. */
export interface VenueMadeReports {
  readonly order: OrderSnapshot;
  readonly fill: Fill;
  readonly state: VenueOrderState;
}

/**
 * Builds the reports of an order the venue made on our account, as OANDA reports a margin closeout
 * (a MARKET_ORDER transaction with reason MARGIN_CLOSEOUT, then its ORDER_FILL): a market order
 * `${reason}-${n}` tagged with its reason, already accepted, and its one fill carrying the reason.
 */
export function venueMadeReports(t: VenueMadeTrade, ids: { clientOrderId: string; venueOrderId: string; tradeId: string }, now: number, accountPnl: Money | undefined): VenueMadeReports {
  const order: OrderSnapshot = {
    clientOrderId: ids.clientOrderId,
    venueOrderId: ids.venueOrderId,
    instrumentId: t.instrument.id,
    side: t.side,
    type: 'market',
    quantity: t.quantity,
    timeInForce: 'IOC',
    postOnly: false,
    // It only ever closes: a closeout or a settlement never opens a position.
    reduceOnly: true,
    status: 'accepted',
    filledQuantity: ZERO,
    fees: ZERO,
    tsCreated: now,
    tsUpdated: now,
    tag: t.reason,
  };
  const fill: Fill = {
    clientOrderId: ids.clientOrderId,
    venueOrderId: ids.venueOrderId,
    tradeId: ids.tradeId,
    instrumentId: t.instrument.id,
    side: t.side,
    price: t.price,
    quantity: t.quantity,
    fee: t.fee,
    feeCurrency: t.feeCurrency,
    liquidity: 'taker',
    tsEvent: t.tsEvent,
    tsInit: now,
    reason: t.reason,
    ...(accountPnl === undefined ? {} : { accountPnl }),
  };
  const state: VenueOrderState = {
    clientOrderId: ids.clientOrderId,
    venueOrderId: ids.venueOrderId,
    instrumentId: t.instrument.id,
    status: 'filled',
    side: t.side,
    quantity: t.quantity,
    filledQuantity: t.quantity,
  };
  return { order, fill, state };
}
