/**
 * Binance error responses (`{"code": -1121, "msg": "Invalid symbol."}`) with the HTTP status each travels with.
 * Codes and messages are those of binance-spot-api-docs errors.md and rest-api.md.
 *
 * These are not framework errors: they are what the fake venue answers on the wire, so they are a
 * separate class from core's `AutotraderError` (which the fake throws only when a test misuses it).
 * @module
 */

/** The legal range Binance prints for decimal parameters in -1100 messages. */
export const DECIMAL_RANGE = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
/** The legal range Binance prints for client order ids in -1100 messages. */
export const CLIENT_ORDER_ID_RANGE = '^[a-zA-Z0-9-_]{1,36}$';

/** A Binance error answer: HTTP status, Binance code and message, and optional `data`. */
export class BinanceApiError extends Error {
  /**
   * @param httpStatus - status of the HTTP response (WebSocket API: the `status` field).
   * @param code - Binance error code (negative).
   * @param msg - Binance error message.
   * @param extra - `data` for the body, `retryAfterSec` for a Retry-After header, and the
   *   `executionReport.r` reject reason used when a cancel-replace's new order is rejected.
   */
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    readonly msg: string,
    readonly extra: { readonly data?: unknown; readonly retryAfterSec?: number; readonly rejectReason?: string } = {},
  ) {
    super(`${code}: ${msg}`);
    this.name = 'BinanceApiError';
  }

  /** The JSON body (REST) or `error` object (WebSocket API). */
  body(): { code: number; msg: string; data?: unknown } {
    return this.extra.data === undefined ? { code: this.code, msg: this.msg } : { code: this.code, msg: this.msg, data: this.extra.data };
  }
}

const e400 = (code: number, msg: string, extra?: BinanceApiError['extra']): BinanceApiError => new BinanceApiError(400, code, msg, extra);

/** Factories for every error the fake answers. */
export const binanceErrors = {
  badSymbol: () => e400(-1121, 'Invalid symbol.'),
  mandatory: (name: string) => e400(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  eitherMandatory: (a: string, b: string) => e400(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  tooLarge: (name: string, max: string) => e400(-1102, `'${name}' contains unexpected value. Cannot be greater than '${max}'.`),
  illegalChars: (name: string, range: string) => e400(-1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
  duplicateParam: () => e400(-1101, 'Duplicate values for a parameter detected.'),
  unreadParams: (read: number, sent: number) =>
    e400(-1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
  emptyParam: (name: string) => e400(-1105, `Parameter '${name}' was empty.`),
  notRequired: (name: string) => e400(-1106, `Parameter '${name}' sent when not required.`),
  tooMuchPrecision: (name: string) => e400(-1111, `Parameter '${name}' has too much precision.`),
  invalidTimeInForce: () => e400(-1115, 'Invalid timeInForce.'),
  invalidOrderType: () => e400(-1116, 'Invalid orderType.'),
  invalidSide: () => e400(-1117, 'Invalid side.'),
  invalidInterval: () => e400(-1120, 'Invalid interval.'),
  invalidData: (name: string) => e400(-1130, `Data sent for parameter '${name}' is not valid.`),
  invalidJson: () => e400(-1135, 'Invalid JSON Request'),
  invalidCancelRestrictions: () => e400(-1145, 'Invalid cancelRestrictions'),
  filterFailure: (filter: string) => e400(-1013, `Filter failure: ${filter}`),
  newOrderRejected: (msg: string, rejectReason = 'NONE') => e400(-2010, msg, { rejectReason }),
  cancelRejected: (msg: string) => e400(-2011, msg),
  noSuchOrder: () => e400(-2013, 'Order does not exist.'),
  badApiKeyFormat: () => new BinanceApiError(401, -2014, 'API-key format invalid.'),
  rejectedApiKey: () => new BinanceApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  badSignature: () => e400(-1022, 'Signature for this request is not valid.'),
  outsideRecvWindow: () => e400(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  aheadOfServer: () => e400(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  tooMuchWeight: (limit: number, retryAfterSec: number) =>
    new BinanceApiError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      { retryAfterSec },
    ),
  banned: (until: number, retryAfterSec: number) =>
    new BinanceApiError(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      { retryAfterSec },
    ),
  tooManyOrders: (limit: number, interval: string, retryAfterSec: number) =>
    new BinanceApiError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`, { retryAfterSec }),
  /** A 5xx: Binance says the execution status is then UNKNOWN (here: the request was not processed). */
  server: (status: number) =>
    status >= 503
      ? new BinanceApiError(status, -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.')
      : new BinanceApiError(status, -1001, 'Internal error; unable to process your request. Please try again.'),
  /** What the retired listenKey endpoints answer here (see README: errors.md -1016 SERVICE_SHUTTING_DOWN). */
  retired: () => e400(-1016, 'This service is no longer available.'),
  unsupported: () => e400(-1020, 'This operation is not supported.'),
  unauthorized: () => new BinanceApiError(401, -1002, 'You are not authorized to execute this request.'),
  subscriptionActive: () => e400(-2035, 'User Data Stream subscription already active.'),
  subscriptionInactive: () => e400(-2036, 'User Data Stream subscription not active.'),
} as const;
