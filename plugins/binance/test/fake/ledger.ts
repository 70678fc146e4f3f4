/**
 * The account's balances (free and locked per asset), with a record of which assets changed so the
 * user data stream can send one `outboundAccountPosition` per action.
 * @module
 */
import type { Decimal } from '@autotrader/core';
import { ZERO, inputDecimal, wire } from './format';

/** A balance as printed on the wire. */
export interface WireBalance {
  readonly free: string;
  readonly locked: string;
}

/** Free and locked balances per asset. Amounts are exact; nothing here rounds. */
export class Ledger {
  private readonly freeBy = new Map<string, Decimal>();
  private readonly lockedBy = new Map<string, Decimal>();
  private readonly changed = new Set<string>();
  private lastUpdate = 0;

  /** @param initial - free balance per asset, as decimal strings. */
  constructor(initial: Readonly<Record<string, string>>, private readonly now: () => number) {
    for (const [asset, amount] of Object.entries(initial)) {
      const value = inputDecimal(`balance of ${asset}`, amount);
      this.freeBy.set(asset, value);
      this.lockedBy.set(asset, ZERO);
    }
    this.lastUpdate = now();
  }

  /** Free amount of `asset` (zero when unknown). */
  free(asset: string): Decimal {
    return this.freeBy.get(asset) ?? ZERO;
  }

  /** Locked amount of `asset`. */
  locked(asset: string): Decimal {
    return this.lockedBy.get(asset) ?? ZERO;
  }

  /** Time of the last balance change (`account.updateTime`, `outboundAccountPosition.u`). */
  updateTime(): number {
    return this.lastUpdate;
  }

  private set(asset: string, free: Decimal, locked: Decimal): void {
    this.freeBy.set(asset, free);
    this.lockedBy.set(asset, locked);
    this.changed.add(asset);
    this.lastUpdate = this.now();
  }

  /** Moves `amount` from free to locked; false (and no change) when free is short. */
  lock(asset: string, amount: Decimal): boolean {
    if (amount.isZero()) return true;
    if (this.free(asset).lt(amount)) return false;
    this.set(asset, this.free(asset).minus(amount), this.locked(asset).plus(amount));
    return true;
  }

  /** Moves `amount` from locked back to free. */
  unlock(asset: string, amount: Decimal): void {
    if (amount.isZero()) return;
    this.set(asset, this.free(asset).plus(amount), this.locked(asset).minus(amount));
  }

  /** Takes `amount` out of locked funds (a fill paying from what its order locked). */
  spendLocked(asset: string, amount: Decimal): void {
    if (amount.isZero()) return;
    this.set(asset, this.free(asset), this.locked(asset).minus(amount));
  }

  /** Takes `amount` out of free funds. */
  spendFree(asset: string, amount: Decimal): void {
    if (amount.isZero()) return;
    this.set(asset, this.free(asset).minus(amount), this.locked(asset));
  }

  /** Adds `amount` to free funds. */
  credit(asset: string, amount: Decimal): void {
    if (amount.isZero()) return;
    this.set(asset, this.free(asset).plus(amount), this.locked(asset));
  }

  /** Every asset the account has held, in first-seen order. */
  assets(): string[] {
    return [...this.freeBy.keys()];
  }

  /** All balances, printed. */
  snapshot(): Record<string, WireBalance> {
    const out: Record<string, WireBalance> = {};
    for (const a of this.assets()) out[a] = { free: wire(this.free(a)), locked: wire(this.locked(a)) };
    return out;
  }

  /** The assets changed since the last call, as `outboundAccountPosition.B` entries; clears the record. */
  takeChanged(): { a: string; f: string; l: string }[] {
    const out = [...this.changed].map((a) => ({ a, f: wire(this.free(a)), l: wire(this.locked(a)) }));
    this.changed.clear();
    return out;
  }

  /**
   * The `outboundAccountPosition` event for the assets changed since the last call ("sent any time
   * an account balance has changed and contains the assets that were possibly changed by the event",
   * user-data-stream.md), or undefined when nothing changed. Clears the record.
   */
  takeAccountPosition(eventTime: number): Record<string, unknown> | undefined {
    const changed = this.takeChanged();
    if (changed.length === 0) return undefined;
    return { e: 'outboundAccountPosition', E: eventTime, u: this.lastUpdate, B: changed };
  }
}
