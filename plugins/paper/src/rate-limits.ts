import type { RateLimitRule, VenueRequest } from '@autotrader/core';
import type { RuleViolation } from './rules';

interface Window {
  readonly rule: RateLimitRule;
  readonly at: number[];
  readonly weight: number[];
  used: number;
}

/**
 * A venue's weighted rate limits, enforced the way a venue does: a request that would go over a
 * limit is refused with RATE_LIMITED (and not counted), so a backtest shows a strategy that a real
 * venue would throttle. Sliding windows on the simulated clock; no work at all when there are no rules.
 */
export class VenueRateLimits {
  private readonly windows: Window[];

  constructor(
    rules: readonly RateLimitRule[],
    private readonly weights: Readonly<Partial<Record<VenueRequest, number>>>,
  ) {
    this.windows = rules.map((rule) => ({ rule, at: [], weight: [], used: 0 }));
  }

  /** Counts `request` at `now`, or returns why the venue refuses it. */
  admit(request: VenueRequest, now: number): RuleViolation | undefined {
    if (this.windows.length === 0) return undefined;
    const weight = this.weights[request] ?? 1;
    const isOrder = request === 'submit' || request === 'modify';
    for (const w of this.windows) {
      while (w.at.length > 0 && w.at[0]! <= now - w.rule.intervalMs) {
        w.at.shift();
        w.used -= w.weight.shift()!;
      }
      const cost = w.rule.scope === 'orders' ? (isOrder ? 1 : 0) : weight;
      if (cost > 0 && w.used + cost > w.rule.limit) {
        return { code: 'RATE_LIMITED', reason: `${w.rule.name}: ${w.used} + ${cost} would exceed ${w.rule.limit} per ${w.rule.intervalMs} ms` };
      }
    }
    for (const w of this.windows) {
      const cost = w.rule.scope === 'orders' ? (isOrder ? 1 : 0) : weight;
      if (cost === 0) continue;
      w.at.push(now);
      w.weight.push(cost);
      w.used += cost;
    }
    return undefined;
  }
}
