import {
  EventBus,
  SimulatedClock,
  makeInstrument,
  price,
  quantity,
  ZERO,
  type ExecutionReport,
  type Fill,
  type Instrument,
  type Logger,
  type OrderSnapshot,
  type OrderType,
  type TimeInForce,
} from '@autotrader/core';
import type { PaperVenueConfigInput } from './config';
import { createSimulatedVenue, type SimulatedVenue } from './venue';

/** 2024-01-01T00:00:00Z: tests start here. */
export const T0 = Date.UTC(2024, 0, 1);
/** One minute, the bar interval of the tests. */
export const MIN = 60_000;

/** The instrument the tests trade: tick 0.01, lot 0.001, min notional 10 USD. */
export const BTC = makeInstrument({ symbol: 'BTCUSD', venue: 'SIM', base: 'BTC', quote: 'USD', tickSize: '0.01', lotSize: '0.001', minNotional: '10' });

/** What a test order may set; the rest gets defaults (GTC market buy of 1). */
export interface OrderFields {
  side?: 'buy' | 'sell';
  type?: OrderType;
  quantity?: string;
  price?: string;
  triggerPrice?: string;
  trailingOffset?: string;
  timeInForce?: TimeInForce;
  expireAt?: number;
  postOnly?: boolean;
  reduceOnly?: boolean;
  instrumentId?: string;
}

/**
 * A real bus, a real simulated clock and a venue connected to a sink that records every report. Market
 * data is published the way the backtest loop does it: advance the clock to the event, then publish.
 */
export async function harness(config: PaperVenueConfigInput = {}, instruments: readonly Instrument[] = [BTC], logger?: Logger) {
  const clock = new SimulatedClock(T0);
  const bus = new EventBus('throw', () => clock.now());
  const venue: SimulatedVenue = createSimulatedVenue({ config, instruments, clock, bus, logger });
  const reports: ExecutionReport[] = [];
  await venue.connect((r) => reports.push(r));
  let n = 0;

  const order = (f: OrderFields = {}): OrderSnapshot => ({
    clientOrderId: `C-${++n}`,
    instrumentId: f.instrumentId ?? BTC.id,
    side: f.side ?? 'buy',
    type: f.type ?? 'market',
    quantity: quantity(f.quantity ?? '1'),
    price: f.price === undefined ? undefined : price(f.price),
    triggerPrice: f.triggerPrice === undefined ? undefined : price(f.triggerPrice),
    trailingOffset: f.trailingOffset === undefined ? undefined : price(f.trailingOffset),
    timeInForce: f.timeInForce ?? 'GTC',
    expireAt: f.expireAt,
    postOnly: f.postOnly ?? false,
    reduceOnly: f.reduceOnly ?? false,
    status: 'submitted',
    filledQuantity: quantity(0),
    fees: ZERO,
    tsCreated: clock.now(),
    tsUpdated: clock.now(),
  });

  return {
    clock,
    bus,
    venue,
    reports,
    order,
    /** Submits an order built from `f` and returns it. */
    async submit(f: OrderFields = {}): Promise<OrderSnapshot> {
      const o = order(f);
      await venue.submit(o);
      return o;
    },
    /** A one-minute bar closing at `ts` (of BTC unless `instrumentId` says otherwise, as for trades and quotes). */
    bar(ts: number, open: number, high: number, low: number, close: number, volume = 1000, instrumentId = BTC.id): void {
      clock.advanceTo(ts);
      bus.publish('bar', { instrumentId, tsOpen: ts - MIN, tsEvent: ts, tsInit: ts, open, high, low, close, volume });
    },
    trade(ts: number, px: number, size: number, instrumentId = BTC.id): void {
      clock.advanceTo(ts);
      bus.publish('trade', { instrumentId, tsEvent: ts, tsInit: ts, price: px, size, aggressor: 'unknown', tradeId: `x${ts}` });
    },
    quote(ts: number, bid: number, ask: number, bidSize = 0, askSize = 0, instrumentId = BTC.id): void {
      clock.advanceTo(ts);
      bus.publish('quote', { instrumentId, tsEvent: ts, tsInit: ts, bid, ask, bidSize, askSize });
    },
    /** The fills reported so far. */
    fills(): Fill[] {
      return reports.flatMap((r) => (r.kind === 'fill' ? [r.fill] : []));
    },
    /** The kinds of the reports so far, in order. */
    kinds(): string[] {
      return reports.map((r) => r.kind);
    },
    /** The reports of one order, in order. */
    of(clientOrderId: string): ExecutionReport[] {
      return reports.filter((r) => (r.kind === 'fill' ? r.fill.clientOrderId : r.clientOrderId) === clientOrderId);
    },
  };
}

/** The type of a test harness. */
export type Harness = Awaited<ReturnType<typeof harness>>;
