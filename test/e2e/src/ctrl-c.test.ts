import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { ROOT, startCli } from './cli';
import { duplicateOrders, FAKE_KEYS, fakeVenueOpts, linesOf, tradeTape, workingAtVenue } from './live-cli';

const RECORD_EXIT = pathToFileURL(resolve(ROOT, 'test/e2e/src/fixtures/record-exit.mjs')).href;

interface ExitLogEntry {
  readonly event: 'start' | 'exit';
  readonly pid: number;
  readonly argv?: string[];
  readonly code?: number;
}

const readExitLog = (file: string): ExitLogEntry[] =>
  existsSync(file) ? linesOf(readFileSync(file, 'utf8')).map((l) => JSON.parse(l) as ExitLogEntry) : [];

/**
 * One Ctrl-C as a terminal sends it on a busy machine: `pnpm live` in its own process group, the
 * strategy trading and resting orders, the node program frozen (SIGSTOP) as SIGINT reaches the
 * whole group, and continued (SIGCONT) 250 ms later. Returns what the program printed and its own
 * exit code (pnpm reports 130 for any interrupted script; the program's code is recorded by a
 * preloaded module, see fixtures/record-exit.mjs).
 */
async function ctrlCThroughPnpm(fake: FakeBinance, run: number): Promise<{ output: string; exitCode: number | undefined; pid: number }> {
  const dir = mkdtempSync(join(tmpdir(), `autotrader-ctrl-c-${run}-`));
  const exitLog = join(dir, 'exits.jsonl');
  const pnpm = spawn(
    'pnpm',
    ['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/busy-trader.ts', '--param', 'everyMs=40', '--state-dir', join(dir, 'state'), ...fakeVenueOpts(fake)],
    {
      cwd: ROOT,
      detached: true, // its own process group, as a terminal's foreground job has
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...FAKE_KEYS, FORCE_COLOR: '0', NODE_OPTIONS: `--import=${RECORD_EXIT}`, AUTOTRADER_TEST_EXIT_LOG: exitLog },
    },
  );
  let output = '';
  pnpm.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  pnpm.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  // Both pipes close only when pnpm and the program (which inherits them) have both exited.
  const closed = new Promise<void>((r) => pnpm.on('close', () => r()));
  let ended = false;
  void closed.then(() => (ended = true));
  const tape = tradeTape(fake, 20);
  try {
    await waitFor('the session to start', () => /session started/.test(output) || ended, 60_000);
    expect(output).toMatch(/live session started on binance/);
    const program = readExitLog(exitLog).find((e) => e.event === 'start' && e.argv?.[1]?.endsWith('packages/cli/src/main.ts') === true);
    expect(program, output).toBeDefined();
    const pid = program!.pid;
    await waitFor(
      'the strategy to trade and rest orders',
      () => fake.orders().some((o) => o.type === 'MARKET' && o.status === 'FILLED') && fake.orders().filter((o) => o.type === 'LIMIT' && o.status === 'NEW').length >= 3,
      20_000,
    );
    process.kill(pid, 'SIGSTOP');
    process.kill(-pnpm.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 250));
    try {
      process.kill(pid, 'SIGCONT');
    } catch (error) {
      // What the tsx CLI did: it relays the signal, gets no confirmation from the frozen child, and SIGKILLs it.
      throw new Error(`run ${run}: the program (pid ${pid}) was killed while frozen, before its shutdown could run (${String(error)})\n${output}`);
    }
    await closed;
    const exit = readExitLog(exitLog).find((e) => e.event === 'exit' && e.pid === pid);
    return { output, exitCode: exit?.code, pid };
  } finally {
    tape.stop();
    if (!ended) {
      // A failed run must not leave a trading process behind.
      try {
        process.kill(-pnpm.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

describe('Ctrl-C through pnpm live', () => {
  it('a second Ctrl-C exits at once and names the orders of ours it left open', async () => {
    const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '0' } });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'autotrader-ctrl-c-twice-'));
      const cli = startCli(
        ['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/busy-trader.ts', '--param', 'everyMs=30', '--param', 'trade=false', '--state-dir', dir, ...fakeVenueOpts(fake)],
        { env: FAKE_KEYS },
      );
      await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 30_000);
      await waitFor('orders resting', () => workingAtVenue(fake).length >= 4, 10_000);
      // The venue now fails every cancel (503, not processed): they are retried while the user loses patience.
      fake.faults.serverError(1_000, 503, (r) => r.method === 'DELETE' && r.path === '/api/v3/order');
      cli.child.kill('SIGINT');
      await waitFor('the shutdown to begin', () => /cancelling \d+ open order/.test(cli.output().stderr), 10_000);
      cli.child.kill('SIGINT');
      const run = await cli.exited;
      expect(run.code, run.stderr).toBe(130);
      const last = linesOf(run.stderr).at(-1)!;
      expect(last).toMatch(/^SIGINT again: exiting at once without finishing the shutdown; left \d+ order\(s\) of ours open at the venue: /);
      const named = [...last.matchAll(/(\S+) \((\w+)\)/g)].map((m) => m[1]);
      expect(named.sort()).toEqual(fake.orders().filter((o) => o.status === 'NEW').map((o) => o.clientOrderId).sort());
      expect(run.stderr).not.toMatch(/stopped cleanly/);
    } finally {
      await fake.close();
    }
  }, 60_000);


  it('five times in a row, frozen for 250 ms as SIGINT reaches the whole process group: each run stops cleanly, exit 0, nothing left open', async () => {
    for (let run = 1; run <= 5; run++) {
      const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '0' }, marketFillRule: 'next-trade' });
      try {
        const { output, exitCode } = await ctrlCThroughPnpm(fake, run);
        const lines = linesOf(output);
        expect(exitCode, `run ${run}: the program's own exit code\n${output}`).toBe(0);
        expect(lines, `run ${run}\n${output}`).toContain('stopped cleanly');
        // Nothing kept the program alive after its clean stop (main.ts would name the handle and exit).
        expect(output).not.toMatch(/exiting at once|may still be open|still running 3 s after/);
        // One SIGINT reached the program: the terminal's. Nothing relayed a second one.
        expect(lines.filter((l) => /SIGINT: shutting down/.test(l))).toHaveLength(1);
        expect(workingAtVenue(fake), `run ${run}: orders left open at the venue\n${output}`).toEqual([]);
        expect(duplicateOrders(fake)).toEqual([]);
        expect(fake.orders().filter((o) => o.type === 'LIMIT' && o.status === 'CANCELED').length).toBeGreaterThanOrEqual(3);
      } finally {
        await fake.close();
      }
    }
  }, 240_000);
});
