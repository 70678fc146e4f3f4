/**
 * Tests of the fake OANDA itself, over the wire with undici only: auth, dealing (market, limit,
 * replace, cancel, client ids, FIFO, margin closeout, home conversion), both streams, DateTime
 * formats, candles, and every fault.
 */
import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONNECTION_RATE_LIMITED,
  FORBIDDEN,
  HEDGING_ACCOUNT_ID,
  LIVE_TOKEN,
  MALFORMED_LINE,
  NETTING_ACCOUNT_ID,
  PRACTICE_TOKEN,
  RATE_LIMITED,
  TOO_MANY_STREAMS,
  UNAUTHORIZED,
  startFakeOanda,
  type FakeOanda,
  type FakeOandaOptions,
} from './fake-venue';

let venue: FakeOanda | undefined;
const opened: Stream[] = [];
let agent: Agent | undefined;

afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  await venue?.close();
  venue = undefined;
  await agent?.close();
  agent = undefined;
});

/** A fresh fake and a fresh connection pool (one connection per host, as a well-behaved client). */
async function start(o: FakeOandaOptions = {}): Promise<FakeOanda> {
  venue = await startFakeOanda({ heartbeatMs: 100, ...o });
  agent = new Agent({ connections: 1, pipelining: 1 });
  return venue;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
}

interface CallOptions {
  readonly token?: string | null;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly dispatcher?: Dispatcher;
}

async function call(v: FakeOanda, method: Dispatcher.HttpMethod, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  const token = o.token === undefined ? PRACTICE_TOKEN : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await request(`${v.restUrl}${path}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
    signal: o.signal,
    dispatcher: o.dispatcher ?? agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const N = NETTING_ACCOUNT_ID;
const H = HEDGING_ACCOUNT_ID;

/** A stream reader keeping every raw chunk and every parsed line (text kept for lines that are not JSON). */
interface Stream {
  readonly status: number;
  readonly chunks: string[];
  readonly lines: any[];
  readonly bad: string[];
  readonly ended: Promise<'end' | 'error'>;
  close(): void;
}

async function stream(v: FakeOanda, path: string, o: { token?: string; headers?: Record<string, string> } = {}): Promise<Stream> {
  const ac = new AbortController();
  // Its own connection, as a stream holds one for as long as it lives.
  const dispatcher = new Agent({ connections: 1 });
  const res = await request(`${v.streamUrl}${path}`, {
    method: 'GET',
    headers: { authorization: `Bearer ${o.token ?? PRACTICE_TOKEN}`, ...o.headers },
    signal: ac.signal,
    dispatcher,
  });
  const chunks: string[] = [];
  const lines: any[] = [];
  const bad: string[] = [];
  let rest = '';
  let closing = false;
  const ended = new Promise<'end' | 'error'>((resolve) => {
    res.body.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      chunks.push(text);
      rest += text;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        try {
          lines.push(JSON.parse(line));
        } catch {
          bad.push(line);
        }
      }
    });
    res.body.on('end', () => {
      if (rest !== '') {
        try {
          lines.push(JSON.parse(rest));
        } catch {
          bad.push(rest);
        }
      }
      resolve('end');
    });
    res.body.on('error', () => resolve(closing ? 'end' : 'error'));
  });
  const s: Stream = {
    status: res.statusCode,
    chunks,
    lines,
    bad,
    ended,
    close() {
      closing = true;
      ac.abort();
      void dispatcher.destroy().catch(() => undefined);
    },
  };
  opened.push(s);
  return s;
}

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface SchemaNode {
  readonly type?: string;
  readonly $ref?: string;
  readonly enum?: readonly string[];
  readonly items?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
}
const DEFINITIONS = (JSON.parse(readFileSync(new URL('./fixtures/v20-openapi/v20.json', import.meta.url), 'utf8')) as { definitions: Record<string, SchemaNode> }).definitions;
const pascal = (t: string): string => t.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

/**
 * Problems of `value` against v20.json definition `name`: keys the definition lacks, wrong JSON
 * types, values outside an enum. An `Order` or `Transaction` is checked as its concrete type.
 */
function schemaProblems(value: unknown, name: string, at = name): string[] {
  let def = DEFINITIONS[name];
  if (def === undefined) return [`${at}: no definition ${name}`];
  const v = value as Record<string, unknown>;
  if ((name === 'Order' || name === 'Transaction') && typeof v?.type === 'string') {
    const concrete = `${pascal(v.type)}${name}`;
    def = DEFINITIONS[concrete] ?? def;
    if (DEFINITIONS[concrete] === undefined) return [`${at}: no definition ${concrete}`];
  }
  return nodeProblems(value, def, at);
}

function nodeProblems(value: unknown, node: SchemaNode, at: string): string[] {
  if (node.$ref !== undefined) return schemaProblems(value, node.$ref.replace('#/definitions/', ''), at);
  const out: string[] = [];
  if (node.enum !== undefined && !node.enum.includes(value as string)) out.push(`${at}: ${JSON.stringify(value)} not in enum`);
  const t = node.type ?? (node.properties !== undefined ? 'object' : undefined);
  if (t === 'string' && typeof value !== 'string') out.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
  if (t === 'integer' && !Number.isInteger(value)) out.push(`${at}: expected an integer, got ${JSON.stringify(value)}`);
  if (t === 'boolean' && typeof value !== 'boolean') out.push(`${at}: expected a boolean`);
  if (t === 'array') {
    if (!Array.isArray(value)) out.push(`${at}: expected an array`);
    else if (node.items !== undefined) value.forEach((x, k) => out.push(...nodeProblems(x, node.items!, `${at}[${k}]`)));
  }
  if (t === 'object' && node.properties !== undefined) {
    if (typeof value !== 'object' || value === null) return [...out, `${at}: expected an object`];
    for (const [k, x] of Object.entries(value)) {
      const p = node.properties[k];
      if (p === undefined) out.push(`${at}.${k}: not in the definition`);
      else out.push(...nodeProblems(x, p, `${at}.${k}`));
    }
  }
  return out;
}

function eurusd(v: FakeOanda, bid: string, ask: string, liquidity = '10000000'): void {
  v.price('EUR_USD', [[bid, liquidity]], [[ask, liquidity]]);
}

async function market(v: FakeOanda, account: string, units: string, extra: Record<string, unknown> = {}, instrument = 'EUR_USD'): Promise<Answer> {
  return call(v, 'POST', `/v3/accounts/${account}/orders`, { body: { order: { type: 'MARKET', instrument, units, ...extra } } });
}

describe('auth', () => {
  it('refuses a token of the other environment with 401 and an account the token does not own with 403', async () => {
    const v = await start({ accounts: [{ id: N, currency: 'USD', balance: '1000' }, { id: '101-004-9999999-001', currency: 'USD', balance: '1000', tokens: ['someone-else'] }] });
    const live = await call(v, 'GET', `/v3/accounts/${N}/summary`, { token: LIVE_TOKEN });
    expect(live.status).toBe(401);
    expect(live.body).toEqual(UNAUTHORIZED);
    expect(live.headers.requestid).toMatch(/^\d+$/);
    expect((await call(v, 'GET', '/v3/accounts', { token: null })).status).toBe(401);
    const other = await call(v, 'GET', '/v3/accounts/101-004-9999999-001/summary');
    expect(other.status).toBe(403);
    expect(other.body).toEqual(FORBIDDEN);
    const list = await call(v, 'GET', '/v3/accounts');
    expect(list.body).toEqual({ accounts: [{ id: N, tags: [] }] });
    const s = await stream(v, `/v3/accounts/${N}/transactions/stream`, { token: LIVE_TOKEN });
    expect(s.status).toBe(401);
  });

  it('a live fake accepts the live token only', async () => {
    const v = await start({ environment: 'live' });
    expect((await call(v, 'GET', `/v3/accounts/${N}/summary`)).status).toBe(401);
    const ok = await call(v, 'GET', `/v3/accounts/${N}/summary`, { token: LIVE_TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.body.account).toMatchObject({ id: N, currency: 'USD', balance: '100000.0000', hedgingEnabled: false, lastTransactionID: '2' });
  });
});

describe('dealing', () => {
  it('fills a market buy at the ask within the 201, and sends the same fill on the transaction stream', async () => {
    const v = await start();
    const tx = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    expect(tx.status).toBe(200);
    eurusd(v, '1.10000', '1.10010');
    const a = await market(v, N, '1000', { clientExtensions: { id: 'my-1', tag: 't' } });
    expect(a.status).toBe(201);
    expect(a.headers.location).toBe(`/v3/accounts/${N}/orders/3`);
    const { orderCreateTransaction: create, orderFillTransaction: fill } = a.body;
    expect(create).toMatchObject({ id: '3', type: 'MARKET_ORDER', instrument: 'EUR_USD', units: '1000', timeInForce: 'FOK', positionFill: 'DEFAULT', reason: 'CLIENT_ORDER', clientExtensions: { id: 'my-1', tag: 't' }, accountID: N, userID: 1435156 });
    expect(fill).toMatchObject({ id: '4', type: 'ORDER_FILL', orderID: '3', clientOrderID: 'my-1', units: '1000', price: '1.10010', reason: 'MARKET_ORDER', pl: '0.0000', financing: '0.0000', commission: '0.0000', accountBalance: '100000.0000', halfSpreadCost: '0.0500', batchID: '3' });
    expect(fill.tradeOpened).toMatchObject({ tradeID: '4', units: '1000', price: '1.10010', halfSpreadCost: '0.0500' });
    expect(a.body.relatedTransactionIDs).toEqual(['3', '4']);
    expect(a.body.lastTransactionID).toBe('4');
    const streamed = await until('the fill on the stream', () => tx.lines.find((l) => l.type === 'ORDER_FILL'));
    expect(streamed).toEqual(fill);
    expect(tx.lines.find((l) => l.type === 'MARKET_ORDER')).toEqual(create);
    const acct = v.account(N);
    expect(acct.unrealizedPL).toBe('-0.1000');
    expect(acct.marginUsed).toBe('22.0010');
    expect((await call(v, 'GET', `/v3/accounts/${N}/openTrades`)).body.trades[0]).toMatchObject({ id: '4', currentUnits: '1000', price: '1.10010', state: 'OPEN' });
  });

  it('sells against the position first (netting), realizing PL at the bid', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    await market(v, N, '1000');
    eurusd(v, '1.10100', '1.10110');
    const a = await market(v, N, '-1500');
    const fill = a.body.orderFillTransaction;
    expect(fill.tradesClosed).toEqual([expect.objectContaining({ tradeID: '4', units: '-1000', realizedPL: '0.9000' })]);
    expect(fill.tradeOpened).toMatchObject({ units: '-500', price: '1.10100' });
    expect(fill.pl).toBe('0.9000');
    expect(fill.accountBalance).toBe('100000.9000');
    const pos = await call(v, 'GET', `/v3/accounts/${N}/positions/EUR_USD`);
    expect(pos.body.position.short).toMatchObject({ units: '-500', tradeIDs: [fill.id] });
    expect(pos.body.position.long).toMatchObject({ units: '0', pl: '0.9000' });
  });

  it('cancels a market order without a price, outside its price bound, or beyond the margin', async () => {
    const v = await start({ accounts: [{ id: N, currency: 'USD', balance: '1000' }] });
    const none = await market(v, N, '100');
    expect(none.status).toBe(201);
    expect(none.body.orderCancelTransaction).toMatchObject({ type: 'ORDER_CANCEL', orderID: none.body.orderCreateTransaction.id, reason: 'MARKET_HALTED' });
    eurusd(v, '1.10000', '1.10010');
    const bound = await market(v, N, '100', { priceBound: '1.10005' });
    expect(bound.body.orderCancelTransaction.reason).toBe('BOUNDS_VIOLATION');
    const big = await market(v, N, '100000');
    expect(big.body.orderCancelTransaction.reason).toBe('INSUFFICIENT_MARGIN');
    expect(big.body.orderFillTransaction).toBeUndefined();
    const thin = await market(v, N, '200', {}, 'EUR_USD');
    expect(thin.body.orderFillTransaction).toBeDefined();
    v.price('EUR_USD', [['1.10000', '10']], [['1.10010', '10']]);
    expect((await market(v, N, '11')).body.orderCancelTransaction.reason).toBe('INSUFFICIENT_LIQUIDITY');
  });

  it('refuses invalid requests with 400, errorCode and an orderRejectTransaction', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'MARKET', instrument: 'EUR_USD', units: '1.5' }, 'UNITS_PRECISION_EXCEEDED'],
      [{ type: 'MARKET', instrument: 'EUR_USD', units: 100 }, 'UNITS_INVALID'],
      [{ type: 'MARKET', instrument: 'EUR_USD' }, 'UNITS_MISSING'],
      [{ type: 'MARKET', instrument: 'XAU_USD', units: '1' }, 'INSTRUMENT_UNKNOWN'],
      [{ type: 'MARKET', instrument: 'EUR_USD', units: '1', timeInForce: 'GTC' }, 'TIME_IN_FORCE_INVALID'],
      [{ type: 'LIMIT', instrument: 'EUR_USD', units: '1' }, 'PRICE_MISSING'],
      [{ type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: '1.100001' }, 'PRICE_PRECISION_EXCEEDED'],
      [{ type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: '1.1', timeInForce: 'GTD' }, 'TIME_IN_FORCE_GTD_TIMESTAMP_MISSING'],
      [{ type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: '1.1', positionFill: 'SOMETIMES' }, 'ORDER_FILL_POSITION_ACTION_INVALID'],
      [{ type: 'MARKET', instrument: 'EUR_USD', units: '200000000' }, 'UNITS_LIMIT_EXCEEDED'],
    ];
    for (const [order, code] of cases) {
      const a = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order } });
      expect(a.status, code).toBe(400);
      expect(a.body.errorCode).toBe(code);
      expect(a.body.orderRejectTransaction).toMatchObject({ rejectReason: code, reason: 'CLIENT_ORDER', type: `${order.type}_ORDER_REJECT` });
      expect(a.body.lastTransactionID).toBe(a.body.orderRejectTransaction.id);
    }
    const unknownField = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'MARKET', instrument: 'EUR_USD', units: '1', quantity: '1' } } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errorMessage).toContain('quantity');
    expect((await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: '{"order":' })).status).toBe(400);
    const plain = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: JSON.stringify({ order: { type: 'MARKET', instrument: 'EUR_USD', units: '1' } }), headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });

  it('rests a limit order until price() crosses it, then fills it and streams the ORDER_FILL', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const tx = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    const a = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '1000', price: '1.09950', clientExtensions: { id: 'lim-1' } } } });
    expect(a.status).toBe(201);
    expect(a.body.orderCreateTransaction).toMatchObject({ type: 'LIMIT_ORDER', price: '1.09950', timeInForce: 'GTC', triggerCondition: 'DEFAULT' });
    expect(a.body.orderFillTransaction).toBeUndefined();
    const id = a.body.orderCreateTransaction.id;
    expect((await call(v, 'GET', `/v3/accounts/${N}/pendingOrders`)).body.orders.map((o: any) => o.id)).toEqual([id]);
    eurusd(v, '1.09960', '1.09970');
    expect(v.orders(N).find((o: any) => o.id === id)).toMatchObject({ state: 'PENDING' });
    eurusd(v, '1.09930', '1.09940');
    const fill = await until('the limit fill', () => tx.lines.find((l) => l.type === 'ORDER_FILL'));
    expect(fill).toMatchObject({ orderID: id, clientOrderID: 'lim-1', reason: 'LIMIT_ORDER', price: '1.09940', units: '1000' });
    const order = (await call(v, 'GET', `/v3/accounts/${N}/orders/@lim-1`)).body.order;
    expect(order).toMatchObject({ id, state: 'FILLED', fillingTransactionID: fill.id, tradeOpenedID: fill.id });
    expect((v.orders(N).find((o: any) => o.id === id) as any).fills).toEqual([fill]);
  });

  it('modify cancels and replaces with a new id, keeping the client extensions; cancel; duplicate client ids are refused', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const created = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '-100', price: '1.20000', clientExtensions: { id: 'myID', comment: 'myComment' } } } });
    const oldId = created.body.orderCreateTransaction.id;
    const dup = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '-100', price: '1.20000', clientExtensions: { id: 'myID' } } } });
    expect(dup.status).toBe(400);
    expect(dup.body.errorCode).toBe('CLIENT_ORDER_ID_ALREADY_EXISTS');
    const r = await call(v, 'PUT', `/v3/accounts/${N}/orders/@myID`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '-500', price: '1.25000' } } });
    expect(r.status).toBe(201);
    const newId = r.body.orderCreateTransaction.id;
    expect(newId).not.toBe(oldId);
    expect(r.body.orderCancelTransaction).toMatchObject({ orderID: oldId, clientOrderID: 'myID', reason: 'CLIENT_REQUEST_REPLACED', replacedByOrderID: newId });
    expect(r.body.orderCreateTransaction).toMatchObject({ reason: 'REPLACEMENT', replacesOrderID: oldId, clientExtensions: { id: 'myID', comment: 'myComment' }, units: '-500', price: '1.25000' });
    expect(r.body.relatedTransactionIDs).toEqual([r.body.orderCancelTransaction.id, newId]);
    const wrongType = await call(v, 'PUT', `/v3/accounts/${N}/orders/${newId}`, { body: { order: { type: 'STOP', instrument: 'EUR_USD', units: '-500', price: '1.05000' } } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errorCode).toBe('REPLACING_ORDER_INVALID');
    const c = await call(v, 'PUT', `/v3/accounts/${N}/orders/@myID/cancel`);
    expect(c.status).toBe(200);
    expect(c.body.orderCancelTransaction).toMatchObject({ orderID: newId, clientOrderID: 'myID', reason: 'CLIENT_REQUEST' });
    const again = await call(v, 'PUT', `/v3/accounts/${N}/orders/${newId}/cancel`);
    expect(again.status).toBe(404);
    expect(again.body.orderCancelRejectTransaction).toMatchObject({ type: 'ORDER_CANCEL_REJECT', rejectReason: 'ORDER_DOESNT_EXIST' });
    const all = await call(v, 'GET', `/v3/accounts/${N}/orders?state=ALL`);
    expect(all.body.orders.map((o: any) => [o.id, o.state])).toEqual([[newId, 'CANCELLED'], [oldId, 'CANCELLED']]);
  });

  it('hedging keeps long and short trades and refuses closing a newer trade of the same size (FIFO)', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const first = (await market(v, H, '100')).body.orderFillTransaction.tradeOpened.tradeID;
    const second = (await market(v, H, '100')).body.orderFillTransaction.tradeOpened.tradeID;
    const short = await market(v, H, '-100');
    expect(short.body.orderFillTransaction.tradeOpened.units).toBe('-100');
    expect(short.body.orderFillTransaction.tradesClosed).toBeUndefined();
    const pos = (await call(v, 'GET', `/v3/accounts/${H}/positions/EUR_USD`)).body.position;
    expect(pos.long).toMatchObject({ units: '200', tradeIDs: [first, second] });
    expect(pos.short.units).toBe('-100');
    const refused = await call(v, 'PUT', `/v3/accounts/${H}/trades/${second}/close`);
    expect(refused.status).toBe(200);
    expect(refused.body.orderCreateTransaction).toMatchObject({ type: 'MARKET_ORDER', reason: 'TRADE_CLOSE', tradeClose: { tradeID: second, units: 'ALL' } });
    expect(refused.body.orderCancelTransaction.reason).toBe('FIFO_VIOLATION');
    const ok = await call(v, 'PUT', `/v3/accounts/${H}/trades/${first}/close`);
    expect(ok.body.orderFillTransaction).toMatchObject({ reason: 'MARKET_ORDER_TRADE_CLOSE', units: '-100', tradesClosed: [expect.objectContaining({ tradeID: first, units: '-100' })] });
    // A netting account never opens against a position with OPEN_ONLY.
    await market(v, N, '100');
    expect((await market(v, N, '-100', { positionFill: 'OPEN_ONLY' })).body.orderCancelTransaction.reason).toBe('FIFO_VIOLATION');
  });

  it('closes every position by margin closeout when NAV falls below half the margin used', async () => {
    const v = await start({ accounts: [{ id: N, currency: 'USD', balance: '1000' }] });
    const tx = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    eurusd(v, '1.10000', '1.10010');
    expect((await market(v, N, '40000')).body.orderFillTransaction).toBeDefined();
    eurusd(v, '1.09000', '1.09010');
    expect(v.account(N).trades).toHaveLength(1);
    // NAV 1000 − 404 = 596 ≥ 0.5 × 872.04: no closeout yet.
    expect(v.account(N)).toMatchObject({ unrealizedPL: '-404.0000', NAV: '596.0000', marginUsed: '872.0400' });
    eurusd(v, '1.08500', '1.08510');
    const closeout = await until('the closeout fill', () => tx.lines.find((l) => l.type === 'ORDER_FILL' && l.reason === 'MARKET_ORDER_MARGIN_CLOSEOUT'));
    expect(tx.lines.find((l) => l.type === 'MARKET_ORDER' && l.reason === 'MARGIN_CLOSEOUT')).toMatchObject({ units: '-40000', marginCloseout: { reason: 'MARGIN_CHECK_VIOLATION' } });
    expect(closeout).toMatchObject({ units: '-40000', price: '1.08500', pl: '-604.0000', accountBalance: '396.0000' });
    expect(v.account(N)).toMatchObject({ balance: '396.0000', marginUsed: '0.0000', trades: [] });
  });

  it('converts the PL of a USD-quoted instrument into a EUR account at the current rate', async () => {
    const v = await start({ accounts: [{ id: N, currency: 'EUR', balance: '10000' }] });
    eurusd(v, '1.10000', '1.10010');
    const open = await market(v, N, '10000');
    expect(open.body.orderFillTransaction.gainQuoteHomeConversionFactor).toBe(String(Number((1 / 1.10005).toFixed(9))));
    eurusd(v, '1.12000', '1.12010');
    const close = await market(v, N, '-10000');
    const fill = close.body.orderFillTransaction;
    // 199 USD at 1 / 1.12005.
    expect(fill.pl).toBe('177.6706');
    expect(fill.accountBalance).toBe('10177.6706');
    const summary = (await call(v, 'GET', `/v3/accounts/${N}/summary`)).body.account;
    expect(summary).toMatchObject({ currency: 'EUR', balance: '10177.6706', pl: '177.6706', unrealizedPL: '0.0000' });
  });

  it('applies financing as a DAILY_FINANCING transaction on the stream', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    await market(v, N, '1000');
    const tx = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    v.applyFinancing(N, { EUR_USD: '-0.1234' });
    const f = await until('financing', () => tx.lines.find((l) => l.type === 'DAILY_FINANCING'));
    expect(f).toMatchObject({ financing: '-0.1234', accountBalance: '99999.8766', positionFinancings: [{ instrument: 'EUR_USD', financing: '-0.1234' }] });
    expect(v.account(N).financing).toBe('-0.1234');
  });
});

describe('reads', () => {
  it('answers in RFC3339 by default and in UNIX when asked', async () => {
    const v = await start();
    const rfc = (await call(v, 'GET', `/v3/accounts/${N}/transactions/sinceid?id=0`)).body.transactions[0].time;
    expect(rfc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    const unix = (await call(v, 'GET', `/v3/accounts/${N}/transactions/sinceid?id=0`, { headers: { 'accept-datetime-format': 'UNIX' } })).body.transactions[0].time;
    expect(unix).toMatch(/^\d{10}\.\d{9}$/);
    expect(Number(unix) * 1000).toBeCloseTo(Date.parse(rfc), -1);
    expect((await call(v, 'GET', `/v3/accounts/${N}/summary`, { headers: { 'accept-datetime-format': 'ISO' } })).status).toBe(400);
    const s = await stream(v, `/v3/accounts/${N}/transactions/stream`, { headers: { 'accept-datetime-format': 'UNIX' } });
    const hb = await until('a heartbeat', () => s.lines.find((l) => l.type === 'HEARTBEAT'));
    expect(hb).toMatchObject({ lastTransactionID: '2' });
    expect(hb.time).toMatch(/^\d{10}\.\d{9}$/);
  });

  it('serves account details, changes since a transaction, transactions by range, pricing and instruments', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    await market(v, N, '1000');
    const details = (await call(v, 'GET', `/v3/accounts/${N}`)).body.account;
    expect(details.trades).toHaveLength(1);
    expect(details.openTradeCount).toBe(1);
    const changes = (await call(v, 'GET', `/v3/accounts/${N}/changes?sinceTransactionID=2`)).body;
    expect(changes.changes.transactions.map((t: any) => t.type)).toEqual(['MARKET_ORDER', 'ORDER_FILL']);
    expect(changes.changes.tradesOpened).toHaveLength(1);
    expect(changes.changes.ordersFilled).toHaveLength(1);
    expect(changes.lastTransactionID).toBe('4');
    expect((await call(v, 'GET', `/v3/accounts/${N}/changes?sinceTransactionID=99`)).status).toBe(416);
    const range = (await call(v, 'GET', `/v3/accounts/${N}/transactions/idrange?from=2&to=3`)).body.transactions;
    expect(range.map((t: any) => t.id)).toEqual(['2', '3']);
    const pricing = (await call(v, 'GET', `/v3/accounts/${N}/pricing?instruments=EUR_USD&includeHomeConversions=true`)).body;
    expect(pricing.prices[0]).toMatchObject({ type: 'PRICE', instrument: 'EUR_USD', tradeable: true, bids: [{ price: '1.10000', liquidity: 10000000 }], closeoutBid: '1.10000' });
    expect(pricing.homeConversions.find((c: any) => c.currency === 'USD').accountGain).toBe('1');
    const inst = (await call(v, 'GET', `/v3/accounts/${N}/instruments?instruments=EUR_USD`)).body.instruments;
    expect(inst).toEqual([expect.objectContaining({ name: 'EUR_USD', pipLocation: -4, displayPrecision: 5, minimumTrailingStopDistance: '0.00050' })]);
  });

  it('serves candles by count, from and to, refuses more than 5000, and flags the incomplete one', async () => {
    const v = await start();
    const t0 = Date.UTC(2024, 0, 2);
    const rows = Array.from({ length: 6000 }, (_, k) => ({ time: t0 + k * 60_000, o: '1.1', h: '1.2', l: '1.0', c: '1.15', volume: k, complete: k < 5999 }));
    v.candles('EUR_USD', 'M1', rows);
    v.candles('EUR_USD', 'M1', rows.map((r) => ({ ...r, c: '1.14' })), 'B');
    const last = (await call(v, 'GET', '/v3/instruments/EUR_USD/candles?granularity=M1&count=2&price=MB')).body;
    expect(last).toMatchObject({ instrument: 'EUR_USD', granularity: 'M1' });
    expect(last.candles.map((c: any) => c.complete)).toEqual([true, false]);
    expect(last.candles[1]).toMatchObject({ mid: { c: '1.15' }, bid: { c: '1.14' }, volume: 5999 });
    const from = new Date(t0 + 60_000).toISOString();
    const to = new Date(t0 + 4 * 60_000).toISOString();
    const ranged = (await call(v, 'GET', `/v3/accounts/${N}/instruments/EUR_USD/candles?granularity=M1&from=${from}&to=${to}`)).body.candles;
    expect(ranged.map((c: any) => c.volume)).toEqual([1, 2, 3]);
    const unixFrom = (await call(v, 'GET', `/v3/instruments/EUR_USD/candles?granularity=M1&count=1&from=${(t0 + 120_000) / 1000}`, { headers: { 'accept-datetime-format': 'UNIX' } })).body.candles;
    expect(unixFrom[0]).toMatchObject({ volume: 2, time: `${(t0 + 120_000) / 1000}.000000000` });
    expect((await call(v, 'GET', '/v3/instruments/EUR_USD/candles?granularity=M1&count=5001')).status).toBe(400);
    const wide = await call(v, 'GET', `/v3/instruments/EUR_USD/candles?granularity=M1&from=${new Date(t0).toISOString()}&to=${new Date(t0 + 6000 * 60_000).toISOString()}`);
    expect(wide.status).toBe(400);
  });

  it('streams prices with heartbeats, at most 4 a second per instrument, the latest one kept', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const s = await stream(v, `/v3/accounts/${N}/pricing/stream?instruments=EUR_USD,USD_JPY`);
    const snap = await until('the snapshot', () => s.lines.find((l) => l.type === 'PRICE'));
    expect(snap).toMatchObject({ instrument: 'EUR_USD', tradeable: true, closeoutAsk: '1.10010', asks: [{ price: '1.10010', liquidity: 10000000 }] });
    eurusd(v, '1.10001', '1.10011');
    eurusd(v, '1.10002', '1.10012');
    eurusd(v, '1.10003', '1.10013');
    await until('the held price', () => s.lines.some((l) => l.type === 'PRICE' && l.bids[0].price === '1.10003'), 1000);
    expect(s.lines.filter((l) => l.type === 'PRICE').map((l) => l.bids[0].price)).toEqual(['1.10000', '1.10003']);
    await until('a heartbeat', () => s.lines.find((l) => l.type === 'HEARTBEAT' && l.lastTransactionID === undefined));
    v.price('USD_JPY', [['150.000', '1000']], [['150.010', '1000']]);
    await until('USD_JPY', () => s.lines.find((l) => l.instrument === 'USD_JPY'));
  });
});

describe('faults', () => {
  it('rateLimit answers 429 with the documented body, and the 121st request within a second meets the real limit', async () => {
    let clock = Date.UTC(2026, 0, 5, 12);
    const v = await start({ now: () => clock });
    v.faults.rateLimit(2);
    expect((await call(v, 'GET', `/v3/accounts/${N}/summary`)).status).toBe(429);
    const second = await call(v, 'GET', `/v3/accounts/${N}/summary`);
    expect(second.status).toBe(429);
    expect(second.body).toEqual(RATE_LIMITED);
    expect(second.headers['retry-after']).toBeUndefined();
    expect((await call(v, 'GET', `/v3/accounts/${N}/summary`)).status).toBe(200);
    clock += 1000;
    // The venue's clock stands still: all these requests fall in one second of it.
    const statuses: number[] = [];
    for (let k = 0; k < 121; k++) statuses.push((await call(v, 'GET', '/v3/accounts')).status);
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
    expect(statuses[120]).toBe(429);
    clock += 1000;
    expect((await call(v, 'GET', '/v3/accounts')).status).toBe(200);
  });

  it('serverError answers a 5xx without acting', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    v.faults.serverError(1, 502);
    const a = await market(v, N, '10');
    expect(a.status).toBe(502);
    expect(a.body.errorMessage).toBeDefined();
    expect(v.account(N).lastTransactionID).toBe('2');
  });

  it('acceptThenTimeout: the held order exists, the client times out, and a resend with the same client id is refused', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    v.faults.acceptThenTimeout(1);
    const held = new Agent({ connections: 1 });
    const answer = call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'MARKET', instrument: 'EUR_USD', units: '10', clientExtensions: { id: 'lost' } } } , signal: AbortSignal.timeout(400), dispatcher: held });
    await expect(answer).rejects.toThrow();
    await held.close().catch(() => undefined);
    expect(v.orders(N).find((o: any) => o.clientExtensions?.id === 'lost')).toMatchObject({ state: 'FILLED' });
    const resend = await market(v, N, '10', { clientExtensions: { id: 'lost' } });
    expect(resend.body.errorCode).toBe('CLIENT_ORDER_ID_ALREADY_EXISTS');
    expect((await call(v, 'GET', `/v3/accounts/${N}/orders/@lost`)).body.order.state).toBe('FILLED');
  });

  it('stallStreams keeps streams open without heartbeats until turned off', async () => {
    const v = await start();
    const s = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    await until('a heartbeat', () => s.lines.length > 0);
    v.faults.stallStreams(true);
    await sleep(50);
    const n = s.lines.length;
    await sleep(400);
    expect(s.lines.length).toBe(n);
    v.faults.stallStreams(false);
    await until('heartbeats again', () => s.lines.length > n);
  });

  it('splitLines writes each line in 2-3 chunks cut mid-line, chunks spanning lines', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const s = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    await until('a heartbeat', () => s.lines.length > 0);
    v.faults.splitLines(true);
    const from = s.chunks.length;
    await market(v, N, '10');
    await until('the fill', () => s.lines.some((l) => l.type === 'ORDER_FILL'));
    await sleep(50);
    const chunks = s.chunks.slice(from);
    expect(chunks.some((c) => !c.endsWith('\n'))).toBe(true);
    expect(chunks.some((c) => c.indexOf('\n') >= 0 && c.indexOf('\n') < c.length - 1)).toBe(true);
    expect(s.bad).toEqual([]);
    const text = chunks.join('');
    const lineCount = text.split('\n').filter((l) => l !== '').length;
    expect(chunks.length).toBeGreaterThanOrEqual(lineCount + 1);
  });

  it('dropStreams ends every open stream', async () => {
    const v = await start();
    const a = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    const b = await stream(v, `/v3/accounts/${N}/pricing/stream?instruments=EUR_USD`);
    await until('both open', () => a.lines.length > 0 && b.lines.length > 0);
    expect(v.faults.dropStreams()).toBe(2);
    expect(await a.ended).toBe('error');
    expect(await b.ended).toBe('error');
  });

  it('duplicateTransactions sends a transaction line twice; transactionGap withholds them while heartbeats run ahead', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const s = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    v.faults.duplicateTransactions(1);
    await market(v, N, '10');
    await until('the fill', () => s.lines.some((l) => l.type === 'ORDER_FILL'));
    const creates = s.lines.filter((l) => l.type === 'MARKET_ORDER');
    expect(creates).toHaveLength(2);
    expect(creates[0]).toEqual(creates[1]);
    expect(s.lines.filter((l) => l.type === 'ORDER_FILL')).toHaveLength(1);
    v.faults.transactionGap(true);
    await market(v, N, '10');
    const hb = await until('a heartbeat ahead', () => s.lines.find((l) => l.type === 'HEARTBEAT' && l.lastTransactionID === '6'));
    expect(hb).toBeDefined();
    expect(s.lines.filter((l) => l.type === 'ORDER_FILL')).toHaveLength(1);
    const since = (await call(v, 'GET', `/v3/accounts/${N}/transactions/sinceid?id=4`)).body.transactions;
    expect(since.map((t: any) => t.id)).toEqual(['5', '6']);
    v.faults.transactionGap(false);
    await market(v, N, '10');
    await until('pushes again', () => s.lines.filter((l) => l.type === 'ORDER_FILL').length === 2);
  });

  it('malformedLine writes a line that is not JSON; skewClock moves the venue time', async () => {
    const v = await start();
    const s = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    await until('a heartbeat', () => s.lines.length > 0);
    v.faults.malformedLine();
    await until('the bad line', () => s.bad.length > 0);
    expect(s.bad).toEqual([MALFORMED_LINE]);
    const before = v.now();
    v.faults.skewClock(3_600_000);
    expect(v.now() - before).toBeGreaterThanOrEqual(3_600_000);
    const n = s.lines.length;
    const hb = await until('a skewed heartbeat', () => s.lines.slice(n).find((l) => l.type === 'HEARTBEAT'));
    expect(Date.parse(hb.time) - Date.now()).toBeGreaterThan(3_500_000);
  });

  it('enforces 20 open streams', async () => {
    const v = await start({ limits: { newConnectionsPerSecond: 100 } });
    for (let k = 0; k < 20; k++) expect((await stream(v, `/v3/accounts/${N}/transactions/stream`)).status).toBe(200);
    const extra = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    expect(extra.status).toBe(429);
    await extra.ended;
    expect(extra.lines).toEqual([TOO_MANY_STREAMS]);
  });

  it('enforces 2 new connections a second per host', async () => {
    const v = await start();
    expect((await stream(v, `/v3/accounts/${N}/transactions/stream`)).status).toBe(200);
    expect((await stream(v, `/v3/accounts/${N}/transactions/stream`)).status).toBe(200);
    const third = await stream(v, `/v3/accounts/${N}/transactions/stream`);
    expect(third.status).toBe(429);
    await third.ended;
    expect(third.lines).toEqual([CONNECTION_RATE_LIMITED]);
    await sleep(1050);
    expect((await stream(v, `/v3/accounts/${N}/transactions/stream`)).status).toBe(200);
  });
});

describe('resting orders and position fill', () => {
  it('triggers a STOP buy when the ask reaches it and a MARKET_IF_TOUCHED sell when the bid touches it', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const stop = (await call(v, 'POST', `/v3/accounts/${H}/orders`, { body: { order: { type: 'STOP', instrument: 'EUR_USD', units: '100', price: '1.10100' } } })).body.orderCreateTransaction;
    const mit = (await call(v, 'POST', `/v3/accounts/${H}/orders`, { body: { order: { type: 'MARKET_IF_TOUCHED', instrument: 'EUR_USD', units: '-100', price: '1.10200' } } })).body.orderCreateTransaction;
    expect(mit.type).toBe('MARKET_IF_TOUCHED_ORDER');
    expect((await call(v, 'GET', `/v3/accounts/${H}/orders/${mit.id}`)).body.order.initialMarketPrice).toBe('1.10000');
    eurusd(v, '1.10090', '1.10100');
    const fills = v.transactions(H).filter((t: any) => t.type === 'ORDER_FILL') as any[];
    expect(fills).toEqual([expect.objectContaining({ orderID: stop.id, reason: 'STOP_ORDER', price: '1.10100' })]);
    eurusd(v, '1.10200', '1.10210');
    expect((v.transactions(H).filter((t: any) => t.type === 'ORDER_FILL') as any[]).at(-1)).toMatchObject({ orderID: mit.id, reason: 'MARKET_IF_TOUCHED_ORDER', price: '1.10200', units: '-100' });
  });

  it('cancels a GTD order when its time comes (UNIX gtdTime) and a LIMIT IOC that cannot fill at once', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    const gtd = ((v.now() + 300) / 1000).toFixed(3);
    const a = await call(v, 'POST', `/v3/accounts/${N}/orders`, { headers: { 'accept-datetime-format': 'UNIX' }, body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', timeInForce: 'GTD', gtdTime: gtd } } });
    expect(a.body.orderCreateTransaction.gtdTime).toBe(`${gtd}000000`);
    const past = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', timeInForce: 'GTD', gtdTime: '2020-01-01T00:00:00Z' } } });
    expect(past.body.errorCode).toBe('TIME_IN_FORCE_GTD_TIMESTAMP_IN_PAST');
    await until('the expiry', () => v.transactions(N).find((t: any) => t.type === 'ORDER_CANCEL' && t.reason === 'TIME_IN_FORCE_EXPIRED'), 2000);
    const ioc = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', timeInForce: 'IOC' } } });
    expect(ioc.body.orderCancelTransaction.reason).toBe('TIME_IN_FORCE_EXPIRED');
    const gfd = await call(v, 'POST', `/v3/accounts/${N}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', timeInForce: 'GFD' } } });
    expect((await call(v, 'GET', `/v3/accounts/${N}/orders/${gfd.body.orderCreateTransaction.id}`)).body.order.state).toBe('PENDING');
  });

  it('REDUCE_ONLY reduces at most the position and is cancelled without one; positions close by PUT /positions/{i}/close', async () => {
    const v = await start();
    eurusd(v, '1.10000', '1.10010');
    expect((await market(v, N, '-10', { positionFill: 'REDUCE_ONLY' })).body.orderCancelTransaction.reason).toBe('POSITION_CLOSEOUT_FAILED');
    await market(v, N, '100');
    await market(v, N, '50');
    const reduce = (await market(v, N, '-500', { positionFill: 'REDUCE_ONLY' })).body.orderFillTransaction;
    expect(reduce.units).toBe('-150');
    expect(reduce.tradesClosed.map((t: any) => t.units)).toEqual(['-100', '-50']);
    expect(reduce.tradeOpened).toBeUndefined();
    await market(v, N, '70');
    const close = await call(v, 'PUT', `/v3/accounts/${N}/positions/EUR_USD/close`, { body: { longUnits: 'ALL' } });
    expect(close.status).toBe(200);
    expect(close.body.longOrderCreateTransaction).toMatchObject({ reason: 'POSITION_CLOSEOUT', longPositionCloseout: { instrument: 'EUR_USD', units: 'ALL' } });
    expect(close.body.longOrderFillTransaction).toMatchObject({ reason: 'MARKET_ORDER_POSITION_CLOSEOUT', units: '-70' });
    expect((await call(v, 'PUT', `/v3/accounts/${N}/positions/EUR_USD/close`, { body: { longUnits: 'ALL' } })).body.errorCode).toBe('CLOSEOUT_POSITION_DOESNT_EXIST');
    expect((await call(v, 'GET', `/v3/accounts/${N}/openPositions`)).body.positions).toEqual([]);
  });

  it('lists transaction pages by time and refuses a stream for an account the token does not own', async () => {
    const v = await start({ accounts: [{ id: N, currency: 'USD', balance: '1000' }, { id: H, currency: 'USD', balance: '1000', tokens: [] }] });
    eurusd(v, '1.10000', '1.10010');
    await market(v, N, '10');
    const pages = (await call(v, 'GET', `/v3/accounts/${N}/transactions?pageSize=3`)).body;
    expect(pages).toMatchObject({ count: 4, pageSize: 3 });
    expect(pages.pages.map((p: string) => p.replace(/^http:\/\/[^/]+/, ''))).toEqual([`/v3/accounts/${N}/transactions/idrange?from=1&to=3`, `/v3/accounts/${N}/transactions/idrange?from=4&to=4`]);
    const s = await stream(v, `/v3/accounts/${H}/pricing/stream?instruments=EUR_USD`);
    expect(s.status).toBe(403);
  });
});

describe('v20.json conformance', () => {
  it('every transaction, order, trade, position, summary, price, heartbeat, instrument and candle the fake prints fits its definition', async () => {
    const v = await start();
    const tx = await stream(v, `/v3/accounts/${H}/transactions/stream`);
    const px = await stream(v, `/v3/accounts/${H}/pricing/stream?instruments=EUR_USD`);
    eurusd(v, '1.10000', '1.10010');
    await market(v, H, '100', { clientExtensions: { id: 'c1', tag: 'x' }, tradeClientExtensions: { id: 't1' } });
    await market(v, H, '100');
    await market(v, H, '-100');
    await market(v, H, '1.5');
    await call(v, 'POST', `/v3/accounts/${H}/orders`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', clientExtensions: { id: 'c2' } } } });
    await call(v, 'PUT', `/v3/accounts/${H}/orders/@c2`, { body: { order: { type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00100' } } });
    await call(v, 'PUT', `/v3/accounts/${H}/orders/@c2/clientExtensions`, { body: { clientExtensions: { comment: 'hello' } } });
    await call(v, 'POST', `/v3/accounts/${H}/orders`, { body: { order: { type: 'STOP', instrument: 'EUR_USD', units: '10', price: '1.20000', priceBound: '1.20100', timeInForce: 'GTD', gtdTime: new Date(Date.now() + 60_000).toISOString() } } });
    await call(v, 'POST', `/v3/accounts/${H}/orders`, { body: { order: { type: 'MARKET_IF_TOUCHED', instrument: 'EUR_USD', units: '10', price: '1.05000' } } });
    await call(v, 'PUT', `/v3/accounts/${H}/orders/@c2/cancel`);
    await call(v, 'PUT', `/v3/accounts/${H}/orders/@c2/cancel`);
    const trades = (await call(v, 'GET', `/v3/accounts/${H}/openTrades`)).body.trades;
    await call(v, 'PUT', `/v3/accounts/${H}/trades/${trades[0].id}/close`, { body: { units: '50' } });
    await call(v, 'PUT', `/v3/accounts/${H}/positions/EUR_USD/close`, { body: { shortUnits: 'ALL' } });
    v.applyFinancing(H);
    await sleep(300);
    const problems: string[] = [];
    const check = (value: unknown, name: string, at: string): void => void problems.push(...schemaProblems(value, name, at));
    for (const t of v.transactions(H)) check(t, 'Transaction', `transaction ${(t as any).id}`);
    for (const l of tx.lines) check(l, l.type === 'HEARTBEAT' ? 'TransactionHeartbeat' : 'Transaction', 'transaction stream');
    for (const l of px.lines) check(l, l.type === 'HEARTBEAT' ? 'PricingHeartbeat' : 'ClientPrice', 'pricing stream');
    const account = (await call(v, 'GET', `/v3/accounts/${H}`)).body.account;
    check(account, 'Account', 'account');
    check((await call(v, 'GET', `/v3/accounts/${H}/summary`)).body.account, 'AccountSummary', 'summary');
    for (const o of (await call(v, 'GET', `/v3/accounts/${H}/orders?state=ALL`)).body.orders) check(o, 'Order', `order ${o.id}`);
    for (const t of (await call(v, 'GET', `/v3/accounts/${H}/trades?state=ALL`)).body.trades) check(t, 'Trade', `trade ${t.id}`);
    for (const p of (await call(v, 'GET', `/v3/accounts/${H}/positions`)).body.positions) check(p, 'Position', 'position');
    const changes = (await call(v, 'GET', `/v3/accounts/${H}/changes?sinceTransactionID=2`)).body;
    check(changes.changes, 'AccountChanges', 'changes');
    check(changes.state, 'AccountChangesState', 'changes state');
    for (const p of (await call(v, 'GET', `/v3/accounts/${H}/pricing?instruments=EUR_USD`)).body.prices) check(p, 'ClientPrice', 'pricing');
    for (const i of (await call(v, 'GET', `/v3/accounts/${H}/instruments`)).body.instruments) check(i, 'Instrument', `instrument ${i.name}`);
    v.candles('EUR_USD', 'H1', [{ time: Date.UTC(2024, 0, 1), o: '1.1', h: '1.2', l: '1.0', c: '1.1', volume: 3, complete: true }]);
    for (const c of (await call(v, 'GET', '/v3/instruments/EUR_USD/candles?granularity=H1&price=MBA')).body.candles) check(c, 'Candlestick', 'candle');
    expect(problems).toEqual([]);
    expect(v.transactions(H).length).toBeGreaterThan(20);
    expect(tx.lines.filter((l) => l.type !== 'HEARTBEAT').length).toBeGreaterThan(15);
  });
});
