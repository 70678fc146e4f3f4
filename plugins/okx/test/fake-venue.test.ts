/**
 * Tests of the fake OKX itself, over the wire with undici and ws only: signatures and their error
 * codes, environments, clock skew, matching with partial fills and fees in the asset received,
 * amend and cancel, the WebSocket sockets (login, subscribe, pushes, order ops, idle close), the
 * books channel's seqId and checksum (CRC32 recomputed here with node:zlib), and every fault.
 */
import { createHmac } from 'node:crypto';
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

const orderPush = (pred: (d: any) => boolean = () => true) => (f: any): boolean => f.arg?.channel === 'orders' && pred(f.data[0]);

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
    // The query is part of what is signed.
    const q = await call(v, 'GET', '/api/v5/account/balance?ccy=BTC', { signBody: '' });
    expect(q.body.code).toBe('0');
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
