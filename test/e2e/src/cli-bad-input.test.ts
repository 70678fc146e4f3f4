import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, type CliRun } from './cli';

/**
 * Issue 11, points 2, 3 and 6 through the real CLI: every option is checked before the run, output
 * never hangs or crashes on a closed pipe, and no user mistake ends in INTERNAL. Backtests run on two
 * days of the embedded BTC-PERP month.
 */
const dir = mkdtempSync(join(tmpdir(), 'autotrader-bad-input-'));
const SLICE = ['--from', '2022-01-03', '--to', '2022-01-05'];
const lines = (text: string): string[] => text.trim().split('\n').filter((l) => l !== '');

/** A refused run: the given exit status, one coded line on stderr naming what it must, nothing on stdout, no stack, never INTERNAL. */
function expectRefused(run: CliRun, code: string, mentions: RegExp, exit = 2): string {
  expect(run.code, run.stderr).toBe(exit);
  expect(run.stdout).toBe('');
  const err = lines(run.stderr);
  expect(err, run.stderr).toHaveLength(1);
  expect(err[0]).toMatch(new RegExp(`^error ${code}: `));
  expect(err[0]).toMatch(mentions);
  expect(run.stderr).not.toMatch(/\n\s+at |INTERNAL/);
  return err[0]!;
}

describe('options are checked before any work starts (issue 11, point 2)', { timeout: 180_000 }, () => {
  it('a flag with no value is an error naming the flag, never the default', async () => {
    expectRefused(await runCli(['backtest', '--cash', ...SLICE]), 'CONFIG_INVALID', /^error CONFIG_INVALID: --cash needs a value/);
    expectRefused(await runCli(['backtest', ...SLICE, '--fee']), 'CONFIG_INVALID', /--fee needs a value/);
    expectRefused(await runCli(['backtest', '--cash=', ...SLICE]), 'CONFIG_INVALID', /--cash needs a value \(nothing follows '='\)/);
    expectRefused(await runCli(['backtest', '--data', '--json']), 'CONFIG_INVALID', /--data needs a value/);
  });

  it('numbers must be numbers, a value flag is given once, and --no-<flag> does not mean 0', async () => {
    expectRefused(await runCli(['backtest', '--cash', 'NaN', ...SLICE]), 'CONFIG_INVALID', /--cash 'NaN' is not a number/);
    expectRefused(await runCli(['backtest', '--from', '2022-01-03', '--from', '2022-01-04']), 'CONFIG_INVALID', /--from is given twice/);
    expectRefused(await runCli(['backtest', '--no-cash', ...SLICE]), 'CONFIG_INVALID', /--no-cash is not an option/);
  });

  it('paper --cash NaN is a coded error before anything connects, not INTERNAL', async () => {
    expectRefused(await runCli(['paper', '--venue', 'binance', '--symbol', 'BTCUSDT', '--cash', 'NaN']), 'CONFIG_INVALID', /--cash 'NaN' is not a number/);
    expectRefused(await runCli(['paper', '--venue', 'binance', '--symbol', 'BTCUSDT', '--cash', '-5']), 'CONFIG_INVALID', /--cash must be a positive amount/);
  });

  it('dates must be real calendar dates and times', async () => {
    expectRefused(await runCli(['backtest', '--from', '2022-02-30']), 'CONFIG_INVALID', /--from '2022-02-30' is not a calendar date/);
    expectRefused(await runCli(['backtest', '--from', '2022-01-03', '--to', '2022-01-03T24:00']), 'CONFIG_INVALID', /--to '2022-01-03T24:00' is not a time of day/);
  });

  it('fees are not negative unless a maker rebate is asked for by name', async () => {
    expectRefused(await runCli(['backtest', '--fee', '-0.5', ...SLICE]), 'CONFIG_INVALID', /--fee -0\.5 is negative.*--maker-fee/);
    expectRefused(await runCli(['backtest', '--taker-fee', '-0.001', ...SLICE]), 'CONFIG_INVALID', /--taker-fee -0\.001 is negative/);
    expectRefused(await runCli(['backtest', '--maker-fee', '-0.5', ...SLICE]), 'CONFIG_INVALID', /--maker-fee -0\.5 is a rebate of 50%/);
    // A real rebate runs: see the --out test below, which passes --maker-fee -0.0001.
  });

  it('slippage larger than the price is refused (slippage far from the market is warned about: see Rejected orders below)', async () => {
    expectRefused(await runCli(['backtest', '--slippage', '1e12', ...SLICE]), 'CONFIG_INVALID', /--slippage .* is larger than the lowest BTC-PERP\.FTX price/);
  });

  it('errors name the option that was given (--risk x is a --risk error)', async () => {
    expectRefused(await runCli(['backtest', '--risk', 'x', ...SLICE]), 'CONFIG_INVALID', /--risk 'x' is not of the form name=value/, 1);
  });

  it('--out is created and checked for writing before the run, and never hangs', async () => {
    const started = Date.now();
    expectRefused(await runCli(['backtest', '--out', '/proc/autotrader-nope', ...SLICE]), 'CONFIG_INVALID', /--out \/proc\/autotrader-nope: cannot create the folder/, 1);
    expect(Date.now() - started).toBeLessThan(20_000);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    // Refused before the run: nothing on stdout (no summary), where it used to fail only after the whole backtest.
    expectRefused(await runCli(['backtest', '--out', join(file, 'report'), ...SLICE]), 'CONFIG_INVALID', /--out .*a-file is a file, not a folder/, 1);
    const nested = join(dir, 'deep', 'er', 'report');
    const ok = await runCli(['backtest', '--out', nested, '--maker-fee', '-0.0001', ...SLICE]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(nested).sort()).toEqual(['equity.csv', 'fills.csv', 'report.html', 'trades.csv']);
  });
});

describe('output (issue 11, point 3)', { timeout: 180_000 }, () => {
  it('Rejected orders counts orders the venue cancelled at fill for lack of funds', async () => {
    const text = await runCli(['backtest', '--slippage', '20000', ...SLICE]);
    expect(text.code, text.stderr).toBe(0);
    // Slippage of 5% of the price is allowed, with one warning line.
    expect(lines(text.stderr)).toEqual([expect.stringMatching(/^warning: --slippage 20000 ticks .* is 5\.\d% of the lowest BTC-PERP\.FTX price/)]);
    const line = lines(text.stdout).find((l) => l.startsWith('Rejected orders:'));
    expect(line).toMatch(/^Rejected orders: (\d+) INSUFFICIENT_FUNDS \((\d+) cancelled at fill\)$/);
    const json = await runCli(['backtest', '--slippage', '20000', '--json', ...SLICE]);
    const out = JSON.parse(json.stdout) as { rejections: Record<string, number>; canceledByVenue: Record<string, number> };
    expect(out.canceledByVenue.INSUFFICIENT_FUNDS).toBeGreaterThan(0);
    expect(line).toBe(`Rejected orders: ${out.rejections.INSUFFICIENT_FUNDS} INSUFFICIENT_FUNDS (${out.canceledByVenue.INSUFFICIENT_FUNDS} cancelled at fill)`);
  });

  /** Runs the CLI with stdout into a reader that closes after `keep` bytes (0: closed before anything is written). */
  function runIntoClosingReader(args: string[], keep: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; got: number }> {
    return new Promise((done, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'packages/cli/src/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let got = 0;
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      if (keep === 0) child.stdout.destroy();
      else
        child.stdout.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (got >= keep) child.stdout.destroy();
        });
      child.on('error', reject);
      child.on('close', (code, signal) => done({ code, signal, stderr, got }));
    });
  }

  it('`backtest | head` and `--json | head -c 100` end quietly, as a closed pipe does (141)', async () => {
    const text = await runIntoClosingReader(['backtest', ...SLICE], 0);
    expect(text.stderr).not.toMatch(/EPIPE|\n\s+at |error /);
    expect(text.code, text.stderr).toBe(141);
    // The whole month's JSON is far larger than a pipe's buffer: the writes after the reader left fail.
    const json = await runIntoClosingReader(['backtest', '--json'], 100);
    expect(json.got).toBeGreaterThanOrEqual(100);
    expect(json.stderr).not.toMatch(/EPIPE|\n\s+at |error /);
    expect(json.code, json.stderr).toBe(141);
  });
});

describe('no user mistake ends in INTERNAL (issue 11, point 6)', { timeout: 180_000 }, () => {
  it('a malformed session.json for pnpm kill is SESSION_NOT_RUNNING or CONFIG_INVALID naming the file', async () => {
    const notJson = mkdtempSync(join(dir, 'kill-'));
    writeFileSync(join(notJson, 'session.json'), '{"pid": 12');
    expectRefused(await runCli(['kill', '--state-dir', notJson]), 'SESSION_NOT_RUNNING', /session\.json is not valid JSON/, 1);
    const folder = mkdtempSync(join(dir, 'kill-'));
    mkdirSync(join(folder, 'session.json'));
    expectRefused(await runCli(['kill', '--state-dir', folder]), 'CONFIG_INVALID', /session\.json is a folder, not a session record/, 1);
    const file = join(dir, 'state-file');
    writeFileSync(file, 'x');
    expectRefused(await runCli(['kill', '--state-dir', file]), 'CONFIG_INVALID', /--state-dir .*state-file: .* is not a folder/, 1);
  });

  it('a journal path that is a folder is JOURNAL_PATH_INVALID, not DATA_NOT_FOUND with a data import hint', async () => {
    const journal = mkdtempSync(join(dir, 'journal-'));
    // Local addresses only: the path is refused before anything would connect.
    const run = await runCli(['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--journal', journal, '--startup-max-wait-ms', '0', '--venue-opt', 'restUrl=http://127.0.0.1:9', '--venue-opt', 'streamUrl=ws://127.0.0.1:9', '--venue-opt', 'wsApiUrl=ws://127.0.0.1:9']);
    const line = expectRefused(run, 'JOURNAL_PATH_INVALID', /--journal .*journal-\w+ is a folder, not a file/, 1);
    expect(line).not.toMatch(/data import|DATA_NOT_FOUND/);
    expect(line).toMatch(/--journal .*\.jsonl/);
  });

  it('a config file that starts with a UTF-8 BOM is read', async () => {
    const config = join(dir, 'bom.json');
    writeFileSync(config, '\uFEFF' + JSON.stringify({ risk: { maxOrderNotional: 1 } }));
    const run = await runCli(['backtest', '--config', config, '--json', ...SLICE]);
    expect(run.code, run.stderr).toBe(0);
    // The file's risk limit was applied: every order is over 1 USD of notional.
    expect((JSON.parse(run.stdout) as { rejections: Record<string, number> }).rejections.RISK_MAX_NOTIONAL).toBeGreaterThan(0);
    expect(existsSync(config)).toBe(true);
  });
});
