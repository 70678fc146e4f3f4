/** A query or form value; numbers and booleans are sent in their plain text form. */
export type QueryValue = string | number | boolean;
/** Ordered parameters: several venues sign the query exactly as sent, so the order is kept. */
export type QueryParams = ReadonlyArray<readonly [string, QueryValue]>;

/**
 * Percent-encodes one key or value as our requests send it. `encodeURIComponent` leaves
 * `A-Z a-z 0-9 - _ . ! ~ * ' ( )` alone and encodes UTF-8 bytes as `%XX` (what Binance's published
 * non-ASCII signature vector expects, and what OKX and Coinbase accept).
 */
export const percentEncode = (value: QueryValue): string => encodeURIComponent(String(value));

/** `k=v&k=v` with keys and values percent-encoded, in the given order; '' for none. */
export function encodeQuery(params: QueryParams): string {
  let out = '';
  for (const [k, v] of params) {
    if (out.length > 0) out += '&';
    out += `${percentEncode(k)}=${percentEncode(v)}`;
  }
  return out;
}
