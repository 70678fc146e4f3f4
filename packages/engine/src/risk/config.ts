import { z } from 'zod';
import { Decimal } from '@autotrader/core';

/** True when the exact decimal parser reads `v` as a finite number above zero (not just `Number()`: ' 5' and '0x10' are refused). */
function isPositiveDecimal(v: number | string): boolean {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0;
  try {
    const d = new Decimal(v);
    return d.isFinite() && d.gt(0) && d.toNumber() === Number(v);
  } catch {
    return false;
  }
}

const positiveDecimal = z
  .union([z.number(), z.string()])
  .refine(isPositiveDecimal, 'must be a decimal number greater than zero, such as 5 or 0.25')
  .transform((v) => String(v));

/**
 * Pre-trade risk limits. Every field is optional: an absent limit is not checked. Amounts are in the
 * instrument's quote currency (notional, daily loss in the account currency).
 */
export const riskConfigSchema = z
  .object({
    /** Largest quantity of one order. */
    maxOrderQuantity: positiveDecimal.optional(),
    /** Largest price × quantity of one order (market orders at the last price). */
    maxOrderNotional: positiveDecimal.optional(),
    /** Largest absolute position per instrument, counting open orders on the same side. */
    maxPosition: positiveDecimal.optional(),
    /** Most orders open at once (all instruments). */
    maxOpenOrders: z.number().int().positive().optional(),
    /** Largest distance of a limit/stop price from the last trade or quote, as a fraction (0.05 = 5%). */
    priceBandPct: z.number().positive().max(1).optional(),
    /** At most `count` orders per `intervalMs`. */
    orderRate: z.object({ count: z.number().int().positive(), intervalMs: z.number().int().positive() }).strict().optional(),
    /** Loss since 00:00 UTC (equity drop) that trips the kill switch to halt. */
    maxDailyLoss: positiveDecimal.optional(),
  })
  .strict();

/** Validated risk limits. */
export type RiskConfig = z.output<typeof riskConfigSchema>;
