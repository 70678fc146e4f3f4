import { createLogger, makeInstrument, type ExecutionReport } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { harness, T0 } from './test-harness';

/** EUR/USD as OANDA lists it: units of 1, prices to 0.00001. */
const EURUSD = makeInstrument({ symbol: 'EURUSD', venue: 'SIM', assetClass: 'fx', base: 'EUR', quote: 'USD', tickSize: '0.00001', lotSize: '1' });
/** An E-mini-like future quoted in USD: 50 per point. */
const ES = makeInstrument({ symbol: 'ESZ4', venue: 'SIM', assetClass: 'future', base: 'ES', quote: 'USD', tickSize: '0.25', lotSize: '1', multiplier: '50' });

const rejection = (reports: readonly ExecutionReport[], id: string) => reports.find((r) => r.kind === 'rejected' && r.clientOrderId === id);
const canceled = (reports: readonly ExecutionReport[], id: string) => reports.find((r) => r.kind === 'canceled' && r.clientOrderId === id);

describe('margin account: pre-trade and fill-time margin checks', () => {
  const usd50 = { account: { type: 'margin' as const, leverage: '50' }, startingBalances: { USD: '10000' } };

  it('allows a short whatever allowShort says, and refuses what adds exposure beyond NAV − margin used with INSUFFICIENT_MARGIN', async () => {
    const h = await harness(usd50, [EURUSD]);
    h.quote(T0 + 1, 1.25, 1.2501, 0, 0, EURUSD.id);
    // Margin of a market sell at the bid: 100000 × 1.25 × 0.02 = 2500 ≤ 10000.
    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '100000' });
    h.quote(T0 + 2, 1.25, 1.2501, 0, 0, EURUSD.id);
    expect(h.fills().map((f) => [f.side, f.price.toString(), f.quantity.toString()])).toEqual([['sell', '1.25', '100000']]);
    expect(h.venue.positionOf(EURUSD.id)?.quantity.toString()).toBe('-100000');

    // At the mid 1.25005: unrealized −5, NAV 9995, margin used 2500.1, available 7494.9.
    const s = await h.venue.accountSummary();
    expect([s.balance, s.unrealizedPnl, s.nav, s.marginUsed, s.marginAvailable].map((x) => x.toString())).toEqual(['10000', '-5', '9995', '2500.1', '7494.9']);

    // 299900 more short needs 299900 × 1.25 × 0.02 = 7497.5 > 7494.9 (it would fit the cash alone: 10000 − 2500.1).
    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '299900' });
    // 299000 needs 7475: it fits.
    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '299000' });
    // A buy of 500000 closes 100000 and opens 400000 long: 400000 × 1.2501 (the ask) × 0.02 = 10000.8.
    await h.submit({ instrumentId: EURUSD.id, side: 'buy', quantity: '500000' });
    // A buy of 100000 only reduces: it always passes.
    await h.submit({ instrumentId: EURUSD.id, side: 'buy', quantity: '100000', type: 'limit', price: '1.2' });
    // They reach the venue when the clock moves on, all four before this quote is matched.
    h.quote(T0 + 3, 1.25, 1.2501, 0, 0, EURUSD.id);
    const r2 = rejection(h.reports, 'C-2');
    expect(r2).toMatchObject({ code: 'INSUFFICIENT_MARGIN' });
    expect(r2 && 'reason' in r2 ? r2.reason : '').toContain('needs an initial margin of 7497.5 USD');
    expect(r2 && 'reason' in r2 ? r2.reason : '').toContain('7494.9 USD is available');
    expect(rejection(h.reports, 'C-3')).toBeUndefined();
    expect(rejection(h.reports, 'C-4')).toMatchObject({ code: 'INSUFFICIENT_MARGIN' });
    expect(rejection(h.reports, 'C-5')).toBeUndefined();
    // The short grew by 299000 at the bid; a margin account holds no cash back for the open limit.
    expect(h.venue.positionOf(EURUSD.id)?.quantity.toString()).toBe('-399000');
    expect(h.venue.balanceOf('USD')!.locked.toString()).toBe('0');
  });

  it('re-checks at fill time: a fill that no longer fits cancels the rest with INSUFFICIENT_MARGIN', async () => {
    const h = await harness(usd50, [EURUSD]);
    h.quote(T0 + 1, 1.25, 1.2501, 0, 0, EURUSD.id);
    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '50000' });
    // Accepted on an empty account: 390000 × 1.251 × 0.02 = 9757.8 ≤ 10000.
    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '390000', type: 'limit', price: '1.251' });
    h.quote(T0 + 2, 1.25, 1.2501, 0, 0, EURUSD.id); // both arrive; the market sell fills at 1.25
    expect(h.kinds()).toEqual(['accepted', 'accepted', 'fill']);
    // The limit is reached, but now: NAV 10000 − 0.00105 × 50000 = 9947.5, margin used 50000 × 1.25105 × 0.02 = 1251.05: 8696.45 < 9757.8.
    h.quote(T0 + 3, 1.251, 1.2511, 0, 0, EURUSD.id);
    expect(h.fills().map((f) => f.clientOrderId)).toEqual(['C-1']);
    const c = canceled(h.reports, 'C-2');
    expect(c && 'reason' in c ? c.reason : '').toMatch(/^INSUFFICIENT_MARGIN: this fill needs an initial margin of 9757\.8 USD .* 8696\.45 USD is available/);
  });
});

describe('margin account: profit-only settlement in the base currency', () => {
  it('books a EUR account’s EUR/USD profit and fees in EUR at the fill price, and values the open position at the current rate', async () => {
    const h = await harness({ account: { type: 'margin', baseCurrency: 'EUR', leverage: '50' }, startingBalances: { EUR: '10000' }, fees: { taker: '0.0001' } }, [EURUSD]);
    h.trade(T0 + 1, 1.25, 0, EURUSD.id);
    await h.submit({ instrumentId: EURUSD.id, side: 'buy', quantity: '100000' });
    h.trade(T0 + 2, 1.25, 0, EURUSD.id);
    // Fee 100000 × 1.25 × 0.0001 = 12.5 USD = 12.5 / 1.25 = 10 EUR; no notional moves.
    expect(h.venue.balanceOf('EUR')!.total.toString()).toBe('9990');
    expect(h.venue.balanceOf('USD')).toBeUndefined();

    h.trade(T0 + 3, 1.28, 0, EURUSD.id);
    // Unrealized 0.03 × 100000 = 3000 USD = 2343.75 EUR at 1.28; margin 100000 × 1.28 × 0.02 = 2560 USD = 2000 EUR.
    const open = await h.venue.accountSummary();
    expect(open.baseCurrency).toBe('EUR');
    expect([open.balance, open.unrealizedPnl, open.nav, open.marginUsed, open.marginAvailable].map((x) => x.toString())).toEqual(['9990', '2343.75', '12333.75', '2000', '10333.75']);

    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '100000' });
    h.trade(T0 + 4, 1.28, 0, EURUSD.id);
    // Realized 3000 USD / 1.28 = 2343.75 EUR, fee 12.8 USD / 1.28 = 10 EUR: 9990 + 2343.75 − 10.
    expect(h.venue.balanceOf('EUR')!.total.toString()).toBe('12323.75');
    expect(h.venue.balanceOf('USD')).toBeUndefined();
    // Each fill carries the P/L booked in EUR (OANDA's pl), so the engine books the venue's figure.
    expect(h.fills().map((f) => [f.fee.toString(), f.feeCurrency, f.accountPnl?.toString()])).toEqual([
      ['12.5', 'USD', '0'],
      ['12.8', 'USD', '2343.75'],
    ]);
    expect(h.venue.positionOf(EURUSD.id)).toMatchObject({ realizedPnl: expect.anything() });
    expect(h.venue.positionOf(EURUSD.id)!.realizedPnl.toString()).toBe('3000');
    const flat = await h.venue.accountSummary();
    expect([flat.nav, flat.marginUsed].map((x) => x.toString())).toEqual(['12323.75', '0']);
  });

  it('converts a USD future’s profit with the rates table when no market data of the pair is seen, and refuses an order with RATE_MISSING without a rate', async () => {
    const h = await harness({ account: { type: 'margin', baseCurrency: 'EUR', leverage: '20', rates: { 'EUR/USD': '1.25' } }, startingBalances: { EUR: '10000' } }, [ES]);
    h.trade(T0 + 1, 4000, 0, ES.id);
    await h.submit({ instrumentId: ES.id, side: 'buy', quantity: '1' });
    h.trade(T0 + 2, 4000, 0, ES.id);
    h.trade(T0 + 3, 4010, 0, ES.id);
    await h.submit({ instrumentId: ES.id, side: 'sell', quantity: '1' });
    h.trade(T0 + 4, 4010, 0, ES.id);
    // 10 points × 50 = 500 USD = 400 EUR at the table's 1.25.
    expect(h.venue.balanceOf('EUR')!.total.toString()).toBe('10400');

    const bare = await harness({ account: { type: 'margin', baseCurrency: 'EUR' }, startingBalances: { EUR: '10000' } }, [ES]);
    bare.trade(T0 + 1, 4000, 0, ES.id);
    await bare.submit({ instrumentId: ES.id, side: 'buy', quantity: '1' });
    bare.trade(T0 + 2, 4000, 0, ES.id);
    const r = rejection(bare.reports, 'C-1');
    expect(r).toMatchObject({ code: 'RATE_MISSING' });
    expect(r && 'reason' in r ? r.reason : '').toContain('USD/EUR');
  });
});

describe('margin closeout', () => {
  it('closes every open position at the bid or ask when NAV falls to 50% of margin used, reporting the venue’s order before its fill', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    const h = await harness({ account: { type: 'margin', leverage: '50' }, startingBalances: { USD: '1000' } }, [EURUSD], logger);
    h.quote(T0 + 1, 1.2499, 1.2501, 0, 0, EURUSD.id);
    // 39000 × 1.2501 × 0.02 = 975.078 ≤ 1000.
    await h.submit({ instrumentId: EURUSD.id, side: 'buy', quantity: '39000' });
    // A resting order that OANDA would leave alone at a closeout (1000 × 1.2 × 0.02 = 24 on the empty account).
    await h.submit({ instrumentId: EURUSD.id, side: 'buy', quantity: '1000', type: 'limit', price: '1.2' });
    h.quote(T0 + 2, 1.2499, 1.2501, 0, 0, EURUSD.id);

    // Mid 1.237: NAV 1000 − 0.0131 × 39000 = 489.1 > 0.5 × 964.86: no closeout yet.
    h.quote(T0 + 3, 1.2369, 1.2371, 0, 0, EURUSD.id);
    expect(h.reports.some((r) => r.kind === 'venueOrder')).toBe(false);
    const before = await h.venue.accountSummary();
    expect([before.nav, before.marginUsed].map((x) => x.toString())).toEqual(['489.1', '964.86']);

    // Mid 1.2368: NAV 1000 − 0.0133 × 39000 = 481.3 ≤ 0.5 × (39000 × 1.2368 × 0.02 = 964.704) = 482.352.
    h.quote(T0 + 4, 1.2367, 1.2369, 0, 0, EURUSD.id);
    const after = h.reports.slice(h.reports.findIndex((r) => r.kind === 'venueOrder'));
    expect(after.map((r) => r.kind)).toEqual(['venueOrder', 'fill']);
    expect(after[0]).toMatchObject({
      kind: 'venueOrder',
      clientOrderId: 'closeout-1',
      reason: 'closeout',
      tsEvent: T0 + 4,
      order: { clientOrderId: 'closeout-1', type: 'market', side: 'sell', tag: 'closeout', status: 'accepted' },
    });
    const fill = after[1]!.kind === 'fill' ? after[1]!.fill : undefined;
    expect([fill?.clientOrderId, fill?.side, fill?.price.toString(), fill?.quantity.toString(), fill?.reason, fill?.accountPnl?.toString()]).toEqual([
      'closeout-1',
      'sell',
      '1.2367',
      '39000',
      'closeout',
      '-522.6',
    ]);
    // Closed at the bid: (1.2367 − 1.2501) × 39000 = −522.6.
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('477.4');
    expect(await h.venue.positions()).toEqual([]);
    const end = await h.venue.accountSummary();
    expect([end.nav, end.marginUsed].map((x) => x.toString())).toEqual(['477.4', '0']);
    expect(lines.filter((l) => l.includes('margin closeout'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('margin closeout'))).toContain('NAV 481.3 USD is at or below 0.5 × margin used 964.7 USD');
    expect((await h.venue.openOrders()).map((o) => o.clientOrderId)).toEqual(['C-2']);
    expect(await h.venue.order('closeout-1')).toMatchObject({ status: 'filled' });
  });
});

describe('account config', () => {
  it('refuses a hedging account: the simulated venue nets positions', async () => {
    await expect(harness({ account: { type: 'margin', hedging: true } }, [EURUSD])).rejects.toThrow(/account\.hedging: the simulated venue nets positions/);
  });

  it('values a short equity in a margin account by its notional: the sale’s proceeds are cash, the position a debt at the mark', async () => {
    const XYZ = makeInstrument({ symbol: 'XYZ', venue: 'SIM', assetClass: 'equity', base: 'XYZ', quote: 'USD', tickSize: '0.01', lotSize: '1' });
    const h = await harness({ account: { type: 'margin', marginRates: { XYZ: '0.5' } }, startingBalances: { USD: '1000' } }, [XYZ]);
    h.trade(T0 + 1, 20, 0, XYZ.id);
    await h.submit({ instrumentId: XYZ.id, side: 'sell', quantity: '100' });
    h.trade(T0 + 2, 20, 0, XYZ.id);
    h.trade(T0 + 3, 22, 0, XYZ.id);
    // Cash 1000 + 2000; position −100 × 22 = −2200: NAV 800; margin 100 × 22 × 0.5 = 1100.
    const s = await h.venue.accountSummary();
    expect([s.balance, s.unrealizedPnl, s.nav, s.marginUsed, s.marginAvailable].map((x) => x.toString())).toEqual(['3000', '-200', '800', '1100', '-300']);
  });
});

describe('cash account', () => {
  it('reports its figures with no margin: NAV is the cash and the holdings at the last price', async () => {
    const h = await harness();
    h.trade(T0 + 1, 100, 5);
    await h.submit({ side: 'buy', quantity: '1' });
    h.trade(T0 + 2, 100, 5);
    h.trade(T0 + 3, 110, 5);
    const s = await h.venue.accountSummary();
    expect(s.accountType).toBe('cash');
    expect([s.balance, s.unrealizedPnl, s.nav, s.marginUsed].map((x) => x.toString())).toEqual(['100010', '10', '100010', '0']);
  });
});

describe('daily financing', () => {
  it('charges long and short positions their annual rate / 365 on the value in the base currency at the day end, and publishes it as a venueBalance delta', async () => {
    const h = await harness(
      { account: { type: 'margin', leverage: '50' }, startingBalances: { USD: '10000' }, dayEndUtcHour: 21, financing: { EURUSD: { longRate: '0.0365', shortRate: '-0.0073' } } },
      [EURUSD],
    );
    const deltas: unknown[] = [];
    h.bus.on('venueBalance', (e) => deltas.push(e.kind === 'delta' ? [e.venue, e.currency, e.delta.toString(), e.tsEvent] : e));
    h.trade(T0 + 1, 1.25, 0, EURUSD.id);
    await h.submit({ instrumentId: EURUSD.id, side: 'buy', quantity: '100000' });
    h.trade(T0 + 2, 1.25, 0, EURUSD.id);
    h.trade(T0 + 20 * 3_600_000, 1.25, 0, EURUSD.id); // before 21:00: nothing yet
    expect(deltas).toEqual([]);
    // At 21:00: 100000 × 1.25 × 0.0365 / 365 = 12.5 charged.
    h.trade(T0 + 22 * 3_600_000, 1.25, 0, EURUSD.id);
    expect(deltas).toEqual([['SIM', 'USD', '-12.5', T0 + 21 * 3_600_000]]);
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('9987.5');

    // Short 100000 the next day at 1.28: 100000 × 1.28 × 0.0073 / 365 = 2.56 paid to us.
    await h.submit({ instrumentId: EURUSD.id, side: 'sell', quantity: '200000' });
    h.trade(T0 + 23 * 3_600_000, 1.28, 0, EURUSD.id);
    h.trade(T0 + 46 * 3_600_000, 1.28, 0, EURUSD.id);
    expect(deltas.slice(1)).toEqual([['SIM', 'USD', '2.56', T0 + 45 * 3_600_000]]);
    // 9987.5 + realized (1.28 − 1.25) × 100000 + 2.56.
    expect(h.venue.balanceOf('USD')!.total.toString()).toBe('12990.06');
  });
});
