import { describe, expect, it } from 'vitest';
import { harness, T0 } from './test-harness';

describe('trade tick matching', () => {
  it('fills a market order at the next trade price', async () => {
    const h = await harness();
    h.trade(T0 + 1, 100, 5);
    await h.submit({ side: 'buy', quantity: '1' });
    h.trade(T0 + 2, 100.25, 5);
    expect(h.fills().map((f) => [f.price.toString(), f.liquidity, f.tsEvent])).toEqual([['100.25', 'taker', T0 + 2]]);
  });

  it('fills a resting buy limit at its limit, limited by each trade’s size, the rest waiting for later trades', async () => {
    const h = await harness();
    h.trade(T0 + 1, 100, 5);
    await h.submit({ type: 'limit', price: '99', quantity: '5' });
    h.trade(T0 + 2, 99.5, 3); // above the limit: nothing
    h.trade(T0 + 3, 99, 2);
    h.trade(T0 + 4, 98.5, 2);
    h.trade(T0 + 5, 98, 4);
    expect(h.fills().map((f) => [f.quantity.toString(), f.price.toString(), f.liquidity])).toEqual([
      ['2', '99', 'maker'],
      ['2', '99', 'maker'],
      ['1', '99', 'maker'],
    ]);
    expect(h.of('C-1').map((r) => r.kind)).toEqual(['accepted', 'fill', 'fill', 'fill']);
    expect(await h.venue.order('C-1', 'BTCUSD.SIM')).toMatchObject({ status: 'filled' });
  });

  it('fills the whole order on one trade when partialFills is off', async () => {
    const h = await harness({ partialFills: false });
    h.trade(T0 + 1, 100, 5);
    await h.submit({ type: 'limit', price: '99', quantity: '5' });
    h.trade(T0 + 2, 99, 1);
    expect(h.fills().map((f) => f.quantity.toString())).toEqual(['5']);
  });

  it('lets a limit that is marketable on arrival take liquidity at the trade price', async () => {
    const h = await harness();
    h.trade(T0 + 1, 100, 5);
    await h.submit({ type: 'limit', price: '101', quantity: '1' });
    h.trade(T0 + 2, 100.5, 5);
    expect(h.fills().map((f) => [f.price.toString(), f.liquidity])).toEqual([['100.5', 'taker']]);
  });

  it('fills a buy stop at the first trade at or above its trigger, at that trade’s price', async () => {
    const h = await harness();
    h.trade(T0 + 1, 100, 5);
    await h.submit({ type: 'stop', triggerPrice: '101', quantity: '1' });
    h.trade(T0 + 2, 100.9, 5);
    h.trade(T0 + 3, 101.4, 5);
    expect(h.fills().map((f) => f.price.toString())).toEqual(['101.4']);
  });
});

describe('quote matching', () => {
  it('fills a market buy at the ask, limited by the ask size, and a market sell at the bid', async () => {
    const h = await harness();
    h.quote(T0 + 1, 99.9, 100.1, 3, 3);
    await h.submit({ side: 'buy', quantity: '5' });
    h.quote(T0 + 2, 99.9, 100.1, 3, 3);
    expect(h.fills().map((f) => [f.quantity.toString(), f.price.toString()])).toEqual([['3', '100.1']]);
    h.quote(T0 + 3, 100, 100.2, 0, 0); // size 0: unknown, not limiting
    expect(h.fills().map((f) => [f.quantity.toString(), f.price.toString()])).toEqual([
      ['3', '100.1'],
      ['2', '100.2'],
    ]);
    await h.submit({ side: 'sell', quantity: '1' });
    h.quote(T0 + 4, 100.05, 100.3, 10, 10);
    expect(h.fills()[2]!.price.toString()).toBe('100.05');
  });

  it('fills a limit marketable on arrival at the touch as taker, and a resting limit at its own price as maker', async () => {
    const h = await harness();
    h.quote(T0 + 1, 99.9, 100.1, 10, 10);
    await h.submit({ type: 'limit', price: '100.5', quantity: '1' });
    await h.submit({ type: 'limit', price: '99.5', quantity: '1' });
    h.quote(T0 + 2, 99.9, 100.1, 10, 10);
    expect(h.fills().map((f) => [f.clientOrderId, f.price.toString(), f.liquidity])).toEqual([['C-1', '100.1', 'taker']]);
    h.quote(T0 + 3, 99.2, 99.4, 10, 10);
    expect(h.fills()[1]).toMatchObject({ clientOrderId: 'C-2', liquidity: 'maker' });
    expect(h.fills()[1]!.price.toString()).toBe('99.5');
  });

  it('triggers a sell stop on the bid and fills it there', async () => {
    const h = await harness({ allowShort: true });
    h.quote(T0 + 1, 100, 100.2, 10, 10);
    await h.submit({ side: 'sell', type: 'stop', triggerPrice: '99', quantity: '1' });
    h.quote(T0 + 2, 99.5, 99.7, 10, 10);
    expect(h.fills()).toEqual([]);
    h.quote(T0 + 3, 98.8, 99.1, 10, 10);
    expect(h.fills().map((f) => f.price.toString())).toEqual(['98.8']);
    expect(h.venue.positionOf('BTCUSD.SIM')!.quantity.toString()).toBe('-1');
  });

  it('fills a market buy at the best ask of a book snapshot', async () => {
    const h = await harness();
    h.quote(T0 + 1, 99.9, 100.1, 10, 10);
    await h.submit({ side: 'buy', quantity: '2' });
    h.clock.advanceTo(T0 + 2);
    h.bus.publish('book', {
      instrumentId: 'BTCUSD.SIM',
      tsEvent: T0 + 2,
      tsInit: T0 + 2,
      sequence: 1,
      bids: [[99.8, 1]],
      asks: [
        [100.3, 1.5],
        [100.4, 5],
      ],
    });
    expect(h.fills().map((f) => [f.quantity.toString(), f.price.toString()])).toEqual([['1.5', '100.3']]);
  });
});
