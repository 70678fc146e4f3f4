import { EventBus, SimulatedClock, type Bar } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { BarBuilder, type BarSource } from './bar-builder';

const ID = 'X.SIM';
const MIN = 60_000;

function harness(source: BarSource, closeDelayMs = 1_000) {
  const clock = new SimulatedClock(0);
  const bus = new EventBus('throw', () => clock.now());
  const out = new EventBus('throw', () => clock.now());
  const seen: string[] = [];
  const bars: Bar[] = [];
  out.on('bar', (b) => {
    bars.push(b);
    seen.push(`bar ${b.tsOpen}`);
  });
  // Where the simulated venue listens: it must see a closed bar's successor only after the bar went out.
  bus.on('trade', (t) => seen.push(`venue trade ${t.tsEvent}`), { priority: -1000 });
  bus.on('quote', (q) => seen.push(`venue quote ${q.tsEvent}`), { priority: -1000 });
  const builder = new BarBuilder({ instrumentId: ID, intervalMs: MIN, source, bus, out, clock, closeDelayMs });
  builder.start();
  return {
    clock,
    bars,
    seen,
    builder,
    trade(ts: number, price: number, size: number) {
      clock.advanceTo(ts);
      bus.publish('trade', { instrumentId: ID, tsEvent: ts, tsInit: ts, price, size, aggressor: 'unknown', tradeId: String(ts) });
    },
    quote(ts: number, bid: number, ask: number) {
      clock.advanceTo(ts);
      bus.publish('quote', { instrumentId: ID, tsEvent: ts, tsInit: ts, bid, ask, bidSize: 0, askSize: 0 });
    },
  };
}

describe('BarBuilder', () => {
  it('closes a bar on the next interval’s first trade, before anyone else sees that trade', () => {
    const h = harness({ kind: 'trade' });
    h.trade(10_000, 100, 1);
    h.trade(50_000, 101, 2);
    h.trade(60_500, 99, 1);
    expect(h.bars).toEqual([{ instrumentId: ID, tsOpen: 0, tsEvent: MIN, tsInit: 60_500, open: 100, high: 101, low: 100, close: 101, volume: 3 }]);
    expect(h.seen).toEqual(['venue trade 10000', 'venue trade 50000', 'bar 0', 'venue trade 60500']);
  });

  it('closes a quiet market’s bar by the clock at its end plus the delay, then one flat bar per quiet interval', () => {
    const h = harness({ kind: 'trade' }, 1_000);
    h.trade(10_000, 100, 1);
    h.clock.advanceTo(60_999);
    expect(h.bars).toEqual([]);
    h.clock.advanceTo(61_000);
    expect(h.bars).toEqual([{ instrumentId: ID, tsOpen: 0, tsEvent: MIN, tsInit: 61_000, open: 100, high: 100, low: 100, close: 100, volume: 1 }]);
    h.clock.advanceTo(3 * MIN + 5_000);
    expect(h.bars.slice(1).map((b) => [b.tsOpen, b.tsInit, b.open, b.close, b.volume])).toEqual([
      [MIN, 2 * MIN + 1_000, 100, 100, 0],
      [2 * MIN, 3 * MIN + 1_000, 100, 100, 0],
    ]);
    // Trading resumes: the open interval takes it.
    h.trade(3 * MIN + 6_000, 105, 2);
    h.trade(4 * MIN, 106, 1);
    expect(h.bars[3]).toMatchObject({ tsOpen: 3 * MIN, open: 105, close: 105, volume: 2, tsInit: 4 * MIN });
  });

  it('leaves out a trade that arrives after its bar was closed, and says so', () => {
    const h = harness({ kind: 'trade' }, 0);
    h.trade(10_000, 100, 1);
    h.clock.advanceTo(MIN);
    expect(h.bars).toHaveLength(1);
    h.trade(MIN + 10, 101, 1); // in order
    // A trade stamped in the closed interval, arriving late (the clock already passed its bar's end).
    h.trade(MIN + 20, 101, 1);
    expect(h.bars).toHaveLength(1);
  });

  it('builds bars from the mid, bid or ask of quotes, with no volume, skipping quotes without that price', () => {
    // bid/ask: 100/101, 102/104, none/250, 250/none, 101/102.
    for (const [price, ohlc] of [
      ['mid', [100.5, 103, 100.5, 101.5]],
      ['bid', [100, 250, 100, 101]],
      ['ask', [101, 250, 101, 102]],
    ] as const) {
      const h = harness({ kind: 'quote', price });
      h.quote(1_000, 100, 101);
      h.quote(2_000, 102, 104);
      h.quote(3_000, 0, 250);
      h.quote(3_500, 250, 0);
      h.quote(4_000, 101, 102);
      h.quote(MIN, 101, 102);
      expect(h.bars.map((b) => [b.open, b.high, b.low, b.close, b.volume]), price).toEqual([[...ohlc, 0]]);
    }
  });

  it('stops listening and cancels its alert', () => {
    const h = harness({ kind: 'trade' });
    h.trade(10_000, 100, 1);
    h.builder.stop();
    h.clock.advanceTo(10 * MIN);
    h.trade(10 * MIN + 1, 100, 1);
    expect(h.bars).toEqual([]);
  });
});
