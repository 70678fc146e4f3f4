import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** What a CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI (`tsx packages/cli/src/main.ts …`) in a child process, as a user would. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'packages/cli/src/main.ts'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** A CLI process still running, with its output so far. */
export interface RunningCli {
  readonly child: import('node:child_process').ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves when the process exits. */
  readonly exited: Promise<CliRun>;
}

/** Starts the real CLI and returns at once, for sessions that run until they are signalled. */
export function startCli(args: readonly string[], options: { env?: Record<string, string> } = {}): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'packages/cli/src/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<CliRun>((resolvePromise) => child.on('close', (code) => resolvePromise({ code, stdout, stderr })));
  return { child, output: () => ({ stdout, stderr }), exited };
}
