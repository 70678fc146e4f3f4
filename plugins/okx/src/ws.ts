import { z } from 'zod';
import type { HeartbeatPolicy } from '@autotrader/venue-kit';

/**
 * OKX's WebSocket framing (VENUES.md §3.3): `{"op":"subscribe","args":[{channel, instId|instType}]}`,
 * acknowledged by `{"event":"subscribe","arg":{…}}`; pushes `{"arg":{…},"action"?,"data":[…]}`; errors
 * `{"event":"error","code","msg"}`; login `{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}`
 * answered by `{"event":"login","code":"0"}`; order operations `{"id","op":"order"|"cancel-order"|
 * "amend-order","args":[…]}` answered by `{"id","op","code","msg","data":[{sCode,sMsg,…}]}`.
 */

/** OKX closes a quiet connection after 30 s: the kit's text-ping sends `ping` (answered `pong`) after this much silence either way. */
export const OKX_PING_MS = 20_000;

/** The kit's text-ping heartbeat with OKX's words, never later than {@link OKX_PING_MS}. */
export const okxHeartbeat = (pingIntervalMs: number): HeartbeatPolicy => ({ kind: 'text-ping', intervalMs: Math.min(pingIntervalMs, OKX_PING_MS), text: 'ping', reply: 'pong' });

/** One channel subscription. */
export interface ChannelArg {
  readonly channel: string;
  readonly instId?: string;
  readonly instType?: string;
}

/** `subscribe`/`unsubscribe` frame for some channels. */
export const subscriptionFrame = (op: 'subscribe' | 'unsubscribe', args: readonly ChannelArg[]): string => JSON.stringify({ op, args });

/** The key a subscription is waited for and routed by: `channel:instId` (or `channel:instType`). */
export const argKey = (arg: { channel: string; instId?: string; instType?: string }): string => `${arg.channel}:${arg.instId ?? arg.instType ?? ''}`;

/** A login frame. */
export const loginFrame = (args: { apiKey: string; passphrase: string; timestamp: string; sign: string }): string => JSON.stringify({ op: 'login', args: [args] });

/** An order operation frame: `id` is 1–32 letters and digits, echoed in the answer. */
export const opFrame = (id: string, op: 'order' | 'cancel-order' | 'amend-order', args: readonly unknown[]): string => JSON.stringify({ id, op, args });

const argSchema = z.looseObject({ channel: z.string(), instId: z.string().optional(), instType: z.string().optional() });

/** `{"event": …}`: subscribe/unsubscribe acknowledgements, login answers, errors and notices. */
export const eventFrameSchema = z.looseObject({
  event: z.string(),
  code: z.string().optional(),
  msg: z.string().optional(),
  arg: argSchema.optional(),
  connId: z.string().optional(),
});
export type EventFrame = z.output<typeof eventFrameSchema>;

/** A data push. */
export const pushFrameSchema = z.looseObject({ arg: argSchema, action: z.string().optional(), data: z.array(z.unknown()) });
export type PushFrame = z.output<typeof pushFrameSchema>;

/** The answer to an order operation. */
export const opAnswerSchema = z.looseObject({ id: z.string(), op: z.string(), code: z.string(), msg: z.string().optional(), data: z.array(z.unknown()).optional() });
export type OpAnswer = z.output<typeof opAnswerSchema>;

const num = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');

/** A `tickers` item (fixture ws_tickers.json). */
export const tickerSchema = z.looseObject({ instId: z.string(), bidPx: num, bidSz: num, askPx: num, askSz: num, last: z.string().optional(), ts: num });
/** A `trades` item (fixture ws_trades.json): `side` is the taker's. */
export const tradeSchema = z.looseObject({ instId: z.string(), tradeId: z.string(), px: num, sz: num, side: z.enum(['buy', 'sell']), ts: num });
/** A price level: `[px, sz, "0" (deprecated), orders]`. */
export const levelSchema = z.tuple([num, num]).rest(z.unknown());
/** A `books` item (fixtures ws_books_snapshot.json, ws_books_update.json). */
export const booksSchema = z.looseObject({
  asks: z.array(levelSchema),
  bids: z.array(levelSchema),
  ts: num,
  checksum: z.number().int().optional(),
  prevSeqId: z.number().int(),
  seqId: z.number().int(),
});
export type BooksItem = z.output<typeof booksSchema>;
/** A candle row: `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]` (fixture ws_candle.json). */
export const candleRowSchema = z.tuple([num, num, num, num, num, num]).rest(z.string());

/** Our bar intervals and OKX's candle names (UTC-aligned for 6 h and more). */
export const CANDLE_BARS: Readonly<Record<string, { readonly bar: string; readonly ms: number }>> = {
  '1m': { bar: '1m', ms: 60_000 },
  '3m': { bar: '3m', ms: 180_000 },
  '5m': { bar: '5m', ms: 300_000 },
  '15m': { bar: '15m', ms: 900_000 },
  '30m': { bar: '30m', ms: 1_800_000 },
  '1h': { bar: '1H', ms: 3_600_000 },
  '2h': { bar: '2H', ms: 7_200_000 },
  '4h': { bar: '4H', ms: 14_400_000 },
  '6h': { bar: '6Hutc', ms: 21_600_000 },
  '12h': { bar: '12Hutc', ms: 43_200_000 },
  '1d': { bar: '1Dutc', ms: 86_400_000 },
  '1w': { bar: '1Wutc', ms: 604_800_000 },
};

