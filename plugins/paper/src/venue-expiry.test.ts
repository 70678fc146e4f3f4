import { AutotraderError, EventBus, SimulatedClock, makeInstrument, type ExecutionReport, type Fill } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { harness, MIN, T0 } from './test-harness';
import { createSimulatedVenue } from './venue';

const EXPIRY = T0 + 10 * MIN;
/** A future quoted in USD, 50 per point, expiring at EXPIRY. */
const ES = makeInstrument({ symbol: 'ESZ4', venue: 'SIM', assetClass: 'future', base: 'ES', quote: 'USD', tickSize: '0.25', lotSize: '1', multiplier: '50', expiry: EXPIRY });
const SPY = makeInstrument({ symbol: 'SPY', venue: 'SIM', assetClass: 'equity', base: 'SPY', quote: 'USD', tickSize: '0.01', lotSize: '1' });
const option = (symbol: string, right: 'call' | 'put', strike: string) =>
  makeInstrument({ symbol, venue: 'SIM', assetClass: 'option', base: symbol, quote: 'USD', tickSize: '0.01', lotSize: '1', multiplier: '100', expiry: EXPIRY, strike, right, underlying: SPY.id });
const C390 = option('SPY-C390', 'call', '390');
const P400 = option('SPY-P400', 'put', '400');
const P380 = option('SPY-P380', 'put', '380');

const fillsOf = (reports: readonly ExecutionReport[]): Fill[] => reports.flatMap((r) => (r.kind === 'fill' ? [r.fill] : []));

describe('expiry', () => {
  it('settles a future still open at its final price, visibly, cancels the orders resting on it and refuses new ones', async () => {
    const h = await harness({ account: { type: 'margin', leverage: '20' }, startingBalances: { USD: '100000' } }, [ES]);
    h.trade(T0 + 1, 4000, 0, ES.id);
    await h.submit({ instrumentId: ES.id, side: 'buy', quantity: '2' });
    await h.submit({ instrumentId: ES.id, side: 'buy', quantity: '1', type: 'limit', price: '3900' });
    h.trade(T0 + 2, 4000, 0, ES.id);
    h.trade(EXPIRY - MIN, 4012.5, 0, ES.id); // the final price
    const before = h.reports.length;

    // The first event at or after the expiry: the position is settled before this price counts.
    h.trade(EXPIRY + MIN, 3800, 0, ES.id);
    const at = h.reports.slice(before);
    expect(at.map((r) => r.kind)).toEqual(['canceled', 'venueOrder', 'fill']);
    expect(at[0]).toMatchObject({ clientOrderId: 'C-2' });
    expect(at[0]!.kind === 'canceled' ? at[0]!.reason : '').toMatch(/^expired: ESZ4\.SIM expired at 2024-01-01T00:10:00\.000Z/);
    expect(at[1]).toMatchObject({ kind: 'venueOrder', clientOrderId: 'expiry-1', reason: 'expiry', order: { side: 'sell', type: 'market', tag: 'expiry' } });
    const fill = fillsOf(at)[0]!;
    expect([fill.clientOrderId, fill.side, fill.price.toString(), fill.quantity.toString(), fill.fee.toString(), fill.reason, fill.tsEvent]).toEqual(['expiry-1', 'sell', '4012.5', '2', '0', 'expiry', EXPIRY]);
    // 12.5 points × 2 × 50 = 1250, no fee.
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('101250');
    expect(await h.venue.positions()).toEqual([]);

    await h.submit({ instrumentId: ES.id, side: 'buy', quantity: '1' });
    h.trade(EXPIRY + 2 * MIN, 3800, 0, ES.id);
    const refused = h.reports.find((r) => r.kind === 'rejected' && r.clientOrderId === 'C-3');
    expect(refused).toMatchObject({ code: 'ORDER_INVALID' });
    expect(refused && refused.kind === 'rejected' ? refused.reason : '').toContain('ESZ4.SIM expired at 2024-01-01T00:10:00.000Z');
  });

  it('settles options in cash at intrinsic value on the underlying’s last price: a call and a put in the money, a put worthless at 0', async () => {
    const h = await harness({ startingBalances: { USD: '100000' } }, [SPY, C390, P400, P380]);
    h.trade(T0 + 1, 8, 0, C390.id);
    h.trade(T0 + 1, 7, 0, P400.id);
    h.trade(T0 + 1, 0.5, 0, P380.id);
    await h.submit({ instrumentId: C390.id, side: 'buy', quantity: '2' });
    await h.submit({ instrumentId: P400.id, side: 'buy', quantity: '1' });
    await h.submit({ instrumentId: P380.id, side: 'buy', quantity: '1' });
    h.trade(T0 + 2, 8, 0, C390.id);
    h.trade(T0 + 2, 7, 0, P400.id);
    h.trade(T0 + 2, 0.5, 0, P380.id);
    // The premium is paid: 8 × 2 × 100 + 7 × 100 + 0.5 × 100 = 2350.
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('97650');
    h.trade(EXPIRY - MIN, 395, 0, SPY.id); // S

    h.trade(EXPIRY, 420, 0, SPY.id); // at the expiry: settled on S = 395, not on this price
    const settled = fillsOf(h.reports).filter((f) => f.reason === 'expiry');
    expect(settled.map((f) => [f.clientOrderId, f.instrumentId, f.side, f.price.toString(), f.quantity.toString()])).toEqual([
      ['expiry-1', C390.id, 'sell', '5', '2'], // max(0, 395 − 390)
      ['expiry-2', P400.id, 'sell', '5', '1'], // max(0, 400 − 395)
      ['expiry-3', P380.id, 'sell', '0', '1'], // max(0, 380 − 395): worthless
    ]);
    // 5 × 2 × 100 + 5 × 100 + 0 = 1500 received in cash.
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('99150');
    expect(await h.venue.positions()).toEqual([]);
    const kinds = h.reports.filter((r) => r.kind === 'venueOrder' || (r.kind === 'fill' && r.fill.reason === 'expiry')).map((r) => r.kind);
    expect(kinds).toEqual(['venueOrder', 'fill', 'venueOrder', 'fill', 'venueOrder', 'fill']);
  });

  it('refuses an expiring option that names no underlying the venue lists', async () => {
    const clock = new SimulatedClock(T0);
    const make = () => createSimulatedVenue({ config: {}, instruments: [C390], clock, bus: new EventBus('throw', () => clock.now()) });
    expect(make).toThrow(AutotraderError);
    expect(make).toThrow(/underlying SPY\.SIM, which this venue does not list/);
  });
});
