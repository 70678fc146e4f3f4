/** Where a progress bar is drawn: a terminal stream (process.stderr), or anything shaped like one. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

/** A progress bar: `update` as work is done, `end` to clear it. */
export interface ProgressBar {
  update(done: number, total: number): void;
  end(): void;
}

const NONE: ProgressBar = { update() {}, end() {} };

const mib = (n: number): string => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${Math.ceil(n / 1024)} KiB`);

/**
 * A one-line progress bar on `stream`, redrawn at most every `everyMs` and cleared at the end; nothing
 * at all when the stream is not a terminal, so piped or captured output never holds control characters.
 */
export function progressBar(stream: ProgressStream, label: string, options: { everyMs?: number; now?: () => number } = {}): ProgressBar {
  if (stream.isTTY !== true) return NONE;
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 100;
  const started = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - last < everyMs && done < total) return;
      last = t;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
      const filled = Math.round(fraction * width);
      const seconds = Math.round((t - started) / 1000);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mib(done)} of ${mib(total)}, ${seconds} s\x1b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
