import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { TradingState } from '@autotrader/core';
import { DEFAULT_STATE_DIR, sendKillCommand } from '../control';

interface KillArgs {
  mode: TradingState;
  reason: string;
  stateDir: string;
}

/** `kill`: trips the kill switch of a running session from another terminal. */
export const killCommand: CommandModule<object, KillArgs> = {
  command: 'kill',
  describe: 'Set the kill switch of the running session: halt (default), reducing, or active to resume',
  builder: (y: Argv) =>
    y
      .option('mode', { choices: ['halted', 'reducing', 'active'] as const, default: 'halted' as const, describe: 'halted: cancel our orders, refuse new ones; reducing: only position-reducing orders' })
      .option('reason', { type: 'string', default: 'pnpm kill' })
      .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR }) as unknown as Argv<KillArgs>,
  handler: (args: ArgumentsCamelCase<KillArgs>) => {
    const info = sendKillCommand(args.stateDir, args.mode, args.reason);
    process.stdout.write(`kill switch → ${args.mode} sent to ${info.mode} session pid ${info.pid} (${info.venue})\n`);
  },
};
