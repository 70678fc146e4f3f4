import { FAKE_API_KEY, FAKE_API_SECRET, type FakeBinance } from '@autotrader/fake-binance';

/** The environment a live session against the fake Binance needs (its fixed test keys). */
export const FAKE_KEYS: Readonly<Record<string, string>> = { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET };

/** `--venue-opt` flags pointing the Binance plugin at the fake. */
export const fakeVenueOpts = (fake: FakeBinance): string[] => [
  '--venue-opt',
  `restUrl=${fake.restUrl}`,
  '--venue-opt',
  `wsApiUrl=${fake.wsApiUrl}`,
  '--venue-opt',
  `streamUrl=${fake.streamUrl}`,
];

/** Our orders the fake still has working (nothing may be left so after a clean stop without --keep-orders). */
export const workingAtVenue = (fake: FakeBinance): string[] =>
  fake
    .orders()
    .filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')
    .map((o) => `${o.clientOrderId} ${o.status}`);

/** Client order ids the fake received more than once (none may be). */
export const duplicateOrders = (fake: FakeBinance): string[] => {
  const ids = fake.orders().map((o) => o.clientOrderId);
  return ids.filter((id, i) => ids.indexOf(id) !== i);
};

/** Prints a trade on the fake every `everyMs` until `stop()` is called. */
export function tradeTape(fake: FakeBinance, everyMs = 20): { stop(): void } {
  let k = 0;
  const timer = setInterval(() => fake.trade('BTCUSDT', (30_000 + ((k++ * 37) % 11) - 5).toFixed(2), '1'), everyMs);
  return { stop: () => clearInterval(timer) };
}

/** The lines of a process's output, without the trailing empty one. */
export const linesOf = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);
