import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSeries } from '@autotrader/data';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli';

describe('pnpm data import', () => {
  it('converts a CSV to an uncompressed Arrow file that backtests, and names the bad line of a broken one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-import-'));
    const rows = ['Date,Open,High,Low,Close,Adj Close,Volume'];
    for (let d = 0; d < 60; d++) {
      const day = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      const px = 100 + 10 * Math.sin(d / 5);
      rows.push(`${day},${px.toFixed(2)},${(px + 1).toFixed(2)},${(px - 1).toFixed(2)},${(px + 0.5).toFixed(2)},0,1000`);
    }
    const csv = join(dir, 'acme.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const out = join(dir, 'acme.arrow');
    const run = await runCli(['data', 'import', csv, '--out', out, '--symbol', 'ACME', '--venue', 'NYSE', '--asset-class', 'equity', '--tick', '0.01', '--lot', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/60 bar rows of 1d, 2020-01-01T00:00:00.000Z → 2020-02-29T00:00:00.000Z/);
    const series = readSeries(out);
    expect(series.length).toBe(60);
    expect(series.meta.instrument).toMatchObject({ symbol: 'ACME', venue: 'NYSE', tickSize: '0.01' });
    const bt = await runCli(['backtest', '--data', out, '--param', 'fast=3', '--param', 'slow=8', '--json']);
    expect(bt.code, bt.stderr).toBe(0);
    expect((JSON.parse(bt.stdout) as { fills: unknown[] }).fills.length).toBeGreaterThan(0);

    writeFileSync(csv, rows.slice(0, 10).join('\n') + '\n2020-01-10,1,2,x,1,0,5\n');
    const bad = await runCli(['data', 'import', csv, '--out', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error DATA_PARSE: .*line 11/);
  }, 60_000);
});
