import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@autotrader/core';
import { readJournal, recover } from '@autotrader/engine';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../cli';

const KEYS = { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET };

/** The balances a session printed in its last `books:` line, as `CCY → "total T, free F, locked L"`. */
function printedBalances(stderr: string): Map<string, string> {
  const lines = stderr.split('\n').filter((l) => l.includes('books: positions'));
  const last = lines[lines.length - 1];
  if (last === undefined) throw new Error(`no books line in:\n${stderr}`);
  const out = new Map<string, string>();
  for (const m of last.matchAll(/([A-Z]+) total (\S+) \(free (\S+), locked ([^)]+)\)/g)) out.set(m[1]!, `total ${m[2]}, free ${m[3]}, locked ${m[4]}`);
  return out;
}

/** The fake's ledger in the same words. */
function venueBalances(fake: FakeBinance): Map<string, string> {
  const out = new Map<string, string>();
  for (const [ccy, b] of Object.entries(fake.balances())) {
    const total = new Decimal(b.free).plus(b.locked);
    if (total.isZero()) continue;
    out.set(ccy, `total ${total.toString()}, free ${new Decimal(b.free).toString()}, locked ${new Decimal(b.locked).toString()}`);
  }
  return out;
}

const started = (cli: RunningCli): Promise<void> =>
  waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 20_000).then(() => {
    if (cli.child.exitCode !== null) throw new Error(`the session exited during start-up:\n${cli.output().stderr}`);
  });

describe('fault injection: SIGKILL with fills at the venue while the process is down, then a restart', () => {
  it('counts every fill exactly once: books equal to the venue (fees in the base asset, balance held before), no halt, clean stop', async () => {
    // The account already holds 1 BTC; every buy pays its commission in BTC, as Binance charges it.
    const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '1' } });
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-restart-'));
    const journal = join(dir, 'orders.jsonl');
    const args = [
      'live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/faults/ladder.ts',
      '--param', 'levels=4', '--param', 'step=1', '--param', 'size="0.01"',
      '--journal', journal, '--state-dir', join(dir, 'state'),
      '--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`,
    ];
    const resting = (): number => fake.orders().filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').length;
    try {
      const first = startCli(args, { env: KEYS });
      await started(first);
      fake.trade('BTCUSDT', '30000.00', '1');
      await waitFor('the ladder to rest at the venue', () => resting() === 4, 10_000);
      fake.trade('BTCUSDT', '29999.00', '1'); // fills the first level while the session runs
      await waitFor('the first fill to be journaled', () => recover(readJournal(journal).entries).fills.length === 1, 10_000);
      first.child.kill('SIGKILL');
      await first.exited;

      // While the process is down, the market trades through two more levels.
      fake.trade('BTCUSDT', '29997.00', '1');
      expect(fake.orders().reduce((n, o) => n + o.fills.length, 0)).toBe(3);

      const second = startCli(args, { env: KEYS });
      await started(second);
      const boot = second.output().stderr;
      expect(boot).toMatch(/restored from the journal: 4 order\(s\), 1 fill\(s\)/);
      expect(boot).toMatch(/reconciled: 2 missed fill\(s\) applied/);
      expect(boot).not.toMatch(/DISAGREE|halted/);
      // The market goes on: the last recovered level fills after the restart, over the stream.
      fake.trade('BTCUSDT', '29996.00', '1');
      await waitFor('the last recovered level to fill', () => fake.orders().reduce((n, o) => n + o.fills.length, 0) === 4, 10_000);
      await waitFor('its fill to be journaled', () => recover(readJournal(journal).entries).fills.length === 4, 10_000);
      second.child.kill('SIGINT');
      const run = await second.exited;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/stopped cleanly/);
      expect(run.stderr).not.toMatch(/DISAGREE|halted|BALANCE_MISMATCH|differs from ours/);

      // No lost fill, none twice, no order twice, nothing left open.
      const venueFills = fake.orders().flatMap((o) => o.fills.map((f) => String(f.tradeId))).sort();
      expect(recover(readJournal(journal).entries).fills.map((f) => f.tradeId).sort()).toEqual(venueFills);
      const ids = fake.orders().map((o) => o.clientOrderId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(resting()).toBe(0);
      // The books the session printed at its stop equal the venue's, to the last digit.
      expect(printedBalances(run.stderr)).toEqual(venueBalances(fake));
      const btc = fake.balances().BTC!;
      // 1 held + 4 × (0.01 − 0.00001 commission in BTC)
      expect(new Decimal(btc.free).plus(btc.locked).toString()).toBe('1.03996');
      expect(run.stderr).toMatch(/books: positions BTCUSDT\.BINANCE 1\.03996;/);
    } finally {
      await fake.close();
    }
  }, 90_000);
});
