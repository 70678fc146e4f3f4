import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { AutotraderError } from '@autotrader/core';
import { backtestCommand } from '../../../packages/cli/src/commands/backtest';
import { checkOptionTokens, type OptionTable } from '../../../packages/cli/src/option-tokens';
import { codedOrValue, LONG, nastyNumber, nastyTime, params, SEED } from './fuzz';
import { scratch } from './tmp';

/**
 * The command-line parser of `backtest` on random argument lists: each ends in a coded error (a
 * CONFIG_INVALID, PARAM_INVALID, DATA_*... never INTERNAL or an uncoded throw) or a finished run.
 *
 * main.ts runs the command line when it is imported and may end the process, so it cannot be called
 * in this process. The bulk of the cases go through the same pipeline built here from the same parts
 * (yargs with the real backtest command, strict, the raw-token check as middleware, the same fail
 * handler); a few go through the real main.ts, in a worker thread with its own argv.
 */

const tmp = scratch('cli');

/** 120 one-minute bars that trend, so sma-cross trades: a run takes a few milliseconds. */
const SMALL = tmp.file(
  'small.csv',
  ['ts,open,high,low,close,volume', ...Array.from({ length: 120 }, (_, i) => {
    const p = 100 + 10 * Math.sin(i / 8);
    return `${1_640_995_200_000 + i * 60_000},${p},${p + 1},${p - 1},${p + 0.5},${i + 1}`;
  })].join('\n') + '\n',
);
const BAD_CSV = tmp.file('bad.csv', 'ts,open,high,low,close\n1640995200000,100,99,101,100\n');
const GOOD_CONFIG = tmp.file('good.json', JSON.stringify({ risk: { maxOrderQuantity: '5' } }));
const BAD_CONFIG = tmp.file('bad.json', '{"risk": {"maxOrderQty": 5}}');

const FLAGS = ['strategy', 'data', 'param', 'cash', 'fee', 'maker-fee', 'taker-fee', 'fee-currency', 'slippage', 'latency', 'seed', 'allow-short', 'from', 'to', 'json', 'config', 'risk', 'venue-limits', 'interval', 'bar-price', 'max-orders-per-event'];

/** Values a user (or a script gone wrong) may give. */
const value: fc.Arbitrary<string> = fc.oneof(
  nastyNumber,
  nastyTime,
  fc.constantFrom('sma-cross', 'mean-reversion', 'nope', './missing.ts', 'quote', 'received', 'mid', 'bid', 'ask', 'binance', 'paper', '1m', '0s', '-1m', 'fast=5', 'slow=20', 'fast=', '=5', 'x', 'maxOrderQuantity=10', 'maxOrderQuantity=0x10', 'maxOrderQuantity=-1', 'maxOpenOrders=1.5', 'orderRate={"count":1}', 'true', 'false', '--', '-', SMALL, BAD_CSV, GOOD_CONFIG, BAD_CONFIG, '/nonexistent/x.csv', tmp.path('none.arrow')),
  fc.string({ maxLength: 8 }),
);

/** One argument: a known flag (alone, with a value, or `--flag=value`), a misspelt or unknown flag, `--no-x`, or a bare value. */
const token: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FLAGS), value).map(([f, v]) => [`--${f}`, v]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...FLAGS), value).map(([f, v]) => [`--${f}=${v}`]) },
  { weight: 2, arbitrary: fc.constantFrom(...FLAGS).map((f) => [`--${f}`]) },
  { weight: 1, arbitrary: fc.constantFrom(...FLAGS).map((f) => [`--no-${f}`]) },
  { weight: 1, arbitrary: fc.constantFrom('--cahs', '--Cash', '-c', '-', '--', '--out', '--help', '--version', '--verbose', '--maxOrdersPerEvent', '--feeCurrency', 'extra').map((f) => (f === '--out' ? ['--out', tmp.path('out')] : [f])) },
  { weight: 1, arbitrary: value.map((v) => [v]) },
);

/** `backtest --data small.csv` followed by 0-6 random arguments. */
const argv = fc.array(token, { maxLength: 6 }).map((ts) => ['backtest', '--data', SMALL, ...ts.flat()]);

/** What the command wrote on stdout while it ran. */
async function capturingStdout<T>(work: () => Promise<T>): Promise<{ result: Awaited<ReturnType<typeof codedOrValue<T>>>; out: string }> {
  const write = process.stdout.write;
  // yargs prints --help and --version with console.log.
  const log = console.log;
  let out = '';
  console.log = (...parts: unknown[]) => void (out += parts.join(' ') + '\n');
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await codedOrValue(work), out };
  } finally {
    process.stdout.write = write;
    console.log = log;
  }
}

/** The pipeline of main.ts for these arguments (see the file comment), without ending the process on --help. */
async function parse(args: string[]): Promise<void> {
  const cli = yargs(args);
  const optionsNow = (): OptionTable => (cli as unknown as { getOptions(): OptionTable }).getOptions();
  await cli
    .scriptName('autotrader')
    .command(backtestCommand)
    .demandCommand(1, 'Give a command: backtest, data import, plugins')
    .strict()
    .middleware(() => checkOptionTokens(args, optionsNow()), true)
    .fail((message, error) => {
      throw error ?? new AutotraderError('CONFIG_INVALID', message, { details: { usage: true } });
    })
    .help()
    .exitProcess(false)
    .parseAsync();
}

describe('backtest argument lists', () => {
  const exitCode = process.exitCode;
  afterAll(() => {
    // A run may set process.exitCode (a session that did not end well); this process's own code is vitest's.
    process.exitCode = exitCode;
  });

  it('end in a coded error or a finished run (in-process, through the parts of main.ts)', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const { result, out } = await capturingStdout(() => parse(args));
        if (!result.ok) return;
        ran++;
        // With --json (and nothing that turns it off or prints help instead), stdout is one JSON document.
        const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
        const json = flags.includes('--json') && !flags.some((a) => /^--(no-json|json=|help|version)/.test(a));
        if (json) expect(() => JSON.parse(out), out).not.toThrow();
      }),
      params(60, 15_000),
    );
    // Some lists are good ones: the property saw runs, not only refusals.
    expect(ran).toBeGreaterThan(0);
  });

  it('through the real main.ts in a worker thread: a coded one-line error or exit 0', async () => {
    const boot = new URL('./main-in-worker.mjs', import.meta.url);
    const cases = fc.sample(argv, { numRuns: LONG ? 30 : 1, seed: SEED });
    for (const args of cases) {
      const r = await new Promise<{ code: number; stderr: string; error?: Error }>((resolve) => {
        const w = new Worker(boot, { argv: args, stdout: true, stderr: true });
        let stderr = '';
        w.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        w.stdout.resume();
        const timer = setTimeout(() => void w.terminate(), 60_000);
        w.on('error', (error) => resolve({ code: -1, stderr, error }));
        w.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
      const where = `${JSON.stringify(args)} → exit ${r.code}: ${r.stderr}`;
      expect(r.error, where).toBeUndefined();
      if (r.code === 0) continue;
      expect([1, 2], where).toContain(r.code);
      const first = r.stderr.split('\n').find((l) => l.startsWith('error '));
      expect(first, where).toMatch(/^error [A-Z_]+: /);
      expect(first, where).not.toMatch(/^error INTERNAL/);
    }
  }, 300_000);
});
