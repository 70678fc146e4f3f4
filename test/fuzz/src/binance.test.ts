import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { barProblem, EventBus, quoteProblem, RealtimeClock, timeProblem, tradeProblem, type BusEvents, type ExecutionReport, type Logger } from '@autotrader/core';
import { BinanceDataPort, BinanceExecutionPort, BinanceHttp, hmacSigner, parseBinanceConfig, type BinanceCredentials } from '@autotrader/plugin-binance';
import { BinanceInstruments } from '../../../plugins/binance/src/instruments';
import depthUpdate from '../../../plugins/binance/test/fixtures/docs/stream_depthUpdate.json';
import kline from '../../../plugins/binance/test/fixtures/docs/stream_kline.json';
import trade from '../../../plugins/binance/test/fixtures/docs/stream_trade.json';
import bookTicker from '../../../plugins/binance/test/fixtures/docs/stream_bookTicker.json';
import executionReport from '../../../plugins/binance/test/fixtures/docs/uds_execution_report.json';
import balanceUpdate from '../../../plugins/binance/test/fixtures/docs/uds_balance_update.json';
import accountPosition from '../../../plugins/binance/test/fixtures/docs/uds_outbound_account_position.json';
import { nastyNumber, params } from './fuzz';

/**
 * The Binance message parsers on random JSON and on documented examples with fields changed, through
 * the real ports over real sockets on 127.0.0.1 (market streams and the user data stream of the
 * WebSocket API). Every frame ends in a mapped event that meets the market-data rules (or a report
 * with positive prices and quantities), or in VENUE_MESSAGE_MALFORMED; nothing throws out of a
 * handler (the socket would log "message handler threw"), and the port keeps working after it.
 */

/** A logger that keeps error lines: a handler that threw shows up here. */
function recordingLogger(errors: string[]): Logger {
  const l: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (m, f) => errors.push(`${m} ${f?.error instanceof Error ? f.error.stack : ''}`), child: () => l };
  return l;
}

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function wsServer(onMessage: (ws: WebSocket, m: { id: unknown; method: string; params: unknown }) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: WebSocket[] = [];
  wss.on('connection', (ws) => {
    conns.push(ws);
    ws.on('message', (raw) => onMessage(ws, JSON.parse(raw.toString()) as { id: unknown; method: string; params: unknown }));
  });
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, send: (text: string) => conns[conns.length - 1]!.send(text) };
}

async function restServer() {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/api/v3/time')) res.end(JSON.stringify({ serverTime: Date.now() }));
    else res.end(JSON.stringify({ lastUpdateId: 1, bids: [['0.0023', '5']], asks: [['0.0026', '1']] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Waits until `cond` holds (the sentinel frame sent after each case arrived). */
async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not seen within ${ms} ms (the port stopped handling frames?)`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A JSON value with the wire values a careless parser gets wrong mixed in. */
const wireValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  nastyNumber,
  fc.constantFrom(null, -1, 0, 1e308, 2 ** 53 + 1, -0, true, [], {}, '1e400', 'NaN', ' 1', '0x10', '-0.0001', '00.1', '1e-400', [['1', '1']], [['-1', '1']], [['NaN', '1']], [['1']], 'BUY', 'SELL', 'TRADE', 'NEW', 'CANCELED'),
);

/** An object with one field (at any depth) set to `value`, removed, or an extra key added. */
function mutate(doc: unknown, at: number, how: 'set' | 'delete' | 'add', value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const places: [Record<string, unknown> | unknown[], string | number][] = [];
  const visit = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach((v, i) => (places.push([o, i]), visit(v)));
    else if (o !== null && typeof o === 'object') for (const [k, v] of Object.entries(o)) (places.push([o as Record<string, unknown>, k]), visit(v));
  };
  visit(copy);
  if (places.length === 0) return copy;
  const [parent, key] = places[at % places.length];
  if (how === 'set') (parent as Record<string | number, unknown>)[key] = value;
  else if (how === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (!Array.isArray(parent)) parent[`${String(key)}_`] = value;
  return copy;
}

/** The document with one of its numeric text fields (`"p": "0.001"`) set to a nasty number: where a wrong value does harm. */
function mutateNumber(doc: unknown, at: number, value: string): unknown {
  const copy = structuredClone(doc);
  const places: [Record<string | number, unknown>, string | number][] = [];
  const visit = (o: unknown): void => {
    if (o === null || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) places.push([o as Record<string, unknown>, Array.isArray(o) ? Number(k) : k]);
      visit(v);
    }
  };
  visit(copy);
  if (places.length > 0) {
    const [parent, key] = places[at % places.length];
    parent[key] = value;
  }
  return copy;
}

/** Several mutations of one document. */
const mutations = (doc: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.tuple(fc.nat(), fc.oneof(nastyNumber, fc.constantFrom('-1', '-0.5', '0', '0.00000000', '-0', '1e400', '1e-400', ' 1', '0x10', '1e21'))).map(([at, v]) => mutateNumber(doc, at, v)),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('set', 'set', 'delete', 'add' as const), wireValue), { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce((d, [at, how, v]) => mutate(d, at, how, v), doc)),
  );

describe('Binance market streams on generated frames', () => {
  const events: { [K in keyof BusEvents]?: Array<BusEvents[K]> } = {};
  const errors: string[] = [];
  let send: (text: string) => void;
  let sentinel = 1_000_000;

  beforeAll(async () => {
    const stream = await wsServer((ws, m) => ws.send(JSON.stringify({ result: null, id: m.id })));
    const restUrl = await restServer();
    const bus = new EventBus('isolate');
    for (const topic of ['trade', 'quote', 'bar', 'book', 'error'] as const) bus.on(topic, (e) => ((events[topic] ??= []) as unknown[]).push(e));
    const logger = recordingLogger(errors);
    const config = parseBinanceConfig({ reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const http = new BinanceHttp({ baseUrl: restUrl, recvWindow: 5000, timeoutMs: 2000, now: Date.now, logger, credentials: () => { throw new Error('unsigned only'); } });
    const data = new BinanceDataPort({ streamUrl: `${stream.url}/stream`, http, bus, clock: new RealtimeClock(), logger, config });
    closers.push(async () => {
      await data.disconnect();
      await http.close();
    });
    for (const kind of ['trade', 'quote', 'book'] as const) await data.subscribe({ kind, instrumentId: 'BNBBTC.BINANCE' });
    await data.subscribe({ kind: 'bar', instrumentId: 'BNBBTC.BINANCE', interval: '1m' });
    send = stream.send;
    await until(() => (events.book?.length ?? 0) > 0, 'the first book');
  });

  const closedKline = { ...kline, k: { ...kline.k, l: '0.0010', x: true } };
  const STREAMS = { trade: 'bnbbtc@trade', kline: 'bnbbtc@kline_1m', bookTicker: 'bnbbtc@bookTicker', depth: 'bnbbtc@depth@100ms' } as const;
  const DOCS: Record<keyof typeof STREAMS, unknown> = { trade, kline: closedKline, bookTicker, depth: depthUpdate };

  /** A frame as text: a documented payload mutated, random JSON, or text that is not JSON. */
  const frame = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...(Object.keys(STREAMS) as (keyof typeof STREAMS)[])).chain((k) => mutations(DOCS[k]).map((d) => JSON.stringify({ stream: STREAMS[k], data: d }))) },
    { weight: 2, arbitrary: fc.constantFrom(...(Object.keys(STREAMS) as (keyof typeof STREAMS)[])).chain((k) => mutations(DOCS[k]).map((d) => JSON.stringify(d))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.values(STREAMS), 'x@trade', ''), wireValue).map(([s, d]) => JSON.stringify({ stream: s, data: d })) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );

  it('regressions: a closed kline whose close time is before its open, a bookTicker with an impossible time, a raw frame with an empty symbol: VENUE_MESSAGE_MALFORMED', async () => {
    for (const k of Object.keys(events) as (keyof BusEvents)[]) events[k] = [];
    errors.length = 0;
    // The long run's case: k.T 0 published a bar with tsEvent 1, before its open.
    send(JSON.stringify({ stream: STREAMS.kline, data: { ...closedKline, k: { ...closedKline.k, T: 0 } } }));
    send(JSON.stringify({ stream: STREAMS.bookTicker, data: { ...bookTicker, E: 1e300 } }));
    // A raw (not combined) frame with an empty symbol: routing it made symbolOf throw out of the handler.
    send(JSON.stringify({ ...trade, s: '' }));
    const id = ++sentinel;
    send(JSON.stringify({ stream: STREAMS.trade, data: { ...trade, t: id } }));
    await until(() => (events.trade ?? []).some((t) => t.tradeId === String(id)), `sentinel trade ${id}`);
    expect(events.bar ?? []).toEqual([]);
    expect(events.quote ?? []).toEqual([]);
    expect((events.error ?? []).map((e) => e.message.replace(/^Binance market stream: bad \S+ payload: /, ''))).toEqual([
      'k.T 0 is before the open time k.t 1672515780000',
      'E 1e+300 is not a time in epoch milliseconds',
      'Binance market stream: frame has neither a stream name nor a known event type',
    ]);
    expect(errors, 'a handler threw').toEqual([]);
  });

  it('every frame ends in an event that meets the rules or VENUE_MESSAGE_MALFORMED, and the port keeps working', async () => {
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        for (const k of Object.keys(events) as (keyof BusEvents)[]) events[k] = [];
        errors.length = 0;
        send(text);
        const id = ++sentinel;
        send(JSON.stringify({ stream: STREAMS.trade, data: { ...trade, t: id } }));
        await until(() => (events.trade ?? []).some((t) => t.tradeId === String(id)), `sentinel trade ${id}`);
        expect(errors, 'a handler threw').toEqual([]);
        for (const e of events.error ?? []) expect(e.code, e.message).toBe('VENUE_MESSAGE_MALFORMED');
        for (const t of events.trade ?? []) expect(timeProblem('T', t.tsEvent) ?? tradeProblem(t.price, t.size), JSON.stringify(t)).toBeUndefined();
        for (const q of events.quote ?? []) expect(timeProblem('E', q.tsEvent) ?? quoteProblem(q.bid, q.ask, q.bidSize, q.askSize), JSON.stringify(q)).toBeUndefined();
        for (const b of events.bar ?? []) {
          expect(timeProblem('t', b.tsOpen) ?? timeProblem('T', b.tsEvent) ?? barProblem(b.open, b.high, b.low, b.close, b.volume), JSON.stringify(b)).toBeUndefined();
          expect(b.tsEvent).toBeGreaterThan(b.tsOpen);
        }
        for (const book of events.book ?? []) {
          expect(timeProblem('E', book.tsEvent), JSON.stringify(book)).toBeUndefined();
          for (const [p, s] of [...book.bids, ...book.asks]) expect(tradeProblem(p, s), JSON.stringify(book)).toBeUndefined();
        }
      }),
      params(150),
    );
  });
});

describe('Binance user data stream on generated frames', () => {
  const reports: ExecutionReport[] = [];
  const events: { [K in keyof BusEvents]?: Array<BusEvents[K]> } = {};
  const errors: string[] = [];
  let send: (text: string) => void;
  let sentinel = 0;

  beforeAll(async () => {
    const api = await wsServer((ws, m) => ws.send(JSON.stringify({ id: m.id, status: 200, result: { subscriptionId: 0 } })));
    const restUrl = await restServer();
    const bus = new EventBus('isolate');
    for (const topic of ['venueBalance', 'error'] as const) bus.on(topic, (e) => ((events[topic] ??= []) as unknown[]).push(e));
    const logger = recordingLogger(errors);
    const config = parseBinanceConfig({ reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const credentials = (): BinanceCredentials => ({ apiKey: 'fuzz-key', signer: hmacSigner('fuzz-secret'), secrets: ['fuzz-secret'] });
    const http = new BinanceHttp({ baseUrl: restUrl, recvWindow: 5000, timeoutMs: 2000, now: Date.now, logger, credentials });
    const port = new BinanceExecutionPort({ wsApiUrl: api.url, http, instruments: new BinanceInstruments(http, logger), bus, clock: new RealtimeClock(), logger, config, credentials });
    closers.push(async () => {
      await port.disconnect();
      await http.close();
    });
    await port.connect((r) => reports.push(r));
    send = api.send;
  });

  const DOCS = { executionReport: executionReport.event, tradeReport: { ...executionReport.event, x: 'TRADE', X: 'PARTIALLY_FILLED', l: '0.5', L: '0.1026', t: 77, n: '0.0001', N: 'BNB' }, balanceUpdate: balanceUpdate.event, accountPosition: accountPosition.event };
  const event = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Object.values(DOCS)).chain((d) => mutations(d)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const frame = fc.oneof(
    { weight: 8, arbitrary: event.map((e) => JSON.stringify({ subscriptionId: 0, event: e })) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), fc.integer({ min: 100, max: 600 }), wireValue).map(([id, status, result]) => JSON.stringify({ id, status, result })) },
  );

  it('every frame ends in a report with positive prices and quantities, a venue balance, or VENUE_MESSAGE_MALFORMED', async () => {
    await fc.assert(
      fc.asyncProperty(frame, async (text) => {
        reports.length = 0;
        for (const k of Object.keys(events) as (keyof BusEvents)[]) events[k] = [];
        errors.length = 0;
        send(text);
        const asset = `SENTINEL${++sentinel}`;
        send(JSON.stringify({ subscriptionId: 0, event: { ...balanceUpdate.event, a: asset } }));
        await until(() => (events.venueBalance ?? []).some((b) => JSON.stringify(b).includes(asset)), `sentinel ${asset}`);
        expect(errors, 'a handler threw').toEqual([]);
        for (const e of events.error ?? []) expect(e.code, e.message).toBe('VENUE_MESSAGE_MALFORMED');
        for (const r of reports) {
          if (r.kind !== 'fill') {
            expect(Number.isFinite(r.tsEvent), JSON.stringify(r)).toBe(true);
            continue;
          }
          expect(timeProblem('T', r.fill.tsEvent), JSON.stringify(r)).toBeUndefined();
          // A fill moves positions and cash: a zero or negative price or quantity from the wire must never reach the engine.
          expect(r.fill.price.gt(0) && r.fill.quantity.gt(0), `fill ${r.fill.quantity} @ ${r.fill.price}`).toBe(true);
          expect(r.fill.fee.isFinite()).toBe(true);
        }
      }),
      params(150),
    );
  });
});
