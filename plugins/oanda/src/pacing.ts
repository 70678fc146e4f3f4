import { Agent, buildConnector } from 'undici';

/**
 * OANDA allows at most 2 new connections per second (development guide, "Connection Limiting"; more is
 * a 429 "Rate limit violation of newly established connections") and asks clients to keep connections
 * alive. The engine's limiter counts requests, not connections, and the kit's clients open sockets as
 * their pool needs them, so the plugin paces the opening of sockets itself: this is an undici Agent
 * whose connector waits, per host, until fewer than `perSecond` sockets were opened in the last second.
 */
/**
 * The window the pacer counts in: OANDA's second, plus a margin for the time a connection takes to reach
 * the venue (a socket opened 1,001 ms after the first of a pair can arrive within the venue's second when
 * the first was slower on the way; the fake OANDA refused one that way under load).
 */
const WINDOW_MS = 1_150;

export class ConnectionPacer {
  private readonly opened = new Map<string, number[]>();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before a new socket to `host` may open (0: now), and records it when 0. */
  take(host: string): number {
    const t = this.now();
    const list = (this.opened.get(host) ?? []).filter((x) => x > t - WINDOW_MS);
    if (list.length >= this.perSecond) {
      this.opened.set(host, list);
      return list[0]! + WINDOW_MS - t;
    }
    list.push(t);
    this.opened.set(host, list);
    return 0;
  }

  /** Resolves when a new socket to `host` may open, recording it. */
  async wait(host: string): Promise<void> {
    for (let ms = this.take(host); ms > 0; ms = this.take(host)) await new Promise((r) => setTimeout(r, ms + 1));
  }
}

/** A keep-alive connection pool whose new sockets are paced by `pacer` (one pacer per process and host family). */
export function pacedAgent(pacer: ConnectionPacer, connections: number): Agent {
  const connect = buildConnector({});
  return new Agent({
    keepAliveTimeout: 30_000,
    connections,
    connect: (options, callback) => {
      const host = `${options.protocol}//${options.hostname}:${options.port}`;
      pacer.wait(host).then(
        () => connect(options, callback),
        (error: Error) => callback(error, null),
      );
    },
  });
}
