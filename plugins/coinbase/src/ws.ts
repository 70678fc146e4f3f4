import { z } from 'zod';

/**
 * Coinbase's WebSocket framing (VENUES.md §2.5): subscribe frames and the envelope every message comes
 * in. One channel per subscribe frame; the JWT only on authenticated channels (`user`). Sockets use the
 * kit's `server-ping` policy: the `heartbeats` channel keeps even quiet products' connections talking,
 * and idle detection watches for silence.
 */

/** The channels this plugin uses. `l2_data` is what `level2` messages say in their `channel` field. */
export type Channel = 'heartbeats' | 'ticker' | 'market_trades' | 'level2' | 'candles' | 'user';

/** A subscribe or unsubscribe frame. `product_ids` is left out when empty (heartbeats, user for all products). */
export function subscribeFrame(type: 'subscribe' | 'unsubscribe', channel: Channel, productIds: readonly string[], jwt?: string): string {
  const frame: Record<string, unknown> = { type, channel };
  if (productIds.length > 0) frame.product_ids = [...productIds];
  if (jwt !== undefined) frame.jwt = jwt;
  return JSON.stringify(frame);
}

const num = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');

/** Every message: `{ channel, client_id, timestamp, sequence_num, events }`; errors are `{ type: "error", message }`. */
export const envelopeSchema = z.looseObject({
  channel: z.string(),
  timestamp: z.string(),
  sequence_num: z.number().int(),
  events: z.array(z.unknown()),
});
export type Envelope = z.output<typeof envelopeSchema>;
export const errorFrameSchema = z.looseObject({ type: z.literal('error'), message: z.string().optional() });

/** `ticker` event (fixture ws_ticker.json). */
export const tickerEventSchema = z.looseObject({
  type: z.string(),
  tickers: z.array(z.looseObject({ product_id: z.string(), price: num, best_bid: num, best_bid_quantity: num, best_ask: num, best_ask_quantity: num })),
});
/** `market_trades` event (fixture ws_market_trades.json). */
export const tradesEventSchema = z.looseObject({
  type: z.string(),
  trades: z.array(z.looseObject({ trade_id: z.string(), product_id: z.string(), price: num, size: num, side: z.enum(['BUY', 'SELL']), time: z.string() })),
});
/** `l2_data` event: a snapshot, then updates (fixtures ws_l2_data_*.json). */
export const l2EventSchema = z.looseObject({
  type: z.enum(['snapshot', 'update']),
  product_id: z.string(),
  updates: z.array(z.looseObject({ side: z.enum(['bid', 'offer']), event_time: z.string().optional(), price_level: num, new_quantity: num })),
});
export type L2Event = z.output<typeof l2EventSchema>;
/** `candles` event: the current 5-minute candle, repeated as it grows (fixture ws_candles.json). */
export const candlesEventSchema = z.looseObject({
  type: z.string(),
  candles: z.array(z.looseObject({ start: num, open: num, high: num, low: num, close: num, volume: num, product_id: z.string() })),
});
/** One order of a `user` event (fixture ws_user.json). */
export const userOrderSchema = z.looseObject({
  order_id: z.string(),
  client_order_id: z.string(),
  cumulative_quantity: num,
  leaves_quantity: num,
  avg_price: num.optional(),
  total_fees: num.optional(),
  status: z.string(),
  product_id: z.string(),
  order_side: z.enum(['BUY', 'SELL']),
  creation_time: z.string().optional(),
  reject_reason: z.string().optional(),
  cancel_reason: z.string().optional(),
});
export type UserOrder = z.output<typeof userOrderSchema>;
export const userEventSchema = z.looseObject({ type: z.enum(['snapshot', 'update']), orders: z.array(userOrderSchema).optional() });

/** Coinbase streams candles at one interval only. */
export const CANDLE_INTERVAL = '5m';
export const CANDLE_MS = 300_000;

/** The `subscriptions` message's event: every channel and its products now subscribed (fixture ws_subscriptions.json). */
export const subscriptionsEventSchema = z.looseObject({ subscriptions: z.record(z.string(), z.array(z.string())) });

/** The key a subscription waits under: `channel:product` (`user:` for the user channel of every product). */
export const subscriptionKey = (channel: Channel, productId = ''): string => `${channel}:${productId}`;

/**
 * The keys a `subscriptions` message confirms. Coinbase answers every subscribe with the full list, so a
 * subscribe is confirmed once its channel and products appear in it.
 */
export function confirmedKeys(events: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const parsed = subscriptionsEventSchema.safeParse(e);
    if (!parsed.success) continue;
    for (const [channel, ids] of Object.entries(parsed.data.subscriptions)) {
      out.push(`${channel}:`);
      for (const id of ids) out.push(`${channel}:${id}`);
    }
  }
  return out;
}
