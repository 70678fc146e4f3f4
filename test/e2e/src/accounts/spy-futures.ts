import { defineStrategy, makeInstrument, type Instrument } from '@autotrader/core';
import type { BarFeed } from '@autotrader/engine';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Bars } from './run';

const DAY = 86_400_000;
/** Contracts are worth 50 × the SPY price. */
export const MULTIPLIER = 50;
/** The expiry is at the US close of the third Friday, 21:00 UTC (16:00 New York in winter). */
const EXPIRY_HOUR_UTC = 21;

/** One quarterly contract built from the SPY bars: the rows [first, last] of the SPY series are its bars. */
export interface Contract {
  readonly symbol: string;
  /** 00:00 UTC of its third Friday. */
  readonly expiryDay: number;
  /** The instrument's expiry: 21:00 UTC of that Friday. */
  readonly expiry: number;
  readonly first: number;
  readonly last: number;
}

/** 00:00 UTC of the third Friday of a month (month 0-based). */
export function thirdFriday(year: number, month: number): number {
  const firstDow = new Date(Date.UTC(year, month, 1)).getUTCDay(); // 0 = Sunday
  const firstFriday = 1 + ((5 - firstDow + 7) % 7);
  return Date.UTC(year, month, firstFriday + 14);
}

/**
 * The quarterly contracts (March, June, September, December) over the SPY series. A contract is listed
 * for two quarters: its bars are SPY's bars dated after the expiry day of the contract two before it
 * (from the first bar for the first two), up to the last bar that closes before its own expiry (the
 * Thursday before the third Friday: the Friday bar is known only at its close, after the expiry). The
 * last contract is the first one expiring after the data ends.
 */
export function quarterlyContracts(tsOpen: Float64Array): Contract[] {
  const start = new Date(tsOpen[0]!);
  const end = tsOpen[tsOpen.length - 1]!;
  const days: number[] = [];
  for (let y = start.getUTCFullYear(); ; y++) {
    let done = false;
    for (const m of [2, 5, 8, 11]) {
      const d = thirdFriday(y, m);
      if (d < tsOpen[0]!) continue;
      days.push(d);
      if (d > end) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  const out: Contract[] = [];
  for (let c = 0; c < days.length; c++) {
    const expiryDay = days[c]!;
    const expiry = expiryDay + EXPIRY_HOUR_UTC * 3_600_000;
    const listedAfter = c >= 2 ? days[c - 2]! : -Infinity;
    let first = 0;
    while (first < tsOpen.length && !(tsOpen[first]! > listedAfter)) first++;
    // The last bar whose close (event time tsOpen + 1 day) comes before the expiry.
    let last = first - 1;
    while (last + 1 < tsOpen.length && tsOpen[last + 1]! + DAY <= expiry) last++;
    const date = new Date(expiryDay);
    const symbol = `SPF${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
    out.push({ symbol, expiryDay, expiry, first, last });
  }
  return out;
}

/** The contracts as instruments (asset class future, multiplier 50, expiry set) and their bar feeds, nearest expiry first. */
export function contractsAsInstruments(spy: Bars, contracts: readonly Contract[]): { instruments: Instrument[]; feeds: BarFeed[] } {
  const instruments: Instrument[] = [];
  const feeds: BarFeed[] = [];
  const c = spy.columns;
  for (const k of contracts) {
    const instrument = makeInstrument({
      symbol: k.symbol,
      venue: 'SIM',
      assetClass: 'future',
      base: 'SPF',
      quote: 'USD',
      tickSize: '0.0001',
      lotSize: '1',
      minNotional: '0',
      multiplier: String(MULTIPLIER),
      expiry: k.expiry,
    });
    instruments.push(instrument);
    const a = k.first;
    const b = k.last + 1;
    feeds.push({
      kind: 'bar',
      instrumentId: instrument.id,
      length: b - a,
      intervalMs: spy.meta.intervalMs!,
      tsOpen: c.tsOpen.subarray(a, b),
      open: c.open.subarray(a, b),
      high: c.high.subarray(a, b),
      low: c.low.subarray(a, b),
      close: c.close.subarray(a, b),
      volume: c.volume.subarray(a, b),
    });
  }
  return { instruments, feeds };
}

/** How many calendar days before its expiry day the roll is decided (a Tuesday: the orders fill at Wednesday's open). */
export const ROLL_DECIDE_DAYS = 3;

/**
 * Holds one front contract long. On the first bar of the held contract dated `ROLL_DECIDE_DAYS` or
 * fewer days before its expiry day it rolls: sells it and buys the next contract, both at market (so
 * they fill at the next open, two days before the expiry). The contract named `holdThrough` is not
 * rolled: the venue settles it at expiry, and the strategy buys the next contract on that contract's
 * first bar after the expiry. Decisions follow what it asked for, not fill reports.
 */
export const frontRoll = defineStrategy({
  name: 'front-roll-golden',
  params: z.object({ holdThrough: z.string() }),
  requires: { orderTypes: ['market'], data: ['bar'] },
  create(ctx, p) {
    const list = [...ctx.instruments.list()].sort((a, b) => a.expiry! - b.expiry!);
    let held = -1;
    let waitingForExpiry = false;
    ctx.bars().subscribe((bar) => {
      if (held === -1) {
        if (bar.instrumentId === list[0]!.id) {
          ctx.submit({ instrumentId: list[0]!.id, side: 'buy', quantity: '1' });
          held = 0;
        }
        return;
      }
      const h = list[held]!;
      const next = list[held + 1];
      if (waitingForExpiry) {
        if (next !== undefined && bar.instrumentId === next.id && bar.tsOpen > h.expiry!) {
          ctx.submit({ instrumentId: next.id, side: 'buy', quantity: '1' });
          held++;
          waitingForExpiry = false;
        }
        return;
      }
      if (bar.instrumentId !== h.id || next === undefined) return;
      if (bar.tsOpen < dayOf(h.expiry!) - ROLL_DECIDE_DAYS * DAY) return;
      if (h.symbol === p.holdThrough) {
        waitingForExpiry = true;
        return;
      }
      ctx.submit({ instrumentId: h.id, side: 'sell', quantity: '1' });
      ctx.submit({ instrumentId: next.id, side: 'buy', quantity: '1' });
      held++;
    });
  },
});

const dayOf = (ts: number): number => Math.floor(ts / DAY) * DAY;

/** One expected fill. */
export interface FutFill {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly ts: number;
  readonly price: number;
  readonly reason?: 'expiry';
}

/** One expected round trip, long 1 contract. */
export interface FutTrip {
  readonly symbol: string;
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  readonly pnl: Decimal;
  readonly reason?: 'expiry';
}

/**
 * The golden spec of the roll, as a plain loop over the SPY days (every contract alive on a day has
 * that day's SPY bar, so "the next bar of a contract" is the next SPY day):
 *
 * - Day 0: buy the first contract; it fills at day 1's open.
 * - On the first day d ≥ expiryDay − 3 days of the held contract: sell it and buy the next; both fill
 *   at day d + 1's open (the two contracts have the same bars).
 * - The `holdThrough` contract is kept: at its expiry it is settled at its final price, the close of
 *   its last bar (the last bar that closes before the expiry), stamped with the expiry time
 *   (reason 'expiry'). On the first day after the expiry, the next contract is bought at the next open.
 * - P/L = (exit − entry) × 50 per contract. Margin account: only P/L settles (no fees), so cash is the
 *   start plus every realized P/L, and NAV adds the open contract at the last close.
 * - Margin used after a fill = the open contracts × fill price × 50 × margin rate.
 */
export function futuresGolden(
  spy: Bars,
  contracts: readonly Contract[],
  o: { holdThrough: string; startingCash: number; marginRate: string },
): { fills: FutFill[]; trips: FutTrip[]; marginAtFills: Decimal[]; cash: Decimal; nav: Decimal; rollPnl: Decimal; held: string } {
  const { tsOpen, open, close } = spy.columns;
  const fills: FutFill[] = [];
  const trips: FutTrip[] = [];
  const marginAtFills: Decimal[] = [];
  const rate = new Decimal(o.marginRate);
  let cash = new Decimal(o.startingCash);
  let rollPnl = new Decimal(0);
  let held = -1; // the contract asked for
  let open_: { c: number; entryTs: number; entry: Decimal } | undefined; // the contract actually held
  let pendingSell = -1;
  let pendingBuy = -1;
  let waitingForExpiry = false;
  let settleDone = false;

  const closeTrip = (c: number, ts: number, px: Decimal, reason?: 'expiry'): void => {
    const pnl = px.minus(open_!.entry).times(MULTIPLIER);
    cash = cash.plus(pnl);
    if (reason === undefined) rollPnl = rollPnl.plus(pnl);
    trips.push({ symbol: contracts[c]!.symbol, entryTs: open_!.entryTs, entryPrice: open_!.entry.toNumber(), exitTs: ts, exitPrice: px.toNumber(), pnl, ...(reason ? { reason } : {}) });
    open_ = undefined;
  };

  for (let d = 0; d < tsOpen.length; d++) {
    // Fills at this day's open, the sell leg first (its contract comes first in the feeds).
    if (pendingSell >= 0) {
      const px = new Decimal(open[d]!);
      fills.push({ symbol: contracts[pendingSell]!.symbol, side: 'sell', ts: tsOpen[d]!, price: open[d]! });
      closeTrip(pendingSell, tsOpen[d]!, px);
      marginAtFills.push(new Decimal(0));
      pendingSell = -1;
    }
    if (pendingBuy >= 0) {
      const px = new Decimal(open[d]!);
      fills.push({ symbol: contracts[pendingBuy]!.symbol, side: 'buy', ts: tsOpen[d]!, price: open[d]! });
      open_ = { c: pendingBuy, entryTs: tsOpen[d]!, entry: px };
      marginAtFills.push(px.times(MULTIPLIER).times(rate));
      pendingBuy = -1;
    }
    // The kept contract settles at its expiry, before the first bar that closes after it.
    if (waitingForExpiry && !settleDone && tsOpen[d]! + DAY > contracts[held]!.expiry) {
      const k = contracts[held]!;
      const px = new Decimal(close[k.last]!);
      fills.push({ symbol: k.symbol, side: 'sell', ts: k.expiry, price: close[k.last]!, reason: 'expiry' });
      closeTrip(held, k.expiry, px, 'expiry');
      marginAtFills.push(new Decimal(0));
      settleDone = true;
    }
    // Decisions on this day's close.
    if (held === -1) {
      pendingBuy = 0;
      held = 0;
      continue;
    }
    const h = contracts[held]!;
    if (held + 1 >= contracts.length) continue;
    if (waitingForExpiry) {
      if (tsOpen[d]! > h.expiry) {
        pendingBuy = held + 1;
        held++;
        waitingForExpiry = false;
        settleDone = false;
      }
      continue;
    }
    if (d > h.last || tsOpen[d]! < h.expiryDay - ROLL_DECIDE_DAYS * DAY) continue;
    if (h.symbol === o.holdThrough) {
      waitingForExpiry = true;
      continue;
    }
    pendingSell = held;
    pendingBuy = held + 1;
    held++;
  }
  const last = tsOpen.length - 1;
  const unrealized = open_ === undefined ? new Decimal(0) : new Decimal(close[last]!).minus(open_.entry).times(MULTIPLIER);
  return { fills, trips, marginAtFills, cash, nav: cash.plus(unrealized), rollPnl, held: open_ === undefined ? '' : contracts[open_.c]!.symbol };
}
