import { describe, expect, it } from 'vitest';
import { testOrder } from '@autotrader/testkit';
import { AutotraderError, Decimal, makeInstrument, price, quantity, ZERO, money, type OrderSnapshot } from '@autotrader/core';
import account from '../test/fixtures/docs/rest_account_response.json';
import canceled from '../test/fixtures/docs/rest_cancel_order_response.json';
import myTrades from '../test/fixtures/docs/rest_my_trades_response.json';
import newOrderResult from '../test/fixtures/docs/rest_new_order_response_result.json';
import queried from '../test/fixtures/docs/rest_query_order_response.json';
import balanceUpdate from '../test/fixtures/docs/uds_balance_update.json';
import executionReport from '../test/fixtures/docs/uds_execution_report.json';
import accountPosition from '../test/fixtures/docs/uds_outbound_account_position.json';
import klinesExample from './__fixtures__/rest_klines_response.json';
import {
  accountPositionSchema,
  barOfKlineRow,
  klinesSchema,
  accountSchema,
  balancesOfAccount,
  balanceUpdateSchema,
  clientOrderIdOfReport,
  executionReportSchema,
  fillOfExecutionReport,
  fillOfTrade,
  myTradeSchema,
  newOrderReports,
  orderStateOf,
  ourClientOrderId,
  venueBalanceDeltaOf,
  venueBalanceSnapshotOf,
  venueOrderSchema,
  wireClientOrderId,
  formatDecimal,
  instrumentIdOf,
  ORDER_TYPE_FROM_VENUE,
  orderParams,
  orderTypeToVenue,
  rejectReasonCode,
  SIDE_FROM_VENUE,
  SIDE_TO_VENUE,
  STATUS_FROM_VENUE,
  symbolOf,
  TIF_FROM_VENUE,
  timeInForceToVenue,
} from './mapping';

const btc = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

function order(over: Partial<OrderSnapshot>): OrderSnapshot {
  return testOrder({ clientOrderId: 'at-1', instrumentId: 'BTCUSDT.BINANCE', quantity: quantity('0.5'), price: price('30000.5'), ...over });
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AutotraderError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('enum tables', () => {
  it('maps sides both ways', () => {
    expect(SIDE_TO_VENUE).toEqual({ buy: 'BUY', sell: 'SELL' });
    expect(SIDE_FROM_VENUE).toEqual({ BUY: 'buy', SELL: 'sell' });
  });

  it('maps every Binance order status', () => {
    expect(STATUS_FROM_VENUE).toEqual({
      NEW: 'accepted',
      PENDING_NEW: 'submitted',
      PARTIALLY_FILLED: 'partially_filled',
      FILLED: 'filled',
      CANCELED: 'canceled',
      PENDING_CANCEL: 'pending_cancel',
      REJECTED: 'rejected',
      EXPIRED: 'expired',
      EXPIRED_IN_MATCH: 'expired',
    });
  });

  it('maps Binance order types and TIFs to core', () => {
    expect(ORDER_TYPE_FROM_VENUE.LIMIT_MAKER).toBe('limit');
    expect(ORDER_TYPE_FROM_VENUE.STOP_LOSS).toBe('stop');
    expect(ORDER_TYPE_FROM_VENUE.STOP_LOSS_LIMIT).toBe('stop_limit');
    expect(ORDER_TYPE_FROM_VENUE.TAKE_PROFIT_LIMIT).toBe('stop_limit');
    expect(TIF_FROM_VENUE.GTX).toBe('GTC');
  });

  it('maps core order types to Binance, post-only limits to LIMIT_MAKER', () => {
    expect(orderTypeToVenue('market', false)).toBe('MARKET');
    expect(orderTypeToVenue('limit', false)).toBe('LIMIT');
    expect(orderTypeToVenue('limit', true)).toBe('LIMIT_MAKER');
    expect(orderTypeToVenue('stop', false)).toBe('STOP_LOSS');
    expect(orderTypeToVenue('stop_limit', false)).toBe('STOP_LOSS_LIMIT');
    expect(codeOf(() => orderTypeToVenue('trailing_stop', false))).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(codeOf(() => orderTypeToVenue('market', true))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('accepts GTC, IOC, FOK and refuses GTD and DAY', () => {
    expect(timeInForceToVenue('GTC')).toBe('GTC');
    expect(timeInForceToVenue('IOC')).toBe('IOC');
    expect(timeInForceToVenue('FOK')).toBe('FOK');
    expect(codeOf(() => timeInForceToVenue('GTD'))).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(codeOf(() => timeInForceToVenue('DAY'))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('maps reject reasons', () => {
    expect(rejectReasonCode('INSUFFICIENT_BALANCES')).toBe('INSUFFICIENT_FUNDS');
    expect(rejectReasonCode('GTX_ORDER_REJECT')).toBe('VENUE_REJECTED');
  });

  it('maps symbols and instrument ids', () => {
    expect(instrumentIdOf('BTCUSDT')).toBe('BTCUSDT.BINANCE');
    expect(symbolOf('BTCUSDT.BINANCE')).toBe('BTCUSDT');
    expect(codeOf(() => symbolOf('BTC-USD.COINBASE'))).toBe('INSTRUMENT_UNKNOWN');
    expect(codeOf(() => symbolOf('BTCUSDT'))).toBe('INSTRUMENT_UNKNOWN');
  });
});

describe('formatDecimal', () => {
  it('writes fixed-point with the instrument precision, never scientific notation', () => {
    expect(formatDecimal(new Decimal('1e-8'), 8)).toBe('0.00000001');
    expect(formatDecimal(new Decimal('1e21'), 2)).toBe('1000000000000000000000.00');
    expect(formatDecimal(new Decimal('0.5'), 5)).toBe('0.50000');
    expect(formatDecimal(new Decimal('42'), 0)).toBe('42');
    expect(formatDecimal(ZERO, 2)).toBe('0.00');
  });

  it('refuses to round silently', () => {
    expect(codeOf(() => formatDecimal(new Decimal('0.123'), 2, 'price'))).toBe('ORDER_INVALID');
  });
});

describe('orderParams', () => {
  it('builds a limit order with our client order id and RESULT responses', () => {
    expect(orderParams(order({}), btc)).toEqual([
      ['symbol', 'BTCUSDT'],
      ['side', 'BUY'],
      ['type', 'LIMIT'],
      ['timeInForce', 'GTC'],
      ['quantity', '0.50000'],
      ['price', '30000.50'],
      ['newClientOrderId', 'at-1'],
      ['newOrderRespType', 'RESULT'],
    ]);
  });

  it('builds a market order without price or TIF', () => {
    expect(orderParams(order({ type: 'market', side: 'sell', price: undefined, quantity: quantity('0.00001') }), btc)).toEqual([
      ['symbol', 'BTCUSDT'],
      ['side', 'SELL'],
      ['type', 'MARKET'],
      ['quantity', '0.00001'],
      ['newClientOrderId', 'at-1'],
      ['newOrderRespType', 'RESULT'],
    ]);
    expect(codeOf(() => orderParams(order({ type: 'market', timeInForce: 'FOK' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('builds post-only as LIMIT_MAKER without TIF', () => {
    const p = orderParams(order({ postOnly: true }), btc);
    expect(p).toContainEqual(['type', 'LIMIT_MAKER']);
    expect(p.find(([k]) => k === 'timeInForce')).toBeUndefined();
    expect(codeOf(() => orderParams(order({ postOnly: true, timeInForce: 'IOC' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
  });

  it('builds stops with stopPrice', () => {
    const stop = orderParams(order({ type: 'stop', price: undefined, triggerPrice: price('29000') }), btc);
    expect(stop).toContainEqual(['type', 'STOP_LOSS']);
    expect(stop).toContainEqual(['stopPrice', '29000.00']);
    expect(stop.find(([k]) => k === 'price')).toBeUndefined();
    const stopLimit = orderParams(order({ type: 'stop_limit', triggerPrice: price('29000'), timeInForce: 'IOC' }), btc);
    expect(stopLimit).toContainEqual(['type', 'STOP_LOSS_LIMIT']);
    expect(stopLimit).toContainEqual(['timeInForce', 'IOC']);
    expect(stopLimit).toContainEqual(['price', '30000.50']);
    expect(stopLimit).toContainEqual(['stopPrice', '29000.00']);
  });

  it('refuses orders missing a price or trigger, or with unsupported TIF', () => {
    expect(codeOf(() => orderParams(order({ price: undefined }), btc))).toBe('ORDER_INVALID');
    expect(codeOf(() => orderParams(order({ type: 'stop', price: undefined }), btc))).toBe('ORDER_INVALID');
    expect(codeOf(() => orderParams(order({ timeInForce: 'DAY' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
    expect(codeOf(() => orderParams(order({ type: 'trailing_stop' }), btc))).toBe('ORDER_TYPE_UNSUPPORTED');
  });
});

// ---- translations of Binance shapes, on the documented examples (test/fixtures/docs, from binance-spot-api-docs) ----

describe('client order ids', () => {
  it('sends our ids as they are and reads them back; a foreign id is kept as it is', () => {
    expect(wireClientOrderId('atm1x2y3z-17')).toBe('atm1x2y3z-17');
    expect(ourClientOrderId('atm1x2y3z-17')).toBe('atm1x2y3z-17');
    expect(ourClientOrderId('x:41')).toBe('x:41');
    expect(() => wireClientOrderId('a'.repeat(37))).toThrow(expect.objectContaining({ code: 'ORDER_INVALID' }));
  });

  it('takes the order’s id from C on a cancel report and from c otherwise', () => {
    const e = executionReportSchema.parse(executionReport.event);
    expect(clientOrderIdOfReport(e)).toBe('mUvoqJxFIILMdfAW5iGSOW');
    expect(clientOrderIdOfReport({ ...e, c: 'cancelMyOrder1', C: 'myOrder1' })).toBe('myOrder1');
  });
});

describe('orderStateOf', () => {
  it('turns a queried order into the engine’s view, with earlier legs’ fills carried', () => {
    const o = venueOrderSchema.parse(queried);
    expect(orderStateOf(o, 'myOrder1')).toEqual({
      clientOrderId: 'myOrder1',
      venueOrderId: '1',
      instrumentId: 'LTCBTC.BINANCE',
      status: 'accepted',
      side: 'buy',
      quantity: quantity('1'),
      filledQuantity: quantity('0'),
      price: price('0.1'),
    });
    const carried = orderStateOf(venueOrderSchema.parse(canceled), 'myOrder1', new Decimal('0.25'));
    expect(carried.status).toBe('canceled');
    expect(carried.quantity.toFixed()).toBe('1.25');
    expect(carried.filledQuantity.toFixed()).toBe('0.25');
  });

  it('leaves out a zero price (a market order) and refuses an unknown status', () => {
    const o = venueOrderSchema.parse(newOrderResult);
    expect(orderStateOf(o, 'x').price).toBeUndefined();
    expect(() => orderStateOf({ ...o, status: 'PAUSED' }, 'x')).toThrow(expect.objectContaining({ code: 'VENUE_MESSAGE_MALFORMED' }));
  });
});

describe('newOrderReports', () => {
  const result = venueOrderSchema.parse(newOrderResult);
  it('a placed order is accepted (its fills come on the stream)', () => {
    expect(newOrderReports(result, 'at-1', 5)).toEqual([{ key: 'A:28', report: { kind: 'accepted', clientOrderId: 'at-1', venueOrderId: '28', tsEvent: 1507725176595 } }]);
  });
  it('an order that expired with nothing filled is accepted then expired; REJECTED is a rejection', () => {
    expect(newOrderReports({ ...result, status: 'EXPIRED', executedQty: '0.00000000', transactTime: undefined }, 'at-1', 5).map((r) => [r.key, r.report.kind, r.report.kind === 'fill' ? undefined : r.report.tsEvent])).toEqual([
      ['A:28', 'accepted', 5],
      ['T:28', 'expired', 5],
    ]);
    expect(newOrderReports({ ...result, status: 'EXPIRED' }, 'at-1', 5).map((r) => r.report.kind)).toEqual(['accepted']);
    expect(newOrderReports({ ...result, status: 'REJECTED' }, 'at-1', 5)).toEqual([
      { key: 'T:28', report: { kind: 'rejected', clientOrderId: 'at-1', code: 'VENUE_REJECTED', reason: 'REJECTED', tsEvent: 1507725176595 } },
    ]);
  });
});

describe('fills', () => {
  it('a myTrades row is a fill with its commission in its own asset', () => {
    const t = myTradeSchema.parse(myTrades[0]);
    expect(fillOfTrade(t, 'at-9', 'BNBBTC.BINANCE', 7)).toEqual({
      clientOrderId: 'at-9',
      venueOrderId: '100234',
      tradeId: '28457',
      instrumentId: 'BNBBTC.BINANCE',
      side: 'buy',
      price: price('4.00000100'),
      quantity: quantity('12'),
      fee: money('10.1'),
      feeCurrency: 'BNB',
      liquidity: 'taker',
      tsEvent: 1499865549590,
      tsInit: 7,
    });
  });

  it('a TRADE executionReport is a fill; without N the fee is in the asset received', () => {
    // The documented report is a NEW; the same report as a partial fill of 0.4 at 0.1026 (x, X, l, L, n, N, t changed).
    const trade = executionReportSchema.parse({ ...executionReport.event, x: 'TRADE', X: 'PARTIALLY_FILLED', l: '0.40000000', z: '0.40000000', L: '0.10260000', n: '0.00040000', N: 'ETH', t: 77, m: true });
    const fill = fillOfExecutionReport(trade, 'at-3', () => 'unused', 9);
    expect(fill).toEqual({
      clientOrderId: 'at-3',
      venueOrderId: '4293153',
      tradeId: '77',
      instrumentId: 'ETHBTC.BINANCE',
      side: 'buy',
      price: price('0.1026'),
      quantity: quantity('0.4'),
      fee: money('0.0004'),
      feeCurrency: 'ETH',
      liquidity: 'maker',
      tsEvent: 1499405658657,
      tsInit: 9,
    });
    expect(fillOfExecutionReport({ ...trade, N: null, n: null }, 'at-3', (side) => (side === 'buy' ? 'ETH' : 'BTC'), 9)).toMatchObject({ fee: money('0'), feeCurrency: 'ETH' });
    expect(fillOfExecutionReport({ ...trade, S: 'HOLD' }, 'at-3', () => '', 9)).toBeUndefined();
  });
});

describe('balances and positions', () => {
  it('account balances: total = free + locked, zero balances left out', () => {
    const a = accountSchema.parse({ ...account, balances: [...account.balances, { asset: 'XRP', free: '0.00000000', locked: '0.00000000' }, { asset: 'USDT', free: '10', locked: '2.5' }] });
    expect(balancesOfAccount(a, 1).map((b) => [b.currency, b.total.toFixed(), b.free.toFixed(), b.locked.toFixed(), b.tsEvent])).toEqual([
      ['BTC', '4723846.89208129', '4723846.89208129', '0', 123456789],
      ['LTC', '4763368.68006011', '4763368.68006011', '0', 123456789],
      ['USDT', '12.5', '10', '2.5', 123456789],
    ]);
  });

  it('outboundAccountPosition is a venueBalance snapshot at u; balanceUpdate a delta at T', () => {
    const snapshot = venueBalanceSnapshotOf(accountPositionSchema.parse(accountPosition.event));
    expect(snapshot).toEqual({
      kind: 'snapshot',
      venue: 'BINANCE',
      tsEvent: 1564034571073,
      balances: [{ currency: 'ETH', total: money('10000'), free: money('10000'), locked: money('0'), tsEvent: 1564034571073 }],
    });
    expect(venueBalanceDeltaOf(balanceUpdateSchema.parse(balanceUpdate.event))).toEqual({ kind: 'delta', venue: 'BINANCE', currency: 'BTC', delta: money('100'), tsEvent: 1573200697068 });
  });
});

describe('barOfKlineRow (GET /api/v3/klines rows)', () => {
  it('maps the documented example: open time, OHLCV, and the bar ends 1 ms after the close time', () => {
    const rows = klinesSchema.parse(klinesExample);
    expect(rows).toHaveLength(1);
    expect(barOfKlineRow(rows[0]!, 'BNBBTC.BINANCE', 7)).toEqual({
      instrumentId: 'BNBBTC.BINANCE',
      tsOpen: 1499040000000,
      tsEvent: 1499644800000,
      tsInit: 7,
      open: 0.0163479,
      high: 0.8,
      low: 0.015758,
      close: 0.015771,
      volume: 148976.11427815,
    });
  });

  it('refuses a row that breaks the market-data rules, naming the field by its position', () => {
    const row = klinesSchema.parse(klinesExample)[0]!;
    const highBelowLow = [row[0], row[1], '0.01', row[3], row[4], row[5], row[6]] as const;
    let thrown: unknown;
    try {
      barOfKlineRow([...highBelowLow], 'BNBBTC.BINANCE', 0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AutotraderError);
    expect((thrown as AutotraderError).code).toBe('VENUE_MESSAGE_MALFORMED');
    expect((thrown as Error).message).toMatch(/opening at 1499040000000: \[\d\] (high|low|open|close) /);
    expect(() => barOfKlineRow([row[0], '0', row[2], row[3], row[4], row[5], row[6]], 'X.BINANCE', 0)).toThrow(/\[1\] open 0 is not a positive price/);
    expect(() => barOfKlineRow([row[0], row[1], row[2], row[3], row[4], row[5], row[0] - 1], 'X.BINANCE', 0)).toThrow(/\[6\] close time .* is before the open time/);
  });

  it('refuses a row of the wrong shape in the schema', () => {
    expect(klinesSchema.safeParse([[1499040000000, 'x', '1', '1', '1', '1', 1499040059999]]).success).toBe(false);
    expect(klinesSchema.safeParse([[1499040000000, '1', '1', '1', '1']]).success).toBe(false);
  });
});
