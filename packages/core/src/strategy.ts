import type { AccountSummary } from './accounts';
import type { Decimal } from './decimal';
import type { Observable } from 'rxjs';
import type { z } from 'zod';
import type { Balance, Position } from './account';
import type { Clock } from './clock';
import type { Money } from './decimal';
import { AutotraderError } from './errors';
import type { BusEvents, Topic } from './events';
import type { Instrument } from './instrument';
import type { Logger } from './logger';
import type { Bar, BookSnapshot, MarketDataKind, QuoteTick, TradeTick } from './market-data';
import type { OrderChanges, OrderIntent, OrderSnapshot, OrderType } from './order';

/** The instruments a run knows. */
export interface InstrumentCatalog {
  /** The instrument, or throws `INSTRUMENT_UNKNOWN` naming the id. */
  get(id: string): Instrument;
  has(id: string): boolean;
  list(): readonly Instrument[];
}

/** What a strategy may read of the portfolio. */
export interface PortfolioView {
  /** Cash in a currency (default: the account currency). */
  cash(currency?: string): Money;
  /** Cash plus positions marked at the last price, as a number. */
  equity(): number;
  position(instrumentId: string): Position | undefined;
  /** The signed position size as a number, cheap enough to read on every bar. */
  positionSize(instrumentId: string): number;
  balances(): readonly Balance[];
  /**
   * The account in its base currency: balance, unrealized P/L, NAV, margin used and available (a cash
   * account reports no margin). What a strategy sizes a margin position by.
   */
  accountSummary(): AccountSummary;
  /**
   * The initial margin rate this account applies to an instrument (the config's rate, the instrument's
   * own, or 1/leverage; 1 without any: the whole notional).
   */
  marginRate(instrumentId: string): Decimal;
}

/**
 * Everything a strategy can touch. It never sees a venue, a mode or a file path: the same strategy
 * runs unchanged in backtest, paper and live.
 */
export interface StrategyContext {
  readonly clock: Clock;
  readonly instruments: InstrumentCatalog;
  readonly portfolio: PortfolioView;
  readonly log: Logger;
  /**
   * Time bars at the run's interval: the file's or the venue's own, or, where there are none at that
   * interval, built by the engine from trades or quotes the same way in every mode. A bar arrives when
   * it closes.
   */
  bars(instrumentId?: string): Observable<Bar>;
  trades(instrumentId?: string): Observable<TradeTick>;
  quotes(instrumentId?: string): Observable<QuoteTick>;
  books(instrumentId?: string): Observable<BookSnapshot>;
  /** Any bus topic: `order`, `fill`, `position`, `timer`, `venueStatus`, `tradingState`, … */
  stream<T extends Topic>(topic: T): Observable<BusEvents[T]>;
  /**
   * Sends an order through risk and the OMS. Returns its snapshot at once: status `submitted`, or
   * `rejected` with a coded reason if a pre-trade check refused it.
   */
  submit(intent: OrderIntent): OrderSnapshot;
  cancel(clientOrderId: string): void;
  modify(clientOrderId: string, changes: OrderChanges): void;
  cancelAll(instrumentId?: string): void;
  openOrders(instrumentId?: string): readonly OrderSnapshot[];
  order(clientOrderId: string): OrderSnapshot | undefined;
}

/** Returned by a strategy's `create`, for clean-up. */
export interface StrategyHandle {
  onStop?(): void;
}

/** A strategy. Make one with {@link defineStrategy}. */
export interface StrategyDefinition<Params extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description?: string;
  /** The zod schema of the parameters; `--param k=v` is validated against it. */
  readonly params: Params;
  /**
   * What the strategy needs. `orderTypes` is checked against the venue before the first order.
   * `data` can be left out: the engine records what the strategy reads while it is created
   * (`ctx.bars()`, `ctx.trades(id)`, `ctx.stream('quote')` …) and delivers exactly that in every mode,
   * building bars from trades or quotes where the data or the venue has none at the interval. When
   * given, it must list every kind the strategy reads (STRATEGY_INVALID otherwise); a kind listed but
   * not read at creation is delivered too, for a strategy that subscribes later.
   */
  readonly requires?: { readonly orderTypes?: readonly OrderType[]; readonly data?: readonly MarketDataKind[] };
  create(ctx: StrategyContext, params: z.output<Params>): StrategyHandle | void;
}

/** Declares a strategy. The identity function, there for type inference. */
export function defineStrategy<Params extends z.ZodType>(definition: StrategyDefinition<Params>): StrategyDefinition<Params> {
  return definition;
}

/** Checks that a loaded module export is a strategy, or throws `STRATEGY_INVALID`. */
export function assertStrategy(candidate: unknown, source: string): StrategyDefinition {
  const s = candidate as Partial<StrategyDefinition> | undefined;
  if (!s || typeof s !== 'object' || typeof s.name !== 'string' || typeof s.create !== 'function' || !s.params || typeof (s.params as { safeParse?: unknown }).safeParse !== 'function') {
    throw new AutotraderError('STRATEGY_INVALID', `${source} does not export a strategy made with defineStrategy(...)`);
  }
  return s as StrategyDefinition;
}
