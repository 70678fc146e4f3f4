import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AutotraderError, type TradingState } from '@autotrader/core';

/** Where a running session keeps its pid file and receives kill-switch commands (default `.autotrader` in the working folder). */
export const DEFAULT_STATE_DIR = '.autotrader';

interface PidFile {
  pid: number;
  venue: string;
  mode: 'live' | 'paper';
  started: string;
}

/** Records this session so `pnpm kill` can find it. Returns the function that removes the record. */
export function writePidFile(stateDir: string, info: Omit<PidFile, 'pid' | 'started'>): () => void {
  const dir = resolve(stateDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'session.json');
  writeFileSync(file, JSON.stringify({ pid: process.pid, started: new Date().toISOString(), ...info } satisfies PidFile) + '\n');
  return () => rmSync(file, { force: true });
}

/** Reads (and removes) a pending kill-switch command; a bare signal means halt. */
export function takeKillCommand(stateDir: string): { state: TradingState; reason: string } {
  const file = join(resolve(stateDir), 'kill.json');
  if (!existsSync(file)) return { state: 'halted', reason: 'SIGUSR2' };
  try {
    const cmd = JSON.parse(readFileSync(file, 'utf8')) as { state: TradingState; reason: string };
    return cmd;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Sends a kill-switch command to the session recorded in `stateDir`. */
export function sendKillCommand(stateDir: string, state: TradingState, reason: string): PidFile {
  const dir = resolve(stateDir);
  const pidFile = join(dir, 'session.json');
  if (!existsSync(pidFile)) throw new AutotraderError('CONFIG_INVALID', `no running session recorded in ${dir} (start one with pnpm live or pnpm paper, or give --state-dir)`);
  const info = JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;
  writeFileSync(join(dir, 'kill.json'), JSON.stringify({ state, reason }) + '\n');
  try {
    process.kill(info.pid, 'SIGUSR2');
  } catch (error) {
    rmSync(join(dir, 'kill.json'), { force: true });
    throw new AutotraderError('CONFIG_INVALID', `the session recorded in ${pidFile} (pid ${info.pid}) is not running`, { cause: error });
  }
  return info;
}
