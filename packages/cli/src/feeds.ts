import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AutotraderError, makeInstrument, type Instrument } from '@autotrader/core';
import { DataError, loadSeries } from '@autotrader/data';
import { seriesToFeed, type MarketFeed } from '@autotrader/engine';

/** Instruments and replayable feeds loaded from data files. */
export interface LoadedData {
  readonly instruments: Instrument[];
  readonly feeds: MarketFeed[];
}


/** A folder (such as a recording) stands for the Arrow files in it, in name order. */
export function expandDataPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      const files = readdirSync(p).filter((f) => f.endsWith('.arrow')).sort();
      if (files.length === 0) {
        throw new DataError('DATA_NOT_FOUND', `${p} is a folder with no .arrow files in it`, `Give Arrow files or a recording folder: \`ls ${p}\` shows what it holds; \`pnpm data import <file.csv> --out <file.arrow>\` makes an Arrow file.`, {
          details: { path: p },
        });
      }
      out.push(...files.map((f) => join(p, f)));
    } else {
      out.push(p);
    }
  }
  return out;
}

/**
 * Loads each file (Arrow, or CSV/JSON of up to 256 MiB imported in memory; a folder stands for its Arrow
 * files) and slices it to [from, to). Every row is checked with the market-data rules as it is read; a
 * larger CSV/JSON file is refused with the `pnpm data import` command that streams it into an Arrow file.
 */
export function loadData(paths: readonly string[], range: { from?: number; to?: number }): LoadedData {
  const instruments = new Map<string, Instrument>();
  const feeds: MarketFeed[] = [];
  for (const path of expandDataPaths(paths)) {
    const series = loadSeries(path, range);
    const instrument = makeInstrument(series.meta.instrument);
    const known = instruments.get(instrument.id);
    if (known === undefined) instruments.set(instrument.id, instrument);
    feeds.push(seriesToFeed(series, instrument.id));
  }
  const list = [...instruments.values()];
  const quotes = new Set(list.map((i) => i.quote));
  if (quotes.size > 1) {
    throw new AutotraderError('CONFIG_INVALID', `instruments are quoted in several currencies (${[...quotes].join(', ')}); a backtest uses one account currency`);
  }
  return { instruments: list, feeds };
}
