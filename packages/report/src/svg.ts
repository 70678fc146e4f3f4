import type { Series } from './downsample';
import { escapeHtml } from './escape';

/** A buy or sell mark on a chart. */
export interface ChartMarker {
  ts: number;
  value: number;
  side: 'buy' | 'sell';
  /** Tooltip text (escaped on output). */
  label: string;
  /** How many buys or sells this marker stands for (default 1). */
  count?: number;
}

/** What {@link renderChart} draws. */
export interface ChartSpec {
  /** Element id of the data path, e.g. `equity-path`. */
  id: string;
  /** Accessible title of the chart. */
  title: string;
  series: Series;
  /** Formats a y-axis tick value. */
  formatY: (v: number) => string;
  /** Fill the area between the line and zero (for drawdowns). */
  area?: boolean;
  /** Force the y range to include this value (0 for a drawdown chart). */
  includeY?: number;
  markers?: readonly ChartMarker[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 90, right: 16, top: 14, bottom: 28 };

/** Fixed-point coordinate with one decimal, enough for a chart and much shorter than full precision. */
const c = (x: number): string => (Math.round(x * 10) / 10).toString();

/**
 * An inline SVG line chart (no external references, no script): time on x, value on y, grid lines with
 * tick labels, an optional shaded area to zero, and optional buy/sell triangles with tooltips. Markers
 * that fall on the same pixel column and side are merged into one, with a count in the tooltip, so the
 * output stays small with any number of fills. Non-finite points are skipped.
 */
export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 960;
  const height = spec.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const { ts, values, length } = spec.series;
  const open = `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(spec.title)}"><title>${escapeHtml(spec.title)}</title>`;

  let t0 = Infinity;
  let t1 = -Infinity;
  let lo = spec.includeY ?? Infinity;
  let hi = spec.includeY ?? -Infinity;
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(values[i]) || !Number.isFinite(ts[i])) continue;
    t0 = Math.min(t0, ts[i]);
    t1 = Math.max(t1, ts[i]);
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (!(t1 >= t0)) {
    return `${open}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="empty">no data</text></svg>`;
  }
  if (hi === lo) {
    // A flat line: give it a band so that it sits mid-chart rather than dividing by zero.
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  } else if (spec.includeY === undefined) {
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const x = (t: number): number => MARGIN.left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * plotW : plotW / 2);
  const y = (v: number): number => MARGIN.top + ((hi - v) / (hi - lo)) * plotH;

  const parts: string[] = [open];
  parts.push('<g class="grid">');
  for (const v of niceTicks(lo, hi, 5)) {
    const yy = c(y(v));
    parts.push(`<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(spec.formatY(v))}</text>`);
  }
  const xTicks = t1 > t0 ? 6 : 1;
  const withTime = t1 - t0 < 3 * 86_400_000;
  for (let k = 0; k < xTicks; k++) {
    const t = xTicks === 1 ? t0 : t0 + ((t1 - t0) * k) / (xTicks - 1);
    const xx = c(x(t));
    const iso = new Date(t).toISOString();
    const label = withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
    const anchor = k === 0 && xTicks > 1 ? 'start' : k === xTicks - 1 && xTicks > 1 ? 'end' : 'middle';
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}"/>`);
    parts.push(`<text x="${xx}" y="${height - MARGIN.bottom + 16}" text-anchor="${anchor}">${escapeHtml(label)}</text>`);
  }
  parts.push('</g>');

  let d = '';
  let firstX = NaN;
  let lastX = NaN;
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(values[i]) || !Number.isFinite(ts[i])) continue;
    const xx = x(ts[i]);
    if (Number.isNaN(firstX)) firstX = xx;
    lastX = xx;
    d += `${d === '' ? 'M' : 'L'}${c(xx)},${c(y(values[i]))}`;
  }
  if (spec.area === true) {
    const base = c(y(spec.includeY ?? 0));
    parts.push(`<path class="area" d="M${c(firstX)},${base}L${d.slice(1)}L${c(lastX)},${base}Z"/>`);
  }
  parts.push(`<path id="${escapeHtml(spec.id)}" class="line" d="${d}"/>`);

  if (spec.markers !== undefined && spec.markers.length > 0) parts.push(renderMarkers(spec.markers, x, y));
  parts.push('</svg>');
  return parts.join('');
}

function renderMarkers(markers: readonly ChartMarker[], x: (t: number) => number, y: (v: number) => number): string {
  // One triangle per pixel column and side; thousands of fills would otherwise bloat the file.
  const merged = new Map<number, { m: ChartMarker; n: number }>();
  for (const m of markers) {
    if (!Number.isFinite(m.ts) || !Number.isFinite(m.value)) continue;
    const key = Math.round(x(m.ts)) * 2 + (m.side === 'buy' ? 0 : 1);
    const hit = merged.get(key);
    if (hit === undefined) merged.set(key, { m, n: m.count ?? 1 });
    else hit.n += m.count ?? 1;
  }
  // Dense trading would bury the line under full-size triangles: shrink them when there are many.
  const r = merged.size > 150 ? 2.5 : 5;
  const parts: string[] = ['<g class="markers">'];
  for (const { m, n } of merged.values()) {
    const xx = x(m.ts);
    const yy = y(m.value);
    // Buys point up from below the line, sells point down from above it.
    const shape = m.side === 'buy'
      ? `M${c(xx)},${c(yy + 1)}l${-r},${c(1.8 * r)}h${2 * r}z`
      : `M${c(xx)},${c(yy - 1)}l${-r},${c(-1.8 * r)}h${2 * r}z`;
    const label = n === 1 ? m.label : `${n} ${m.side}s here; first: ${m.label}`;
    parts.push(`<path class="marker ${m.side}" d="${shape}"><title>${escapeHtml(label)}</title></path>`);
  }
  parts.push('</g>');
  return parts.join('');
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    // Snap float drift (0.30000000000000004) so labels print cleanly.
    ticks.push(Number((Math.round(v / step) * step).toPrecision(12)));
  }
  return ticks;
}
