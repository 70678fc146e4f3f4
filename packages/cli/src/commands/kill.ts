import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { TradingState } from '@autotrader/core';
import { DEFAULT_STATE_DIR, sendControlCommand } from '../control';

interface KillArgs {
  mode: TradingState;
  reason: string;
  stateDir: string;
}

/**
 * `kill`: sets the kill switch of the session running in a state directory, from another terminal.
 * The command goes over the session's control socket with the token from its record, and the
 * session acknowledges it; no pid is ever signalled, so a stale record or a reused pid cannot be hit
 * (SESSION_NOT_RUNNING instead). `kill -USR2 <pid>` remains the bare halt.
 */
export const killCommand: CommandModule<object, KillArgs> = {
  command: 'kill',
  describe: 'Set the kill switch of the running session: halt (default), reducing, or active to resume',
  builder: (y: Argv) =>
    y
      .option('mode', { choices: ['halted', 'reducing', 'active'] as const, default: 'halted' as const, describe: 'halted: cancel our orders, refuse new ones; reducing: only position-reducing orders' })
      .option('reason', { type: 'string', default: 'pnpm kill' })
      .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR }) as unknown as Argv<KillArgs>,
  handler: async (args: ArgumentsCamelCase<KillArgs>) => {
    const { record, reply } = await sendControlCommand(args.stateDir, { state: args.mode, reason: args.reason });
    process.stdout.write(`kill switch → ${args.mode} sent to ${record.mode} session pid ${reply.pid} (${record.venue}); it acknowledged: trading state ${reply.state ?? args.mode}\n`);
  },
};
