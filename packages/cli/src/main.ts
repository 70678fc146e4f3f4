#!/usr/bin/env -S node --import tsx
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AutotraderError } from '@autotrader/core';
import { backtestCommand } from './commands/backtest';
import { dataCommand } from './commands/data';
import { pluginsCommand } from './commands/plugins';
import { liveCommand, paperCommand } from './commands/session';
import { killCommand } from './commands/kill';
import { EXIT_ERROR, EXIT_USAGE, formatError } from './errors';
import { checkOptionTokens, type OptionTable } from './option-tokens';
import { exitQuietlyOnClosedPipe } from './closed-pipe';

const argv = hideBin(process.argv);
const verbose = argv.includes('--verbose');

/** The autotrader command line. */
export async function main(args: string[]): Promise<number> {
  try {
    const cli = yargs(args);
    // yargs keeps one instance and adds the running command's options to it; getOptions() is untyped.
    const optionsNow = (): OptionTable => (cli as unknown as { getOptions(): OptionTable }).getOptions();
    await cli
      .scriptName('autotrader')
      .command(backtestCommand)
      .command(dataCommand)
      .command(pluginsCommand)
      .command(paperCommand)
      .command(liveCommand)
      .command(killCommand)
      .demandCommand(1, 'Give a command: backtest, data import, plugins')
      .strict()
      // Before yargs' values reach a command: a flag with no value, a number that is not one, a flag given twice.
      .middleware(() => checkOptionTokens(args, optionsNow()), true)
      .fail((message, error) => {
        throw error ?? new AutotraderError('CONFIG_INVALID', message, { details: { usage: true } });
      })
      .help()
      .parseAsync();
    // A command that ends without an error may still say it did not end well (a session that left orders open).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    process.stderr.write(formatError(error, { verbose }) + '\n');
    return error instanceof AutotraderError && error.details.usage === true ? EXIT_USAGE : EXIT_ERROR;
  }
}

exitQuietlyOnClosedPipe();
process.exitCode = await main(argv);
// Nothing may keep a finished command alive (a trading session must not linger after "stopped
// cleanly"). Every handle is closed on the way out; if one leaked anyway, name it and exit.
setTimeout(() => {
  process.stderr.write(`warning: still running 3 s after the command finished (open: ${process.getActiveResourcesInfo().join(', ')}); exiting\n`);
  process.exit();
}, 3_000).unref();
