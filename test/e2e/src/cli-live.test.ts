import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from './cli';

const KEYS = { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET };
let fake: FakeBinance;
const venueOpts = (): string[] => ['--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`];

beforeEach(async () => {
  fake = await startFakeBinance({ balances: { USDT: '100000' }, marketFillRule: 'next-trade' });
});
afterEach(async () => {
  await fake.close();
});

/** Prints trades on the fake until `done()` says stop. */
async function pumpTrades(done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let k = 0;
  while (!done() && Date.now() < deadline) {
    fake.trade('BTCUSDT', (30_000 + ((k * 37) % 11) - 5).toFixed(2), '1');
    k++;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pnpm live / pnpm paper against the fake Binance', () => {
  it('runs a live session that trades, records, shuts down on SIGINT with exit 0, and never prints or records a secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-live-'));
    const cli = startCli(['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=2', '--record', dir, '--verbose', ...venueOpts()], { env: KEYS });
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000);
    expect(cli.output().stderr).toMatch(/live session started on binance: BTCUSDT.BINANCE/);
    await pumpTrades(() => fake.orders().filter((o) => o.status === 'FILLED').length >= 4);
    expect(fake.orders().filter((o) => o.status === 'FILLED').length).toBeGreaterThanOrEqual(4);
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/stopped cleanly/);
    // Nothing is left open at the venue: the last resting order was cancelled on shutdown.
    expect(fake.orders().filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')).toEqual([]);
    const files = readdirSync(dir);
    expect(files).toEqual(['BTCUSDT.BINANCE-trade.arrow']);
    for (const secret of [FAKE_API_KEY, FAKE_API_SECRET]) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
      for (const f of files) expect(readFileSync(join(dir, f)).includes(Buffer.from(secret))).toBe(false);
    }
    // The recording replays as a backtest.
    const replay = await runCli(['backtest', '--data', dir, '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=2', '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect((JSON.parse(replay.stdout) as { fills: unknown[] }).fills.length).toBeGreaterThan(0);
  }, 60_000);

  it('keeps open orders with --keep-orders', async () => {
    const cli = startCli(['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=1', '--keep-orders', ...venueOpts()], { env: KEYS });
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000);
    fake.trade('BTCUSDT', '30000.00', '1');
    await waitFor('an order to rest at the venue', () => fake.orders().some((o) => o.status === 'NEW'), 10_000);
    cli.child.kill('SIGTERM');
    const run = await cli.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(fake.orders().filter((o) => o.status === 'NEW')).toHaveLength(1);
  }, 60_000);

  it('paper-trades on live data with the simulated venue: no order reaches Binance', async () => {
    const cli = startCli(['paper', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=2', '--verbose', ...venueOpts()], { env: KEYS });
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000);
    expect(cli.output().stderr).toMatch(/paper session started on binance/);
    await pumpTrades(() => false, 1_000);
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(fake.orders()).toEqual([]);
    expect(fake.requests().some((r) => r.path === '/api/v3/order')).toBe(false);
  }, 60_000);

  it('prints a mainnet banner only with --mainnet', async () => {
    const cli = startCli(['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--mainnet', ...venueOpts()], { env: KEYS });
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000);
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(run.stderr).toMatch(/MAINNET: REAL MONEY/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('pnpm kill from another terminal halts the session: our orders are cancelled and no new order is sent', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'autotrader-state-'));
    const cli = startCli(['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=1', '--state-dir', stateDir, ...venueOpts()], { env: KEYS });
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000);
    fake.trade('BTCUSDT', '30000.00', '1');
    await waitFor('an order to rest at the venue', () => fake.orders().some((o) => o.status === 'NEW'), 10_000);
    const kill = await runCli(['kill', '--state-dir', stateDir, '--reason', 'operator says stop']);
    expect(kill.code, kill.stderr).toBe(0);
    expect(kill.stdout).toMatch(/kill switch → halted sent to live session pid \d+ \(binance\)/);
    await waitFor('the resting order to be cancelled', () => fake.orders().every((o) => o.status !== 'NEW'), 10_000);
    const before = fake.orders().length;
    for (let k = 0; k < 5; k++) {
      fake.trade('BTCUSDT', '30001.00', '1');
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(fake.orders()).toHaveLength(before);
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/trading state → halted: operator says stop/);
  }, 60_000);

  it('bad input gets a coded one-line error', async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['live', '--venue', 'kraken-nope', '--symbol', 'BTCUSDT'], KEYS, /^error PLUGIN_NOT_FOUND: unknown venue 'kraken-nope'/],
      [['live', '--venue', 'binance', '--symbol', 'BTCUSDT', ...venueOpts()], { BINANCE_API_KEY: '', BINANCE_API_SECRET: '' }, /^error AUTH_MISSING: .*BINANCE_API_KEY/],
      [['live', '--venue', 'binance', '--symbol', 'NOPEUSDT', ...venueOpts()], KEYS, /^error INSTRUMENT_UNKNOWN: binance does not list 'NOPEUSDT'/],
      [['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--venue-opt', 'recvWindow=999999', ...venueOpts()], KEYS, /^error CONFIG_INVALID: .*recvWindow/],
    ];
    for (const [args, env, pattern] of cases) {
      const run = await runCli(args, { env });
      expect(run.code, run.stderr).toBe(1);
      // Info lines about start-up may come first; the error is the last line, and there is no stack trace.
      expect(run.stderr.trim().split('\n').pop()).toMatch(pattern);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toContain(FAKE_API_SECRET);
    }
  }, 60_000);
});
