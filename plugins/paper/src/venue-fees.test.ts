import { isAutotraderError, makeInstrument, type Balance, type Decimal, type ExecutionReport } from '@autotrader/core';
import { describe, expect, it } from 'vitest';
import { BTC, harness, MIN, T0, type Harness } from './test-harness';

/*
 * Expected figures are worked out here with bigint fixed-point arithmetic (18 places), not with the
 * Decimal class the venue computes with, so a mistake in either shows up as a difference.
 */
const PLACES = 18n;
const ONE = 10n ** PLACES;

/** A decimal string as an integer number of 10⁻¹⁸ units. */
function fx(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const units = BigInt(whole!) * ONE + BigInt(fraction.padEnd(Number(PLACES), '0').slice(0, Number(PLACES)));
  return negative ? -units : units;
}

/** a × b, which must be exact at 18 places. */
function mul(a: bigint, b: bigint): bigint {
  const product = a * b;
  if (product % ONE !== 0n) throw new Error('the test figure needs more than 18 places');
  return product / ONE;
}

/** Rounds a non-negative amount to `places` decimal places, half to even. */
function roundHalfEven(a: bigint, places: number): bigint {
  const unit = 10n ** (PLACES - BigInt(places));
  let q = a / unit;
  const twice = 2n * (a % unit);
  if (twice > unit || (twice === unit && q % 2n === 1n)) q += 1n;
  return q * unit;
}

/** An amount in plain notation without trailing zeros ("0.00099", "-1.5", "0"). */
function show(a: bigint): string {
  const negative = a < 0n;
  const abs = negative ? -a : a;
  const whole = abs / ONE;
  const fraction = (abs % ONE).toString().padStart(Number(PLACES), '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** A Decimal from the venue in the same notation as {@link show}. */
const text = (d: Decimal): string => show(fx(d.toFixed()));

/** total/free/locked of one asset, as text. */
function balanceText(h: Harness, currency: string): { total: string; free: string; locked: string } {
  const b: Balance | undefined = h.venue.balanceOf(currency);
  if (b === undefined) return { total: '0', free: '0', locked: '0' };
  return { total: text(b.total), free: text(b.free), locked: text(b.locked) };
}

/** The expected total/free/locked of one asset. */
const expectBalance = (total: bigint, locked: bigint = 0n) => ({ total: show(total), free: show(total - locked), locked: show(locked) });

function rejection(reports: readonly ExecutionReport[], clientOrderId: string): { code: string; reason: string } | undefined {
  const r = reports.find((x) => x.kind === 'rejected' && x.clientOrderId === clientOrderId);
  return r?.kind === 'rejected' ? { code: r.code, reason: r.reason } : undefined;
}

const RECEIVED = { fees: { maker: '0.001', taker: '0.001', currency: 'received' as const } };

describe("fees in the asset received (fees.currency 'received', as Binance charges them)", () => {
  it('a buy is charged in the base asset and a sell in the quote; balances, position and fills are exact', async () => {
    const h = await harness({ startingBalances: { USD: '1000' }, ...RECEIVED });
    const rate = fx('0.001');
    h.bar(T0 + MIN, 42000, 42000, 42000, 42000);

    await h.submit({ side: 'buy', quantity: '0.01' });
    h.bar(T0 + 2 * MIN, 42000.5, 42001, 42000, 42000.5); // fills at the open
    const buyQty = fx('0.01');
    const buyPx = fx('42000.5');
    const buyFee = roundHalfEven(mul(buyQty, rate), 8); // in BTC
    let usd = fx('1000') - mul(buyQty, buyPx); // no fee from the quote cash
    let btc = buyQty - buyFee; // the quantity credited
    const [buy] = h.fills();
    expect({ fee: text(buy!.fee), feeCurrency: buy!.feeCurrency, quantity: text(buy!.quantity), price: text(buy!.price) }).toEqual({
      fee: show(buyFee),
      feeCurrency: 'BTC',
      quantity: '0.01',
      price: '42000.5',
    });
    expect(show(btc)).toBe('0.00999');
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd));
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(btc));
    expect(text(h.venue.positionOf(BTC.id)!.quantity)).toBe(show(btc));

    // Selling "the whole position" as the fill quantity says (0.01) is more than the account holds: refused, never shrunk.
    const whole = await h.submit({ side: 'sell', quantity: '0.01' });
    h.bar(T0 + 3 * MIN, 42050, 42060, 42040, 42050);
    expect(rejection(h.reports, whole.clientOrderId)).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(rejection(h.reports, whole.clientOrderId)!.reason).toContain('0.00999 BTC is free');
    expect(h.fills()).toHaveLength(1);

    // What the account holds, down to the lot, sells.
    await h.submit({ side: 'sell', quantity: '0.009' });
    h.bar(T0 + 4 * MIN, 42100.25, 42101, 42100, 42100.25);
    const sellQty = fx('0.009');
    const sellPx = fx('42100.25');
    const proceeds = mul(sellQty, sellPx);
    const sellFee = roundHalfEven(mul(proceeds, rate), 8); // in USD
    usd += proceeds - sellFee;
    btc -= sellQty;
    const sell = h.fills()[1]!;
    expect({ fee: text(sell.fee), feeCurrency: sell.feeCurrency }).toEqual({ fee: show(sellFee), feeCurrency: 'USD' });
    expect(show(usd)).toBe('958.51834775');
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd));
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(btc));
    expect(show(btc)).toBe('0.00099');

    // positions() reports the spot holding: the base asset's total.
    const positions = await h.venue.positions();
    expect(positions.map((p) => ({ id: p.instrumentId, qty: text(p.quantity) }))).toEqual([{ id: BTC.id, qty: show(btc) }]);
    const balances = await h.venue.balances();
    expect(Object.fromEntries(balances.map((b) => [b.currency, text(b.total)]))).toEqual({ USD: show(usd), BTC: show(btc) });
  });

  it('rounds a fee to 8 places, half to even (fees.precision)', async () => {
    const h = await harness({ startingBalances: { USD: '10000' }, fees: { taker: '0.0000125', currency: 'received' } });
    h.bar(T0 + MIN, 42000, 42000, 42000, 42000);
    await h.submit({ side: 'buy', quantity: '0.002' }); // 0.002 × 0.0000125 = 0.000000025 BTC: a tie, to even → 0.00000002
    h.bar(T0 + 2 * MIN, 42000, 42000, 42000, 42000);
    const h2 = await harness({ startingBalances: { USD: '10000' }, fees: { taker: '0.0000175', currency: 'received' } });
    h2.bar(T0 + MIN, 42000, 42000, 42000, 42000);
    await h2.submit({ side: 'buy', quantity: '0.002' }); // 0.000000035: a tie, to even → 0.00000004
    h2.bar(T0 + 2 * MIN, 42000, 42000, 42000, 42000);
    expect(show(roundHalfEven(fx('0.000000025'), 8))).toBe('0.00000002');
    expect(text(h.fills()[0]!.fee)).toBe(show(roundHalfEven(mul(fx('0.002'), fx('0.0000125')), 8)));
    expect(text(h2.fills()[0]!.fee)).toBe(show(roundHalfEven(mul(fx('0.002'), fx('0.0000175')), 8)));
    expect(text(h.venue.balanceOf('BTC')!.total)).toBe('0.00199998');

    // A quote fee is rounded too: 0.001 × 42000.01 × 0.00075 = 0.0315000075 → 0.03150001 USD.
    const s = await harness({ startingBalances: { USD: '0', BTC: '1' }, fees: { taker: '0.00075', currency: 'received' } });
    s.bar(T0 + MIN, 42000, 42000, 42000, 42000);
    await s.submit({ side: 'sell', quantity: '0.001' });
    s.bar(T0 + 2 * MIN, 42000.01, 42000.01, 42000.01, 42000.01);
    const expected = roundHalfEven(mul(mul(fx('0.001'), fx('42000.01')), fx('0.00075')), 8);
    expect(show(expected)).toBe('0.03150001');
    expect(text(s.fills()[0]!.fee)).toBe(show(expected));
    expect(text(s.venue.balanceOf('USD')!.total)).toBe(show(mul(fx('0.001'), fx('42000.01')) - expected));
  });

  it('locks a resting buy at price × quantity (no fee) and a resting sell at its base quantity, through partial fills', async () => {
    const h = await harness({ startingBalances: { USD: '1000' }, ...RECEIVED });
    const rate = fx('0.001');
    h.trade(T0 + 1_000, 42000, 1);
    const buy = await h.submit({ side: 'buy', type: 'limit', price: '41000', quantity: '0.005' });
    h.trade(T0 + 2_000, 42000, 1); // the order arrives and rests
    const limit = fx('41000');
    let usd = fx('1000');
    let btc = 0n;
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd, mul(fx('0.005'), limit)));

    h.trade(T0 + 3_000, 41000, 0.002); // fills 0.002 of the buy, at its limit, as maker
    usd -= mul(fx('0.002'), limit);
    btc += fx('0.002') - roundHalfEven(mul(fx('0.002'), rate), 8);
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd, mul(fx('0.003'), limit)));
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(btc));

    h.trade(T0 + 4_000, 41000, 0.001); // 0.001 more
    usd -= mul(fx('0.001'), limit);
    btc += fx('0.001') - roundHalfEven(mul(fx('0.001'), rate), 8);
    expect(show(btc)).toBe('0.002997');
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd, mul(fx('0.002'), limit)));

    const sell = await h.submit({ side: 'sell', type: 'limit', price: '43000', quantity: '0.002' });
    h.trade(T0 + 5_000, 42000, 1); // the sell arrives and rests, locking 0.002 BTC
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(btc, fx('0.002')));
    // 0.000997 BTC is free: another 0.001 is refused, not shrunk.
    const more = await h.submit({ side: 'sell', type: 'limit', price: '43000', quantity: '0.001' });
    h.trade(T0 + 6_000, 42000, 1);
    expect(rejection(h.reports, more.clientOrderId)?.code).toBe('INSUFFICIENT_FUNDS');

    h.trade(T0 + 7_000, 43000, 0.001); // fills half of the sell
    const proceeds = mul(fx('0.001'), fx('43000'));
    usd += proceeds - roundHalfEven(mul(proceeds, rate), 8);
    btc -= fx('0.001');
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(btc, fx('0.001')));
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd, mul(fx('0.002'), limit)));
    expect(show(usd)).toBe('919.957');

    await h.venue.cancel(buy);
    await h.venue.cancel(sell);
    h.trade(T0 + 8_000, 42000, 1);
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd));
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(btc));
    expect(text(h.venue.positionOf(BTC.id)!.quantity)).toBe(show(btc));
    expect(h.fills().map((f) => `${f.side} ${text(f.quantity)} fee ${text(f.fee)} ${f.feeCurrency}`)).toEqual([
      'buy 0.002 fee 0.000002 BTC',
      'buy 0.001 fee 0.000001 BTC',
      'sell 0.001 fee 0.043 USD',
    ]);
  });

  it('a starting base balance is a holding: positions() reports it and it can be sold, up to what it is', async () => {
    const h = await harness({ startingBalances: { USD: '0', BTC: '0.5' }, ...RECEIVED });
    expect((await h.venue.positions()).map((p) => [p.instrumentId, text(p.quantity)])).toEqual([[BTC.id, '0.5']]);
    h.bar(T0 + MIN, 40000, 40000, 40000, 40000);
    const tooMuch = await h.submit({ side: 'sell', quantity: '0.501' });
    await h.submit({ side: 'sell', quantity: '0.5' });
    h.bar(T0 + 2 * MIN, 40000, 40000, 40000, 40000);
    expect(rejection(h.reports, tooMuch.clientOrderId)?.code).toBe('INSUFFICIENT_FUNDS');
    expect(text(h.venue.balanceOf('USD')!.total)).toBe(show(fx('20000') - mul(fx('20000'), fx('0.001'))));
    expect(await h.venue.positions()).toEqual([]);
  });

  it('a non-spot instrument has no base balance: its fee stays in the quote currency, rounded', async () => {
    const perp = makeInstrument({ symbol: 'BTCUSD', venue: 'SIM', assetClass: 'perpetual', base: 'BTC', quote: 'USD', tickSize: '0.01', lotSize: '0.001', minNotional: '10' });
    const h = await harness({ startingBalances: { USD: '1000' }, fees: { taker: '0.00075', currency: 'received' } }, [perp]);
    h.bar(T0 + MIN, 42000, 42000, 42000, 42000);
    await h.submit({ side: 'buy', quantity: '0.001' });
    h.bar(T0 + 2 * MIN, 42000.01, 42000.01, 42000.01, 42000.01);
    const fee = roundHalfEven(mul(mul(fx('0.001'), fx('42000.01')), fx('0.00075')), 8);
    expect({ fee: text(h.fills()[0]!.fee), currency: h.fills()[0]!.feeCurrency }).toEqual({ fee: show(fee), currency: 'USD' });
    expect(h.venue.balanceOf('BTC')).toBeUndefined();
    expect(text(h.venue.positionOf(perp.id)!.quantity)).toBe('0.001');
    expect(text(h.venue.balanceOf('USD')!.total)).toBe(show(fx('1000') - mul(fx('0.001'), fx('42000.01')) - fee));
  });

  it('refuses a per-contract fee with fees in the asset received (a quote amount a base-asset fee cannot carry)', async () => {
    const error = await harness({ fees: { taker: '0.001', perContract: '0.5', currency: 'received' } }).catch((e: unknown) => e);
    expect(isAutotraderError(error, 'CONFIG_INVALID')).toBe(true);
    expect(String((error as Error).message)).toContain('fees.perContract');
  });
});

describe("fees in the quote currency (the default, fees.currency 'quote')", () => {
  it('charges both sides in the quote currency, unrounded, and a resting buy locks its taker fee too', async () => {
    const h = await harness({ startingBalances: { USD: '1000' }, fees: { maker: '0.001', taker: '0.001' } });
    const rate = fx('0.001');
    h.trade(T0 + 1_000, 42000, 1);
    await h.submit({ side: 'buy', type: 'limit', price: '41000.01', quantity: '0.005' });
    h.trade(T0 + 2_000, 42000, 1);
    const limit = fx('41000.01');
    const lockOf = (q: string): bigint => mul(mul(fx(q), limit), fx('1') + rate);
    expect(balanceText(h, 'USD')).toEqual(expectBalance(fx('1000'), lockOf('0.005')));

    h.trade(T0 + 3_000, 41000, 0.002);
    const notional = mul(fx('0.002'), limit);
    const fee = mul(notional, rate); // 0.08200002 USD: exact, 8 places only by chance of the figures
    const usd = fx('1000') - notional - fee;
    expect(balanceText(h, 'USD')).toEqual(expectBalance(usd, lockOf('0.003')));
    expect(balanceText(h, 'BTC')).toEqual(expectBalance(fx('0.002')));
    const [fill] = h.fills();
    expect({ fee: text(fill!.fee), feeCurrency: fill!.feeCurrency }).toEqual({ fee: show(fee), feeCurrency: 'USD' });
    expect(text(h.venue.positionOf(BTC.id)!.quantity)).toBe('0.002');
  });

  it('keeps a quote fee exact beyond 8 places (no rounding in this mode)', async () => {
    const h = await harness({ startingBalances: { USD: '1000' }, fees: { taker: '0.00075' } });
    h.bar(T0 + MIN, 42000, 42000, 42000, 42000);
    await h.submit({ side: 'buy', quantity: '0.001' });
    h.bar(T0 + 2 * MIN, 42000.01, 42000.01, 42000.01, 42000.01);
    expect(text(h.fills()[0]!.fee)).toBe(show(mul(mul(fx('0.001'), fx('42000.01')), fx('0.00075'))));
    expect(text(h.fills()[0]!.fee)).toBe('0.0315000075');
  });
});
