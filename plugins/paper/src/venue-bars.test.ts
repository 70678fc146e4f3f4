import { describe, expect, it } from 'vitest';
import { harness, MIN, T0 } from './test-harness';

describe('bar matching', () => {
  it('fills a market order at the open of the next bar, never at accept time', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 101, 99, 100.5);
    const o = await h.submit({ side: 'buy', quantity: '1' });
    expect(h.reports).toEqual([]);
    h.bar(T0 + 2 * MIN, 102, 103, 101, 102.5);
    expect(h.kinds()).toEqual(['accepted', 'fill']);
    expect(h.reports[0]).toEqual({ kind: 'accepted', clientOrderId: o.clientOrderId, venueOrderId: 'SIM-O1', tsEvent: T0 + MIN });
    const [fill] = h.fills();
    expect(fill!.price.toString()).toBe('102');
    expect(fill!.quantity.toString()).toBe('1');
    expect(fill!.tradeId).toBe('SIM-T1');
    expect(fill!.venueOrderId).toBe('SIM-O1');
    expect(fill!.liquidity).toBe('taker');
    // stamped with the open of the bar that filled it (the bar closing at T0 + 2 min opened at T0 + 1 min)
    expect(fill!.tsEvent).toBe(T0 + MIN);
  });

  it('matches before the strategy sees the bar: an order decided on bar t fills at the open of bar t+1', async () => {
    const h = await harness();
    let submitted = false;
    h.bus.on('bar', () => {
      if (!submitted) {
        submitted = true;
        void h.submit({ side: 'buy', quantity: '1' });
      }
    });
    h.bar(T0 + MIN, 100, 105, 95, 104);
    expect(h.fills()).toEqual([]);
    h.bar(T0 + 2 * MIN, 104.5, 106, 103, 105);
    expect(h.fills().map((f) => f.price.toString())).toEqual(['104.5']);
  });

  it('fills a buy limit at the open when the bar gaps below it (taker), at the limit when the low reaches it (maker), not at all otherwise', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 101, 99, 100);
    const gap = await h.submit({ type: 'limit', price: '99' });
    const touch = await h.submit({ type: 'limit', price: '97' });
    const miss = await h.submit({ type: 'limit', price: '90' });
    h.bar(T0 + 2 * MIN, 98, 99.5, 96, 97);
    const byId = new Map(h.fills().map((f) => [f.clientOrderId, f]));
    expect(byId.get(gap.clientOrderId)).toMatchObject({ liquidity: 'taker' });
    expect(byId.get(gap.clientOrderId)!.price.toString()).toBe('98');
    expect(byId.get(touch.clientOrderId)).toMatchObject({ liquidity: 'maker' });
    expect(byId.get(touch.clientOrderId)!.price.toString()).toBe('97');
    expect(byId.has(miss.clientOrderId)).toBe(false);
    expect((await h.venue.openOrders()).map((o) => o.clientOrderId)).toEqual([miss.clientOrderId]);
  });

  it('fills a sell limit against the high, and at the open when the bar gaps above it', async () => {
    const h = await harness({ allowShort: true });
    h.bar(T0 + MIN, 100, 101, 99, 100);
    await h.submit({ side: 'sell', type: 'limit', price: '103' });
    await h.submit({ side: 'sell', type: 'limit', price: '101' });
    h.bar(T0 + 2 * MIN, 102, 104, 101.5, 103);
    // Booked in path order: the open (102) comes before the high (104) reaches 103.
    expect(h.fills().map((f) => [f.price.toString(), f.liquidity])).toEqual([
      ['102', 'taker'],
      ['103', 'maker'],
    ]);
  });

  it('fills a buy stop at the open when the bar gaps through it, at the trigger when the high reaches it', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 101, 99, 100);
    await h.submit({ type: 'stop', triggerPrice: '101' });
    await h.submit({ type: 'stop', triggerPrice: '104' });
    await h.submit({ type: 'stop', triggerPrice: '110' });
    h.bar(T0 + 2 * MIN, 102, 105, 101.5, 104);
    expect(h.fills().map((f) => [f.price.toString(), f.liquidity])).toEqual([
      ['102', 'taker'],
      ['104', 'taker'],
    ]);
  });

  it('fills a sell stop at the open on a gap down (not at the stop)', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 101, 99, 100);
    await h.submit({ side: 'buy', quantity: '2' });
    h.bar(T0 + 2 * MIN, 100, 101, 99, 100);
    await h.submit({ side: 'sell', type: 'stop', triggerPrice: '95', quantity: '2' });
    h.bar(T0 + 3 * MIN, 90, 92, 89, 91);
    expect(h.fills()[1]!.price.toString()).toBe('90');
  });

  it('decides a stop-limit by the intrabar path: the same bar range fills or not depending on where it closes', async () => {
    // close nearer the high: 100 → 99 → 106 → 105.5; triggers at 105 going up, never comes back to 103.
    const up = await harness();
    up.bar(T0 + MIN, 100, 100, 100, 100);
    await up.submit({ type: 'stop_limit', triggerPrice: '105', price: '103' });
    up.bar(T0 + 2 * MIN, 100, 106, 99, 105.5);
    expect(up.fills()).toEqual([]);
    // The triggered order now rests as a limit at 103 and fills when the next bar's low reaches it.
    up.bar(T0 + 3 * MIN, 105, 105.5, 102, 104);
    expect(up.fills().map((f) => [f.price.toString(), f.liquidity])).toEqual([['103', 'maker']]);

    // close nearer the low: 100 → 106 → 99 → 99.5; triggers at 105, then falls through 103.
    const down = await harness();
    down.bar(T0 + MIN, 100, 100, 100, 100);
    await down.submit({ type: 'stop_limit', triggerPrice: '105', price: '103' });
    down.bar(T0 + 2 * MIN, 100, 106, 99, 99.5);
    expect(down.fills().map((f) => [f.price.toString(), f.liquidity])).toEqual([['103', 'maker']]);
  });

  it('books the fills of one bar in path order: a bracket resolves by which level the bar reached first', async () => {
    // Long 1 with a reduce-only stop-loss at 95 and a reduce-only take-profit at 105, on a bar that visits both.
    for (const [close, winner, price] of [
      [104, 'C-2', '95'], // 100 → 94 → 106 → 104: the low comes first, the stop fills
      [96, 'C-3', '105'], // 100 → 106 → 94 → 96: the high comes first, the take-profit fills
    ] as const) {
      const h = await harness();
      h.bar(T0 + MIN, 100, 100, 100, 100);
      await h.submit({ side: 'buy', quantity: '1' });
      h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
      await h.submit({ side: 'sell', type: 'stop', triggerPrice: '95', quantity: '1', reduceOnly: true });
      await h.submit({ side: 'sell', type: 'limit', price: '105', quantity: '1', reduceOnly: true });
      h.bar(T0 + 3 * MIN, 100, 106, 94, close);
      const exits = h.fills().filter((f) => f.side === 'sell');
      expect(exits.map((f) => [f.clientOrderId, f.price.toString()])).toEqual([[winner, price]]);
      const loser = winner === 'C-2' ? 'C-3' : 'C-2';
      expect(h.of(loser).map((r) => r.kind)).toEqual(['accepted', 'canceled']);
      expect(h.venue.positionOf('BTCUSD.SIM')!.quantity.toString()).toBe('0');
    }
  });

  it('trails a sell stop from the best price seen and fills at the trailed trigger', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    await h.submit({ side: 'sell', type: 'trailing_stop', trailingOffset: '2', quantity: '1' });
    h.bar(T0 + 3 * MIN, 100, 105, 99.5, 104.8); // best 105 → trigger 103
    expect(h.fills()).toHaveLength(1);
    h.bar(T0 + 4 * MIN, 104, 104.5, 101, 101.5); // falls through 103
    const sell = h.fills()[1]!;
    expect(sell.side).toBe('sell');
    expect(sell.price.toString()).toBe('103');
    expect(h.venue.positionOf('BTCUSD.SIM')!.quantity.toString()).toBe('0');
  });

  it('prices a trailing stop fill exactly on the tick, free of binary rounding (101.1 − 0.7 = 100.4)', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    await h.submit({ side: 'sell', type: 'trailing_stop', trailingOffset: '0.7', quantity: '1' });
    h.bar(T0 + 3 * MIN, 100, 101.1, 100, 100.05); // 100 → 101.1 → 100 → 100.05: best 101.1, falls through 100.4
    expect(h.fills()[1]!.price.toString()).toBe('100.4');
  });

  it('fires a trailing stop when the price touches the trailed level exactly', async () => {
    const h = await harness();
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    await h.submit({ side: 'sell', type: 'trailing_stop', trailingOffset: '0.7', quantity: '1' });
    h.bar(T0 + 3 * MIN, 100, 101.1, 100.5, 101); // best 101.1 → trigger 100.4
    h.bar(T0 + 4 * MIN, 101, 101, 100.4, 100.45); // the low is exactly 100.4
    expect(h.fills().map((f) => f.price.toString())).toEqual(['100', '100.4']);
  });

  it('charges the maker rate on a limit filled at its price and the taker rate on a market fill', async () => {
    const h = await harness({ fees: { maker: '0.001', taker: '0.002', perContract: '0.5' } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ type: 'limit', price: '99', quantity: '2' });
    await h.submit({ side: 'buy', quantity: '1' });
    h.bar(T0 + 2 * MIN, 100, 100.5, 98, 99);
    const [taker, maker] = h.fills(); // the market fills at the open, before the path reaches 99
    expect(maker!.liquidity).toBe('maker');
    expect(maker!.fee.toString()).toBe('1.198'); // 198 × 0.001 + 2 × 0.5
    expect(taker!.liquidity).toBe('taker');
    expect(taker!.fee.toString()).toBe('0.7'); // 100 × 0.002 + 0.5
    expect(maker!.feeCurrency).toBe('USD');
    // Cash: 100000 − 198 − 1.198 − 100 − 0.7
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('99700.102');
    expect(h.venue.balanceOf('USD')!.locked.toString()).toBe('0');
  });

  it('slips market and stop fills by whole ticks against the order, but not limit fills', async () => {
    const h = await harness({ slippage: { kind: 'ticks', ticks: 2 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '1' });
    await h.submit({ type: 'limit', price: '99.5' });
    h.bar(T0 + 2 * MIN, 100, 100.5, 99, 100);
    expect(h.fills().map((f) => f.price.toString())).toEqual(['100.02', '99.5']);
    await h.submit({ side: 'sell', quantity: '1' });
    h.bar(T0 + 3 * MIN, 101, 101, 101, 101);
    expect(h.fills()[2]!.price.toString()).toBe('100.98');
  });

  it('limits fills to a share of bar volume and moves the price by the square of that share (volume share)', async () => {
    const h = await harness({ slippage: { kind: 'volumeShare', limit: 0.025, impact: 0.1 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '4' });
    h.bar(T0 + 2 * MIN, 100, 101, 99, 100, 100); // cap 2.5, share 0.025 → impact 100 × 0.1 × 0.000625 = 0.00625 → 0.01 up
    h.bar(T0 + 3 * MIN, 100, 101, 99, 100, 100); // the rest, 1.5: share 0.015 → impact 0.00225 → 0.01 up
    expect(h.fills().map((f) => [f.quantity.toString(), f.price.toString()])).toEqual([
      ['2.5', '100.01'],
      ['1.5', '100.01'],
    ]);
    expect(h.of('C-1').map((r) => r.kind)).toEqual(['accepted', 'fill', 'fill']);
  });

  it('shares one bar’s volume-share capacity between orders in arrival order', async () => {
    const h = await harness({ slippage: { kind: 'volumeShare', limit: 0.1, impact: 0 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '6' });
    await h.submit({ side: 'buy', quantity: '6' });
    h.bar(T0 + 2 * MIN, 100, 101, 99, 100, 100); // 10 available
    expect(h.fills().map((f) => [f.clientOrderId, f.quantity.toString()])).toEqual([
      ['C-1', '6'],
      ['C-2', '4'],
    ]);
  });

  it('books positions, realized PnL and cash over a round trip, and answers fillsSince', async () => {
    const h = await harness({ fees: { taker: '0.001' } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '2' });
    h.bar(T0 + 2 * MIN, 100, 100, 100, 100);
    await h.submit({ side: 'sell', quantity: '2' });
    h.bar(T0 + 3 * MIN, 110, 110, 110, 110);
    const pos = h.venue.positionOf('BTCUSD.SIM')!;
    expect(pos.quantity.toString()).toBe('0');
    expect(pos.realizedPnl.toString()).toBe('20');
    expect(pos.fees.toString()).toBe('0.42');
    expect(await h.venue.positions()).toEqual([]);
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('100019.58');
    expect((await h.venue.fillsSince('BTCUSD.SIM', T0 + 2 * MIN)).map((f) => f.side)).toEqual(['sell']);
    expect(await h.venue.fillsSince('BTCUSD.SIM', T0)).toHaveLength(2);
  });

  it('cancels a market buy that a gap made unaffordable, with reason INSUFFICIENT_FUNDS, instead of shrinking it', async () => {
    const h = await harness({ startingBalances: { USD: '1000' } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy', quantity: '9' }); // 900 at the last price: accepted
    h.bar(T0 + 2 * MIN, 150, 150, 150, 150); // 1350 now
    expect(h.kinds()).toEqual(['accepted', 'canceled']);
    const canceled = h.reports[1]!;
    expect(canceled.kind === 'canceled' && canceled.reason).toMatch(/^INSUFFICIENT_FUNDS/);
    expect(h.venue.balanceOf('USD')).toMatchObject({ currency: 'USD' });
    expect(h.venue.balanceOf('USD')!.free.toString()).toBe('1000');
  });

  it('ignores bars that closed before the order arrived', async () => {
    const h = await harness({ latency: { submitMs: 90_000 } });
    h.bar(T0 + MIN, 100, 100, 100, 100);
    await h.submit({ side: 'buy' });
    h.bar(T0 + 2 * MIN, 101, 101, 101, 101); // the order is still travelling
    expect(h.reports).toEqual([]);
    h.bar(T0 + 3 * MIN, 102, 102, 102, 102); // it arrived at T0 + 2.5 min
    expect(h.reports[0]).toMatchObject({ kind: 'accepted', tsEvent: T0 + MIN + 90_000 });
    expect(h.fills().map((f) => f.price.toString())).toEqual(['102']);
  });
});
