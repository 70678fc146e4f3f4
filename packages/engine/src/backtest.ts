import { mergeByTime } from '@autotrader/data';
import {
  accountConfigSchema,
  AutotraderError,
  DEFAULT_ACCOUNT,
  describeZodIssues,
  type AccountConfig,
  type AccountConfigInput,
  isAutotraderError,
  SimulatedClock,
  type Clock,
  type DecimalLike,
  type EventBus,
  type ExecutionPort,
  type Fill,
  type Instrument,
  type Logger,
  type OrderSnapshot,
  type StrategyDefinition,
  type VenueCapabilities,
} from '@autotrader/core';
import { feedEventTimes, type MarketFeed } from './feeds';
import { Kernel, type PreTradeCheck } from './kernel';
import type { RiskConfig } from './risk';
import { snapshot } from './oms';
import type { EquityCurve, RoundTrip } from './portfolio';
import { routeReplayData } from './market-data/replay';
import { DEFAULT_MAX_ORDERS_PER_EVENT } from './strategy-guard';
import { SLOW_CHECK_EVERY, SlowReplayWatch } from './strategy-diagnostics';
import type { BarSettings, MarketDataRoute } from './market-data/routes';

/** What a backtest needs. The venue is a factory so the same simulated venue serves backtest and paper. */
export interface BacktestOptions {
  readonly strategy: StrategyDefinition;
  readonly params?: unknown;
  readonly feeds: readonly MarketFeed[];
  readonly instruments: readonly Instrument[];
  readonly venue: (ctx: { clock: Clock; bus: EventBus; instruments: readonly Instrument[]; logger: Logger }) => ExecutionPort;
  readonly capabilities?: VenueCapabilities;
  /** Starting cash, in the account's base currency. */
  readonly startingCash: DecimalLike;
  /** Account currency (default: the account's base currency, else the quote currency of the first instrument). */
  readonly currency?: string;
  /**
   * The account: cash or margin, base currency, leverage or margin rates, closeout level, conversion
   * rates (core's accountConfigSchema). Absent: a cash account in `currency`, as every run before.
   */
  readonly account?: AccountConfigInput;
  readonly preTradeChecks?: readonly PreTradeCheck[];
  /** Pre-trade risk limits and the daily-loss kill switch. */
  readonly risk?: RiskConfig;
  readonly logger?: Logger;
  /** Called every 65,536 events with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Bars for a strategy that reads them where the data has trades or quotes instead: the interval
   * (default 1m) and the quote price followed (default mid). Bar data is replayed as it is.
   */
  readonly bars?: BarSettings;
  /**
   * Orders the strategy may send while one event is handled (default {@link DEFAULT_MAX_ORDERS_PER_EVENT});
   * more stops the run with STRATEGY_ERROR naming the strategy and the event. `Infinity` turns it off.
   */
  readonly maxOrdersPerEvent?: number;
}

/** Everything a backtest produced. */
export interface BacktestResult {
  readonly kernel: Kernel;
  readonly equity: EquityCurve;
  readonly trades: readonly RoundTrip[];
  readonly fills: readonly Fill[];
  readonly orders: readonly OrderSnapshot[];
  /** What the strategy read and where it came from (bars from the file, or built from trades or quotes). */
  readonly marketData: readonly MarketDataRoute[];
  readonly currency: string;
  readonly startingCash: number;
  /** The account's figures at the end: present for a margin account or one that holds several currencies. */
  readonly account?: BacktestAccountResult;
  /** Cash plus positions at their last price, computed exactly, as a number. */
  readonly finalEquity: number;
  /** The same, as an exact decimal string. */
  readonly finalEquityExact: string;
  readonly fees: number;
  /** Market events replayed. */
  readonly marketEvents: number;
  /** Every event published on the bus (market data, orders, fills, positions, …). */
  readonly busEvents: number;
  readonly start: number;
  readonly end: number;
}

/** A margin or multi-currency run's account figures, in the base currency. */
export interface BacktestAccountResult {
  readonly type: 'cash' | 'margin';
  readonly baseCurrency: string;
  /** NAV at the end, exactly. */
  readonly nav: string;
  readonly balance: string;
  readonly unrealizedPnl: string;
  readonly marginUsedPeak: number;
  readonly marginUsedEnd: number;
  readonly closeouts: number;
  /** Gross notional of the open positions at the end, per quote currency, in that currency. */
  readonly exposureByCurrency: Readonly<Record<string, number>>;
  /** The largest gross notional held per quote currency after any fill, in that currency. */
  readonly exposurePeakByCurrency: Readonly<Record<string, number>>;
  /** Margin used just after each fill, in fill order. */
  readonly marginUsedAtFills: readonly number[];
}

type Emit = (row: number) => number;

function emitterFor(feed: MarketFeed, bus: EventBus, clock: SimulatedClock): Emit {
  switch (feed.kind) {
    case 'bar': {
      const { instrumentId, intervalMs, tsOpen, open, high, low, close, volume } = feed;
      const publish = bus.publisher('bar');
      return (i) => {
        const tsEvent = tsOpen[i]! + intervalMs;
        clock.advanceTo(tsEvent);
        publish({ instrumentId, tsOpen: tsOpen[i]!, tsEvent, tsInit: tsEvent, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! });
        return tsEvent;
      };
    }
    case 'trade': {
      const { instrumentId, ts, price, size, aggressor } = feed;
      const publish = bus.publisher('trade');
      return (i) => {
        const tsEvent = ts[i]!;
        clock.advanceTo(tsEvent);
        const a = aggressor[i];
        publish({ instrumentId, tsEvent, tsInit: tsEvent, price: price[i]!, size: size[i]!, aggressor: a === 1 ? 'buy' : a === -1 ? 'sell' : 'unknown', tradeId: feed.tradeId(i) });
        return tsEvent;
      };
    }
    case 'quote': {
      const { instrumentId, ts, bid, ask, bidSize, askSize } = feed;
      const publish = bus.publisher('quote');
      return (i) => {
        const tsEvent = ts[i]!;
        clock.advanceTo(tsEvent);
        publish({ instrumentId, tsEvent, tsInit: tsEvent, bid: bid[i]!, ask: ask[i]!, bidSize: bidSize[i]!, askSize: askSize[i]! });
        return tsEvent;
      };
    }
  }
}

/**
 * Replays the feeds in time order through a kernel with a simulated clock. Deterministic: the same
 * inputs give the same orders, fills and equity, to the last digit. A subscriber that throws stops the
 * run at that event with a STRATEGY_ERROR (or SUBSCRIBER_ERROR) naming the event and its time.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const feeds = options.feeds;
  if (feeds.length === 0 || feeds.every((f) => f.length === 0)) throw new AutotraderError('DATA_EMPTY', 'nothing to replay: no rows in the given data');
  const total = feeds.reduce((n, f) => n + f.length, 0);
  let first = Infinity;
  for (const f of feeds) if (f.length > 0) first = Math.min(first, f.kind === 'bar' ? f.tsOpen[0]! + f.intervalMs : f.ts[0]!);

  const clock = new SimulatedClock(first);
  const account = parseAccount(options.account);
  const currency = account.baseCurrency ?? options.currency ?? options.instruments[0]?.quote ?? 'USD';
  const kernel = new Kernel({
    clock,
    instruments: options.instruments,
    execution: options.venue,
    capabilities: options.capabilities,
    startingBalances: { [currency]: options.startingCash },
    accountCurrency: currency,
    errorPolicy: 'throw',
    clientOrderIdPrefix: 'bt',
    preTradeChecks: options.preTradeChecks,
    risk: options.risk,
    logger: options.logger,
    expectedEvents: total,
    account,
  });
  kernel.addStrategy(options.strategy, options.params);
  const guard = kernel.strategyGuard;
  guard.maxOrdersPerEvent = options.maxOrdersPerEvent ?? DEFAULT_MAX_ORDERS_PER_EVENT;
  await kernel.start();
  // An async create that rejects stops the run before the first event.
  if (guard.attention) await guard.settle();
  // The strategy exists now: route the data to what it asked for (building bars from ticks if need be).
  const marketData = routeReplayData(kernel, feeds, [options.strategy], options.bars);

  const emitters = feeds.map((f) => emitterFor(f, kernel.bus, clock));
  // A handler that runs long is reported once (one clock reading per SLOW_CHECK_EVERY events).
  const slow = new SlowReplayWatch(options.strategy.name, (message) => kernel.log.warn(message));
  const checkEvery = SLOW_CHECK_EVERY - 1;
  const progress = options.onProgress;
  let done = 0;
  let last = first;
  try {
    if (feeds.length === 1) {
      const emit = emitters[0]!;
      const n = feeds[0]!.length;
      for (; done < n; done++) {
        guard.event = done;
        last = emit(done);
        // A handler returned a promise or a fault was recorded: let it settle, and stop at this event if it failed.
        if (guard.attention) await guard.settle();
        if ((done & checkEvery) === checkEvery) slow.check(done + 1, last);
        if (progress !== undefined && (done & 0xffff) === 0) progress(done, total);
      }
    } else {
      const order = mergeByTime(feeds.map(feedEventTimes));
      for (; done < total; done++) {
        guard.event = done;
        last = emitters[order.stream[done]!]!(order.row[done]!);
        if (guard.attention) await guard.settle();
        if ((done & checkEvery) === checkEvery) slow.check(done + 1, last);
        if (progress !== undefined && (done & 0xffff) === 0) progress(done, total);
      }
    }
  } catch (error) {
    throw describeStop(error, done, clock.now());
  }
  progress?.(total, total);
  marketData.stop();
  guard.event = -1;
  await kernel.stop();
  // Async strategy code still running (or an async onStop) that rejects fails the run too.
  await guard.finish();

  const portfolio = kernel.portfolio;
  const exact = portfolio.exactEquity();
  let accountResult: BacktestAccountResult | undefined;
  if (portfolio.general) {
    const s = portfolio.accountSummary();
    accountResult = {
      type: account.type,
      baseCurrency: currency,
      nav: s.nav.toFixed(),
      balance: s.balance.toFixed(),
      unrealizedPnl: s.unrealizedPnl.toFixed(),
      // Plain-number sums carry float noise (2000.0000000000005): reported to 8 places, as money is.
      marginUsedPeak: round8(portfolio.peakMarginUsed()),
      marginUsedEnd: s.marginUsed.toNumber(),
      closeouts: portfolio.closeouts(),
      exposureByCurrency: portfolio.exposureByCurrency(),
      exposurePeakByCurrency: Object.fromEntries(Object.entries(portfolio.peakExposureByCurrency()).map(([c, x]) => [c, round8(x)])),
      marginUsedAtFills: portfolio.marginUsedAtFills().map(round8),
    };
  }
  return {
    kernel,
    equity: kernel.portfolio.curve(),
    trades: kernel.portfolio.roundTrips(),
    fills: kernel.oms.allFills(),
    orders: kernel.oms.all().map(snapshot),
    marketData: marketData.routes,
    currency,
    startingCash: Number(options.startingCash),
    ...(accountResult === undefined ? {} : { account: accountResult }),
    finalEquity: exact.toNumber(),
    finalEquityExact: exact.toFixed(),
    fees: kernel.portfolio.fees().toNumber(),
    marketEvents: total,
    busEvents: kernel.bus.publishedCount,
    start: first,
    end: last,
  };
}

const round8 = (x: number): number => Math.round(x * 1e8) / 1e8;

/** The account config, validated: a bad field is CONFIG_INVALID naming `account.<field>`. */
function parseAccount(input: AccountConfigInput | undefined): AccountConfig {
  if (input === undefined) return DEFAULT_ACCOUNT;
  const parsed = accountConfigSchema.safeParse(input);
  if (!parsed.success) throw new AutotraderError('CONFIG_INVALID', `invalid account: ${describeZodIssues(parsed.error.issues, 'account')}`, { details: { issues: parsed.error.issues } });
  return parsed.data;
}

function describeStop(error: unknown, index: number, now: number): unknown {
  if (!isAutotraderError(error)) return error;
  const at = `event #${index + 1} at ${new Date(now).toISOString()}`;
  const owner = String(error.details.owner ?? '');
  const code = owner.startsWith('strategy:') ? 'STRATEGY_ERROR' : error.code;
  return new AutotraderError(code, `${error.message} (${at})`, { cause: error.cause ?? error, details: { ...error.details, eventIndex: index, time: now } });
}
