import fc from 'fast-check';
import { expect, vi } from 'vitest';
import { AutotraderError, ERROR_CODES } from '@autotrader/core';

/**
 * Settings shared by every property of the fuzz suite.
 *
 * The normal run (`pnpm test`) uses a fixed seed and few runs per property, so it is reproducible and
 * quick. `AUTOTRADER_FUZZ=long` runs many more cases from a random seed, printed first so that a failure
 * can be replayed with `AUTOTRADER_FUZZ_SEED=<seed>` (which also fixes the seed of a normal run).
 */
export const LONG = process.env.AUTOTRADER_FUZZ === 'long';

/** The seed of the normal run: fixed, so `pnpm test` always checks the same cases. */
const FIXED_SEED = 20_261_207;

const givenSeed = process.env.AUTOTRADER_FUZZ_SEED === undefined ? undefined : Number(process.env.AUTOTRADER_FUZZ_SEED);

/** The seed of this process: given, fixed (normal run) or random (long run). */
export const SEED = givenSeed !== undefined && Number.isSafeInteger(givenSeed) ? givenSeed : LONG ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : FIXED_SEED;

/** How many more cases the long mode runs than the normal one. */
export const LONG_FACTOR = 50;

// The long mode runs each property for minutes: far past the normal 30 s a test may take.
if (LONG) vi.setConfig({ testTimeout: 900_000 });
let announced = false;

/**
 * fast-check parameters for one property: `normalRuns` cases in the normal run, {@link LONG_FACTOR} times
 * more in the long one, always from {@link SEED}. `timeoutMs` bounds each async case, so a hang fails
 * the property (and is shrunk) instead of stalling the suite.
 */
export function params<T>(normalRuns: number, timeoutMs = 5_000): fc.Parameters<T> {
  if (LONG && !announced) {
    // Each test file runs in its own worker with its own random seed: name the file with it.
    announced = true;
    const file = expect.getState().testPath?.replace(/.*\/test\/fuzz\//, 'test/fuzz/') ?? 'this file';
    process.stderr.write(`fuzz: long mode, ${file} seed ${SEED} (replay: AUTOTRADER_FUZZ=long AUTOTRADER_FUZZ_SEED=${SEED} pnpm vitest run ${file})\n`);
  }
  return { numRuns: LONG ? normalRuns * LONG_FACTOR : normalRuns, seed: SEED, timeout: timeoutMs, endOnFailure: false };
}

/** The longest a synchronous parser may take on one small generated input before it counts as a hang. */
export const SYNC_BOUND_MS = 2_000;

/**
 * Runs `work` and returns what it ended in: its result, or the error it threw. A thrown value that is
 * not an {@link AutotraderError} with a known code (a TypeError, a RangeError, a plain Error, or INTERNAL,
 * which is reserved for our own bugs) fails the test, naming what was thrown. A synchronous call that
 * takes longer than {@link SYNC_BOUND_MS} fails as a hang.
 */
export async function codedOrValue<T>(work: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AutotraderError }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ok: true, value };
  } catch (error) {
    expectCoded(error);
    return { ok: false, error: error as AutotraderError };
  } finally {
    const took = performance.now() - started;
    // The long mode runs with every core busy: a case that takes 1.4 s alone then takes several.
    expect(took, `one case took ${took.toFixed(0)} ms`).toBeLessThan(SYNC_BOUND_MS * (LONG ? 5 : 1));
  }
}

/** Fails unless `error` is an AutotraderError with a code from the table, other than INTERNAL. */
export function expectCoded(error: unknown): asserts error is AutotraderError {
  if (!(error instanceof AutotraderError)) {
    const what = error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    throw new Error(`expected a coded AutotraderError, got ${what}`);
  }
  expect(Object.keys(ERROR_CODES)).toContain(error.code);
  expect(error.code, `INTERNAL is for our own bugs: ${error.message}`).not.toBe('INTERNAL');
  expect(error.message.length).toBeGreaterThan(0);
}

/** Text that looks like a number to a careless parser, and often is not a good one. */
export const nastyNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('NaN', 'nan', 'Infinity', '-Infinity', 'inf', '1e309', '-1e309', '1e-400', '0', '-0', '-1', '-0.0001', '1e21', '9007199254740993', '0x10', '1_000', '1,5', '.', '-', '+', '', ' ', '1e', 'e5', '--1', '١٢٣', '1.2.3', 'null', 'true', '"1"', "'1'"),
  fc.double().map(String),
  fc.integer().map(String),
  fc.string({ maxLength: 6 }),
);

/** Text that looks like a time to a careless parser. */
export const nastyTime: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('2022-02-30', '2022-13-01', '2022-00-10', '0000-01-01', '9999-12-31T23:59:59Z', '2022-01-01T25:00', '2022-01-01T12:60', '20220230', '20221301', '1e20', '-1', '0', '1640995200', '1640995200000', '1640995200000000', '1640995200000000000', '99999999999999999999999', 'NaN', 'Infinity', '2022-01-01T00:00:00+25:00', '2022-01-01 00:00:00.1234567', 'yesterday', '', ' '),
  fc.integer({ min: -1e12, max: 4e12 }).map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
