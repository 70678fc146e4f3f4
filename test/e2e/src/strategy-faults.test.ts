import { describe, expect, it } from 'vitest';
import { runCli } from './cli';

/** A backtest of one day of the embedded BTC-PERP month (1,498 bars) with a fixture strategy. */
const backtest = (fixture: string, ...extra: string[]): Promise<Awaited<ReturnType<typeof runCli>>> =>
  runCli(['backtest', '--strategy', `test/e2e/src/fixtures/${fixture}.ts`, '--to', '2022-01-02', ...extra]);

const lines = (text: string, pattern: RegExp): string[] => text.split('\n').filter((l) => pattern.test(l));

describe('strategy faults are reported (issue 11)', () => {
  it('an async bar handler that throws stops the backtest with STRATEGY_ERROR naming the strategy, the event and its time; no summary', async () => {
    const run = await backtest('async-throw', '--param', 'where=bar');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error STRATEGY_ERROR: strategy:async-throw failed in async 'bar' handler: async bar handler failed (event #6 at 2021-12-31T23:07:00.000Z)");
    expect(run.stdout).not.toContain('Final equity');
    expect(run.stderr).not.toContain('    at '); // no raw Node stack
  }, 60_000);

  it('the same after an await, with --json: nothing on stdout', async () => {
    const run = await backtest('async-throw', '--param', 'where=bar-await', '--json');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("STRATEGY_ERROR: strategy:async-throw failed in async 'bar' handler: async bar handler failed (event #6 at 2021-12-31T23:07:00.000Z)");
  }, 60_000);

  it('an async timer callback, an async create, and a handler that fails after the replay moved on are caught too', async () => {
    const [timer, create, late] = await Promise.all([
      backtest('async-throw', '--param', 'where=timer'),
      backtest('async-throw', '--param', 'where=create'),
      backtest('async-throw', '--param', 'where=late', '--param', 'atBar=1490'),
    ]);
    expect(timer.code).toBe(1);
    expect(timer.stderr).toContain("STRATEGY_ERROR: strategy:async-throw failed in async timer 'tick': async timer failed (event #6 at 2021-12-31T23:07:00.000Z)");
    expect(create.code).toBe(1);
    expect(create.stderr).toContain('STRATEGY_ERROR: strategy:async-throw failed in async create: async create failed');
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/STRATEGY_ERROR: strategy:async-throw failed in async 'bar' handler begun at event #1491: async bar handler failed/);
    for (const run of [timer, create, late]) expect(run.stdout).not.toContain('Final equity');
  }, 90_000);

  it('a submit to an unknown instrument returns a rejected order (INSTRUMENT_UNKNOWN) and the run goes on', async () => {
    const run = await backtest('unknown-instrument');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('unknown-instrument: rejected INSTRUMENT_UNKNOWN');
    expect(run.stdout).toContain('Rejected orders: 1 INSTRUMENT_UNKNOWN');
    const json = await backtest('unknown-instrument', '--json');
    const out = JSON.parse(json.stdout) as { rejections: Record<string, number>; fills: unknown[] };
    expect(out.rejections).toEqual({ INSTRUMENT_UNKNOWN: 1 });
    expect(out.fills).toHaveLength(1); // the real buy later in the run was placed and filled
  }, 60_000);

  it('an order flood ends the backtest at the default 10,000 orders per event, naming the strategy and the event', async () => {
    const run = await backtest('order-flood', '--param', 'orders=20000');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('STRATEGY_ERROR: strategy:order-flood threw on');
    expect(run.stderr).toContain('strategy:order-flood sent more than 10,000 orders while handling one event');
    expect(run.stderr).toContain('(event #11 at 2021-12-31T23:12:00.000Z)');
    expect(run.stdout).not.toContain('Final equity');
  }, 60_000);

  it('--max-orders-per-event raises the limit: 1e5 orders in one handler finish, at a cost per order like 1e3', async () => {
    const [small, large] = [await backtest('order-flood', '--param', 'orders=1000', '--param', 'type=market'), await backtest('order-flood', '--param', 'orders=100000', '--param', 'type=market', '--max-orders-per-event', '100000')];
    for (const run of [small, large]) expect(run.code, run.stderr).toBe(0);
    const micros = (run: { stderr: string }): number => Number(/([\d.]+) µs per order/.exec(run.stderr)![1]);
    // The first 1e3 orders include the JIT's warm-up; the old open-order array made 1e5 cost 40 µs or more each.
    expect(micros(large)).toBeLessThan(Math.max(micros(small), 5) * 2);
    const refused = await backtest('order-flood', '--max-orders-per-event', '0');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CONFIG_INVALID: --max-orders-per-event must be a whole number ≥ 1, got 0');
  }, 120_000);

  it('a handler that busy-loops is reported once, on one line naming the strategy; the run still succeeds', async () => {
    const run = await backtest('slow-handler', '--param', 'ms=1500');
    expect(run.code, run.stderr).toBe(0);
    const warnings = lines(run.stderr, /is slow/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARN .*strategy 'slow-handler' is slow: events #1–#256 \(to 2022-01-01T03:17:00\.000Z\) took 1\.\d s of wall time/);
    expect(run.stdout).toContain('Final equity');
    const quick = await backtest('slow-handler', '--param', 'ms=0');
    expect(lines(quick.stderr, /is slow/)).toEqual([]);
  }, 60_000);

  it('a new subscription on every bar is reported once; the same churn with unsubscribe is not', async () => {
    const [leaky, tidy] = await Promise.all([backtest('subscription-leak'), backtest('subscription-leak', '--param', 'unsubscribe=true')]);
    expect(leaky.code, leaky.stderr).toBe(0);
    const warnings = lines(leaky.stderr, /keeps adding subscriptions/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("strategy 'subscription-leak' keeps adding subscriptions: 102 live now, 2 after create");
    expect(tidy.code, tidy.stderr).toBe(0);
    expect(lines(tidy.stderr, /keeps adding subscriptions/)).toEqual([]);
  }, 60_000);
});
