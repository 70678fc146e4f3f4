import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJournal, recover } from '@autotrader/engine';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { startCli } from '../cli';

const KEYS = { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET };

describe('fault injection: SIGKILL between send and ack, then a restart from the journal', () => {
  it('recovers the in-flight order from the journal, reconciles it with the venue, and never sends it twice', async () => {
    const fake = await startFakeBinance({ balances: { USDT: '100000' }, marketFillRule: 'next-trade' });
    const journal = join(mkdtempSync(join(tmpdir(), 'autotrader-journal-')), 'orders.jsonl');
    const args = [
      'live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=1',
      '--journal', journal, '--state-dir', join(journal, '..', 'state'),
      '--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`,
    ];
    try {
      const first = startCli(args, { env: KEYS });
      await waitFor('the first session to start', () => /session started/.test(first.output().stderr) || first.child.exitCode !== null, 20_000);
      // The venue will take the next order but never answer the request that placed it.
      fake.faults.acceptThenTimeout(1);
      fake.trade('BTCUSDT', '30000.00', '1');
      await waitFor('the order to reach the venue', () => fake.orders().length === 1, 10_000, );
      first.child.kill('SIGKILL');
      await first.exited;
      const inFlight = fake.orders()[0]!.clientOrderId;

      const before = recover(readJournal(journal).entries);
      expect(before.orders.map((o) => o.clientOrderId)).toContain(inFlight);

      const second = startCli(args, { env: KEYS });
      await waitFor('the second session to start', () => /session started/.test(second.output().stderr) || second.child.exitCode !== null, 20_000);
      expect(second.output().stderr).toMatch(/restored from the journal: 1 order\(s\)/);
      expect(second.output().stderr).toMatch(/reconciled: /);
      expect(second.output().stderr).not.toMatch(/POSITIONS DISAGREE/);
      // The market keeps trading: the recovered order fills, the restarted strategy trades on.
      for (let k = 0; k < 6; k++) {
        fake.trade('BTCUSDT', (30_000 + k).toFixed(2), '1');
        await new Promise((r) => setTimeout(r, 60));
      }
      await waitFor('the recovered order to fill', () => fake.orders().find((o) => o.clientOrderId === inFlight)?.status === 'FILLED', 10_000);
      second.child.kill('SIGINT');
      const run = await second.exited;
      expect(run.code, run.stderr).toBe(0);

      // Zero duplicate orders: every client order id reached the venue once; the in-flight one was never resent.
      const ids = fake.orders().map((o) => o.clientOrderId);
      expect(new Set(ids).size).toBe(ids.length);
      const placements = fake.requests().filter((r) => r.method === 'POST' && r.path === '/api/v3/order' && r.params.newClientOrderId === inFlight);
      expect(placements).toHaveLength(1);
      // Zero lost fills: everything the venue filled for us is in the journal, once.
      const after = recover(readJournal(journal).entries);
      const journalled = after.fills.map((f) => f.tradeId).sort();
      const venue = fake.orders().flatMap((o) => o.fills.map((f) => String(f.tradeId))).sort();
      expect(journalled).toEqual(venue);
      expect(after.orders.filter((o) => o.clientOrderId === inFlight)).toHaveLength(1);
      expect(after.orders.find((o) => o.clientOrderId === inFlight)?.status).toBe('filled');
    } finally {
      await fake.close();
    }
  }, 90_000);
});
