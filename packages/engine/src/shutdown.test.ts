import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineStrategy,
  makeInstrument,
  money,
  quantity,
  RealtimeClock,
  type Balance,
  type ExecutionPort,
  type ExecutionReportSink,
  type Logger,
  type OrderSnapshot,
  type VenueOrderState,
  type VenuePosition,
} from '@autotrader/core';
import { waitFor } from '@autotrader/testkit';
import { Kernel } from './kernel';
import { stopTrading } from './shutdown';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'SLOW', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001' });

/**
 * A venue at the port boundary whose every answer takes `delayMs` of real time, like a loaded
 * exchange. Limit orders rest; a cancel removes the order and reports it (unless cancels are refused).
 */
class SlowVenue implements ExecutionPort {
  readonly venue = 'SLOW';
  readonly book = new Map<string, VenueOrderState>();
  /** Every client order id that reached the venue, in order. */
  readonly placed: string[] = [];
  refuseCancels = false;
  private sink: ExecutionReportSink | undefined;
  private seq = 0;

  constructor(private readonly delayMs: number) {}

  private later<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      }, this.delayMs),
    );
  }

  connect(sink: ExecutionReportSink): Promise<void> {
    this.sink = sink;
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  submit(order: OrderSnapshot): Promise<void> {
    // The venue acts at once; only its answer is slow (as with the fake Binance's delayResponses).
    const venueOrderId = String(++this.seq);
    this.placed.push(order.clientOrderId);
    this.book.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId,
      venueOrderId,
      instrumentId: order.instrumentId,
      status: 'accepted',
      side: order.side,
      quantity: order.quantity,
      filledQuantity: quantity(0),
      price: order.price,
    });
    return this.later(() => this.sink?.({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId, tsEvent: Date.now() }));
  }
  cancel(order: OrderSnapshot): Promise<void> {
    return this.later(() => {
      if (this.refuseCancels || !this.book.has(order.clientOrderId)) throw new Error(`cancel of ${order.clientOrderId} refused`);
      this.book.delete(order.clientOrderId);
      this.sink?.({ kind: 'canceled', clientOrderId: order.clientOrderId, tsEvent: Date.now() });
    });
  }
  order(clientOrderId: string): Promise<VenueOrderState | undefined> {
    return this.later(() => this.book.get(clientOrderId));
  }
  openOrders(): Promise<VenueOrderState[]> {
    return this.later(() => [...this.book.values()]);
  }
  positions(): Promise<VenuePosition[]> {
    return Promise.resolve([]);
  }
  balances(): Promise<Balance[]> {
    return Promise.resolve([]);
  }
}

/** Places a resting buy every `everyMs` from a strategy timer, forever. */
const timerTrader = defineStrategy({
  name: 'timer-trader',
  params: z.object({ everyMs: z.number().default(15) }),
  create(ctx, p) {
    let k = 0;
    ctx.clock.setTimer('place', p.everyMs, () => {
      ctx.submit({ instrumentId: btc.id, side: 'buy', type: 'limit', quantity: '0.001', price: (20_000 + (k++ % 50)).toFixed(2) });
    });
  },
});

function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: () => {},
    info: (m) => void lines.push(`INFO ${m}`),
    warn: (m) => void lines.push(`WARN ${m}`),
    error: (m) => void lines.push(`ERROR ${m}`),
    child: () => log,
  };
  return log;
}

async function tradingKernel(venue: SlowVenue): Promise<Kernel> {
  const kernel = new Kernel({ clock: new RealtimeClock(), instruments: [btc], execution: venue, startingBalances: { USDT: money(1_000_000) }, errorPolicy: 'isolate' });
  kernel.addStrategy(timerTrader, { everyMs: 15 });
  await kernel.connect();
  kernel.startStrategies();
  // Let it trade until several submits are in flight at once.
  await waitFor('orders resting and submits in flight', () => venue.book.size >= 5 && kernel.submitsInFlight > 0, 5_000);
  return kernel;
}

describe('stopTrading: the strategy first, then submits in flight, then our orders', () => {
  it('places nothing after the stop began, cancels every order (in-flight ones included) and says so only once the venue confirms', async () => {
    const venue = new SlowVenue(120);
    const kernel = await tradingKernel(venue);
    const lines: string[] = [];
    const placedBeforeStop = venue.placed.length;
    const inFlightAtStop = kernel.submitsInFlight;
    const report = await stopTrading(kernel, { cancelTimeoutMs: 3_000, log: recordingLogger(lines) });
    // The strategy's timer is gone: several periods later it has not even tried to submit.
    const ordersAfterStop = kernel.oms.all().length;
    await new Promise((r) => setTimeout(r, 100));
    expect(kernel.oms.all().length).toBe(ordersAfterStop);
    expect(inFlightAtStop).toBeGreaterThan(0);
    expect(venue.placed.slice(placedBeforeStop)).toEqual([]);
    expect(venue.book.size).toBe(0);
    expect(kernel.openOrders()).toEqual([]);
    expect(report.leftOpen).toEqual([]);
    expect(report.venueConfirmed).toBe(true);
    expect(report.closed.length).toBe(venue.placed.length);
    expect(new Set(report.closed)).toEqual(new Set(venue.placed));
    expect(lines.at(-1)).toBe(`INFO cancelled ${venue.placed.length} open order(s); the venue lists none of ours as open`);
    // Anything submitted from now on is refused with a code, and never reaches the venue.
    const late = kernel.submit({ instrumentId: btc.id, side: 'buy', type: 'limit', quantity: '0.001', price: '20000.00' });
    expect(late.status).toBe('rejected');
    expect(late.rejection?.code).toBe('TRADING_HALTED');
    expect(venue.placed.includes(late.clientOrderId)).toBe(false);
    await kernel.stop();
  }, 15_000);

  it('names the orders the venue did not confirm as cancelled, and never claims they were', async () => {
    const venue = new SlowVenue(30);
    const kernel = await tradingKernel(venue);
    venue.refuseCancels = true;
    const lines: string[] = [];
    const report = await stopTrading(kernel, { cancelTimeoutMs: 400, log: recordingLogger(lines) });
    expect(report.leftOpen.map((o) => o.clientOrderId).sort()).toEqual([...venue.book.keys()].sort());
    expect(report.leftOpen.length).toBeGreaterThanOrEqual(5);
    expect(report.venueConfirmed).toBe(false);
    expect(lines.some((l) => /^INFO cancelled/.test(l))).toBe(false);
    const warning = lines.find((l) => l.includes('may still be open at the venue'));
    expect(warning).toBeDefined();
    for (const id of venue.book.keys()) expect(warning).toContain(id);
    await kernel.stop();
  }, 15_000);

  it('with keepOrders, stops the strategy and leaves our orders at the venue', async () => {
    const venue = new SlowVenue(20);
    const kernel = await tradingKernel(venue);
    const lines: string[] = [];
    const report = await stopTrading(kernel, { keepOrders: true, log: recordingLogger(lines) });
    const count = venue.placed.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(venue.placed.length).toBe(count);
    expect(report.kept).toBe(true);
    expect(report.leftOpen.length).toBe(venue.book.size);
    expect(lines.at(-1)).toMatch(new RegExp(`^INFO left ${venue.book.size} open order\\(s\\) at the venue \\(--keep-orders\\)`));
    await kernel.stop();
  }, 15_000);
});
