import { AutotraderError } from '@autotrader/core';

/**
 * Maps our client order ids to what a venue accepts and back. Each venue limits an id's length and
 * characters; our ids (core's ClientOrderIdFactory: `prefix-N`) must survive the trip:
 *
 * - unique: two ids never encode alike;
 * - stable: the same id always encodes alike, so a retried submit carries the same venue id and the
 *   venue's duplicate check makes the retry safe;
 * - recoverable: `decode` gives our id back from what the venue echoes in reports and queries.
 *
 * `decode` returns undefined for a wire id that `encode` never produces (an order placed by another
 * tool, whose id the plugin then reports as it is). An id that cannot be encoded within the venue's
 * rule is ORDER_INVALID before anything is sent: it is never cut short.
 */
export interface ClientOrderIdCodec<Wire = string> {
  /** The venue, in errors. */
  readonly venue: string;
  /** The venue's rule in words, for errors and the plugin guide. */
  readonly rule: string;
  encode(clientOrderId: string): Wire;
  decode(wire: Wire): string | undefined;
}

/** How an {@link escapeCodec} maps ids. */
export interface EscapeCodecSpec {
  readonly venue: string;
  readonly rule: string;
  /** Longest wire id the venue takes. */
  readonly maxLength: number;
  /** Characters the venue takes (one character at a time). */
  readonly allowed: RegExp;
  /**
   * One allowed character that stands for "two hex digits follow": every character outside the venue's
   * set, and the escape character itself, is written as its UTF-8 bytes, each as escape + two lower-case
   * hex digits. Pick one that our ids rarely hold.
   */
  readonly escape: string;
}

const HEX = /^[0-9a-f]{2}$/;
/** Half of a surrogate pair without its other half: it has no UTF-8 form, so it could not come back. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A codec that passes the venue's characters through and escapes the rest, so an id made of characters
 * the venue takes reads the same at the venue (an operator finds it in the venue's UI). Decoding accepts
 * only what encoding produces (lower-case hex, escapes only where needed, valid UTF-8), so a foreign id
 * never decodes to one of ours: `decode(w)` defined implies `encode(decode(w)) === w`.
 */
export function escapeCodec(spec: EscapeCodecSpec): ClientOrderIdCodec {
  const passes = (ch: string): boolean => ch !== spec.escape && spec.allowed.test(ch);
  if (spec.escape.length !== 1 || !spec.allowed.test(spec.escape) || !'0123456789abcdef'.split('').every((d) => spec.allowed.test(d))) {
    throw new AutotraderError('INTERNAL', `${spec.venue} client order id codec: the escape character and the hex digits must be characters the venue takes`);
  }
  return {
    venue: spec.venue,
    rule: spec.rule,
    encode(clientOrderId) {
      if (clientOrderId.length === 0) throw new AutotraderError('ORDER_INVALID', `${spec.venue}: an empty client order id cannot be sent`);
      if (LONE_SURROGATE.test(clientOrderId)) {
        throw new AutotraderError('ORDER_INVALID', `${spec.venue}: client order id ${JSON.stringify(clientOrderId)} is not well-formed Unicode`, { details: { clientOrderId } });
      }
      let out = '';
      for (const ch of clientOrderId) {
        if (passes(ch)) out += ch;
        else for (const byte of utf8.encode(ch)) out += spec.escape + byte.toString(16).padStart(2, '0');
      }
      if (out.length > spec.maxLength) {
        throw new AutotraderError(
          'ORDER_INVALID',
          `client order id ${JSON.stringify(clientOrderId)} needs ${out.length} characters at ${spec.venue} (${spec.rule}); use a shorter id prefix`,
          { details: { clientOrderId, venue: spec.venue, length: out.length, maxLength: spec.maxLength } },
        );
      }
      return out;
    },
    decode(wire) {
      if (wire.length === 0 || wire.length > spec.maxLength) return undefined;
      let out = '';
      let bytes: number[] = [];
      const flush = (): boolean => {
        if (bytes.length === 0) return true;
        let text: string;
        try {
          text = strictUtf8.decode(Uint8Array.from(bytes));
        } catch {
          return false;
        }
        bytes = [];
        // A character the venue takes would have been sent as itself: escaping it is not our encoding.
        for (const ch of text) if (passes(ch)) return false;
        out += text;
        return true;
      };
      for (let i = 0; i < wire.length; ) {
        const ch = wire[i]!;
        if (ch === spec.escape) {
          const hex = wire.slice(i + 1, i + 3);
          if (!HEX.test(hex)) return undefined;
          bytes.push(parseInt(hex, 16));
          i += 3;
          continue;
        }
        if (!flush() || !passes(ch)) return undefined;
        out += ch;
        i++;
      }
      return flush() ? out : undefined;
    },
  };
}

/** A codec that sends our id as it is, for venues that take any string (Coinbase). `maxLength` guards a stated limit. */
export function identityCodec(venue: string, rule: string, maxLength = Infinity): ClientOrderIdCodec {
  return {
    venue,
    rule,
    encode(clientOrderId) {
      if (clientOrderId.length === 0 || clientOrderId.length > maxLength) {
        throw new AutotraderError('ORDER_INVALID', `client order id ${JSON.stringify(clientOrderId)} does not fit ${venue} (${rule})`, {
          details: { clientOrderId, venue, maxLength },
        });
      }
      return clientOrderId;
    },
    decode: (wire) => (wire.length === 0 ? undefined : wire),
  };
}

/** Binance Spot: `newClientOrderId` is 1–36 of `[.A-Z:/a-z0-9_-]`; our ids pass through, anything else is escaped with `:`. */
export const binanceClientOrderIds: ClientOrderIdCodec = escapeCodec({
  venue: 'Binance',
  rule: '1-36 characters of [.A-Z:/a-z0-9_-]',
  maxLength: 36,
  allowed: /^[.A-Z:/a-z0-9_-]$/,
  escape: ':',
});

/** OKX: `clOrdId` is 1–32 letters and digits; `-`, `_` and anything else are escaped with `Z` (so `at-7` is `atZ2d7`). */
export const okxClientOrderIds: ClientOrderIdCodec = escapeCodec({
  venue: 'OKX',
  rule: '1-32 letters and digits',
  maxLength: 32,
  allowed: /^[A-Za-z0-9]$/,
  escape: 'Z',
});

/** Coinbase Advanced Trade: `client_order_id` is any string; it must be unique, which ours are. */
export const coinbaseClientOrderIds: ClientOrderIdCodec = identityCodec('Coinbase', 'any non-empty string, unique');

/** What Interactive Brokers carries for one order: TWS's integer order id, and our id as `orderRef`. */
export interface IbOrderRef {
  readonly orderId: number;
  readonly orderRef: string;
}

/**
 * Interactive Brokers: an order is named by an integer id above TWS's `nextValidId`, which cannot be
 * derived from ours, so this codec allocates one per client order id and keeps the pair; our id travels
 * as `orderRef`, which TWS echoes in openOrder, orderStatus and execDetails. A retried submit of the
 * same id gets the same integer (stable); after a restart the pairs are learned again from open orders
 * with {@link IbOrderIdCodec.remember}.
 */
export class IbOrderIdCodec implements ClientOrderIdCodec<IbOrderRef> {
  readonly venue = 'Interactive Brokers';
  readonly rule = 'an integer order id above nextValidId, our id as orderRef';
  private next: number;
  private readonly byOurs = new Map<string, number>();
  private readonly byInteger = new Map<number, string>();

  constructor(nextValidId = 1) {
    this.next = nextValidId;
  }

  /** TWS's `nextValidId` (sent on connect and on request): ids below it are taken. */
  setNextValidId(id: number): void {
    if (!Number.isSafeInteger(id) || id < 0) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `IB nextValidId ${id} is not a whole number`);
    this.next = Math.max(this.next, id);
  }

  encode(clientOrderId: string): IbOrderRef {
    if (clientOrderId.length === 0) throw new AutotraderError('ORDER_INVALID', 'IB: an empty client order id cannot be sent');
    let orderId = this.byOurs.get(clientOrderId);
    if (orderId === undefined) {
      orderId = this.next++;
      this.remember(clientOrderId, orderId);
    }
    return { orderId, orderRef: clientOrderId };
  }

  /** Our id from an echo: the `orderRef` where TWS gives it, else the pair this codec allocated or learned. */
  decode(wire: IbOrderRef): string | undefined {
    if (wire.orderRef.length > 0) return wire.orderRef;
    return this.byInteger.get(wire.orderId);
  }

  /** Records a pair seen at the venue (open orders after a restart), so later echoes and retries agree with it. */
  remember(clientOrderId: string, orderId: number): void {
    this.byOurs.set(clientOrderId, orderId);
    this.byInteger.set(orderId, clientOrderId);
    if (orderId >= this.next) this.next = orderId + 1;
  }
}
