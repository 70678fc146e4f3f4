import { EventBus, SimulatedClock, silentLogger } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { OrderQueues } from './order-queues';

describe('OrderQueues', () => {
  it("runs one order's work in arrival order, other orders apart, and reports a failure without stopping the queue", async () => {
    const bus = new EventBus('isolate');
    const errors: string[] = [];
    bus.on('error', (e) => errors.push(`${e.code} ${e.message}`));
    const q = new OrderQueues({ what: 'X orders channel', source: 'x', logger: silentLogger, bus, clock: new SimulatedClock(0) });
    const done: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.enqueue('a', async () => {
      await gate;
      done.push('a1');
    });
    q.enqueue('a', () => {
      throw new Error('bad update');
    });
    q.enqueue('a', () => {
      done.push('a3');
    });
    q.enqueue('b', () => {
      done.push('b1');
    });
    await q.idle('b');
    expect(done).toEqual(['b1']);
    release();
    await q.idle('a');
    await Promise.allSettled(q.pending());
    expect(done).toEqual(['b1', 'a1', 'a3']);
    expect(errors).toEqual(['INTERNAL X orders channel: handling an update of order a failed: bad update']);
  });
});
