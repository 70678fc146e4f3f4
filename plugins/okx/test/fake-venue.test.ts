/**
 * Tests of the fake OKX itself, over the wire with undici and ws only: signatures and their error
 * codes, environments, clock skew, matching with partial fills and fees in the asset received,
 * amend and cancel, the WebSocket sockets (login, subscribe, pushes, order ops, idle close), the
 * books channel's seqId and checksum (CRC32 recomputed here with node:zlib), and every fault.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_KEY, LIVE_KEY, ORDER_PATH, startFakeOkx, type FakeOkx, type FakeOkxKey, type FakeOkxOptions } from './fake-venue';

let venue: FakeOkx | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await venue?.close();
  venue = undefined;
});

async function start(o: FakeOkxOptions = {}): Promise<FakeOkx> {
  venue = await startFakeOkx(o);
  return venue;
}

/** Our own signer (VENUES.md §3.2), independent of the fake's. */
function sign(secret: string, prehash: string): string {
  return createHmac('sha256', secret).update(prehash).digest('base64');
}

interface CallOptions {
  readonly key?: FakeOkxKey;
  /** Environment header: demo sends `x-simulated-trading: 1`; default: the key's environment. */
  readonly env?: 'demo' | 'live';
  readonly body?: string | object;
  readonly timestampMs?: number;
  /** Signs this body instead of the one sent. */
  readonly signBody?: string;
  readonly passphrase?: string;
  readonly omit?: string;
  readonly noAuth?: boolean;
}

interface Answer {
  readonly status: number;
  readonly body: any;
}

async function call(v: FakeOkx, method: 'GET' | 'POST', pathAndQuery: string, o: CallOptions = {}): Promise<Answer> {
  const key = o.key ?? DEMO_KEY;
  const env = o.env ?? key.environment;
  const body = o.body === undefined ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const ts = new Date(o.timestampMs ?? Date.now()).toISOString();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (env === 'demo') headers['x-simulated-trading'] = '1';
  if (!o.noAuth) {
    headers['ok-access-key'] = key.apiKey;
    headers['ok-access-passphrase'] = o.passphrase ?? key.passphrase;
    headers['ok-access-timestamp'] = ts;
    headers['ok-access-sign'] = sign(key.secret, `${ts}${method}${pathAndQuery}${o.signBody ?? body}`);
    if (o.omit !== undefined) delete headers[o.omit];
  }
  const res = await request(`${v.restUrl}${pathAndQuery}`, { method, headers, body: method === 'POST' ? body : undefined });
  const text = await res.body.text();
  return { status: res.statusCode, body: text === '' ? undefined : JSON.parse(text) };
}

const place = (v: FakeOkx, order: Record<string, string>, o: CallOptions = {}): Promise<Answer> => call(v, 'POST', ORDER_PATH, { ...o, body: { tdMode: 'cash', ...order } });

let seq = 0;
const cid = (): string => `t${Date.now()}n${++seq}`;

/** A socket with a queue of received frames. */
class Client {
  readonly frames: any[] = [];
  readonly raw: string[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const t = d.toString();
      this.raw.push(t);
      try {
        this.frames.push(JSON.parse(t));
      } catch {
        this.frames.push({ unparsable: t });
      }
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(x: unknown): void {
    this.ws.send(typeof x === 'string' ? x : JSON.stringify(x));
  }

  /** Waits for (and removes) the first frame matching `pred`. */
  async next(pred: (f: any) => boolean, timeoutMs = 2000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames).slice(0, 800)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Frames matching `pred` that arrive within `ms`. */
  async collect(pred: (f: any) => boolean, ms: number): Promise<any[]> {
    await new Promise((r) => setTimeout(r, ms));
    const out = this.frames.filter(pred);
    for (const f of out) this.frames.splice(this.frames.indexOf(f), 1);
    return out;
  }
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const c = new Client(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

async function login(c: Client, key: FakeOkxKey = DEMO_KEY, tsSec = Math.floor(Date.now() / 1000)): Promise<any> {
  const timestamp = String(tsSec);
  c.send({ op: 'login', args: [{ apiKey: key.apiKey, passphrase: key.passphrase, timestamp, sign: sign(key.secret, `${timestamp}GET/users/self/verify`) }] });
  return c.next((f) => f.event === 'login' || f.event === 'error');
}

async function privateSocket(v: FakeOkx, channels: Record<string, string>[] = [{ channel: 'orders', instType: 'SPOT' }], key: FakeOkxKey = DEMO_KEY): Promise<Client> {
  const c = await connect(key.environment === 'demo' ? v.demo.wsPrivateUrl : v.live.wsPrivateUrl);
  expect((await login(c, key)).code).toBe('0');
  c.send({ op: 'subscribe', args: channels });
  for (const ch of channels) await c.next((f) => f.event === 'subscribe' && f.arg.channel === ch.channel);
  return c;
}

const orderPush = (pred: (d: any) => boolean = () => true) => (f: any): boolean => f.arg?.channel === 'orders' && f.data !== undefined && pred(f.data[0]);

describe('fake OKX: REST signatures and environments', () => {
  it('accepts a request signed over the exact bytes received, and refuses a signature of other bytes with 50113', async () => {
    const v = await start();
    const good = await call(v, 'GET', '/api/v5/account/balance?ccy=BTC,USDT');
    expect(good.status).toBe(200);
    expect(good.body.code).toBe('0');
    expect(good.body.data[0].details.map((d: any) => d.ccy).sort()).toEqual(['BTC', 'USDT']);
    // The body sent with extra spaces, signed as sent: fine. Signed as a client would re-serialise it: refused.
    const spaced = '{ "instId":"BTC-USDT", "tdMode":"cash", "side":"buy", "ordType":"limit", "px":"10000", "sz":"0.001" }';
    expect((await call(v, 'POST', ORDER_PATH, { body: spaced })).body.data[0].sCode).toBe('0');
    const resigned = await call(v, 'POST', ORDER_PATH, { body: spaced, signBody: JSON.stringify(JSON.parse(spaced)) });
    expect(resigned.status).toBe(401);
    expect(resigned.body).toEqual({ code: '50113', msg: 'Invalid Sign.', data: [] });
    // The query is part of what is signed: a signature of the bare path is refused.
    const ts = new Date().toISOString();
    const bare = await request(`${v.restUrl}/api/v5/account/balance?ccy=BTC`, {
      headers: { 'x-simulated-trading': '1', 'ok-access-key': DEMO_KEY.apiKey, 'ok-access-passphrase': DEMO_KEY.passphrase, 'ok-access-timestamp': ts, 'ok-access-sign': sign(DEMO_KEY.secret, `${ts}GET/api/v5/account/balance`) },
    });
    expect([bare.statusCode, ((await bare.body.json()) as any).code]).toEqual([401, '50113']);
    // A timestamp that is not ISO 8601 with milliseconds (e.g. Unix seconds, as the socket login takes) is refused.
    const secs = String(Math.floor(Date.now() / 1000));
    const unix = await request(`${v.restUrl}/api/v5/account/balance`, {
      headers: { 'x-simulated-trading': '1', 'ok-access-key': DEMO_KEY.apiKey, 'ok-access-passphrase': DEMO_KEY.passphrase, 'ok-access-timestamp': secs, 'ok-access-sign': sign(DEMO_KEY.secret, `${secs}GET/api/v5/account/balance`) },
    });
    expect([unix.statusCode, ((await unix.body.json()) as any).code]).toEqual([401, '50112']);
  });

  it('answers a missing header, an unknown key, a wrong passphrase and a bad timestamp with their codes', async () => {
    const v = await start();
    const codes: Record<string, string> = { 'ok-access-key': '50103', 'ok-access-passphrase': '50104', 'ok-access-sign': '50106', 'ok-access-timestamp': '50107' };
    for (const [omit, code] of Object.entries(codes)) {
      const r = await call(v, 'GET', '/api/v5/account/balance', { omit });
      expect([r.status, r.body.code]).toEqual([401, code]);
    }
    const unknown = await call(v, 'GET', '/api/v5/account/balance', { key: { ...DEMO_KEY, apiKey: 'nobody' } });
    expect([unknown.status, unknown.body.code]).toEqual([401, '50111']);
    const pass = await call(v, 'GET', '/api/v5/account/balance', { passphrase: 'wrong' });
    expect([pass.status, pass.body.code]).toEqual([401, '50105']);
    const secret = await call(v, 'GET', '/api/v5/account/balance', { key: { ...DEMO_KEY, secret: 'not-the-secret' } });
    expect([secret.status, secret.body.code]).toEqual([401, '50113']);
  });

  it('refuses a key of the other environment with 50101 (HTTP 401), and keeps a ledger and orders per environment', async () => {
    const v = await start();
    const liveOnDemo = await call(v, 'GET', '/api/v5/account/balance', { key: LIVE_KEY, env: 'demo' });
    expect([liveOnDemo.status, liveOnDemo.body.code, liveOnDemo.body.msg]).toEqual([401, '50101', 'APIKey does not match current environment.']);
    const demoOnLive = await call(v, 'GET', '/api/v5/account/balance', { key: DEMO_KEY, env: 'live' });
    expect([demoOnLive.status, demoOnLive.body.code]).toEqual([401, '50101']);
    const r = await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '10000', sz: '1', clOrdId: 'demo1' });
    expect(r.body.data[0].sCode).toBe('0');
    expect(v.balances('demo').USDT).toEqual({ cashBal: '100000', availBal: '90000', frozenBal: '10000' });
    expect(v.balances('live').USDT).toEqual({ cashBal: '100000', availBal: '100000', frozenBal: '0' });
    const inLive = await call(v, 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=demo1', { key: LIVE_KEY });
    expect(inLive.body.code).toBe('51603');
    expect(v.orders('live')).toHaveLength(0);
    expect(v.orders('demo')).toHaveLength(1);
  });

  it('answers 50102 when OK-ACCESS-TIMESTAMP is more than 30 s from the fake clock (skewClock moves it)', async () => {
    const v = await start();
    expect((await call(v, 'GET', '/api/v5/account/balance', { timestampMs: Date.now() - 25_000 })).body.code).toBe('0');
    v.faults.skewClock(31_000);
    const r = await call(v, 'GET', '/api/v5/account/balance');
    expect([r.status, r.body.code]).toEqual([401, '50102']);
    expect((await call(v, 'GET', '/api/v5/account/balance', { timestampMs: v.now() })).body.code).toBe('0');
    const t = await call(v, 'GET', '/api/v5/public/time', { noAuth: true });
    expect(Math.abs(Number(t.body.data[0].ts) - Date.now() - 31_000)).toBeLessThan(2000);
  });
});

describe('fake OKX: matching, fees and funds', () => {
  it('fills a market buy across book levels as taker, fee in the base asset, each fill with its own tradeId on the orders channel', async () => {
    const v = await start();
    const ws = await privateSocket(v, [{ channel: 'orders', instType: 'SPOT' }, { channel: 'account' }, { channel: 'balance_and_position' }]);
    await ws.next((f) => f.arg?.channel === 'account');
    await ws.next((f) => f.arg?.channel === 'balance_and_position' && f.data[0].eventType === 'snapshot');
    v.book('BTC-USDT', [['49999', '1']], [['50001', '0.3'], ['50002', '0.5']]);
    const r = await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'market', tgtCcy: 'base_ccy', sz: '0.5', clOrdId: 'mkt1' });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe('0');
    expect(r.body.data[0]).toMatchObject({ clOrdId: 'mkt1', sCode: '0', sMsg: 'Order placed' });
    expect(r.body.inTime).toMatch(/^\d{16}$/);
    expect(r.body.outTime).toMatch(/^\d{16}$/);
    const live = await ws.next(orderPush((d) => d.state === 'live'));
    expect(live.data[0].fillSz).toBe('0');
    const f1 = (await ws.next(orderPush((d) => d.tradeId !== ''))).data[0];
    const f2 = (await ws.next(orderPush((d) => d.tradeId !== ''))).data[0];
    expect([f1.fillPx, f1.fillSz, f1.state, f1.execType, f1.fillFee, f1.fillFeeCcy]).toEqual(['50001', '0.3', 'partially_filled', 'T', '-0.0003', 'BTC']);
    expect([f2.fillPx, f2.fillSz, f2.state, f2.accFillSz, f2.fee, f2.feeCcy]).toEqual(['50002', '0.2', 'filled', '0.5', '-0.0005', 'BTC']);
    expect(f1.tradeId).not.toBe(f2.tradeId);
    expect(f2.avgPx).toBe('50001.4');
    // 1 + 0.5 - 0.0005 BTC; 100000 - (0.3 × 50001 + 0.2 × 50002) USDT.
    expect(v.balances('demo').BTC).toEqual({ cashBal: '1.4995', availBal: '1.4995', frozenBal: '0' });
    expect(v.balances('demo').USDT).toEqual({ cashBal: '74999.3', availBal: '74999.3', frozenBal: '0' });
    const bp = await ws.next((f) => f.arg?.channel === 'balance_and_position' && f.data[0].eventType === 'filled');
    expect(bp.data[0].trades.map((t: any) => t.tradeId)).toEqual([f1.tradeId, f2.tradeId]);
    // What the order took left the book.
    const books = await call(v, 'GET', '/api/v5/market/books?instId=BTC-USDT&sz=5', { noAuth: true });
    expect(books.body.data[0].asks).toEqual([['50002', '0.3', '0', '1']]);
    const fills = await call(v, 'GET', '/api/v5/trade/fills?instId=BTC-USDT');
    expect(fills.body.data.map((f: any) => [f.tradeId, f.fillSz, f.fee, f.feeCcy, f.execType])).toEqual([
      [f2.tradeId, '0.2', '-0.0002', 'BTC', 'T'],
      [f1.tradeId, '0.3', '-0.0003', 'BTC', 'T'],
    ]);
  });

  it('sizes a spot market buy in the quote currency by default, and fills from the ticker when the book is empty', async () => {
    const v = await start();
    v.ticker('BTC-USDT', '49990', '2', '50000', '2');
    const r = await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'market', sz: '1000' });
    expect(r.body.data[0].sCode).toBe('0');
    const [o] = v.orders('demo');
    expect([o!.tgtCcy, o!.state, o!.accFillSz, o!.fee, o!.feeCcy]).toEqual(['quote_ccy', 'filled', '0.02', '0.00002', 'BTC']);
    expect(v.balances('demo').USDT.cashBal).toBe('99000');
  });

  it('sells for a quote amount with tgtCcy quote_ccy, and cancels what a market order could not fill (cancelSource 0)', async () => {
    const v = await start();
    v.book('BTC-USDT', [['50000', '0.01'], ['49000', '0.01']], [['51000', '1']]);
    await place(v, { instId: 'BTC-USDT', side: 'sell', ordType: 'market', tgtCcy: 'quote_ccy', sz: '600' });
    // 0.01 at 50000 (500 USDT), then whole lots at 49000 for the 100 left: 0.00204081 BTC.
    const [bySz] = v.orders('demo');
    expect([bySz!.state, bySz!.accFillSz, bySz!.fills.map((f) => f.sz)]).toEqual(['filled', '0.01204081', ['0.01', '0.00204081']]);
    expect(bySz!.feeCcy).toBe('USDT');
    await place(v, { instId: 'BTC-USDT', side: 'sell', ordType: 'market', sz: '0.5' });
    const [, rest] = v.orders('demo');
    expect([rest!.state, rest!.cancelSource, rest!.accFillSz]).toEqual(['canceled', '0', '0.00795919']);
    expect(v.balances('demo').BTC.frozenBal).toBe('0');
  });

  it('fills a resting limit sell from printed trades partially, as maker, fee in the quote asset; frozenBal follows', async () => {
    const v = await start();
    const ws = await privateSocket(v);
    const r = await place(v, { instId: 'BTC-USDT', side: 'sell', ordType: 'limit', px: '51000', sz: '0.2', clOrdId: 'ask1' });
    expect(r.body.data[0].sCode).toBe('0');
    expect(v.balances('demo').BTC).toEqual({ cashBal: '1', availBal: '0.8', frozenBal: '0.2' });
    v.trade('BTC-USDT', '50900', '1', 'buy');
    expect(v.orders('demo')[0]!.accFillSz).toBe('0');
    v.trade('BTC-USDT', '51000', '0.05', 'buy');
    const f = (await ws.next(orderPush((d) => d.tradeId !== ''))).data[0];
    expect([f.state, f.fillSz, f.fillPx, f.execType, f.fillFee, f.fillFeeCcy]).toEqual(['partially_filled', '0.05', '51000', 'M', '-2.04', 'USDT']);
    expect(v.balances('demo').BTC).toEqual({ cashBal: '0.95', availBal: '0.8', frozenBal: '0.15' });
    expect(v.balances('demo').USDT.cashBal).toBe('102547.96');
    const acct = await call(v, 'GET', '/api/v5/account/balance?ccy=BTC');
    expect(acct.body.data[0].details[0]).toMatchObject({ ccy: 'BTC', cashBal: '0.95', availBal: '0.8', frozenBal: '0.15', ordFrozen: '0.15' });
  });

  it('refuses what OKX refuses, with its codes', async () => {
    const v = await start();
    const code = async (o: Record<string, string>): Promise<string> => (await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '50000', sz: '0.001', ...o })).body.data[0].sCode;
    expect(await code({ instId: 'NOPE-USDT' })).toBe('51001');
    expect(await code({ tdMode: 'cross' })).toBe('51010');
    expect(await code({ px: '50000.05' })).toBe('51000');
    expect(await code({ sz: '0.000000001' })).toBe('51121');
    expect(await code({ sz: '0.000001' })).toBe('51020');
    expect(await code({ sz: '3' })).toBe('51008');
    expect(await code({ ordType: 'stop' })).toBe('51000');
    const refused = await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '50000', sz: '3' });
    expect([refused.status, refused.body.code, refused.body.msg]).toEqual([200, '1', 'All operations failed']);
    expect(refused.body.data[0].sMsg).toBe('Order failed. Insufficient USDT balance in account.');
    expect(await code({ clOrdId: 'dup1' })).toBe('0');
    expect(await code({ clOrdId: 'dup1' })).toBe('51016');
    v.setInstrumentState('BTC-USDT', 'suspend');
    expect(await code({})).toBe('51022');
  });

  it('cancels a post_only that would take (cancelSource 31), a fok it cannot fill (13), and the rest of an ioc (14)', async () => {
    const v = await start();
    v.book('BTC-USDT', [['49000', '1']], [['50000', '0.1']]);
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'post_only', px: '50000', sz: '0.01' });
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'fok', px: '50000', sz: '0.2' });
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'ioc', px: '50000', sz: '0.15' });
    const [po, fok, ioc] = v.orders('demo');
    expect([po!.state, po!.cancelSource, po!.accFillSz]).toEqual(['canceled', '31', '0']);
    expect([fok!.state, fok!.cancelSource, fok!.accFillSz]).toEqual(['canceled', '13', '0']);
    expect([ioc!.state, ioc!.cancelSource, ioc!.accFillSz]).toEqual(['canceled', '14', '0.1']);
    expect(v.balances('demo').USDT).toEqual({ cashBal: '95000', availBal: '95000', frozenBal: '0' });
  });
});

describe('fake OKX: amend and cancel', () => {
  it('amends a partially filled order: newSz counts what filled, the hold follows, amendResult and reqId are pushed; newSz at or below the filled size completes it', async () => {
    const v = await start();
    const ws = await privateSocket(v);
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '50000', sz: '1', clOrdId: 'am1' });
    v.trade('BTC-USDT', '50000', '0.4', 'sell');
    expect(v.balances('demo').USDT.frozenBal).toBe('30000');
    const a = await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'am1', newSz: '0.7', reqId: 'r1' } });
    expect(a.body.code).toBe('0');
    expect(a.body.data[0]).toMatchObject({ clOrdId: 'am1', reqId: 'r1', sCode: '0' });
    const pushed = (await ws.next(orderPush((d) => d.reqId === 'r1'))).data[0];
    expect([pushed.amendResult, pushed.sz, pushed.accFillSz, pushed.state]).toEqual(['0', '0.7', '0.4', 'partially_filled']);
    expect(v.balances('demo').USDT.frozenBal).toBe('15000');
    // The new size must fit the funds: refused on the orders channel (amendResult -1), the order untouched.
    const big = await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'am1', newSz: '3', reqId: 'r2' } });
    expect(big.body.data[0].sCode).toBe('0');
    const refused = (await ws.next(orderPush((d) => d.reqId === 'r2'))).data[0];
    expect([refused.amendResult, refused.code, refused.sz]).toEqual(['-1', '51008', '0.7']);
    const done = await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'am1', newSz: '0.4', reqId: 'r3' } });
    expect(done.body.data[0].sCode).toBe('0');
    const filled = (await ws.next(orderPush((d) => d.reqId === 'r3' && d.state === 'filled'))).data[0];
    expect([filled.accFillSz, filled.sz]).toEqual(['0.4', '0.4']);
    expect(v.balances('demo').USDT.frozenBal).toBe('0');
    const again = await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'am1', newPx: '49000' } });
    expect([again.body.code, again.body.data[0].sCode]).toEqual(['1', '51510']);
    const unknown = await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', ordId: '123', newPx: '49000' } });
    expect(unknown.body.data[0].sCode).toBe('51503');
  });

  it('keeps queue priority when only the size shrinks and loses it on a new price; cxlOnFail cancels an order whose amend fails', async () => {
    const v = await start();
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '50000', sz: '0.1', clOrdId: 'qa' });
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '50000', sz: '0.1', clOrdId: 'qb' });
    await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'qa', newSz: '0.05' } });
    v.trade('BTC-USDT', '50000', '0.01', 'sell');
    expect(v.orders('demo').map((o) => o.accFillSz)).toEqual(['0.01', '0']);
    // Same price, new price: qa moves behind qb.
    await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'qa', newPx: '49999.9' } });
    await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'qa', newPx: '50000' } });
    v.trade('BTC-USDT', '50000', '0.01', 'sell');
    expect(v.orders('demo').map((o) => o.accFillSz)).toEqual(['0.01', '0.01']);
    const fail = await call(v, 'POST', '/api/v5/trade/amend-order', { body: { instId: 'BTC-USDT', clOrdId: 'qb', newSz: '10', cxlOnFail: true } });
    expect(fail.body.data[0].sCode).toBe('0');
    expect(v.orders('demo')[1]!.state).toBe('canceled');
  });

  it('answers cancel of an unknown (51400), canceled (51401) and filled (51402) order', async () => {
    const v = await start();
    const cancel = async (body: object): Promise<string> => (await call(v, 'POST', '/api/v5/trade/cancel-order', { body: { instId: 'BTC-USDT', ...body } })).body.data[0].sCode;
    expect(await cancel({ ordId: '1' })).toBe('51400');
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '40000', sz: '0.1', clOrdId: 'c1' });
    expect(await cancel({ clOrdId: 'c1' })).toBe('0');
    expect(v.balances('demo').USDT.frozenBal).toBe('0');
    expect(await cancel({ clOrdId: 'c1' })).toBe('51401');
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '40000', sz: '0.1', clOrdId: 'c2' });
    v.trade('BTC-USDT', '40000', '1', 'sell');
    expect(await cancel({ clOrdId: 'c2' })).toBe('51402');
    // A clOrdId is unique among pending orders only: reused after the order finished; lookups return the latest.
    await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '30000', sz: '0.1', clOrdId: 'c1' });
    const got = await call(v, 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=c1');
    expect([got.body.data[0].state, got.body.data[0].px]).toEqual(['live', '30000']);
    const pending = await call(v, 'GET', '/api/v5/trade/orders-pending?instType=SPOT');
    expect(pending.body.data.map((o: any) => o.clOrdId)).toEqual(['c1']);
  });
});

describe('fake OKX: WebSockets', () => {
  it('answers ping with pong, logs in (seconds timestamp), refuses other-environment keys with 50101, and private channels before login with 60011', async () => {
    const v = await start();
    const c = await connect(v.demo.wsPrivateUrl);
    c.send('ping');
    await c.next((f) => f.unparsable === 'pong');
    c.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] });
    expect((await c.next((f) => f.event === 'error')).code).toBe('60011');
    expect(await login(c, LIVE_KEY)).toMatchObject({ event: 'error', code: '50101', msg: 'APIKey does not match current environment.' });
    expect((await login(c, DEMO_KEY, Math.floor(Date.now() / 1000) - 40)).code).toBe('60006');
    expect((await login(c, { ...DEMO_KEY, secret: 'x' })).code).toBe('60007');
    expect(await login(c)).toMatchObject({ event: 'login', code: '0' });
    const live = await connect(v.live.wsPrivateUrl);
    expect((await login(live, DEMO_KEY)).code).toBe('50101');
    expect((await login(live, LIVE_KEY)).code).toBe('0');
    const pub = await connect(v.demo.wsPublicUrl);
    pub.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }, { channel: 'tickers', instId: 'NOPE-USDT' }] });
    expect((await pub.next((f) => f.event === 'error')).code).toBe('60018');
    expect((await pub.next((f) => f.event === 'error')).code).toBe('60018');
  });

  it('places, amends and cancels over the private socket with id/op replies, sharing the REST rules', async () => {
    const v = await start();
    const c = await privateSocket(v);
    c.send({ id: 'o1', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '40000', sz: '0.1', clOrdId: 'w1' }] });
    const placed = await c.next((f) => f.id === 'o1');
    expect(placed).toMatchObject({ op: 'order', code: '0', msg: '', data: [{ clOrdId: 'w1', sCode: '0' }] });
    expect(placed.inTime).toMatch(/^\d{16}$/);
    c.send({ id: 'a1', op: 'amend-order', args: [{ instId: 'BTC-USDT', clOrdId: 'w1', newPx: '41000', reqId: 'q1' }] });
    expect((await c.next((f) => f.id === 'a1')).data[0]).toMatchObject({ sCode: '0', reqId: 'q1' });
    c.send({ id: 'x1', op: 'cancel-order', args: [{ instId: 'BTC-USDT', clOrdId: 'w1' }] });
    expect((await c.next((f) => f.id === 'x1')).code).toBe('0');
    c.send({ id: 'x2', op: 'cancel-order', args: [{ instId: 'BTC-USDT', clOrdId: 'w1' }] });
    expect(await c.next((f) => f.id === 'x2')).toMatchObject({ code: '1', data: [{ sCode: '51401' }] });
    expect((await c.next(orderPush((d) => d.state === 'canceled'))).data[0].cancelSource).toBe('1');
    expect(v.wsOps().map((o) => `${o.op}:${o.id}`)).toEqual(['order:o1', 'amend-order:a1', 'cancel-order:x1', 'cancel-order:x2']);
    expect(v.orders('demo')[0]!.px).toBe('41000');
  });

  it('closes a socket that sent nothing for idleMs, unless idleDisconnect is off', async () => {
    const v = await start({ idleMs: 300 });
    const quiet = await connect(v.demo.wsPublicUrl);
    const talker = await connect(v.demo.wsPublicUrl);
    const timer = setInterval(() => talker.send('ping'), 100);
    await new Promise((r) => setTimeout(r, 800));
    clearInterval(timer);
    expect(quiet.closed).toBeDefined();
    expect(talker.closed).toBeUndefined();
    v.faults.idleDisconnect(false);
    const kept = await connect(v.demo.wsPublicUrl);
    await new Promise((r) => setTimeout(r, 700));
    expect(kept.closed).toBeUndefined();
  });

  it('pushes account and balance_and_position on a deposit, in that environment only', async () => {
    const v = await start();
    const demo = await privateSocket(v, [{ channel: 'account' }, { channel: 'balance_and_position' }]);
    const live = await privateSocket(v, [{ channel: 'account' }], LIVE_KEY);
    await demo.next((f) => f.arg?.channel === 'account');
    await demo.next((f) => f.arg?.channel === 'balance_and_position');
    await live.next((f) => f.arg?.channel === 'account');
    v.deposit('demo', 'USDT', '5');
    const a = await demo.next((f) => f.arg?.channel === 'account');
    expect(a.data[0].details).toEqual([expect.objectContaining({ ccy: 'USDT', cashBal: '100005', availBal: '100005' })]);
    const b = await demo.next((f) => f.arg?.channel === 'balance_and_position');
    expect(b.data[0]).toMatchObject({ eventType: 'transferred', balData: [{ ccy: 'USDT', cashBal: '100005' }] });
    expect(await live.collect((f) => f.arg?.channel === 'account', 200)).toEqual([]);
  });
});

describe('fake OKX: market data', () => {
  it('sends a books snapshot then updates chained by seqId/prevSeqId, each with the CRC32 checksum of the top 25 levels', async () => {
    const v = await start();
    v.book('BTC-USDT', [['50000', '1'], ['49999.5', '2']], [['50001', '0.5']]);
    const c = await connect(v.demo.wsPublicUrl);
    c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    await c.next((f) => f.event === 'subscribe');
    const snap = await c.next((f) => f.action === 'snapshot');
    const s = snap.data[0];
    expect(s.prevSeqId).toBe(-1);
    expect(s.bids).toEqual([['50000', '1', '0', '1'], ['49999.5', '2', '0', '1']]);
    // Independent check: zlib's CRC32 of "bid1Px:bid1Sz:ask1Px:ask1Sz:bid2Px:bid2Sz", as a signed int32.
    expect(s.checksum).toBe(crc32('50000:1:50001:0.5:49999.5:2') | 0);
    v.book('BTC-USDT', [['50000', '1.5']], [['50001', '0.5'], ['50002', '3']]);
    const u = (await c.next((f) => f.action === 'update')).data[0];
    expect(u.prevSeqId).toBe(s.seqId);
    expect(u.bids).toEqual(expect.arrayContaining([['49999.5', '0', '0', '0'], ['50000', '1.5', '0', '1']]));
    expect(u.asks).toEqual([['50002', '3', '0', '1']]);
    expect(u.checksum).toBe(crc32('50000:1.5:50001:0.5:50002:3') | 0);
    v.faults.bookGap('BTC-USDT');
    v.book('BTC-USDT', [['50000', '1']], [['50001', '0.5']]);
    const gap = (await c.next((f) => f.action === 'update')).data[0];
    expect(gap.prevSeqId).not.toBe(u.seqId);
    v.faults.badChecksum('BTC-USDT');
    v.book('BTC-USDT', [['50000', '2']], [['50001', '0.5']]);
    const bad = (await c.next((f) => f.action === 'update')).data[0];
    expect(bad.prevSeqId).toBe(gap.seqId);
    expect(bad.checksum).not.toBe(crc32('50000:2:50001:0.5') | 0);
    v.faults.zeroChecksums(true);
    v.book('BTC-USDT', [['50000', '3']], [['50001', '0.5']]);
    expect((await c.next((f) => f.action === 'update')).data[0].checksum).toBe(0);
  });

  it('pushes tickers and trades to both environments, and candles on the business socket; history-candles pages newest first', async () => {
    const v = await start();
    const demo = await connect(v.demo.wsPublicUrl);
    const live = await connect(v.live.wsPublicUrl);
    for (const c of [demo, live]) {
      c.send({ op: 'subscribe', args: [{ channel: 'tickers', instId: 'BTC-USDT' }, { channel: 'trades', instId: 'BTC-USDT' }] });
      await c.next((f) => f.event === 'subscribe' && f.arg.channel === 'trades');
    }
    v.ticker('BTC-USDT', '50000', '1', '50001', '2', '50000.5');
    v.trade('BTC-USDT', '50001', '0.1', 'buy');
    for (const c of [demo, live]) {
      expect((await c.next((f) => f.arg?.channel === 'tickers' && f.data !== undefined)).data[0]).toMatchObject({ instType: 'SPOT', bidPx: '50000', askSz: '2', last: '50000.5' });
      expect((await c.next((f) => f.arg?.channel === 'trades' && f.data !== undefined)).data[0]).toMatchObject({ px: '50001', sz: '0.1', side: 'buy' });
    }
    const biz = await connect(v.demo.wsBusinessUrl);
    biz.send({ op: 'subscribe', args: [{ channel: 'candle1m', instId: 'BTC-USDT' }] });
    await biz.next((f) => f.event === 'subscribe');
    const t0 = 1_700_000_000_000;
    const rows = Array.from({ length: 150 }, (_, i) => ({ ts: t0 + i * 60_000, o: '1', h: '2', l: '0.5', c: '1.5', vol: '10', confirm: i < 149 }));
    v.candles('BTC-USDT', '1m', rows);
    const first = await biz.next((f) => f.arg?.channel === 'candle1m' && f.data !== undefined);
    expect(first.data[0]).toEqual([String(t0), '1', '2', '0.5', '1.5', '10', '15', '15', '1']);
    const page1 = await call(v, 'GET', '/api/v5/market/history-candles?instId=BTC-USDT&bar=1m', { noAuth: true });
    expect(page1.body.data).toHaveLength(100);
    expect(page1.body.data[0][0]).toBe(String(t0 + 149 * 60_000));
    expect(page1.body.data[0][8]).toBe('0');
    const oldest = page1.body.data[99][0];
    const page2 = await call(v, 'GET', `/api/v5/market/history-candles?instId=BTC-USDT&bar=1m&after=${oldest}`, { noAuth: true });
    expect(page2.body.data).toHaveLength(50);
    expect(page2.body.data[49][0]).toBe(String(t0));
    const inst = await call(v, 'GET', '/api/v5/public/instruments?instType=SPOT&instId=BTC-USDT', { noAuth: true });
    expect(inst.body.data[0]).toMatchObject({ instId: 'BTC-USDT', tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001', state: 'live' });
  });
});

describe('fake OKX: faults and rate limits', () => {
  const limit = (v: FakeOkx, clOrdId: string, instId = 'BTC-USDT'): Promise<Answer> => place(v, { instId, side: 'buy', ordType: 'limit', px: '10000', sz: '0.001', clOrdId });

  it('rateLimit: HTTP 429 code 50011 without acting; asking 3 more times inside the back-off starts a ban', async () => {
    const v = await start();
    v.faults.rateLimit(1);
    const r = await limit(v, 'rl1');
    expect([r.status, r.body]).toEqual([429, { code: '50011', msg: 'Too Many Requests', data: [] }]);
    expect(v.orders('demo')).toHaveLength(0);
    // Public endpoints are not private requests: not throttled by the fault.
    expect((await call(v, 'GET', '/api/v5/public/time', { noAuth: true })).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await limit(v, `rl${i + 2}`)).status).toBe(429);
    expect(v.bans()).toBe(1);
    expect(v.orders('demo')).toHaveLength(0);
  });

  it("enforces OKX's place-order limit of 60 per 2 s per instrument (WebSocket ops count too)", async () => {
    const v = await start({ balances: { USDT: '10000000', BTC: '1', ETH: '10' } });
    const ws = await privateSocket(v);
    for (let i = 0; i < 10; i++) ws.send({ id: `w${i}`, op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '10000', sz: '0.001' }] });
    for (let i = 0; i < 10; i++) await ws.next((f) => f.id === `w${i}`);
    const answers = await Promise.all(Array.from({ length: 51 }, (_, i) => limit(v, `p${i}`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(50);
    expect(answers.filter((a) => a.status === 429 && a.body.code === '50011')).toHaveLength(1);
    expect((await limit(v, 'eth1', 'ETH-USDT')).body.data[0].sCode).toBe('0');
  });

  it('busy: 50001 (HTTP 503) or 50013 (HTTP 429), not acted on', async () => {
    const v = await start();
    v.faults.busy(1);
    v.faults.busy(1, '50013');
    const a = await limit(v, 'b1');
    const b = await limit(v, 'b2');
    expect([a.status, a.body.code, b.status, b.body.code]).toEqual([503, '50001', 429, '50013']);
    expect(v.orders('demo')).toHaveLength(0);
    expect((await limit(v, 'b3')).status).toBe(200);
  });

  it('acceptThenTimeout: the order is placed, the REST answer never comes (socket destroyed), and a WebSocket op gets no reply', async () => {
    const v = await start();
    v.faults.acceptThenTimeout(2);
    await expect(limit(v, 'at1')).rejects.toThrow();
    expect(v.orders('demo').map((o) => [o.clOrdId, o.state])).toEqual([['at1', 'live']]);
    const ws = await privateSocket(v);
    ws.send({ id: 'z1', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '10000', sz: '0.001', clOrdId: 'at2' }] });
    await ws.next(orderPush((d) => d.clOrdId === 'at2'));
    expect(await ws.collect((f) => f.id === 'z1', 200)).toEqual([]);
    expect(v.orders('demo')).toHaveLength(2);
  });

  it('endpointTimeout: the venue acts and answers 50004', async () => {
    const v = await start();
    v.faults.endpointTimeout(1);
    const r = await limit(v, 'et1');
    expect([r.status, r.body.code]).toEqual([400, '50004']);
    expect(v.orders('demo').map((o) => o.clOrdId)).toEqual(['et1']);
  });

  it('duplicates and reorders private pushes', async () => {
    const v = await start();
    const ws = await privateSocket(v, [{ channel: 'orders', instType: 'SPOT' }, { channel: 'account' }]);
    await ws.next((f) => f.arg?.channel === 'account');
    v.faults.duplicatePrivatePushes(1);
    await limit(v, 'd1');
    const dup = await ws.collect(orderPush((d) => d.clOrdId === 'd1'), 200);
    expect(dup).toHaveLength(2);
    expect(dup[0]).toEqual(dup[1]);
    expect((await ws.collect((f) => f.arg?.channel === 'account', 50)).length).toBe(2);
    v.faults.duplicatePrivatePushes(0);
    v.faults.reorderPrivatePushes(true);
    await limit(v, 'r1');
    await limit(v, 'r2');
    const order = await ws.collect(orderPush(), 500);
    expect(order.map((f) => f.data[0].clOrdId)).toEqual(['r2', 'r1']);
  });

  it('drops sockets by kind, refuses connections, and sends malformed frames', async () => {
    const v = await start();
    const pub = await connect(v.demo.wsPublicUrl);
    const biz = await connect(v.live.wsBusinessUrl);
    const priv = await privateSocket(v);
    pub.send({ op: 'subscribe', args: [{ channel: 'tickers', instId: 'BTC-USDT' }] });
    await pub.next((f) => f.event === 'subscribe');
    v.faults.malformedPush('tickers');
    expect((await pub.next((f) => f.unparsable !== undefined)).unparsable).toMatch(/^\{"arg":\{"channel":"tickers"\}/);
    expect(v.faults.dropPublicSockets()).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect([pub.closed, biz.closed, priv.closed].map((x) => x !== undefined)).toEqual([true, true, false]);
    expect(v.faults.dropPrivateSockets()).toBe(1);
    v.faults.refuseConnections(true);
    await expect(connect(v.demo.wsPublicUrl)).rejects.toThrow(/503/);
    v.faults.refuseConnections(false);
    await connect(v.demo.wsPublicUrl);
  });
});

describe('fake OKX: payload shapes', () => {
  /** Captured OKX payloads (fixtures/README.md): every field they carry, the fake carries too. */
  const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
  const missing = (captured: object, ours: object): string[] => Object.keys(captured).filter((k) => !(k in ours));

  it('answers with every field of the captured orders push, order, balance, instrument, ticker, trade and place-order answer', async () => {
    const v = await start();
    const ws = await privateSocket(v, [{ channel: 'orders', instType: 'SPOT' }, { channel: 'account' }]);
    const acct = await ws.next((f) => f.arg?.channel === 'account');
    const config = await call(v, 'GET', '/api/v5/account/config');
    expect(config.body.data[0]).toMatchObject({ uid: acct.arg.uid, acctLv: '1' });
    expect(missing(fixture('ws_account.json').data[0], acct.data[0])).toEqual([]);
    expect(missing(fixture('ws_account.json').data[0].details[0], acct.data[0].details[0])).toEqual([]);
    const pub = await connect(v.demo.wsPublicUrl);
    pub.send({ op: 'subscribe', args: [{ channel: 'tickers', instId: 'BTC-USDT' }, { channel: 'trades', instId: 'BTC-USDT' }] });
    await pub.next((f) => f.event === 'subscribe' && f.arg.channel === 'trades');
    v.ticker('BTC-USDT', '50000', '1', '50001', '1');
    v.trade('BTC-USDT', '50000', '0.5', 'sell');
    const placed = await place(v, { instId: 'BTC-USDT', side: 'buy', ordType: 'limit', px: '50000', sz: '0.01', clOrdId: 'shape1' });
    expect(missing(fixture('trade_batch_orders_response_market_buy.json'), placed.body)).toEqual([]);
    expect(missing(fixture('trade_batch_orders_response_market_buy.json').data[0], placed.body.data[0])).toEqual([]);
    v.trade('BTC-USDT', '50000', '0.005', 'sell');
    const push = await ws.next(orderPush((d) => d.tradeId !== ''));
    // Spot orders have no leverage or position side; everything else OKX sends is there.
    expect(missing(fixture('ws_orders.json').data[0], push.data[0])).toEqual([]);
    expect(missing(fixture('ws_orders.json').arg, push.arg)).toEqual([]);
    const got = await call(v, 'GET', '/api/v5/trade/orders-pending?instType=SPOT');
    expect(missing(fixture('http_get_orders_pending.json').data[0], got.body.data[0])).toEqual([]);
    const bal = await call(v, 'GET', '/api/v5/account/balance');
    expect(missing(fixture('http_get_account_balance.json').data[0].details[0], bal.body.data[0].details[0])).toEqual([]);
    const inst = await call(v, 'GET', '/api/v5/public/instruments?instType=SPOT', { noAuth: true });
    expect(missing(fixture('http_get_instruments_spot.json').data[0], inst.body.data[0])).toEqual([]);
    expect(missing(fixture('ws_tickers.json').data[0], (await pub.next((f) => f.arg?.channel === 'tickers' && f.data !== undefined)).data[0])).toEqual([]);
    expect(missing(fixture('ws_trades.json').data[0], (await pub.next((f) => f.arg?.channel === 'trades' && f.data !== undefined)).data[0])).toEqual([]);
    const trades = await call(v, 'GET', '/api/v5/market/trades?instId=BTC-USDT', { noAuth: true });
    expect(missing(fixture('http_get_trades.json').data[0], trades.body.data[0])).toEqual([]);
    v.book('BTC-USDT', [['49000', '1']], [['51000', '1']]);
    const books = await connect(v.demo.wsPublicUrl);
    books.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    const snap = await books.next((f) => f.action === 'snapshot');
    expect(missing(fixture('ws_books_snapshot.json').data[0], snap.data[0])).toEqual([]);
    expect(snap.data[0].bids[0]).toHaveLength(fixture('ws_books_snapshot.json').data[0].bids[0].length);
    v.candles('BTC-USDT', '1D', [{ ts: 1_597_026_383_085, o: '8533.02', h: '8553.74', l: '8527.17', c: '8548.26', vol: '45247', confirm: true }]);
    const candles = await call(v, 'GET', '/api/v5/market/candles?instId=BTC-USDT&bar=1D', { noAuth: true });
    expect(candles.body.data[0]).toHaveLength(fixture('ws_candle.json').data[0].length);
  });
});
