/**
 * Every error autotrader raises on purpose has a code from this table. The code is stable
 * (users grep for it and match on it); the hint says what to do about it.
 */
export const ERROR_CODES = {
  // configuration and command line
  CONFIG_INVALID: { retryable: false, hint: 'Fix the named option or config field; `pnpm backtest --help` (or `pnpm paper --help`, `pnpm live --help`) lists the options and their values.' },
  PARAM_INVALID: { retryable: false, hint: 'Give each strategy parameter as --param name=value, with a name and value the strategy declares (see its params in README: strategies).' },
  STRATEGY_NOT_FOUND: { retryable: false, hint: 'Use a built-in name (see README) or a path to a .ts file exporting defineStrategy(...): `pnpm backtest --strategy ./my-strategy.ts`.' },
  STRATEGY_INVALID: { retryable: false, hint: 'The module must `export default defineStrategy({...})` (see README: writing a strategy); try it with `pnpm backtest --strategy <file>`.' },
  STRATEGY_ERROR: { retryable: false, hint: 'The strategy threw while handling the named event; run the same command with --verbose for the stack.' },
  SUBSCRIBER_ERROR: { retryable: false, hint: 'A bus subscriber threw while handling an event; run the same command with --verbose for the stack.' },
  PLUGIN_NOT_FOUND: { retryable: false, hint: 'Use a built-in venue name (`pnpm plugins` lists them) or install the plugin package (`pnpm add <package>`).' },
  PLUGIN_INVALID: { retryable: false, hint: 'The plugin must export definePlugin(...) with a supported apiVersion; `pnpm plugins` lists the plugins that load.' },
  CAPABILITY_MISSING: { retryable: false, hint: "The venue lacks a capability the strategy needs; `pnpm plugins` lists each venue's order types and data." },
  RANGE_INVALID: { retryable: false, hint: '--from must be before --to, e.g. `pnpm backtest --from 2022-01-01 --to 2022-02-01`.' },
  // data
  DATA_NOT_FOUND: { retryable: false, hint: 'Check the path (`ls -l <path>`) and give an existing file or folder.' },
  DATA_CORRUPT: { retryable: false, hint: 'The file is not a readable Arrow file of a known kind; make it again from its source with `pnpm data import <source>`.' },
  DATA_PARSE: { retryable: false, hint: 'Fix or remove the named row, or keep the file with `pnpm data import <file> --repair drop` (or clip), which reports each change.' },
  DATA_UNSORTED: { retryable: false, hint: 'Rows must be in ascending time order; sort the source (e.g. `sort -t, -k1,1n`), then `pnpm data import` it.' },
  DATA_EMPTY: { retryable: false, hint: 'No rows are left (check --from/--to and the file).' },
  DATA_FORMAT_UNKNOWN: { retryable: false, hint: 'Give --format, or use a supported layout (see README: data format).' },
  // instruments and orders
  INSTRUMENT_UNKNOWN: { retryable: false, hint: "The venue does not list this symbol; check its spelling and venue (--symbol takes the venue's own name, e.g. --symbol BTCUSDT)." },
  ORDER_INVALID: { retryable: false, hint: 'The order failed validation before it was sent.' },
  ORDER_UNKNOWN: { retryable: false, hint: 'No order with that client order id is known.' },
  ORDER_TRANSITION_ILLEGAL: { retryable: false, hint: 'An order event arrived that its state does not allow; the event was not applied.' },
  ORDER_OVERFILL: { retryable: false, hint: 'Fills exceed the order quantity; reconcile with the venue.' },
  FILL_UNKNOWN_ORDER: { retryable: false, hint: 'A fill arrived for an order this process does not know; reconcile with the venue.' },
  TICK_SIZE: { retryable: false, hint: 'The price is not a multiple of the instrument tick size.' },
  LOT_SIZE: { retryable: false, hint: 'The quantity is not a multiple of the instrument lot size, or is below the minimum.' },
  MIN_NOTIONAL: { retryable: false, hint: 'Price × quantity is below the instrument minimum notional.' },
  INSUFFICIENT_MARGIN: { retryable: false, hint: 'The margin account has too little margin available for this order (NAV − margin used); size orders to the margin, deposit, or raise --leverage if the venue allows it.' },
  RATE_MISSING: { retryable: false, hint: 'No conversion rate for the named currency pair: subscribe to (or give data for) that pair, or add it to the rates table of the config file (account.rates, e.g. {"EUR/USD": "1.08"}).' },
  INSUFFICIENT_FUNDS: { retryable: false, hint: 'Not enough free balance for this order; size orders to the cash (a simulated venue starts with --cash).' },
  ORDER_TYPE_UNSUPPORTED: { retryable: false, hint: 'The venue does not support this order type or time in force.' },
  VENUE_REJECTED: { retryable: false, hint: 'The venue rejected the request; its reason is attached.' },
  // pre-trade risk and the kill switch
  RISK_MAX_QUANTITY: { retryable: false, hint: 'The order quantity is above the risk limit; raise it with --risk maxOrderQuantity=<n> (or risk.maxOrderQuantity in --config) if that is intended.' },
  RISK_MAX_NOTIONAL: { retryable: false, hint: 'The order notional is above the risk limit; raise it with --risk maxOrderNotional=<n> (or risk.maxOrderNotional in --config) if that is intended.' },
  RISK_MAX_POSITION: { retryable: false, hint: 'The order would take the position past the risk limit; raise it with --risk maxPosition=<n> if that is intended.' },
  RISK_MAX_OPEN_ORDERS: { retryable: false, hint: 'Too many open orders; wait for some to fill or cancel them, or raise --risk maxOpenOrders=<n>.' },
  RISK_PRICE_BAND: { retryable: false, hint: 'The price is too far from the last trade or quote; widen it with --risk priceBandPct=<n> if that is intended.' },
  RISK_ORDER_RATE: { retryable: false, hint: 'Orders are being sent faster than the risk limit allows; change it with --risk orderRate=<json> ({"count":10,"intervalMs":1000}) if that is intended.' },
  RISK_NO_PRICE: { retryable: false, hint: 'No last trade or quote yet to check the order against; wait for market data.' },
  TRADING_HALTED: { retryable: false, hint: 'The kill switch is set to halt: no new orders. Resume with `pnpm kill --mode active`.' },
  REDUCE_ONLY_MODE: { retryable: false, hint: 'The kill switch allows only orders that reduce a position; resume with `pnpm kill --mode active`.' },
  BALANCE_MISMATCH: { retryable: false, hint: 'Our ledger and the venue report different balances (both figures are given); a deposit or trade made outside this session, or a fee booked differently, explains most. Positions that differ halt trading; balances are reported.' },
  RECONCILIATION_FAILED: { retryable: false, hint: 'Our state and the venue disagree and could not be repaired; trading is halted until this is resolved.' },
  // venue transport
  VENUE_UNAVAILABLE: { retryable: true, hint: 'The venue could not be reached or answered 5xx; retried with backoff.' },
  VENUE_TIMEOUT: { retryable: true, hint: 'The venue did not answer in time; the order is queried before anything is resent.' },
  RATE_LIMITED: { retryable: true, hint: 'The venue asked us to slow down; requests wait for Retry-After.' },
  VENUE_MESSAGE_MALFORMED: { retryable: false, hint: 'A venue message did not match its schema; it was logged and skipped.' },
  AUTH_MISSING: { retryable: false, hint: 'Set the named environment variable (`export NAME=...`) and start again.' },
  AUTH_FAILED: { retryable: false, hint: 'The venue refused the credentials or signature; check the key, its permissions, and testnet versus --mainnet, then start again.' },
  // runtime
  JOURNAL_IO: { retryable: false, hint: 'The order journal could not be written (disk full or failing; `df -h` shows the space left); nothing is sent until it can be.' },
  JOURNAL_MISMATCH: { retryable: false, hint: 'The order journal belongs to another venue or account; give this session its own --journal file, or point it at the account the journal was written for.' },
  SESSION_NOT_RUNNING: { retryable: false, hint: 'No live autotrader session answers for that state directory; start one (`pnpm paper ...`), or give `pnpm kill --state-dir <dir>` the directory it was started with.' },
  STARTUP_FAILED: { retryable: false, hint: 'The venue stayed unreachable or kept refusing during start-up; check its status and your network, then start again (wait longer with --startup-max-wait-ms).' },
  JOURNAL_PATH_INVALID: { retryable: false, hint: 'Give --journal (or journal.path in the config file) a file in a folder you can write, e.g. --journal .autotrader/journal.jsonl.' },
  JOURNAL_CORRUPT: { retryable: false, hint: "The order journal has a corrupt line in the middle; inspect it (`sed -n '<line>p' <journal>`, the line number is given) before trading again." },
  CLOCK_BACKWARDS: { retryable: false, hint: 'Events must not go back in time.' },
  INTERNAL: { retryable: false, hint: 'A bug in autotrader, not a mistake of yours; please report it with the output of the same command run with --verbose.' },
} as const satisfies Record<string, { retryable: boolean; hint: string }>;

/** One of the codes in {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code, a retry flag, and optional structured details. */
export class AutotraderError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AutotraderError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.details = options.details ?? {};
  }

  /** The hint for this error's code: what the user can do about it. */
  get hint(): string {
    return ERROR_CODES[this.code].hint;
  }
}

/** Type guard for {@link AutotraderError}, optionally of one code. */
export function isAutotraderError(error: unknown, code?: ErrorCode): error is AutotraderError {
  return error instanceof AutotraderError && (code === undefined || error.code === code);
}

/** Shorthand to build an {@link AutotraderError}. */
export const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): AutotraderError =>
  new AutotraderError(code, message, { details, cause });
