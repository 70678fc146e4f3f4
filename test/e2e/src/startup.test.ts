import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderJournal } from '@autotrader/engine';
import { startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from './cli';
import { duplicateOrders, FAKE_KEYS, fakeVenueOpts, linesOf, tradeTape, workingAtVenue } from './live-cli';

let fake: FakeBinance;
let dir: string;
beforeEach(async () => {
  fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '0' }, marketFillRule: 'next-trade' });
  dir = mkdtempSync(join(tmpdir(), 'autotrader-startup-'));
});
afterEach(async () => {
  await fake.close();
});

const live = (...args: string[]): string[] => ['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--state-dir', join(dir, 'state'), ...args];
/** A port on 127.0.0.1 where nothing listens: connecting fails at once (a network error). */
const DEAD_STREAM_URL = 'ws://127.0.0.1:9';

/** The CLI exits promptly after it printed its error: nothing it opened keeps it alive. */
async function expectPromptExit(run: Promise<{ code: number | null; stderr: string }>, startedAt: number, budgetMs: number): Promise<{ code: number | null; stderr: string }> {
  const result = await run;
  expect(Date.now() - startedAt, result.stderr).toBeLessThan(budgetMs);
  expect(result.stderr).not.toMatch(/still running 3 s after the command finished/);
  return result;
}

describe('start-up under venue trouble', () => {
  it('a 429 (Retry-After) and a 5xx during start-up: it waits with one line per wait, then starts, trades and stops cleanly', async () => {
    fake.faults.rateLimit(1, { retryAfterSec: 1, target: (r) => r.path === '/api/v3/exchangeInfo' });
    fake.faults.serverError(2, 503, (r) => r.path === '/api/v3/account');
    const config = join(dir, 'autotrader.json');
    writeFileSync(config, JSON.stringify({ startupRetry: { baseDelayMs: 100, maxDelayMs: 200 } }));
    const cli = startCli(live('--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=1', '--config', config, ...fakeVenueOpts(fake)), { env: FAKE_KEYS });
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 40_000);
    const waits = linesOf(cli.output().stderr).filter((l) => l.includes('start-up: waiting'));
    expect(waits[0], cli.output().stderr).toMatch(/start-up: waiting 1\.0 s for binance instruments \(the venue asked us to wait; gives up in 120 s\): RATE_LIMITED: .*exchangeInfo/);
    expect(waits.slice(1), cli.output().stderr).toEqual([
      expect.stringMatching(/start-up: waiting 100 ms for binance (balances|account) \(retrying with backoff; gives up in .*\): VENUE_(UNAVAILABLE|TIMEOUT): .*\/api\/v3\/account/),
      expect.stringMatching(/start-up: waiting 200 ms for binance (balances|account) \(retrying with backoff; gives up in .*\): VENUE_(UNAVAILABLE|TIMEOUT): .*\/api\/v3\/account/),
    ]);
    // The 429 was waited out, not hammered: the retry came after its Retry-After.
    const infos = fake.requests().filter((r) => r.path === '/api/v3/exchangeInfo');
    expect(infos).toHaveLength(2);
    expect(infos[1]!.at - infos[0]!.at).toBeGreaterThanOrEqual(950);

    const tape = tradeTape(fake, 15);
    try {
      await waitFor('the strategy to trade', () => fake.orders().filter((o) => o.status === 'FILLED').length >= 2, 20_000);
    } finally {
      tape.stop();
    }
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(linesOf(run.stderr).at(-1)).toBe('stopped cleanly');
    expect(workingAtVenue(fake)).toEqual([]);
    expect(duplicateOrders(fake)).toEqual([]);
  }, 90_000);

  it('a venue that stays unreachable exhausts the limit: STARTUP_FAILED naming the last error, non-zero, journal lock and sockets released, prompt exit', async () => {
    const journal = join(dir, 'orders.jsonl');
    const config = join(dir, 'autotrader.json');
    writeFileSync(config, JSON.stringify({ startupRetry: { baseDelayMs: 100, maxDelayMs: 200 } }));
    const opts = ['--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${DEAD_STREAM_URL}`];
    const startedAt = Date.now();
    // The strategy is created before the market data connects: its timer places resting orders meanwhile.
    const strategy = ['--strategy', 'test/e2e/src/fixtures/busy-trader.ts', '--param', 'everyMs=50', '--param', 'trade=false'];
    const run = await expectPromptExit(runCli(live(...strategy, '--journal', journal, '--config', config, '--startup-max-wait-ms', '700', ...opts), { env: FAKE_KEYS }), startedAt, 30_000);
    const lines = linesOf(run.stderr);
    expect(run.code, run.stderr).toBe(1);
    expect(lines.at(-1)).toMatch(/^error STARTUP_FAILED: start-up gave up on binance (market-data connection|trade subscription for BTCUSDT\.BINANCE): still failing after .* \(startupRetry\.maxWaitMs 700\); last error VENUE_UNAVAILABLE: /);
    expect(lines.filter((l) => l.includes('start-up: waiting')).length).toBeGreaterThanOrEqual(2);
    // The order connection had been opened (user data subscribed) before the data connection failed.
    expect(fake.requests().some((r) => r.path === 'userDataStream.subscribe.signature')).toBe(true);
    // Orders the strategy placed during start-up are not left working behind a process that is gone.
    expect(fake.orders().length, run.stderr).toBeGreaterThan(0);
    expect(workingAtVenue(fake), run.stderr).toEqual([]);
    expect(run.stderr).toMatch(/start-up failed after the strategy sent \d+ order\(s\); stopping as at a shutdown before exiting/);
    // The journal lock was released, not merely left to a dead pid: a second session opens it at once.
    expect(existsSync(`${journal}.lock`)).toBe(false);
    OrderJournal.open(journal).close();
    // And no record of a session that is not running is left for `pnpm kill`.
    expect(existsSync(join(dir, 'state', 'session.json'))).toBe(false);
  }, 60_000);

  it('Ctrl-C during a start-up wait ends the wait at once and stops cleanly', async () => {
    const journal = join(dir, 'orders.jsonl');
    const opts = ['--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${DEAD_STREAM_URL}`];
    const cli = startCli(live('--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--journal', journal, ...opts), { env: FAKE_KEYS });
    await waitFor('a start-up wait', () => /start-up: waiting/.test(cli.output().stderr) || cli.child.exitCode !== null, 30_000);
    const signalledAt = Date.now();
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(Date.now() - signalledAt, run.stderr).toBeLessThan(3_000);
    expect(run.code, run.stderr).toBe(0);
    expect(linesOf(run.stderr).at(-1)).toBe('stopped cleanly');
    expect(existsSync(`${journal}.lock`)).toBe(false);
  }, 60_000);

  it('any start-up failure (--interval banana) releases the journal lock and exits promptly', async () => {
    const journal = join(dir, 'orders.jsonl');
    const startedAt = Date.now();
    const run = await expectPromptExit(runCli(live('--strategy', 'sma-cross', '--interval', 'banana', '--journal', journal, ...fakeVenueOpts(fake)), { env: FAKE_KEYS }), startedAt, 30_000);
    expect(run.code, run.stderr).toBe(1);
    expect(linesOf(run.stderr).at(-1)).toMatch(/^error CONFIG_INVALID: .*banana/);
    expect(existsSync(`${journal}.lock`)).toBe(false);
    OrderJournal.open(journal).close();
  }, 60_000);

  it('missing keys are reported before any network call', async () => {
    const run = await runCli(live(...fakeVenueOpts(fake)), { env: { BINANCE_API_KEY: '', BINANCE_API_SECRET: '' } });
    expect(run.code, run.stderr).toBe(1);
    expect(linesOf(run.stderr).at(-1)).toMatch(/^error AUTH_MISSING: .*BINANCE_API_KEY/);
    expect(fake.requests()).toEqual([]);
  }, 60_000);
});
