/**
 * Orders and fills as Coinbase prints them: the order object of GET /orders/historical/{id} and
 * /orders/historical/batch (ccxt_static orders_historical_batch_filled_market_sell.json, nautilus
 * http_order.json), the fill of /orders/historical/fills, and the order of a `user` channel event
 * (nautilus ws_user.json). Decimals are printed plainly (`toString`), times as RFC 3339 with
 * microseconds in UTC.
 * @module
 */
import { Decimal } from '@autotrader/core';
import { averagePrice, leaves, type FillRecord, type OrderRecord } from './orders';

/** The account's `user_id` on orders and fills. */
export const FAKE_USER_ID = '3333-333333-3333333';

/** RFC 3339 with six fraction digits, as Coinbase's timestamps: `2024-01-15T10:30:00.123000Z`. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const plain = (d: Decimal): string => d.toString();

/** `order_type` as REST prints it. */
function orderType(o: OrderRecord): string {
  return o.spec.type;
}

/** The order object of REST. */
export function orderJson(o: OrderRecord): Record<string, unknown> {
  const notional = o.filledValue;
  const buy = o.side === 'BUY';
  return {
    order_id: o.orderId,
    product_id: o.productId,
    user_id: FAKE_USER_ID,
    order_configuration: o.configuration,
    side: o.side,
    client_order_id: o.clientOrderId,
    status: o.status,
    time_in_force: o.spec.timeInForce,
    created_time: rfc3339(o.createdTime),
    completion_percentage: o.size.isZero() ? '0' : o.filledSize.div(o.size).mul(100).toDecimalPlaces(2).toFixed(2),
    filled_size: plain(o.filledSize),
    average_filled_price: plain(averagePrice(o)),
    fee: '',
    number_of_fills: String(o.fills.length),
    filled_value: plain(notional),
    pending_cancel: false,
    size_in_quote: o.spec.quoteSize !== undefined,
    total_fees: plain(o.totalFees),
    size_inclusive_of_fees: false,
    total_value_after_fees: plain(buy ? notional.plus(o.totalFees) : notional.minus(o.totalFees)),
    trigger_status: o.spec.type !== 'STOP_LIMIT' ? 'INVALID_ORDER_TYPE' : o.triggered ? 'STOP_TRIGGERED' : 'STOP_PENDING',
    order_type: orderType(o),
    reject_reason: 'REJECT_REASON_UNSPECIFIED',
    settled: o.status !== 'OPEN',
    product_type: 'SPOT',
    reject_message: '',
    cancel_message: o.cancelMessage,
    order_placement_source: 'RETAIL_ADVANCED',
    outstanding_hold_amount: plain(o.hold.locked),
    is_liquidation: false,
    last_fill_time: o.lastFillTime === undefined ? null : rfc3339(o.lastFillTime),
    edit_history: o.edits.map((e) => ({ price: plain(e.price), size: plain(e.size), replace_accept_timestamp: rfc3339(e.time) })),
    leverage: '',
    margin_type: 'UNKNOWN_MARGIN_TYPE',
    retail_portfolio_id: '',
    originating_order_id: '',
    attached_order_id: '',
  };
}

/** A fill of /orders/historical/fills; `cursor` is its position in the account's history. */
export function fillJson(f: FillRecord): Record<string, unknown> {
  return {
    entry_id: f.entryId,
    trade_id: f.tradeId,
    order_id: f.orderId,
    trade_time: rfc3339(f.time),
    trade_type: 'FILL',
    price: plain(f.price),
    size: plain(f.size),
    commission: plain(f.commission),
    product_id: f.productId,
    sequence_timestamp: rfc3339(f.time),
    liquidity_indicator: f.liquidity,
    size_in_quote: false,
    user_id: FAKE_USER_ID,
    side: f.side,
    retail_portfolio_id: '',
    cursor: String(f.seq),
  };
}

/** `order_type` as the user channel prints it (ws_user.json: `Limit`). */
const WS_ORDER_TYPE: Readonly<Record<string, string>> = { MARKET: 'Market', LIMIT: 'Limit', STOP_LIMIT: 'Stop Limit' };

/** An order of a `user` channel event: cumulative totals only, no per-fill ids. */
export function userOrderJson(o: OrderRecord): Record<string, unknown> {
  const buy = o.side === 'BUY';
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    cumulative_quantity: plain(o.filledSize),
    leaves_quantity: plain(leaves(o)),
    avg_price: plain(averagePrice(o)),
    total_fees: plain(o.totalFees),
    status: o.status,
    product_id: o.productId,
    creation_time: rfc3339(o.createdTime),
    order_side: o.side,
    order_type: WS_ORDER_TYPE[o.spec.type],
    cancel_reason: o.status === 'CANCELLED' ? o.cancelMessage : '',
    reject_reason: '',
    total_value_after_fees: plain(buy ? o.filledValue.plus(o.totalFees) : o.filledValue.minus(o.totalFees)),
    contract_expiry_type: 'UNKNOWN_CONTRACT_EXPIRY_TYPE',
    product_type: 'SPOT',
    risk_managed_by: 'UNKNOWN_RISK_MANAGEMENT_TYPE',
    time_in_force: o.spec.timeInForce,
    trigger_status: o.spec.type !== 'STOP_LIMIT' ? 'INVALID_ORDER_TYPE' : o.triggered ? 'STOP_TRIGGERED' : 'STOP_PENDING',
    limit_price: o.spec.limitPrice === undefined ? '0' : plain(o.spec.limitPrice),
    stop_price: o.spec.stopPrice === undefined ? '0' : plain(o.spec.stopPrice),
    end_time: o.spec.endTime === undefined ? '0001-01-01T00:00:00Z' : rfc3339(o.spec.endTime),
  };
}
