/**
 * Makes client order ids. Backtests use a fixed prefix so runs are reproducible; live sessions use a
 * per-session prefix so ids never collide with an earlier run's orders at the venue. Ids stay within
 * 36 printable characters, which every supported venue accepts.
 */
export class ClientOrderIdFactory {
  private next = 1;
  constructor(private readonly prefix: string) {
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(prefix)) throw new RangeError(`client order id prefix must be 1-20 of [A-Za-z0-9_-], got ${prefix}`);
  }

  /** A fresh id. */
  create(): string {
    return `${this.prefix}-${this.next++}`;
  }

  /** Continues after ids already used (after recovery from a journal). */
  skipPast(used: string): void {
    const m = used.startsWith(`${this.prefix}-`) ? Number(used.slice(this.prefix.length + 1)) : NaN;
    if (Number.isInteger(m) && m >= this.next) this.next = m + 1;
  }
}

/** A prefix unique to this process start, for live sessions. */
export const sessionPrefix = (now: number = Date.now()): string => `at${now.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
