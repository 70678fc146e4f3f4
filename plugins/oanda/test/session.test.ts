/**
 * The OANDA plugin under a live session (the engine as `pnpm live` runs it) against the fake OANDA:
 * the session trades a USD margin account, books OANDA's P/L and financing, compares its account with
 * OANDA's summary, and adopts a margin closeout with its fill.
 */
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { defineStrategy, EventBus, money, RealtimeClock, silentLogger } from '@autotrader/core';
import { LiveSession } from '@autotrader/engine';
import { waitFor } from '@autotrader/testkit';
import { createOanda, oandaPlugin } from '../src/index';
import { NETTING_ACCOUNT_ID, PRACTICE_TOKEN, startFakeOanda, type FakeOanda } from './fake-venue';

const EUR = 'EUR_USD.OANDA';

/** Buys `size` at market on the first quote, then does nothing. */
const buyOnce = defineStrategy({
  name: 'buy-once-oanda',
  params: z.object({ size: z.string() }),
  requires: { orderTypes: ['market'], data: ['quote'] },
  create(ctx, p) {
    let sent = false;
    ctx.quotes(EUR).subscribe(() => {
      if (sent) return;
      sent = true;
      ctx.submit({ instrumentId: EUR, side: 'buy', quantity: p.size });
    });
  },
});

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function session(fake: FakeOanda, size: string): Promise<{ live: LiveSession; bus: EventBus; errors: string[] }> {
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const errors: string[] = [];
  bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  const config = oandaPlugin.configSchema.parse({ restUrl: fake.restUrl, streamUrl: fake.streamUrl, accountId: NETTING_ACCOUNT_ID, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  const connection = createOanda(config, { bus, clock, logger: silentLogger, env: { OANDA_API_TOKEN: PRACTICE_TOKEN } });
  const live = new LiveSession({
    strategy: buyOnce,
    params: { size },
    venue: { name: 'oanda', capabilities: oandaPlugin.capabilities, rateLimits: oandaPlugin.rateLimits, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
    instrumentIds: [EUR],
    dataKinds: ['quote'],
    bus,
    clock,
    logger: silentLogger,
  });
  stops.push(async () => {
    await live.stop();
    await connection.close();
  });
  await live.start();
  return { live, bus, errors };
}

describe('a live session on OANDA', () => {
  it('runs a USD margin account; books OANDA P/L and financing; its account agrees with the summary', async () => {
    const fake = await startFakeOanda({ heartbeatMs: 500 });
    stops.push(() => fake.close());
    fake.price('EUR_USD', [['1.10000', '10000000']], [['1.10010', '10000000']]);
    const { live, errors } = await session(fake, '10000');
    const kernel = live.engine;
    await waitFor('the buy filled', () => (kernel.portfolio.position(EUR)?.quantity.toString() === '10000' ? true : undefined), 5_000);
    expect(kernel.portfolio.accountSummary()).toMatchObject({ accountType: 'margin', baseCurrency: 'USD' });
    fake.applyFinancing(NETTING_ACCOUNT_ID, { EUR_USD: '-2.5000' });
    await waitFor('the financing booked', () => (kernel.portfolio.accountSummary().balance.eq(money(fake.account(NETTING_ACCOUNT_ID).balance)) ? true : undefined), 5_000);
    expect(fake.account(NETTING_ACCOUNT_ID).balance).toBe('99997.5000');
    fake.price('EUR_USD', [['1.10200', '10000000']], [['1.10210', '10000000']]);
    await new Promise((r) => setTimeout(r, 300));
    const report = await kernel.reconcile();
    expect(report.positionMismatches).toEqual([]);
    expect(report.balanceMismatches).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('adopts a margin closeout (a venue order) and books its fill: flat, as OANDA is', async () => {
    const fake = await startFakeOanda({ heartbeatMs: 500 });
    stops.push(() => fake.close());
    fake.price('EUR_USD', [['1.10000', '10000000']], [['1.10010', '10000000']]);
    const { live } = await session(fake, '4000000');
    const kernel = live.engine;
    await waitFor('the buy filled', () => (kernel.portfolio.position(EUR)?.quantity.toString() === '4000000' ? true : undefined), 5_000);
    fake.price('EUR_USD', [['1.08000', '10000000']], [['1.08010', '10000000']]);
    await waitFor('the closeout booked', () => (kernel.portfolio.position(EUR)?.quantity.isZero() ?? true ? true : undefined), 5_000);
    const closeout = kernel.oms.all().find((o) => o.tag === 'closeout');
    expect(kernel.openOrders()).toEqual([]);
    expect(closeout).toMatchObject({ side: 'sell', status: 'filled', tag: 'closeout' });
    expect(kernel.portfolio.accountSummary().balance.eq(money(fake.account(NETTING_ACCOUNT_ID).balance))).toBe(true);
  }, 30_000);
});
