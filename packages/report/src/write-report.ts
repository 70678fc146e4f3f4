import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutotraderError } from '@autotrader/core';
import { writeCsv } from './csv';
import { lastPerBucket } from './downsample';
import { prepareOutputDir } from './output-dir';
import { formatTime } from './format';
import { renderReportHtml, type HtmlReportOptions } from './html';
import { checkCurve } from './metrics';
import type { RunResult, Summary } from './types';

/** Options of {@link writeReport}. */
export interface WriteReportOptions extends HtmlReportOptions {
  /** equity.csv keeps at most this many rows (the last point of each bucket). Default 100,000. */
  maxEquityRows?: number;
}

/** Column names of trades.csv. Times appear twice: epoch ms for programs, ISO 8601 UTC for people. */
export const TRADES_CSV_HEADER = ['instrumentId', 'side', 'quantity', 'entryTs', 'entryTime', 'entryPrice', 'exitTs', 'exitTime', 'exitPrice', 'pnl', 'fees', 'returnPct'] as const;
/**
 * Columns trades.csv adds for a margin or multi-currency run, or when the venue closed a trade: the
 * currency of pnl and fees, and `closeout`, `expiry` or `exercise` for a trade the venue closed.
 */
export const TRADES_CSV_ACCOUNT_COLUMNS = ['currency', 'reason'] as const;
/** Column names of fills.csv. Price, quantity and fee are the exact decimal strings of the fill. */
export const FILLS_CSV_HEADER = ['ts', 'time', 'clientOrderId', 'tradeId', 'instrumentId', 'side', 'price', 'quantity', 'fee', 'feeCurrency', 'liquidity'] as const;
/** Column names of equity.csv. `drawdown` is the fall from the running peak as a positive fraction. */
export const EQUITY_CSV_HEADER = ['ts', 'time', 'equity', 'exposure', 'drawdown'] as const;

/**
 * Writes the report files into `dir` (created if missing; existing files of the same names are replaced):
 * - `trades.csv`: every round trip;
 * - `fills.csv`: every fill, with exact decimal strings;
 * - `equity.csv`: the equity curve, downsampled to at most `maxEquityRows` (100,000) rows by cutting it
 *   into buckets of consecutive points and keeping the **last point of each bucket** (so the final
 *   equity is always the last row); `drawdown` is computed on the full curve, not on the kept rows;
 * - `report.html`: the self-contained HTML report (see {@link renderReportHtml}).
 *
 * @returns the paths written, in that order.
 * @throws AutotraderError `CONFIG_INVALID` when `dir` cannot be created or written.
 */
export function writeReport(dir: string, result: RunResult, summary: Summary, options: WriteReportOptions = {}): { files: string[] } {
  checkCurve(result.equity);
  const files = {
    trades: join(dir, 'trades.csv'),
    fills: join(dir, 'fills.csv'),
    equity: join(dir, 'equity.csv'),
    html: join(dir, 'report.html'),
  };
  // Created one level at a time and checked for writing (a recursive mkdir never returns on /proc/…).
  prepareOutputDir(dir, 'report folder');
  try {
    // As in the HTML report: the pnl currency and the venue's reason only where a run can have them.
    const extra = result.account !== undefined || result.trades.some((t) => t.reason !== undefined);
    writeCsv(files.trades, extra ? [...TRADES_CSV_HEADER, ...TRADES_CSV_ACCOUNT_COLUMNS] : TRADES_CSV_HEADER, (row) => {
      for (const t of result.trades) {
        const fields = [t.instrumentId, t.side, t.quantity, t.entryTs, formatTime(t.entryTs), t.entryPrice, t.exitTs, formatTime(t.exitTs), t.exitPrice, t.pnl, t.fees, t.returnPct];
        row(extra ? [...fields, t.currency ?? result.currency, t.reason ?? ''] : fields);
      }
    });
    writeCsv(files.fills, FILLS_CSV_HEADER, (row) => {
      for (const f of result.fills) {
        row([f.ts, formatTime(f.ts), f.clientOrderId, f.tradeId, f.instrumentId, f.side, f.price, f.quantity, f.fee, f.feeCurrency, f.liquidity]);
      }
    });
    writeEquityCsv(files.equity, result, options.maxEquityRows ?? 100_000);
    writeFileSync(files.html, renderReportHtml(result, summary, options));
  } catch (error) {
    if (error instanceof AutotraderError) throw error;
    const e = error as NodeJS.ErrnoException;
    throw new AutotraderError('CONFIG_INVALID', `Cannot write the report to ${dir}: ${e.message}. Choose a writable output directory.`, {
      cause: error,
      details: { dir, code: e.code },
    });
  }
  return { files: [files.trades, files.fills, files.equity, files.html] };
}

function writeEquityCsv(path: string, result: RunResult, maxRows: number): void {
  const { ts, equity, exposure, length } = result.equity;
  const keep = lastPerBucket(length, maxRows);
  writeCsv(path, EQUITY_CSV_HEADER, (row) => {
    let peak = result.startingCash > 0 ? result.startingCash : -Infinity;
    let k = 0;
    for (let i = 0; i < length && k < keep.length; i++) {
      const e = equity[i];
      if (e > peak) peak = e;
      if (i !== keep[k]) continue;
      k++;
      row([ts[i], formatTime(ts[i]), e, exposure[i], peak > 0 && e < peak ? (peak - e) / peak : 0]);
    }
  });
}
