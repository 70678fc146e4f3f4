import { defineStrategy, makeInstrument, SimulatedClock, type Bar, type OrderIntent, type OrderSnapshot, type TradingStateEvent } from '@autotrader/core';
import { createSimulatedVenue } from '@autotrader/plugin-paper';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Kernel, type RiskConfig } from '@autotrader/engine';

// Pre-trade risk and the kill switch through the whole kernel with the simulated venue. It lives in
// test/e2e because it needs a plugin, and the engine's own tests import none.

const inst = makeInstrument({ symbol: 'BTCUSD', venue: 'SIM', base: 'BTC', quote: 'USD', tickSize: '0.5', lotSize: '0.001' });
const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** A kernel with the simulated venue on a simulated clock, and a way to feed bars and send orders. */
async function setup(risk: RiskConfig, cash = '100000') {
  const clock = new SimulatedClock(T0);
  const kernel = new Kernel({
    clock,
    instruments: [inst],
    execution: (ctx) => createSimulatedVenue({ config: { startingBalances: { USD: cash }, allowShort: true }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus }),
    startingBalances: { USD: cash },
    risk,
  });
  const states: TradingStateEvent[] = [];
  kernel.bus.on('tradingState', (e) => states.push(e));
  let n = 0;
  const bar = (close: number, open = close): void => {
    n++;
    const tsEvent = T0 + n * MIN;
    clock.advanceTo(tsEvent);
    const b: Bar = { instrumentId: inst.id, tsOpen: tsEvent - MIN, tsEvent, tsInit: tsEvent, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 100 };
    kernel.bus.publish('bar', b);
  };
  await kernel.start();
  const send = (i: Partial<OrderIntent>): OrderSnapshot => kernel.submit({ instrumentId: inst.id, side: 'buy', quantity: '0.01', ...i } as OrderIntent);
  return { kernel, bar, send, states };
}

describe('pre-trade risk', () => {
  it('refuses orders over the quantity and notional limits with coded reasons', async () => {
    const { bar, send } = await setup({ maxOrderQuantity: '1', maxOrderNotional: '5000' });
    bar(100);
    expect(send({ quantity: '2' }).rejection?.code).toBe('RISK_MAX_QUANTITY');
    expect(send({ quantity: '0.6', type: 'limit', price: '10000' }).rejection?.code).toBe('RISK_MAX_NOTIONAL');
    expect(send({ quantity: '1' }).status).toBe('submitted'); // market: valued at the last price, 100
  });

  it('refuses an order that would take the position past the limit, counting open orders', async () => {
    const { bar, send } = await setup({ maxPosition: '1' });
    bar(100);
    expect(send({ type: 'limit', price: '90', quantity: '0.6' }).status).toBe('submitted');
    expect(send({ type: 'limit', price: '90', quantity: '0.6' }).rejection?.code).toBe('RISK_MAX_POSITION');
    expect(send({ side: 'sell', type: 'limit', price: '110', quantity: '0.6' }).status).toBe('submitted');
  });

  it('refuses past the open-order limit and outside the price band', async () => {
    const { bar, send } = await setup({ maxOpenOrders: 2, priceBandPct: 0.05 });
    bar(100);
    expect(send({ type: 'limit', price: '94' }).rejection?.code).toBe('RISK_PRICE_BAND');
    expect(send({ type: 'limit', price: '96' }).status).toBe('submitted');
    expect(send({ type: 'limit', price: '97' }).status).toBe('submitted');
    const third = send({ type: 'limit', price: '98' });
    expect(third.rejection).toEqual({ code: 'RISK_MAX_OPEN_ORDERS', message: '2 orders are open; the limit is 2' });
  });

  it('caps the order rate on the clock', async () => {
    const { bar, send } = await setup({ orderRate: { count: 2, intervalMs: MIN } });
    bar(100);
    expect(send({}).status).toBe('submitted');
    expect(send({}).status).toBe('submitted');
    expect(send({}).rejection?.code).toBe('RISK_ORDER_RATE');
    bar(100);
    expect(send({}).status).toBe('submitted');
  });

  it('the strategy receives the coded reason on its order', async () => {
    const clock = new SimulatedClock(T0);
    const seen: string[] = [];
    const kernel = new Kernel({
      clock,
      instruments: [inst],
      execution: (ctx) => createSimulatedVenue({ config: { startingBalances: { USD: '1000' } }, instruments: ctx.instruments, clock: ctx.clock, bus: ctx.bus }),
      startingBalances: { USD: '1000' },
      risk: { maxOrderQuantity: '0.5' },
    });
    kernel.addStrategy(
      defineStrategy({
        name: 'greedy',
        params: z.object({}),
        create(ctx) {
          ctx.stream('order').subscribe((e) => e.order.status === 'rejected' && seen.push(e.order.rejection!.code));
          ctx.bars().subscribe(() => ctx.submit({ instrumentId: inst.id, side: 'buy', quantity: '1' }));
        },
      }),
    );
    await kernel.start();
    clock.advanceTo(T0 + MIN);
    kernel.bus.publish('bar', { instrumentId: inst.id, tsOpen: T0, tsEvent: T0 + MIN, tsInit: T0 + MIN, open: 100, high: 100, low: 100, close: 100, volume: 1 });
    expect(seen).toEqual(['RISK_MAX_QUANTITY']);
  });
});

describe('kill switch', () => {
  it('halt cancels our open orders and refuses new ones; strategies see the change', async () => {
    const { kernel, bar, send, states } = await setup({});
    bar(100);
    const resting = send({ type: 'limit', price: '90' });
    bar(100);
    expect(kernel.order(resting.clientOrderId)?.status).toBe('accepted');
    kernel.setTradingState('halted', 'operator');
    bar(100); // the cancel reaches the venue on the clock
    expect(kernel.order(resting.clientOrderId)?.status).toBe('canceled');
    expect(send({}).rejection?.code).toBe('TRADING_HALTED');
    expect(states.map((s) => s.state)).toEqual(['halted']);
  });

  it('reducing lets through only orders that reduce the position', async () => {
    const { kernel, bar, send } = await setup({});
    bar(100);
    send({ quantity: '1' });
    bar(100);
    expect(kernel.portfolio.positionSize(inst.id)).toBe(1);
    kernel.setTradingState('reducing', 'operator');
    expect(send({ quantity: '0.1' }).rejection?.code).toBe('REDUCE_ONLY_MODE');
    expect(send({ side: 'sell', quantity: '2' }).rejection?.code).toBe('REDUCE_ONLY_MODE');
    expect(send({ side: 'sell', quantity: '0.6' }).status).toBe('submitted');
    expect(send({ side: 'sell', quantity: '0.6' }).rejection?.code).toBe('REDUCE_ONLY_MODE'); // 0.6 already on its way
    expect(send({ side: 'sell', quantity: '0.4' }).status).toBe('submitted');
  });

  it('max daily loss trips the switch to halt while orders are open, and they are cancelled', async () => {
    const { kernel, bar, send, states } = await setup({ maxDailyLoss: '50' });
    bar(100);
    send({ quantity: '10' });
    bar(100); // filled at 100: long 10
    const resting = send({ type: 'limit', price: '80' });
    bar(99); // -10
    expect(kernel.tradingState).toBe('active');
    bar(94); // -60 since the day's start: tripped
    expect(kernel.tradingState).toBe('halted');
    expect(states[0]!.reason).toMatch(/max daily loss/);
    bar(94);
    expect(kernel.order(resting.clientOrderId)?.status).toBe('canceled');
    expect(send({ side: 'sell', quantity: '1' }).rejection?.code).toBe('TRADING_HALTED');
  });
});
