import { MinMaxDownsampler } from './downsample';
import { escapeHtml } from './escape';
import { accountRows, formatCount, formatFixed, formatMoney, formatPercent, formatTime, NOT_AVAILABLE, summaryRows, tradeCurrenciesOf, type SummaryRow } from './format';
import { checkCurve } from './metrics';
import { renderChart, type ChartMarker } from './svg';
import type { EquityCurve, RunResult, Summary } from './types';

/** Options of {@link renderReportHtml}. */
export interface HtmlReportOptions {
  /** About how many points each chart draws (min and max per time bucket). Default 2,000. */
  chartPoints?: number;
  /** The trade table lists at most this many round trips (the first ones); trades.csv has them all. Default 5,000. */
  maxTradeRows?: number;
}

const STYLE = `
:root{color-scheme:light;--fg:#1d2330;--muted:#667085;--line:#2f6fde;--buy:#12a150;--sell:#d92d20;--dd:#d92d20;--grid:#e4e7ec}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:var(--muted);margin:0 0 16px}
table{border-collapse:collapse}
.summary td{padding:3px 14px 3px 0;border-bottom:1px solid var(--grid)}
.summary td.figure{text-align:right;font-variant-numeric:tabular-nums}
.summary td.text{word-break:break-word}
.trades{width:100%;font-size:13px}
.trades th,.trades td{padding:3px 8px;border-bottom:1px solid var(--grid);text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.trades th{position:sticky;top:0;background:#fff}
.trades td.l,.trades th.l{text-align:left}
.pos{color:var(--buy)}.neg{color:var(--sell)}
.chart{display:block;max-width:100%;height:auto}
.chart .grid line{stroke:var(--grid);stroke-width:1}
.chart .grid text{fill:var(--muted);font-size:11px}
.chart .line{fill:none;stroke:var(--line);stroke-width:1.2;stroke-linejoin:round}
#drawdown-path{stroke:var(--dd)}
.chart .area{fill:var(--dd);fill-opacity:.18;stroke:none}
.chart .marker{fill-opacity:.8}.chart .marker.buy{fill:var(--buy)}.chart .marker.sell{fill:var(--sell)}
.chart .empty{fill:var(--muted)}
.note{color:var(--muted);font-size:13px}
`;

/**
 * The report as ONE self-contained HTML page that opens offline: inline CSS, inline SVG, no script, no
 * external fonts, images or links (a Content-Security-Policy forbids loading anything as a second line
 * of defence). It holds the summary table, the equity curve with buy/sell markers, the drawdown chart
 * and the trade list (with a reason for trades the venue closed), and for a margin or multi-currency
 * run an account section (NAV, margin used, closeouts, exposure per currency). Charts are reduced to
 * about `chartPoints` points with min/max per time bucket, so a curve of millions of points keeps its
 * shape in a small file. Every inserted string is escaped.
 */
export function renderReportHtml(result: RunResult, summary: Summary, options: HtmlReportOptions = {}): string {
  const chartPoints = options.chartPoints ?? 2000;
  const maxTradeRows = options.maxTradeRows ?? 5000;
  checkCurve(result.equity);
  const { equitySeries, drawdownSeries } = chartSeries(result.equity, result.startingCash, chartPoints);
  const markers = tradeMarkers(result);

  const rowsHtml = (rows: readonly SummaryRow[]): string => rows.map((r) => `<tr><td>${escapeHtml(r.label)}</td><td class="${r.kind}">${escapeHtml(r.value)}</td></tr>`).join('\n');
  const summaryTable = rowsHtml(summaryRows(summary, { ...result, tradeCurrencies: tradeCurrenciesOf(result) }));
  // Margin and multi-currency runs only: a default run's report has no account section.
  const accountSection = result.account === undefined ? '' : `<h2>Account</h2>\n<table class="summary account">\n${rowsHtml(accountRows(result.account))}\n</table>\n`;
  // The reason column appears when the venue closed a trade (closeout, expiry, exercise) or the run has an
  // account section; a trade's pnl then also says its currency, which may not be the base currency.
  const extraColumns = result.account !== undefined || result.trades.some((t) => t.reason !== undefined);

  const equityChart = renderChart({
    id: 'equity-path',
    title: `Equity (${result.currency}) with buys and sells`,
    series: equitySeries,
    formatY: (v) => formatFixed(v, Math.abs(v) >= 100 ? 0 : 2),
    markers,
  });
  const drawdownChart = renderChart({
    id: 'drawdown-path',
    title: 'Drawdown from the running equity peak',
    series: drawdownSeries,
    formatY: (v) => formatPercent(v),
    area: true,
    includeY: 0,
  });

  const shown = Math.min(result.trades.length, Math.max(0, maxTradeRows));
  const tradeRows: string[] = [];
  for (let i = 0; i < shown; i++) {
    const t = result.trades[i];
    const cls = t.pnl > 0 ? 'pos' : t.pnl < 0 ? 'neg' : '';
    tradeRows.push(
      `<tr><td>${i + 1}</td><td class="l">${escapeHtml(t.instrumentId)}</td><td class="l">${escapeHtml(t.side)}</td>` +
        `<td>${escapeHtml(formatNumber(t.quantity))}</td><td class="l">${escapeHtml(formatTime(t.entryTs))}</td><td>${escapeHtml(formatNumber(t.entryPrice))}</td>` +
        `<td class="l">${escapeHtml(formatTime(t.exitTs))}</td><td>${escapeHtml(formatNumber(t.exitPrice))}</td>` +
        `<td class="${cls}">${escapeHtml(formatMoney(t.pnl, extraColumns ? (t.currency ?? result.currency) : ''))}</td><td>${escapeHtml(formatMoney(t.fees))}</td><td class="${cls}">${escapeHtml(formatPercent(t.returnPct))}</td>` +
        (extraColumns ? `<td class="l">${escapeHtml(t.reason ?? '')}</td></tr>` : '</tr>'),
    );
  }
  const tradeNote = result.trades.length === 0
    ? '<p class="note">No round-trip trades.</p>'
    : shown < result.trades.length
      ? `<p class="note">Showing the first ${formatCount(shown)} of ${formatCount(result.trades.length)} trades; trades.csv lists them all.</p>`
      : '';

  const title = `autotrader report: ${result.strategy}`;
  const sub = `${result.instruments.join(', ')} · ${formatTime(result.start)} → ${formatTime(result.end)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(sub)}</p>
<h2>Summary</h2>
<table class="summary">
${summaryTable}
</table>
${accountSection}<h2>Equity</h2>
${equityChart}
<p class="note">▲ buy ▼ sell. Chart drawn from ${formatCount(equitySeries.length)} of ${formatCount(result.equity.length)} points (minimum and maximum per time bucket).</p>
<h2>Drawdown</h2>
${drawdownChart}
<h2>Trades</h2>
${tradeNote}
<table class="trades">
<thead><tr><th>#</th><th class="l">Instrument</th><th class="l">Side</th><th>Quantity</th><th class="l">Entry time</th><th>Entry price</th><th class="l">Exit time</th><th>Exit price</th><th>PnL</th><th>Fees</th><th>Return</th>${extraColumns ? '<th class="l">Reason</th>' : ''}</tr></thead>
<tbody>
${tradeRows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

/** A price or quantity for display: up to 12 significant digits, float noise trimmed. */
function formatNumber(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(12)).toString() : NOT_AVAILABLE;
}

/**
 * The equity and drawdown series, each downsampled, in one pass. Drawdown is −(peak − equity) / peak
 * with the starting cash as the first peak, as in `computeMetrics`.
 */
function chartSeries(curve: EquityCurve, startingCash: number, chartPoints: number) {
  const n = curve.length;
  const t0 = n > 0 ? curve.ts[0] : 0;
  const t1 = n > 0 ? curve.ts[n - 1] : 0;
  const eq = new MinMaxDownsampler(t0, t1, n, chartPoints);
  const dd = new MinMaxDownsampler(t0, t1, n, chartPoints);
  let peak = startingCash > 0 ? startingCash : -Infinity;
  for (let i = 0; i < n; i++) {
    const t = curve.ts[i];
    const e = curve.equity[i];
    if (e > peak) peak = e;
    eq.push(t, e);
    dd.push(t, peak > 0 && e < peak ? (e - peak) / peak : 0);
  }
  return { equitySeries: eq.finish(), drawdownSeries: dd.finish() };
}

/** Index of the last point at or before `t` (0 when `t` is before the first point). */
function indexAtOrBefore(ts: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ts[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Time buckets for pre-merging markers: finer than the chart's pixel columns, so merging is invisible. */
const MARKER_BUCKETS = 4000;

/**
 * Buy and sell markers placed on the equity curve at the fill times. Without fill records they come
 * from the round trips' entries and exits (a long enters with a buy, a short with a sell). Markers in
 * the same narrow time bucket and side are merged as they are collected (the first one is kept, with a
 * count), so a million fills cost a pass, not a million objects.
 */
function tradeMarkers(result: RunResult): ChartMarker[] {
  const curve = result.equity;
  const n = curve.length;
  if (n === 0) return [];
  const t0 = curve.ts[0];
  const scale = curve.ts[n - 1] > t0 ? MARKER_BUCKETS / (curve.ts[n - 1] - t0) : 0;
  const merged = new Map<number, ChartMarker>();
  const add = (ts: number, side: 'buy' | 'sell', label: () => string): void => {
    if (!Number.isFinite(ts)) return;
    const key = Math.floor((ts - t0) * scale) * 2 + (side === 'buy' ? 0 : 1);
    const hit = merged.get(key);
    if (hit !== undefined) hit.count = (hit.count ?? 1) + 1;
    else merged.set(key, { ts, value: curve.equity[indexAtOrBefore(curve.ts, n, ts)], side, label: label(), count: 1 });
  };
  if (result.fills.length > 0) {
    for (const f of result.fills) add(f.ts, f.side, () => `${f.side} ${f.quantity} ${f.instrumentId} @ ${f.price}, ${formatTime(f.ts)}`);
  } else {
    for (const t of result.trades) {
      const entry = t.side === 'long' ? 'buy' : 'sell';
      const exit = t.side === 'long' ? 'sell' : 'buy';
      add(t.entryTs, entry, () => `${entry} ${formatNumber(t.quantity)} ${t.instrumentId} @ ${formatNumber(t.entryPrice)}, ${formatTime(t.entryTs)}`);
      add(t.exitTs, exit, () => `${exit} ${formatNumber(t.quantity)} ${t.instrumentId} @ ${formatNumber(t.exitPrice)}, ${formatTime(t.exitTs)}`);
    }
  }
  return [...merged.values()];
}
