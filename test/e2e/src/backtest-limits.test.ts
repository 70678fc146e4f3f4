import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli';

describe('backtest with a venue plugin’s rate limits', () => {
  it('shows a strategy that Binance would throttle: orders over 50 per 10 s are refused with RATE_LIMITED', async () => {
    // 400 trades, 20 per second: ping-pong sends an order every other trade, 10 per second.
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-limits-'));
    const rows = ['timestamp,price,qty'];
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 400; i++) rows.push(`${t0 + i * 50},${(30_000 + (i % 5)).toFixed(2)},1`);
    const csv = join(dir, 'BTCUSDT.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const args = ['backtest', '--data', csv, '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=1', '--param', 'size=0.01', '--json'];
    const free = await runCli(args);
    expect(free.code, free.stderr).toBe(0);
    expect((JSON.parse(free.stdout) as { rejections: Record<string, number> }).rejections).toEqual({});
    const limited = await runCli([...args, '--venue-limits', 'binance']);
    expect(limited.code, limited.stderr).toBe(0);
    const out = JSON.parse(limited.stdout) as { rejections: Record<string, number>; fills: unknown[] };
    expect(out.rejections.RATE_LIMITED).toBeGreaterThan(0);
    expect(Object.keys(out.rejections)).toEqual(['RATE_LIMITED']);
  }, 60_000);
});
