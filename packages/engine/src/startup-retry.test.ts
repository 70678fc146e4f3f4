import { describe, expect, it } from 'vitest';
import { AutotraderError, type DataPort, type DataSubscription, type ExecutionPort, type Logger } from '@autotrader/core';
import { rejectionOf } from '@autotrader/testkit';
import { StartupRetry, startupRetryPolicy } from './startup-retry';

const rateLimited = (retryAfterMs: number): AutotraderError =>
  new AutotraderError('RATE_LIMITED', `GET /api/v3/exchangeInfo: 429 (wait ${retryAfterMs} ms)`, { details: { retryAfterMs } });
const unavailable = (): AutotraderError => new AutotraderError('VENUE_UNAVAILABLE', 'GET /api/v3/account: HTTP 503');

function lines(): { log: Logger; out: string[] } {
  const out: string[] = [];
  const log: Logger = { debug: () => {}, info: (m) => void out.push(m), warn: (m) => void out.push(m), error: (m) => void out.push(m), child: () => log };
  return { log, out };
}

/** A request that fails with each of `errors` in turn, then answers `value`. */
function flaky<T>(value: T, ...errors: unknown[]): { call: () => Promise<T>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    call: () => {
      calls.push(Date.now());
      const e = errors.shift();
      return e === undefined ? Promise.resolve(value) : Promise.reject(e);
    },
  };
}

describe('StartupRetry', () => {
  it('waits the Retry-After of a 429, with one line per wait saying what it waits for and why, then succeeds', async () => {
    const { log, out } = lines();
    const retry = new StartupRetry({ maxWaitMs: 5_000 }, log);
    const req = flaky('instruments', rateLimited(120), rateLimited(60));
    await expect(retry.run('binance instruments', req.call)).resolves.toBe('instruments');
    expect(req.calls).toHaveLength(3);
    expect(req.calls[1]! - req.calls[0]!).toBeGreaterThanOrEqual(115);
    expect(req.calls[2]! - req.calls[1]!).toBeGreaterThanOrEqual(55);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^start-up: waiting 120 ms for binance instruments \(the venue asked us to wait; gives up in 5\.0 s\): RATE_LIMITED: GET \/api\/v3\/exchangeInfo: 429/);
  });

  it('backs off (doubling) on a 5xx or network error', async () => {
    const { log, out } = lines();
    const retry = new StartupRetry({ maxWaitMs: 5_000, baseDelayMs: 40, maxDelayMs: 1_000 }, log);
    const req = flaky(1, unavailable(), unavailable(), unavailable());
    await retry.run('binance balances', req.call);
    const gaps = req.calls.slice(1).map((t, i) => t - req.calls[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);
    expect(out.map((l) => /waiting (\d+ ms) for binance balances \(retrying with backoff/.exec(l)?.[1])).toEqual(['40 ms', '80 ms', '160 ms']);
  });

  it('each request backs off from the first step; the time limit counts from the first failure of start-up', async () => {
    const { log, out } = lines();
    const retry = new StartupRetry({ maxWaitMs: 5_000, baseDelayMs: 40, maxDelayMs: 1_000 }, log);
    await retry.run('binance instruments', flaky(1, unavailable(), unavailable()).call);
    await new Promise((r) => setTimeout(r, 200));
    await retry.run('binance balances', flaky(1, unavailable()).call);
    expect(out.map((l) => /waiting (\d+ ms) for/.exec(l)?.[1])).toEqual(['40 ms', '80 ms', '40 ms']);
    // The budget left shrinks across requests: it is one limit for the whole start-up.
    expect(Number(/gives up in (\d\.\d) s/.exec(out[2]!)?.[1])).toBeLessThanOrEqual(4.7);
  });

  it('fails at once on a non-retryable error, without a wait', async () => {
    const { log, out } = lines();
    const retry = new StartupRetry({ maxWaitMs: 5_000 }, log);
    const req = flaky(1, new AutotraderError('INSTRUMENT_UNKNOWN', "binance does not list 'NOPE'"), unavailable());
    const error = await rejectionOf(retry.run('binance instruments', req.call));
    expect(error.code).toBe('INSTRUMENT_UNKNOWN');
    expect(req.calls).toHaveLength(1);
    expect(out).toEqual([]);
  });

  it('gives up with STARTUP_FAILED naming the last error once maxWaitMs has passed', async () => {
    const { log, out } = lines();
    const retry = new StartupRetry({ maxWaitMs: 250, baseDelayMs: 50, maxDelayMs: 50 }, log);
    const started = Date.now();
    const error = await rejectionOf(retry.run('binance order connection', () => Promise.reject(unavailable())));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe('STARTUP_FAILED');
    expect(error.message).toMatch(/^start-up gave up on binance order connection: still failing after .* \(startupRetry\.maxWaitMs 250\); last error VENUE_UNAVAILABLE: GET \/api\/v3\/account: HTTP 503$/);
    expect(out.length).toBeGreaterThanOrEqual(4);
  });

  it('fails at once when the venue asks for a wait longer than start-up may still wait (a 418 ban)', async () => {
    const retry = new StartupRetry({ maxWaitMs: 1_000 }, lines().log);
    const started = Date.now();
    const error = await rejectionOf(retry.run('binance instruments', () => Promise.reject(rateLimited(120_000))));
    expect(Date.now() - started).toBeLessThan(200);
    expect(error.code).toBe('STARTUP_FAILED');
    expect(error.message).toMatch(/the venue asks for a wait of 120 s, longer than start-up may still wait \(1\.0 s\)/);
  });

  it('maxWaitMs 0 gives up at the first failure', async () => {
    const retry = new StartupRetry({ maxWaitMs: 0 }, lines().log);
    const error = await rejectionOf(retry.run('binance instruments', () => Promise.reject(unavailable())));
    expect(error.code).toBe('STARTUP_FAILED');
  });

  it('abort() ends a wait at once', async () => {
    const retry = new StartupRetry({ maxWaitMs: 60_000 }, lines().log);
    const started = Date.now();
    const pending = rejectionOf(retry.run('binance instruments', () => Promise.reject(rateLimited(30_000))));
    setTimeout(() => retry.abort('a shutdown was asked for'), 50);
    const error = await pending;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe('STARTUP_FAILED');
    expect(error.details.interrupted).toBe(true);
  });

  it('after finish(), calls pass straight through', async () => {
    const retry = new StartupRetry({ maxWaitMs: 60_000 }, lines().log);
    retry.finish();
    const req = flaky(1, unavailable());
    expect((await rejectionOf(retry.run('x', req.call))).code).toBe('VENUE_UNAVAILABLE');
    expect(req.calls).toHaveLength(1);
  });

  it('wrap() retries the start-up requests of the ports, never an order, and keeps optional members absent', async () => {
    const retry = new StartupRetry({ maxWaitMs: 5_000, baseDelayMs: 1, maxDelayMs: 1 }, lines().log);
    const failing = (n: number) => {
      let left = n;
      return () => (left-- > 0 ? Promise.reject(unavailable()) : Promise.resolve());
    };
    const subs: DataSubscription[] = [];
    const data: DataPort = { connect: failing(2), disconnect: () => Promise.resolve(), subscribe: (s) => (subs.push(s), Promise.resolve()), unsubscribe: () => Promise.resolve() };
    let submits = 0;
    const balances = failing(3);
    const execution: ExecutionPort = {
      venue: 'X',
      connect: failing(1),
      disconnect: () => Promise.resolve(),
      submit: () => (submits++, Promise.reject(unavailable())),
      cancel: () => Promise.resolve(),
      order: () => Promise.resolve(undefined),
      openOrders: () => Promise.resolve([]),
      positions: () => Promise.resolve([]),
      balances: () => balances().then(() => []),
    };
    const wrapped = retry.wrap({ name: 'x', loadInstruments: () => Promise.resolve([]), data, execution });
    await wrapped.data.connect();
    await wrapped.execution!.connect(() => {});
    await wrapped.execution!.balances();
    expect((await rejectionOf(Promise.resolve(wrapped.execution!.submit({} as never)))).code).toBe('VENUE_UNAVAILABLE');
    expect(submits).toBe(1);
    expect(wrapped.execution!.modify).toBeUndefined();
    expect(wrapped.execution!.fillsSince).toBeUndefined();
    expect('preflight' in wrapped.execution!).toBe(false);
  });

  it('checks its policy', () => {
    expect(() => startupRetryPolicy({ maxWaitMs: -1 })).toThrow(/startupRetry\.maxWaitMs must be/);
    expect(() => startupRetryPolicy({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs/);
  });
});
