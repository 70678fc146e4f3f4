import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AutotraderError, defineStrategy, type StrategyDefinition } from '@autotrader/core';
import { validateParams } from './params';

const strategy = (params: z.ZodType): StrategyDefinition => defineStrategy({ name: 'probe', params, create() {} }) as StrategyDefinition;

/** The coded error `validateParams` throws for these params. */
function failure(definition: StrategyDefinition, raw: unknown): AutotraderError {
  try {
    validateParams(definition, raw);
  } catch (error) {
    if (error instanceof AutotraderError) return error;
    throw error;
  }
  throw new Error('validateParams accepted the params');
}

const crossParams = z
  .object({ fast: z.number().int().positive().default(10), slow: z.number().int().positive().default(30), size: z.number().positive().default(1) })
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

describe('validateParams', () => {
  it('applies the schema’s defaults', () => {
    expect(validateParams(strategy(crossParams), { fast: 5 })).toEqual({ fast: 5, slow: 30, size: 1 });
    expect(validateParams(strategy(crossParams), undefined)).toEqual({ fast: 10, slow: 30, size: 1 });
  });

  it('refuses a key the strategy does not declare, naming it and listing the strategy’s parameters', () => {
    const error = failure(strategy(crossParams), { fats: 5 });
    expect(error.code).toBe('PARAM_INVALID');
    expect(error.message).toBe(`strategy 'probe': Unrecognized key: "fats" (did you mean "fast"? valid keys: fast, slow, size)`);
  });

  it('still names a bad value and the schema’s own refinements', () => {
    expect(failure(strategy(crossParams), { fast: 'abc' }).message).toMatch(/^strategy 'probe': fast: /);
    expect(failure(strategy(crossParams), { fast: 40 }).message).toBe(`strategy 'probe': fast: fast must be shorter than slow`);
  });

  it('a strategy whose schema takes other keys keeps getting them', () => {
    expect(validateParams(strategy(z.object({ a: z.number().default(1) }).passthrough()), { b: 2 })).toEqual({ a: 1, b: 2 });
    expect(validateParams(strategy(z.record(z.string(), z.number())), { anything: 2 })).toEqual({ anything: 2 });
  });
});
