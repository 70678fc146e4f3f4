import { filter, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EventBus } from './bus';
import { isAutotraderError } from './errors';
import type { Bar } from './market-data';

const bar = (instrumentId: string, close: number, tsEvent = 1): Bar => ({ instrumentId, tsOpen: 0, tsEvent, tsInit: tsEvent, open: close, high: close, low: close, close, volume: 1 });

describe('EventBus', () => {
  it('delivers synchronously, by priority then subscription order', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('bar', () => seen.push('b0'), { priority: 0 });
    bus.on('bar', () => seen.push('a-10'), { priority: -10 });
    bus.on('bar', () => seen.push('c0'), { priority: 0 });
    bus.stream('bar').subscribe(() => seen.push('rx0'));
    bus.publish('bar', bar('X', 1));
    expect(seen).toEqual(['a-10', 'b0', 'c0', 'rx0']);
  });

  it('filters by instrument and unsubscribes', () => {
    const bus = new EventBus();
    const closes: number[] = [];
    const sub = bus.stream('bar', { instrumentId: 'A' }).subscribe((b) => closes.push(b.close));
    bus.publish('bar', bar('A', 1));
    bus.publish('bar', bar('B', 2));
    sub.unsubscribe();
    bus.publish('bar', bar('A', 3));
    expect(closes).toEqual([1]);
    expect(bus.hasListeners('bar')).toBe(false);
  });

  it('lets strategies use RxJS operators', () => {
    const bus = new EventBus();
    const out: number[] = [];
    bus
      .stream('bar')
      .pipe(
        map((b) => b.close * 2),
        filter((x) => x > 2),
      )
      .subscribe((x) => out.push(x));
    [1, 2, 3].forEach((c) => bus.publish('bar', bar('A', c)));
    expect(out).toEqual([4, 6]);
  });

  it('surfaces an error thrown in an RxJS subscriber synchronously, at the event (throw policy)', () => {
    const bus = new EventBus('throw');
    bus.stream('bar', { owner: 'strategy:boom' }).subscribe((b) => {
      if (b.close === 2) throw new Error('kaput');
    });
    bus.publish('bar', bar('A', 1));
    let caught: unknown;
    try {
      bus.publish('bar', bar('A', 2));
    } catch (e) {
      caught = e;
    }
    expect(isAutotraderError(caught, 'SUBSCRIBER_ERROR')).toBe(true);
    expect((caught as Error).message).toContain('strategy:boom');
    expect((caught as Error).message).toContain('kaput');
    expect(((caught as Error).cause as Error).message).toBe('kaput');
  });

  it('surfaces an error thrown inside an operator chain synchronously', () => {
    const bus = new EventBus('throw');
    bus
      .stream('bar', { owner: 'strategy:ops' })
      .pipe(
        map((b) => {
          if (b.close > 1) throw new Error('bad map');
          return b;
        }),
      )
      .subscribe(() => {});
    expect(() => bus.publish('bar', bar('A', 5))).toThrow(/strategy:ops threw on 'bar': bad map/);
  });

  it('isolates a failing subscriber and publishes an error event (isolate policy)', () => {
    const bus = new EventBus('isolate', () => 42);
    const errors: string[] = [];
    const good: number[] = [];
    bus.on('error', (e) => errors.push(`${e.source}:${e.code}:${e.tsEvent}`));
    bus.on('bar', () => {
      throw new Error('x');
    }, { owner: 'flaky' });
    bus.on('bar', (b) => good.push(b.close));
    bus.publish('bar', bar('A', 1));
    bus.publish('bar', bar('A', 2));
    expect(errors).toEqual(['flaky:SUBSCRIBER_ERROR:42']);
    expect(good).toEqual([1, 2]);
  });

  it('does not change RxJS error reporting outside a dispatch', async () => {
    const { Subject, config } = await import('rxjs');
    const s = new Subject<number>();
    s.subscribe(() => {
      throw new Error('later');
    });
    const reported = new Promise<unknown>((resolve) => {
      config.onUnhandledError = resolve;
    });
    try {
      // Outside the bus, RxJS reports asynchronously as usual: next() itself does not throw.
      expect(() => s.next(1)).not.toThrow();
      expect(((await reported) as Error).message).toBe('later');
    } finally {
      config.onUnhandledError = null;
    }
  });

  it('counts published events', () => {
    const bus = new EventBus();
    bus.publish('bar', bar('A', 1));
    bus.publish('timer', { name: 't', tsEvent: 1 });
    expect(bus.publishedCount).toBe(2);
  });
});
