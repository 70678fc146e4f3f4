import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../cli';

const KEYS = { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET };

describe('the order journal belongs to one venue account', () => {
  it('records the account, and refuses the journal when the keys trade another account (JOURNAL_MISMATCH), touching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-identity-'));
    const journal = join(dir, 'orders.jsonl');
    const args = (fake: { restUrl: string; wsApiUrl: string; streamUrl: string }): string[] => [
      'live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--journal', journal, '--state-dir', join(dir, 'state'),
      '--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`,
    ];
    const first = await startFakeBinance({ accountUid: 1001 });
    try {
      const cli = startCli(args(first), { env: KEYS });
      await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000);
      cli.child.kill('SIGINT');
      const run = await cli.exited;
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await first.close();
    }
    const written = readFileSync(journal, 'utf8');
    expect(written).toMatch(/"t":"session".*"venue":"BINANCE","account":"1001"/);

    const other = await startFakeBinance({ accountUid: 2002 });
    try {
      const run = await runCli(args(other), { env: KEYS });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr.trim().split('\n').pop()).toMatch(/^error JOURNAL_MISMATCH: .*orders\.jsonl belongs to BINANCE account 1001 \(entry 1\); these API keys trade account 2002 \(.*--journal/);
      // Nothing was written to the other account's journal, and no order reached the venue.
      expect(readFileSync(journal, 'utf8')).toBe(written);
      expect(other.orders()).toEqual([]);
    } finally {
      await other.close();
    }
  }, 60_000);
});
