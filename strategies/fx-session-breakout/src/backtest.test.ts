import { fileURLToPath } from 'node:url';
import { Decimal, makeInstrument, type Fill, type OrderSnapshot } from '@autotrader/core';
import { readSeries, type Series } from '@autotrader/data';
import { runBacktest, seriesToFeed, type BacktestResult } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { beforeAll, describe, expect, it } from 'vitest';
import { fxSessionBreakout } from './index';

/**
 * The strategy on the shipped OANDA EUR/USD ticks (2014-05-01, 02, 04 and 05) in a USD margin account
 * at 50:1, checked against a plain loop written here from the rules alone: the day's range of the mid
 * over 00:00–07:00, the stops 2 pips outside it on the 0.00001 grid, the sizes from 1% of NAV and the
 * margin cap, and then, quote by quote, the first touch of a stop (a buy at the ask, a sell at the
 * bid), the stop-loss, the take-profit or the 16:00 close.
 */
type Quotes = Extract<Series, { meta: { kind: 'quote' } }>;
const DATA = fileURLToPath(new URL('../../../data/eurusd-ticks-2014-05.arrow', import.meta.url));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TICK = '0.00001';
const MARGIN_RATE = new Decimal('0.02'); // 50:1, the run's leverage and the strategy's default

interface Params {
  riskFraction: number;
  maxMarginShare: number;
}
interface ExpectedFill {
  side: 'buy' | 'sell';
  ts: number;
  price: string;
  quantity: string;
}
interface ExpectedDay {
  day: number;
  buyTrigger: string;
  sellTrigger: string;
  buyUnits: string;
  sellUnits: string;
  /** Margin available when the orders were placed (flat: the NAV). */
  available: Decimal;
  entry?: ExpectedFill & { stopLoss: string; takeProfit: string };
  exit?: ExpectedFill & { why: 'stop-loss' | 'take-profit' | 'session-end' };
}

const onTick = (x: Decimal, mode: 'up' | 'down'): Decimal => x.div(TICK).toDecimalPlaces(0, mode === 'up' ? Decimal.ROUND_CEIL : Decimal.ROUND_FLOOR).mul(TICK);
const floor = (x: Decimal): Decimal => x.toDecimalPlaces(0, Decimal.ROUND_FLOOR);

/** The plain loop: what the strategy must do on these ticks with these parameters. */
function expectedDays(q: Quotes['columns'], p: Params): ExpectedDay[] {
  const out: ExpectedDay[] = [];
  let nav = new Decimal(10_000);
  const n = q.ts.length;
  const firstDay = Math.floor(q.ts[0]! / DAY);
  const lastDay = Math.floor(q.ts[n - 1]! / DAY);
  let i = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    const rangeStart = day * DAY;
    const rangeEnd = rangeStart + 7 * HOUR;
    const sessionEnd = rangeStart + 16 * HOUR;
    while (i < n && q.ts[i]! < rangeStart) i++;
    let hi: Decimal | undefined;
    let lo: Decimal | undefined;
    for (; i < n && q.ts[i]! < rangeEnd; i++) {
      const mid = new Decimal(q.bid[i]!).plus(q.ask[i]!).div(2);
      if (hi === undefined || mid.gt(hi)) hi = mid;
      if (lo === undefined || mid.lt(lo)) lo = mid;
    }
    if (hi === undefined || lo === undefined) continue; // the weekend: no quotes in the window
    const widthPips = hi.minus(lo).div('0.0001').toNumber();
    if (widthPips < 10 || widthPips > 60) continue;
    const buyTrigger = onTick(hi.plus('0.0002'), 'up');
    const sellTrigger = onTick(lo.minus('0.0002'), 'down');
    const longStop = onTick(lo, 'down');
    const shortStop = onTick(hi, 'up');
    const units = (entry: Decimal, stop: Decimal): Decimal =>
      floor(Decimal.min(nav.mul(p.riskFraction).div(entry.minus(stop).abs()), nav.mul(p.maxMarginShare).div(entry.mul(MARGIN_RATE))));
    const d: ExpectedDay = { day, buyTrigger: buyTrigger.toString(), sellTrigger: sellTrigger.toString(), buyUnits: units(buyTrigger, longStop).toString(), sellUnits: units(sellTrigger, shortStop).toString(), available: nav };
    out.push(d);
    // Entry: the first quote from 07:00 whose ask reaches the buy stop or whose bid reaches the sell stop.
    for (; i < n && q.ts[i]! < sessionEnd; i++) {
      if (new Decimal(q.ask[i]!).gte(buyTrigger)) {
        d.entry = { side: 'buy', ts: q.ts[i]!, price: String(q.ask[i]), quantity: d.buyUnits, stopLoss: longStop.toString(), takeProfit: '' };
        break;
      }
      if (new Decimal(q.bid[i]!).lte(sellTrigger)) {
        d.entry = { side: 'sell', ts: q.ts[i]!, price: String(q.bid[i]), quantity: d.sellUnits, stopLoss: shortStop.toString(), takeProfit: '' };
        break;
      }
    }
    if (d.entry === undefined) continue;
    const long = d.entry.side === 'buy';
    const entryPx = new Decimal(d.entry.price);
    const width = hi.minus(lo);
    const target = long ? onTick(entryPx.plus(width), 'up') : onTick(entryPx.minus(width), 'down');
    d.entry.takeProfit = target.toString();
    const stop = new Decimal(d.entry.stopLoss);
    const exitSide = long ? 'sell' : 'buy';
    // Exits from the next quote on: the 16:00 close first (its alert cancels the exits before that quote), then the stop-loss, then the take-profit.
    for (i++; i < n; i++) {
      const touch = new Decimal(long ? q.bid[i]! : q.ask[i]!);
      const base = { side: exitSide, ts: q.ts[i]!, quantity: d.entry.quantity } as const;
      if (q.ts[i]! >= sessionEnd) d.exit = { ...base, price: touch.toString(), why: 'session-end' };
      else if (long ? touch.lte(stop) : touch.gte(stop)) d.exit = { ...base, price: touch.toString(), why: 'stop-loss' };
      else if (long ? touch.gte(target) : touch.lte(target)) d.exit = { ...base, price: target.toString(), why: 'take-profit' };
      if (d.exit !== undefined) break;
    }
    const pnl = new Decimal(d.exit!.price).minus(entryPx).mul(d.entry.quantity).mul(long ? 1 : -1);
    nav = nav.plus(pnl);
  }
  return out;
}

async function run(p: Params): Promise<BacktestResult> {
  const series = readSeries(DATA) as Quotes;
  const instrument = makeInstrument(series.meta.instrument);
  const account = { type: 'margin' as const, leverage: '50' };
  return runBacktest({
    strategy: fxSessionBreakout,
    params: p,
    feeds: [seriesToFeed(series, instrument.id)],
    instruments: [instrument],
    account,
    currency: 'USD',
    startingCash: 10_000,
    // The same account block for the simulated venue as for the engine (test/e2e/src/accounts/run.ts).
    venue: (ctx) => createSimulatedVenue({ config: { venue: 'OANDA', startingBalances: { USD: '10000' }, account }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus }),
  });
}

const fillOf = (f: Fill): ExpectedFill => ({ side: f.side, ts: f.tsEvent, price: f.price.toString(), quantity: f.quantity.toString() });
const tagged = (orders: readonly OrderSnapshot[], tag: string): OrderSnapshot[] => orders.filter((o) => o.tag === tag);
const utc = (ms: number): string => new Date(ms).toISOString();

describe('fx-session-breakout on the EUR/USD ticks, USD margin account at 50:1', () => {
  const defaults: Params = { riskFraction: 0.01, maxMarginShare: 0.5 };
  let quotes: Quotes['columns'];
  let result: BacktestResult;
  let days: ExpectedDay[];

  beforeAll(async () => {
    quotes = (readSeries(DATA) as Quotes).columns;
    days = expectedDays(quotes, defaults);
    result = await run(defaults);
  });

  it('places both stops at 07:00 UTC of each traded day, at the range ± 2 pips, sized from 1% of NAV', () => {
    // The data must exercise the strategy: three weekdays with a range, long and short entries.
    expect(days.map((d) => utc(d.day * DAY).slice(0, 10))).toEqual(['2014-05-01', '2014-05-02', '2014-05-05']);
    expect(new Set(days.map((d) => d.entry?.side))).toEqual(new Set(['buy', 'sell']));
    const longs = tagged(result.orders, 'breakout-long');
    const shorts = tagged(result.orders, 'breakout-short');
    expect(longs.map((o) => ({ at: utc(o.tsCreated), type: o.type, trigger: o.triggerPrice?.toString(), qty: o.quantity.toString() }))).toEqual(
      days.map((d) => ({ at: utc(d.day * DAY + 7 * HOUR), type: 'stop', trigger: d.buyTrigger, qty: d.buyUnits })),
    );
    expect(shorts.map((o) => ({ at: utc(o.tsCreated), type: o.type, trigger: o.triggerPrice?.toString(), qty: o.quantity.toString() }))).toEqual(
      days.map((d) => ({ at: utc(d.day * DAY + 7 * HOUR), type: 'stop', trigger: d.sellTrigger, qty: d.sellUnits })),
    );
  });

  it('makes the plain loop\'s fills exactly: the entry, then the stop-loss, the take-profit or the 16:00 close', () => {
    const expected = days.flatMap((d) => (d.entry === undefined ? [] : [d.entry, d.exit!]).map(({ side, ts, price, quantity }) => ({ side, ts, price, quantity })));
    expect(result.fills.map(fillOf)).toEqual(expected);
    // What closed each day's trade, as the loop says.
    const exitTags = result.fills.filter((_, k) => k % 2 === 1).map((f) => result.orders.find((o) => o.clientOrderId === f.clientOrderId)?.tag);
    expect(exitTags).toEqual(days.filter((d) => d.exit).map((d) => d.exit!.why));
    expect(exitTags).toContain('stop-loss');
    expect(exitTags).toContain('session-end');
  });

  it('cancels the other stop at the first entry fill (one-cancels-other) and the other exit when one fills', () => {
    const traded = days.filter((d) => d.entry !== undefined);
    for (const d of traded) {
      const day = result.orders.filter((o) => Math.floor(o.tsCreated / DAY) === d.day);
      const [filled, other] = d.entry!.side === 'buy' ? ['breakout-long', 'breakout-short'] : ['breakout-short', 'breakout-long'];
      expect(tagged(day, filled)[0]!.status).toBe('filled');
      const cancelled = tagged(day, other)[0]!;
      expect(cancelled.status).toBe('canceled');
      expect(cancelled.filledQuantity.isZero()).toBe(true);
      expect(cancelled.tsUpdated).toBe(d.entry!.ts); // cancelled on the entry's own fill
      // The exits: placed at the entry fill, reduce-only, at the other side of the range and k × range away.
      const [sl] = tagged(day, 'stop-loss');
      const [tp] = tagged(day, 'take-profit');
      expect({ at: sl!.tsCreated, type: sl!.type, trigger: sl!.triggerPrice?.toString(), qty: sl!.quantity.toString(), reduceOnly: sl!.reduceOnly }).toEqual({ at: d.entry!.ts, type: 'stop', trigger: d.entry!.stopLoss, qty: d.entry!.quantity, reduceOnly: true });
      expect({ at: tp!.tsCreated, type: tp!.type, price: tp!.price?.toString(), qty: tp!.quantity.toString() }).toEqual({ at: d.entry!.ts, type: 'limit', price: d.entry!.takeProfit, qty: d.entry!.quantity });
      const statuses = [sl!.status, tp!.status].sort();
      expect(statuses).toEqual(d.exit!.why === 'session-end' ? ['canceled', 'canceled'] : ['canceled', 'filled']);
    }
    // Never more than one entry filled on a day.
    expect(result.orders.filter((o) => o.tag?.startsWith('breakout') && o.status === 'filled')).toHaveLength(traded.length);
  });

  it('is flat with no order open after each session end, and at the end of the data', () => {
    let position = new Decimal(0);
    for (const f of result.fills) {
      position = f.side === 'buy' ? position.plus(f.quantity) : position.minus(f.quantity);
      const sessionEnd = Math.floor(f.tsEvent / DAY) * DAY + 16 * HOUR;
      // Nothing fills after 16:00 but the close itself, on the first quote from 16:00, and it leaves the position flat.
      if (f.tsEvent >= sessionEnd) {
        const firstQuoteAfter = quotes.ts.find((t) => t >= sessionEnd);
        expect(f.tsEvent).toBe(firstQuoteAfter);
        expect(position.isZero()).toBe(true);
      }
    }
    expect(position.isZero()).toBe(true);
    expect(result.kernel.openOrders()).toHaveLength(0);
    // Every order of a day was done by its 16:00 (the close fills on the next quote).
    for (const o of result.orders) {
      const sessionEnd = Math.floor(o.tsCreated / DAY) * DAY + 16 * HOUR;
      expect(o.tsUpdated <= sessionEnd || o.tag === 'session-end', `${o.tag} ${o.clientOrderId} updated ${utc(o.tsUpdated)}`).toBe(true);
    }
    expect(result.account?.marginUsedEnd).toBe(0);
  });

  it('never takes more margin than maxMarginShare of what was available, even when the cap sets the size', async () => {
    // With 20% risk the stop distance would allow ~800,000 units; a 10% margin cap allows ~36,000.
    const capped: Params = { riskFraction: 0.2, maxMarginShare: 0.1 };
    const cappedDays = expectedDays(quotes, capped);
    const r = await run(capped);
    expect(r.orders.filter((o) => o.status === 'rejected')).toHaveLength(0);
    for (const { result: res, d: expected, p } of [
      { result: r, d: cappedDays, p: capped },
      { result, d: days, p: defaults },
    ]) {
      const entries = res.orders.filter((o) => o.tag?.startsWith('breakout'));
      expect(entries.map((o) => o.quantity.toString())).toEqual(expected.flatMap((d) => [d.buyUnits, d.sellUnits]));
      for (const d of expected) {
        for (const [trigger, units] of [[d.buyTrigger, d.buyUnits], [d.sellTrigger, d.sellUnits]] as const) {
          // The initial margin at the stop's price is within the cap.
          expect(new Decimal(units).mul(trigger).mul(MARGIN_RATE).lte(d.available.mul(p.maxMarginShare))).toBe(true);
        }
      }
      // Margin used just after each entry fill (valued at its fill price) is within the cap, allowing only for a fill beyond the trigger.
      res.fills.forEach((f, k) => {
        if (k % 2 === 1) return;
        const d = expected.find((x) => x.entry?.ts === f.tsEvent)!;
        const trigger = new Decimal(f.side === 'buy' ? d.buyTrigger : d.sellTrigger);
        const slip = Decimal.max(1, f.price.div(trigger));
        expect(res.account!.marginUsedAtFills[k]!).toBeLessThanOrEqual(d.available.mul(p.maxMarginShare).mul(slip).toNumber() + 1e-9);
      });
    }
    // The cap bound: every entry is smaller than the risk alone would make it.
    for (const d of cappedDays) expect(new Decimal(d.buyUnits).mul(d.buyTrigger).mul(MARGIN_RATE).toNumber()).toBeGreaterThan(0.099 * d.available.toNumber());
    expect(r.account!.marginUsedPeak).toBeLessThanOrEqual(0.1 * 10_300);
  });
});
