import { describe, expect, it } from 'vitest';
import { testOrder } from '@autotrader/testkit';
import { AutotraderError, Decimal, money, price, quantity, type OrderSnapshot } from '@autotrader/core';
import lotSize from '../test/fixtures/docs/filter_LOT_SIZE.json';
import marketLotSize from '../test/fixtures/docs/filter_MARKET_LOT_SIZE.json';
import minNotional from '../test/fixtures/docs/filter_MIN_NOTIONAL.json';
import notional from '../test/fixtures/docs/filter_NOTIONAL.json';
import priceFilter from '../test/fixtures/docs/filter_PRICE_FILTER.json';
import { checkOrderAgainstFilters, parseExchangeInfo } from './instruments';

/** An exchangeInfo answer: the documented skeleton's symbol fields with the documented filter objects. */
function exchangeInfo(): unknown {
  const base = {
    status: 'TRADING',
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT'],
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
  };
  return {
    timezone: 'UTC',
    serverTime: 1565246363776,
    rateLimits: [],
    symbols: [
      { ...base, symbol: 'ETHBTC', baseAsset: 'ETH', quoteAsset: 'BTC', filters: [priceFilter, lotSize, marketLotSize, notional] },
      { ...base, symbol: 'LTCBTC', baseAsset: 'LTC', quoteAsset: 'BTC', filters: [priceFilter, lotSize, minNotional] },
      {
        ...base,
        symbol: 'BTCUSDT',
        baseAsset: 'BTC',
        quoteAsset: 'USDT',
        filters: [
          { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
          { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
          { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        ],
      },
    ],
  };
}

function order(over: Partial<OrderSnapshot>): OrderSnapshot {
  // Notional 12 BTC: above the documented example's (large) minimum of 10.
  return testOrder({ clientOrderId: 'at-7', instrumentId: 'ETHBTC.BINANCE', quantity: quantity('200'), price: price('0.06'), ...over });
}

const { instruments, rules } = parseExchangeInfo(exchangeInfo());
const eth = instruments[0]!;
const ethRules = rules.get('ETHBTC.BINANCE')!;

function failure(o: OrderSnapshot, r = ethRules, ref?: Decimal): AutotraderError | undefined {
  try {
    checkOrderAgainstFilters(o, eth, r, ref);
    return undefined;
  } catch (e) {
    if (e instanceof AutotraderError) return e;
    throw e;
  }
}

describe('parseExchangeInfo', () => {
  it('builds core instruments from PRICE_FILTER, LOT_SIZE and NOTIONAL/MIN_NOTIONAL', () => {
    expect(instruments.map((i) => i.id)).toEqual(['ETHBTC.BINANCE', 'LTCBTC.BINANCE', 'BTCUSDT.BINANCE']);
    expect(eth).toMatchObject({ symbol: 'ETHBTC', venue: 'BINANCE', assetClass: 'spot', base: 'ETH', quote: 'BTC', pricePrecision: 6, sizePrecision: 3 });
    expect(eth.tickSize.toFixed()).toBe('0.000001');
    expect(eth.lotSize.toFixed()).toBe('0.001');
    expect(eth.minQuantity.toFixed()).toBe('0.001');
    expect(eth.maxQuantity?.toFixed()).toBe('100000');
    expect(eth.minNotional.toFixed()).toBe('10');
    // The older MIN_NOTIONAL filter when NOTIONAL is absent.
    expect(instruments[1]!.minNotional.toFixed()).toBe('0.001');
    expect(rules.get('LTCBTC.BINANCE')!.notionalFilter).toBe('MIN_NOTIONAL');
    expect(rules.get('LTCBTC.BINANCE')!.applyMinToMarket).toBe(true);
    expect(instruments[2]).toMatchObject({ pricePrecision: 2, sizePrecision: 5 });
    expect(ethRules.marketStepSize.toFixed()).toBe('0.001');
    expect(ethRules.maxNotional.toFixed()).toBe('10000');
  });

  it('is VENUE_MESSAGE_MALFORMED on a bad answer', () => {
    expect(() => parseExchangeInfo({ symbols: [{ symbol: 'X' }] })).toThrow(expect.objectContaining({ code: 'VENUE_MESSAGE_MALFORMED' }));
    const bad = exchangeInfo() as { symbols: Array<{ filters: unknown[] }> };
    bad.symbols[0]!.filters = [{ filterType: 'PRICE_FILTER', minPrice: 'abc', maxPrice: '1', tickSize: '0.1' }];
    expect(() => parseExchangeInfo(bad)).toThrow(/minPrice/);
  });
});

describe('checkOrderAgainstFilters', () => {
  it('passes an order that satisfies every filter', () => {
    expect(failure(order({}))).toBeUndefined();
    expect(failure(order({ type: 'market', price: undefined }))).toBeUndefined();
  });

  it.each([
    ['price off the tick', { price: price('0.0500005') }, 'TICK_SIZE', 'PRICE_FILTER'],
    ['price below minPrice', { price: price('0.0000005') }, 'TICK_SIZE', 'PRICE_FILTER'],
    ['price above maxPrice', { price: price('100001'), quantity: quantity('0.001') }, 'TICK_SIZE', 'PRICE_FILTER'],
    ['trigger off the tick', { type: 'stop_limit' as const, triggerPrice: price('0.0400001') }, 'TICK_SIZE', 'PRICE_FILTER'],
    ['quantity off the step', { quantity: quantity('1.0005') }, 'LOT_SIZE', 'LOT_SIZE'],
    ['quantity below minQty', { quantity: quantity('0.0001') }, 'LOT_SIZE', 'LOT_SIZE'],
    ['quantity above maxQty', { quantity: quantity('100001'), price: price('0.00001') }, 'LOT_SIZE', 'LOT_SIZE'],
    ['market quantity off MARKET_LOT_SIZE step', { type: 'market' as const, price: undefined, quantity: quantity('1.0001') }, 'LOT_SIZE', 'MARKET_LOT_SIZE'],
    ['notional below minimum', { quantity: quantity('1'), price: price('0.000002') }, 'MIN_NOTIONAL', 'NOTIONAL'],
    ['notional above maximum', { quantity: quantity('100000'), price: price('1') }, 'ORDER_INVALID', 'NOTIONAL'],
  ])('%s → %s', (_name, over, code, filter) => {
    const e = failure(order(over));
    expect(e?.code).toBe(code);
    expect(e?.details.filter).toBe(filter);
    expect(e?.details.clientOrderId).toBe('at-7');
    expect(e?.message).toContain('ETHBTC.BINANCE');
  });

  it('holds market orders to the minimum notional only where the venue applies it, with a reference price', () => {
    const small = order({ type: 'market', price: undefined, quantity: quantity('0.001') });
    // ETHBTC's NOTIONAL has applyMinToMarket false.
    expect(failure(small, ethRules, new Decimal('0.05'))).toBeUndefined();
    const applied = { ...ethRules, applyMinToMarket: true };
    expect(failure(small, applied, new Decimal('0.05'))?.code).toBe('MIN_NOTIONAL');
    // Without a reference price a market order has no notional to check.
    expect(failure(small, applied)).toBeUndefined();
  });

  it('checks against the core instrument alone when no rules are given', () => {
    expect(failure(order({ quantity: quantity('1.0005') }), undefined)?.code).toBe('LOT_SIZE');
    expect(failure(order({ price: price('0.0500005') }), undefined)?.code).toBe('TICK_SIZE');
    expect(failure(order({ price: price('0.000002') }), undefined)?.code).toBe('MIN_NOTIONAL');
  });

  it('refuses priced orders without a price', () => {
    expect(failure(order({ price: undefined }))?.code).toBe('ORDER_INVALID');
    expect(failure(order({ type: 'stop', price: undefined }))?.code).toBe('ORDER_INVALID');
  });
});
