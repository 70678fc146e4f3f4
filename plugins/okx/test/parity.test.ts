import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { Decimal, defineStrategy, EventBus, makeInstrument, RealtimeClock, silentLogger, type Fill, type OrderSnapshot } from '@autotrader/core';
import { readSeries } from '@autotrader/data';
import { LiveSession, runBacktest, seriesToFeed } from '@autotrader/engine';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { waitFor } from '@autotrader/testkit';
import { createOkx, okxPlugin } from '../src/index';
import { DEMO_KEY, startFakeOkx } from './fake-venue';

const INST = 'BTC-USDT';

/**
 * Every `every` trades: buys `size` at market when flat, sells what that buy credited when long. It
 * tracks its holding from its fills, net of a fee charged in the base asset (OKX charges a spot buy's fee
 * in the BTC it receives), so it never sells more than it holds.
 */
const pingPong = defineStrategy({
  name: 'ping-pong-okx',
  params: z.object({ every: z.number().int().positive(), size: z.string() }),
  requires: { orderTypes: ['market'], data: ['trade'] },
  create(ctx, p) {
    const id = ctx.instruments.list()[0]!.id;
    const base = ctx.instruments.get(id).base;
    let seen = 0;
    let held = new Decimal(0);
    let pending = false;
    ctx.stream('fill').subscribe((f) => {
      const feeInBase = f.feeCurrency === base ? f.fee : new Decimal(0);
      held = f.side === 'buy' ? held.plus(f.quantity).minus(feeInBase) : held.minus(f.quantity).minus(feeInBase);
    });
    ctx.stream('order').subscribe((e) => {
      if (e.order.status === 'filled' || e.order.status === 'rejected' || e.order.status === 'canceled' || e.order.status === 'expired') pending = false;
    });
    ctx.trades(id).subscribe(() => {
      if (++seen % p.every !== 0 || pending) return;
      pending = true;
      const long = held.gt(0);
      ctx.submit({ instrumentId: id, side: long ? 'sell' : 'buy', quantity: long ? held.toString() : p.size });
    });
  },
});

/**
 * Trade prices on BTC-USDT's 0.1 tick. The fake fills a market order at once at its touch, which is set
 * to the last trade; the simulated venue fills it at the next trade: the price holds for the trade after
 * each signal, so both fill at the same price.
 */
function prices(n: number, every: number): string[] {
  const out: string[] = [];
  let p = 30_000;
  for (let k = 1; k <= n; k++) {
    if ((k - 1) % every !== 0 || k === 1) p += ((k * 7919) % 13) - 6;
    out.push(p.toFixed(1));
  }
  return out;
}

const orderKey = (o: OrderSnapshot): string => `${o.side} ${o.type} ${o.quantity.toString()} ${o.price?.toString() ?? '-'}`;
const fillKey = (f: Fill): string => `${f.side} ${f.quantity.toString()} @ ${f.price.toString()} fee ${f.fee.toString()} ${f.feeCurrency}`;

describe('parity: live against the fake OKX, then the recording replayed in a backtest', () => {
  it('produces the same orders and the same fills (fees in the asset received)', async () => {
    const fake = await startFakeOkx({ balances: { USDT: '100000' }, fees: { maker: '0.001', taker: '0.001' } });
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-okx-parity-'));
    const bus = new EventBus('isolate');
    const clock = new RealtimeClock();
    const liveOrders: OrderSnapshot[] = [];
    const liveFills: Fill[] = [];
    const errors: string[] = [];
    bus.on('submit', (e) => liveOrders.push(e.order));
    bus.on('fill', (f) => liveFills.push(f));
    bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    let tradesSeen = 0;
    bus.on('trade', () => tradesSeen++);
    const config = okxPlugin.configSchema.parse({ restUrl: fake.restUrl, ...fake.demo });
    const connection = createOkx(config, { bus, clock, logger: silentLogger, env: { OKX_API_KEY: DEMO_KEY.apiKey, OKX_API_SECRET: DEMO_KEY.secret, OKX_API_PASSPHRASE: DEMO_KEY.passphrase } });
    const params = { every: 3, size: '0.01' };
    const session = new LiveSession({
      strategy: pingPong,
      params,
      venue: { name: 'okx', capabilities: okxPlugin.capabilities, rateLimits: okxPlugin.rateLimits, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution },
      instrumentIds: [INST],
      dataKinds: ['trade'],
      recordDir: dir,
      bus,
      clock,
    });
    // 91 trades: the order the 90th one triggers fills on the 91st in the backtest, as it fills at once live.
    const walk = prices(91, params.every);
    const fills = (): number => fake.orders('demo').reduce((n, o) => n + o.fills.length, 0);
    try {
      await session.start();
      for (let k = 0; k < walk.length; k++) {
        // The touch a market order takes live is the last trade's price, deep enough for any of ours.
        fake.ticker(INST, walk[k]!, '100', walk[k]!, '100', walk[k]!);
        fake.trade(INST, walk[k]!, '1', k % 2 === 0 ? 'buy' : 'sell');
        // One trade at a time: delivered, any order it caused has reached the fake, every fill the fake made is booked.
        await waitFor(`trade ${k} delivered`, () => tradesSeen === k + 1);
        await waitFor(`orders after trade ${k} reached the venue`, () => fake.orders('demo').length === liveOrders.length);
        await waitFor(`fills after trade ${k} booked`, () => fills() === liveFills.length);
      }
    } finally {
      await session.stop();
      await connection.close();
      await fake.close();
    }
    expect(errors).toEqual([]);
    expect(liveOrders.length).toBeGreaterThan(20);
    expect(liveFills.length).toBe(liveOrders.length);
    expect(liveFills.filter((f) => f.side === 'buy').every((f) => f.feeCurrency === 'BTC')).toBe(true);

    const files = readdirSync(dir);
    expect(files).toEqual(['BTC-USDT.OKX-trade.arrow']);
    const series = readSeries(join(dir, files[0]!));
    expect(series.length).toBe(walk.length);
    const instrument = makeInstrument(series.meta.instrument);
    const replay = await runBacktest({
      strategy: pingPong,
      params,
      feeds: [seriesToFeed(series, instrument.id)],
      instruments: [instrument],
      venue: (ctx) =>
        createSimulatedVenue({
          config: { venue: 'OKX', startingBalances: { USDT: '100000' }, partialFills: false, fees: { maker: '0.001', taker: '0.001', currency: 'received' } },
          instruments: ctx.instruments,
          clock: ctx.clock,
          bus: ctx.bus,
        }),
      startingCash: 100_000,
    });
    expect(replay.orders.map(orderKey)).toEqual(liveOrders.map(orderKey));
    expect(replay.fills.map(fillKey)).toEqual(liveFills.map(fillKey));
  }, 60_000);
});
