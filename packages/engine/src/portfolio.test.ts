import { makeInstrument, money, price, quantity, type Fill } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { StaticInstrumentCatalog } from './instrument-catalog';
import { Portfolio } from './portfolio';
import { testFill } from '@autotrader/testkit';

const inst = makeInstrument({ symbol: 'X', venue: 'SIM', quote: 'USD', tickSize: '0.01', lotSize: '1' });
let n = 0;
const fill = (side: 'buy' | 'sell', qty: number, px: number, fee = 0, ts = ++n): Fill =>
  testFill({ clientOrderId: `o${ts}`, tradeId: `t${ts}`, instrumentId: inst.id, side, price: price(px), quantity: quantity(qty), fee: money(fee), liquidity: 'taker', tsEvent: ts });

const make = (): Portfolio => new Portfolio(new StaticInstrumentCatalog([inst]), { USD: money(1000) }, 'USD');

describe('Portfolio', () => {
  it('averages entries, realizes PnL on exits and pays fees from cash', () => {
    const p = make();
    p.applyFill(fill('buy', 2, 100, 1));
    p.applyFill(fill('buy', 1, 130, 1));
    expect(p.position(inst.id)!.averagePrice.toString()).toBe('110');
    expect(p.cash().toString()).toBe(String(1000 - 200 - 130 - 2));
    p.applyFill(fill('sell', 3, 120, 1));
    const pos = p.position(inst.id)!;
    expect(pos.quantity.isZero()).toBe(true);
    expect(pos.realizedPnl.toString()).toBe('30');
    expect(p.cash().toString()).toBe('1027'); // 1000 + 30 realized - 3 fees
    expect(p.fees().toString()).toBe('3');
    const [trip] = p.roundTrips();
    expect(trip).toMatchObject({ side: 'long', quantity: 3, entryPrice: 110, exitPrice: 120, pnl: 27, fees: 3 });
  });

  it('closes a round trip and opens a new one when a fill flips the position', () => {
    const p = make();
    p.applyFill(fill('buy', 1, 100));
    p.applyFill(fill('sell', 3, 110));
    expect(p.positionSize(inst.id)).toBe(-2);
    expect(p.position(inst.id)!.averagePrice.toString()).toBe('110');
    p.applyFill(fill('buy', 2, 105));
    const trips = p.roundTrips();
    expect(trips.map((t) => [t.side, t.quantity, t.entryPrice, t.exitPrice, t.pnl])).toEqual([
      ['long', 1, 100, 110, 10],
      ['short', 2, 110, 105, 10],
    ]);
    expect(p.cash().toString()).toBe('1020');
  });

  it('marks positions on market prices and records the equity curve', () => {
    const p = make();
    p.mark(inst.id, 100, 1);
    p.applyFill(fill('buy', 2, 100));
    p.mark(inst.id, 105, 2);
    p.mark(inst.id, 95, 3);
    const curve = p.curve();
    expect(curve.length).toBe(3);
    expect([...curve.equity]).toEqual([1000, 1010, 990]);
    expect(curve.exposure[1]).toBeCloseTo(210 / 1010, 12);
    expect(p.exactEquity().toString()).toBe('990');
  });
});
