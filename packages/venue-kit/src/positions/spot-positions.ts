import { quantity, type Balance, type Instrument, type VenuePosition } from '@autotrader/core';

/**
 * A spot venue's positions, as the engine compares them: the non-zero balance of each instrument's base
 * asset. A base asset shared by several instruments (BTC in BTCUSDT and BTCFDUSD) is one holding, so it
 * is reported once: on an instrument in `traded` if there is one, otherwise on the first listed.
 */
export function spotPositions(balances: readonly Balance[], instruments: readonly Instrument[], traded: ReadonlySet<string> = new Set()): VenuePosition[] {
  const byAsset = new Map(balances.filter((b) => !b.total.isZero()).map((b) => [b.currency, b]));
  const chosen = new Map<string, string>();
  for (const i of instruments) {
    if (!byAsset.has(i.base)) continue;
    const current = chosen.get(i.base);
    if (current === undefined || (!traded.has(current) && traded.has(i.id))) chosen.set(i.base, i.id);
  }
  return [...chosen].map(([asset, instrumentId]) => ({ instrumentId, quantity: quantity(byAsset.get(asset)!.total) }));
}
