import { z } from 'zod';
import {
  Decimal,
  ERROR_CODES,
  money,
  price,
  quantity,
  type ErrorCode,
  type ExecutionReport,
  type OrderSnapshot,
  type OrderStatus,
} from '@autotrader/core';

/**
 * One line of the order journal. Every entry that leads to an action is written before the action:
 * a `submit` before the order is sent, a `cancel`/`modify` before the request is sent, a `report`
 * before the OMS applies it. Decimals travel as strings and come back exact.
 */
export type JournalEntry =
  /**
   * A process started trading on this journal with this client order id prefix, on this venue and
   * (where the venue names it) this account. A journal is never replayed against another venue or account.
   */
  | { readonly t: 'session'; readonly ts: number; readonly prefix: string; readonly venue: string; readonly account?: string }
  /** An order about to be sent to the venue. */
  | { readonly t: 'submit'; readonly ts: number; readonly order: OrderSnapshot }
  /** A cancel about to be sent. */
  | { readonly t: 'cancel'; readonly ts: number; readonly clientOrderId: string }
  /** A modify about to be sent; amounts are decimal strings. */
  | {
      readonly t: 'modify';
      readonly ts: number;
      readonly clientOrderId: string;
      readonly changes: { readonly quantity?: string; readonly price?: string; readonly triggerPrice?: string };
    }
  /** An open order found at the venue and taken over (reconciliation), as the venue showed it. */
  | { readonly t: 'adopt'; readonly ts: number; readonly order: OrderSnapshot }
  /** A balance change the venue made outside our orders (a deposit, a withdrawal), about to be booked. */
  | { readonly t: 'balance'; readonly ts: number; readonly currency: string; readonly delta: string }
  /** A report from the venue, about to be applied. */
  | { readonly t: 'report'; readonly ts: number; readonly report: ExecutionReport }
  /**
   * A transition decided locally: refused by risk, or resolved by reconciliation. `code` says why a
   * `rejected` order was refused (default `ORDER_INVALID` when absent).
   */
  | { readonly t: 'status'; readonly ts: number; readonly clientOrderId: string; readonly status: OrderStatus; readonly reason?: string; readonly code?: ErrorCode };

/** The kind tag of a {@link JournalEntry}. */
export type JournalEntryKind = JournalEntry['t'];

const isDecimalText = (s: string): boolean => {
  try {
    return new Decimal(s).isFinite();
  } catch {
    return false;
  }
};

// Decimals are written as strings (Decimal#toJSON) so nothing passes through a binary float.
const decimalText = z.string().refine(isDecimalText, 'must be a decimal number written as a string');
const priceText = decimalText.transform((s) => price(s));
const quantityText = decimalText.transform((s) => quantity(s));
const moneyText = decimalText.transform((s) => money(s));
const epochMs = z.number().finite();
const id = z.string().min(1);

const errorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);
const orderStatus = z.enum([
  'initialized',
  'submitted',
  'accepted',
  'partially_filled',
  'pending_cancel',
  'pending_update',
  'filled',
  'canceled',
  'rejected',
  'expired',
] as const satisfies readonly OrderStatus[]);
const side = z.enum(['buy', 'sell']);

const orderSchema = z.object({
  clientOrderId: id,
  venueOrderId: z.string().optional(),
  instrumentId: id,
  side,
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop', 'market_if_touched']),
  quantity: quantityText,
  price: priceText.optional(),
  triggerPrice: priceText.optional(),
  trailingOffset: priceText.optional(),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'GTD', 'DAY']),
  expireAt: epochMs.optional(),
  postOnly: z.boolean(),
  reduceOnly: z.boolean(),
  status: orderStatus,
  filledQuantity: quantityText,
  averagePrice: priceText.optional(),
  fees: moneyText,
  tsCreated: epochMs,
  tsUpdated: epochMs,
  rejection: z.object({ code: errorCode, message: z.string() }).optional(),
  tag: z.string().optional(),
});

const fillSchema = z.object({
  clientOrderId: id,
  venueOrderId: z.string().optional(),
  tradeId: id,
  instrumentId: id,
  side,
  price: priceText,
  quantity: quantityText,
  fee: moneyText,
  feeCurrency: z.string(),
  liquidity: z.enum(['maker', 'taker']),
  tsEvent: epochMs,
  tsInit: epochMs,
});

const reportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accepted'), clientOrderId: id, venueOrderId: z.string(), tsEvent: epochMs }),
  z.object({ kind: z.literal('rejected'), clientOrderId: id, code: errorCode, reason: z.string(), tsEvent: epochMs }),
  z.object({ kind: z.literal('canceled'), clientOrderId: id, tsEvent: epochMs, reason: z.string().optional() }),
  z.object({ kind: z.literal('expired'), clientOrderId: id, tsEvent: epochMs }),
  z.object({
    kind: z.literal('updated'),
    clientOrderId: id,
    venueOrderId: z.string().optional(),
    quantity: quantityText.optional(),
    price: priceText.optional(),
    triggerPrice: priceText.optional(),
    tsEvent: epochMs,
  }),
  z.object({ kind: z.literal('cancelRejected'), clientOrderId: id, reason: z.string(), tsEvent: epochMs }),
  z.object({ kind: z.literal('modifyRejected'), clientOrderId: id, reason: z.string(), tsEvent: epochMs }),
  z.object({ kind: z.literal('fill'), fill: fillSchema }),
]);

const entrySchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('session'), ts: epochMs, prefix: id, venue: z.string(), account: z.string().optional() }),
  z.object({ t: z.literal('adopt'), ts: epochMs, order: orderSchema }),
  z.object({ t: z.literal('balance'), ts: epochMs, currency: id, delta: decimalText }),
  z.object({ t: z.literal('submit'), ts: epochMs, order: orderSchema }),
  z.object({ t: z.literal('cancel'), ts: epochMs, clientOrderId: id }),
  z.object({
    t: z.literal('modify'),
    ts: epochMs,
    clientOrderId: id,
    changes: z.object({ quantity: decimalText.optional(), price: decimalText.optional(), triggerPrice: decimalText.optional() }),
  }),
  z.object({ t: z.literal('report'), ts: epochMs, report: reportSchema }),
  z.object({ t: z.literal('status'), ts: epochMs, clientOrderId: id, status: orderStatus, reason: z.string().optional(), code: errorCode.optional() }),
]);

/** Why a journal line could not be decoded. */
export type DecodeResult = { readonly ok: true; readonly entry: JournalEntry } | { readonly ok: false; readonly error: string };

/**
 * One entry as one line of JSON, without the newline. Decimals serialise through their own
 * `toJSON` (exact strings); absent optional fields are left out.
 */
export function encodeEntry(entry: JournalEntry): string {
  return JSON.stringify(entry);
}

/**
 * Parses and validates one journal line. Never throws: a line that is not JSON or does not match
 * the schema comes back as `{ ok: false, error }` so the reader can report it by line number.
 */
export function decodeEntry(line: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return { ok: false, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') || '(entry)'}: ${issue?.message ?? 'invalid'}` };
  }
  // The schema mirrors core's types field by field; the cast only adds the Decimal brands that the transforms produced.
  return { ok: true, entry: parsed.data as JournalEntry };
}
