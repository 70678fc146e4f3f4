import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineStrategy, EventBus, makeInstrument, money, RealtimeClock, silentLogger, type Fill, type OrderSnapshot } from '@autotrader/core';
import { readSeries } from '@autotrader/data';
import { LiveSession, runBacktest, seriesToFeed } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { waitFor } from '@autotrader/testkit';
import { createOanda, oandaPlugin } from '../src/index';
import { NETTING_ACCOUNT_ID, PRACTICE_TOKEN, startFakeOanda } from './fake-venue';

const INST = 'EUR_USD';

/** Every `every` quotes: buys `size` EUR at market when flat, sells it back when long. */
const pingPong = defineStrategy({
  name: 'ping-pong-oanda',
  params: z.object({ every: z.number().int().positive(), size: z.string() }),
  requires: { orderTypes: ['market'], data: ['quote'] },
  create(ctx, p) {
    const id = ctx.instruments.list()[0]!.id;
    let seen = 0;
    let pending = false;
    ctx.stream('order').subscribe((e) => {
      if (e.order.status === 'filled' || e.order.status === 'rejected' || e.order.status === 'canceled' || e.order.status === 'expired') pending = false;
    });
    ctx.quotes(id).subscribe(() => {
      if (++seen % p.every !== 0 || pending) return;
      pending = true;
      const long = ctx.portfolio.positionSize(id) > 0;
      ctx.submit({ instrumentId: id, side: long ? 'sell' : 'buy', quantity: p.size });
    });
  },
});

/**
 * Bid/ask pairs on EUR_USD's 0.00001 tick, a 1-pip spread. The fake fills a market order at once at the
 * price it holds; the simulated venue fills it at the next quote: the price holds for the quote after
 * each signal, so both fill at the same price.
 */
function quotes(n: number, every: number): [string, string][] {
  const out: [string, string][] = [];
  let bid = 110_000;
  for (let k = 1; k <= n; k++) {
    if ((k - 1) % every !== 0 || k === 1) bid += ((k * 7919) % 13) - 6;
    out.push([(bid / 100_000).toFixed(5), ((bid + 10) / 100_000).toFixed(5)]);
  }
  return out;
}

const orderKey = (o: OrderSnapshot): string => `${o.side} ${o.type} ${o.quantity.toString()} ${o.price?.toString() ?? '-'}`;
const fillKey = (f: Fill): string => `${f.side} ${f.quantity.toString()} @ ${f.price.toString()} fee ${f.fee.toString()} ${f.feeCurrency}`;

describe('parity: live against the fake OANDA, then the recording replayed in a backtest on a margin account', () => {
  it('produces the same orders, the same fills and the same balance', async () => {
    const fake = await startFakeOanda({ heartbeatMs: 1000 });
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-oanda-parity-'));
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const liveOrders: OrderSnapshot[] = [];
    const liveFills: Fill[] = [];
    const errors: string[] = [];
    bus.on('submit', (e) => liveOrders.push(e.order));
    bus.on('fill', (f) => liveFills.push(f));
    bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    let quotesSeen = 0;
    bus.on('quote', () => quotesSeen++);
    const config = oandaPlugin.configSchema.parse({ restUrl: fake.restUrl, streamUrl: fake.streamUrl, accountId: NETTING_ACCOUNT_ID });
    const connection = createOanda(config, { bus, clock, logger: silentLogger, env: { OANDA_API_TOKEN: PRACTICE_TOKEN } });
    const params = { every: 3, size: '10000' };
    const session = new LiveSession({
      strategy: pingPong,
      params,
      venue: { name: 'oanda', capabilities: oandaPlugin.capabilities, rateLimits: oandaPlugin.rateLimits, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
      instrumentIds: [`${INST}.OANDA`],
      dataKinds: ['quote'],
      recordDir: dir,
      bus,
      clock,
    });
    // 61 quotes: the order the 60th one triggers fills on the 61st in the backtest, as it fills at once live.
    const walk = quotes(61, params.every);
    const fills = (): number => (fake.orders(NETTING_ACCOUNT_ID) as { fills: unknown[] }[]).reduce((n, o) => n + o.fills.length, 0);
    try {
      await session.start();
      for (let k = 0; k < walk.length; k++) {
        fake.price(INST, [[walk[k]![0], '10000000']], [[walk[k]![1], '10000000']]);
        // One quote at a time: delivered, any order it caused has reached the fake, every fill the fake made is booked.
        await waitFor(`quote ${k} delivered`, () => quotesSeen === k + 1);
        await waitFor(`orders after quote ${k} reached the venue`, () => fake.orders(NETTING_ACCOUNT_ID).length === liveOrders.length);
        await waitFor(`fills after quote ${k} booked`, () => fills() === liveFills.length);
        // OANDA sends at most 4 prices a second per instrument: the next one would be held back.
        await new Promise((r) => setTimeout(r, 260));
      }
    } finally {
      await session.stop();
      await connection.close();
      await fake.close();
    }
    expect(errors).toEqual([]);
    expect(liveOrders.length).toBeGreaterThanOrEqual(19);
    expect(liveFills.length).toBe(liveOrders.length);
    expect(liveFills.every((f) => f.feeCurrency === 'USD' && f.fee.isZero())).toBe(true);
    const venueBalance = fake.account(NETTING_ACCOUNT_ID).balance;
    // The round trips paid the spread and moved with the price: the balance is not where it started.
    expect(money(venueBalance).eq(100_000)).toBe(false);

    const files = readdirSync(dir);
    expect(files).toEqual(['EUR_USD.OANDA-quote.arrow']);
    const series = readSeries(join(dir, files[0]!));
    expect(series.length).toBe(walk.length);
    const instrument = makeInstrument(series.meta.instrument);
    expect(instrument.marginRate?.toString()).toBe('0.02');
    const replay = await runBacktest({
      strategy: pingPong,
      params,
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      account: { type: 'margin', baseCurrency: 'USD' },
      venue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'OANDA', account: { type: 'margin', baseCurrency: 'USD' }, startingBalances: { USD: '100000' }, partialFills: false, fees: { maker: '0', taker: '0' } },
          instruments: ctx.instruments,
          clock: ctx.clock,
          bus: ctx.bus,
        }),
      startingCash: 100_000,
    });
    expect(replay.orders.map(orderKey)).toEqual(liveOrders.map(orderKey));
    expect(replay.fills.map(fillKey)).toEqual(liveFills.map(fillKey));
    // The margin account's balance after the round trips is OANDA's, to the cent (OANDA books 4 places).
    expect(money(replay.account!.balance).toFixed(2)).toBe(money(venueBalance).toFixed(2));
  }, 90_000);
});
