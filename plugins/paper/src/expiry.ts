import { AutotraderError, Decimal, type Instrument } from '@autotrader/core';

/**
 * Futures and options that expire. The venue asks {@link due} on every market event (one number
 * compare while nothing is due); at the first event at or after an instrument's expiry, it cancels
 * the orders resting on it, refuses new ones, and settles a position still open (see
 * {@link settlementPrice}).
 */
export class ExpirySchedule {
  private readonly pending: Instrument[];
  /** The earliest expiry not yet processed; Infinity when none is left. */
  next = Infinity;

  constructor(instruments: readonly Instrument[]) {
    this.pending = instruments.filter((i) => i.expiry !== undefined).sort((a, b) => a.expiry! - b.expiry!);
    this.next = this.pending[0]?.expiry ?? Infinity;
  }

  /** Removes and returns the instruments whose expiry is at or before `ts`, earliest first. */
  due(ts: number): Instrument[] {
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.expiry! <= ts) n++;
    const out = this.pending.splice(0, n);
    this.next = this.pending[0]?.expiry ?? Infinity;
    return out;
  }
}

/**
 * Refuses, when the venue is made, an option that could not be settled at its expiry: it needs a
 * strike, a right and an `underlying` the venue lists (its price is the settlement's S).
 */
export function checkExpiringInstruments(instruments: readonly Instrument[], venue: string): void {
  const ids = new Set(instruments.map((i) => i.id));
  for (const i of instruments) {
    if (i.assetClass !== 'option' || i.expiry === undefined) continue;
    const missing = [i.strike === undefined ? 'strike' : '', i.right === undefined ? 'right' : '', i.underlying === undefined ? 'underlying' : ''].filter((m) => m !== '');
    if (missing.length > 0) {
      throw new AutotraderError('CONFIG_INVALID', `paper venue ${venue}: option ${i.id} expires but has no ${missing.join(', ')}, so it could not be settled at its intrinsic value`);
    }
    if (!ids.has(i.underlying!)) {
      throw new AutotraderError('CONFIG_INVALID', `paper venue ${venue}: option ${i.id} settles on its underlying ${i.underlying}, which this venue does not list; list it so that its price is known at expiry`);
    }
  }
}

/**
 * The price a position is settled at when its instrument expires, or undefined when the price it
 * needs was never seen. A future: its final price, the instrument's last price before expiry. An
 * option settles in cash at its intrinsic value (no physical exercise into the underlying): a call
 * max(0, S − K), a put max(0, K − S), S the underlying's last price before expiry; out of the money
 * it expires worthless, at 0.
 */
export function settlementPrice(i: Instrument, lastOf: (instrumentId: string) => Decimal | undefined): Decimal | undefined {
  if (i.assetClass !== 'option') return lastOf(i.id);
  const s = lastOf(i.underlying!);
  if (s === undefined) return undefined;
  const k = i.strike!;
  return Decimal.max(i.right === 'call' ? s.sub(k) : k.sub(s), 0);
}
