/**
 * Orders the venue or the risk checks turned away, by error code: those rejected when submitted, and
 * those the venue accepted and then cancelled itself when a fill came (a simulated market buy whose
 * slipped fill costs more than the free cash is cancelled INSUFFICIENT_FUNDS at fill time).
 */
export interface Refusals {
  /** Orders rejected at submission, by code. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Orders the venue cancelled on its own for a coded reason, by code. */
  readonly canceled: Readonly<Record<string, number>>;
}

/** Every refused order by code, rejected and cancelled alike, codes in alphabetical order. */
export function refusalTotals(refusals: Refusals): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const counts of [refusals.rejected, refusals.canceled]) for (const [code, n] of Object.entries(counts)) totals[code] = (totals[code] ?? 0) + n;
  return Object.fromEntries(Object.entries(totals).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The summary's `Rejected orders:` line, or undefined when no order was refused. A code with orders
 * cancelled at fill time says how many: `Rejected orders: 7 INSUFFICIENT_FUNDS (5 cancelled at fill), 2 RISK_MAX_NOTIONAL`.
 */
export function formatRefusals(refusals: Refusals): string | undefined {
  const totals = Object.entries(refusalTotals(refusals));
  if (totals.length === 0) return undefined;
  const parts = totals.map(([code, n]) => {
    const atFill = refusals.canceled[code] ?? 0;
    return `${n.toLocaleString('en-US')} ${code}${atFill > 0 ? ` (${atFill.toLocaleString('en-US')} cancelled at fill)` : ''}`;
  });
  return `Rejected orders: ${parts.join(', ')}`;
}
