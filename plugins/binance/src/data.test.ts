import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { EventBus, RealtimeClock, silentLogger, type BookSnapshot, type BusEvents } from '@autotrader/core';
import depthUpdate from '../test/fixtures/docs/stream_depthUpdate.json';
import kline from '../test/fixtures/docs/stream_kline.json';
import trade from '../test/fixtures/docs/stream_trade.json';
import bookTicker from '../test/fixtures/docs/stream_bookTicker.json';
import { parseBinanceConfig } from './config';
import { BinanceDataPort, LocalOrderBook, streamName } from './data';
import { BinanceHttp } from './http';

describe('streamName', () => {
  it('names the stream of each subscription kind in lower case', () => {
    expect(streamName({ kind: 'trade', instrumentId: 'BTCUSDT.BINANCE' })).toBe('btcusdt@trade');
    expect(streamName({ kind: 'quote', instrumentId: 'BTCUSDT.BINANCE' })).toBe('btcusdt@bookTicker');
    expect(streamName({ kind: 'bar', instrumentId: 'BTCUSDT.BINANCE', interval: '5m' })).toBe('btcusdt@kline_5m');
    expect(streamName({ kind: 'bar', instrumentId: 'BTCUSDT.BINANCE' })).toBe('btcusdt@kline_1m');
    expect(streamName({ kind: 'book', instrumentId: 'BTCUSDT.BINANCE' })).toBe('btcusdt@depth@100ms');
    expect(streamName({ kind: 'book', instrumentId: 'BTCUSDT.BINANCE' }, 1000)).toBe('btcusdt@depth');
    expect(() => streamName({ kind: 'bar', instrumentId: 'BTCUSDT.BINANCE', interval: '7m' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('LocalOrderBook', () => {
  const diff = (U: number, u: number, b: Array<[string, string]> = [], a: Array<[string, string]> = []) => ({ U, u, b, a });

  it('applies the documented snapshot + diff rules', () => {
    const book = new LocalOrderBook();
    expect(book.apply(diff(1, 2))).toBe('gap'); // no snapshot yet
    book.reset(
      100,
      [
        ['10.0', '1'],
        ['9.5', '2'],
      ],
      [['10.5', '3']],
    );
    expect(book.apply(diff(90, 100))).toBe('stale'); // u <= lastUpdateId
    expect(book.apply(diff(95, 103, [['10.0', '0'], ['9.9', '4']], [['10.4', '1']]))).toBe('applied'); // U <= 101 <= u
    expect(book.lastUpdateId).toBe(103);
    expect(book.bidLevels()).toEqual([
      [9.9, 4],
      [9.5, 2],
    ]);
    expect(book.askLevels()).toEqual([
      [10.4, 1],
      [10.5, 3],
    ]);
    expect(book.apply(diff(104, 104, [['9.5', '5']]))).toBe('applied');
    expect(book.apply(diff(106, 107))).toBe('gap'); // 105 is missing
    expect(book.lastUpdateId).toBe(104);
    expect(book.bidLevels()[1]).toEqual([9.5, 5]);
  });
});

// ---- the port against a minimal local stream server ----

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function streamServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const subscribed: string[] = [];
  const conns: WebSocket[] = [];
  wss.on('connection', (ws) => {
    conns.push(ws);
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { method: string; params: string[]; id: number };
      if (m.method === 'SUBSCRIBE') subscribed.push(...m.params);
      ws.send(JSON.stringify({ result: null, id: m.id }));
    });
  });
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });
  const send = (stream: string, data: unknown) => conns[conns.length - 1]!.send(JSON.stringify({ stream, data }));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/stream`, subscribed, conns, send };
}

async function restServer(depth: () => unknown) {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(depth()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

async function port(streamUrl: string, restUrl: string) {
  const bus = new EventBus('isolate');
  const events: { [K in keyof BusEvents]?: Array<BusEvents[K]> } = {};
  for (const topic of ['trade', 'quote', 'bar', 'book', 'error', 'venueStatus'] as const) {
    bus.on(topic, (e) => ((events[topic] ??= []) as unknown[]).push(e));
  }
  const config = parseBinanceConfig({ reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
  const http = new BinanceHttp({ baseUrl: restUrl, recvWindow: 5000, timeoutMs: 2000, now: Date.now, logger: silentLogger, credentials: () => { throw new Error('unsigned only'); } });
  const data = new BinanceDataPort({ streamUrl, http, bus, clock: new RealtimeClock(), logger: silentLogger, config });
  closers.push(async () => {
    await data.disconnect();
    await http.close();
  });
  return { data, events };
}

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('BinanceDataPort (local stream server)', () => {
  it('turns documented stream payloads into trade, quote and closed-bar events; skips malformed frames', async () => {
    const s = await streamServer();
    const rest = await restServer(() => ({}));
    const { data, events } = await port(s.url, rest.url);
    const id = 'BNBBTC.BINANCE';
    await data.subscribe({ kind: 'trade', instrumentId: id });
    await data.subscribe({ kind: 'bar', instrumentId: id, interval: '1m' });
    await data.subscribe({ kind: 'quote', instrumentId: 'BNBUSDT.BINANCE' });
    expect(s.subscribed).toEqual(['bnbbtc@trade', 'bnbbtc@kline_1m', 'bnbusdt@bookTicker']);

    s.send('bnbbtc@trade', trade);
    s.conns[0]!.send('{not json');
    s.send('bnbbtc@trade', { ...trade, p: 'abc' });
    s.send('bnbbtc@kline_1m', kline); // open kline: no bar
    // The documented example's open (0.0010) is below its low (0.0015): no real bar can be, so the low is moved to make it one.
    s.send('bnbbtc@kline_1m', { ...kline, k: { ...kline.k, l: '0.0010', x: true } });
    s.send('bnbusdt@bookTicker', bookTicker);
    await until(() => (events.quote?.length ?? 0) === 1);

    expect(events.trade).toEqual([{ instrumentId: id, tsEvent: 1672515782136, tsInit: expect.any(Number), price: 0.001, size: 100, aggressor: 'sell', tradeId: '12345' }]);
    expect(events.bar).toEqual([
      { instrumentId: id, tsOpen: 1672515780000, tsEvent: 1672515840000, tsInit: expect.any(Number), open: 0.001, high: 0.0025, low: 0.001, close: 0.002, volume: 1000 },
    ]);
    expect(events.quote![0]).toMatchObject({ instrumentId: 'BNBUSDT.BINANCE', bid: 25.3519, bidSize: 31.21, ask: 25.3652, askSize: 40.66 });
    expect(events.error?.map((e) => e.code)).toEqual(['VENUE_MESSAGE_MALFORMED', 'VENUE_MESSAGE_MALFORMED']);
    expect(events.error![1]!.message).toContain('p');
  });

  it('refuses frames whose values break the market-data rules: logged as VENUE_MESSAGE_MALFORMED, never published', async () => {
    const s = await streamServer();
    const rest = await restServer(() => ({}));
    const { data, events } = await port(s.url, rest.url);
    const id = 'BNBBTC.BINANCE';
    await data.subscribe({ kind: 'trade', instrumentId: id });
    await data.subscribe({ kind: 'bar', instrumentId: id, interval: '1m' });
    await data.subscribe({ kind: 'quote', instrumentId: 'BNBUSDT.BINANCE' });
    const closed = { ...kline.k, l: '0.0010', x: true };
    s.send('bnbbtc@trade', { ...trade, p: '-0.001' });
    s.send('bnbbtc@trade', { ...trade, p: '0' });
    s.send('bnbbtc@trade', { ...trade, q: '-5' });
    s.send('bnbbtc@kline_1m', { ...kline, k: { ...closed, h: '0.0005' } }); // high below low
    s.send('bnbbtc@kline_1m', { ...kline, k: { ...closed, c: '1000000' } }); // close far above high
    s.send('bnbusdt@bookTicker', { ...bookTicker, b: '0' });
    s.send('bnbusdt@bookTicker', { ...bookTicker, A: '-1' });
    s.send('bnbbtc@trade', trade); // a good frame after the bad ones still arrives
    await until(() => (events.trade?.length ?? 0) === 1 && (events.error?.length ?? 0) === 7);
    expect(events.trade?.map((t) => t.price)).toEqual([0.001]);
    expect(events.bar).toBeUndefined();
    expect(events.quote).toBeUndefined();
    expect(events.error?.map((e) => e.code)).toEqual(Array(7).fill('VENUE_MESSAGE_MALFORMED'));
    expect(events.error?.map((e) => e.message.replace(/^Binance market stream: bad \S+ payload: /, ''))).toEqual([
      'p -0.001 is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)',
      'p 0 is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)',
      'q -5 is negative (sizes and volumes must be ≥ 0)',
      'k.h 0.0005 is below low 0.001',
      'k.c 1000000 is above high 0.0025',
      'b 0 is not a positive price (only an instrument that declares allowNonPositivePrices may have zero or negative prices)',
      'A -1 is negative (sizes and volumes must be ≥ 0)',
    ]);
  });

  it('syncs a book from a snapshot plus buffered diffs, and re-syncs on a gap', async () => {
    const s = await streamServer();
    let lastUpdateId = 157;
    const rest = await restServer(() => ({ lastUpdateId, bids: [['0.0023', '5']], asks: [['0.0026', '1']] }));
    const { data, events } = await port(s.url, rest.url);
    await data.subscribe({ kind: 'book', instrumentId: 'BNBBTC.BINANCE' });
    await until(() => (events.book?.length ?? 0) === 1);
    const first = events.book![0] as BookSnapshot;
    expect(first.sequence).toBe(157);
    expect(first.bids).toEqual([[0.0023, 5]]);

    s.send('bnbbtc@depth@100ms', { ...depthUpdate, U: 150, u: 157 }); // stale: dropped
    s.send('bnbbtc@depth@100ms', depthUpdate); // U 157 <= 158 <= u 160
    await until(() => (events.book?.length ?? 0) === 2);
    expect(events.book![1]).toMatchObject({ sequence: 160, bids: [[0.0024, 10], [0.0023, 5]], asks: [[0.0026, 100]] });

    lastUpdateId = 170;
    s.send('bnbbtc@depth@100ms', { ...depthUpdate, U: 165, u: 171, b: [['0.0022', '1']], a: [] }); // gap after 160
    await until(() => (events.book?.length ?? 0) === 3);
    expect(rest.requests()).toBe(2);
    // Snapshot 170, then the buffered diff 165..171 applies on top.
    expect(events.book![2]).toMatchObject({ sequence: 171, bids: [[0.0023, 5], [0.0022, 1]] });
  });

  it('resubscribes every stream after a reconnect and reports the venue status', async () => {
    const s = await streamServer();
    const rest = await restServer(() => ({}));
    const { data, events } = await port(s.url, rest.url);
    await data.subscribe({ kind: 'trade', instrumentId: 'BTCUSDT.BINANCE' });
    await data.subscribe({ kind: 'trade', instrumentId: 'BTCUSDT.BINANCE' }); // second reference: no new SUBSCRIBE
    expect(s.subscribed).toEqual(['btcusdt@trade']);
    s.conns[0]!.terminate();
    await until(() => s.subscribed.length === 2);
    expect(s.subscribed).toEqual(['btcusdt@trade', 'btcusdt@trade']);
    await until(() => (events.venueStatus?.length ?? 0) >= 3);
    expect(events.venueStatus!.map((e) => e.state)).toEqual(['connected', 'reconnecting', 'connected']);
    s.send('btcusdt@trade', { ...trade, s: 'BTCUSDT' });
    await until(() => (events.trade?.length ?? 0) === 1);
  });
});
