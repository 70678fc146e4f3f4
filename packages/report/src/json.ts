import { toJsonSafe } from './json-safe';
import type { AccountFigures, FillRecord, RoundTripTrade, RunResult, Summary } from './types';

/** A {@link RoundTripTrade} in JSON: a number that was NaN or infinite becomes null. */
export type JsonRoundTripTrade = { [K in keyof RoundTripTrade]: RoundTripTrade[K] extends number ? number | null : RoundTripTrade[K] };

/** {@link AccountFigures} in JSON: a number that was NaN or infinite becomes null. */
export interface JsonAccountFigures {
  type: AccountFigures['type'];
  baseCurrency: string;
  nav: number | null;
  marginUsedPeak: number | null;
  marginUsedEnd: number | null;
  closeouts: number | null;
  exposureByCurrency: Record<string, number | null>;
  exposurePeakByCurrency?: Record<string, number | null>;
}

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
  /** Margin or multi-currency runs only (absent otherwise, so a default run's JSON is as it was). */
  account?: JsonAccountFigures;
}

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The summary, trades and fills as one plain object that `JSON.stringify` writes faithfully: no NaN or
 * Infinity anywhere (they become null), no class instances, no shared references with `result`.
 * Fill prices, quantities and fees stay decimal strings, so they are exact.
 */
export function summaryToJson(summary: Summary, result: RunResult): ReportJson {
  const params = toJsonSafe(result.params);
  // Each trade says its pnl currency in a margin or multi-currency run (it may not be the run's currency),
  // and the reason when the venue closed it; a default run's trades keep exactly their old fields.
  const withCurrency = result.account !== undefined;
  const json: ReportJson = {
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
      ...(withCurrency ? { currency: t.currency ?? result.currency } : {}),
      ...(t.reason !== undefined ? { reason: t.reason } : {}),
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
  if (result.account !== undefined) json.account = accountToJson(result.account);
  return json;
}

/** The account figures as plain JSON: non-finite numbers as null, currencies in code order. */
function accountToJson(a: AccountFigures): JsonAccountFigures {
  const exposure: Record<string, number | null> = {};
  for (const ccy of Object.keys(a.exposureByCurrency).sort()) exposure[ccy] = num(a.exposureByCurrency[ccy]!);
  const peak: Record<string, number | null> = {};
  for (const ccy of Object.keys(a.exposurePeakByCurrency ?? {}).sort()) peak[ccy] = num(a.exposurePeakByCurrency![ccy]!);
  return {
    type: a.type,
    baseCurrency: a.baseCurrency,
    nav: num(a.nav),
    marginUsedPeak: num(a.marginUsedPeak),
    marginUsedEnd: num(a.marginUsedEnd),
    closeouts: num(a.closeouts),
    exposureByCurrency: exposure,
    ...(a.exposurePeakByCurrency === undefined ? {} : { exposurePeakByCurrency: peak }),
  };
}

/** A copy of the summary with any non-finite number as null (`computeMetrics` makes none; a hand-built summary might). */
function sanitizeSummary(summary: Summary): JsonSummary {
  const out: Record<string, unknown> = { ...summary };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'number' && !Number.isFinite(v)) out[k] = null;
  return out as JsonSummary;
}
