import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import {
  AutotraderError,
  barProblem,
  createLogger,
  describeProblem,
  EventBus,
  instrumentToSpec,
  RealtimeClock,
  type Bar,
  type DataPort,
  type Instrument,
  type Logger,
  type VenuePlugin,
} from '@autotrader/core';
import { ArrowOutput, formatInterval, parseInterval, readSeries, type BarSeries, type SeriesMeta } from '@autotrader/data';
import { createProgressBar } from '@autotrader/report';
import { checkRange, parseParams, parseTime } from '../args';
import { readConfigFile } from '../config-file';
import { signalExitCode, watchStopSignals } from '../stop-signals';
import { loadVenuePlugin, parsePluginConfig } from '../venue-loader';

interface DownloadArgs {
  venue: string;
  symbol: string;
  interval: string;
  from: string;
  to?: string;
  out: string;
  venueOpt?: string[];
  config?: string;
  verbose?: boolean;
}

/** While downloading, what has arrived is written to `--out` this often, so an interrupted run loses little. */
const CHECKPOINT_MS = 10_000;

/** A time range `[from, to)` in epoch ms. */
interface Span {
  readonly from: number;
  readonly to: number;
}

/** SIGINT or SIGTERM. */
type StopSignal = Parameters<typeof signalExitCode>[0];

/** Bars received, column by column, in increasing open time. */
class BarColumnsBuilder {
  readonly tsOpen: number[] = [];
  readonly open: number[] = [];
  readonly high: number[] = [];
  readonly low: number[] = [];
  readonly close: number[] = [];
  readonly volume: number[] = [];

  get length(): number {
    return this.tsOpen.length;
  }

  push(b: Bar): void {
    this.tsOpen.push(b.tsOpen);
    this.open.push(b.open);
    this.high.push(b.high);
    this.low.push(b.low);
    this.close.push(b.close);
    this.volume.push(b.volume);
  }
}

type Column = 'tsOpen' | 'open' | 'high' | 'low' | 'close' | 'volume';
const COLUMNS: readonly Column[] = ['tsOpen', 'open', 'high', 'low', 'close', 'volume'];

/** The rows before the file's, the file's, then the rows after it, as one series. */
function mergedSeries(meta: SeriesMeta & { kind: 'bar' }, before: BarColumnsBuilder, existing: BarSeries | undefined, after: BarColumnsBuilder): BarSeries {
  const length = before.length + (existing?.length ?? 0) + after.length;
  const columns = {} as BarSeries['columns'];
  for (const c of COLUMNS) {
    const out = new Float64Array(length);
    out.set(before[c], 0);
    if (existing !== undefined) out.set(existing.columns[c], before.length);
    out.set(after[c], length - after.length);
    columns[c] = out;
  }
  return { meta, length, columns };
}

/** What is missing from a file that holds bars opening from `first` to `last`, for `[from, to)`. */
export function missingSpans(want: Span, have: { first: number; last: number } | undefined, intervalMs: number): { before?: Span; after?: Span } {
  if (have === undefined) return { after: want };
  const out: { before?: Span; after?: Span } = {};
  if (want.from < have.first) out.before = { from: want.from, to: Math.min(have.first, want.to) };
  const start = Math.max(have.last + intervalMs, want.from);
  if (start < want.to) out.after = { from: start, to: want.to };
  return out;
}

/** The file at `path`, if there is one, checked to hold bars of this instrument and interval. */
function existingBars(path: string, instrument: Instrument, intervalMs: number): BarSeries | undefined {
  if (!existsSync(path)) return undefined;
  const series = readSeries(path);
  const spec = series.meta.instrument;
  const sameInstrument = spec.symbol === instrument.symbol && spec.venue === instrument.venue;
  if (series.meta.kind !== 'bar' || series.meta.intervalMs !== intervalMs || !sameInstrument) {
    const held = `${series.meta.kind}s of ${spec.symbol}.${spec.venue ?? '?'}${series.meta.intervalMs === undefined ? '' : ` at ${formatInterval(series.meta.intervalMs)}`}`;
    throw new AutotraderError('CONFIG_INVALID', `${path} holds ${held}, not ${formatInterval(intervalMs)} bars of ${instrument.id}; a download only adds to a file of the same bars (choose another --out)`, {
      details: { path, kind: series.meta.kind, intervalMs: series.meta.intervalMs, symbol: spec.symbol },
    });
  }
  return series as BarSeries;
}

/** What a download did. */
export interface DownloadSummary {
  readonly out: string;
  /** Bars in the file now. */
  readonly rows: number;
  /** Bars added by this run. */
  readonly added: number;
  readonly first?: number;
  readonly last?: number;
  /** The signal that stopped the run before it had everything (Ctrl-C: SIGINT). */
  readonly interrupted?: StopSignal;
}

/**
 * Downloads a venue's bars into an Arrow file through the plugin's `DataPort.history`. Resumable: with an
 * existing `--out` it asks only for the bars before the file's first and after its last, so no row is
 * ever fetched or written twice. Every bar is checked by core's market-data rules and must open after
 * the one before; what arrived is written (atomically, beside the file then renamed) every
 * {@link CHECKPOINT_MS}, when the run ends, and when it fails or is stopped, so running the same command
 * again continues where it stopped. Bars that have not closed yet are left out.
 */
/**
 * The plugin options a download runs with. Past bars are market data and no order can be sent, so the
 * real venue's data is the default (a testnet's klines are its own thin trades); `--venue-opt
 * mainnet=false` keeps the testnet. A venue whose test environment serves the market's prices and needs
 * the key for them (OANDA practice: `historyFrom: 'default'`) keeps its default environment.
 */
export function historyOptions(plugin: VenuePlugin, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const real = { ...given, mainnet: true };
  const useReal = plugin.historyFrom !== 'default' && !('mainnet' in given) && plugin.configSchema.safeParse(real).success;
  return useReal ? real : { ...given };
}

export async function runDownload(args: DownloadArgs, logger: Logger = createLogger({ level: args.verbose ? 'debug' : 'info' })): Promise<DownloadSummary> {
  const plugin = await loadVenuePlugin(args.venue);
  const file = args.config === undefined ? undefined : readConfigFile(args.config);
  const given: Record<string, unknown> = { ...(file?.venue ?? {}), ...parseParams(args.venueOpt, '--venue-opt') };
  const config = parsePluginConfig(plugin, historyOptions(plugin, given), `--venue ${args.venue} config`);
  const intervalMs = parseInterval(args.interval);
  const from = parseTime(args.from, '--from');
  const to = args.to === undefined ? Date.now() : parseTime(args.to, '--to');
  checkRange(from, to);

  const clock = new RealtimeClock();
  const connection = await plugin.create(config, { bus: new EventBus('isolate'), clock, logger: logger.child(plugin.name), env: process.env });
  const stop = new AbortController();
  const signals = watchStopSignals(
    (signal) => stop.abort(new Error(`${signal}: download stopped`)),
    (signal) => process.exit(signalExitCode(signal)),
  );
  try {
    const history = historyOf(connection.data, plugin.name);
    const instrument = (await connection.instruments.load()).find((i) => i.symbol === args.symbol || i.id === args.symbol);
    if (instrument === undefined) {
      throw new AutotraderError('INSTRUMENT_UNKNOWN', `${plugin.name} does not list ${args.symbol}; give the venue's symbol, for example BTCUSDT`, { details: { symbol: args.symbol } });
    }
    const existing = existingBars(args.out, instrument, intervalMs);
    const meta: SeriesMeta & { kind: 'bar' } = existing?.meta ?? { kind: 'bar', instrument: instrumentToSpec(instrument), intervalMs, source: `${plugin.name} (pnpm data download)` };
    const have = existing === undefined || existing.length === 0 ? undefined : { first: existing.columns.tsOpen[0]!, last: existing.columns.tsOpen[existing.length - 1]! };
    const { before, after } = missingSpans({ from, to }, have, intervalMs);

    const added = { before: new BarColumnsBuilder(), after: new BarColumnsBuilder() };
    const addedCount = (): number => added.before.length + added.after.length;
    /** Writes the file with every bar so far; with nothing new, the file is left as it is. */
    const save = (): BarSeries => {
      const series = mergedSeries(meta, added.before, existing, added.after);
      if (addedCount() === 0 && existing !== undefined) return series;
      if (series.length === 0) {
        throw new AutotraderError('DATA_EMPTY', `${plugin.name} has no closed ${args.interval} bars of ${instrument.id} from ${iso(from)} to ${iso(to)}; nothing was written (check --from/--to)`, { details: { from, to } });
      }
      new ArrowOutput(args.out).write(series);
      return series;
    };
    const spans = [before && { span: before, into: added.before }, after && { span: after, into: added.after }].filter((s) => s !== undefined);
    const barsIn = (span: Span): number => Math.ceil((span.to - span.from) / intervalMs);
    const progress = createProgressBar(spans.reduce((n, s) => n + barsIn(s.span), 0), process.stderr);
    let lastSave = Date.now();
    let unsaved = 0;
    let doneBefore = 0;
    try {
      for (const { span, into } of spans) {
        let prev = -Infinity;
        for await (const page of history({ kind: 'bar', instrumentId: instrument.id, interval: args.interval, from: span.from, to: span.to, signal: stop.signal })) {
          for (const b of page) {
            checkBar(b, span, prev, instrument);
            prev = b.tsOpen;
            // The venue's bar still open (its end is in the future) is not history yet.
            if (b.tsEvent > clock.now()) continue;
            into.push(b);
            unsaved++;
          }
          progress.update(doneBefore + Math.ceil((prev - span.from + 1) / intervalMs));
          if (unsaved > 0 && Date.now() - lastSave >= CHECKPOINT_MS) {
            save();
            unsaved = 0;
            lastSave = Date.now();
          }
          if (stop.signal.aborted) break;
        }
        if (stop.signal.aborted) break;
        doneBefore += barsIn(span);
      }
    } catch (error) {
      progress.finish();
      if (stop.signal.aborted) return summary(save(), addedCount(), args.out, signals.received);
      if (addedCount() > 0) {
        save();
        process.stderr.write(`saved ${addedCount()} new bars to ${args.out} before the error; run the same command again to continue\n`);
      }
      throw error;
    }
    progress.finish();
    return summary(save(), addedCount(), args.out, signals.received);
  } finally {
    signals.dispose();
    await connection.close?.();
  }
}

function summary(series: BarSeries, added: number, out: string, interrupted: StopSignal | undefined): DownloadSummary {
  const ts = series.columns.tsOpen;
  return { out, rows: series.length, added, first: ts[0], last: ts[series.length - 1], interrupted };
}

/** The plugin's historical fetch, or CAPABILITY_MISSING. */
function historyOf(data: DataPort | undefined, venue: string): NonNullable<DataPort['history']> {
  if (data?.history === undefined) {
    throw new AutotraderError('CAPABILITY_MISSING', `venue ${venue} has no historical market data to download`, { details: { venue } });
  }
  return data.history.bind(data);
}

/** A bar from the venue as our files take it: inside the span asked for, after the bar before, and within core's market-data rules. */
function checkBar(b: Bar, span: Span, prev: number, instrument: Instrument): void {
  const at = (t: number): string => (Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t));
  let bad: string | undefined;
  if (!(b.tsOpen >= span.from && b.tsOpen < span.to)) bad = `opens at ${at(b.tsOpen)}, outside the range asked for (${at(span.from)} to ${at(span.to)})`;
  else if (!(b.tsOpen > prev)) bad = `opens at ${at(b.tsOpen)}, not after the bar before (${at(prev)}): a duplicate or out of order`;
  else {
    const p = barProblem(b.open, b.high, b.low, b.close, b.volume, instrument.allowNonPositivePrices);
    if (p !== undefined) bad = `at ${at(b.tsOpen)}: ${describeProblem(p)}`;
  }
  if (bad !== undefined) {
    throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `${instrument.id} bar from the venue ${bad}; nothing of it was written`, { details: { bar: b } });
  }
}

const iso = (t: number | undefined): string => (t === undefined ? '-' : new Date(t).toISOString().replace(':00.000Z', 'Z'));

/** `data download`: a venue's historical bars into an Arrow file, resumable. */
export const downloadCommand: CommandModule<object, DownloadArgs> = {
  command: 'download',
  describe: "Download a venue's historical bars into an Arrow file; run it again to add only what is missing",
  builder: (y: Argv) =>
    y
      .option('venue', { type: 'string', demandOption: true, describe: 'Venue plugin: a built-in name (binance, coinbase, okx, oanda) or a plugin package or file' })
      .option('symbol', { type: 'string', demandOption: true, describe: "The venue's symbol, e.g. BTCUSDT or BTC-USD" })
      .option('interval', { type: 'string', default: '1m', describe: "Bar length, in the venue's names (1m, 1h, 1d...)" })
      .option('from', { type: 'string', demandOption: true, describe: 'Open time of the first bar (ISO date/time UTC, or epoch ms)' })
      .option('to', { type: 'string', describe: 'End, exclusive (default: now)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Arrow file to write or extend (.arrow)' })
      .option('venue-opt', { type: 'string', array: true, describe: 'Venue config name=value (e.g. restUrl=http://127.0.0.1:9000)' })
      .option('config', { type: 'string', describe: 'JSON config file (its "venue" block); --venue-opt overrides it' })
      .option('verbose', { type: 'boolean', describe: 'Debug logging' }) as unknown as Argv<DownloadArgs>,
  handler: async (args) => {
    const s = await runDownload(args);
    const what = s.added === 0 ? 'nothing new' : `${s.added} new bars`;
    console.log(`${s.out}: ${what}; ${s.rows} bars from ${iso(s.first)} to ${iso(s.last)}${s.interrupted !== undefined ? ' (stopped early: run the same command again to continue)' : ''}`);
    if (s.interrupted !== undefined) process.exitCode = signalExitCode(s.interrupted);
  },
};
