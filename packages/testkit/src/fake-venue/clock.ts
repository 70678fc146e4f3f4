/**
 * A fake venue's clock: the wall clock moved by a fixed offset (a venue whose clock runs ahead or
 * behind ours from the start) and by a skew a test can change while the venue runs. Venues that
 * check request timestamps (Binance's recvWindow, OKX's OK-ACCESS-TIMESTAMP, Coinbase's JWT `nbf`)
 * read this clock, so a skew provokes their timing errors.
 * @module
 */

/** The server clock of one fake venue. */
export class VenueClock {
  private skewMs = 0;

  /** @param offsetMs - fixed difference from the wall clock, ms (positive: the venue is ahead). */
  constructor(private readonly offsetMs = 0) {}

  /** The venue's time, epoch ms. */
  readonly now = (): number => Date.now() + this.offsetMs + this.skewMs;

  /** Moves the venue's clock by `ms` (cumulative; negative moves it back). */
  skew(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock skew must be a finite number of milliseconds, got ${ms}`);
    this.skewMs += ms;
  }

  /** How far the venue's clock is from the wall clock now, ms. */
  get differenceMs(): number {
    return this.offsetMs + this.skewMs;
  }
}
