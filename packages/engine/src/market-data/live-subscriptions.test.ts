import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AutotraderError,
  defineStrategy,
  EventBus,
  isAutotraderError,
  makeInstrument,
  SimulatedClock,
  silentLogger,
  type Bar,
  type DataPort,
  type DataSubscription,
  type ExecutionPort,
  type MarketDataKind,
  type StrategyDefinition,
  type VenueCapabilities,
} from '@autotrader/core';
import { Kernel } from '../kernel';
import { startLiveMarketData, type LiveMarketData } from './live-subscriptions';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'X', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001' });

/** A data port at the port boundary: it lists what it streams, refuses bar intervals it lacks as Binance does, and publishes what a test feeds it. */
class StreamVenue implements DataPort {
  readonly subscriptions: string[] = [];
  connected = false;

  constructor(
    private readonly bus: EventBus,
    readonly kinds: readonly MarketDataKind[],
    private readonly barIntervals: readonly string[] = ['1m'],
  ) {}

  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  subscribe(s: DataSubscription): Promise<void> {
    if (!this.kinds.includes(s.kind)) return Promise.reject(new AutotraderError('CAPABILITY_MISSING', `no ${s.kind}`));
    if (s.kind === 'bar' && !this.barIntervals.includes(s.interval ?? '')) return Promise.reject(new AutotraderError('CONFIG_INVALID', `'${s.interval}' is not an interval here`));
    this.subscriptions.push(`${s.kind}${s.interval === undefined ? '' : ` ${s.interval}`}`);
    return Promise.resolve();
  }
  unsubscribe(): Promise<void> {
    return Promise.resolve();
  }
  trade(ts: number, price: number): void {
    this.bus.publish('trade', { instrumentId: btc.id, tsEvent: ts, tsInit: ts, price, size: 1, aggressor: 'buy', tradeId: String(ts) });
  }
  quote(ts: number, bid: number, ask: number): void {
    this.bus.publish('quote', { instrumentId: btc.id, tsEvent: ts, tsInit: ts, bid, ask, bidSize: 1, askSize: 1 });
  }
}

/** This test places no orders: an execution port that refuses them. */
const noOrders: ExecutionPort = {
  venue: 'X',
  connect: () => Promise.resolve(),
  disconnect: () => Promise.resolve(),
  submit: () => {
    throw new Error('no orders in this test');
  },
  cancel: () => {},
  order: () => Promise.resolve(undefined),
  openOrders: () => Promise.resolve([]),
  positions: () => Promise.resolve([]),
  balances: () => Promise.resolve([]),
};

const capabilities = (data: readonly MarketDataKind[]): VenueCapabilities => ({ assetClasses: ['spot'], orderTypes: ['market'], timeInForce: ['GTC'], nativeModify: false, data, execution: true });

function barReader(into: Bar[], onBar?: (bar: Bar) => void): StrategyDefinition {
  return defineStrategy({
    name: 'bar-reader',
    params: z.object({}),
    create(ctx) {
      ctx.bars(btc.id).subscribe((b) => {
        into.push(b);
        onBar?.(b);
      });
    },
  });
}

async function start(strategy: StrategyDefinition, kinds: readonly MarketDataKind[], interval = '1m', barIntervals?: readonly string[]) {
  const clock = new SimulatedClock(0);
  const bus = new EventBus('isolate', () => clock.now());
  const venue = new StreamVenue(bus, kinds, barIntervals);
  const kernel = new Kernel({ clock, bus, instruments: [btc], execution: noOrders, startingBalances: {}, errorPolicy: 'isolate' });
  kernel.addStrategy(strategy);
  await kernel.connect();
  const errors: string[] = [];
  bus.on('error', (e) => errors.push(`${e.code} ${e.source}: ${e.message}`));
  let started: LiveMarketData | undefined;
  let failure: string | undefined;
  try {
    started = await startLiveMarketData(kernel, { data: venue, venueName: 'x', capabilities: capabilities(kinds), instrumentIds: [btc.id], strategies: [strategy], bars: { interval }, logger: silentLogger });
  } catch (e) {
    failure = isAutotraderError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  const at = (ts: number): void => clock.advanceTo(ts);
  return { venue, kernel, errors, started, failure, at };
}

describe('startLiveMarketData', () => {
  it('subscribes the venue’s own bars when it has the interval', async () => {
    const s = await start(barReader([]), ['bar', 'trade', 'quote']);
    expect(s.venue.subscriptions).toEqual(['bar 1m']);
    expect(s.started!.description).toBe('BTCUSDT.X: 1m bars from x');
  });

  it('builds bars from trades where the venue refuses the interval, and they reach the strategy', async () => {
    const bars: Bar[] = [];
    const s = await start(barReader(bars), ['bar', 'trade', 'quote'], '2s');
    expect(s.venue.subscriptions).toEqual(['trade']);
    expect(s.started!.description).toBe('BTCUSDT.X: 2s bars built by the engine from trades');
    for (const [ts, p] of [[100, 10], [1_900, 12], [2_100, 11]] as const) {
      s.at(ts);
      s.venue.trade(ts, p);
    }
    expect(bars.map((b) => [b.tsOpen, b.open, b.high, b.low, b.close, b.volume])).toEqual([[0, 10, 12, 10, 12, 2]]);
  });

  it('builds them from the mid of quotes on a venue with neither bars nor trades', async () => {
    const bars: Bar[] = [];
    const s = await start(barReader(bars), ['quote']);
    expect(s.venue.subscriptions).toEqual(['quote']);
    s.at(1_000);
    s.venue.quote(1_000, 10, 11);
    s.at(61_000); // a quiet market: the clock closes the bar
    expect(bars.map((b) => [b.open, b.close, b.volume, b.tsInit])).toEqual([[10.5, 10.5, 0, 61_000]]);
  });

  it('refuses what the venue cannot give or the engine cannot build, with a coded error', async () => {
    expect((await start(barReader([]), ['book'])).failure).toBe("CAPABILITY_MISSING: strategy 'bar-reader' reads bars of BTCUSDT.X, but x streams neither 1m bars nor trades or quotes to build them from");
    expect((await start(barReader([]), ['trade'], '1w')).failure).toMatch(/^CONFIG_INVALID: x has no 1w bars, and the engine cannot build 1w bars itself/);
    const banana = await start(barReader([]), ['trade'], 'banana');
    expect(banana.failure).toMatch(/^CONFIG_INVALID: 'banana' is not a bar interval/);
    expect(banana.venue.connected).toBe(false);
    const quotes = defineStrategy({ name: 'quote-reader', params: z.object({}), create: (ctx) => void ctx.quotes().subscribe() });
    expect((await start(quotes, ['trade'])).failure).toBe("CAPABILITY_MISSING: strategy 'quote-reader' reads quotes of BTCUSDT.X, but x does not stream quotes");
  });

  it('subscribes trades for a strategy that reads nothing (prices for the portfolio and a paper venue), and later what it asks for', async () => {
    let subscribeLater: (() => void) | undefined;
    const quiet = defineStrategy({
      name: 'quiet',
      params: z.object({}),
      create(ctx) {
        subscribeLater = () => void ctx.quotes(btc.id).subscribe();
      },
    });
    const s = await start(quiet, ['trade', 'quote']);
    expect(s.venue.subscriptions).toEqual(['trade']);
    subscribeLater!();
    await new Promise((r) => setTimeout(r, 10));
    expect(s.venue.subscriptions).toEqual(['trade', 'quote']);
  });

  it('isolates a strategy that throws on a built bar, as it would on a bus event', async () => {
    const bars: Bar[] = [];
    const s = await start(
      barReader(bars, () => {
        throw new Error('boom');
      }),
      ['trade'],
    );
    s.at(1_000);
    s.venue.trade(1_000, 10);
    s.at(60_500);
    s.venue.trade(60_500, 11);
    s.at(121_000);
    s.venue.trade(121_000, 12);
    expect(bars).toHaveLength(1);
    expect(s.errors).toEqual(["SUBSCRIBER_ERROR strategy:bar-reader: strategy:bar-reader threw on 'bar': boom"]);
  });
});
