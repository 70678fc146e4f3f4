import { describe, expect, it } from 'vitest';
import {
  isAutotraderError,
  money,
  quantity as toQuantity,
  price as toPrice,
  type Balance,
  type BusEvents,
  type EventBus,
  type ExecutionPort,
  type ExecutionReport,
  type Instrument,
  type MarketDataKind,
  type Order,
  type OrderSide,
  type OrderType,
} from '@autotrader/core';
import { ScenarioContext } from './conformance/context';
import { engineScenarios } from './conformance/engine-scenarios';
import { isNotApplicable, type ConformanceHarness, type HarnessRequest } from './conformance/harness';
import { waitFor } from './wait';

export {
  isNotApplicable,
  notApplicable,
  type ConformanceHarness,
  type HarnessRequest,
  type Hook,
  type NotApplicable,
  type RestartedProcess,
  type VenueBalanceTruth,
  type VenueFillTruth,
} from './conformance/harness';

/** Options of {@link describeVenueConformance}. */
export interface ConformanceOptions {
  /** Per-step timeout in ms (default 5,000). */
  readonly timeoutMs?: number;
}

interface Session {
  readonly h: ConformanceHarness;
  readonly execution: ExecutionPort;
  readonly instrument: Instrument;
  readonly reports: ExecutionReport[];
  seq: number;
}

/** The harness's instrument, loaded by the plugin. */
async function loadInstrument(h: ConformanceHarness): Promise<Instrument> {
  const instruments = await h.connection.instruments.load();
  const instrument = instruments.find((i) => i.id === h.instrumentId);
  if (instrument === undefined) throw new Error(`${h.plugin.name}: instrument ${h.instrumentId} was not loaded`);
  return instrument;
}

/** Connects the execution port straight to a report list: the port-level scenarios talk to it as the kernel does. */
async function open(h: ConformanceHarness, instrument: Instrument): Promise<Session> {
  const execution = h.connection.execution;
  if (execution === undefined) throw new Error(`${h.plugin.name}: the connection has no execution port`);
  const reports: ExecutionReport[] = [];
  await execution.connect((r) => reports.push(r));
  return { h, execution, instrument, reports, seq: 0 };
}

/** Builds an order the way the engine would (the suite talks to the port directly, like the kernel does). */
function order(s: Session, side: OrderSide, type: OrderType, qty: string, px?: string): Order {
  const now = Date.now();
  return {
    clientOrderId: `conf${now.toString(36)}${(s.seq++).toString(36)}`,
    instrumentId: s.instrument.id,
    side,
    type,
    quantity: toQuantity(qty),
    price: px === undefined ? undefined : toPrice(px),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    status: 'submitted',
    filledQuantity: toQuantity(0),
    fees: money(0),
    tsCreated: now,
    tsUpdated: now,
  };
}

const ofOrder = (s: Session, id: string, kind: ExecutionReport['kind']): ExecutionReport[] =>
  s.reports.filter((r) => r.kind === kind && (r.kind === 'fill' ? r.fill.clientOrderId === id : r.clientOrderId === id));
const filledQty = (s: Session, id: string): number =>
  s.reports.reduce((n, r) => (r.kind === 'fill' && r.fill.clientOrderId === id ? n + r.fill.quantity.toNumber() : n), 0);

/** A price `ticks` ticks away from the reference price. */
function offset(s: Session, ticks: number): string {
  return toPrice(s.h.referencePrice).plus(s.instrument.tickSize.mul(ticks)).toString();
}

function nextEvent<T extends keyof BusEvents>(bus: EventBus, topic: T, instrumentId: string, timeoutMs: number): Promise<BusEvents[T]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${topic}' event for ${instrumentId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.on(topic, (e) => {
      if ((e as { instrumentId?: string }).instrumentId !== instrumentId) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/**
 * Ends a scenario as skipped with `note` ("not applicable: …"), and says so on the console too: the
 * default reporter counts skipped tests without naming them, and a scenario a plugin cannot run must
 * never pass unseen.
 */
function notApplicableHere(ctx: { skip(note: string): never }, title: string, note: string): never {
  console.info(`conformance: "${title}": ${note}`);
  return ctx.skip(note);
}

/**
 * The venue conformance suite: the same scenarios for every venue plugin, the simulated venue
 * included. A third-party plugin author calls this from a vitest file with a harness over their fake
 * venue (see {@link ConformanceHarness}; plugins/binance/test/conformance.test.ts is a complete one):
 *
 * ```ts
 * describeVenueConformance('acme', async ({ feesInBaseAsset }) => {
 *   const fake = await startFakeAcme();
 *   ...
 *   return { plugin, connection, bus, clock, instrumentId, orderQuantity, referencePrice, market, venueTruth, faults,
 *            dropConnections, feesInBaseAsset: notApplicable('Acme charges every fee in the quote asset'), restart, teardown };
 * });
 * ```
 *
 * Port-level scenarios (the suite talks to the execution and data ports as the kernel does): load
 * instruments; stream each data kind the plugin declares; submit and fill a market order; rest and
 * fill a limit order; a partial fill; cancel; modify (native, or absent when the plugin declares no
 * native modify); a coded rejection; reconnect and resubscribe; open orders and balances agree with
 * the venue.
 *
 * Engine scenarios (the kernel on the plugin behind the guard, as a live session runs it): a submit
 * whose outcome is unknown, then resent with the same client order id, is one order booked once;
 * fills made while the order updates are down are recovered; a 429 storm ends without a ban; fees in
 * the base asset leave position and balances equal to the venue's; a restart from the journal with
 * fills made while down; an order type or time in force the venue lacks is refused before anything
 * is sent; modify natively or by cancel-replace as declared.
 *
 * A scenario that needs a hook the harness declared {@link notApplicable} is reported as skipped with
 * "not applicable: <what>: <reason>".
 */
export function describeVenueConformance(name: string, setup: (request: HarnessRequest) => Promise<ConformanceHarness>, options: ConformanceOptions = {}): void {
  const timeout = options.timeoutMs ?? 5_000;
  const scenario = (title: string, body: (s: Session, c: ScenarioContext) => Promise<void>): void => {
    it(title, async (ctx) => {
      const h = await setup({ scenario: title, feesInBaseAsset: false });
      let s: Session | undefined;
      try {
        const c = new ScenarioContext(h, await loadInstrument(h), timeout, (note) => notApplicableHere(ctx, title, note));
        s = await open(h, c.instrument);
        await body(s, c);
      } finally {
        await s?.execution.disconnect().catch(() => {});
        await h.connection.data?.disconnect().catch(() => {});
        await h.teardown();
      }
    }, timeout * 6);
  };
  const engineScenario = (title: string, request: { feesInBaseAsset?: boolean }, body: (c: ScenarioContext) => Promise<void>): void => {
    it(title, async (ctx) => {
      const h = await setup({ scenario: title, feesInBaseAsset: request.feesInBaseAsset ?? false });
      let c: ScenarioContext | undefined;
      try {
        c = new ScenarioContext(h, await loadInstrument(h), timeout, (note) => notApplicableHere(ctx, title, note));
        await body(c);
      } finally {
        await c?.close();
        await h.connection.execution?.disconnect().catch(() => {});
        await h.connection.data?.disconnect().catch(() => {});
        await h.teardown();
      }
    }, timeout * 8);
  };

  describe(`venue conformance: ${name}`, () => {
    scenario('loads instruments with tick, lot and notional rules', async (s) => {
      const i = s.instrument;
      expect(i.id).toBe(s.h.instrumentId);
      expect(i.tickSize.isPositive() && !i.tickSize.isZero()).toBe(true);
      expect(i.lotSize.isPositive() && !i.lotSize.isZero()).toBe(true);
      expect(i.minQuantity.gte(0)).toBe(true);
      expect(i.minNotional.gte(0)).toBe(true);
      expect(s.h.plugin.apiVersion).toBe(1);
    });

    scenario('streams every market-data kind it declares', async (s, c) => {
      const data = s.h.connection.data;
      const kinds = s.h.plugin.capabilities.data;
      if (kinds.length === 0) c.notApplicable(`${s.h.plugin.name} declares no market data`);
      expect(data, 'a plugin declaring data kinds must return a data port').toBeDefined();
      await data!.connect();
      const drive: Record<MarketDataKind, (() => Promise<void>) | undefined> = {
        trade: () => s.h.market.trade(s.h.referencePrice, s.h.orderQuantity),
        quote: () => s.h.market.quote(offset(s, -1), '5', offset(s, 1), '5'),
        bar: s.h.market.bar && (() => s.h.market.bar!(s.h.referencePrice, offset(s, 2), offset(s, -2), offset(s, 1), '10')),
        book: s.h.market.book && (() => s.h.market.book!([[offset(s, -1), '3']], [[offset(s, 1), '4']])),
      };
      for (const kind of kinds) {
        const push = drive[kind];
        expect(push, `the harness must be able to drive '${kind}' data`).toBeDefined();
        await data!.subscribe({ kind, instrumentId: s.instrument.id, interval: kind === 'bar' ? '1m' : undefined });
        const seen = nextEvent(s.h.bus, kind, s.instrument.id, timeout);
        await push!();
        const event = await seen;
        expect(event.instrumentId).toBe(s.instrument.id);
        expect(event.tsEvent).toBeGreaterThan(0);
      }
    });

    scenario('submits a market order and reports its fill', async (s) => {
      await s.h.market.quote(offset(s, -1), '100', offset(s, 1), '100');
      await s.h.market.trade(s.h.referencePrice, '100');
      const o = order(s, 'buy', 'market', s.h.orderQuantity);
      await s.execution.submit(o);
      await s.h.market.trade(s.h.referencePrice, '100');
      await waitFor('the market order to fill completely', () => filledQty(s, o.clientOrderId) >= o.quantity.toNumber(), timeout);
      const fills = ofOrder(s, o.clientOrderId, 'fill');
      for (const r of fills) {
        if (r.kind !== 'fill') continue;
        expect(r.fill.side).toBe('buy');
        expect(r.fill.tradeId.length).toBeGreaterThan(0);
        expect(r.fill.price.isPositive()).toBe(true);
      }
      expect(filledQty(s, o.clientOrderId)).toBe(o.quantity.toNumber());
    });

    scenario('rests a limit order, then fills it when the market trades through', async (s) => {
      await s.h.market.trade(s.h.referencePrice, '1');
      const limit = offset(s, -10);
      const o = order(s, 'buy', 'limit', s.h.orderQuantity, limit);
      await s.execution.submit(o);
      await waitFor('the limit order to be accepted', () => ofOrder(s, o.clientOrderId, 'accepted').length > 0, timeout);
      expect(filledQty(s, o.clientOrderId)).toBe(0);
      expect(await s.h.venueTruth.openOrderIds()).toContain(o.clientOrderId);
      await s.h.market.trade(offset(s, -11), '1000');
      await waitFor('the limit order to fill', () => filledQty(s, o.clientOrderId) >= o.quantity.toNumber(), timeout);
      const fill = ofOrder(s, o.clientOrderId, 'fill')[0];
      expect(fill?.kind === 'fill' && fill.fill.price.lte(limit)).toBe(true);
    });

    scenario('fills a limit order partially when less trades than it wants', async (s, c) => {
      if (s.h.partialFills !== undefined) c.need(s.h.partialFills, 'partial fills');
      await s.h.market.trade(s.h.referencePrice, '1');
      const qty = toQuantity(s.h.orderQuantity).mul(2).toString();
      const o = order(s, 'buy', 'limit', qty, offset(s, -10));
      await s.execution.submit(o);
      await waitFor('the limit order to be accepted', () => ofOrder(s, o.clientOrderId, 'accepted').length > 0, timeout);
      await s.h.market.trade(offset(s, -10), s.h.orderQuantity);
      await waitFor('a partial fill', () => filledQty(s, o.clientOrderId) > 0, timeout);
      expect(filledQty(s, o.clientOrderId)).toBeLessThan(Number(qty));
      expect(await s.h.venueTruth.openOrderIds()).toContain(o.clientOrderId);
    });

    scenario('cancels a resting order', async (s) => {
      await s.h.market.trade(s.h.referencePrice, '1');
      const o = order(s, 'buy', 'limit', s.h.orderQuantity, offset(s, -10));
      await s.execution.submit(o);
      await waitFor('the limit order to be accepted', () => ofOrder(s, o.clientOrderId, 'accepted').length > 0, timeout);
      await s.execution.cancel(o);
      await waitFor('the cancel to be reported', () => ofOrder(s, o.clientOrderId, 'canceled').length > 0, timeout);
      expect(await s.h.venueTruth.openOrderIds()).not.toContain(o.clientOrderId);
      const state = await s.execution.order(o.clientOrderId, o.instrumentId);
      expect(state?.status).toBe('canceled');
    });

    scenario('modifies a resting order natively, or has no native modify and says so in its capabilities', async (s) => {
      if (!s.h.plugin.capabilities.nativeModify) {
        expect(s.execution.modify, 'nativeModify is false, so the engine does cancel-replace').toBeUndefined();
        return;
      }
      expect(s.execution.modify).toBeDefined();
      await s.h.market.trade(s.h.referencePrice, '1');
      const o = order(s, 'buy', 'limit', s.h.orderQuantity, offset(s, -10));
      await s.execution.submit(o);
      await waitFor('the limit order to be accepted', () => ofOrder(s, o.clientOrderId, 'accepted').length > 0, timeout);
      const newPrice = toPrice(offset(s, -12));
      await s.execution.modify!(o, { price: newPrice });
      const updated = await waitFor('the modify to be reported', () => ofOrder(s, o.clientOrderId, 'updated')[0], timeout);
      expect(updated.kind === 'updated' && updated.price?.eq(newPrice)).toBe(true);
      const state = await s.execution.order(o.clientOrderId, o.instrumentId);
      expect(state?.price?.eq(newPrice)).toBe(true);
      expect(await s.h.venueTruth.openOrderIds()).toContain(o.clientOrderId);
    });

    scenario('rejects an order the venue refuses, with a coded reason', async (s) => {
      await s.h.market.trade(s.h.referencePrice, '1');
      // Far more than the account can pay for: every venue refuses it.
      const o = order(s, 'buy', 'limit', toQuantity(s.h.orderQuantity).mul(1_000_000_000).toString(), offset(s, -10));
      let thrown: unknown;
      try {
        await s.execution.submit(o);
      } catch (error) {
        thrown = error;
      }
      if (thrown !== undefined) {
        expect(isAutotraderError(thrown), `submit must reject with an AutotraderError, got ${String(thrown)}`).toBe(true);
        return;
      }
      const rejected = await waitFor('a rejected report', () => ofOrder(s, o.clientOrderId, 'rejected')[0], timeout);
      expect(rejected.kind === 'rejected' && rejected.code.length > 0).toBe(true);
    });

    scenario('reconnects and resubscribes after its connections drop', async (s, c) => {
      const dropConnections = c.need(s.h.dropConnections, 'dropping connections');
      const data = s.h.connection.data;
      if (data === undefined) return c.notApplicable(`${s.h.plugin.name} has no data port to reconnect`);
      // Trades where the venue publishes them, else quotes (an FX dealer such as OANDA streams prices only).
      const kind = s.h.plugin.capabilities.data.includes('trade') ? 'trade' : s.h.plugin.capabilities.data.includes('quote') ? 'quote' : undefined;
      if (kind === undefined) return c.notApplicable(`${s.h.plugin.name} streams neither trades nor quotes`);
      const print = (): Promise<void> => (kind === 'trade' ? s.h.market.trade(s.h.referencePrice, '1') : s.h.market.quote(offset(s, -1), '5', offset(s, 1), '5'));
      await data.connect();
      await data.subscribe({ kind, instrumentId: s.instrument.id });
      const first = nextEvent(s.h.bus, kind, s.instrument.id, timeout);
      await print();
      await first;
      await dropConnections();
      // Keep printing until one arrives through the new connection.
      const after = nextEvent(s.h.bus, kind, s.instrument.id, timeout * 3);
      let done = false;
      void after.then(() => (done = true)).catch(() => {});
      const pump = (async () => {
        while (!done) {
          await print();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await after;
      await pump;
      // Order updates flow again too.
      const o = order(s, 'buy', 'limit', s.h.orderQuantity, offset(s, -10));
      await s.execution.submit(o);
      await waitFor('an ack after the reconnect', () => ofOrder(s, o.clientOrderId, 'accepted').length > 0, timeout * 3);
    });

    scenario('open orders and balances agree with the venue', async (s, c) => {
      await s.h.market.trade(s.h.referencePrice, '1');
      const a = order(s, 'buy', 'limit', s.h.orderQuantity, offset(s, -10));
      const b = order(s, 'buy', 'limit', s.h.orderQuantity, offset(s, -11));
      await s.execution.submit(a);
      await s.execution.submit(b);
      await waitFor('both orders to be accepted', () => ofOrder(s, a.clientOrderId, 'accepted').length > 0 && ofOrder(s, b.clientOrderId, 'accepted').length > 0, timeout);
      const ours = (await s.execution.openOrders(s.instrument.id)).map((o) => o.clientOrderId).sort();
      const truth = (await s.h.venueTruth.openOrderIds()).sort();
      expect(ours).toEqual(truth);
      expect(ours).toEqual([a.clientOrderId, b.clientOrderId].sort());
      const balances: Balance[] = await s.execution.balances();
      const quote = balances.find((x) => x.currency === s.instrument.quote);
      expect(quote, `balances() must include the quote currency ${s.instrument.quote}`).toBeDefined();
      const venueQuote = await s.h.venueTruth.balance(s.instrument.quote);
      expect(quote!.total.eq(venueQuote ?? '0')).toBe(true);
      // A spot venue locks the resting buys' funds; a margin venue that locks nothing says so in its harness.
      if (s.h.pendingOrdersLockFunds === undefined || c.optional(s.h.pendingOrdersLockFunds) !== undefined) {
        expect(quote!.locked.isPositive() && !quote!.locked.isZero()).toBe(true);
      } else {
        expect(quote!.locked.isZero(), 'a venue that locks nothing for pending orders reports nothing locked').toBe(true);
      }
    });

    engineScenarios(engineScenario);
  });
}
