/**
 * A fake venue's account: free and locked balances per asset, exact, with a record of the assets each
 * action changed (venues send one balance update per action), and spot settlement: what an open order
 * holds, and how a fill spends from that hold, releases what it did not need, credits what it
 * received and pays its fee, in whatever asset the fee is charged (see fees.ts).
 *
 * The rules are Binance's, which our engine must match to the last digit, and they generalise: a buy
 * holds price × qty of the quote asset (plus its fee when the fee is paid in the quote asset, as
 * Coinbase holds it), a sell holds its base quantity; a fill spends its notional (buy) or quantity
 * (sell) from the hold, and at once releases the part of its share of the hold it did not spend (a
 * buy filled below its limit); closing the order releases the rest.
 * @module
 */
import { AutotraderError, Decimal, type OrderSide } from '@autotrader/core';

const ZERO = new Decimal(0);

/** Free and locked balances per asset. Amounts are exact; nothing here rounds. A balance never goes below zero. */
export class Ledger {
  private readonly freeBy = new Map<string, Decimal>();
  private readonly lockedBy = new Map<string, Decimal>();
  private readonly changed = new Set<string>();
  private lastUpdate: number;

  /**
   * @param initial - free balance per asset (listed assets start with nothing locked).
   * @param now - the venue's clock, for {@link updateTime}.
   */
  constructor(initial: Readonly<Record<string, Decimal>>, private readonly now: () => number) {
    for (const [asset, amount] of Object.entries(initial)) {
      if (amount.isNeg()) throw new AutotraderError('CONFIG_INVALID', `a fake venue's balance of ${asset} cannot be negative, got ${amount.toString()}`);
      this.freeBy.set(asset, amount);
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

  /** Free plus locked. */
  total(asset: string): Decimal {
    return this.free(asset).plus(this.locked(asset));
  }

  /** Time of the last balance change (venue clock). */
  updateTime(): number {
    return this.lastUpdate;
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

  /** The assets changed since the last call, in the order first changed; clears the record. */
  takeChanged(): string[] {
    const out = [...this.changed];
    this.changed.clear();
    return out;
  }

  private set(asset: string, free: Decimal, locked: Decimal): void {
    if (free.isNeg() || locked.isNeg()) {
      // The venue checks funds before it moves them: a negative balance is a bug of the fake.
      throw new AutotraderError('INTERNAL', `fake venue ledger: ${asset} would go negative (free ${free.toString()}, locked ${locked.toString()})`);
    }
    this.freeBy.set(asset, free);
    this.lockedBy.set(asset, locked);
    this.changed.add(asset);
    this.lastUpdate = this.now();
  }
}

/** What an open order holds. `locked` changes as the order fills and closes. */
export interface OrderHold {
  /** The asset held: the quote asset for a buy, the base asset for a sell. */
  readonly lockAsset: string;
  /** What it still holds. */
  locked: Decimal;
  /** Held per unit of quantity: a buy's price (times 1 + fee rate when its fee is paid in the quote asset), 1 for a sell. */
  readonly lockPerUnit: Decimal;
}

/**
 * One fill's fee and where it comes from: `received` out of the amount the fill credits (Binance's
 * default, OKX), `order` paid with the notional from the order's hold (a buy whose fee is in the quote
 * asset: Coinbase), `free` from the free balance of a third asset (Binance's BNB).
 */
export interface Commission {
  readonly amount: Decimal;
  readonly asset: string;
  readonly from: 'received' | 'order' | 'free';
}

/** One spot fill to settle. */
export interface SpotFill {
  readonly side: OrderSide;
  readonly base: string;
  readonly quote: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Commission;
}

/** Takes `hold.locked` out of the free balance of `hold.lockAsset`; false (nothing moves) when free is short. */
export function placeHold(ledger: Ledger, hold: OrderHold): boolean {
  return ledger.lock(hold.lockAsset, hold.locked);
}

/**
 * Moves the ledger for one fill of an order holding `hold`: spends what the fill pays from the hold
 * (then from free funds, when a market buy's estimated hold fell short), releases the part of this
 * fill's share of the hold it did not spend, credits what it received, and pays the fee from where
 * its {@link Commission} says.
 */
export function settleSpotFill(ledger: Ledger, hold: OrderHold, f: SpotFill): void {
  const buy = f.side === 'buy';
  const notional = f.price.mul(f.qty);
  const [paid, received, receivedAmount] = buy ? [f.quote, f.base, f.qty] : [f.base, f.quote, notional];
  const fee = f.commission;
  let spent = buy ? notional : f.qty;
  if (fee.from === 'order') {
    if (fee.asset !== paid) throw new AutotraderError('INTERNAL', `fake venue: a fee paid with the order must be in ${paid}, got ${fee.asset}`);
    spent = spent.plus(fee.amount);
  }
  const fromLock = Decimal.min(spent, hold.locked);
  ledger.spendLocked(paid, fromLock);
  hold.locked = hold.locked.minus(fromLock);
  ledger.spendFree(paid, spent.minus(fromLock));
  // This fill's share of the hold (a buy filled below its limit price) that it did not spend is released now.
  const surplus = Decimal.min(hold.locked, f.qty.mul(hold.lockPerUnit).minus(fromLock));
  if (surplus.gt(0)) {
    ledger.unlock(paid, surplus);
    hold.locked = hold.locked.minus(surplus);
  }
  if (fee.from === 'received') {
    if (fee.asset !== received) throw new AutotraderError('INTERNAL', `fake venue: a fee taken from what the fill received must be in ${received}, got ${fee.asset}`);
    ledger.credit(received, receivedAmount.minus(fee.amount));
  } else {
    ledger.credit(received, receivedAmount);
    if (fee.from === 'free') ledger.spendFree(fee.asset, fee.amount);
  }
}

/** Releases what a closed order still holds. */
export function releaseHold(ledger: Ledger, hold: OrderHold): void {
  if (hold.locked.gt(0)) ledger.unlock(hold.lockAsset, hold.locked);
  hold.locked = ZERO;
}
