import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { AutotraderError, createLogger } from '@autotrader/core';
import { describeRoutes, runBacktest, type BacktestResult } from '@autotrader/engine';
import { createSimulatedVenue, paperPlugin } from '@autotrader/plugin-paper';
import { computeMetrics, createProgressBar, formatRefusals, formatSummary, prepareOutputDir, refusalTotals, summaryToJson, tradeCurrenciesOf, writeReport, type AccountFigures, type RunResult } from '@autotrader/report';
import { checkRange, parseParams, parseTime } from '../args';
import { loadData } from '../feeds';
import { loadStrategy } from '../strategies';
import { readConfigFile, resolveRisk } from '../config-file';
import { loadVenuePlugin } from '../venue-loader';
import { checkCash, checkFees, checkLatency, checkNonNegative, checkSeed, checkSlippage } from '../run-options';
import { ACCOUNT_TYPES, baseCurrencyOf, checkAccountFlags, resolveAccount } from '../account-options';
import { countVenueCancels } from '../venue-refusals';

const here = dirname(fileURLToPath(import.meta.url));
/** The dataset `pnpm backtest` uses when no --data is given. */
export const DEFAULT_DATA = resolve(here, '../../../../data/btc-perp-1m.arrow');

interface BacktestArgs {
  strategy: string;
  data?: string[];
  param?: string[];
  cash: number;
  fee?: number;
  makerFee?: number;
  takerFee?: number;
  feeCurrency: 'quote' | 'received';
  slippage: number;
  latency: number;
  seed: number;
  allowShort: boolean;
  from?: string;
  to?: string;
  json: boolean;
  out?: string;
  config?: string;
  risk?: string[];
  venueLimits?: string;
  interval?: string;
  barPrice: 'mid' | 'bid' | 'ask';
  verbose: boolean;
  maxOrdersPerEvent: number;
  account?: string;
  baseCurrency?: string;
  leverage?: number;
}

/** `backtest`: replay data through the kernel with the simulated venue and print a summary. */
export const backtestCommand: CommandModule<object, BacktestArgs> = {
  command: 'backtest',
  describe: 'Run a strategy over historical data with the simulated venue',
  builder: (y: Argv) =>
    y
      .option('strategy', { type: 'string', default: 'sma-cross', describe: 'Built-in strategy name or path to a .ts file' })
      .option('data', { type: 'string', array: true, describe: 'Arrow or CSV/JSON files (default: the embedded BTC-PERP 1-minute month)' })
      .option('param', { type: 'string', array: true, describe: 'Strategy parameter name=value (repeatable)' })
      .option('cash', { type: 'number', default: 100_000, describe: "Starting cash in the account's base currency (--base-currency; default the first instrument's quote currency)" })
      .option('fee', { type: 'number', describe: 'Fee rate for maker and taker fills (0.001 = 0.1%)' })
      .option('maker-fee', { type: 'number', describe: 'Maker fee rate (overrides --fee)' })
      .option('taker-fee', { type: 'number', describe: 'Taker fee rate (overrides --fee)' })
      .option('fee-currency', { choices: ['quote', 'received'] as const, default: 'quote' as const, describe: 'Charge fees in the quote currency, or in the asset received (a spot buy in the base asset, as Binance does)' })
      .option('slippage', { type: 'number', default: 0, describe: 'Adverse slippage in ticks for market and stop fills' })
      .option('latency', { type: 'number', default: 0, describe: 'Order latency in ms on the simulated clock' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of every random model' })
      .option('allow-short', { type: 'boolean', default: false, describe: 'Let the simulated venue accept sells beyond the position' })
      .option('account', { type: 'string', describe: `Account type: ${ACCOUNT_TYPES.join(' or ')} (default cash; a margin account posts margin and may be short)` })
      .option('base-currency', { type: 'string', describe: "Currency NAV, equity and returns are measured in, e.g. EUR (default: the first instrument's quote currency)" })
      .option('leverage', { type: 'number', describe: 'Margin account leverage: 50 means a margin rate of 2% for instruments without a rate of their own' })
      .option('from', { type: 'string', describe: 'Start time (ISO date/time UTC, or epoch ms)' })
      .option('to', { type: 'string', describe: 'End time, exclusive' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary and trades as JSON on stdout (nothing else)' })
      .option('out', { type: 'string', describe: 'Write trades.csv, fills.csv, equity.csv and report.html here' })
      .option('config', { type: 'string', describe: 'JSON config file (risk limits, account); flags override it' })
      .option('risk', { type: 'string', array: true, describe: 'Risk limit name=value, e.g. maxOrderNotional=10000 (repeatable)' })
      .option('venue-limits', { type: 'string', describe: "Enforce a venue plugin's rate limits in the simulated venue (e.g. binance)" })
      .option('interval', { type: 'string', describe: 'Bar interval built from trade or quote data (default 1m; bar data keeps its own)' })
      .option('bar-price', { choices: ['mid', 'bid', 'ask'] as const, default: 'mid' as const, describe: 'Quote price that bars built from quotes follow' })
      .option('max-orders-per-event', { type: 'number', default: 10_000, describe: 'Stop the run when the strategy sends more orders than this while handling one event (an order flood)' })
      .option('verbose', { type: 'boolean', default: false }) as unknown as Argv<BacktestArgs>,
  handler: async (args: ArgumentsCamelCase<BacktestArgs>) => {
    await runBacktestCommand(args);
  },
};

async function runBacktestCommand(args: BacktestArgs): Promise<void> {
  // Every option is checked before anything is loaded or run.
  checkCash(args.cash);
  checkFees({ fee: args.fee, makerFee: args.makerFee, takerFee: args.takerFee });
  checkNonNegative(args.slippage, '--slippage');
  checkNonNegative(args.latency, '--latency');
  checkSeed(args.seed);
  const from = args.from === undefined ? undefined : parseTime(args.from, '--from');
  const to = args.to === undefined ? undefined : parseTime(args.to, '--to');
  checkRange(from, to);
  checkMaxOrdersPerEvent(args.maxOrdersPerEvent);
  const accountFlags = { account: args.account, baseCurrency: args.baseCurrency, leverage: args.leverage };
  checkAccountFlags(accountFlags);
  // Created and checked for writing now: an unwritable --out must not cost the whole run first.
  if (args.out !== undefined) prepareOutputDir(args.out, '--out');
  const file = args.config === undefined ? undefined : readConfigFile(args.config);
  const risk = resolveRisk(file, parseParams(args.risk, '--risk'));
  // Undefined without account options: the run is then exactly what it was before accounts existed.
  const account = resolveAccount(file, accountFlags);
  const strategy = await loadStrategy(args.strategy);
  const params = parseParams(args.param);
  const paths = args.data && args.data.length > 0 ? args.data : [DEFAULT_DATA];
  const { instruments, feeds } = loadData(paths, { from, to });
  const currency = baseCurrencyOf(account, instruments);
  for (const warning of [...checkSlippage(args.slippage, instruments, feeds), ...checkLatency(args.latency, feeds)]) process.stderr.write(warning + '\n');
  const logger = createLogger({ level: args.verbose ? 'debug' : 'warn' });

  const limitsFrom = args.venueLimits === undefined ? undefined : await loadVenuePlugin(args.venueLimits);
  const maker = args.makerFee ?? args.fee ?? 0;
  const taker = args.takerFee ?? args.fee ?? 0;
  const venueConfig = {
    startingBalances: { [currency]: String(args.cash) },
    fees: { maker, taker, currency: args.feeCurrency },
    slippage: args.slippage > 0 ? { kind: 'ticks' as const, ticks: args.slippage } : { kind: 'none' as const },
    latency: { submitMs: args.latency, cancelMs: args.latency, modifyMs: args.latency },
    seed: args.seed,
    allowShort: args.allowShort,
    rateLimits: limitsFrom?.rateLimits ? [...limitsFrom.rateLimits] : [],
    requestWeights: { ...(limitsFrom?.requestWeights ?? {}) },
    // The same account as the kernel's, so that the venue enforces the margin our books reckon.
    ...(account === undefined ? {} : { account }),
  };
  const total = feeds.reduce((n, f) => n + f.length, 0);
  const bar = args.json ? undefined : createProgressBar(total, process.stderr);
  const started = performance.now();
  let canceledByVenue: Record<string, number> = {};
  const result = await runBacktest({
    strategy,
    params,
    feeds,
    instruments,
    venue: (ctx) => {
      const counted = countVenueCancels(createSimulatedVenue({ config: venueConfig, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus, logger: ctx.logger }));
      canceledByVenue = counted.counts;
      return counted.port;
    },
    capabilities: paperPlugin.capabilities,
    startingCash: args.cash,
    currency,
    ...(account === undefined ? {} : { account }),
    risk,
    logger,
    bars: { interval: args.interval, quotePrice: args.barPrice },
    maxOrdersPerEvent: args.maxOrdersPerEvent,
    onProgress: bar === undefined ? undefined : (done) => bar.update(done),
  });
  bar?.finish();
  const seconds = (performance.now() - started) / 1000;

  const run: RunResult = {
    startingCash: args.cash,
    finalEquity: result.finalEquity,
    currency,
    equity: result.equity,
    trades: [...result.trades],
    fills: result.fills.map((f) => ({
      ts: f.tsEvent,
      clientOrderId: f.clientOrderId,
      tradeId: f.tradeId,
      instrumentId: f.instrumentId,
      side: f.side,
      price: f.price.toString(),
      quantity: f.quantity.toString(),
      fee: f.fee.toString(),
      feeCurrency: f.feeCurrency,
      liquidity: f.liquidity,
    })),
    fees: result.fees,
    start: result.start,
    end: result.end,
    bars: result.marketEvents,
    strategy: strategy.name,
    params,
    instruments: instruments.map((i) => i.id),
    // The kernel gives account figures for a margin account or instruments in several currencies only.
    ...(result.account === undefined ? {} : { account: accountFigures(result.account) }),
  };
  const summary = computeMetrics(run);
  // Orders refused by risk checks or the venue, by code, and those the venue cancelled at fill time
  // (lack of funds): a throttled, over-sized or under-funded strategy shows here.
  const rejected: Record<string, number> = {};
  for (const o of result.orders) if (o.status === 'rejected') rejected[o.rejection?.code ?? 'UNKNOWN'] = (rejected[o.rejection?.code ?? 'UNKNOWN'] ?? 0) + 1;
  const refusals = { rejected, canceled: canceledByVenue };
  if (args.out !== undefined) writeReport(resolve(args.out), run, summary);
  if (args.json) {
    process.stdout.write(JSON.stringify({ ...summaryToJson(summary, run), rejections: refusalTotals(refusals), canceledByVenue, marketData: result.marketData }) + '\n');
    return;
  }
  process.stdout.write(formatSummary(summary, { strategy: strategy.name, params, instruments: run.instruments, currency, account: run.account, tradeCurrencies: tradeCurrenciesOf(run) }) + '\n');
  for (const line of describeRoutes(result.marketData, 'the data')) process.stdout.write(`Market data: ${line}\n`);
  const refusedLine = formatRefusals(refusals);
  if (refusedLine !== undefined) process.stdout.write(refusedLine + '\n');
  process.stdout.write(`${result.marketEvents.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s${args.out ? `; report written to ${resolve(args.out)}` : ''}\n`);
}

/** The kernel's account figures as the report takes them (the margin after each fill stays in the result). */
function accountFigures(a: NonNullable<BacktestResult['account']>): AccountFigures {
  return { type: a.type, baseCurrency: a.baseCurrency, nav: Number(a.nav), marginUsedPeak: a.marginUsedPeak, marginUsedEnd: a.marginUsedEnd, closeouts: a.closeouts, exposureByCurrency: { ...a.exposureByCurrency }, exposurePeakByCurrency: { ...a.exposurePeakByCurrency } };
}

/** `--max-orders-per-event`: a whole number ≥ 1 (checked before any work starts). */
function checkMaxOrdersPerEvent(value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new AutotraderError('CONFIG_INVALID', `--max-orders-per-event must be a whole number ≥ 1, got ${String(value)}`);
}
