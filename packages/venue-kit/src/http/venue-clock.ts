/**
 * The venue's clock as we estimate it: our clock plus a measured offset. Venues refuse signed requests
 * whose timestamp is off (Binance's recvWindow, OKX's 30 s, a JWT's `nbf`), so plugins stamp requests
 * with {@link VenueClock.now} and re-sync when the venue says the time is wrong.
 */
export class VenueClock {
  private offset = 0;

  constructor(private readonly localNow: () => number) {}

  /** Venue time minus local time, as last measured, ms. */
  get offsetMs(): number {
    return this.offset;
  }

  /** The venue's time now, by our estimate (epoch ms, whole). */
  now(): number {
    return Math.round(this.localNow() + this.offset);
  }

  /**
   * Measures the offset from one call that returns the venue's time: the answer is taken to be the
   * venue's time at the midpoint of the round trip. Returns the new offset.
   */
  async sync(serverTime: () => Promise<number>): Promise<number> {
    const before = this.localNow();
    const venue = await serverTime();
    const after = this.localNow();
    this.offset = venue - (before + after) / 2;
    return this.offset;
  }
}
