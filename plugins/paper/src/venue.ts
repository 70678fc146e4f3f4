import {
  AutotraderError,
  isCurrencyPair,
  IdIndex,
  Decimal,
  ZERO,
  silentLogger,
  type Balance,
  type BuyFeeHold,
  type Bar,
  type BookSnapshot,
  type Clock,
  type EventBus,
  type ExecutionPort,
  type ExecutionReportSink,
  type Fill,
  type Instrument,
  type Logger,
  type Money,
  type OrderSide,
  type OrderSnapshot,
  type OrderStatus,
  type OrderType,
  type Position,
  type Price,
  type Quantity,
  type QuoteTick,
  type TimeInForce,
  type TradeTick,
  type VenueOrderChanges,
  type VenueOrderState,
  type VenuePosition,
  mulberry32,
  type AccountSummary,
  type VenueOrderReason,
} from '@autotrader/core';
import { SimAccount } from './account';
import { AccountValuation } from './margin-account';
import { ExpirySchedule, checkExpiringInstruments, settlementPrice } from './expiry';
import { venueMadeReports, type VenueMadeTrade } from './venue-orders';
import { FinancingModel } from './financing';
import { VenueRateLimits } from './rate-limits';
import { paperVenueConfigSchema, type PaperVenueConfig, type PaperVenueConfigInput } from './config';
import { FaultState, type VenueFaults } from './faults';
import { buyLock, feeAsset, feeFor, feeInBase, feeSchedule, holdsBase, notional, roundAdverse, sizeCap, slipped, volumeShareCap, type FeeSchedule } from './fill-models';
import { matchAtPoint, matchBar, trail, type MatchOut, type MatchState } from './matching';
import { ReportOutbox } from './outbox';
import { RequestsInFlight } from './requests-in-flight';
import { checkGrid, checkNotional, checkShape, checkSupported, type RuleViolation } from './rules';

/** The kinds of market event the venue matches on. */
const BAR = 0;
const TRADE = 1;
const QUOTE = 2;
const BOOK = 3;
type EventKind = typeof BAR | typeof TRADE | typeof QUOTE | typeof BOOK;
type MarketEvent = Bar | TradeTick | QuoteTick | BookSnapshot;

const DAY_MS = 86_400_000;

/** An order as the venue holds it. Status is `submitted` until it arrives (after the submit latency). */
interface SimOrder extends MatchState {
  readonly clientOrderId: string;
  venueOrderId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  quantity: Quantity;
  price: Price | undefined;
  triggerPrice: Price | undefined;
  readonly trailingOffset: Price | undefined;
  readonly timeInForce: TimeInForce;
  readonly expireAt: number | undefined;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  status: OrderStatus;
  filled: Quantity;
  averagePrice: Price | undefined;
  fees: Money;
  /** When the order reached the venue (or was last modified); bars closing after it may fill it. */
  arrivedAt: number;
  /** Buys: the price the cash lock is computed at. */
  lockPrice: Decimal | undefined;
  /** Cash held back for this buy. */
  locked: Money;
  /** Base quantity held back for this sell (no-short accounts). */
  sellLocked: Quantity;
  expiryAlert: string;
}

/** A request on its way to the venue (see {@link RequestsInFlight}). */
interface VenueRequest {
  readonly kind: 'submit' | 'cancel' | 'modify';
  /** A closed order's state when the request is about an order that is already done. */
  readonly o: SimOrder | VenueOrderState;
  readonly changes: VenueOrderChanges | undefined;
}

/** Per-instrument market state and the live orders resting on it. */
interface InstrumentBook {
  readonly instrument: Instrument;
  lastBar: Bar | undefined;
  lastTrade: TradeTick | undefined;
  lastQuote: QuoteTick | undefined;
  lastBook: BookSnapshot | undefined;
  /** The last traded price (a trade, a bar's close, or the mid of a quote or book); NaN before any. */
  lastPrice: number;
  /** Best bid and ask from the last quote or book (NaN before any). */
  bid: number;
  ask: number;
  /** Accepted orders not yet done, in arrival order (which is matching priority). */
  readonly live: SimOrder[];
  /** Our fills on this instrument, oldest first (for fillsSince). */
  readonly fills: Fill[];
  /** `lastPrice` as a decimal, valid while `lastPriceDecimalOf === lastPrice`. */
  lastPriceDecimal: Decimal | undefined;
  lastPriceDecimalOf: number;
  /** True for a currency pair (fx, spot): its mark feeds the account's conversion rates. */
  readonly ratePair: boolean;
  /**
   * The price positions are valued at: the last trade or bar close, or on quote data the mid as its
   * exact decimal (a double sum (1.25 + 1.2501) / 2 is 1.2500499999999999; this is 1.25005). NaN before any.
   */
  mark: number;
  /** 10^(price precision + 1): an exact mid of two on-grid prices has at most that many decimals. */
  readonly midScale: number;
  /** `mark` as a decimal, valid while `markDecimalOf === mark`. */
  markDecimal: Decimal | undefined;
  markDecimalOf: number;
  /** True once the instrument has expired: no order rests on it or is accepted for it. */
  expired: boolean;
}

/** One order's match on the current event. */
interface Hit extends MatchOut {
  order: SimOrder | undefined;
  /** Arrival rank on this event: the tie-break when two fills happen at the same point of the path. */
  seq: number;
}

/** True when one of the first `n` orders is IOC or FOK (it may expire on this event). */
function hasTimeLimit(live: readonly SimOrder[], n: number): boolean {
  for (let i = 0; i < n; i++) {
    const tif = live[i]!.timeInForce;
    if (tif === 'IOC' || tif === 'FOK') return true;
  }
  return false;
}

/** Sorts the first `n` hits by path position, then arrival (insertion sort: n is tiny). */
function sortHits(hits: Hit[], n: number): void {
  for (let i = 1; i < n; i++) {
    const h = hits[i]!;
    let j = i - 1;
    while (j >= 0 && (hits[j]!.at > h.at || (hits[j]!.at === h.at && hits[j]!.seq > h.seq))) {
      hits[j + 1] = hits[j]!;
      j--;
    }
    hits[j + 1] = h;
  }
}

const isLive = (s: OrderStatus): boolean => s === 'accepted' || s === 'partially_filled';
/** True for an order's working record, false for the query state kept once it is done. */
const isWorking = (o: SimOrder | VenueOrderState): o is SimOrder => 'arrivedAt' in o;

/** The read-only market state the venue keeps for one instrument. */
export interface LastMarket {
  readonly bar: Bar | undefined;
  readonly trade: TradeTick | undefined;
  readonly quote: QuoteTick | undefined;
  readonly book: BookSnapshot | undefined;
  /** NaN before the first event. */
  readonly lastPrice: number;
}

/** What {@link createSimulatedVenue} needs. */
export interface SimulatedVenueOptions {
  readonly config: PaperVenueConfigInput;
  readonly instruments: readonly Instrument[];
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger?: Logger;
}

let instances = 0;

/**
 * The simulated venue: one matching engine for backtest and paper. It listens to market data on the
 * bus ahead of everyone else (priority −1000), matches the live orders of that instrument, keeps a
 * netting account (cash, or margin: see {@link AccountValuation}), closes it out and settles expired
 * instruments as a venue does, and sends outcomes to the sink given to {@link connect}. It publishes on
 * the bus only a daily financing charge, when one is configured (a `venueBalance` delta). Requests
 * take effect after their latency on the clock; fills happen only on market events. The semantics
 * are in README.md and on {@link matchBar}.
 */
export class SimulatedVenue implements ExecutionPort {
  /** The venue name (config.venue). */
  readonly venue: string;
  /** The parsed configuration. */
  readonly config: PaperVenueConfig;
  /** Fault injection for tests. */
  readonly faults: VenueFaults;

  private readonly faultState: FaultState;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly books = new Map<string, InstrumentBook>();
  /** Every order by client order id: the working record while on its way or live, the state a query reports once done (see {@link retire}). */
  private readonly orders = new IdIndex<SimOrder | VenueOrderState>();
  private readonly account: SimAccount;
  private readonly outbox: ReportOutbox;
  private readonly inFlight: RequestsInFlight<VenueRequest>;
  private readonly fees: FeeSchedule;
  /** What a resting spot buy holds for its fee (see ExecutionPort.buyFeeHold). */
  readonly buyFeeHold: BuyFeeHold | undefined;
  private readonly rng: () => number;
  private readonly limits: VenueRateLimits;
  private readonly alertPrefix: string;
  private readonly pendingAlerts = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly hits: Hit[] = [];
  private orderNo = 1;
  private tradeNo = 1;
  private alertNo = 1;
  /** The book of the last instrument seen: most backtests trade one instrument, so the Map is skipped. */
  private hotId = '';
  private hotBook: InstrumentBook | undefined;
  /** Quantity still available on the current event, per side; undefined until computed, null when unlimited. */
  private capBuy: Quantity | null | undefined;
  private capSell: Quantity | null | undefined;
  private matching = false;
  /** The account's valuation: margin, NAV, conversion rates (see {@link AccountValuation}). */
  private readonly valuation: AccountValuation;
  /** True in a margin account: margin checks instead of cash checks, shorts allowed, closeouts. */
  private readonly marginAccount: boolean;
  private readonly expiries: ExpirySchedule;
  /** Numbers of the orders the venue made itself, per reason: `closeout-1`, `expiry-1`. */
  private readonly venueOrderNo = new Map<VenueOrderReason, number>();
  private readonly financing: FinancingModel;
  /** Only financing is published here: a `venueBalance` delta, which the engine books too. */
  private readonly bus: EventBus;

  constructor(options: SimulatedVenueOptions) {
    const parsed = paperVenueConfigSchema.safeParse(options.config);
    if (!parsed.success) {
      throw new AutotraderError('CONFIG_INVALID', `paper venue config is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        details: { issues: parsed.error.issues },
      });
    }
    this.config = parsed.data;
    this.venue = this.config.venue;
    this.clock = options.clock;
    this.log = (options.logger ?? silentLogger).child('paper');
    this.fees = feeSchedule(this.config.fees);
    // A spot buy paying its fee in the quote asset holds that fee too; paying it in the asset received, it holds the notional only.
    this.buyFeeHold = this.fees.currency === 'quote' ? { feeRate: this.fees.lockRate, feePerUnit: this.fees.perContract } : undefined;
    this.rng = mulberry32(this.config.seed);
    this.limits = new VenueRateLimits(this.config.rateLimits, this.config.requestWeights);
    this.alertPrefix = `paper#${++instances}:${this.venue}`;
    this.account = new SimAccount(this.config.startingBalances, this.clock.now(), options.instruments);
    const acct = this.config.account;
    if (acct.hedging) throw new AutotraderError('CONFIG_INVALID', `paper venue config is invalid: account.hedging: the simulated venue nets positions per instrument; it has no hedging mode`);
    const baseCurrency = acct.baseCurrency ?? options.instruments[0]?.quote ?? Object.keys(this.config.startingBalances)[0] ?? 'USD';
    this.valuation = new AccountValuation(acct, baseCurrency);
    this.marginAccount = acct.type === 'margin';
    checkExpiringInstruments(options.instruments, this.venue);
    this.expiries = new ExpirySchedule(options.instruments);
    this.bus = options.bus;
    this.financing = new FinancingModel(this.config.financing);
    if (this.financing.active) this.armFinancing();
    this.outbox = new ReportOutbox(this.clock, `${this.alertPrefix}:flush`);
    this.inFlight = new RequestsInFlight(this.clock, `${this.alertPrefix}:requests`, this.onRequest);
    this.faultState = new FaultState(this.outbox);
    this.faults = this.faultState;
    for (const instrument of options.instruments) {
      this.books.set(instrument.id, {
        instrument,
        lastBar: undefined,
        lastTrade: undefined,
        lastQuote: undefined,
        lastBook: undefined,
        lastPrice: NaN,
        bid: NaN,
        ask: NaN,
        live: [],
        fills: [],
        lastPriceDecimal: undefined,
        lastPriceDecimalOf: NaN,
        ratePair: isCurrencyPair(instrument),
        mark: NaN,
        midScale: 10 ** Math.min(instrument.pricePrecision + 1, 15),
        markDecimal: undefined,
        markDecimalOf: NaN,
        expired: false,
      });
    }
    const sub = { priority: -1000, owner: 'paper-venue' };
    this.unsubscribe.push(
      options.bus.on('bar', this.onBar, sub),
      options.bus.on('trade', this.onTrade, sub),
      options.bus.on('quote', this.onQuote, sub),
      options.bus.on('book', this.onBook, sub),
    );
  }

  // ---------------------------------------------------------------- market data (the hot path)

  private bookOf(instrumentId: string): InstrumentBook | undefined {
    if (instrumentId === this.hotId) return this.hotBook;
    const book = this.books.get(instrumentId);
    this.hotId = instrumentId;
    this.hotBook = book;
    return book;
  }

  private readonly onBar = (bar: Bar): void => {
    const book = this.bookOf(bar.instrumentId);
    if (book === undefined) return;
    if (bar.tsEvent >= this.expiries.next) this.expireDue(bar.tsEvent);
    book.lastBar = bar;
    book.lastPrice = bar.close;
    book.mark = bar.close;
    this.onMarket(book, BAR, bar);
  };

  private readonly onTrade = (trade: TradeTick): void => {
    const book = this.bookOf(trade.instrumentId);
    if (book === undefined) return;
    if (trade.tsEvent >= this.expiries.next) this.expireDue(trade.tsEvent);
    book.lastTrade = trade;
    book.lastPrice = trade.price;
    book.mark = trade.price;
    this.onMarket(book, TRADE, trade);
  };

  private readonly onQuote = (quote: QuoteTick): void => {
    const book = this.bookOf(quote.instrumentId);
    if (book === undefined) return;
    if (quote.tsEvent >= this.expiries.next) this.expireDue(quote.tsEvent);
    book.lastQuote = quote;
    book.bid = quote.bid;
    book.ask = quote.ask;
    book.lastPrice = (quote.bid + quote.ask) / 2;
    book.mark = Math.round(book.lastPrice * book.midScale) / book.midScale;
    this.onMarket(book, QUOTE, quote);
  };

  private readonly onBook = (snapshot: BookSnapshot): void => {
    const book = this.bookOf(snapshot.instrumentId);
    if (book === undefined) return;
    if (snapshot.tsEvent >= this.expiries.next) this.expireDue(snapshot.tsEvent);
    book.lastBook = snapshot;
    book.bid = snapshot.bids.length > 0 ? snapshot.bids[0]![0] : NaN;
    book.ask = snapshot.asks.length > 0 ? snapshot.asks[0]![0] : NaN;
    if (book.bid > 0 && book.ask > 0) {
      book.lastPrice = (book.bid + book.ask) / 2;
      book.mark = Math.round(book.lastPrice * book.midScale) / book.midScale;
    }
    this.onMarket(book, BOOK, snapshot);
  };

  /**
   * After a market event updated its instrument's book: a currency pair's price becomes the current
   * conversion rate, the live orders are matched, then a margin account is checked for a closeout.
   */
  private onMarket(book: InstrumentBook, kind: EventKind, event: MarketEvent): void {
    if (book.ratePair) this.valuation.rates.observe(book.instrument.base, book.instrument.quote, book.mark);
    if (book.live.length !== 0) this.matchEvent(book, kind, event);
    if (this.marginAccount) this.checkCloseout(event.tsEvent);
  }

  /**
   * Matches the live orders of one instrument on one event, in two passes: first every eligible order
   * decides (in numbers) whether and where it trades, then the fills are booked in the order the
   * intrabar path reaches them (arrival order on ties and on ticks). Booking in path order is what
   * lets a stop-loss and a take-profit on the same bar resolve the way the bar really went.
   */
  private matchEvent(book: InstrumentBook, kind: EventKind, event: MarketEvent): void {
    const live = book.live;
    const n = live.length;
    const tsEvent = event.tsEvent;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const o = live[i]!;
      // A bar covers the time before its close: only orders that were there before it closed may fill.
      if (!isLive(o.status) || (kind === BAR && !(tsEvent > o.arrivedAt))) continue;
      const out = this.hitAt(hits);
      let hit: boolean;
      if (kind === BAR) {
        hit = matchBar(o, event as Bar, out);
      } else {
        const p = SimulatedVenue.touch(kind, event, o.side);
        hit = p > 0 && matchAtPoint(o, p, false, out);
      }
      o.fresh = false;
      if (hit) {
        out.order = o;
        hits++;
      }
    }
    // The common case on the hot path: nothing trades and nothing can expire, so nothing changes.
    if (hits === 0 && !hasTimeLimit(live, n)) return;

    this.capBuy = undefined;
    this.capSell = undefined;
    this.matching = true;
    try {
      if (hits > 1 && kind === BAR) sortHits(this.hits, hits);
      for (let h = 0; h < hits; h++) {
        const hit = this.hits[h]!;
        const o = hit.order!;
        hit.order = undefined;
        if (isLive(o.status)) this.execute(book, o, kind, event, hit);
      }
      // IOC and FOK act on the first event where the order can trade (for stops: once triggered).
      for (let i = 0; i < n; i++) {
        const o = live[i]!;
        if (!isLive(o.status) || (kind === BAR && !(tsEvent > o.arrivedAt))) continue;
        if ((o.timeInForce === 'IOC' || o.timeInForce === 'FOK') && (o.type === 'market' || o.type === 'limit' || o.triggered)) {
          this.close(o, 'expired');
          this.outbox.emit({ kind: 'expired', clientOrderId: o.clientOrderId, tsEvent: this.clock.now() });
        }
      }
    } finally {
      this.matching = false;
      this.compact(book);
    }
  }

  /** The reusable match record number `k` (grown on demand, so steady state allocates nothing). */
  private hitAt(k: number): Hit {
    let h = this.hits[k];
    if (h === undefined) {
      h = { price: 0, source: 'market', liquidity: 'taker', at: 0, order: undefined, seq: k };
      this.hits.push(h);
    }
    h.seq = k;
    return h;
  }

  private compact(book: InstrumentBook): void {
    const live = book.live;
    let w = 0;
    for (let r = 0; r < live.length; r++) {
      const o = live[r]!;
      if (isLive(o.status)) live[w++] = o;
    }
    live.length = w;
  }

  /** The price an order of this side can trade at on a tick event (NaN when there is none). */
  private static touch(kind: EventKind, event: MarketEvent, side: OrderSide): number {
    if (kind === TRADE) return (event as TradeTick).price;
    if (kind === QUOTE) return side === 'buy' ? (event as QuoteTick).ask : (event as QuoteTick).bid;
    const levels = side === 'buy' ? (event as BookSnapshot).asks : (event as BookSnapshot).bids;
    return levels.length > 0 ? levels[0]![0] : NaN;
  }

  /** How much the event still offers to this side (null: unlimited), shared by the orders it fills. */
  private capacity(book: InstrumentBook, kind: EventKind, event: MarketEvent, side: OrderSide): Quantity | null {
    const cached = side === 'buy' ? this.capBuy : this.capSell;
    if (cached !== undefined) return cached;
    let cap: Quantity | null = null;
    if (this.config.partialFills) {
      const i = book.instrument;
      const slip = this.config.slippage;
      if (kind === BAR) {
        if (slip.kind === 'volumeShare') cap = volumeShareCap(i, (event as Bar).volume, slip.limit);
      } else if (kind === TRADE) {
        const size = (event as TradeTick).size;
        if (slip.kind === 'volumeShare') cap = volumeShareCap(i, size, slip.limit);
        else if (size > 0) cap = sizeCap(i, size);
      } else {
        const size = kind === QUOTE ? (side === 'buy' ? (event as QuoteTick).askSize : (event as QuoteTick).bidSize) : topSize(event as BookSnapshot, side);
        if (size > 0) cap = sizeCap(i, size);
      }
    }
    if (side === 'buy') this.capBuy = cap;
    else this.capSell = cap;
    return cap;
  }

  /** Turns a price decision into a fill: quantity, price adjustments, fees, funds, then the account. */
  private execute(book: InstrumentBook, o: SimOrder, kind: EventKind, event: MarketEvent, m: MatchOut): void {
    const i = book.instrument;
    const now = this.clock.now();
    const remaining = o.quantity.sub(o.filled) as Quantity;
    let qty = remaining;
    const cap = this.capacity(book, kind, event, o.side);
    if (cap !== null && cap.lt(qty)) qty = cap;
    if (!qty.gt(0)) return;
    if (o.timeInForce === 'FOK' && qty.lt(remaining)) return;

    let reduceOnlyClipped = false;
    if (o.reduceOnly) {
      const pos = this.account.positionQuantity(i);
      const reducible = o.side === 'buy' ? pos.neg() : pos;
      if (!reducible.gt(0)) {
        this.cancelWithReason(o, now, 'reduce-only: the position is already flat or on the same side, so this fill would increase it');
        return;
      }
      if (reducible.lt(qty)) {
        if (o.timeInForce === 'FOK') return; // all or nothing: it expires
        qty = reducible as Quantity;
        reduceOnlyClipped = true;
      }
    }

    let px: Price;
    if (m.source === 'limit') px = o.price!;
    else if (m.source === 'trigger') px = o.triggerPrice!;
    else if (m.source === 'trail') px = this.trailTriggerPrice(o, i);
    else px = roundAdverse(i, new Decimal(m.price), o.side);
    if (m.liquidity === 'taker') {
      const volume = kind === BAR ? (event as Bar).volume : kind === TRADE ? (event as TradeTick).size : 0;
      const share = volume > 0 ? qty.toNumber() / volume : 0;
      px = slipped(this.config.slippage, i, o.side, o.type, px, share, o.type === 'limit' || o.type === 'stop_limit' ? o.price : undefined);
    }
    const fee = feeFor(this.fees, i, o.side, px, qty, m.liquidity);
    const feeCurrency = feeAsset(this.fees, i, o.side);

    let available: Decimal | undefined;
    if (this.marginAccount) {
      const refused = this.marginRefusal(i, o.side, qty, px);
      if (refused !== undefined) {
        this.cancelWithReason(o, now, `INSUFFICIENT_MARGIN: this fill ${refused}; the rest of the order is canceled, never shrunk`);
        return;
      }
    } else if (o.side === 'buy') {
      available = this.account.free(i.quote).add(o.locked);
      // A buy paying its fee in the base asset pays it out of what it receives, not from the quote cash.
      const cost = feeInBase(this.fees, i, o.side) ? notional(i, px, qty) : notional(i, px, qty).add(fee);
      if (cost.gt(available)) {
        this.cancelWithReason(o, now, `INSUFFICIENT_FUNDS: this fill needs ${cost.toString()} ${i.quote}, ${available.toString()} is available`);
        return;
      }
      available = available.sub(cost);
    } else if (!this.config.allowShort && this.account.positionQuantity(i).lt(qty)) {
      this.cancelWithReason(o, now, `INSUFFICIENT_FUNDS: selling ${qty.toString()} would go short and shorting is not allowed`);
      return;
    }

    const accountPnl = this.bookFill(i, o.side, px, qty, fee, feeCurrency, now);
    const before = o.filled;
    o.filled = before.add(qty) as Quantity;
    o.averagePrice = (o.averagePrice === undefined ? px : o.averagePrice.mul(before).add(px.mul(qty)).div(o.filled)) as Price;
    o.fees = o.fees.add(fee) as Money;
    o.status = o.filled.gte(o.quantity) ? 'filled' : 'partially_filled';
    this.relock(o, i, o.quantity.sub(o.filled));
    const remainderUnaffordable = available !== undefined && isLive(o.status) && o.locked.gt(available);
    // The rest of a market order is valued where this fill traded, a priced order at its price.
    const remainderOverMargin = this.marginAccount && isLive(o.status) ? this.marginRefusal(i, o.side, o.quantity.sub(o.filled), o.type === 'market' ? px : (o.lockPrice ?? px)) : undefined;

    const fill: Fill = {
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      tradeId: `${this.venue}-T${this.tradeNo++}`,
      instrumentId: o.instrumentId,
      side: o.side,
      price: px,
      quantity: qty,
      fee,
      feeCurrency,
      liquidity: m.liquidity,
      tsEvent: kind === BAR ? barFillTime(event as Bar, m.at) : event.tsEvent,
      tsInit: now,
      ...(accountPnl === undefined ? {} : { accountPnl }),
    };
    book.fills.push(fill);
    if (!isLive(o.status)) this.close(o, 'filled');
    this.outbox.emit({ kind: 'fill', fill });

    if (remainderUnaffordable) this.cancelWithReason(o, now, `INSUFFICIENT_FUNDS: the rest of the order no longer fits the free ${i.quote} at ${o.lockPrice!.toString()}`);
    else if (remainderOverMargin !== undefined) this.cancelWithReason(o, now, `INSUFFICIENT_MARGIN: the rest of the order ${remainderOverMargin}`);
    else if (reduceOnlyClipped && isLive(o.status)) this.cancelWithReason(o, now, 'reduce-only: the rest would increase the position');

    if (this.capBuy !== undefined && o.side === 'buy' && this.capBuy !== null) this.capBuy = this.capBuy.sub(qty) as Quantity;
    if (this.capSell !== undefined && o.side === 'sell' && this.capSell !== null) this.capSell = this.capSell.sub(qty) as Quantity;
  }

  /**
   * A trailing stop's trigger as an exact decimal: the watermark moved by the offset (the number the
   * matcher used can carry binary rounding), or the given trigger price when that is tighter, rounded
   * to the tick against the order.
   */
  private trailTriggerPrice(o: SimOrder, i: Instrument): Price {
    const w = new Decimal(o.watermark);
    let t = o.side === 'sell' ? w.sub(o.trailingOffset!) : w.add(o.trailingOffset!);
    if (o.triggerPrice !== undefined) t = o.side === 'sell' ? Decimal.max(t, o.triggerPrice) : Decimal.min(t, o.triggerPrice);
    return roundAdverse(i, t, o.side);
  }

  /**
   * Sets an order's cash or base lock for its remaining quantity. A margin account holds nothing back
   * for open orders (as OANDA: margin is checked when an order arrives and when it fills).
   */
  private relock(o: SimOrder, i: Instrument, remaining: Decimal): void {
    if (this.marginAccount) return;
    if (o.side === 'buy') {
      const next = remaining.gt(0) && o.lockPrice !== undefined ? buyLock(this.fees, i, o.lockPrice, remaining) : ZERO;
      this.account.lock(i.quote, next.sub(o.locked), this.clock.now());
      o.locked = next as Money;
    } else if (!this.config.allowShort && !o.reduceOnly) {
      // Reduce-only sells hold nothing back: they can never sell more than the position (clipped at fill).
      const next = remaining.gt(0) ? remaining : ZERO;
      this.account.lockSell(i, next.sub(o.sellLocked), this.clock.now());
      o.sellLocked = next as Quantity;
    }
  }

  /** Ends an order: releases its locks and its expiry alert; takes it off the book unless a match is iterating. */
  private close(o: SimOrder, status: 'filled' | 'canceled' | 'expired'): void {
    o.status = status;
    this.retire(o);
    const book = this.bookOf(o.instrumentId);
    if (book !== undefined) this.relock(o, book.instrument, ZERO);
    if (o.expiryAlert !== '') {
      this.cancelAlert(o.expiryAlert);
      o.expiryAlert = '';
    }
    if (!this.matching && book !== undefined) this.compact(book);
  }

  /**
   * A closed order is kept only as the state a query reports: the working record is a few hundred
   * bytes that a long backtest would otherwise hold for every order it ever sent (pnpm bench).
   */
  private retire(o: SimOrder): void {
    this.orders.set(o.clientOrderId, this.stateOf(o));
  }

  private cancelWithReason(o: SimOrder, ts: number, reason: string): void {
    this.close(o, 'canceled');
    this.outbox.emit({ kind: 'canceled', clientOrderId: o.clientOrderId, tsEvent: ts, reason });
  }

  // ---------------------------------------------------------------- requests

  /** Starts delivering reports to `sink` (buffered ones first). */
  async connect(sink: ExecutionReportSink): Promise<void> {
    this.outbox.attach(sink);
  }

  /** Stops delivering reports; they are buffered until the next connect. Orders stay live. */
  async disconnect(): Promise<void> {
    this.outbox.detach();
  }

  private assertConnected(what: string): void {
    if (!this.outbox.attached) {
      throw new AutotraderError('VENUE_UNAVAILABLE', `paper venue ${this.venue}: ${what} while the execution port is not connected; call connect() first`);
    }
  }

  /**
   * Receives an order. It arrives after `latency.submitMs` (+ jitter) on the clock, is checked against
   * the venue rules and the account, then `accepted` or `rejected`. A client order id seen before is
   * ignored: a retry never makes a second order.
   */
  submit(order: OrderSnapshot): void {
    this.assertConnected('submit');
    if (this.orders.has(order.clientOrderId)) {
      this.log.debug('duplicate submit ignored', { clientOrderId: order.clientOrderId });
      return;
    }
    const o: SimOrder = {
      clientOrderId: order.clientOrderId,
      venueOrderId: '',
      instrumentId: order.instrumentId,
      side: order.side,
      type: order.type,
      quantity: order.quantity,
      price: order.price,
      triggerPrice: order.triggerPrice,
      trailingOffset: order.trailingOffset,
      timeInForce: order.timeInForce,
      expireAt: order.expireAt,
      postOnly: order.postOnly,
      reduceOnly: order.reduceOnly,
      status: 'submitted',
      filled: ZERO,
      averagePrice: undefined,
      fees: ZERO,
      arrivedAt: NaN,
      lockPrice: undefined,
      locked: ZERO,
      sellLocked: ZERO,
      expiryAlert: '',
      limitNum: order.price === undefined ? NaN : order.price.toNumber(),
      triggerNum: order.triggerPrice === undefined ? NaN : order.triggerPrice.toNumber(),
      offsetNum: order.trailingOffset === undefined ? NaN : order.trailingOffset.toNumber(),
      triggered: false,
      fresh: true,
      watermark: NaN,
      trailTrigger: order.type === 'trailing_stop' && order.triggerPrice !== undefined ? order.triggerPrice.toNumber() : NaN,
    };
    this.orders.set(o.clientOrderId, o);
    this.inFlight.send(this.arrivalTime(this.config.latency.submitMs), { kind: 'submit', o, changes: undefined });
  }

  /** Asks to cancel an order; after `latency.cancelMs` it is `canceled`, or `cancelRejected` if it is done or not there yet. */
  cancel(order: OrderSnapshot): void {
    this.assertConnected('cancel');
    const o = this.known(order.clientOrderId, 'cancel');
    this.inFlight.send(this.arrivalTime(this.config.latency.cancelMs), { kind: 'cancel', o, changes: undefined });
  }

  /** A request that has reached the venue. */
  private readonly onRequest = (r: VenueRequest): void => {
    if (r.kind === 'submit') this.arrive(r.o as SimOrder);
    else if (r.kind === 'cancel') this.applyCancel(r.o);
    else this.applyModify(r.o, r.changes!);
  };

  private applyCancel(o: SimOrder | VenueOrderState): void {
    const now = this.clock.now();
    const limited = this.limits.admit('cancel', now);
    if (limited !== undefined) {
      this.outbox.emit({ kind: 'cancelRejected', clientOrderId: o.clientOrderId, reason: `${limited.code}: ${limited.reason}`, tsEvent: now });
      return;
    }
    if (isLive(o.status)) {
      // Only open orders are SimOrders with a live status; retired ones never are.
      this.close(o as SimOrder, 'canceled');
      this.outbox.emit({ kind: 'canceled', clientOrderId: o.clientOrderId, tsEvent: now });
    } else {
      this.outbox.emit({ kind: 'cancelRejected', clientOrderId: o.clientOrderId, reason: this.notLiveReason(o), tsEvent: now });
    }
  }

  /** Native modify of price, trigger or quantity; after `latency.modifyMs` it is `updated` or `modifyRejected`. */
  modify(order: OrderSnapshot, changes: VenueOrderChanges): void {
    this.assertConnected('modify');
    const o = this.known(order.clientOrderId, 'modify');
    this.inFlight.send(this.arrivalTime(this.config.latency.modifyMs), { kind: 'modify', o, changes });
  }

  /** Counts a query against the rate limits; over them it fails like a venue's 429. */
  private query(request: 'order' | 'openOrders' | 'positions' | 'balances' | 'fillsSince'): void {
    const limited = this.limits.admit(request, this.clock.now());
    if (limited !== undefined) throw new AutotraderError('RATE_LIMITED', `paper venue ${this.venue}: ${limited.reason}`, { details: { retryAfterMs: 1_000 } });
  }

  private known(clientOrderId: string, what: string): SimOrder | VenueOrderState {
    const o = this.orders.get(clientOrderId);
    if (o === undefined) {
      throw new AutotraderError('ORDER_UNKNOWN', `paper venue ${this.venue}: cannot ${what} ${clientOrderId}, no order with that client order id was submitted here`, {
        details: { clientOrderId },
      });
    }
    return o;
  }

  private notLiveReason(o: SimOrder | VenueOrderState): string {
    return o.status === 'submitted' ? 'the order has not reached the venue yet' : `the order is already ${o.status}`;
  }

  /** When a request sent now arrives: `baseMs` plus seeded jitter on the clock. */
  private arrivalTime(baseMs: number): number {
    const jitter = this.config.latency.jitterMs > 0 ? Math.floor(this.rng() * (this.config.latency.jitterMs + 1)) : 0;
    return this.clock.now() + baseMs + jitter;
  }

  private cancelAlert(name: string): void {
    if (this.pendingAlerts.delete(name)) this.clock.cancel(name);
  }

  // ---------------------------------------------------------------- arrival and modify

  private reject(o: SimOrder, v: RuleViolation, now: number): void {
    o.status = 'rejected';
    this.retire(o);
    this.outbox.emit({ kind: 'rejected', clientOrderId: o.clientOrderId, code: v.code, reason: v.reason, tsEvent: now });
  }

  private arrive(o: SimOrder): void {
    const now = this.clock.now();
    o.arrivedAt = now;
    o.venueOrderId = `${this.venue}-O${this.orderNo++}`;
    const forced = this.faultState.takeReject();
    if (forced !== undefined) return this.reject(o, forced, now);
    const limited = this.limits.admit('submit', now);
    if (limited !== undefined) return this.reject(o, limited, now);
    const p = this.config.faults.rejectProbability;
    if (p > 0 && this.rng() < p) return this.reject(o, { code: 'VENUE_REJECTED', reason: 'random reject (fault injection)' }, now);
    const book = this.bookOf(o.instrumentId);
    if (book === undefined) {
      return this.reject(o, { code: 'INSTRUMENT_UNKNOWN', reason: `paper venue ${this.venue} does not list ${o.instrumentId}` }, now);
    }
    const i = book.instrument;
    if (book.expired || (i.expiry !== undefined && now >= i.expiry)) {
      return this.reject(o, { code: 'ORDER_INVALID', reason: `${i.id} expired at ${new Date(i.expiry!).toISOString()}; an expired instrument no longer trades` }, now);
    }
    const violation =
      checkSupported(o, this.config.orderTypes, this.config.timeInForce) ??
      checkShape(o, now) ??
      checkGrid(i, o.price, o.triggerPrice, o.trailingOffset, o.quantity) ??
      this.checkMarketAndAccount(o, book, o.quantity, ZERO, ZERO);
    if (violation !== undefined) return this.reject(o, violation, now);

    o.status = 'accepted';
    o.lockPrice = this.referencePrice(o, book);
    this.relock(o, i, o.quantity);
    if (o.type === 'trailing_stop' && book.lastPrice > 0) trail(o, book.lastPrice);
    book.live.push(o);
    this.armExpiry(o, now);
    const drop = this.faultState.takeDropAck() || (this.config.faults.dropAckProbability > 0 && this.rng() < this.config.faults.dropAckProbability);
    if (!drop) this.outbox.emit({ kind: 'accepted', clientOrderId: o.clientOrderId, venueOrderId: o.venueOrderId, tsEvent: now });
  }

  /**
   * The price an order is valued at before it trades: its limit, its trigger, or the last price (a
   * trailing stop: the last price moved by its offset). Undefined when there is no market price yet.
   */
  private referencePrice(o: { type: OrderType; side: OrderSide; price?: Price; triggerPrice?: Price; trailingOffset?: Price }, book: InstrumentBook): Decimal | undefined {
    if (o.type === 'limit' || o.type === 'stop_limit') return o.price;
    if (o.type === 'stop' || o.type === 'market_if_touched') return o.triggerPrice;
    if (o.type === 'trailing_stop' && o.triggerPrice !== undefined) return o.triggerPrice;
    if (!(book.lastPrice > 0)) return undefined;
    const last = this.lastPriceOf(book);
    if (o.type === 'trailing_stop') return o.side === 'buy' ? last.add(o.trailingOffset!) : Decimal.max(last.sub(o.trailingOffset!), book.instrument.tickSize);
    return last;
  }

  /** The book's last price as a decimal, converted once per price rather than once per use. */
  private lastPriceOf(book: InstrumentBook): Decimal {
    if (book.lastPriceDecimalOf !== book.lastPrice) {
      book.lastPriceDecimal = new Decimal(book.lastPrice);
      book.lastPriceDecimalOf = book.lastPrice;
    }
    return book.lastPriceDecimal!;
  }

  /**
   * Notional, post-only, reduce-only and funds checks. `heldCash`/`heldBase` are what this order already
   * holds (a modify may reuse them).
   */
  private checkMarketAndAccount(
    o: { type: OrderType; side: OrderSide; price?: Price; triggerPrice?: Price; trailingOffset?: Price; postOnly: boolean; reduceOnly: boolean; instrumentId: string; filled: Quantity },
    book: InstrumentBook,
    quantity: Quantity,
    heldCash: Decimal,
    heldBase: Decimal,
  ): RuleViolation | undefined {
    const i = book.instrument;
    const ref = this.referencePrice(o, book);
    if (ref === undefined) {
      return { code: 'ORDER_INVALID', reason: `no market price for ${i.id} yet: a ${o.type} order is valued at the last price, so it needs market data first` };
    }
    const v = checkNotional(i, notional(i, ref, quantity));
    if (v !== undefined) return v;
    if (o.postOnly && o.price !== undefined && this.wouldTake(o.side, o.price.toNumber(), book)) {
      return { code: 'ORDER_INVALID', reason: `post-only ${o.side} at ${o.price.toString()} would take liquidity (market at ${o.side === 'buy' ? book.ask : book.bid}); it was not placed` };
    }
    const remaining = quantity.sub(o.filled);
    if (o.reduceOnly) {
      const pos = this.account.positionQuantity(i);
      const reducible = o.side === 'buy' ? pos.neg() : pos;
      if (reducible.lt(remaining)) {
        return { code: 'ORDER_INVALID', reason: `reduce-only ${o.side} of ${remaining.toString()} would increase the position (${pos.toString()})` };
      }
    }
    // A margin account checks margin, not cash, and may be short (whatever allowShort says).
    if (this.marginAccount) return this.checkMargin(o, book, remaining, ref);
    if (o.side === 'buy') {
      const need = buyLock(this.fees, i, ref, remaining);
      const free = this.account.free(i.quote).add(heldCash);
      if (need.gt(free)) {
        return { code: 'INSUFFICIENT_FUNDS', reason: `buying needs ${need.toString()} ${i.quote} (${feeInBase(this.fees, i, 'buy') ? `notional; the fee is paid in ${i.base}` : 'notional + fee'}), ${free.toString()} is free` };
      }
    } else if (!this.config.allowShort && !o.reduceOnly) {
      const sellable = this.account.sellable(i).add(heldBase);
      if (sellable.lt(remaining)) {
        const held = holdsBase(i) ? `${sellable.toString()} ${i.base} is free` : `${sellable.toString()} is`;
        return { code: 'INSUFFICIENT_FUNDS', reason: `selling ${remaining.toString()} ${i.base} needs that much held and not promised to other orders (${held}); shorting is not allowed, and an order is refused, never shrunk` };
      }
    }
    return undefined;
  }

  /** Post-only check: against the touch when a quote was seen, else against the last price. */
  private wouldTake(side: OrderSide, limit: number, book: InstrumentBook): boolean {
    if (side === 'buy') return book.ask > 0 ? limit >= book.ask : limit > book.lastPrice;
    return book.bid > 0 ? limit <= book.bid : limit < book.lastPrice;
  }

  // ---------------------------------------------------------------- margin account, closeout, expiry

  /** An instrument's mark as a number (NaN before any market data). */
  private readonly markNumOf = (i: Instrument): number => (i.id === this.hotId && this.hotBook !== undefined ? this.hotBook.mark : (this.books.get(i.id)?.mark ?? NaN));

  /** An instrument's mark (its last price as a decimal), undefined before any market data. */
  private readonly markOf = (i: Instrument): Decimal | undefined => this.lastOfId(i.id);

  private readonly lastOfId = (instrumentId: string): Decimal | undefined => {
    const b = this.books.get(instrumentId);
    if (b === undefined || !Number.isFinite(b.mark)) return undefined;
    if (b.markDecimalOf !== b.mark) {
      b.markDecimal = new Decimal(b.mark);
      b.markDecimalOf = b.mark;
    }
    return b.markDecimal;
  };

  /**
   * Pre-trade margin check of a margin account: the part of the order that adds to the position needs
   * its initial margin at the order's price (a market order: at the touch it would take, the ask for a
   * buy and the bid for a sell) within the margin available. A reducing order always passes.
   */
  private checkMargin(o: { type: OrderType; side: OrderSide }, book: InstrumentBook, remaining: Decimal, ref: Decimal): RuleViolation | undefined {
    let px = ref;
    if (o.type === 'market') {
      const touch = o.side === 'buy' ? book.ask : book.bid;
      if (touch > 0) px = new Decimal(touch);
    }
    try {
      const refused = this.marginRefusal(book.instrument, o.side, remaining, px);
      return refused === undefined ? undefined : { code: 'INSUFFICIENT_MARGIN', reason: `this order ${refused}` };
    } catch (e) {
      if (e instanceof AutotraderError) return { code: e.code, reason: e.message };
      throw e;
    }
  }

  /**
   * Why `quantity` on `side` at `px` does not fit the margin available (NAV − margin used), or
   * undefined when it fits; only the part that adds to the position needs margin.
   */
  private marginRefusal(i: Instrument, side: OrderSide, quantity: Decimal, px: Decimal): string | undefined {
    const increase = AccountValuation.increase(this.account.positionQuantity(i), side, quantity);
    if (increase.isZero()) return undefined;
    const need = this.valuation.marginFor(i, increase, px);
    const f = this.valuation.figures(this.account, this.markOf);
    const available = f.nav.sub(f.marginUsed);
    if (!need.gt(available)) return undefined;
    const base = this.valuation.baseCurrency;
    return (
      `needs an initial margin of ${need.toDecimalPlaces(2).toString()} ${base} (${increase.toString()} of ${i.id} at ${px.toString()}, margin rate ${this.valuation.marginRate(i).toString()}), ` +
      `${available.toDecimalPlaces(2).toString()} ${base} is available (NAV ${f.nav.toDecimalPlaces(2).toString()} − margin used ${f.marginUsed.toDecimalPlaces(2).toString()})`
    );
  }

  /**
   * Books a fill in the account: its profit only where core's `settlesProfitOnly` says so, else its
   * notional. Returns the realized P/L booked in the base currency for a profit-only fill (the fill
   * carries it as `accountPnl`, as OANDA reports `pl`), undefined otherwise.
   */
  private bookFill(i: Instrument, side: OrderSide, px: Price, qty: Quantity, fee: Money, feeCurrency: string, ts: number): Money | undefined {
    if (this.valuation.profitOnly(i)) {
      return this.account.applyProfitOnlyFill(i, side, px, qty, fee, this.valuation.fillRate(i, px), this.valuation.baseCurrency, ts) as Money;
    }
    this.account.applyFill(i, side, px, qty, fee, feeCurrency, ts);
    return undefined;
  }

  /**
   * OANDA's margin closeout: when NAV falls to the closeout level of the margin used (OANDA: 50%),
   * every open position is closed at market. It is checked after each market event, at the marks
   * (a bar: at its close; a quote: at the mid). Sources: help.oanda.com FAQ "v20 Margin-related
   * calculations" (https://help.oanda.com/us/en/faqs/margin-calculations.htm): Margin_% =
   * (0.5 × Margin_Used) / NAV at mid prices, "ranges from 0 up to 100%, at which point a Margin
   * Close-Out event is triggered", so NAV ≤ 0.5 × margin used; OANDA's margin rules close all open
   * positions then, and the v20 API reports it as a MARKET_ORDER with reason MARGIN_CLOSEOUT followed
   * by its fill. Those pages speak of open positions only, never of pending orders, so our open orders
   * stay: one that adds exposure is still checked against the margin when it fills. Each position is
   * closed by a venue-made market order (`closeout-<n>`, reported before its fill) at the bid or the
   * ask where the instrument has quotes, else at its last price (a bar's close, a trade), with the
   * taker fee and no slippage.
   */
  private checkCloseout(ts: number): void {
    if (!this.valuation.mayCloseOut(this.account, this.markNumOf)) return;
    const f = this.valuation.figures(this.account, this.markOf);
    if (!this.valuation.mustCloseOut(f)) return;
    const base = this.valuation.baseCurrency;
    this.log.warn(
      `margin closeout: NAV ${f.nav.toDecimalPlaces(2).toString()} ${base} is at or below ${this.valuation.config.closeoutLevel} × margin used ${f.marginUsed.toDecimalPlaces(2).toString()} ${base}; closing every open position at market`,
      { nav: f.nav.toString(), marginUsed: f.marginUsed.toString(), tsEvent: ts },
    );
    for (const p of this.account.openPositions()) {
      const i = p.instrument;
      const book = this.books.get(i.id)!;
      const side: OrderSide = p.quantity.isNegative() ? 'buy' : 'sell';
      const qty = p.quantity.abs() as Quantity;
      const touch = side === 'buy' ? book.ask : book.bid;
      const at = touch > 0 ? touch : book.lastPrice;
      const px = Number.isFinite(at) ? roundAdverse(i, new Decimal(at), side) : (p.averagePrice as Price);
      const fee = feeFor(this.fees, i, side, px, qty, 'taker');
      this.venueMade(book, { instrument: i, reason: 'closeout', side, quantity: qty, price: px, fee, feeCurrency: feeAsset(this.fees, i, side), tsEvent: ts });
    }
  }

  /**
   * Expires the instruments whose expiry is at or before `ts`, before the event that reached it updates
   * any price: orders resting on them are canceled (reason `expired: …`), and a position still open is
   * settled by a venue-made order (`expiry-<n>`, no fee) at {@link settlementPrice}: a future at its
   * final price, an option in cash at its intrinsic value (options settle in cash; there is no
   * physical exercise into the underlying).
   */
  private expireDue(ts: number): void {
    for (const i of this.expiries.due(ts)) {
      const book = this.books.get(i.id)!;
      book.expired = true;
      const when = new Date(i.expiry!).toISOString();
      for (const o of [...book.live]) if (isLive(o.status)) this.cancelWithReason(o, this.clock.now(), `expired: ${i.id} expired at ${when}`);
      const q = this.account.positionQuantity(i);
      if (q.isZero()) continue;
      const px = settlementPrice(i, this.lastOfId);
      if (px === undefined) {
        const of = i.assetClass === 'option' ? `its underlying ${i.underlying}` : 'it';
        this.log.warn(`${i.id} expired at ${when} with a position of ${q.toString()}, but no price of ${of} was ever seen: the position stays open, unsettled`);
        continue;
      }
      const side: OrderSide = q.isNegative() ? 'buy' : 'sell';
      this.venueMade(book, { instrument: i, reason: 'expiry', side, quantity: q.abs() as Quantity, price: px as Price, fee: ZERO, feeCurrency: i.quote, tsEvent: i.expiry! });
    }
  }

  /**
   * Charges the day's financing at every `dayEndUtcHour` (see {@link FinancingModel}): booked to the
   * base currency here, and published as a `venueBalance` delta (a change the venue made outside our
   * orders) so that the engine's ledger books the same amount.
   */
  private armFinancing(): void {
    const name = `${this.alertPrefix}:financing`;
    this.pendingAlerts.add(name);
    this.clock.setAlert(name, nextDayEnd(this.clock.now(), this.config.dayEndUtcHour), () => {
      this.pendingAlerts.delete(name);
      const ts = this.clock.now();
      const base = this.valuation.baseCurrency;
      for (const c of this.financing.charges(this.account, this.valuation, this.markOf)) {
        this.account.bookCash(base, c.amount, ts);
        this.log.info(`financing of ${c.instrument.id} (${c.quantity.toString()}): ${c.amount.toString()} ${base}`);
        this.bus.publish('venueBalance', { kind: 'delta', venue: this.venue, currency: base, delta: c.amount as Money, tsEvent: ts });
      }
      this.armFinancing();
    });
  }

  /** Reports and books an order the venue made on our account: the order first, then its one fill. */
  private venueMade(book: InstrumentBook, t: VenueMadeTrade): void {
    const n = (this.venueOrderNo.get(t.reason) ?? 0) + 1;
    this.venueOrderNo.set(t.reason, n);
    const now = this.clock.now();
    const accountPnl = this.bookFill(t.instrument, t.side, t.price, t.quantity, t.fee, t.feeCurrency, now);
    const r = venueMadeReports(t, { clientOrderId: `${t.reason}-${n}`, venueOrderId: `${this.venue}-O${this.orderNo++}`, tradeId: `${this.venue}-T${this.tradeNo++}` }, now, accountPnl);
    this.outbox.emit({ kind: 'venueOrder', clientOrderId: r.order.clientOrderId, order: r.order, reason: t.reason, tsEvent: t.tsEvent });
    book.fills.push(r.fill);
    this.orders.set(r.state.clientOrderId, r.state);
    this.outbox.emit({ kind: 'fill', fill: r.fill });
  }

  private armExpiry(o: SimOrder, now: number): void {
    let at: number | undefined;
    if (o.timeInForce === 'GTD') at = o.expireAt;
    else if (o.timeInForce === 'DAY') at = nextDayEnd(now, this.config.dayEndUtcHour);
    if (at === undefined) return;
    const name = `${this.alertPrefix}:expire:${this.alertNo++}`;
    o.expiryAlert = name;
    this.pendingAlerts.add(name);
    this.clock.setAlert(name, at, () => {
      this.pendingAlerts.delete(name);
      o.expiryAlert = '';
      if (!isLive(o.status)) return;
      const ts = this.clock.now();
      this.close(o, 'expired');
      this.outbox.emit({ kind: 'expired', clientOrderId: o.clientOrderId, tsEvent: ts });
    });
  }

  private applyModify(order: SimOrder | VenueOrderState, changes: VenueOrderChanges): void {
    const o = order as SimOrder; // read past the live check only, and retired orders are never live
    const limited = this.limits.admit('modify', this.clock.now());
    if (limited !== undefined) {
      this.outbox.emit({ kind: 'modifyRejected', clientOrderId: o.clientOrderId, reason: `${limited.code}: ${limited.reason}`, tsEvent: this.clock.now() });
      return;
    }
    const now = this.clock.now();
    const refuse = (reason: string): void => this.outbox.emit({ kind: 'modifyRejected', clientOrderId: o.clientOrderId, reason, tsEvent: now });
    if (!isLive(o.status)) return refuse(this.notLiveReason(o));
    const book = this.books.get(o.instrumentId)!;
    const i = book.instrument;
    if (changes.price !== undefined && !(o.type === 'limit' || o.type === 'stop_limit')) return refuse(`ORDER_INVALID: a ${o.type} order has no limit price to change`);
    if (changes.triggerPrice !== undefined && o.type !== 'stop' && o.type !== 'stop_limit' && o.type !== 'market_if_touched') return refuse(`ORDER_INVALID: a ${o.type} order has no trigger price to change`);
    const next = {
      type: o.type,
      side: o.side,
      price: changes.price ?? o.price,
      triggerPrice: changes.triggerPrice ?? o.triggerPrice,
      trailingOffset: o.trailingOffset,
      postOnly: o.postOnly,
      reduceOnly: o.reduceOnly,
      instrumentId: o.instrumentId,
      filled: o.filled,
    };
    const quantity = changes.quantity ?? o.quantity;
    if (!quantity.gt(o.filled)) return refuse(`ORDER_INVALID: the new quantity ${quantity.toString()} must exceed the filled ${o.filled.toString()}`);
    if ((next.price !== undefined && !next.price.gt(0)) || (next.triggerPrice !== undefined && !next.triggerPrice.gt(0))) return refuse('ORDER_INVALID: prices must be positive');
    const v = checkGrid(i, next.price, next.triggerPrice, undefined, quantity) ?? this.checkMarketAndAccount(next, book, quantity, o.locked, o.sellLocked);
    if (v !== undefined) return refuse(`${v.code}: ${v.reason}`);

    o.quantity = quantity;
    o.price = next.price;
    o.triggerPrice = next.triggerPrice;
    o.limitNum = next.price === undefined ? NaN : next.price.toNumber();
    o.triggerNum = next.triggerPrice === undefined ? NaN : next.triggerPrice.toNumber();
    o.lockPrice = this.referencePrice(o, book);
    this.relock(o, i, quantity.sub(o.filled));
    // A modified order is a new order for matching: it may take liquidity, and only later bars fill it.
    o.fresh = true;
    o.arrivedAt = now;
    this.outbox.emit({
      kind: 'updated',
      clientOrderId: o.clientOrderId,
      quantity: changes.quantity === undefined ? undefined : quantity,
      price: changes.price === undefined ? undefined : next.price,
      triggerPrice: changes.triggerPrice === undefined ? undefined : next.triggerPrice,
      tsEvent: now,
    });
  }

  // ---------------------------------------------------------------- queries

  private stateOf(o: SimOrder): VenueOrderState {
    return {
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      instrumentId: o.instrumentId,
      status: o.status,
      side: o.side,
      quantity: o.quantity,
      filledQuantity: o.filled,
      price: o.price,
    };
  }

  /** One order by client order id; undefined when unknown or still on its way (not arrived). */
  async order(clientOrderId: string, _instrumentId?: string): Promise<VenueOrderState | undefined> {
    this.query('order');
    const o = this.orders.get(clientOrderId);
    if (o === undefined || !isWorking(o)) return o;
    return o.status === 'submitted' ? undefined : this.stateOf(o);
  }

  /** Live orders (accepted or partially filled), in arrival order per instrument. */
  async openOrders(instrumentId?: string): Promise<VenueOrderState[]> {
    this.query('openOrders');
    const out: VenueOrderState[] = [];
    for (const book of this.books.values()) {
      if (instrumentId !== undefined && book.instrument.id !== instrumentId) continue;
      for (const o of book.live) if (isLive(o.status)) out.push(this.stateOf(o));
    }
    return out;
  }

  /** Non-zero positions: a spot instrument's base balance, other instruments' netting positions. */
  async positions(): Promise<VenuePosition[]> {
    this.query('positions');
    return this.account.positions();
  }

  /** Every asset's balance: total, locked by open orders (a buy's quote, a spot sell's base), free. */
  async balances(): Promise<Balance[]> {
    this.query('balances');
    return this.account.balances();
  }

  /** Fills of an instrument with `tsEvent ≥ since`, oldest first. */
  async fillsSince(instrumentId: string, since: number): Promise<Fill[]> {
    this.query('fillsSince');
    return (this.books.get(instrumentId)?.fills ?? []).filter((f) => f.tsEvent >= since);
  }

  /** The full position (with realized PnL and fees), synchronously; undefined before the first fill. */
  positionOf(instrumentId: string): Position | undefined {
    return this.account.position(instrumentId);
  }

  /** One currency's balance, synchronously. */
  balanceOf(currency: string): Balance | undefined {
    return this.account.balance(currency);
  }

  /**
   * The account's figures in its base currency, as a venue reports them (OANDA's account summary):
   * balance (every currency's cash converted), unrealized P/L, NAV, margin used and margin available
   * (NAV − margin used), positions marked at the last prices. A cash account uses no margin.
   */
  async accountSummary(): Promise<AccountSummary> {
    return this.valuation.summary(this.account, this.markOf, this.clock.now());
  }

  /** The last market data the venue saw for an instrument, or undefined for an instrument it does not list. */
  lastMarket(instrumentId: string): LastMarket | undefined {
    const b = this.books.get(instrumentId);
    return b === undefined ? undefined : { bar: b.lastBar, trade: b.lastTrade, quote: b.lastQuote, book: b.lastBook, lastPrice: b.lastPrice };
  }

  /** Unsubscribes from the bus and cancels the venue's pending alerts. The venue is unusable afterwards. */
  dispose(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const name of this.pendingAlerts) this.clock.cancel(name);
    this.pendingAlerts.clear();
    this.inFlight.clear();
    this.outbox.dispose();
  }
}

function topSize(snapshot: BookSnapshot, side: OrderSide): number {
  const levels = side === 'buy' ? snapshot.asks : snapshot.bids;
  return levels.length > 0 ? levels[0]![1] : 0;
}

/** The first `hour`:00 UTC strictly after `now`. */
export function nextDayEnd(now: number, hour: number): number {
  const offset = hour * 3_600_000;
  return (Math.floor((now - offset) / DAY_MS) + 1) * DAY_MS + offset;
}

/** Builds a {@link SimulatedVenue}. */
export function createSimulatedVenue(options: SimulatedVenueOptions): SimulatedVenue {
  return new SimulatedVenue(options);
}

/**
 * When a bar fill happened: its position on the intrabar path (0 = the open, 3 = the close) mapped
 * linearly onto the bar's span. A market order filled at the open is stamped with the bar's open time.
 */
function barFillTime(bar: Bar, at: number): number {
  return Math.round(bar.tsOpen + (Math.min(3, Math.max(0, at)) / 3) * (bar.tsEvent - bar.tsOpen));
}
