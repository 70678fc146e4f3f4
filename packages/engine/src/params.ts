import { AutotraderError, type StrategyDefinition } from '@autotrader/core';

/** Validates raw parameters against a strategy's zod schema; PARAM_INVALID names each bad field. */
export function validateParams(definition: StrategyDefinition, raw: unknown): unknown {
  const result = definition.params.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
  throw new AutotraderError('PARAM_INVALID', `strategy '${definition.name}': ${problems}`, { details: { issues: result.error.issues } });
}
