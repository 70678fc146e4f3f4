import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AutotraderError, type Instrument } from '@autotrader/core';
import type { MarketFeed } from '@autotrader/engine';

/**
 * Range checks on the numeric options of backtest, paper and live, run before anything is loaded or
 * connected. The token check (option-tokens.ts) has already made sure each is a finite number as typed;
 * these say which values make no sense for a trading run.
 */

const invalid = (flag: string, message: string): AutotraderError => new AutotraderError('CONFIG_INVALID', `${flag} ${message}`, { details: { usage: true, flag } });

/** The most starting cash a run takes: beyond it, equity loses the cent in a float. */
const MAX_CASH = 1e15;
/** The deepest maker rebate taken (1%): real venues pay at most a few basis points. */
export const MAX_MAKER_REBATE = 0.01;

/** Starting cash: a positive amount. `paper --cash NaN` stops here, before any connection. */
export function checkCash(cash: number, flag = '--cash'): void {
  if (!Number.isFinite(cash) || cash <= 0) throw invalid(flag, `must be a positive amount of the quote currency, got ${String(cash)}`);
  if (cash > MAX_CASH) throw invalid(flag, `${cash} is more than ${MAX_CASH.toExponential()}; amounts that large lose their cents`);
}

/** A count or duration that may be zero but not negative (--latency, --startup-max-wait-ms). */
export function checkNonNegative(value: number | undefined, flag: string): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0) throw invalid(flag, `must be a number ≥ 0, got ${String(value)}`);
}

/** A seed: a whole number, so the same seed always gives the same run. */
export function checkSeed(seed: number, flag = '--seed'): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw invalid(flag, `must be a whole number ≥ 0, got ${String(seed)}`);
}

/**
 * Fee rates. A fee is a fraction of the notional in [0, 1). Only `--maker-fee` may be negative, a maker
 * rebate asked for by name (`--maker-fee -0.0001`), and no deeper than 1%: a negative `--fee` or
 * `--taker-fee` pays the strategy to trade (`--fee -0.5` turned 100k into 38.9M).
 */
export function checkFees(fees: { fee?: number; makerFee?: number; takerFee?: number }): void {
  for (const [flag, rate] of [['--fee', fees.fee], ['--taker-fee', fees.takerFee], ['--maker-fee', fees.makerFee]] as const) {
    if (rate === undefined) continue;
    if (!Number.isFinite(rate)) throw invalid(flag, `must be a fee rate, got ${String(rate)}`);
    if (rate >= 1) throw invalid(flag, `${rate} is a fee of ${rate * 100}% of every trade; give the rate as a fraction (0.001 = 0.1%)`);
    if (rate >= 0) continue;
    if (flag !== '--maker-fee') throw invalid(flag, `${rate} is negative: fees are ≥ 0. A maker rebate is given explicitly with --maker-fee (e.g. --maker-fee -0.0001)`);
    if (rate < -MAX_MAKER_REBATE) throw invalid(flag, `${rate} is a rebate of ${-rate * 100}% of every maker trade; real rebates are a few basis points (--maker-fee -0.0001), at most ${MAX_MAKER_REBATE * 100}% is taken`);
  }
}

/** The lowest price a feed holds (bar lows, trade prices, bids), or undefined when it is empty. */
function lowestPrice(feed: MarketFeed): number | undefined {
  const column = feed.kind === 'bar' ? feed.low : feed.kind === 'trade' ? feed.price : feed.bid;
  let low = Infinity;
  for (let i = 0; i < feed.length; i++) if (column[i]! < low) low = column[i]!;
  return Number.isFinite(low) ? low : undefined;
}

/** Above this share of the lowest price, slippage gets a one-line warning. */
const SLIPPAGE_WARN_SHARE = 0.01;

/**
 * Slippage in ticks against the prices in the data, once they are loaded (before the replay): slippage
 * as large as the lowest price would fill a sell at zero or below and a buy at twice the price or more,
 * a run that means nothing (`--slippage 1e12` gave 0 trades and no word), so it is refused; slippage
 * above 1% of the lowest price is allowed with a warning line returned for stderr.
 */
export function checkSlippage(ticks: number, instruments: readonly Instrument[], feeds: readonly MarketFeed[]): string[] {
  if (!Number.isFinite(ticks) || ticks < 0) throw invalid('--slippage', `must be a number of ticks ≥ 0, got ${String(ticks)}`);
  if (ticks === 0) return [];
  const warnings: string[] = [];
  for (const feed of feeds) {
    const instrument = instruments.find((i) => i.id === feed.instrumentId);
    const low = lowestPrice(feed);
    if (instrument === undefined || low === undefined || !(low > 0)) continue;
    const amount = ticks * instrument.tickSize.toNumber();
    const share = amount / low;
    const what = `${ticks} ticks of ${instrument.tickSize.toString()} (${amount} ${instrument.quote})`;
    if (share >= 1) throw invalid('--slippage', `${what} is larger than the lowest ${instrument.id} price in the data (${low}): fills would be at or below zero, or at twice the price. Give slippage in ticks (--slippage 2)`);
    if (share > SLIPPAGE_WARN_SHARE) warnings.push(`warning: --slippage ${what} is ${(share * 100).toFixed(1)}% of the lowest ${instrument.id} price in the data (${low}); fills will be far from the market`);
  }
  return warnings;
}

/**
 * The order journal path (`--journal` or the config file's journal.path), before anything connects:
 * a folder, or a path under a file, is refused naming the path, instead of after the venue answered.
 * Whether the file can be written is found when the journal opens, with the same code.
 */
export function checkJournalPath(path: string | undefined, flag = '--journal'): void {
  if (path === undefined) return;
  const full = resolve(path);
  const kind = (p: string): 'folder' | 'file' | 'none' => {
    try {
      return statSync(p).isDirectory() ? 'folder' : 'file';
    } catch {
      return 'none';
    }
  };
  if (kind(full) === 'folder') throw new AutotraderError('JOURNAL_PATH_INVALID', `${flag} ${full} is a folder, not a file`, { details: { flag, path: full } });
  for (let at = dirname(full); dirname(at) !== at; at = dirname(at)) {
    const k = kind(at);
    if (k === 'file') throw new AutotraderError('JOURNAL_PATH_INVALID', `${flag} ${full} is under ${at}, which is a file, not a folder`, { details: { flag, path: full } });
    if (k === 'folder') break;
  }
}

/** The first and last event times of the feeds, or undefined when they hold no rows. */
function dataSpan(feeds: readonly MarketFeed[]): number | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (const feed of feeds) {
    if (feed.length === 0) continue;
    const ts = feed.kind === 'bar' ? feed.tsOpen : feed.ts;
    first = Math.min(first, ts[0]!);
    last = Math.max(last, ts[feed.length - 1]!);
  }
  return Number.isFinite(first) && Number.isFinite(last) ? last - first : undefined;
}

/**
 * Latency against the span of the data: when every order takes longer to reach the venue than the data
 * lasts, no order can ever fill, a run that means nothing, so a warning line is returned for stderr.
 */
export function checkLatency(ms: number, feeds: readonly MarketFeed[]): string[] {
  const span = dataSpan(feeds);
  if (ms === 0 || span === undefined || ms < span) return [];
  return [`warning: --latency ${ms} ms is longer than the data (${span} ms from first to last event); no order can reach the venue before it ends`];
}
