import { toJsonSafe } from './json-safe';
import type { FillRecord, RoundTripTrade, RunResult, Summary } from './types';

/** A {@link RoundTripTrade} in JSON: a number that was NaN or infinite becomes null. */
export type JsonRoundTripTrade = { [K in keyof RoundTripTrade]: RoundTripTrade[K] extends number ? number | null : RoundTripTrade[K] };

/** A {@link FillRecord} in JSON: `ts` becomes null if it was not finite. */
export type JsonFillRecord = Omit<FillRecord, 'ts'> & { ts: number | null };

/** A {@link Summary} in JSON: any number may be null (a value that was not finite). */
export type JsonSummary = { [K in keyof Summary]: Summary[K] extends number ? number | null : Summary[K] };

/** The machine-readable report: what the run was, its metrics, its round trips and its fills. */
export interface ReportJson {
  /** The run's identity: strategy, parameters (made JSON-safe), instruments, currency and starting cash. */
  run: { strategy: string; params: Record<string, unknown>; instruments: string[]; currency: string; startingCash: number | null };
  summary: JsonSummary;
  trades: JsonRoundTripTrade[];
  fills: JsonFillRecord[];
}

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The summary, trades and fills as one plain object that `JSON.stringify` writes faithfully: no NaN or
 * Infinity anywhere (they become null), no class instances, no shared references with `result`.
 * Fill prices, quantities and fees stay decimal strings, so they are exact.
 */
export function summaryToJson(summary: Summary, result: RunResult): ReportJson {
  const params = toJsonSafe(result.params);
  return {
    run: {
      strategy: result.strategy,
      params: params !== null && typeof params === 'object' && !Array.isArray(params) ? params : {},
      instruments: [...result.instruments],
      currency: result.currency,
      startingCash: num(result.startingCash),
    },
    summary: sanitizeSummary(summary),
    trades: result.trades.map((t) => ({
      instrumentId: t.instrumentId,
      side: t.side,
      quantity: num(t.quantity),
      entryTs: num(t.entryTs),
      entryPrice: num(t.entryPrice),
      exitTs: num(t.exitTs),
      exitPrice: num(t.exitPrice),
      pnl: num(t.pnl),
      fees: num(t.fees),
      returnPct: num(t.returnPct),
    })),
    fills: result.fills.map((f) => ({
      ts: num(f.ts),
      clientOrderId: f.clientOrderId,
      tradeId: f.tradeId,
      instrumentId: f.instrumentId,
      side: f.side,
      price: f.price,
      quantity: f.quantity,
      fee: f.fee,
      feeCurrency: f.feeCurrency,
      liquidity: f.liquidity,
    })),
  };
}

/** A copy of the summary with any non-finite number as null (`computeMetrics` makes none; a hand-built summary might). */
function sanitizeSummary(summary: Summary): JsonSummary {
  const out: Record<string, unknown> = { ...summary };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'number' && !Number.isFinite(v)) out[k] = null;
  return out as JsonSummary;
}
