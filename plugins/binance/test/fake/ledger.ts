/**
 * The account's balances as Binance prints them. The ledger itself (free and locked per asset, the
 * assets each action changed) is the kit's; here are the wire views: balances with 8 places, and
 * the `outboundAccountPosition` event an action sends for the assets it changed.
 * @module
 */
import { Ledger } from '@autotrader/testkit/fake-venue';
import { inputDecimal, wire } from './format';

export { Ledger };

/** A balance as printed on the wire. */
export interface WireBalance {
  readonly free: string;
  readonly locked: string;
}

/** A ledger holding `initial` free balances (decimal strings a test passed: a bad one is CONFIG_INVALID). */
export function createLedger(initial: Readonly<Record<string, string>>, now: () => number): Ledger {
  return new Ledger(Object.fromEntries(Object.entries(initial).map(([asset, amount]) => [asset, inputDecimal(`balance of ${asset}`, amount)])), now);
}

/** All balances, printed. */
export function wireBalances(ledger: Ledger): Record<string, WireBalance> {
  const out: Record<string, WireBalance> = {};
  for (const a of ledger.assets()) out[a] = { free: wire(ledger.free(a)), locked: wire(ledger.locked(a)) };
  return out;
}

/**
 * The `outboundAccountPosition` event for the assets changed since the last call ("sent any time
 * an account balance has changed and contains the assets that were possibly changed by the event",
 * user-data-stream.md), or undefined when nothing changed. Clears the record.
 */
export function takeAccountPosition(ledger: Ledger, eventTime: number): Record<string, unknown> | undefined {
  const changed = ledger.takeChanged();
  if (changed.length === 0) return undefined;
  return { e: 'outboundAccountPosition', E: eventTime, u: ledger.updateTime(), B: changed.map((a) => ({ a, f: wire(ledger.free(a)), l: wire(ledger.locked(a)) })) };
}
