import { toJsonSafe } from './json-safe';
import type { AccountFigures, Summary, SummaryMeta } from './types';

/** What a missing (null or non-finite) value prints as. */
export const NOT_AVAILABLE = 'n/a';

/** Groups the integer part of a fixed-point string in thousands: `1234567.50` → `1,234,567.50`. */
function groupThousands(fixed: string): string {
  const negative = fixed.startsWith('-');
  const body = negative ? fixed.slice(1) : fixed;
  const dot = body.indexOf('.');
  const int = dot === -1 ? body : body.slice(0, dot);
  const frac = dot === -1 ? '' : body.slice(dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative ? '-' : '') + grouped + frac;
}

/** `x` with `digits` decimals, thousands grouped, and no `-0.00`. */
export function formatFixed(x: number | null, digits = 2): string {
  if (x === null || !Number.isFinite(x)) return NOT_AVAILABLE;
  const s = x.toFixed(digits);
  // A tiny negative rounds to "-0.00"; print it as zero.
  return groupThousands(/^-0\.?0*$/.test(s) ? s.slice(1) : s);
}

/** A money amount with 2 decimals and the currency: `10,523.45 USDT`. */
export function formatMoney(x: number | null, currency = ''): string {
  const s = formatFixed(x, 2);
  return s === NOT_AVAILABLE || currency === '' ? s : `${s} ${currency}`;
}

/** A fraction as a percentage with 2 decimals: 0.12345 → `12.35%`. */
export function formatPercent(x: number | null): string {
  const s = x === null ? NOT_AVAILABLE : formatFixed(x * 100, 2);
  return s === NOT_AVAILABLE ? s : `${s}%`;
}

/** Epoch milliseconds as an ISO 8601 UTC timestamp. */
export function formatTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : NOT_AVAILABLE;
}

/** A duration in ms as days, hours, minutes and seconds: `12d 3h 4m`, `45s`, `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NOT_AVAILABLE;
  let s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d > 0) parts.push(`${d}d`);
  if (h > 0) parts.push(`${h}h`);
  if (m > 0) parts.push(`${m}m`);
  // Seconds only matter for short durations; beside days they are noise.
  if (d === 0 && (s > 0 || parts.length === 0)) parts.push(`${s}s`);
  return parts.join(' ');
}

/** An integer count with thousands grouped. */
export function formatCount(n: number): string {
  return formatFixed(n, 0);
}

/** Strategy parameters on one line: `fast=10, slow=30`; values JSON-encoded, strings bare. */
export function formatParams(params: Readonly<Record<string, unknown>> | undefined): string {
  if (params === undefined) return '';
  const safe = toJsonSafe(params);
  if (safe === null || typeof safe !== 'object' || Array.isArray(safe)) return '';
  return Object.entries(safe)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** The profit factor, or `inf` when there were wins and no losses. */
function formatProfitFactor(summary: Summary): string {
  if (summary.profitFactor !== null) return formatFixed(summary.profitFactor, 2);
  return summary.grossLoss === 0 && summary.grossProfit > 0 ? 'inf' : NOT_AVAILABLE;
}

/** One line of a summary table. Figures align right; free text (names, parameters) aligns left. */
export interface SummaryRow {
  label: string;
  value: string;
  kind: 'text' | 'figure';
}

/**
 * The labelled, formatted rows of a summary, in display order. Shared by the text table and the HTML
 * report so that both always say the same thing.
 */
export function summaryRows(summary: Summary, meta: SummaryMeta): SummaryRow[] {
  const money = (x: number | null): string => formatMoney(x, meta.currency);
  // Round trips and fees are in the instruments' quote currencies: one currency other than the run's is
  // named as it is; several cannot be summed without rates, so those figures are not given.
  const tc = meta.tradeCurrencies;
  const tradeMoney = (x: number | null): string =>
    tc === undefined || tc.length === 0 ? money(x) : tc.length === 1 ? formatMoney(x, tc[0]) : `${NOT_AVAILABLE} (in ${tc.join(', ')})`;
  const text: Array<[string, string]> = [['Strategy', meta.strategy]];
  if (meta.instruments !== undefined && meta.instruments.length > 0) text.push(['Instruments', meta.instruments.join(', ')]);
  const params = formatParams(meta.params);
  if (params !== '') text.push(['Parameters', params]);
  const figures: Array<[string, string]> = [];
  figures.push(
    ['Start', formatTime(summary.start)],
    ['End', formatTime(summary.end)],
    ['Events', formatCount(summary.bars)],
    ['Starting cash', money(summary.startingCash)],
    ['Final equity', money(summary.finalEquity)],
    ['Total return', formatPercent(summary.totalReturn)],
    ['Annualized return (CAGR)', formatPercent(summary.annualizedReturn)],
    ['Annualized volatility', formatPercent(summary.annualizedVolatility)],
    ['Sharpe ratio', formatFixed(summary.sharpe, 2)],
    ['Sortino ratio', formatFixed(summary.sortino, 2)],
    ['Max drawdown', formatPercent(summary.maxDrawdown)],
    ['Max drawdown duration', formatDuration(summary.maxDrawdownDuration)],
    ['Exposure', formatPercent(summary.exposure)],
    ['Fees', tradeMoney(summary.fees)],
    ['Trades', formatCount(summary.trades)],
    ['Win rate', formatPercent(summary.winRate)],
    ['Profit factor', formatProfitFactor(summary)],
    ['Average trade', tradeMoney(summary.averageTrade)],
    ['Best trade', tradeMoney(summary.bestTrade)],
    ['Worst trade', tradeMoney(summary.worstTrade)],
  );
  return [
    ...text.map(([label, value]): SummaryRow => ({ label, value, kind: 'text' })),
    ...figures.map(([label, value]): SummaryRow => ({ label, value, kind: 'figure' })),
  ];
}

/**
 * The currencies a run's round trips are in (their pnl and fees: each instrument's quote currency),
 * or undefined when they are all in the run's own currency (every run in one currency): the summary
 * then labels its trade figures as it always did.
 */
export function tradeCurrenciesOf(run: { readonly currency: string; readonly trades: ReadonlyArray<{ readonly currency?: string }> }): string[] | undefined {
  const seen = new Set<string>();
  for (const t of run.trades) seen.add(t.currency ?? run.currency);
  return seen.size === 0 || (seen.size === 1 && seen.has(run.currency)) ? undefined : [...seen].sort();
}

/**
 * The account figures of a margin or multi-currency run as labelled summary rows, shared by the text
 * summary and the HTML report so that both say the same thing: the account, NAV, margin used at its
 * peak and at the end, closeouts, and the gross notional held per quote currency (each in its own
 * currency, in code order, so the same run always prints the same lines).
 */
export function accountRows(account: AccountFigures): SummaryRow[] {
  const money = (x: number): string => formatMoney(x, account.baseCurrency);
  const rows: SummaryRow[] = [
    { label: 'Account', value: `${account.type}, base currency ${account.baseCurrency}`, kind: 'text' },
    { label: 'NAV', value: money(account.nav), kind: 'figure' },
    { label: 'Margin used (peak)', value: money(account.marginUsedPeak), kind: 'figure' },
    { label: 'Margin used (end)', value: money(account.marginUsedEnd), kind: 'figure' },
    { label: 'Closeouts', value: formatCount(account.closeouts), kind: 'figure' },
  ];
  const currencies = Object.keys(account.exposureByCurrency).sort();
  if (currencies.length === 0) rows.push({ label: 'Exposure per currency', value: 'none', kind: 'figure' });
  for (const ccy of currencies) rows.push({ label: `Exposure in ${ccy}`, value: `${formatFixed(account.exposureByCurrency[ccy]!, 2)} ${ccy}`, kind: 'figure' });
  const peak = account.exposurePeakByCurrency ?? {};
  for (const ccy of Object.keys(peak).sort()) rows.push({ label: `Peak exposure in ${ccy}`, value: `${formatFixed(peak[ccy]!, 2)} ${ccy}`, kind: 'figure' });
  return rows;
}

/**
 * The summary as an aligned two-column text table for a terminal: labels left-aligned, values
 * right-aligned, percentages and money with 2 decimals, times as ISO 8601 UTC, missing values `n/a`.
 * Ends with a newline.
 */
export function formatSummary(summary: Summary, meta: SummaryMeta): string {
  // A margin or multi-currency run adds its account figures to the same table (a default run has none).
  const all = meta.account === undefined ? summaryRows(summary, meta) : [...summaryRows(summary, meta), ...accountRows(meta.account)];
  // One line per row: a control character inside a value (say, in a strategy name) would break the table.
  // eslint-disable-next-line no-control-regex
  const rows = all.map((r) => ({ ...r, value: r.value.replace(/[\u0000-\u001f\u007f]+/g, ' ') }));
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  // Figures share one right-aligned column; long free text must not push that column to the right.
  const figureWidth = Math.max(...rows.map((r) => (r.kind === 'figure' ? r.value.length : 0)));
  const rule = '-'.repeat(labelWidth + 2 + figureWidth);
  const lines = rows.map((r) => `${r.label.padEnd(labelWidth)}  ${r.kind === 'figure' ? r.value.padStart(figureWidth) : r.value}`);
  return [rule, ...lines, rule].join('\n') + '\n';
}
