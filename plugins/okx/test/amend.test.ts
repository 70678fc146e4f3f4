import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { defineStrategy, EventBus, RealtimeClock, silentLogger, type OrderSnapshot } from '@autotrader/core';
import { LiveSession } from '@autotrader/engine';
import { waitFor } from '@autotrader/testkit';
import { createOkx, okxPlugin, wireClientOrderId } from '../src/index';
import { DEMO_KEY, startFakeOkx, type FakeOkx } from './fake-venue';

const INST = 'BTC-USDT';

/**
 * Rests a limit buy of 0.5 at 30000 on the first quote; once it is partly filled, amends it once to
 * `quantity` (the new total, what filled included) at `price`.
 */
const amender = defineStrategy({
  name: 'okx-amender',
  params: z.object({ quantity: z.string(), price: z.string() }),
  requires: { orderTypes: ['limit'], data: ['quote'] },
  create(ctx, p) {
    const id = ctx.instruments.list()[0]!.id;
    let placed: string | undefined;
    let amended = false;
    ctx.quotes(id).subscribe(() => {
      if (placed !== undefined) return;
      placed = ctx.submit({ instrumentId: id, side: 'buy', type: 'limit', quantity: '0.5', price: '30000', timeInForce: 'GTC' }).clientOrderId;
    });
    ctx.stream('order').subscribe((e) => {
      if (e.order.clientOrderId !== placed || amended || e.order.status !== 'partially_filled') return;
      amended = true;
      ctx.modify(placed, { quantity: p.quantity, price: p.price });
    });
  },
});

interface Run {
  readonly fake: FakeOkx;
  readonly orders: Map<string, OrderSnapshot>;
  readonly history: string[];
  readonly errors: string[];
  readonly session: LiveSession;
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A live session of {@link amender} on the plugin against the fake OKX (demo). */
async function run(params: { quantity: string; price: string }, orderTransport: 'rest' | 'ws'): Promise<Run> {
  const fake = await startFakeOkx({ balances: { USDT: '100000', BTC: '1' } });
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const orders = new Map<string, OrderSnapshot>();
  const history: string[] = [];
  const errors: string[] = [];
  bus.on('order', (e) => {
    orders.set(e.order.clientOrderId, e.order);
    history.push(`${e.order.status} ${e.order.quantity.toString()}@${e.order.price?.toString()} filled ${e.order.filledQuantity.toString()}`);
  });
  bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  const config = okxPlugin.configSchema.parse({ restUrl: fake.restUrl, ...fake.demo, orderTransport, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  const connection = createOkx(config, { bus, clock, logger: silentLogger, env: { OKX_API_KEY: DEMO_KEY.apiKey, OKX_API_SECRET: DEMO_KEY.secret, OKX_API_PASSPHRASE: DEMO_KEY.passphrase } });
  const session = new LiveSession({
    strategy: amender,
    params,
    venue: { name: 'okx', capabilities: okxPlugin.capabilities, rateLimits: okxPlugin.rateLimits, loadInstruments: () => connection.instruments.load(), data: connection.data, execution: connection.execution, close: () => connection.close() },
    instrumentIds: [INST],
    dataKinds: ['quote'],
    bus,
    clock,
  });
  stops.push(async () => {
    await session.stop();
    await fake.close();
  });
  await session.start();
  return { fake, orders, history, errors, session };
}

describe.each(['ws', 'rest'] as const)('amending a partially filled order through the engine (orders over %s)', (transport) => {
  it('amends in place: one venue order, newSz counting what filled, the rest filled at the new price', async () => {
    const { fake, orders, errors } = await run({ quantity: '0.8', price: '30010' }, transport);
    fake.ticker(INST, '29990', '1', '30020', '1');
    const placed = await waitFor('the order resting at the venue', () => fake.orders('demo')[0]);
    fake.trade(INST, '30000', '0.2', 'sell');
    await waitFor('the amendment at the venue', () => fake.orders('demo')[0]!.sz === '0.8');
    const venue = fake.orders('demo')[0]!;
    expect([venue.ordId, venue.px, venue.accFillSz, venue.state]).toEqual([placed.ordId, '30010', '0.2', 'partially_filled']);
    const id = [...orders.keys()][0]!;
    expect(venue.clOrdId).toBe(wireClientOrderId(id));
    await waitFor('the OMS has the amended order', () => orders.get(id)?.quantity.toString() === '0.8' && orders.get(id)?.status === 'partially_filled');
    expect(orders.get(id)!.price?.toString()).toBe('30010');

    fake.trade(INST, '30010', '1', 'sell');
    await waitFor('filled at the amended terms', () => orders.get(id)?.status === 'filled');
    const done = orders.get(id)!;
    expect([done.filledQuantity.toString(), done.quantity.toString()]).toEqual(['0.8', '0.8']);
    expect(fake.orders('demo')).toHaveLength(1);
    expect(fake.orders('demo')[0]!.fills.map((f) => [f.px, f.sz])).toEqual([
      ['30000', '0.2'],
      ['30010', '0.6'],
    ]);
    const amends = transport === 'ws' ? fake.wsOps().filter((o) => o.op === 'amend-order') : fake.requests().filter((r) => r.path === '/api/v5/trade/amend-order');
    expect(amends).toHaveLength(1);
    expect(JSON.stringify(transport === 'ws' ? (amends[0] as { args: unknown[] }).args[0] : JSON.parse((amends[0] as { body: string }).body))).toMatch(/"newSz":"0.8".*"cxlOnFail":false|"cxlOnFail":false.*"newSz":"0.8"/);
    expect(errors).toEqual([]);
  });

  it('an amendment OKX accepts but then fails (amendResult -1) leaves the order as it was, and it still fills', async () => {
    // 1000 BTC at 30010 is far beyond the 100000 USDT: the channel answers amendResult -1 (51008).
    const { fake, orders, history } = await run({ quantity: '1000', price: '30010' }, transport);
    fake.ticker(INST, '29990', '1', '30020', '1');
    await waitFor('the order resting at the venue', () => fake.orders('demo')[0]);
    fake.trade(INST, '30000', '0.2', 'sell');
    const id = await waitFor('our order', () => [...orders.keys()][0]);
    await waitFor('the refusal applied', () => history.some((h) => h.startsWith('pending_update')) && orders.get(id)?.status === 'partially_filled');
    const o = orders.get(id)!;
    expect([o.quantity.toString(), o.price?.toString(), o.filledQuantity.toString()]).toEqual(['0.5', '30000', '0.2']);
    const venue = fake.orders('demo')[0]!;
    expect([venue.sz, venue.px, venue.state]).toEqual(['0.5', '30000', 'partially_filled']);
    fake.trade(INST, '30000', '1', 'sell');
    await waitFor('filled as it was', () => orders.get(id)?.status === 'filled');
    expect(orders.get(id)!.filledQuantity.toString()).toBe('0.5');
  });
});
