/**
 * The scenarios that run the engine on top of the plugin, as a live session does (see
 * engine-run.ts): what the venue does under faults must end in our books exactly as the venue holds
 * them, every fill counted once and no order placed twice.
 * @module
 */
import { join } from 'node:path';
import { quantity as toQuantity, type OrderIntent, type OrderSnapshot, type OrderType, type TimeInForce } from '@autotrader/core';
import { readJournal, recover } from '@autotrader/engine';
import { expect } from 'vitest';
import type { ScenarioContext } from './context';
import { bookedFills, booksNextToVenue, expectBooksEqualVenue, scratchDir, type EngineRun } from './engine-run';

/** Every order type and time in force the core model has. */
const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop', 'market_if_touched'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'GTD', 'DAY'];

/** A resting limit buy `ticks` below the reference price. */
const restingBuy = (c: ScenarioContext, ticks = -10, qty = c.h.orderQuantity): OrderIntent => ({
  instrumentId: c.instrument.id,
  side: 'buy',
  type: 'limit',
  price: c.offset(ticks),
  quantity: qty,
});

/** Submits through the engine; the order must have left for the venue (not refused locally). */
function submit(run: EngineRun, intent: OrderIntent): OrderSnapshot {
  const o = run.kernel.submit(intent);
  expect(o.status, `refused before it was sent: ${o.rejection?.code ?? ''} ${o.rejection?.message ?? ''}`).toBe('submitted');
  return o;
}

/** The venue's fills of one order, by trade id, sorted. */
async function venueFillsOf(c: ScenarioContext, clientOrderId: string): Promise<string[]> {
  const fills = c.need(c.h.venueTruth.fills, "the venue's fills");
  return (await fills())
    .filter((f) => f.clientOrderId === clientOrderId)
    .map((f) => f.tradeId)
    .sort();
}

/**
 * No fill of these orders was booked twice, and (where the harness shows the venue's fills) every
 * fill the venue made for them was booked, and nothing else.
 */
async function expectFillsBookedOnce(c: ScenarioContext, run: EngineRun, ids: readonly string[]): Promise<void> {
  const canCompare = c.optional(c.h.venueTruth.fills) !== undefined;
  for (const id of ids) {
    const booked = bookedFills(run, id);
    expect(new Set(booked).size, `a fill of ${id} was booked twice`).toBe(booked.length);
    if (canCompare) expect([...booked].sort(), `the fills of ${id}: booked against the venue's`).toEqual(await venueFillsOf(c, id));
  }
}

/** Books equal to the venue's, once any update in flight has landed; skipped only where the harness cannot show the venue's balances. */
async function expectBooksSettleToVenue(c: ScenarioContext, run: EngineRun): Promise<void> {
  const balances = c.optional(c.h.venueTruth.balances);
  if (balances === undefined) return;
  await c
    .eventually('our books to equal the venue', async () => {
      const { ours, venue } = booksNextToVenue(run, await balances());
      return JSON.stringify(ours) === JSON.stringify(venue);
    })
    .catch(() => {});
  await expectBooksEqualVenue(run, await balances());
}

const notHalted = (run: EngineRun): void => expect(run.kernel.tradingState, `halted: ${run.kernel.tradingStateReason}`).not.toBe('halted');

/** Registers the engine scenarios with `scenario`. */
export function engineScenarios(scenario: (title: string, options: { feesInBaseAsset?: boolean }, body: (c: ScenarioContext) => Promise<void>) => void): void {
  scenario('a submit whose outcome is unknown, resent with the same client order id, is one order at the venue, booked once', {}, async (c) => {
    const unknownOutcome = c.need(c.h.faults.unknownOutcome, 'an unknown submit outcome');
    const ordersWith = c.need(c.h.venueTruth.ordersWithClientId, 'orders per client order id at the venue');
    c.need(c.h.venueTruth.fills, "the venue's fills");
    const run = await c.start();
    await c.h.market.trade(c.h.referencePrice, '1');
    await unknownOutcome();
    const o = submit(run, restingBuy(c));
    // The engine learns the outcome by asking (the guard's lookup, or the ack timeout's query) or from the stream.
    await c.order(run, o.clientOrderId, 'accepted although the submit had no clear answer', (x) => x.status === 'accepted', c.timeout * 2);
    await run.kernel.settleSubmits();
    expect(await ordersWith(o.clientOrderId), 'orders with this client order id at the venue').toBe(1);
    // A retry of the same order that raced the lookup: the same client order id, straight to the venue.
    const sent = run.sent.get(o.clientOrderId);
    expect(sent, 'the order as it was sent').toBeDefined();
    await Promise.resolve()
      .then(() => c.h.connection.execution!.submit(sent!))
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(await ordersWith(o.clientOrderId), 'the resend made a second order').toBe(1);
    expect(run.kernel.order(o.clientOrderId)?.status, 'the resend changed our order').toBe('accepted');
    await c.h.market.trade(c.offset(-11), '1000');
    await c.order(run, o.clientOrderId, 'filled', (x) => x.status === 'filled');
    await expectFillsBookedOnce(c, run, [o.clientOrderId]);
    notHalted(run);
    await expectBooksSettleToVenue(c, run);
  });

  scenario('fills made while the order updates are down are recovered (fillsSince or the venue’s equivalent), each once', {}, async (c) => {
    const down = c.need(c.h.faults.orderUpdatesDown, 'cutting the order updates');
    c.need(c.h.venueTruth.fills, "the venue's fills");
    const run = await c.start();
    await c.h.market.trade(c.h.referencePrice, '1');
    const o = submit(run, restingBuy(c));
    await c.order(run, o.clientOrderId, 'accepted', (x) => x.status === 'accepted');
    const outage = await down();
    await c.h.market.trade(c.offset(-11), '1000');
    await c.eventually('the venue to fill the order', async () => (await venueFillsOf(c, o.clientOrderId)).length > 0);
    expect(bookedFills(run, o.clientOrderId), 'a fill reached us while the order updates were down').toEqual([]);
    await outage.restore();
    await run.kernel.reconcile();
    await c.order(run, o.clientOrderId, 'filled after reconciliation', (x) => x.status === 'filled');
    await expectFillsBookedOnce(c, run, [o.clientOrderId]);
    notHalted(run);
    await expectBooksSettleToVenue(c, run);
  });

  scenario('a 429 storm ends without a ban: every request waits out Retry-After and then succeeds', {}, async (c) => {
    const storm = c.need(c.h.faults.rateLimitStorm, 'a 429 storm');
    const bans = c.need(c.h.venueTruth.bans, 'the bans the venue imposed');
    const run = await c.start();
    await c.h.market.trade(c.h.referencePrice, '1');
    await storm(3);
    // Three requests at once: two orders and a balance query, as a busy session sends them.
    const a = submit(run, restingBuy(c, -10));
    const b = submit(run, restingBuy(c, -11));
    const query = run.guard.balances().then(
      () => 'answered',
      (e: unknown) => `failed: ${String(e)}`,
    );
    await run.kernel.settleSubmits();
    expect(await query, 'the balance query').toBe('answered');
    await c.order(run, a.clientOrderId, 'accepted after the storm', (x) => x.status === 'accepted', c.timeout * 2);
    await c.order(run, b.clientOrderId, 'accepted after the storm', (x) => x.status === 'accepted', c.timeout * 2);
    expect(run.guard.stats().rateLimited, 'the storm never reached the engine').toBeGreaterThan(0);
    expect(await bans(), 'the venue banned us').toBe(0);
    expect((await c.h.venueTruth.openOrderIds()).sort()).toEqual([a.clientOrderId, b.clientOrderId].sort());
    notHalted(run);
  });

  scenario('fees in the base asset leave our position and every balance (total, free, locked) equal to the venue’s', { feesInBaseAsset: true }, async (c) => {
    c.need(c.h.feesInBaseAsset, 'fees in the base asset');
    c.need(c.h.venueTruth.balances, "the venue's balances");
    const run = await c.start();
    await c.h.market.quote(c.offset(-1), '100', c.offset(1), '100');
    await c.h.market.trade(c.h.referencePrice, '100');
    const fills: { currency: string; fee: string }[] = [];
    const off = run.kernel.bus.on('fill', (f) => void fills.push({ currency: f.feeCurrency, fee: f.fee.toString() }));
    try {
      const buy = submit(run, { instrumentId: c.instrument.id, side: 'buy', type: 'market', quantity: c.h.orderQuantity });
      await c.h.market.trade(c.h.referencePrice, '100');
      await c.order(run, buy.clientOrderId, 'filled', (x) => x.status === 'filled');
      // A resting buy too: what it locks must be what the venue locks.
      const rest = submit(run, restingBuy(c));
      await c.order(run, rest.clientOrderId, 'accepted', (x) => x.status === 'accepted');
    } finally {
      off();
    }
    expect(fills.length, 'the buy was filled').toBeGreaterThan(0);
    for (const f of fills) expect(f.currency, 'the fee currency of a buy').toBe(c.instrument.base);
    expect(fills.some((f) => toQuantity(f.fee).gt(0)), 'a fee was charged').toBe(true);
    await expectBooksSettleToVenue(c, run);
    notHalted(run);
  });

  scenario('a restart from the journal with fills made while down counts every fill once and places nothing twice', {}, async (c) => {
    const restart = c.need(c.h.restart, 'a restart');
    const ordersWith = c.need(c.h.venueTruth.ordersWithClientId, 'orders per client order id at the venue');
    c.need(c.h.venueTruth.fills, "the venue's fills");
    const dir = scratchDir();
    try {
      const journal = join(dir.path, 'orders.jsonl');
      const first = await c.start({ journal });
      await c.h.market.trade(c.h.referencePrice, '1');
      const a = submit(first, restingBuy(c, -10));
      const b = submit(first, restingBuy(c, -12));
      await c.order(first, a.clientOrderId, 'accepted', (x) => x.status === 'accepted');
      await c.order(first, b.clientOrderId, 'accepted', (x) => x.status === 'accepted');
      await c.h.market.trade(c.offset(-10), c.h.orderQuantity);
      await c.order(first, a.clientOrderId, 'filled before the crash', (x) => x.status === 'filled');
      // The process goes away with b still open; then the market trades through b.
      await first.stop();
      await c.h.market.trade(c.offset(-12), '1000');
      await c.eventually('the venue to fill b while we are down', async () => (await venueFillsOf(c, b.clientOrderId)).length > 0);

      const second = await c.startOn({ plugin: c.h.plugin, ...(await restart()) }, { journal });
      expect(second.recovered?.orders.map((o) => o.clientOrderId).sort(), 'orders recovered from the journal').toEqual([a.clientOrderId, b.clientOrderId].sort());
      await c.order(second, b.clientOrderId, 'filled after the restart', (x) => x.status === 'filled');
      await c.order(second, a.clientOrderId, 'still filled', (x) => x.status === 'filled');
      await expectFillsBookedOnce(c, second, [a.clientOrderId, b.clientOrderId]);
      for (const id of [a.clientOrderId, b.clientOrderId]) expect(await ordersWith(id), `orders ${id} at the venue`).toBe(1);
      expect(second.sent.size, 'the restart sent an order').toBe(0);
      notHalted(second);
      await expectBooksSettleToVenue(c, second);
      // The journal now holds every fill exactly once: a second restart would count them once too.
      const journalled = recover(readJournal(journal).entries).fills.map((f) => f.tradeId).sort();
      expect(journalled).toEqual([...(await venueFillsOf(c, a.clientOrderId)), ...(await venueFillsOf(c, b.clientOrderId))].sort());
    } finally {
      await c.close();
      dir.remove();
    }
  });

  scenario('an order type or time in force the venue lacks is refused before anything is sent', {}, async (c) => {
    const caps = c.h.plugin.capabilities;
    const types = ORDER_TYPES.filter((t) => !caps.orderTypes.includes(t));
    const tifs = TIMES_IN_FORCE.filter((t) => !caps.timeInForce.includes(t));
    if (types.length === 0 && tifs.length === 0) c.notApplicable(`${c.h.plugin.name} declares every order type and time in force`);
    const orderRequests = c.need(c.h.venueTruth.orderRequests, 'counting order requests at the venue');
    const run = await c.start();
    await c.h.market.trade(c.h.referencePrice, '1');
    const before = await orderRequests();
    const tick = c.instrument.tickSize.toString();
    const intents: OrderIntent[] = [
      ...types.map((type): OrderIntent => ({
        instrumentId: c.instrument.id,
        side: 'buy',
        type,
        quantity: c.h.orderQuantity,
        price: type === 'limit' ? c.offset(-10) : type === 'stop_limit' ? c.offset(11) : undefined,
        triggerPrice: type === 'stop' || type === 'stop_limit' ? c.offset(10) : type === 'market_if_touched' ? c.offset(-10) : undefined,
        trailingOffset: type === 'trailing_stop' ? toQuantity(tick).mul(10).toString() : undefined,
      })),
      ...tifs.map((timeInForce): OrderIntent => ({ ...restingBuy(c), timeInForce, expireAt: timeInForce === 'GTD' ? Date.now() + 3_600_000 : undefined })),
    ];
    const ids = intents.map((intent) => run.kernel.submit(intent).clientOrderId);
    await run.kernel.settleSubmits();
    for (const [n, id] of ids.entries()) {
      await c.order(run, id, `refused (${intents[n]!.type ?? 'limit'} ${intents[n]!.timeInForce ?? 'GTC'})`, (x) => x.status === 'rejected');
      expect(['ORDER_TYPE_UNSUPPORTED', 'CAPABILITY_MISSING'], `why ${id} was refused: ${run.kernel.order(id)?.rejection?.message ?? ''}`).toContain(run.kernel.order(id)?.rejection?.code);
    }
    expect(await orderRequests(), 'order requests the venue received').toBe(before);
    expect(await c.h.venueTruth.openOrderIds()).toEqual([]);
    notHalted(run);
  });

  scenario('modifies a resting order through the engine: natively, or by cancel and replace, as the plugin declares', {}, async (c) => {
    const run = await c.start();
    const port = c.h.connection.execution!;
    const native = c.h.plugin.capabilities.nativeModify && port.modify !== undefined;
    await c.h.market.trade(c.h.referencePrice, '1');
    const o = submit(run, restingBuy(c));
    await c.order(run, o.clientOrderId, 'accepted', (x) => x.status === 'accepted');
    const newPrice = c.offset(-12);
    const newQty = toQuantity(c.h.orderQuantity).mul(2);
    run.kernel.modify(o.clientOrderId, { price: newPrice, quantity: newQty.toString() });
    let target = o.clientOrderId;
    if (native) {
      await c.order(run, o.clientOrderId, 'modified in place', (x) => x.status === 'accepted' && x.price?.eq(newPrice) === true && x.quantity.eq(newQty));
      const atVenue = (await port.openOrders(c.instrument.id)).find((x) => x.clientOrderId === o.clientOrderId);
      expect(atVenue?.price?.eq(newPrice), `the venue's price ${atVenue?.price?.toString() ?? 'none'}`).toBe(true);
    } else {
      await c.order(run, o.clientOrderId, 'cancelled for the replacement', (x) => x.status === 'canceled');
      await waitForReplacement(c, run, o.clientOrderId);
      const replacement = run.kernel.openOrders(c.instrument.id)[0]!;
      expect(replacement.price?.eq(newPrice) && replacement.quantity.eq(newQty), 'the replacement has the new price and quantity').toBe(true);
      target = replacement.clientOrderId;
    }
    expect(await c.h.venueTruth.openOrderIds()).toEqual([target]);
    await c.h.market.trade(c.offset(-12), '1000');
    await c.order(run, target, 'filled at the new price', (x) => x.status === 'filled' && x.filledQuantity.eq(newQty));
    await expectFillsBookedOnce(c, run, [target]);
    notHalted(run);
  });
}

async function waitForReplacement(c: ScenarioContext, run: EngineRun, replaced: string): Promise<void> {
  await c.eventually('the replacement order to be accepted', async () => {
    const open = run.kernel.openOrders(c.instrument.id);
    return open.length === 1 && open[0]!.clientOrderId !== replaced && open[0]!.status === 'accepted';
  });
}
