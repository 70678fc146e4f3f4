import { AutotraderError, checkSettings, type StrategyDefinition } from '@autotrader/core';

/**
 * Validates raw parameters against a strategy's zod schema. PARAM_INVALID names each bad field, and a
 * key the schema does not know is refused with the strategy's parameters listed (a misspelled
 * `--param` must not leave the default in force unnoticed). A strategy whose schema declares that it
 * takes other keys (`.passthrough()`, `z.looseObject`, a catchall) gets them.
 */
export function validateParams(definition: StrategyDefinition, raw: unknown): unknown {
  const result = checkSettings(definition.params, raw ?? {});
  if (result.success) return result.data;
  throw new AutotraderError('PARAM_INVALID', `strategy '${definition.name}': ${result.message}`, { details: { issues: result.issues } });
}
