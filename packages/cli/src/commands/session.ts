import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { createLogger, EventBus, isAutotraderError, RealtimeClock, type Logger, type OrderSnapshot, type VenuePlugin } from '@autotrader/core';
import { LiveSession, parseBarInterval, validateParams } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { parseParams } from '../args';
import { loadStrategy } from '../strategies';
import { loadVenuePlugin, parsePluginConfig } from '../venue-loader';
import { readConfigFile, resolveRisk } from '../config-file';
import { DEFAULT_STATE_DIR, openControlChannel } from '../control';
import { signalExitCode, watchStopSignals } from '../stop-signals';
import { checkCash, checkFees, checkJournalPath, checkNonNegative } from '../run-options';
import { ACCOUNT_TYPES, checkAccountFlags, resolveAccount } from '../account-options';

interface SessionArgs {
  venue: string;
  strategy: string;
  symbol: string[];
  param?: string[];
  venueOpt?: string[];
  mainnet: boolean;
  keepOrders: boolean;
  record?: string;
  cash: number;
  fee: number;
  feeCurrency: 'quote' | 'received';
  interval: string;
  config?: string;
  risk?: string[];
  journal?: string;
  stateDir: string;
  startupMaxWaitMs?: number;
  verbose: boolean;
  account?: string;
  baseCurrency?: string;
  leverage?: number;
}

const builder = (paper: boolean) => (y: Argv) =>
  y
    .option('venue', { type: 'string', demandOption: true, describe: 'Venue plugin: a built-in name (binance) or a plugin package' })
    .option('strategy', { type: 'string', default: 'sma-cross' })
    .option('symbol', { type: 'string', array: true, demandOption: true, describe: 'Venue symbol(s) to trade, e.g. BTCUSDT' })
    .option('param', { type: 'string', array: true, describe: 'Strategy parameter name=value' })
    .option('venue-opt', { type: 'string', array: true, describe: 'Venue config name=value (e.g. restUrl=http://127.0.0.1:9000)' })
    .option('mainnet', { type: 'boolean', default: false, describe: 'Use the real-money endpoints (default: testnet)' })
    .option('keep-orders', { type: 'boolean', default: false, describe: 'Leave open orders at the venue on shutdown' })
    .option('record', { type: 'string', describe: 'Record received market data to Arrow files in this folder' })
    .option('cash', { type: 'number', default: 100_000, describe: paper ? "Simulated starting cash, in the account's base currency (--base-currency), else in each quote currency" : 'ignored live' })
    .option('account', { type: 'string', describe: `Account type: ${ACCOUNT_TYPES.join(' or ')} (default cash${paper ? '' : '; live, the venue’s own account type wins'})` })
    .option('base-currency', { type: 'string', describe: `Currency NAV and equity are measured in, e.g. EUR${paper ? '' : ' (live, the venue’s own wins)'}` })
    .option('leverage', { type: 'number', describe: 'Margin account leverage: 50 means a margin rate of 2% for instruments without a rate of their own' })
    .option('fee', { type: 'number', default: 0, describe: 'Simulated fee rate (paper)' })
    .option('fee-currency', { choices: ['quote', 'received'] as const, default: 'quote' as const, describe: 'Simulated fees in the quote currency, or in the asset received as Binance charges them (paper)' })
    .option('interval', { type: 'string', default: '1m', describe: 'Bar interval for bar subscriptions' })
    .option('config', { type: 'string', describe: 'JSON config file (risk limits, venue settings); flags override it' })
    .option('risk', { type: 'string', array: true, describe: 'Risk limit name=value, e.g. maxDailyLoss=500 (repeatable)' })
    .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR, describe: 'Where `pnpm kill` finds this session' })
    .option('journal', { type: 'string', describe: 'Order journal file (live): replayed and reconciled on start, fsync on every entry' })
    .option('startup-max-wait-ms', { type: 'number', describe: 'How long start-up keeps retrying a venue that rate-limits, fails (5xx) or cannot be reached, in ms (default 120000; 0: give up at once)' })
    .option('verbose', { type: 'boolean', default: false }) as unknown as Argv<SessionArgs>;

function mainnetBanner(log: (line: string) => void): void {
  const line = '!'.repeat(72);
  log(line);
  log('!!  MAINNET: REAL MONEY. Orders sent by this session are real orders.  !!');
  log(line);
}

/**
 * Runs a session until SIGINT/SIGTERM, then shuts down gracefully (see LiveSession.stop) and resolves
 * with the exit code: 0 after `stopped cleanly`, 1 when orders of ours may still be open at the venue.
 */
export async function runSession(args: SessionArgs, paper: boolean, logger: Logger = createLogger({ level: args.verbose ? 'debug' : 'info' })): Promise<number> {
  // Options first: a bad number must not cost a plugin load or a connection (`paper --cash NaN`).
  if (paper) checkCash(args.cash);
  checkFees({ fee: args.fee });
  checkNonNegative(args.startupMaxWaitMs, '--startup-max-wait-ms');
  const accountFlags = { account: args.account, baseCurrency: args.baseCurrency, leverage: args.leverage };
  checkAccountFlags(accountFlags);
  const plugin: VenuePlugin = await loadVenuePlugin(args.venue);
  const strategy = await loadStrategy(args.strategy);
  const params = parseParams(args.param);
  // Checked now, before anything connects: a misspelt parameter or interval must not cost a start-up.
  validateParams(strategy, params);
  parseBarInterval(args.interval);
  const file = args.config === undefined ? undefined : readConfigFile(args.config);
  checkJournalPath(args.journal ?? file?.journal?.path, args.journal !== undefined ? '--journal' : 'journal.path (config file)');
  const risk = resolveRisk(file, parseParams(args.risk, '--risk'));
  // One account for our books and, in paper, the simulated venue (undefined: the cash account as before).
  const account = resolveAccount(file, accountFlags);
  const raw: Record<string, unknown> = { ...(file?.venue ?? {}), ...parseParams(args.venueOpt, '--venue-opt') };
  if (args.mainnet) raw.mainnet = true;
  const config = parsePluginConfig(plugin, raw, `--venue ${args.venue} config`);
  if (args.mainnet && !paper) mainnetBanner((l) => process.stderr.write(l + '\n'));

  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const connection = await plugin.create(config, { bus, clock, logger: logger.child(plugin.name), env: process.env });
  if (connection.data === undefined) throw new Error(`${plugin.name} has no market data port`);
  const session = new LiveSession({
    strategy,
    params,
    venue: {
      name: plugin.name,
      capabilities: plugin.capabilities,
      rateLimits: plugin.rateLimits,
      requestWeights: plugin.requestWeights,
      onUsage: connection.onUsage?.bind(connection),
      loadInstruments: () => connection.instruments.load(),
      data: connection.data,
      execution: connection.execution,
      close: connection.close?.bind(connection),
    },
    instrumentIds: args.symbol,
    barInterval: args.interval,
    paperExecution: paper
      ? (ctx) =>
          createSimulatedVenue({
            config: {
              venue: 'PAPER',
              // As the session's books: the cash in the base currency when the account has one, else in each quote currency.
              startingBalances: account?.baseCurrency !== undefined ? { [account.baseCurrency]: String(args.cash) } : Object.fromEntries(ctx.instruments.map((i) => [i.quote, String(args.cash)])),
              fees: { maker: args.fee, taker: args.fee, currency: args.feeCurrency },
              ...(account === undefined ? {} : { account }),
            },
            instruments: ctx.instruments,
            clock: ctx.clock,
            bus: ctx.bus,
            logger: ctx.logger,
          })
      : undefined,
    paperCash: args.cash,
    ...(account === undefined ? {} : { account }),
    keepOrders: args.keepOrders,
    recordDir: args.record,
    risk,
    unknownOrders: file?.unknownOrders,
    journal: args.journal !== undefined ? { path: args.journal } : file?.journal,
    startupRetry: { ...file?.startupRetry, ...(args.startupMaxWaitMs === undefined ? {} : { maxWaitMs: args.startupMaxWaitMs }) },
    logger,
    bus,
    clock,
  });
  let running = false;
  // Records the session in its state directory (for `pnpm kill`) before anything connects.
  const control = await openControlChannel(args.stateDir, { venue: plugin.name, mode: paper ? 'paper' : 'live' }, ({ state, reason }) => {
    if (!running) throw new Error('the session is still starting; try again once it has started');
    session.engine.setTradingState(state, reason);
    return session.engine.tradingState;
  }).catch(async (error: unknown) => {
    await connection.close?.();
    throw error;
  });
  if (control.displaced !== undefined) {
    logger.warn(`another ${control.displaced.mode} session (pid ${control.displaced.pid}) runs with state dir ${args.stateDir}; \`pnpm kill\` there now reaches this session only (give each session its own --state-dir)`);
  }
  // A bare `kill -USR2 <pid>` halts (README); `pnpm kill` uses the control socket instead.
  const onUsr2 = (): void => {
    if (running) session.engine.setTradingState('halted', 'SIGUSR2');
    else logger.warn('SIGUSR2 ignored: the session is still starting');
  };
  process.on('SIGUSR2', onUsr2);
  const signals = watchStopSignals(
    (signal) => {
      logger.info(`${signal}: shutting down (Ctrl-C again exits at once, leaving our open orders at the venue)`);
      void session.stop().catch(() => {});
    },
    (signal) => {
      const open: readonly OrderSnapshot[] = running ? session.engine.openOrders() : [];
      process.stderr.write(
        `${signal} again: exiting at once without finishing the shutdown; ${open.length === 0 ? 'no order of ours was open' : `left ${open.length} order(s) of ours open at the venue: ${open.map((o) => `${o.clientOrderId} (${o.status})`).join(', ')}`}\n`,
      );
      process.exit(signalExitCode(signal));
    },
  );
  try {
    await Promise.race([session.start().then(() => void (running = true)), signals.requested]);
    await signals.requested;
    await session.stop();
  } catch (error) {
    // Ctrl-C during start-up interrupts it: a stop, not a failure (start-up released what it opened).
    if (!(signals.received !== undefined && isAutotraderError(error, 'STARTUP_FAILED') && error.details.interrupted === true)) throw error;
  } finally {
    running = false;
    process.off('SIGUSR2', onUsr2);
    await control.close();
    signals.dispose();
  }
  const report = session.shutdown;
  if (report !== undefined && !report.kept && report.leftOpen.length > 0) {
    // Not "stopped cleanly": tools watch for that line, and orders of ours may still be working.
    process.stderr.write(`stopped, but ${report.leftOpen.length} order(s) of ours may still be open at the venue: ${report.leftOpen.map((o) => o.clientOrderId).join(', ')}; check them there\n`);
    return 1;
  }
  process.stderr.write('stopped cleanly\n');
  return 0;
}

/** `live`: the venue's live data and real execution (testnet unless --mainnet). */
export const liveCommand: CommandModule<object, SessionArgs> = {
  command: 'live',
  describe: 'Trade live on a venue (testnet by default; --mainnet for real money)',
  builder: builder(false),
  handler: async (args: ArgumentsCamelCase<SessionArgs>) => void (process.exitCode = await runSession(args, false)),
};

/** `paper`: the venue's live data with the simulated venue executing orders. */
export const paperCommand: CommandModule<object, SessionArgs> = {
  command: 'paper',
  describe: "Paper-trade: a venue's live market data, simulated execution",
  builder: builder(true),
  handler: async (args: ArgumentsCamelCase<SessionArgs>) => void (process.exitCode = await runSession(args, true)),
};
