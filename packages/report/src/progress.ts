import { formatCount, formatDuration } from './format';

/** A terminal progress bar; see {@link createProgressBar}. */
export interface ProgressBar {
  /** Reports that `done` of the total units are complete. Cheap enough to call on every event. */
  update(done: number): void;
  /** Draws the final state and ends the line. Later calls do nothing. */
  finish(): void;
}

/** Options of {@link createProgressBar}, mostly for tests. */
export interface ProgressBarOptions {
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** Least time between two redraws, ms (default 100: at most ~10 redraws a second). */
  minIntervalMs?: number;
}

/** The checking stride never grows beyond this, so a stalled caller still sees a redraw soon. */
const MAX_STRIDE = 1 << 16;

/**
 * A one-line progress bar (`[#####-----]  45.2%  452,000/1,000,000  1.2M/s  ETA 12s`) for long runs.
 *
 * It draws only when `stream.isTTY` is true; otherwise (a pipe, a file, CI logs) both methods do
 * nothing, so output stays clean. It redraws at most every `minIntervalMs` (~10 times a second). To keep
 * `update` cheap on hot paths it does not read the clock on every call: it checks the time every
 * `stride` calls and adapts the stride (doubling it while checks come faster than ~1/10 of the interval,
 * halving it when they come slower than the interval), so it works for callers that update a million
 * times a second and for ones that update once a second alike.
 */
export function createProgressBar(total: number, stream: NodeJS.WriteStream, options: ProgressBarOptions = {}): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, finish() {} };
  const now = options.now ?? (() => performance.now());
  const minInterval = options.minIntervalMs ?? 100;
  const started = now();
  let lastCheck = started;
  let lastDraw = -Infinity;
  let stride = 1;
  let countdown = 1;
  let done = 0;
  let finished = false;

  const draw = (t: number): void => {
    lastDraw = t;
    stream.write('\r' + renderLine(done, total, t - started, stream.columns ?? 80) + '\x1b[K');
  };

  return {
    update(value: number): void {
      done = value;
      if (--countdown > 0 || finished) return;
      const t = now();
      const sinceCheck = t - lastCheck;
      lastCheck = t;
      if (sinceCheck < minInterval / 10 && stride < MAX_STRIDE) stride *= 2;
      else if (sinceCheck > minInterval && stride > 1) stride = Math.max(1, stride >> 1);
      countdown = stride;
      if (t - lastDraw >= minInterval) draw(t);
    },
    finish(): void {
      if (finished) return;
      finished = true;
      draw(now());
      stream.write('\n');
    },
  };
}

/** The text of the bar for `done` of `total` after `elapsedMs`, fitted to `columns`. */
export function renderLine(done: number, total: number, elapsedMs: number, columns: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const parts = [total > 0 ? `${(fraction * 100).toFixed(1).padStart(5)}%` : '', total > 0 ? `${formatCount(done)}/${formatCount(total)}` : formatCount(done)];
  if (rate > 0) parts.push(`${compact(rate)}/s`);
  if (rate > 0 && total > 0 && done < total) parts.push(`ETA ${formatDuration(((total - done) / rate) * 1000)}`);
  const text = parts.filter((p) => p !== '').join('  ');
  // The bar takes whatever width is left, between 10 and 40 cells; it goes away on a very narrow terminal.
  const barWidth = Math.min(40, columns - 1 - text.length - 4);
  if (total <= 0 || barWidth < 10) return text.slice(0, Math.max(0, columns - 1));
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]  ${text}`;
}

/** 1234 → `1.2k`, 3400000 → `3.4M`. */
function compact(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(1)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}
