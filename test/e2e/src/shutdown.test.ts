import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { startCli } from './cli';
import { duplicateOrders, FAKE_KEYS, fakeVenueOpts, linesOf, workingAtVenue } from './live-cli';

describe('shutdown of a live session, in order', () => {
  it('while a strategy timer keeps submitting and the venue answers slowly: nothing is placed after the stop, everything placed is cancelled, the log tells the truth', async () => {
    const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '0' } });
    const stateDir = mkdtempSync(join(tmpdir(), 'autotrader-shutdown-'));
    try {
      const cli = startCli(
        [
          'live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/busy-trader.ts',
          '--param', 'everyMs=60', '--param', 'maxResting=1000', '--param', 'trade=false', '--state-dir', stateDir, ...fakeVenueOpts(fake),
        ],
        { env: FAKE_KEYS },
      );
      await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 30_000);
      await waitFor('orders resting at the venue', () => fake.orders().length >= 3 || cli.child.exitCode !== null, 10_000);
      // From now on every answer takes 400 ms: the timer's submits pile up in flight, and the cancels will be slow.
      fake.faults.delayResponses(400);
      await new Promise((r) => setTimeout(r, 300));
      cli.child.kill('SIGINT');
      const run = await cli.exited;
      const lines = linesOf(run.stderr);

      expect(run.code, run.stderr).toBe(0);
      expect(lines.at(-1)).toBe('stopped cleanly');
      // What the strategy sent before the stop began, as its own log lines say (stderr is one ordered stream).
      const stopLine = lines.findIndex((l) => /SIGINT: shutting down/.test(l));
      expect(stopLine).toBeGreaterThan(0);
      const sentBefore = lines.slice(0, stopLine).flatMap((l) => /submitted (\S+) submitted$/.exec(l)?.[1] ?? []);
      // The strategy's timer is gone with the stop: it does not even try again.
      expect(lines.slice(stopLine).filter((l) => /submitted \S+/.test(l))).toEqual([]);
      // Submits were still unanswered when the stop began, and were waited for.
      expect(lines.find((l) => /strategy stopped: no new orders are sent; waiting for \d+ submit\(s\) in flight/.test(l)), run.stderr).toBeDefined();

      const atVenue = fake.orders();
      expect(atVenue.length).toBeGreaterThanOrEqual(3);
      expect(atVenue.map((o) => o.clientOrderId).filter((id) => !sentBefore.includes(id)), 'an order reached the venue after the stop began').toEqual([]);
      expect(duplicateOrders(fake)).toEqual([]);
      expect(workingAtVenue(fake)).toEqual([]);
      expect(atVenue.every((o) => o.status === 'CANCELED')).toBe(true);
      // The claim is exactly the venue's truth: every order we placed, cancelled, and the venue confirms it.
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`cancelled ${atVenue.length} open order\\(s\\); the venue lists none of ours as open$`)));
      expect(run.stderr).not.toMatch(/may still be open|still running 3 s after/);
    } finally {
      await fake.close();
    }
  }, 90_000);
});
