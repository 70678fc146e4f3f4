import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus, makeInstrument, type ErrorEvent } from '@autotrader/core';
import { readSeries, type BarSeries, type QuoteSeries, type TradeSeries } from '@autotrader/data';
import { StaticInstrumentCatalog } from './instrument-catalog';
import { MarketDataRecorder } from './recorder';

const BTC = makeInstrument({ symbol: 'BTCUSDT', venue: 'BINANCE', base: 'BTC', quote: 'USDT', tickSize: '0.01', lotSize: '0.00001' });
const SPREAD = makeInstrument({ symbol: 'CL-SPREAD', venue: 'SIM', assetClass: 'future', tickSize: '0.01', lotSize: '1', allowNonPositivePrices: true });
const T0 = Date.UTC(2024, 0, 1);

function setup() {
  const bus = new EventBus('throw');
  const dir = mkdtempSync(join(tmpdir(), 'autotrader-recorder-'));
  const errors: ErrorEvent[] = [];
  bus.on('error', (e) => errors.push(e));
  const recorder = new MarketDataRecorder(bus, new StaticInstrumentCatalog([BTC, SPREAD]), dir);
  return { bus, dir, errors, recorder };
}

describe('MarketDataRecorder', () => {
  it('records only events that meet the market-data rules, reports the first bad one of each kind, and writes files readSeries accepts', () => {
    const { bus, dir, errors, recorder } = setup();
    const bar = (i: number, o: number, h: number, l: number, c: number) =>
      bus.publish('bar', { instrumentId: BTC.id, tsOpen: T0 + i * 60_000, tsEvent: T0 + (i + 1) * 60_000, tsInit: 0, open: o, high: h, low: l, close: c, volume: 1 });
    bar(0, 100, 101, 99, 100.5);
    bar(1, 100, 95.7, 99.1, 100); // high below low
    bar(1, 100, 101, 99, 1e9); // close far above the high
    bar(1, 100, 101, 99, 100);
    bar(1, 100, 101, 99, 100); // the same open time again
    const trade = (ts: number, price: number, size: number) => bus.publish('trade', { instrumentId: BTC.id, tsEvent: ts, tsInit: 0, price, size, aggressor: 'buy', tradeId: String(ts) });
    trade(T0, 100, 1);
    trade(T0 + 1, -1, 1); // negative price
    trade(T0 + 2, NaN, 1);
    trade(T0 - 5, 100, 1); // back in time
    trade(T0 + 3, 101, 2);
    const quote = (ts: number, bid: number, ask: number) => bus.publish('quote', { instrumentId: SPREAD.id, tsEvent: ts, tsInit: 0, bid, ask, bidSize: 1, askSize: 1 });
    quote(T0, -2.5, -2.4); // negative prices: this instrument declares them
    quote(T0 + 1, Infinity, 1);
    expect(recorder.count).toBe(5);
    expect(recorder.skipped).toBe(7);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['VENUE_MESSAGE_MALFORMED', expect.stringMatching(/^not recording a bar of BTCUSDT.BINANCE: high 95.7 is below low 99.1 /)],
      ['VENUE_MESSAGE_MALFORMED', expect.stringMatching(/^not recording a trade of BTCUSDT.BINANCE: price -1 is not a positive price/)],
      ['VENUE_MESSAGE_MALFORMED', expect.stringMatching(/^not recording a quote of CL-SPREAD.SIM: bid Infinity is not a finite number/)],
    ]);
    const files = recorder.close().sort();
    expect(files).toEqual([join(dir, 'BTCUSDT.BINANCE-bar.arrow'), join(dir, 'BTCUSDT.BINANCE-trade.arrow'), join(dir, 'CL-SPREAD.SIM-quote.arrow')]);
    const bars = readSeries(files[0]!) as BarSeries;
    expect([...bars.columns.close]).toEqual([100.5, 100]);
    const trades = readSeries(files[1]!) as TradeSeries;
    expect([...trades.columns.price]).toEqual([100, 101]);
    const quotes = readSeries(files[2]!) as QuoteSeries;
    expect([...quotes.columns.bid]).toEqual([-2.5]);
    expect(quotes.meta.instrument.allowNonPositivePrices).toBe(true);
  });
});
