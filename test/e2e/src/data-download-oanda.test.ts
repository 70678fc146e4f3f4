import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRACTICE_TOKEN, startFakeOanda } from '@autotrader/fake-oanda';
import { readSeries, type BarSeries } from '@autotrader/data';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 2);

describe('pnpm data download --venue oanda', () => {
  it('downloads the candles of the fake OANDA as bars with a practice token', async () => {
    const fake = await startFakeOanda({ environment: 'practice' });
    try {
      const rows = Array.from({ length: 30 }, (_, k) => {
        const o = 1.1 + k / 10_000;
        return { time: T0 + k * MINUTE, o: o.toFixed(5), h: (o + 0.0002).toFixed(5), l: (o - 0.0001).toFixed(5), c: (o + 0.0001).toFixed(5), volume: 10 + k, complete: true };
      });
      fake.candles('EUR_USD', 'M1', rows);
      const out = join(mkdtempSync(join(tmpdir(), 'autotrader-oanda-dl-')), 'eurusd.arrow');
      const run = await runCli(
        ['data', 'download', '--venue', 'oanda', '--symbol', 'EUR_USD', '--interval', '1m', '--from', new Date(T0).toISOString(), '--to', new Date(T0 + 30 * MINUTE).toISOString(), '--out', out, '--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`],
        { env: { OANDA_API_TOKEN: PRACTICE_TOKEN } },
      );
      expect(run.code, run.stderr).toBe(0);
      const series = readSeries(out) as BarSeries;
      expect(series.length).toBe(30);
      expect([...series.columns.tsOpen]).toEqual(rows.map((r) => r.time));
      expect(series.columns.open[0]).toBe(1.1);
      expect(series.meta.instrument.symbol).toBe('EUR_USD');
    } finally {
      await fake.close();
    }
  }, 60_000);
});
