import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, makeInstrument, roundPrice } from '@autotrader/core';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance, type FakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, startCli } from './cli';

/**
 * `--strategy /some/other/folder/x.ts` runs against the engine's own single copy of core: a strategy
 * kept outside the repository, importing `@autotrader/core`, zod and rxjs, in a folder whose own
 * node_modules holds other copies of those packages (they throw when loaded, so any leak fails the
 * run), a plain dependency of its own, and a relative import. No package.json in the folder: Node's
 * default scope is CommonJS, the case that used to load a second, CommonJS copy of core.
 */

/** Writes a package into `dir/node_modules/name` whose module body is `body`. */
function installPackage(dir: string, name: string, body: string): void {
  const folder = join(dir, 'node_modules', name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '99.0.0', type: 'module', exports: './index.js' }));
  writeFileSync(join(folder, 'index.js'), body);
}

/** A folder outside the repository with the decoy copies of the shared packages. */
function strategyFolder(options: { esm?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'autotrader-strategy-'));
  for (const name of ['zod', '@autotrader/core', 'rxjs', 'decimal.js']) {
    installPackage(dir, name, `throw new Error(${JSON.stringify(`the strategy folder's own ${name} was loaded instead of the engine's`)});\n`);
  }
  if (options.esm === true) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-strategies', private: true, type: 'module' }));
  return dir;
}

interface BacktestJson {
  run: { strategy: string };
  summary: { trades: number; finalEquity: number };
  trades: unknown[];
  fills: { price: number; quantity: number }[];
}

async function backtest(strategy: string): Promise<BacktestJson> {
  const run = await runCli(['backtest', '--strategy', strategy, '--data', 'data/btc-perp-1m.arrow', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as BacktestJson;
}

describe('a strategy file from any folder runs against the engine’s single copy of core', () => {
  it('backtest: a copy of mean-reversion (zod, roundPrice, roundQuantity, a relative import) in a temporary folder trades exactly like the built-in', async () => {
    const builtin = await backtest('mean-reversion');
    expect(builtin.summary.trades).toBeGreaterThan(0);
    for (const esm of [false, true]) {
      const dir = strategyFolder({ esm });
      for (const file of ['index.ts', 'rolling-stats.ts']) copyFileSync(join(ROOT, 'strategies/mean-reversion/src', file), join(dir, file));
      const copy = await backtest(join(dir, 'index.ts'));
      // Same orders at the same rounded prices and quantities, to the last digit.
      expect(copy).toEqual(builtin);
    }
  }, 120_000);
});

describe('the live path loads strategies the same way', () => {
  let fake: FakeBinance | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('live against the fake Binance: four market buys of a rounded quantity fill, and a resting limit at a rounded price reaches the venue', async () => {
    fake = await startFakeBinance({ balances: { USDT: '100000' }, marketFillRule: 'next-trade' });
    const dir = strategyFolder();
    installPackage(dir, 'strategy-settings', 'export const EVERY = 2;\n');
    mkdirSync(join(dir, 'lib'));
    writeFileSync(
      join(dir, 'lib/levels.ts'),
      ["import { roundPrice, type Instrument } from '@autotrader/core';", '', 'export const restingBuyBelow = (instrument: Instrument, price: number) => roundPrice(instrument, price * 0.9, "down");', ''].join('\n'),
    );
    const strategy = join(dir, 'anywhere.ts');
    writeFileSync(
      strategy,
      [
        "import { z } from 'zod';",
        "import { filter, map } from 'rxjs';",
        "import { defineStrategy, roundQuantity } from '@autotrader/core';",
        "import { EVERY } from 'strategy-settings';",
        "import { restingBuyBelow } from './lib/levels';",
        '',
        'export default defineStrategy({',
        "  name: 'anywhere',",
        '  params: z.object({ size: z.number().positive().default(0.0123456) }),',
        "  requires: { orderTypes: ['market', 'limit'], data: ['trade'] },",
        '  create(ctx, p) {',
        '    const instrument = ctx.instruments.list()[0]!;',
        '    const quantity = roundQuantity(instrument, p.size);',
        '    let seen = 0;',
        '    let buys = 0;',
        '    let pending = false;',
        '    let rested = false;',
        "    ctx.stream('order').pipe(filter((e) => e.order.type === 'market')).subscribe((e) => {",
        "      if (['filled', 'rejected', 'canceled', 'expired'].includes(e.order.status)) pending = false;",
        '    });',
        '    ctx.trades(instrument.id).pipe(filter(() => ++seen % EVERY === 0), map((t) => t.price)).subscribe((price) => {',
        "      if (!rested) { rested = true; ctx.submit({ instrumentId: instrument.id, side: 'buy', type: 'limit', price: restingBuyBelow(instrument, price), quantity }); return; }",
        '      if (pending || buys === 4) return;',
        '      pending = true;',
        '      buys++;',
        "      ctx.submit({ instrumentId: instrument.id, side: 'buy', quantity });",
        '    });',
        '  },',
        '});',
        '',
      ].join('\n'),
    );
    const venue = fake;
    const cli = startCli(
      ['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', strategy, '--venue-opt', `restUrl=${venue.restUrl}`, '--venue-opt', `wsApiUrl=${venue.wsApiUrl}`, '--venue-opt', `streamUrl=${venue.streamUrl}`],
      { env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET } },
    );
    await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 30_000);
    expect(cli.output().stderr).toMatch(/live session started on binance/);
    const prices = Array.from({ length: 11 }, (_, k) => 30_000 + k - 5);
    const filled = (): number => venue.orders().filter((o) => o.type === 'MARKET' && o.status === 'FILLED').length;
    for (let k = 0; filled() < 4 && k < 2_000; k++) {
      venue.trade('BTCUSDT', prices[(k * 37) % 11]!.toFixed(2), '1');
      await new Promise((r) => setTimeout(r, 10));
    }
    const orders = venue.orders();
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    expect(run.code, run.stderr).toBe(0);

    expect(filled(), run.stderr).toBeGreaterThanOrEqual(4);
    // roundQuantity(0.0123456) on a 0.00001 step, made by the strategy's copy of the import, accepted by the engine's.
    for (const order of orders) expect(new Decimal(order.origQty).eq('0.01234'), order.origQty).toBe(true);
    // The resting buy is 90% of a traded price rounded down to the 0.01 tick: the engine's roundPrice gives the same.
    const limits = orders.filter((o) => o.type === 'LIMIT');
    expect(limits).toHaveLength(1);
    const instrument = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001' });
    const expected = prices.map((p) => roundPrice(instrument, p * 0.9, 'down').toString());
    expect(expected.some((e) => new Decimal(e).eq(limits[0]!.price)), `${limits[0]!.price} is not one of ${expected.join(', ')}`).toBe(true);
  }, 90_000);
});
