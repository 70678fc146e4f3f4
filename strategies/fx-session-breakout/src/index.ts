import { z } from 'zod';
import { AutotraderError, Decimal, defineStrategy, isOpen, quantity, type OrderIntent, type OrderSnapshot } from '@autotrader/core';
import { breakoutLevels, takeProfitPrice, type BreakoutLevels } from './levels';
import { RangeTracker } from './range';
import { firstPlan, minutesOfDay, planForDay, type SessionPlan, type SessionTimes } from './session-times';
import { quoteToAccountRate, sizeOrder } from './sizing';

export { breakoutLevels, takeProfitPrice, type BreakoutLevels, type LevelsDecision } from './levels';
export { DEFAULT_PIP_LOCATION, pipSize, pipsToPrice, priceToPips } from './pips';
export { RangeTracker, type MidRange } from './range';
export { DAY_MS, firstPlan, minutesOfDay, planForDay, type SessionPlan, type SessionTimes } from './session-times';
export { quoteToAccountRate, sizeOrder, type Sizing, type SizingInput } from './sizing';


const timeOfDay = z.string().refine((v) => minutesOfDay(v) !== undefined, 'must be a UTC time of day HH:MM, e.g. 07:00');

/** Parameters of {@link fxSessionBreakout}. Times are UTC, `HH:MM`. */
export const fxSessionBreakoutParams = z
  .object({
    /** The range window opens: the Asian session. */
    rangeStart: timeOfDay.default('00:00'),
    /** The range window closes and the two stop orders are placed: the London open. */
    rangeEnd: timeOfDay.default('07:00'),
    /** Everything still open is cancelled and the position flattened at market. */
    sessionEnd: timeOfDay.default('16:00'),
    /** How far beyond the range high (low) the buy (sell) stop goes, in pips. */
    offsetPips: z.number().min(0).default(2),
    /** No trade on a range narrower than this, in pips. */
    minRangePips: z.number().min(0).default(10),
    /** No trade on a range wider than this, in pips. */
    maxRangePips: z.number().positive().default(60),
    /** The take-profit is this many range widths from the entry price. */
    takeProfitK: z.number().positive().default(1),
    /** Share of NAV lost when the stop-loss is hit: sets the size from the stop distance. */
    riskFraction: z.number().positive().max(0.2).default(0.01),
    /** The most of the margin available one entry's initial margin may take. */
    maxMarginShare: z.number().positive().max(1).default(0.5),
    /**
     * The initial margin rate the size cap assumes. Absent: the rate the account applies to the
     * instrument (its config's rate, the instrument's own, or 1/leverage). A cash account uses 1.
     */
    marginRate: z.number().positive().max(1).optional(),
    /** A window already open for longer than this when the strategy starts is skipped: its range would be partial. */
    lateStartMs: z.number().int().min(0).default(5 * 60_000),
    /** The instrument id (default: the run's first instrument). */
    instrument: z.string().optional(),
  })
  .refine((p) => minutesOfDay(p.rangeStart)! < minutesOfDay(p.rangeEnd)! && minutesOfDay(p.rangeEnd)! < minutesOfDay(p.sessionEnd)!, {
    message: 'rangeStart < rangeEnd < sessionEnd must hold within one UTC day',
    path: ['rangeEnd'],
  })
  .refine((p) => p.minRangePips <= p.maxRangePips, { message: 'minRangePips must not exceed maxRangePips', path: ['minRangePips'] });

const live = (o: OrderSnapshot | undefined): o is OrderSnapshot => o !== undefined && isOpen(o.status);

/**
 * London-open session breakout on FX quotes, long and short. During the range window (default
 * 00:00–07:00 UTC) it tracks the high and low of the mid. At the window's end (a clock alert) it
 * places a buy stop `offsetPips` above the high and a sell stop below the low, each sized so that its
 * stop-loss (the other side of the range) loses `riskFraction` of NAV, capped so that its initial
 * margin is at most `maxMarginShare` of the margin available. The first entry fill cancels the other
 * entry (one-cancels-other) and places reduce-only exits for the position: a stop-loss at the other
 * side of the range and a take-profit `takeProfitK` range widths from the entry price; whichever fills
 * first cancels the other. At the session end (another alert, default 16:00 UTC) every open order is
 * cancelled and whatever position is left is closed at market. A range outside
 * [`minRangePips`, `maxRangePips`] is not traded. Pips follow the instrument's `pipLocation` (−4 when
 * it has none).
 */
export const fxSessionBreakout = defineStrategy({
  name: 'fx-session-breakout',
  description: 'London-open breakout of the Asian range on FX quotes: stop entries both ways (OCO), stop-loss at the other side, take-profit at k × range, flat at the session end; sized to risk and capped by margin.',
  params: fxSessionBreakoutParams,
  requires: { orderTypes: ['stop', 'limit', 'market'], data: ['quote'] },
  create(ctx, p) {
    const instrumentId = p.instrument ?? ctx.instruments.list()[0]?.id;
    if (instrumentId === undefined) throw new AutotraderError('CONFIG_INVALID', 'fx-session-breakout: the run has no instrument');
    const instrument = ctx.instruments.get(instrumentId);
    const log = ctx.log;
    const times: SessionTimes = { rangeStart: minutesOfDay(p.rangeStart)!, rangeEnd: minutesOfDay(p.rangeEnd)!, sessionEnd: minutesOfDay(p.sessionEnd)! };
    const configuredMarginRate = p.marginRate === undefined ? ctx.portfolio.marginRate(instrumentId) : new Decimal(p.marginRate);
    // Fail at start, not at the first window, when sizing could never convert to the account currency.
    quoteToAccountRate(instrument, ctx.portfolio.accountSummary().baseCurrency, new Decimal(1));

    const tracker = new RangeTracker();
    let plan: SessionPlan = firstPlan(ctx.clock.now(), times, p.lateStartMs);
    /** `ranging` until the window's end, then `armed` while the day's orders work, `done` once nothing more is to be done today. */
    let phase: 'ranging' | 'armed' | 'done' = 'ranging';
    let levels: BreakoutLevels | undefined;
    let buyEntry: OrderSnapshot | undefined;
    let sellEntry: OrderSnapshot | undefined;
    let stopLoss: OrderSnapshot | undefined;
    let takeProfit: OrderSnapshot | undefined;
    let flatten: OrderSnapshot | undefined;
    /** Set at the session end until the position is flat: any fill of ours then (a cancel that lost a race) is closed again. */
    let mustBeFlat = false;
    /** Our orders by client order id: only their fills concern us. */
    const ours = new Set<string>();

    const current = (o: OrderSnapshot | undefined): OrderSnapshot | undefined => (o === undefined ? undefined : (ctx.order(o.clientOrderId) ?? o));
    const submit = (intent: OrderIntent): OrderSnapshot => {
      const o = ctx.submit(intent);
      ours.add(o.clientOrderId);
      if (o.status === 'rejected') log.warn(`${intent.tag ?? 'order'} ${intent.side} ${String(intent.quantity)} refused: ${o.rejection?.code ?? ''} ${o.rejection?.message ?? ''}`);
      return o;
    };
    const cancelIfLive = (o: OrderSnapshot | undefined): void => {
      const now = current(o);
      if (live(now) && now.status !== 'pending_cancel') ctx.cancel(now.clientOrderId);
    };
    const positionQty = (): Decimal => ctx.portfolio.position(instrumentId)?.quantity ?? new Decimal(0);

    const schedule = (): void => {
      ctx.clock.setAlert('range-end', plan.rangeEnd, onRangeEnd);
      ctx.clock.setAlert('session-end', plan.sessionEnd, onSessionEnd);
    };

    ctx.quotes(instrumentId).subscribe((q) => {
      // The window is [rangeStart, rangeEnd); the alert at rangeEnd fires before any quote stamped then.
      if (phase === 'ranging' && q.tsEvent >= plan.rangeStart && q.tsEvent < plan.rangeEnd) tracker.push(q.bid, q.ask);
    });

    function onRangeEnd(): void {
      phase = 'done';
      const day = new Date(plan.rangeStart).toISOString().slice(0, 10);
      const range = tracker.range();
      if (range === undefined) return void log.info(`${day}: no quotes in the range window, no trade`);
      if (!positionQty().isZero()) return void log.warn(`${day}: the position is not flat at the window's end, no trade`);
      const decision = breakoutLevels(instrument, range, p);
      if (!decision.trade) return void log.info(`${day}: ${decision.reason}, no trade`);
      levels = decision.levels;
      const account = ctx.portfolio.accountSummary();
      const marginRate = account.accountType === 'cash' ? new Decimal(1) : configuredMarginRate;
      const place = (side: 'buy' | 'sell'): OrderSnapshot | undefined => {
        const entry = side === 'buy' ? levels!.buyTrigger : levels!.sellTrigger;
        const stop = side === 'buy' ? levels!.longStop : levels!.shortStop;
        const sizing = sizeOrder(instrument, {
          nav: account.nav,
          marginAvailable: account.marginAvailable,
          entry,
          stop,
          quoteToAccount: quoteToAccountRate(instrument, account.baseCurrency, entry),
          riskFraction: p.riskFraction,
          marginRate,
          maxMarginShare: p.maxMarginShare,
        });
        if (sizing.units.isZero()) return void log.info(`${day}: the ${side} stop at ${entry.toString()} sizes to less than one lot, not placed`);
        return submit({ instrumentId, side, type: 'stop', triggerPrice: entry, quantity: sizing.units, tag: side === 'buy' ? 'breakout-long' : 'breakout-short' });
      };
      buyEntry = place('buy');
      sellEntry = place('sell');
      log.info(
        `${day}: range ${range.low.toString()}–${range.high.toString()} (${levels.widthPips.toFixed(1)} pips, ${range.quotes} quotes): ` +
          `buy stop ${levels.buyTrigger.toString()} × ${buyEntry?.quantity.toString() ?? 0}, sell stop ${levels.sellTrigger.toString()} × ${sellEntry?.quantity.toString() ?? 0}`,
      );
      if (buyEntry !== undefined || sellEntry !== undefined) phase = 'armed';
    }

    function onSessionEnd(): void {
      for (const o of [buyEntry, sellEntry, stopLoss, takeProfit]) cancelIfLive(o);
      buyEntry = sellEntry = stopLoss = takeProfit = undefined;
      mustBeFlat = true;
      ensureFlat();
      // The next day's session; its window opens after this session ended.
      plan = planForDay(plan.day + 1, times);
      tracker.reset();
      levels = undefined;
      phase = 'ranging';
      schedule();
    }

    /** Closes the position at market unless it is flat or a close is already working. */
    function ensureFlat(): void {
      const qty = positionQty();
      if (qty.isZero()) {
        mustBeFlat = false;
        return;
      }
      if (live(current(flatten))) return;
      flatten = submit({ instrumentId, side: qty.isPositive() ? 'sell' : 'buy', type: 'market', quantity: quantity(qty.abs()), reduceOnly: true, tag: 'session-end' });
    }

    /** Brings the stop-loss and take-profit in line with the position after a fill of ours. */
    function alignExits(): void {
      const position = ctx.portfolio.position(instrumentId);
      const qty = position?.quantity ?? new Decimal(0);
      if (position === undefined || qty.isZero() || levels === undefined) {
        // Flat again (an exit filled, or both entries did): the day is over.
        for (const o of [buyEntry, sellEntry, stopLoss, takeProfit]) cancelIfLive(o);
        phase = 'done';
        return;
      }
      const long = qty.isPositive();
      const exitSide = long ? 'sell' : 'buy';
      const size = quantity(qty.abs());
      const stopAt = long ? levels.longStop : levels.shortStop;
      const targetAt = takeProfitPrice(instrument, long ? 'long' : 'short', position.averagePrice, levels.width, p.takeProfitK);
      const sl = current(stopLoss);
      const tp = current(takeProfit);
      const fits = (o: OrderSnapshot | undefined, at: Decimal, field: 'triggerPrice' | 'price'): boolean =>
        live(o) && o.status !== 'pending_cancel' && o.side === exitSide && o.quantity.minus(o.filledQuantity).eq(size) && (o[field]?.eq(at) ?? false);
      if (!fits(sl, stopAt, 'triggerPrice')) {
        cancelIfLive(sl);
        stopLoss = submit({ instrumentId, side: exitSide, type: 'stop', triggerPrice: stopAt, quantity: size, reduceOnly: true, tag: 'stop-loss' });
      }
      if (!fits(tp, targetAt, 'price')) {
        cancelIfLive(tp);
        takeProfit = submit({ instrumentId, side: exitSide, type: 'limit', price: targetAt, quantity: size, reduceOnly: true, tag: 'take-profit' });
      }
    }

    ctx.stream('fill').subscribe((fill) => {
      if (fill.instrumentId !== instrumentId || !ours.has(fill.clientOrderId)) return;
      if (mustBeFlat) return void ensureFlat();
      if (phase !== 'armed') return;
      // One-cancels-other: the first fill of either entry cancels the other entry.
      if (buyEntry !== undefined && fill.clientOrderId === buyEntry.clientOrderId) cancelIfLive(sellEntry);
      if (sellEntry !== undefined && fill.clientOrderId === sellEntry.clientOrderId) cancelIfLive(buyEntry);
      alignExits();
    });

    schedule();
  },
});

export default fxSessionBreakout;
