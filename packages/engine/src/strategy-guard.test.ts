import { filter, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineStrategy,
  isAutotraderError,
  makeInstrument,
  money,
  SimulatedClock,
  type Bar,
  type BusEvents,
  type ExecutionPort,
  type Logger,
  type StrategyDefinition,
  type SubscriberErrorPolicy,
} from '@autotrader/core';
import { Kernel } from './kernel';
import { SlowHandlerWatch, SlowReplayWatch, SubscriptionLeakWatch } from './strategy-diagnostics';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'TEST', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.001' });

/** A venue at the port boundary that takes every order and answers nothing: enough to place orders. */
const quietVenue: ExecutionPort = {
  venue: 'TEST',
  connect: () => Promise.resolve(),
  disconnect: () => Promise.resolve(),
  submit: () => undefined,
  cancel: () => undefined,
  order: () => Promise.resolve(undefined),
  openOrders: () => Promise.resolve([]),
  positions: () => Promise.resolve([]),
  balances: () => Promise.resolve([]),
};

function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: () => {},
    info: () => {},
    warn: (m) => void lines.push(`WARN ${m}`),
    error: (m) => void lines.push(`ERROR ${m}`),
    child: () => log,
  };
  return log;
}

const bar = (i: number): Bar => ({ instrumentId: btc.id, tsOpen: i * 60_000, tsEvent: (i + 1) * 60_000, tsInit: (i + 1) * 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1 });

async function kernelWith(strategy: StrategyDefinition, policy: SubscriberErrorPolicy, lines: string[] = []): Promise<Kernel> {
  const kernel = new Kernel({ clock: new SimulatedClock(0), instruments: [btc], execution: quietVenue, startingBalances: { USDT: money(1_000_000) }, errorPolicy: policy, logger: recordingLogger(lines) });
  kernel.addStrategy(strategy, {});
  await kernel.start();
  return kernel;
}

/** Fails in an async handler behind two operators at the third bar. */
const asyncPiped = defineStrategy({
  name: 'async-piped',
  params: z.object({}),
  create(ctx) {
    let seen = 0;
    ctx
      .bars()
      .pipe(
        filter(() => true),
        map((b) => b.close),
      )
      .subscribe(async () => {
        await Promise.resolve();
        if (++seen === 3) throw new Error('boom at three');
      });
  },
});

describe('StrategyGuard: async faults', () => {
  it('backtest policy: the rejection of a piped async handler is a STRATEGY_ERROR naming the strategy and the handler, at the event', async () => {
    const kernel = await kernelWith(asyncPiped, 'throw');
    const publish = kernel.bus.publisher('bar');
    for (let i = 0; i < 2; i++) {
      publish(bar(i));
      if (kernel.strategyGuard.attention) await kernel.strategyGuard.settle();
    }
    publish(bar(2));
    expect(kernel.strategyGuard.attention).toBe(true);
    const error = await kernel.strategyGuard.settle().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAutotraderError(error) && error.code).toBe('STRATEGY_ERROR');
    expect((error as Error).message).toBe("strategy:async-piped failed in async 'bar' handler: boom at three");
  });

  it('live policy: the failing handler is removed and the fault published as `error`; other handlers go on', async () => {
    let delivered = 0;
    const errors: BusEvents['error'][] = [];
    const strategy = defineStrategy({
      name: 'async-live',
      params: z.object({}),
      create(ctx) {
        ctx.bars().subscribe(async () => {
          delivered++;
          throw new Error('live boom');
        });
      },
    });
    const lines: string[] = [];
    const kernel = await kernelWith(strategy, 'isolate', lines);
    kernel.bus.on('error', (e) => void errors.push(e));
    kernel.bus.publish('bar', bar(0));
    await new Promise((r) => setImmediate(r));
    kernel.bus.publish('bar', bar(1));
    await new Promise((r) => setImmediate(r));
    expect(delivered).toBe(1);
    expect(errors.map((e) => [e.source, e.code, e.message])).toEqual([['strategy:async-live', 'STRATEGY_ERROR', "strategy:async-live failed in async 'bar' handler: live boom"]]);
    expect(lines).toContain("ERROR strategy:async-live failed in async 'bar' handler: live boom");
  });

  it('an async timer callback and an async create are followed too', async () => {
    const timer = defineStrategy({
      name: 'async-timer',
      params: z.object({}),
      create(ctx) {
        ctx.clock.setAlert('once', 30_000, async () => {
          throw new Error('timer boom');
        });
      },
    });
    const kernel = await kernelWith(timer, 'throw');
    (kernel.clock as SimulatedClock).advanceTo(60_000);
    await expect(kernel.strategyGuard.settle()).rejects.toThrow("strategy:async-timer failed in async timer 'once': timer boom");

    const create = { name: 'async-create', params: z.object({}), create: async () => Promise.reject(new Error('create boom')) } as unknown as StrategyDefinition;
    const k2 = await kernelWith(create, 'throw');
    await expect(k2.strategyGuard.settle()).rejects.toThrow('strategy:async-create failed in async create: create boom');
  });

  it('a synchronous handler that returns a value that is not a promise is left alone', async () => {
    const strategy = defineStrategy({
      name: 'returns-values',
      params: z.object({}),
      create(ctx) {
        ctx.bars().subscribe((b) => b.close as unknown as void);
      },
    });
    const kernel = await kernelWith(strategy, 'throw');
    kernel.bus.publish('bar', bar(0));
    expect(kernel.strategyGuard.attention).toBe(false);
  });
});

describe('StrategyGuard: orders', () => {
  it('a submit to an unknown instrument returns a rejected order with INSTRUMENT_UNKNOWN', async () => {
    const kernel = await kernelWith(defineStrategy({ name: 'idle', params: z.object({}), create() {} }), 'throw');
    const s = kernel.submit({ instrumentId: 'NOPE.TEST', side: 'buy', quantity: '1' });
    expect(s.status).toBe('rejected');
    expect(s.rejection?.code).toBe('INSTRUMENT_UNKNOWN');
    expect(kernel.order(s.clientOrderId)?.status).toBe('rejected');
  });

  it('more orders than the limit in one event stop the handler with STRATEGY_ERROR; the next event starts from zero', async () => {
    const sent: string[] = [];
    const strategy = defineStrategy({
      name: 'three-a-bar',
      params: z.object({}),
      create(ctx) {
        ctx.bars().subscribe(() => {
          for (let i = 0; i < 4; i++) sent.push(ctx.submit({ instrumentId: btc.id, side: 'buy', type: 'limit', quantity: '0.001', price: '50.00' }).status);
        });
      },
    });
    const kernel = await kernelWith(strategy, 'throw');
    kernel.strategyGuard.maxOrdersPerEvent = 4;
    kernel.strategyGuard.event = 0;
    kernel.bus.publish('bar', bar(0));
    kernel.strategyGuard.event = 1;
    kernel.bus.publish('bar', bar(1));
    expect(sent).toHaveLength(8);
    kernel.strategyGuard.maxOrdersPerEvent = 3;
    kernel.strategyGuard.event = 2;
    expect(() => kernel.bus.publish('bar', bar(2))).toThrow(/strategy:three-a-bar sent more than 3 orders while handling one event/);
    expect(sent).toHaveLength(11);
    // Kept as well: a strategy that swallowed the throw is stopped after the event all the same.
    await expect(kernel.strategyGuard.settle()).rejects.toThrow(/order flood/);
  });
});

describe('strategy diagnostics', () => {
  it('subscriptions that keep growing after create are reported once, naming the strategy', () => {
    const lines: string[] = [];
    const watch = new SubscriptionLeakWatch('leaky', (m) => void lines.push(m), 10);
    watch.added(50); // during create: not judged
    watch.created(3);
    for (let n = 4; n < 13; n++) watch.added(n);
    expect(lines).toEqual([]);
    for (let n = 13; n < 40; n++) watch.added(n);
    expect(lines).toEqual(["strategy 'leaky' keeps adding subscriptions: 13 live now, 3 after create; a subscribe on every event that is never unsubscribed is a leak (reported once)"]);
  });

  it('a replay block that took longer than the threshold is reported once; a fast one is not', async () => {
    const lines: string[] = [];
    const watch = new SlowReplayWatch('sleepy', (m) => void lines.push(m), 30);
    watch.check(256, 0);
    expect(lines).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    watch.check(512, Date.UTC(2024, 0, 1));
    await new Promise((r) => setTimeout(r, 40));
    watch.check(768, Date.UTC(2024, 0, 2));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^strategy 'sleepy' is slow: events #257–#512 \(to 2024-01-01T00:00:00\.000Z\) took 0\.0 s of wall time/);

    const handler: string[] = [];
    const h = new SlowHandlerWatch('sleepy', (m) => void handler.push(m), 30);
    h.took(10, "'bar' handler");
    h.took(1500, "'bar' handler");
    h.took(2500, "'bar' handler");
    expect(handler).toEqual(["strategy 'sleepy' is slow: its 'bar' handler took 1.5 s; nothing else runs meanwhile (reported once)"]);
  });
});

describe('StrategyGuard: slow handlers in a live session', () => {
  it('under the isolate policy each handler call is timed and one over a second is reported once, naming the strategy', async () => {
    const strategy = defineStrategy({
      name: 'live-sleepy',
      params: z.object({}),
      create(ctx) {
        ctx.bars().subscribe({
          next: () => {
            const until = performance.now() + 1100;
            while (performance.now() < until) {
              // busy
            }
          },
        });
      },
    });
    const lines: string[] = [];
    const kernel = await kernelWith(strategy, 'isolate', lines);
    kernel.bus.publish('bar', bar(0));
    kernel.bus.publish('bar', bar(1));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^WARN strategy 'live-sleepy' is slow: its 'bar' handler took 1\.\d s; nothing else runs meanwhile \(reported once\)$/);
  }, 10_000);
});
