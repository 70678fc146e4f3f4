/**
 * The fake Binance venue, exercised with raw HTTP (undici) and WebSocket (ws) clients that sign
 * requests themselves (node:crypto), so the fake's own signing code is checked, not trusted.
 * Published vectors and documentation examples come from test/fixtures (see test/README.md).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCOUNT_UID,
  FAKE_API_KEY,
  FAKE_API_SECRET,
  hmacSha256Hex,
  restSignaturePayload,
  startFakeBinance,
  wsApiSignaturePayload,
  type FakeBinance,
  type FakeBinanceOptions,
} from './fake-venue';

// ---------------------------------------------------------------- helpers

// Wire payloads are untyped JSON; each test checks the fields it is about.
type Json = any;

const fixture = (rel: string): Json => JSON.parse(readFileSync(new URL(`./fixtures/${rel}`, import.meta.url), 'utf8'));
const keysOf = (o: object): string[] => Object.keys(o).sort();
const sign = (payload: string, secret = FAKE_API_SECRET): string => createHmac('sha256', secret).update(payload).digest('hex');

/** Waits, if needed, so the next `marginMs` do not cross a rate-limit window boundary (weights reset each minute). */
async function awayFromWindowEdge(windowMs = 60_000, marginMs = 3000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 20));
}

let venues: FakeBinance[] = [];
async function start(options?: FakeBinanceOptions): Promise<FakeBinance> {
  const v = await startFakeBinance(options);
  venues.push(v);
  return v;
}
afterEach(async () => {
  await Promise.all(venues.map((v) => v.close()));
  venues = [];
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
}

async function http(
  v: FakeBinance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  pathAndQuery: string,
  opts: { body?: string; apiKey?: string | null; headersTimeout?: number } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.apiKey !== null) headers['X-MBX-APIKEY'] = opts.apiKey ?? FAKE_API_KEY;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await request(v.restUrl + pathAndQuery, { method, headers, body: opts.body, headersTimeout: opts.headersTimeout });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Query string with timestamp and signature appended, as a client builds it. */
function signedQuery(params: Record<string, string | number>, o: { secret?: string; timestamp?: number } = {}): string {
  const qs = new URLSearchParams({ ...Object.fromEntries(Object.entries(params).map(([k, x]) => [k, String(x)])), timestamp: String(o.timestamp ?? Date.now()) }).toString();
  return `${qs}&signature=${sign(qs, o.secret)}`;
}

/** A signed REST call: GET/DELETE carry the parameters in the query string, POST/PUT in the body. */
function signed(
  v: FakeBinance,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  params: Record<string, string | number>,
  o: { secret?: string; timestamp?: number; apiKey?: string | null; headersTimeout?: number } = {},
): Promise<Reply> {
  const qs = signedQuery(params, o);
  return method === 'POST' || method === 'PUT' ? http(v, method, path, { ...o, body: qs }) : http(v, method, `${path}?${qs}`, o);
}

const limitBuy = (price: string, quantity: string, extra: Record<string, string> = {}) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  price,
  quantity,
  ...extra,
});

/** A WebSocket client that buffers every frame and lets a test wait for one. */
class Client {
  readonly frames: { raw: string; json: Json }[] = [];
  /** The `e` of every user data event received, in arrival order (kept when frames are taken). */
  readonly eventLog: string[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<number>;
  pings = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const raw = data.toString();
      let json: Json;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      this.frames.push({ raw, json });
      if (typeof json?.event?.e === 'string') this.eventLog.push(json.event.e);
      for (const w of this.waiters) w();
    });
    ws.on('ping', () => {
      this.pings++;
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    const c = new Client(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Removes and returns the first buffered frame matching `pred`, waiting up to `ms` for it. */
  take(pred: (f: { raw: string; json: Json }) => boolean, ms = 3000): Promise<{ raw: string; json: Json }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const i = this.frames.findIndex(pred);
        if (i < 0) return false;
        const [f] = this.frames.splice(i, 1);
        resolve(f as { raw: string; json: Json });
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching frame within ${ms} ms; buffered: ${JSON.stringify(this.frames.map((f) => f.raw))}`));
      }, ms);
      const waiter = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
        }
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a WebSocket API request and waits for the response with its id. */
  async call(method: string, params?: Record<string, unknown>, id: string | number = Math.random().toString(36).slice(2)): Promise<Json> {
    this.send(params === undefined ? { id, method } : { id, method, params });
    return (await this.take((f) => f.json?.id === id && 'status' in f.json)).json;
  }

  /** Waits for a user data event of type `e`. */
  async event(e: string): Promise<Json> {
    return (await this.take((f) => f.json?.event?.e === e)).json;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** WebSocket API signed params: apiKey + timestamp + sorted-params HMAC. */
function wsSigned(params: Record<string, unknown>, secret = FAKE_API_SECRET): Record<string, unknown> {
  const all: Record<string, unknown> = { ...params, apiKey: FAKE_API_KEY, timestamp: Date.now() };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${String(all[k])}`)
    .join('&');
  return { ...all, signature: sign(payload, secret) };
}

// ---------------------------------------------------------------- signing

describe('signature vectors (binance-spot-api-docs, binance-signature-examples)', () => {
  const vectors: Json[] = fixture('signature_vectors.json').vectors;
  const byId = (id: string): Json => vectors.find((x) => x.id === id);

  it('B1–B3: REST HMAC over the percent-encoded payload', () => {
    for (const id of ['rest-hmac-ascii', 'rest-hmac-nonascii', 'hmac-timestamp-only']) {
      const vec = byId(id);
      expect(hmacSha256Hex(vec.secretKey, vec.payload)).toBe(vec.expected_signature);
    }
    for (const id of ['rest-hmac-ascii', 'rest-hmac-nonascii']) {
      const vec = byId(id);
      const query = (vec.params_in_order as [string, string][]).map(([k, x]) => `${k}=${encodeURIComponent(x)}`).join('&');
      expect(query).toBe(vec.payload);
      expect(restSignaturePayload(`${query}&signature=${vec.expected_signature}`, '')).toBe(vec.payload);
    }
  });

  it('B4/B5: WebSocket API payload is the params sorted by name, raw UTF-8', () => {
    for (const [id, file] of [
      ['ws-api-hmac-ascii', 'docs/ws_api_signed_request_hmac_ascii.json'],
      ['ws-api-hmac-nonascii', 'docs/ws_api_signed_request_hmac_nonascii.json'],
    ] as const) {
      const vec = byId(id);
      const frame = fixture(file);
      expect(wsApiSignaturePayload(frame.params)).toBe(vec.payload);
      expect(hmacSha256Hex(vec.secretKey, vec.payload)).toBe(vec.expected_signature);
      expect(frame.params.signature).toBe(vec.expected_signature);
    }
  });

  it('accepts the documented B1 request verbatim, and the mixed query + body form', async () => {
    const vec = byId('rest-hmac-ascii');
    const ts = 1499827319559;
    const v = await start({
      clockOffsetMs: ts - 500 - Date.now(),
      symbols: [{ symbol: 'LTCBTC', base: 'LTC', quote: 'BTC', tickSize: '0.000001', stepSize: '0.001', minQty: '0.001', minNotional: '0.0001' }],
      balances: { BTC: '1' },
    });
    const verbatim = await http(v, 'POST', `/api/v3/order?${vec.payload}&signature=${vec.expected_signature}`);
    expect(verbatim.status).toBe(200);
    expect(verbatim.body).toMatchObject({ symbol: 'LTCBTC', status: 'NEW', price: '0.10000000', origQty: '1.00000000' });

    // rest-api.md example 3: the payload is query + body with no separator; HMAC hex is case-insensitive.
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = `quantity=1&price=0.1&recvWindow=5000&timestamp=${ts}`;
    const mixed = await http(v, 'POST', `/api/v3/order?${query}`, { body: `${body}&signature=${sign(query + body).toUpperCase()}` });
    expect(mixed.status).toBe(200);
    expect(v.orders().map((o) => o.symbol)).toEqual(['LTCBTC', 'LTCBTC']);
  });

  it('B2: a non-ASCII symbol must be signed percent-encoded', async () => {
    const vec = byId('rest-hmac-nonascii');
    const v = await start({ clockOffsetMs: 1499827319559 - 500 - Date.now() });
    const ok = await http(v, 'POST', `/api/v3/order?${vec.payload}&signature=${vec.expected_signature}`);
    // Signature accepted, so the request reaches the symbol check.
    expect(ok.body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    const rawSigned = sign(decodeURIComponent(vec.payload));
    const bad = await http(v, 'POST', `/api/v3/order?${vec.payload}&signature=${rawSigned}`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(-1022);
  });

  it('B4: accepts the documented signed order.place frame verbatim', async () => {
    const frame = fixture('docs/ws_api_signed_request_hmac_ascii.json');
    // The frame's recvWindow is 100 ms: run the server clock just behind its timestamp.
    const v = await start({ clockOffsetMs: frame.params.timestamp - 500 - Date.now() });
    const c = await Client.open(v.wsApiUrl);
    c.send(frame);
    const res = (await c.take((f) => f.json?.id === frame.id)).json;
    expect(res.status).toBe(200);
    expect(res.result).toMatchObject({ symbol: 'BTCUSDT', side: 'SELL', status: 'NEW', price: '52000.00000000', origQty: '0.01000000' });
    c.close();
  });
});

// ---------------------------------------------------------------- REST

describe('REST orders', () => {
  it('place, query, cancel: shapes match the documentation and balances lock and unlock', async () => {
    const v = await start();
    const placed = await signed(v, 'POST', '/api/v3/order', limitBuy('50000', '0.01', { newClientOrderId: 'my-order-1' }));
    expect(placed.status).toBe(200);
    expect(keysOf(placed.body)).toEqual(keysOf(fixture('docs/rest_new_order_response_full.json')));
    expect(placed.body).toMatchObject({ clientOrderId: 'my-order-1', status: 'NEW', executedQty: '0.00000000', fills: [] });
    // Exactly price x qty is locked: nothing for the fee, which a buy pays out of the BTC it receives.
    expect(v.balances().USDT).toEqual({ free: '99500.00000000', locked: '500.00000000' });

    const byId = await signed(v, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId });
    expect(keysOf(byId.body)).toEqual(keysOf(fixture('docs/rest_query_order_response.json')));
    expect(byId.body).toMatchObject({ status: 'NEW', isWorking: true, price: '50000.00000000', origQty: '0.01000000' });
    const byClientId = await signed(v, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'my-order-1' });
    expect(byClientId.body.orderId).toBe(placed.body.orderId);

    const canceled = await signed(v, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId, newClientOrderId: 'cancel-1' });
    expect(canceled.status).toBe(200);
    expect(keysOf(canceled.body)).toEqual(keysOf(fixture('docs/rest_cancel_order_response.json')));
    expect(canceled.body).toMatchObject({ status: 'CANCELED', origClientOrderId: 'my-order-1', clientOrderId: 'cancel-1' });
    expect(v.balances().USDT).toEqual({ free: '100000.00000000', locked: '0.00000000' });
    expect(v.orders()[0]).toMatchObject({ clientOrderId: 'my-order-1', status: 'CANCELED', executedQty: '0.00000000' });

    const again = await signed(v, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId });
    expect(again.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
  });

  it('a crossing limit fills at once as taker at the touch, fee in the base asset received', async () => {
    const v = await start();
    v.bookTicker('BTCUSDT', '50000', '1', '50010', '0.5');
    const res = await signed(v, 'POST', '/api/v3/order', limitBuy('50020', '0.2'));
    expect(res.body).toMatchObject({ status: 'FILLED', executedQty: '0.20000000', cummulativeQuoteQty: '10002.00000000' });
    expect(res.body.fills).toEqual([{ price: '50010.00000000', qty: '0.20000000', commission: '0.00020000', commissionAsset: 'BTC', tradeId: 1 }]);
    // The quote asset pays exactly the notional; the lock's unused 0.2 x 10 was released.
    expect(v.balances().USDT).toEqual({ free: '89998.00000000', locked: '0.00000000' });
    expect(v.balances().BTC).toEqual({ free: '1.19980000', locked: '0.00000000' });
    const trades = await signed(v, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(keysOf(trades.body[0])).toEqual(keysOf(fixture('docs/rest_my_trades_response.json')[0]));
    expect(trades.body[0]).toMatchObject({ id: 1, price: '50010.00000000', qty: '0.20000000', commission: '0.00020000', commissionAsset: 'BTC', isBuyer: true, isMaker: false });
  });

  it('touch liquidity is consumed: IOC fills what is there and expires, FOK expires whole', async () => {
    const v = await start();
    v.bookTicker('BTCUSDT', '50000', '1', '50010', '0.5');
    const ioc = await signed(v, 'POST', '/api/v3/order', limitBuy('50010', '0.8', { timeInForce: 'IOC' }));
    expect(ioc.body).toMatchObject({ status: 'EXPIRED', executedQty: '0.50000000' });
    // The 0.5 at the ask was taken: a second IOC finds nothing.
    const second = await signed(v, 'POST', '/api/v3/order', limitBuy('50010', '0.1', { timeInForce: 'IOC' }));
    expect(second.body).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000' });
    v.bookTicker('BTCUSDT', '50000', '1', '50010', '0.5');
    const fok = await signed(v, 'POST', '/api/v3/order', limitBuy('50010', '0.8', { timeInForce: 'FOK' }));
    expect(fok.body).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000', fills: [] });
    expect(v.balances().USDT.locked).toBe('0.00000000');
  });

  it('a resting limit fills as maker at its price, up to each trade quantity', async () => {
    const v = await start();
    const placed = await signed(v, 'POST', '/api/v3/order', limitBuy('49000', '1'));
    v.trade('BTCUSDT', '49500', '3');
    expect(v.orders()[0]?.status).toBe('NEW');
    v.trade('BTCUSDT', '49000', '0.4');
    expect(v.orders()[0]).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.40000000' });
    // The part filled stops being locked: 0.6 x 49000 is still held.
    expect(v.balances().USDT).toEqual({ free: '51000.00000000', locked: '29400.00000000' });
    v.trade('BTCUSDT', '48900', '5');
    const order = v.orders()[0];
    expect(order).toMatchObject({ orderId: placed.body.orderId, status: 'FILLED', executedQty: '1.00000000', cummulativeQuoteQty: '49000.00000000' });
    expect(order?.fills.map((f) => [f.price, f.qty, f.isMaker])).toEqual([
      ['49000.00000000', '0.40000000', true],
      ['49000.00000000', '0.60000000', true],
    ]);
    // 49000 spent; 1 BTC received less its two maker fees, 0.0004 + 0.0006 BTC.
    expect(order?.fills.map((f) => [f.commission, f.commissionAsset])).toEqual([
      ['0.00040000', 'BTC'],
      ['0.00060000', 'BTC'],
    ]);
    expect(v.balances().USDT).toEqual({ free: '51000.00000000', locked: '0.00000000' });
    expect(v.balances().BTC.free).toBe('1.99900000');
  });

  it("market orders: 'last-trade' fills at the last trade, quoteOrderQty sets the quantity, no price expires", async () => {
    const v = await start();
    const none = await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    expect(none.body).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000' });
    v.trade('BTCUSDT', '50000', '0.001');
    const buy = await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.1' });
    expect(buy.body).toMatchObject({ status: 'FILLED', price: '0.00000000', timeInForce: 'GTC', cummulativeQuoteQty: '5000.00000000' });
    const quote = await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quoteOrderQty: '1000' });
    expect(quote.body).toMatchObject({ status: 'FILLED', origQty: '0.02000000', origQuoteOrderQty: '1000.00000000' });
    // +0.1 less its 0.0001 fee, then -0.02; the sell's 1 USDT fee comes out of its 1000 USDT.
    expect(v.balances().BTC.free).toBe('1.07990000');
    expect(v.balances().USDT.free).toBe('95999.00000000');
  });

  it("market orders: 'next-trade' rest until the next print and fill whole at its price", async () => {
    const v = await start({ marketFillRule: 'next-trade' });
    const sell = await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.1' });
    expect(sell.body).toMatchObject({ status: 'NEW' });
    expect(v.balances().BTC).toEqual({ free: '0.90000000', locked: '0.10000000' });
    v.trade('BTCUSDT', '50100', '0.01');
    expect(v.orders()[0]).toMatchObject({ status: 'FILLED', executedQty: '0.10000000', cummulativeQuoteQty: '5010.00000000' });
    expect(v.balances().USDT.free).toBe('105004.99000000');
  });

  it('LIMIT_MAKER is rejected when it would take, otherwise rests (ACK by default)', async () => {
    const v = await start();
    v.bookTicker('BTCUSDT', '50000', '1', '50010', '1');
    const take = await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', price: '50010', quantity: '0.01' });
    expect(take.status).toBe(400);
    expect(take.body).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
    const rest = await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', price: '50005', quantity: '0.01' });
    expect(keysOf(rest.body)).toEqual(keysOf(fixture('docs/rest_new_order_response_ack.json')));
    const result = await signed(v, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      price: '50004',
      quantity: '0.01',
      newOrderRespType: 'RESULT',
    });
    expect(keysOf(result.body)).toEqual(keysOf(fixture('docs/rest_new_order_response_result.json')));
    expect(result.body).toMatchObject({ type: 'LIMIT_MAKER', timeInForce: 'GTC', status: 'NEW' });
    expect(v.orders().map((o) => [o.type, o.status])).toEqual([
      ['LIMIT_MAKER', 'NEW'],
      ['LIMIT_MAKER', 'NEW'],
    ]);
  });

  it('cancelReplace: success, -2022 when the cancel fails, -2021 when only the new order fails', async () => {
    const v = await start({ balances: { USDT: '1000', BTC: '0' } });
    const first = await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.02', { newClientOrderId: 'a1' }));
    const replace = {
      ...limitBuy('40100', '0.02', { newClientOrderId: 'a1' }),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(first.body.orderId),
    };
    const ok = await signed(v, 'POST', '/api/v3/order/cancelReplace', replace);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      cancelResult: 'SUCCESS',
      newOrderResult: 'SUCCESS',
      cancelResponse: { status: 'CANCELED', origClientOrderId: 'a1' },
      newOrderResponse: { status: 'NEW', clientOrderId: 'a1', price: '40100.00000000' },
    });
    const stale = await signed(v, 'POST', '/api/v3/order/cancelReplace', replace);
    expect(stale.status).toBe(400);
    expect(stale.body).toEqual({
      code: -2022,
      msg: 'Order cancel-replace failed.',
      data: { cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse: { code: -2011, msg: 'Unknown order sent.' }, newOrderResponse: null },
    });
    const second = v.orders()[1];
    const tooBig = await signed(v, 'POST', '/api/v3/order/cancelReplace', {
      ...limitBuy('40000', '0.5'),
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrderId: String(second?.orderId),
    });
    expect(tooBig.status).toBe(409);
    expect(tooBig.body).toMatchObject({
      code: -2021,
      data: { cancelResult: 'SUCCESS', newOrderResult: 'FAILURE', newOrderResponse: { code: -2010, msg: 'Account has insufficient balance for requested action.' } },
    });
    expect(v.orders().map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
  });

  it('openOrders lists open orders; DELETE openOrders cancels them all, then -2011', async () => {
    await awayFromWindowEdge();
    const v = await start();
    await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'));
    await signed(v, 'POST', '/api/v3/order', limitBuy('41000', '0.01'));
    const open = await signed(v, 'GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body.map((o: Json) => o.price)).toEqual(['40000.00000000', '41000.00000000']);
    expect(open.headers['x-mbx-used-weight-1m']).toBe('8');
    const all = await signed(v, 'DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(all.body.map((o: Json) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    const none = await signed(v, 'DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(none.body.code).toBe(-2011);
    const history = await signed(v, 'GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' });
    expect(history.body).toHaveLength(2);
  });

  it('account lists balances with the documented fields', async () => {
    const v = await start();
    const acct = await signed(v, 'GET', '/api/v3/account', { omitZeroBalances: 'true' });
    expect(keysOf(acct.body)).toEqual(keysOf(fixture('docs/rest_account_response.json')));
    expect(acct.body.balances).toEqual([
      { asset: 'USDT', free: '100000.00000000', locked: '0.00000000' },
      { asset: 'BTC', free: '1.00000000', locked: '0.00000000' },
      { asset: 'ETH', free: '10.00000000', locked: '0.00000000' },
    ]);
    expect(acct.body.commissionRates).toMatchObject({ maker: '0.00100000', taker: '0.00100000' });
  });
});

describe('fees, locks and balance events, as Binance does them', () => {
  const marketBuy = (quantity: string) => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity });
  const marketSell = (quantity: string) => ({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity });

  /** A WebSocket API client subscribed to the account's user data. */
  async function subscribed(v: FakeBinance): Promise<Client> {
    const c = await Client.open(v.wsApiUrl);
    await c.call('userDataStream.subscribe.signature', wsSigned({}));
    return c;
  }

  it('a buy of 0.001 BTC at 0.1% credits exactly 0.000999 BTC: the commission is in the asset received', async () => {
    const v = await start({ balances: { USDT: '1000', BTC: '0' } });
    const c = await subscribed(v);
    v.trade('BTCUSDT', '50000', '1');
    const res = await signed(v, 'POST', '/api/v3/order', marketBuy('0.001'));
    expect(res.body).toMatchObject({ status: 'FILLED', executedQty: '0.00100000', cummulativeQuoteQty: '50.00000000' });
    expect(res.body.fills).toEqual([{ price: '50000.00000000', qty: '0.00100000', commission: '0.00000100', commissionAsset: 'BTC', tradeId: 2 }]);
    expect(v.balances().BTC).toEqual({ free: '0.00099900', locked: '0.00000000' });
    expect(v.balances().USDT).toEqual({ free: '950.00000000', locked: '0.00000000' });

    await c.event('executionReport');
    const trade = (await c.event('executionReport')).event;
    expect(trade).toMatchObject({ x: 'TRADE', l: '0.00100000', n: '0.00000100', N: 'BTC' });
    const position = (await c.event('outboundAccountPosition')).event;
    expect(position.B).toEqual([
      { a: 'USDT', f: '950.00000000', l: '0.00000000' },
      { a: 'BTC', f: '0.00099900', l: '0.00000000' },
    ]);
    const trades = await signed(v, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.body).toEqual([expect.objectContaining({ qty: '0.00100000', commission: '0.00000100', commissionAsset: 'BTC', isBuyer: true })]);
    c.close();
  });

  it('a sell pays its commission in the quote asset received', async () => {
    const v = await start({ balances: { USDT: '0', BTC: '1' } });
    v.trade('BTCUSDT', '50000', '1');
    const res = await signed(v, 'POST', '/api/v3/order', marketSell('0.001'));
    expect(res.body.fills).toEqual([expect.objectContaining({ commission: '0.05000000', commissionAsset: 'USDT' })]);
    expect(v.balances().USDT).toEqual({ free: '49.95000000', locked: '0.00000000' });
    expect(v.balances().BTC).toEqual({ free: '0.99900000', locked: '0.00000000' });
  });

  it('commissions are rounded half-even to the 8 places of the commission precision', async () => {
    // 0.0001 BTC x 0.00075 = 0.000000075 -> 0.00000008 (to the even digit); 0.0003 x 0.00075 = 0.000000225 -> 0.00000022.
    const v = await start({ balances: { USDT: '1000', BTC: '0' }, takerCommission: '0.00075' });
    v.trade('BTCUSDT', '50000', '1');
    const one = await signed(v, 'POST', '/api/v3/order', marketBuy('0.0001'));
    const three = await signed(v, 'POST', '/api/v3/order', marketBuy('0.0003'));
    expect([one.body.fills[0].commission, three.body.fills[0].commission]).toEqual(['0.00000008', '0.00000022']);
    expect(v.balances().BTC.free).toBe('0.00039970');
  });

  it('a resting LIMIT buy locks price x qty of the quote asset, releases it as it fills, and closing releases the rest', async () => {
    const v = await start({ balances: { USDT: '100000', BTC: '0' } });
    const c = await subscribed(v);
    const placed = await signed(v, 'POST', '/api/v3/order', limitBuy('50000', '1'));
    expect(v.balances().USDT).toEqual({ free: '50000.00000000', locked: '50000.00000000' });
    expect((await c.event('outboundAccountPosition')).event.B).toEqual([{ a: 'USDT', f: '50000.00000000', l: '50000.00000000' }]);

    v.trade('BTCUSDT', '50000', '0.25');
    expect(v.balances().USDT).toEqual({ free: '50000.00000000', locked: '37500.00000000' });
    expect(v.balances().BTC).toEqual({ free: '0.24975000', locked: '0.00000000' });
    expect((await c.event('outboundAccountPosition')).event.B).toEqual([
      { a: 'USDT', f: '50000.00000000', l: '37500.00000000' },
      { a: 'BTC', f: '0.24975000', l: '0.00000000' },
    ]);

    await signed(v, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: placed.body.orderId });
    expect(v.balances().USDT).toEqual({ free: '87500.00000000', locked: '0.00000000' });
    expect((await c.event('outboundAccountPosition')).event.B).toEqual([{ a: 'USDT', f: '87500.00000000', l: '0.00000000' }]);
    c.close();
  });

  it('a buy that fills below its limit releases the unused part of that fill at once', async () => {
    const v = await start({ balances: { USDT: '100000', BTC: '0' } });
    v.bookTicker('BTCUSDT', '49990', '1', '50000', '0.4');
    await signed(v, 'POST', '/api/v3/order', limitBuy('50100', '1'));
    // 0.4 filled at 50000 (20000 spent); the rest stays locked at the limit price: 0.6 x 50100.
    expect(v.balances().USDT).toEqual({ free: '49940.00000000', locked: '30060.00000000' });
    expect(v.balances().BTC.free).toBe('0.39960000');
  });

  it('a resting sell locks the base quantity and releases it as it fills', async () => {
    const v = await start({ balances: { USDT: '0', BTC: '1' } });
    await signed(v, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', price: '60000', quantity: '0.5' });
    expect(v.balances().BTC).toEqual({ free: '0.50000000', locked: '0.50000000' });
    v.trade('BTCUSDT', '60000', '0.2');
    expect(v.balances().BTC).toEqual({ free: '0.50000000', locked: '0.30000000' });
    expect(v.balances().USDT).toEqual({ free: '11988.00000000', locked: '0.00000000' });
  });

  it('a buy needs only the notional: with exactly price x qty free it is accepted and filled', async () => {
    const v = await start({ balances: { USDT: '500', BTC: '0' } });
    const ok = await signed(v, 'POST', '/api/v3/order', limitBuy('50000', '0.01'));
    expect(ok.status).toBe(200);
    const short = await signed(v, 'POST', '/api/v3/order', limitBuy('50000', '0.0001'));
    expect(short.body).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
    v.trade('BTCUSDT', '50000', '1');
    expect(v.balances().USDT).toEqual({ free: '0.00000000', locked: '0.00000000' });
    expect(v.balances().BTC.free).toBe('0.00999000');
  });

  describe('paying fees in BNB', () => {
    const bnb = (balance: string, extra: Partial<FakeBinanceOptions> = {}): FakeBinanceOptions => ({
      balances: { USDT: '100000', BTC: '1', BNB: balance },
      payFeesInBnb: true,
      bnbPrices: { USDT: '500' },
      ...extra,
    });

    it('a buy pays the commission in BNB, converted at the BNB price and 25% off; the base asset is credited whole', async () => {
      const v = await start(bnb('1'));
      const c = await subscribed(v);
      v.trade('BTCUSDT', '50000', '1');
      const res = await signed(v, 'POST', '/api/v3/order', marketBuy('0.1'));
      // 0.0001 BTC = 5 USDT = 0.01 BNB at 500, less 25%: 0.0075 BNB.
      expect(res.body.fills).toEqual([expect.objectContaining({ commission: '0.00750000', commissionAsset: 'BNB' })]);
      expect(v.balances().BTC.free).toBe('1.10000000');
      expect(v.balances().BNB.free).toBe('0.99250000');
      await c.event('executionReport');
      expect((await c.event('executionReport')).event).toMatchObject({ n: '0.00750000', N: 'BNB' });
      expect((await c.event('outboundAccountPosition')).event.B.map((b: Json) => b.a).sort()).toEqual(['BNB', 'BTC', 'USDT']);
      const trades = await signed(v, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
      expect(trades.body[0]).toMatchObject({ commission: '0.00750000', commissionAsset: 'BNB' });
      c.close();
    });

    it('a sell pays in BNB too, and the discount is configurable', async () => {
      const v = await start(bnb('1', { bnbDiscount: '0.1' }));
      v.trade('BTCUSDT', '50000', '1');
      const res = await signed(v, 'POST', '/api/v3/order', marketSell('0.1'));
      // 5 USDT = 0.01 BNB, less 10%.
      expect(res.body.fills).toEqual([expect.objectContaining({ commission: '0.00900000', commissionAsset: 'BNB' })]);
      expect(v.balances().USDT.free).toBe('105000.00000000');
      expect(v.balances().BNB.free).toBe('0.99100000');
    });

    it('when free BNB is short, the full commission comes out of the asset received', async () => {
      const v = await start(bnb('0.005'));
      v.trade('BTCUSDT', '50000', '1');
      const res = await signed(v, 'POST', '/api/v3/order', marketBuy('0.1'));
      expect(res.body.fills).toEqual([expect.objectContaining({ commission: '0.00010000', commissionAsset: 'BTC' })]);
      expect(v.balances().BTC.free).toBe('1.09990000');
      expect(v.balances().BNB.free).toBe('0.00500000');
    });

    it('the account and commission endpoints report the discount', async () => {
      const v = await start(bnb('1'));
      const rates = await signed(v, 'GET', '/api/v3/account/commission', { symbol: 'BTCUSDT' });
      expect(rates.status).toBe(200);
      expect(rates.body.discount).toEqual({ enabledForAccount: true, enabledForSymbol: true, discountAsset: 'BNB', discount: '0.25000000' });
      expect(rates.body.standardCommission).toMatchObject({ maker: '0.00100000', taker: '0.00100000' });
      const off = await start();
      expect((await signed(off, 'GET', '/api/v3/account/commission', { symbol: 'BTCUSDT' })).body.discount.enabledForAccount).toBe(false);
    });

    it('needs a BNB price for every quote asset to convert commissions', async () => {
      await expect(startFakeBinance({ payFeesInBnb: true })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('bnbPrices') });
    });
  });

  it('deposit and withdraw send balanceUpdate, then outboundAccountPosition', async () => {
    const v = await start();
    const c = await subscribed(v);
    v.deposit('BTC', '0.5');
    expect((await c.event('outboundAccountPosition')).event.B).toEqual([{ a: 'BTC', f: '1.50000000', l: '0.00000000' }]);
    const update = await c.event('balanceUpdate');
    expect(c.eventLog).toEqual(['balanceUpdate', 'outboundAccountPosition']);
    expect(keysOf(update)).toEqual(keysOf(fixture('docs/uds_balance_update.json')));
    expect(keysOf(update.event)).toEqual(keysOf(fixture('docs/uds_balance_update.json').event));
    expect(update.event).toMatchObject({ e: 'balanceUpdate', a: 'BTC', d: '0.50000000' });
    expect(update.event.T).toBeLessThanOrEqual(update.event.E);

    v.withdraw('USDT', '100');
    expect((await c.event('balanceUpdate')).event).toMatchObject({ a: 'USDT', d: '-100.00000000' });
    expect((await c.event('outboundAccountPosition')).event.B).toEqual([{ a: 'USDT', f: '99900.00000000', l: '0.00000000' }]);
    expect(v.balances().USDT).toEqual({ free: '99900.00000000', locked: '0.00000000' });

    v.deposit('BNB', '2');
    const acct = await signed(v, 'GET', '/api/v3/account', { omitZeroBalances: 'true' });
    expect(acct.body.balances).toContainEqual({ asset: 'BNB', free: '2.00000000', locked: '0.00000000' });

    // Locked funds cannot be withdrawn.
    await signed(v, 'POST', '/api/v3/order', limitBuy('50000', '1'));
    expect(() => v.withdraw('USDT', '50000')).toThrow(/only 49900\.00000000 is free/);
    expect(() => v.deposit('BTC', '0')).toThrow(/above 0/);
    c.close();
  });

  it('GET /api/v3/account returns the uid: the documented example by default, or the one given', async () => {
    const v = await start();
    const acct = await signed(v, 'GET', '/api/v3/account', {});
    expect(acct.body.uid).toBe(DEFAULT_ACCOUNT_UID);
    expect(DEFAULT_ACCOUNT_UID).toBe(fixture('docs/rest_account_response.json').uid);
    const other = await start({ accountUid: 42 });
    expect((await signed(other, 'GET', '/api/v3/account', {})).body.uid).toBe(42);
  });
});

describe('REST errors, with Binance codes and messages', () => {
  it('order validation', async () => {
    const v = await start({
      symbols: [
        { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', minNotional: '5' },
        { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', minNotional: '5', notionalFilters: ['MIN_NOTIONAL'] },
      ],
    });
    const post = (p: Record<string, string>) => signed(v, 'POST', '/api/v3/order', p);
    expect((await post(limitBuy('50000', '0.01', { symbol: 'DOGEUSDT' }))).body).toEqual(fixture('docs/rest_error_example.json'));
    expect((await post(limitBuy('50000.000000001', '0.01'))).body).toEqual({ code: -1111, msg: "Parameter 'price' has too much precision." });
    expect((await post(limitBuy('50000.5', '0.01', { price: '0.001' }))).body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect((await post(limitBuy('50000.015', '0.01'))).body.code).toBe(-1013);
    expect((await post(limitBuy('50000', '0.000015'))).body).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect((await post(limitBuy('100', '0.01'))).body).toEqual({ code: -1013, msg: 'Filter failure: NOTIONAL' });
    expect((await post(limitBuy('100', '0.01', { symbol: 'ETHUSDT' }))).body).toEqual({ code: -1013, msg: 'Filter failure: MIN_NOTIONAL' });
    expect((await post(limitBuy('50000', '10'))).body).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
    const { quantity: _q, ...noQty } = limitBuy('50000', '0.01');
    expect((await post(noQty)).body).toEqual({ code: -1102, msg: "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed." });
    const { timeInForce: _t, ...noTif } = limitBuy('50000', '0.01');
    expect((await post(noTif)).body.code).toBe(-1102);
    expect((await post(limitBuy('50000', '0.01', { qty: '1' }))).body).toEqual({
      code: -1104,
      msg: "Not all sent parameters were read; read '7' parameter(s) but was sent '8'.",
    });
    expect((await post(limitBuy('50000', 'abc'))).body.code).toBe(-1100);
    expect((await post({ ...limitBuy('50000', '0.01'), side: 'HOLD' })).body).toEqual({ code: -1117, msg: 'Invalid side.' });
    expect((await post({ ...limitBuy('50000', '0.01'), type: 'STOP_LOSS_LIMIT' })).body).toEqual({
      code: -2010,
      msg: 'Stop loss limit orders are not supported for this symbol.',
    });
    expect((await post(limitBuy('50000', '0.01', { newClientOrderId: 'dup' }))).status).toBe(200);
    expect((await post(limitBuy('50000', '0.01', { newClientOrderId: 'dup' }))).body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    expect(v.orders()).toHaveLength(1);
  });

  it('unknown orders: cancel -2011, query -2013, neither id -1102', async () => {
    const v = await start();
    expect((await signed(v, 'DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: 999 })).body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    expect((await signed(v, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).body).toEqual({ code: -2013, msg: 'Order does not exist.' });
    expect((await signed(v, 'GET', '/api/v3/order', { symbol: 'BTCUSDT' })).body).toEqual({
      code: -1102,
      msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    });
  });

  it('authentication: bad signature -1022, unknown key -2015 (401), missing key -2014, missing timestamp -1102', async () => {
    const v = await start();
    const bad = await signed(v, 'GET', '/api/v3/account', {}, { secret: 'not-the-secret' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
    const key = await signed(v, 'GET', '/api/v3/account', {}, { apiKey: 'someone-else' });
    expect(key.status).toBe(401);
    expect(key.body).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    expect((await signed(v, 'GET', '/api/v3/account', {}, { apiKey: null })).body.code).toBe(-2014);
    const qs = 'omitZeroBalances=true';
    expect((await http(v, 'GET', `/api/v3/account?${qs}&signature=${sign(qs)}`)).body).toEqual({
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    });
  });

  it('timing: -1021 ahead of the server and outside recvWindow; recvWindow over 60000 refused', async () => {
    const behind = await start({ clockOffsetMs: -5000 });
    expect((await signed(behind, 'GET', '/api/v3/account', {})).body).toEqual({
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    const v = await start();
    expect((await signed(v, 'GET', '/api/v3/account', {})).status).toBe(200);
    v.faults.skewClock(10_000);
    expect((await signed(v, 'GET', '/api/v3/account', {})).body).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    expect((await signed(v, 'GET', '/api/v3/account', { recvWindow: 15000 })).status).toBe(200);
    expect((await signed(v, 'GET', '/api/v3/account', { recvWindow: 60001 })).body.code).toBe(-1102);
  });

  it('the retired listenKey endpoints answer -1016', async () => {
    const v = await start();
    const res = await http(v, 'POST', '/api/v3/userDataStream');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: -1016, msg: 'This service is no longer available.' });
  });
});

describe('REST market data and exchangeInfo', () => {
  it('exchangeInfo filters are shaped like the documented filter objects', async () => {
    const v = await start();
    const info = await http(v, 'GET', '/api/v3/exchangeInfo?symbol=BTCUSDT');
    expect(info.body.symbols).toHaveLength(1);
    const sym = info.body.symbols[0];
    const skeleton = fixture('docs/rest_exchange_info_skeleton.json');
    // `sors` only appears for symbols routed by the smart order router.
    expect(keysOf(info.body)).toEqual(keysOf(skeleton).filter((k) => k !== 'sors'));
    expect(keysOf(sym)).toEqual(keysOf(skeleton.symbols[0]));
    for (const name of ['PRICE_FILTER', 'LOT_SIZE', 'MARKET_LOT_SIZE', 'NOTIONAL', 'MIN_NOTIONAL', 'MAX_NUM_ORDERS']) {
      const ours = sym.filters.find((f: Json) => f.filterType === name);
      const theirs = fixture(`docs/filter_${name}.json`);
      expect(keysOf(ours)).toEqual(keysOf(theirs));
      for (const k of Object.keys(theirs)) expect(typeof ours[k]).toBe(typeof theirs[k]);
    }
    expect(sym.filters.find((f: Json) => f.filterType === 'PRICE_FILTER')).toEqual({
      filterType: 'PRICE_FILTER',
      minPrice: '0.01000000',
      maxPrice: '1000000.00000000',
      tickSize: '0.01000000',
    });
    expect(info.body.rateLimits[0]).toEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 });
    expect((await http(v, 'GET', '/api/v3/exchangeInfo?symbol=NOPE')).body.code).toBe(-1121);
  });

  it('bookTicker serves the last quote; klines serve published klines', async () => {
    const v = await start();
    v.bookTicker('BTCUSDT', '50000', '1.5', '50001', '2');
    const bt = await http(v, 'GET', '/api/v3/ticker/bookTicker?symbol=BTCUSDT');
    expect(keysOf(bt.body)).toEqual(keysOf(fixture('docs/rest_book_ticker_single.json')));
    expect(bt.body).toEqual({ symbol: 'BTCUSDT', bidPrice: '50000.00000000', bidQty: '1.50000000', askPrice: '50001.00000000', askQty: '2.00000000' });
    const t0 = 1_700_000_040_000;
    v.kline('BTCUSDT', '1m', { t: t0, o: '1', h: '3', l: '0.5', c: '2', v: '10', closed: true });
    v.kline('BTCUSDT', '1m', { t: t0 + 60_000, o: '2', h: '2', l: '2', c: '2', v: '0', closed: false });
    const k = await http(v, 'GET', `/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${t0}`);
    expect(k.body).toHaveLength(2);
    expect(k.body[0]).toEqual([t0, '1.00000000', '3.00000000', '0.50000000', '2.00000000', '10.00000000', t0 + 59_999, '0.00000000', 0, '0.00000000', '0.00000000', '0']);
    expect((await http(v, 'GET', '/api/v3/klines?symbol=BTCUSDT&interval=7m')).body.code).toBe(-1120);
  });
});

describe('weights, rate limits and faults', () => {
  it('every response carries the used weight; orders carry order counts', async () => {
    await awayFromWindowEdge();
    await awayFromWindowEdge(10_000, 2000);
    const v = await start();
    const ping = await http(v, 'GET', '/api/v3/ping');
    expect(ping.headers['x-mbx-used-weight-1m']).toBe('1');
    expect(ping.headers['x-mbx-used-weight']).toBe('1');
    const info = await http(v, 'GET', '/api/v3/exchangeInfo');
    expect(info.headers['x-mbx-used-weight-1m']).toBe('21');
    await http(v, 'GET', '/api/v3/depth?symbol=BTCUSDT&limit=500');
    const order = await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'));
    expect(order.headers['x-mbx-used-weight-1m']).toBe('47');
    expect(order.headers['x-mbx-order-count-10s']).toBe('1');
    expect(order.headers['x-mbx-order-count-1d']).toBe('1');
    expect(ping.headers['x-mbx-order-count-10s']).toBeUndefined();
  });

  it('exceeding the weight limit answers 429 -1003 with Retry-After', async () => {
    await awayFromWindowEdge();
    const v = await start({ weightLimitPerMinute: 30 });
    expect((await http(v, 'GET', '/api/v3/exchangeInfo')).status).toBe(200);
    const over = await http(v, 'GET', '/api/v3/exchangeInfo');
    expect(over.status).toBe(429);
    expect(over.body.code).toBe(-1003);
    expect(over.body.msg).toContain('current limit is 30 request weight per 1 MINUTE');
    const retry = Number(over.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
  });

  it('the ORDERS limit answers 429 -1015', async () => {
    await awayFromWindowEdge(10_000, 2000);
    const v = await start({ orderLimitPer10s: 1 });
    expect((await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'))).status).toBe(200);
    const over = await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'));
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ code: -1015, msg: 'Too many new orders; current limit is 1 orders per 10 SECOND.' });
  });

  it('429 then, for a client that ignores Retry-After, 418 with the ban time', async () => {
    const v = await start();
    v.faults.rateLimit(1, { retryAfterSec: 30, escalateTo418AfterIgnored: 2, banSec: 90 });
    const first = await http(v, 'GET', '/api/v3/ping');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('30');
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(429);
    expect((await http(v, 'GET', '/api/v3/time')).status).toBe(429);
    const banned = await http(v, 'GET', '/api/v3/ping');
    expect(banned.status).toBe(418);
    expect(banned.body.code).toBe(-1003);
    expect(banned.body.msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
    expect(Number(banned.headers['retry-after'])).toBeGreaterThan(85);
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(418);
  });

  it('counted 429s without escalation, consumed in order with other faults', async () => {
    const v = await start();
    v.faults.rateLimit(2);
    v.faults.serverError(1, 500);
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(429);
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(429);
    const err = await http(v, 'GET', '/api/v3/ping');
    expect(err.status).toBe(500);
    expect(err.body).toEqual({ code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(200);
  });

  it('serverError: 5xx and the order was not placed', async () => {
    const v = await start();
    v.faults.serverError(1);
    const res = await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01', { newClientOrderId: 'five-xx' }));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe(-1007);
    expect(v.orders()).toEqual([]);
    expect((await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01', { newClientOrderId: 'five-xx' }))).status).toBe(200);
  });

  it('acceptThenTimeout: no response, but the order was placed', async () => {
    const v = await start();
    v.faults.acceptThenTimeout(1);
    await http(v, 'GET', '/api/v3/ping'); // not an order: untouched, the fault stays armed
    await expect(signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01', { newClientOrderId: 'lost-ack' }), { headersTimeout: 300 })).rejects.toThrow();
    expect(v.orders().map((o) => [o.clientOrderId, o.status])).toEqual([['lost-ack', 'NEW']]);
    const q = await signed(v, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'lost-ack' });
    expect(q.body.status).toBe('NEW');
  });

  it('dropRequest: connection destroyed and the order was not placed', async () => {
    const v = await start();
    v.faults.dropRequest(1);
    await expect(signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'))).rejects.toThrow();
    expect(v.orders()).toEqual([]);
    expect(v.requests().map((r) => r.path)).toEqual(['/api/v3/order']);
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(200);
  });

  it('delayResponses holds answers back', async () => {
    const v = await start();
    v.faults.delayResponses(200);
    const t0 = Date.now();
    expect((await http(v, 'GET', '/api/v3/ping')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('the request log has params without the signature', async () => {
    const v = await start();
    await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'));
    const [r] = v.requests();
    expect(r).toMatchObject({ method: 'POST', path: '/api/v3/order', params: { symbol: 'BTCUSDT', price: '40000', quantity: '0.01' } });
    expect(r?.params).not.toHaveProperty('signature');
    expect(r?.params.timestamp).toMatch(/^\d{13}$/);
  });
});

// ---------------------------------------------------------------- WebSocket API

describe('WebSocket API', () => {
  it('ping, time, unknown method, bad JSON', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    expect(await c.call('ping', undefined, 1)).toMatchObject({ id: 1, status: 200, result: {} });
    const time = await c.call('v3/time', {}, 'abc');
    expect(time.result.serverTime).toBeGreaterThan(1_600_000_000_000);
    expect(time.rateLimits[0]).toMatchObject({ rateLimitType: 'REQUEST_WEIGHT', limit: 6000 });
    expect((await c.call('nope.nothing', {}, 2)).error.code).toBe(-1020);
    c.ws.send('{not json');
    const bad = await c.take((f) => f.json?.status === 400 && f.json.id === null);
    expect(bad.json.error.code).toBe(-1135);
    c.close();
  });

  it('user data subscription receives execution reports and balance updates for a fill', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    const sub = await c.call('userDataStream.subscribe.signature', wsSigned({}), 'd3df8a22-98ea-4fe0-9f4e-0fcea5d418b7');
    expect(sub).toMatchObject(fixture('docs/ws_api_userDataStream_subscribe_signature_response.json'));
    expect((await c.call('session.subscriptions')).result).toEqual([{ subscriptionId: 0 }]);
    v.bookTicker('BTCUSDT', '50000', '1', '50010', '1');
    const placed = await c.call('order.place', wsSigned({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: '50010', quantity: '0.1', newClientOrderId: 'ws-1' }));
    expect(placed.status).toBe(200);
    expect(placed.result).toMatchObject({ clientOrderId: 'ws-1', status: 'FILLED' });
    const documented = fixture('docs/ws_api_response_success_example.json');
    expect(keysOf(placed)).toEqual(keysOf(documented));
    expect(placed.rateLimits.map((r: Json) => keysOf(r))).toEqual(documented.rateLimits.map((r: Json) => keysOf(r)));
    expect(placed.rateLimits.map((r: Json) => r.rateLimitType)).toEqual(['ORDERS', 'ORDERS', 'REQUEST_WEIGHT']);

    const news = await c.event('executionReport');
    const trade = await c.event('executionReport');
    const position = await c.event('outboundAccountPosition');
    const reference = fixture('docs/uds_execution_report.json');
    expect(news.subscriptionId).toBe(0);
    // `v` (prevented match id) only appears after self-trade prevention.
    expect(keysOf(news.event)).toEqual(keysOf(reference.event).filter((k) => k !== 'v'));
    expect(news.event).toMatchObject({ x: 'NEW', X: 'NEW', c: 'ws-1', z: '0.00000000', t: -1, N: null });
    expect(trade.event).toMatchObject({ x: 'TRADE', X: 'FILLED', l: '0.10000000', L: '50010.00000000', n: '0.00010000', N: 'BTC', m: false, i: placed.result.orderId });
    expect(trade.event.I).toBeGreaterThan(news.event.I);
    expect(keysOf(position.event)).toEqual(keysOf(fixture('docs/uds_outbound_account_position.json').event));
    expect(position.event.B).toEqual(
      expect.arrayContaining([
        { a: 'USDT', f: '94999.00000000', l: '0.00000000' },
        { a: 'BTC', f: '1.09990000', l: '0.00000000' },
      ]),
    );

    const resting = await c.call('order.place', wsSigned({ ...limitBuy('40000', '0.01'), newOrderRespType: 'RESULT' }));
    expect(keysOf(resting.result)).toEqual(keysOf(documented.result));
    expect((await c.event('executionReport')).event).toMatchObject({ x: 'NEW', i: resting.result.orderId, w: true });

    // Orders placed over REST report to the same subscription; status and cancel work over the WebSocket API.
    const rest = await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'));
    expect((await c.event('executionReport')).event).toMatchObject({ x: 'NEW', i: rest.body.orderId });
    const status = await c.call('order.status', wsSigned({ symbol: 'BTCUSDT', orderId: rest.body.orderId }));
    expect(status.result.status).toBe('NEW');
    const cancel = await c.call('order.cancel', wsSigned({ symbol: 'BTCUSDT', orderId: rest.body.orderId, newClientOrderId: 'stop-it' }));
    expect(cancel.result).toMatchObject({ status: 'CANCELED', clientOrderId: 'stop-it' });
    expect((await c.event('executionReport')).event).toMatchObject({ x: 'CANCELED', c: 'stop-it', C: rest.body.clientOrderId });
    c.close();
  });

  it('one subscription per connection; unsubscribe ends it with eventStreamTerminated', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    await c.call('userDataStream.subscribe.signature', wsSigned({}));
    expect((await c.call('userDataStream.subscribe.signature', wsSigned({}))).error.code).toBe(-2035);
    expect(await c.call('userDataStream.unsubscribe')).toMatchObject({ status: 200, result: {} });
    expect((await c.event('eventStreamTerminated')).subscriptionId).toBe(0);
    expect((await c.call('userDataStream.unsubscribe')).error.code).toBe(-2036);
    expect((await c.call('userDataStream.start', { apiKey: FAKE_API_KEY })).error).toEqual({ code: -1016, msg: 'This service is no longer available.' });
    c.close();
  });

  it('signed methods check the signature', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    const bad = await c.call('userDataStream.subscribe.signature', wsSigned({}, 'wrong-secret'));
    expect(bad).toMatchObject({ status: 400, error: { code: -1022 } });
    const unsigned = await c.call('order.place', { symbol: 'BTCUSDT', apiKey: FAKE_API_KEY, timestamp: Date.now() });
    expect(unsigned.error).toEqual({ code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." });
    c.close();
  });

  it('duplicateNextExecutionReports sends the reports twice with the first two swapped', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    await c.call('userDataStream.subscribe.signature', wsSigned({}));
    v.bookTicker('BTCUSDT', '50000', '1', '50010', '1');
    v.faults.duplicateNextExecutionReports();
    await signed(v, 'POST', '/api/v3/order', limitBuy('50010', '0.1'));
    const xs: string[] = [];
    for (let i = 0; i < 4; i++) xs.push((await c.event('executionReport')).event.x);
    expect(xs).toEqual(['TRADE', 'NEW', 'TRADE', 'NEW']);
    await c.event('outboundAccountPosition');
    // Consumed: the next order reports once, in order.
    await signed(v, 'POST', '/api/v3/order', limitBuy('40000', '0.01'));
    await c.event('outboundAccountPosition');
    expect(c.frames.filter((f) => f.json?.event?.e === 'executionReport').map((f) => f.json.event.x)).toEqual(['NEW']);
    c.close();
  });

  it('malformedFrame(userData) sends a schema-breaking event', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    await c.call('userDataStream.subscribe.signature', wsSigned({}));
    expect(v.faults.malformedFrame('userData')).toBe(1);
    const f = await c.take((x) => x.json?.event?.e === 'executionReport');
    expect(typeof f.json.event.E).toBe('string');
    c.close();
  });

  it('rate-limit faults apply to WebSocket API requests: 429 and 418 carry retryAfter', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    v.faults.rateLimit(1, { retryAfterSec: 7 });
    const limited = await c.call('ping');
    expect(limited.status).toBe(429);
    expect(limited.error.data.retryAfter - limited.error.data.serverTime).toBe(7000);
    v.faults.rateLimit(1, { escalateTo418AfterIgnored: 0, retryAfterSec: 30 });
    await c.call('ping');
    const banned = await c.call('time');
    expect(banned.status).toBe(418);
    expect(keysOf(banned.error.data)).toEqual(keysOf(fixture('docs/ws_api_ip_banned_418_response.json').error.data));
    expect(banned.error.msg).toMatch(/^Way too much request weight used; IP banned until \d+\./);
  });

  it('dropRequest on the WebSocket API closes the socket without placing the order', async () => {
    const v = await start();
    const c = await Client.open(v.wsApiUrl);
    v.faults.dropRequest(1);
    c.send({ id: 9, method: 'order.place', params: wsSigned(limitBuy('40000', '0.01')) });
    await c.closed;
    expect(v.orders()).toEqual([]);
  });
});

// ---------------------------------------------------------------- market streams

describe('market streams', () => {
  it('raw /ws/<stream> delivers unwrapped payloads shaped like the documentation', async () => {
    const v = await start();
    const c = await Client.open(`${v.streamUrl}/ws/btcusdt@trade`);
    v.trade('BTCUSDT', '50000', '0.5', true);
    const f = await c.take(() => true);
    expect(keysOf(f.json)).toEqual(keysOf(fixture('docs/stream_trade.json')));
    expect(f.json).toMatchObject({ e: 'trade', s: 'BTCUSDT', t: 1, p: '50000.00000000', q: '0.50000000', m: true });
    c.close();
  });

  it('combined streams wrap payloads as {stream, data}', async () => {
    const v = await start();
    const c = await Client.open(`${v.streamUrl}/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker/btcusdt@kline_1m`);
    v.trade('BTCUSDT', '50000', '0.5');
    v.bookTicker('BTCUSDT', '49999', '1', '50001', '2');
    v.kline('BTCUSDT', '1m', { t: 1_700_000_040_000, o: '1', h: '2', l: '1', c: '2', v: '3', closed: false });
    const agg = await c.take((f) => f.json?.stream === 'btcusdt@aggTrade');
    expect(keysOf(agg.json.data)).toEqual(keysOf(fixture('docs/stream_aggTrade.json')));
    const book = await c.take((f) => f.json?.stream === 'btcusdt@bookTicker');
    expect(keysOf(book.json.data)).toEqual(keysOf(fixture('docs/stream_bookTicker.json')));
    expect(book.json.data).toMatchObject({ s: 'BTCUSDT', b: '49999.00000000', A: '2.00000000' });
    const kline = await c.take((f) => f.json?.stream === 'btcusdt@kline_1m');
    expect(keysOf(kline.json.data.k)).toEqual(keysOf(fixture('docs/stream_kline.json').k));
    expect(kline.json.data.k).toMatchObject({ i: '1m', T: 1_700_000_099_999, x: false });
    c.close();
  });

  it('SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS and error replies', async () => {
    const v = await start();
    const c = await Client.open(`${v.streamUrl}/ws`);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@bookTicker'], id: 1 });
    expect((await c.take((f) => f.json?.id === 1)).json).toEqual(fixture('docs/stream_subscribe_response.json'));
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 3 });
    expect((await c.take((f) => f.json?.id === 3)).json).toEqual({ result: ['btcusdt@trade', 'btcusdt@bookTicker'], id: 3 });
    v.trade('BTCUSDT', '50000', '1');
    expect((await c.take((f) => f.json?.e === 'trade')).json.p).toBe('50000.00000000');
    c.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 312 });
    expect((await c.take((f) => f.json?.id === 312)).json).toEqual({ result: null, id: 312 });
    v.trade('BTCUSDT', '50001', '1');
    v.bookTicker('BTCUSDT', '1', '1', '2', '2');
    await c.take((f) => f.json?.s === 'BTCUSDT' && 'b' in f.json);
    // Frames arrive in order: the bookTicker came, so the unsubscribed trade was never sent.
    expect(c.frames.some((f) => f.json?.e === 'trade')).toBe(false);
    c.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 5 });
    await c.take((f) => f.json?.id === 5);
    v.bookTicker('BTCUSDT', '1', '1', '3', '2');
    expect((await c.take((f) => f.json?.stream === 'btcusdt@bookTicker')).json.data.a).toBe('3.00000000');
    c.ws.send('not json');
    expect((await c.take((f) => f.json?.code === 3)).json.msg).toMatch(/^Invalid JSON/);
    c.send({ method: 'SUBSCRIBEX', params: [], id: 6 });
    expect((await c.take((f) => f.json?.code === 2)).json.msg).toContain('unknown variant');
    c.close();
  });

  it('depth: diffs with consecutive U/u, a snapshot consistent with them, and the sequence-gap fault', async () => {
    const v = await start();
    const c = await Client.open(`${v.streamUrl}/ws/btcusdt@depth@100ms`);
    v.depthUpdate('BTCUSDT', [['50000', '1'], ['49999', '2']], [['50001', '3']]);
    v.depthUpdate('BTCUSDT', [['50000', '0']], [['50002', '1']]);
    const d1 = (await c.take(() => true)).json;
    const d2 = (await c.take(() => true)).json;
    expect(keysOf(d1)).toEqual(keysOf(fixture('docs/stream_depthUpdate.json')));
    expect(d1.u - d1.U).toBe(2);
    expect(d2.U).toBe(d1.u + 1);
    const snap = await http(v, 'GET', '/api/v3/depth?symbol=BTCUSDT&limit=5');
    expect(keysOf(snap.body)).toEqual(keysOf(fixture('nautilus_trader/depth_response.json')));
    expect(snap.body).toEqual({
      lastUpdateId: d2.u,
      bids: [['49999.00000000', '2.00000000']],
      asks: [
        ['50001.00000000', '3.00000000'],
        ['50002.00000000', '1.00000000'],
      ],
    });
    v.faults.skipDepthSequence();
    v.depthUpdate('BTCUSDT', [['49998', '1']], []);
    v.depthUpdate('BTCUSDT', [['49997', '1']], []);
    const gapped = (await c.take(() => true)).json;
    const after = (await c.take(() => true)).json;
    expect(gapped.U).toBeGreaterThan(d2.u + 1);
    expect(after.U).toBe(gapped.u + 1);
    const resnap = await http(v, 'GET', '/api/v3/depth?symbol=BTCUSDT');
    expect(resnap.body.lastUpdateId).toBe(after.u);
    expect(resnap.body.bids.map((l: string[]) => l[0])).toEqual(['49999.00000000', '49998.00000000', '49997.00000000']);
    c.close();
  });

  it('partial depth streams carry the top levels', async () => {
    const v = await start();
    const c = await Client.open(`${v.streamUrl}/ws/ethusdt@depth5`);
    v.depthUpdate('ETHUSDT', [['3000', '1']], [['3001', '2']]);
    const f = (await c.take(() => true)).json;
    expect(keysOf(f)).toEqual(keysOf(fixture('docs/stream_partial_depth.json')));
    expect(f.bids).toEqual([['3000.00000000', '1.00000000']]);
    c.close();
  });

  it('dropStreams closes market-stream and WebSocket API sockets', async () => {
    const v = await start();
    const s = await Client.open(`${v.streamUrl}/ws/btcusdt@trade`);
    const a = await Client.open(v.wsApiUrl);
    v.faults.dropStreams();
    await Promise.all([s.closed, a.closed]);
    const again = await Client.open(`${v.streamUrl}/ws/btcusdt@trade`);
    v.trade('BTCUSDT', '1', '1');
    expect((await again.take(() => true)).json.e).toBe('trade');
    again.close();
  });

  it('malformedFrame(stream) sends a frame that is not JSON', async () => {
    const v = await start();
    const c = await Client.open(`${v.streamUrl}/ws/btcusdt@trade`);
    expect(v.faults.malformedFrame('stream')).toBe(1);
    const f = await c.take(() => true);
    expect(f.json).toBeUndefined();
    expect(() => JSON.parse(f.raw)).toThrow();
    c.close();
  });

  it('the server pings at the configured interval', async () => {
    const v = await start({ pingIntervalMs: 30 });
    const c = await Client.open(`${v.streamUrl}/ws/btcusdt@trade`);
    const a = await Client.open(v.wsApiUrl);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pings: stream ${c.pings}, ws-api ${a.pings}`)), 3000);
      const poll = setInterval(() => {
        if (c.pings >= 2 && a.pings >= 2) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 10);
    });
    c.close();
    a.close();
  });
});
