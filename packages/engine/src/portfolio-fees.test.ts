import { Decimal, makeInstrument, money, price, quantity, type Fill } from '@autotrader/core';
import { testFill, testOrder } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { StaticInstrumentCatalog } from './instrument-catalog';
import { Portfolio } from './portfolio';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001' });
const fill = (over: Partial<Fill>): Fill => testFill({ instrumentId: btc.id, feeCurrency: 'USDT', ...over });
const make = (balances: Record<string, string> = { USDT: '1000' }): Portfolio =>
  new Portfolio(new StaticInstrumentCatalog([btc]), Object.fromEntries(Object.entries(balances).map(([c, v]) => [c, money(v)])), 'USDT');
const total = (p: Portfolio, ccy: string): string => p.balances().find((b) => b.currency === ccy)?.total.toString() ?? '0';

describe('Portfolio: fees in the currency they are charged in', () => {
  it('books a buy whose fee is in the base asset as the net quantity credited (0.001 at 0.1% credits 0.000999)', () => {
    const p = make();
    p.applyFill(fill({ tradeId: '1', side: 'buy', price: price('30000'), quantity: quantity('0.001'), fee: money('0.000001'), feeCurrency: 'BTC', tsEvent: 1 }));
    expect(p.position(btc.id)!.quantity.toString()).toBe('0.000999');
    expect(total(p, 'BTC')).toBe('0.000999');
    expect(total(p, 'USDT')).toBe('970');
    // The fee is worth 0.000001 × 30000 = 0.03 USDT.
    expect(p.fees().toString()).toBe('0.03');
    expect(p.feesByCurrency().get('BTC')!.toString()).toBe('0.000001');
  });

  it('a sell of the whole net position pays its fee in the quote asset and leaves the position flat, PnL net of both fees', () => {
    const p = make();
    p.applyFill(fill({ tradeId: '1', side: 'buy', price: price('100'), quantity: quantity('1'), fee: money('0.001'), feeCurrency: 'BTC', tsEvent: 1 }));
    p.applyFill(fill({ tradeId: '2', side: 'sell', price: price('110'), quantity: quantity('0.999'), fee: money('0.10989'), feeCurrency: 'USDT', tsEvent: 2 }));
    expect(p.position(btc.id)!.quantity.isZero()).toBe(true);
    expect(total(p, 'BTC')).toBe('0');
    // 1000 − 100 + 0.999 × 110 − 0.10989
    expect(total(p, 'USDT')).toBe('1009.78011');
    const [trip] = p.roundTrips();
    expect(trip!.pnl).toBeCloseTo(9.78011, 9);
    expect(trip!.fees).toBeCloseTo(0.1 + 0.10989, 9);
  });

  it('a fee in a third asset (BNB) comes out of that balance and leaves position and quote cash alone', () => {
    const p = make({ USDT: '1000', BNB: '1' });
    p.applyFill(fill({ tradeId: '1', side: 'buy', price: price('100'), quantity: quantity('1'), fee: money('0.00025'), feeCurrency: 'BNB', tsEvent: 1 }));
    expect(p.position(btc.id)!.quantity.toString()).toBe('1');
    expect(total(p, 'USDT')).toBe('900');
    expect(total(p, 'BNB')).toBe('0.99975');
    expect(p.fees().isZero()).toBe(true);
    expect(p.feesByCurrency().get('BNB')!.toString()).toBe('0.00025');
  });
});

describe('Portfolio: locked balances', () => {
  it('locks price × remaining quantity of the quote for a resting buy, the remaining base for a sell', () => {
    const p = make({ USDT: '1000', BTC: '2' });
    const orders = [
      testOrder({ clientOrderId: 'b', instrumentId: btc.id, side: 'buy', type: 'limit', quantity: quantity('0.5'), filledQuantity: quantity('0.2'), price: price('100'), status: 'partially_filled' }),
      testOrder({ clientOrderId: 's', instrumentId: btc.id, side: 'sell', type: 'limit', quantity: quantity('0.7'), price: price('150'), status: 'accepted' }),
      testOrder({ clientOrderId: 'm', instrumentId: btc.id, side: 'buy', type: 'market', quantity: quantity('1'), price: undefined, status: 'submitted' }),
    ];
    p.setOpenOrders(() => orders);
    const usdt = p.balanceOf('USDT');
    expect([usdt.total, usdt.free, usdt.locked].map(String)).toEqual(['1000', '970', '30']);
    const b = p.balanceOf('BTC');
    expect([b.total, b.free, b.locked].map(String)).toEqual(['2', '1.3', '0.7']);
  });
});

describe('Portfolio: set from a venue snapshot', () => {
  it('counts a fill once: fills at or before the snapshot are in it, later ones are applied', () => {
    const p = make();
    const early = fill({ tradeId: '1', side: 'buy', price: price('100'), quantity: quantity('1'), fee: money('0.001'), feeCurrency: 'BTC', tsEvent: 10 });
    const late = fill({ tradeId: '2', side: 'buy', price: price('100'), quantity: quantity('1'), fee: money('0.001'), feeCurrency: 'BTC', tsEvent: 30 });
    // Both fills were booked (one from the journal, one from the stream) before the snapshot arrived.
    p.applyFill(early);
    p.applyFill(late);
    // The venue's snapshot at t=20 holds the early fill, not the late one.
    p.rebase(
      [
        { currency: 'USDT', total: money('900'), free: money('900'), locked: money('0'), tsEvent: 20 },
        { currency: 'BTC', total: money('0.999'), free: money('0.999'), locked: money('0'), tsEvent: 20 },
      ],
      [],
      20,
    );
    expect(p.replayAfter([early, late])).toBe(1);
    expect(total(p, 'BTC')).toBe('1.998');
    expect(p.position(btc.id)!.quantity.toString()).toBe('1.998');
    expect(total(p, 'USDT')).toBe('800');
    // The early fill arriving again (a query after a reconnect) changes nothing.
    p.applyFill(early);
    expect(p.position(btc.id)!.quantity.toString()).toBe('1.998');
  });

  it('books a deposit (venue balance delta) into the balance and, for the base asset, the position', () => {
    const p = make();
    p.applyVenueDelta('BTC', money('0.5'), 5);
    p.applyVenueDelta('USDT', money('-100'), 6);
    expect(p.position(btc.id)!.quantity.toString()).toBe('0.5');
    expect(total(p, 'BTC')).toBe('0.5');
    expect(p.cash().toString()).toBe('900');
    expect(new Decimal(p.equity()).toString()).toBe('900');
  });
});
