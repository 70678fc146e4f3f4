/**
 * The OANDA plugin against the fake OANDA on loopback: environments and tokens, instruments, the
 * pricing stream (quotes, books, split lines, stalls), orders (market fills in the 201 booked once,
 * rejections in a 201, limit fills, cancel, modify by replace, client-id lookups, unknown outcomes,
 * 429), the transaction stream (reconnect and sinceid, heartbeat gaps), the account (summary, financing,
 * closeout, hedging legs and FIFO).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  EventBus,
  isAutotraderError,
  money,
  price,
  quantity,
  RealtimeClock,
  type BookSnapshot,
  type ExecutionReport,
  type Fill,
  type OrderSnapshot,
  type QuoteTick,
  type VenueBalanceEvent,
} from '@autotrader/core';
import { waitFor } from '@autotrader/testkit';
import { createOanda, oandaPlugin, wireClientOrderId, type OandaConfigInput, type OandaConnection } from '../src/index';
import { HEDGING_ACCOUNT_ID, LIVE_TOKEN, NETTING_ACCOUNT_ID, PRACTICE_TOKEN, startFakeOanda, type FakeOanda, type FakeOandaOptions } from './fake-venue';

const EUR = 'EUR_USD.OANDA';

interface Opened {
  readonly fake: FakeOanda;
  readonly connection: OandaConnection;
  readonly bus: EventBus;
  readonly reports: ExecutionReport[];
  readonly logs: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fake OANDA and the plugin pointed at it with --venue-opt style overrides; execution connected unless told not to. */
async function open(
  o: { env?: Record<string, string>; connect?: boolean; config?: OandaConfigInput; fake?: FakeOanda; fakeOptions?: FakeOandaOptions; account?: string } = {},
): Promise<Opened> {
  const fake = o.fake ?? (await startFakeOanda({ heartbeatMs: 200, ...o.fakeOptions }));
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const config = oandaPlugin.configSchema.parse({
    restUrl: fake.restUrl,
    streamUrl: fake.streamUrl,
    accountId: o.account ?? NETTING_ACCOUNT_ID,
    stallMs: 1_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    ...o.config,
  });
  const connection = createOanda(config, { bus, clock, logger, env: o.env ?? { OANDA_API_TOKEN: PRACTICE_TOKEN } });
  cleanups.push(async () => {
    clock.cancelAll();
    await connection.close();
    if (o.fake === undefined) await fake.close();
  });
  const reports: ExecutionReport[] = [];
  if (o.connect !== false) await connection.execution.connect((r) => reports.push(r));
  return { fake, connection, bus, reports, logs };
}

let seq = 0;
const order = (o: Partial<OrderSnapshot> = {}): OrderSnapshot => ({
  clientOrderId: `oanda-test-${++seq}`,
  instrumentId: EUR,
  side: 'buy',
  type: 'limit',
  quantity: quantity('1000'),
  price: price('1.09000'),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  status: 'submitted',
  filledQuantity: quantity(0),
  fees: money(0),
  tsCreated: 0,
  tsUpdated: 0,
  ...o,
});
const market = (o: Partial<OrderSnapshot> = {}): OrderSnapshot => order({ type: 'market', price: undefined, ...o });

const fillsOf = (reports: readonly ExecutionReport[], id?: string): Fill[] => reports.flatMap((r) => (r.kind === 'fill' && (id === undefined || r.fill.clientOrderId === id) ? [r.fill] : []));
const kindsOf = (reports: readonly ExecutionReport[], id: string): string[] =>
  reports.filter((r) => (r.kind === 'fill' ? r.fill.clientOrderId === id : r.clientOrderId === id)).map((r) => r.kind);
const eurusd = (fake: FakeOanda, bid = '1.10000', ask = '1.10010', liquidity = '1000000'): void => fake.price('EUR_USD', [[bid, liquidity]], [[ask, liquidity]]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('environments, tokens and accounts', () => {
  it('uses the practice hosts by default and the live ones only with mainnet', () => {
    expect(oandaPlugin.configSchema.parse({})).toMatchObject({ mainnet: false, stallMs: 10_000 });
    const practice = createOanda(oandaPlugin.configSchema.parse({}), { bus: new EventBus(), clock: new RealtimeClock(), logger: createLogger({ level: 'error', write: () => {} }), env: {} });
    expect(practice.http.practice).toBe(true);
    void practice.close();
  });

  it('refuses an unknown option by name (strict config)', () => {
    expect(() => oandaPlugin.configSchema.parse({ restURL: 'http://127.0.0.1:1' })).toThrow(/restURL/);
  });

  it('sends the Bearer token and RFC3339 datetimes on every request, and never logs the token', async () => {
    const { fake, connection, logs } = await open();
    await connection.instruments.load();
    const requests = fake.requests();
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      expect(r.headers.authorization).toBe(`Bearer ${PRACTICE_TOKEN}`);
      expect(r.headers['accept-datetime-format']).toBe('RFC3339');
    }
    expect(logs.join('\n')).not.toContain(PRACTICE_TOKEN);
  });

  it('AUTH_MISSING names OANDA_API_TOKEN when it is not set', async () => {
    const { connection } = await open({ env: {}, connect: false });
    await expect(connection.execution.connect(() => {})).rejects.toMatchObject({ code: 'AUTH_MISSING', message: expect.stringContaining('OANDA_API_TOKEN') });
  });

  it('a live token on the practice host is AUTH_FAILED saying to add --mainnet; a practice token on the live host says to remove it', async () => {
    const a = await open({ env: { OANDA_API_TOKEN: LIVE_TOKEN }, connect: false });
    const e1 = await a.connection.execution.connect(() => {}).catch((e: unknown) => e);
    expect(isAutotraderError(e1, 'AUTH_FAILED')).toBe(true);
    expect((e1 as Error).message).toMatch(/live \(fxTrade\) token on the practice host: add --mainnet/);
    expect((e1 as Error).message).not.toContain(LIVE_TOKEN);
    const live = await startFakeOanda({ environment: 'live' });
    cleanups.push(() => live.close());
    const b = await open({ fake: live, env: { OANDA_API_TOKEN: PRACTICE_TOKEN }, connect: false, config: { mainnet: true } });
    const e2 = await b.connection.execution.connect(() => {}).catch((e: unknown) => e);
    expect(isAutotraderError(e2, 'AUTH_FAILED')).toBe(true);
    expect((e2 as Error).message).toMatch(/practice token on the live host: remove --mainnet/);
  });

  it('a token that does not own the account is AUTH_FAILED naming the account', async () => {
    const fake = await startFakeOanda({
      accounts: [
        { id: NETTING_ACCOUNT_ID, currency: 'USD', balance: '100000', hedging: false },
        { id: '101-004-9999999-001', currency: 'USD', balance: '100000', hedging: false, tokens: ['someone-else'] },
      ],
    });
    cleanups.push(() => fake.close());
    const { connection } = await open({ fake, account: '101-004-9999999-001', connect: false });
    await expect(connection.execution.connect(() => {})).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('does not own account 101-004-9999999-001') });
  });

  it('takes the account from the option, else OANDA_ACCOUNT_ID, else the first listed, and says which', async () => {
    const fake = await startFakeOanda();
    cleanups.push(() => fake.close());
    const a = await open({ fake, connect: false, config: { accountId: HEDGING_ACCOUNT_ID }, env: { OANDA_API_TOKEN: PRACTICE_TOKEN, OANDA_ACCOUNT_ID: NETTING_ACCOUNT_ID } });
    expect(await a.connection.accountId()).toBe(HEDGING_ACCOUNT_ID);
    expect(a.logs.join('\n')).toMatch(/from the accountId option \(OANDA_ACCOUNT_ID=101-004-1435156-001 is ignored: the option wins\)/);
    const b = await open({ fake, connect: false, config: { accountId: undefined }, env: { OANDA_API_TOKEN: PRACTICE_TOKEN, OANDA_ACCOUNT_ID: HEDGING_ACCOUNT_ID } });
    expect(await b.connection.accountId()).toBe(HEDGING_ACCOUNT_ID);
    const c = await open({ fake, connect: false, config: { accountId: undefined } });
    expect(await c.connection.accountId()).toBe(NETTING_ACCOUNT_ID);
    expect(c.logs.join('\n')).toMatch(/the first the token lists/);
    expect(await c.connection.execution.venueAccount()).toEqual({ accountId: NETTING_ACCOUNT_ID, accountType: 'margin', baseCurrency: 'USD' });
  });
});

describe('instruments', () => {
  it('reads pip location, precisions, trade sizes and margin rate from /instruments, as exact decimals', async () => {
    const { connection } = await open({ connect: false });
    const list = await connection.instruments.load();
    const eur = list.find((i) => i.id === EUR)!;
    expect(eur).toMatchObject({ symbol: 'EUR_USD', venue: 'OANDA', assetClass: 'fx', base: 'EUR', quote: 'USD', pipLocation: -4 });
    expect(eur.tickSize.toString()).toBe('0.00001');
    expect(eur.lotSize.toString()).toBe('1');
    expect(eur.minQuantity.toString()).toBe('1');
    expect(eur.maxQuantity?.toString()).toBe('100000000');
    expect(eur.marginRate?.toString()).toBe('0.02');
    const jpy = list.find((i) => i.id === 'USD_JPY.OANDA')!;
    expect(jpy.tickSize.toString()).toBe('0.001');
    expect(jpy.marginRate?.toString()).toBe('0.04');
  });
});

describe('pricing stream', () => {
  it('turns PRICE lines into quotes (best level with its liquidity) and books (every level)', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    const quotes: QuoteTick[] = [];
    const books: BookSnapshot[] = [];
    bus.on('quote', (q) => quotes.push(q));
    bus.on('book', (b) => books.push(b));
    await connection.data.connect();
    await connection.data.subscribe({ kind: 'quote', instrumentId: EUR });
    await connection.data.subscribe({ kind: 'book', instrumentId: EUR });
    fake.price('EUR_USD', [['1.10000', '1000000'], ['1.09990', '5000000']], [['1.10010', '2000000'], ['1.10020', '10000000']]);
    await waitFor('a quote', () => quotes.find((q) => q.bid === 1.1));
    await waitFor('a book with both levels', () => books.find((b) => b.bids.length === 2));
    const q = quotes.find((x) => x.bid === 1.1)!;
    expect(q).toMatchObject({ instrumentId: EUR, bid: 1.1, ask: 1.1001, bidSize: 1_000_000, askSize: 2_000_000 });
    expect(q.tsEvent).toBeGreaterThan(Date.now() - 60_000);
    const b = books.find((x) => x.bids.length === 2)!;
    expect(b.asks).toEqual([[1.1001, 2_000_000], [1.1002, 10_000_000]]);
    // Only our two subscriptions share one stream, opened with both kinds' instrument.
    const streams = fake.requests().filter((r) => r.path.endsWith('/pricing/stream'));
    expect(streams.at(-1)!.query).toContain('instruments=EUR_USD');
  });

  it('joins lines split across chunks', async () => {
    const { fake, connection, bus } = await open({ connect: false });
    const quotes: QuoteTick[] = [];
    bus.on('quote', (q) => quotes.push(q));
    await connection.data.connect();
    await connection.data.subscribe({ kind: 'quote', instrumentId: EUR });
    fake.faults.splitLines(true);
    const bids = ['1.10001', '1.10002', '1.10003', '1.10004', '1.10005'];
    for (const [k, bid] of bids.entries()) {
      fake.price('EUR_USD', [[bid, '1000000']], [['1.10100', '1000000']]);
      await sleep(260 + k);
    }
    await waitFor('every split price as a quote', () => bids.every((b) => quotes.some((q) => q.bid === Number(b))), 5_000);
  });

  it('reopens a stream that sends no line (not even a heartbeat) for stallMs', async () => {
    const { fake, connection, bus, logs } = await open({ connect: false, config: { stallMs: 600 } });
    const quotes: QuoteTick[] = [];
    bus.on('quote', (q) => quotes.push(q));
    await connection.data.connect();
    await connection.data.subscribe({ kind: 'quote', instrumentId: EUR });
    const opensBefore = fake.requests().filter((r) => r.path.endsWith('/pricing/stream')).length;
    fake.faults.stallStreams(true);
    await waitFor('the stall to be noticed', () => logs.some((l) => l.includes('no line for 600 ms')), 5_000);
    fake.faults.stallStreams(false);
    await waitFor('the stream reopened', () => fake.requests().filter((r) => r.path.endsWith('/pricing/stream')).length > opensBefore, 5_000);
    eurusd(fake, '1.20000', '1.20010');
    await waitFor('a quote through the reopened stream', () => quotes.some((q) => q.bid === 1.2), 5_000);
  });
});

describe('history', () => {
  it('reads mid candles as bars in [from, to), complete ones only, oldest first', async () => {
    const { fake, connection } = await open({ connect: false });
    const t0 = Date.UTC(2026, 0, 5, 10, 0);
    const rows = [0, 1, 2, 3].map((k) => ({ time: t0 + k * 60_000, o: '1.10000', h: '1.10050', l: '1.09950', c: `1.1001${k}`, volume: 10 + k, complete: k < 3 }));
    fake.candles('EUR_USD', 'M1', rows);
    const pages = [];
    for await (const page of connection.data.history({ kind: 'bar', instrumentId: EUR, interval: '1m', from: t0, to: t0 + 4 * 60_000 })) pages.push(...page);
    expect(pages.map((b) => [b.tsOpen - t0, b.close, b.volume])).toEqual([
      [0, 1.1001, 10],
      [60_000, 1.10011, 11],
      [120_000, 1.10012, 12],
    ]);
    expect(pages[0]!.tsEvent).toBe(t0 + 60_000);
    const asked = fake.requests().find((r) => r.path.endsWith('/candles'))!;
    expect(asked.query).toContain('price=M');
    expect(asked.query).toContain('granularity=M1');
    await expect(async () => {
      for await (const _ of connection.data.history({ kind: 'bar', instrumentId: EUR, interval: '7m', from: t0, to: t0 + 1 })) void _;
    }).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('orders', () => {
  it('books a market fill from the 201 once, though the transaction stream repeats it (twice)', async () => {
    const { fake, connection, reports, bus } = await open();
    const balances: VenueBalanceEvent[] = [];
    bus.on('venueBalance', (e) => balances.push(e));
    eurusd(fake);
    fake.faults.duplicateTransactions(5);
    const o = market({ quantity: quantity('10000') });
    await connection.execution.submit(o);
    // The fill is reported from the answer, before the stream line could arrive.
    expect(kindsOf(reports, o.clientOrderId)).toEqual(['accepted', 'fill']);
    await sleep(400);
    expect(kindsOf(reports, o.clientOrderId)).toEqual(['accepted', 'fill']);
    const fill = fillsOf(reports, o.clientOrderId)[0]!;
    const venueFill = (fake.orders(NETTING_ACCOUNT_ID).at(-1) as { fills: { id: string }[] }).fills[0]!;
    expect(fill).toMatchObject({ side: 'buy', tradeId: venueFill.id, feeCurrency: 'USD', liquidity: 'taker', closes: false });
    expect(fill.price.toString()).toBe('1.1001');
    expect(fill.quantity.toString()).toBe('10000');
    expect(fill.fee.toString()).toBe('0');
    expect(fill.accountPnl?.toString()).toBe('0');
    // The sell closes: OANDA's pl is the fill's account P/L, and `closes` says so.
    eurusd(fake, '1.10110', '1.10120');
    const s = market({ side: 'sell', quantity: quantity('10000') });
    await connection.execution.submit(s);
    const close = fillsOf(reports, s.clientOrderId)[0]!;
    expect(close.closes).toBe(true);
    expect(close.accountPnl?.toString()).toBe('10');
    expect(fake.account(NETTING_ACCOUNT_ID).pl).toBe('10.0000');
    expect(balances).toEqual([]);
  });

  it('a 201 with orderCancelTransaction (INSUFFICIENT_MARGIN) is a rejection of the order, not an error', async () => {
    const { fake, connection, reports } = await open();
    eurusd(fake, '1.10000', '1.10010', '100000000');
    const o = market({ quantity: quantity('90000000') });
    await connection.execution.submit(o);
    await waitFor('the rejection', () => reports.find((r) => r.kind === 'rejected' && r.clientOrderId === o.clientOrderId));
    const r = reports.find((x) => x.kind === 'rejected')!;
    expect(r).toMatchObject({ code: 'INSUFFICIENT_MARGIN', reason: expect.stringContaining('INSUFFICIENT_MARGIN') });
    expect(kindsOf(reports, o.clientOrderId)).toEqual(['rejected']);
  });

  it('rests a limit order (accepted), fills it when the price crosses, cancels another by @clientID', async () => {
    const { fake, connection, reports } = await open();
    eurusd(fake);
    const a = order({ price: price('1.09000') });
    const b = order({ price: price('1.08000') });
    await connection.execution.submit(a);
    await connection.execution.submit(b);
    expect(kindsOf(reports, a.clientOrderId)).toEqual(['accepted']);
    const open1 = await connection.execution.openOrders(EUR);
    expect(open1.map((x) => x.clientOrderId).sort()).toEqual([a.clientOrderId, b.clientOrderId].sort());
    eurusd(fake, '1.08980', '1.08990');
    await waitFor('the limit fill', () => fillsOf(reports, a.clientOrderId)[0]);
    expect(fillsOf(reports, a.clientOrderId)[0]!.price.lte(price('1.09'))).toBe(true);
    await connection.execution.cancel(b);
    await waitFor('the cancel', () => kindsOf(reports, b.clientOrderId).includes('canceled'));
    expect((await connection.execution.order(b.clientOrderId, EUR))?.status).toBe('canceled');
    const cancel = fake.requests().find((r) => r.method === 'PUT' && r.path.endsWith('/cancel'))!;
    expect(cancel.path).toContain(`/orders/@${wireClientOrderId(b.clientOrderId)}/cancel`);
    // A cancel of an order OANDA does not know is ORDER_UNKNOWN.
    await expect(connection.execution.cancel(order({ clientOrderId: 'never-sent-1' }))).rejects.toMatchObject({ code: 'ORDER_UNKNOWN' });
  });

  it('modifies by replace: a new venue order id, our client order id kept, the new price resting', async () => {
    const { fake, connection, reports } = await open();
    eurusd(fake);
    const o = order({ price: price('1.09000') });
    await connection.execution.submit(o);
    const first = reports.find((r) => r.kind === 'accepted')!;
    await connection.execution.modify(o, { price: price('1.08500') });
    const updated = await waitFor('updated', () => reports.find((r) => r.kind === 'updated'));
    expect(updated).toMatchObject({ clientOrderId: o.clientOrderId, price: price('1.085') });
    expect(updated.kind === 'updated' && first.kind === 'accepted' && updated.venueOrderId !== first.venueOrderId).toBe(true);
    const state = await connection.execution.order(o.clientOrderId, EUR);
    expect(state?.price?.toString()).toBe('1.085');
    expect(state?.venueOrderId).toBe(updated.kind === 'updated' ? updated.venueOrderId : '');
    expect((await connection.execution.openOrders()).map((x) => x.clientOrderId)).toEqual([o.clientOrderId]);
    // The replaced order's cancel (CLIENT_REQUEST_REPLACED) is not reported as a cancel of ours.
    expect(kindsOf(reports, o.clientOrderId)).toEqual(['accepted', 'updated']);
  });

  it('CLIENT_ORDER_ID_ALREADY_EXISTS on a resend looks the order up instead of failing', async () => {
    const { fake, connection, reports } = await open();
    eurusd(fake);
    const o = order();
    await connection.execution.submit(o);
    await connection.execution.submit(o);
    expect(fake.orders(NETTING_ACCOUNT_ID).filter((x) => (x as { clientExtensions?: { id?: string } }).clientExtensions?.id === wireClientOrderId(o.clientOrderId))).toHaveLength(1);
    expect(kindsOf(reports, o.clientOrderId)).toEqual(['accepted']);
  });

  it('a submit that times out is an unknown outcome, resolved through @clientID', async () => {
    const { fake, connection, reports } = await open({ config: { timeouts: { requestMs: 1500 } } });
    eurusd(fake);
    fake.faults.acceptThenTimeout(1);
    const o = market();
    const error = await connection.execution.submit(o).catch((e: unknown) => e);
    expect(isAutotraderError(error, 'VENUE_TIMEOUT')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details.outcomeUnknown).toBe(true);
    const state = await connection.execution.order(o.clientOrderId, EUR);
    expect(state).toMatchObject({ status: 'filled', clientOrderId: o.clientOrderId });
    expect(fake.requests().some((r) => r.method === 'GET' && r.path.includes(`/orders/@${wireClientOrderId(o.clientOrderId)}`))).toBe(true);
    await waitFor('the fill reported once', () => fillsOf(reports, o.clientOrderId).length === 1);
    await sleep(300);
    expect(fillsOf(reports, o.clientOrderId)).toHaveLength(1);
    expect(await connection.execution.order('never-sent-2', EUR)).toBeUndefined();
  });

  it('a 429 is RATE_LIMITED with a wait and nothing done', async () => {
    const { fake, connection } = await open();
    eurusd(fake);
    fake.faults.rateLimit(1);
    const e = await connection.execution.submit(order()).catch((x: unknown) => x);
    expect(isAutotraderError(e, 'RATE_LIMITED')).toBe(true);
    expect((e as { details: Record<string, unknown> }).details).toMatchObject({ retryAfterMs: 1000 });
    expect((e as { details: Record<string, unknown> }).details.outcomeUnknown).toBeUndefined();
    expect(fake.orders(NETTING_ACCOUNT_ID)).toHaveLength(0);
    expect(oandaPlugin.rateLimits).toEqual([{ name: 'REQUESTS', limit: 120, intervalMs: 1000, scope: 'requests' }]);
  });

  it('refuses what OANDA lacks before sending (stop-limit, post-only) and orders below the minimum size', async () => {
    const { fake, connection } = await open();
    await expect(connection.execution.submit(order({ type: 'stop_limit', triggerPrice: price('1.2') }))).rejects.toMatchObject({ code: 'ORDER_TYPE_UNSUPPORTED' });
    await expect(connection.execution.submit(order({ postOnly: true }))).rejects.toMatchObject({ code: 'ORDER_TYPE_UNSUPPORTED' });
    await expect(connection.execution.submit(order({ quantity: quantity('0.5') }))).rejects.toMatchObject({ code: 'LOT_SIZE' });
    expect(fake.requests().filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});

describe('transaction stream', () => {
  it('after a reconnect, what was missed comes from /transactions/sinceid: none skipped, none twice', async () => {
    // No heartbeat comes within the test: only the reopened stream's catch-up can find what was missed.
    const { fake, connection, reports } = await open({ fakeOptions: { heartbeatMs: 60_000 }, config: { stallMs: 60_000 } });
    eurusd(fake);
    const resting = [order({ price: price('1.09000') }), order({ price: price('1.08990') }), order({ price: price('1.08980') })];
    for (const o of resting) await connection.execution.submit(o);
    // The stream is cut and stays quiet while the orders fill.
    fake.faults.stallStreams(true);
    fake.faults.dropStreams();
    eurusd(fake, '1.08900', '1.08910');
    fake.faults.stallStreams(false);
    await waitFor('every fill after the reconnect', () => resting.every((o) => fillsOf(reports, o.clientOrderId).length === 1), 5_000);
    expect(fake.requests().some((r) => r.path.endsWith('/transactions/sinceid'))).toBe(true);
    await sleep(300);
    for (const o of resting) expect(fillsOf(reports, o.clientOrderId)).toHaveLength(1);
    // Fills in id order.
    const ids = fillsOf(reports).map((f) => Number(f.tradeId));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it("notices a gap from a heartbeat's lastTransactionID and fetches the missing transactions", async () => {
    const { fake, connection, reports } = await open();
    eurusd(fake);
    const o = order({ price: price('1.09000') });
    await connection.execution.submit(o);
    fake.faults.transactionGap(true);
    eurusd(fake, '1.08900', '1.08910');
    await waitFor('the fill, found through the heartbeat', () => fillsOf(reports, o.clientOrderId).length === 1, 5_000);
    fake.faults.transactionGap(false);
    expect(fake.requests().some((r) => r.path.endsWith('/transactions/sinceid'))).toBe(true);
  });

  it('fillsSince reads the transaction pages from a time, oldest first', async () => {
    const { fake, connection } = await open();
    eurusd(fake);
    const since = Date.now();
    await connection.execution.submit(market({ quantity: quantity('1000') }));
    await connection.execution.submit(market({ side: 'sell', quantity: quantity('400') }));
    const fills = await connection.execution.fillsSince(EUR, since);
    expect(fills.map((f) => `${f.side} ${f.quantity.toString()}`)).toEqual(['buy 1000', 'sell 400']);
    expect(await connection.execution.fillsSince('USD_JPY.OANDA', since)).toEqual([]);
  });
});

describe('account', () => {
  it('reports the summary (balance, NAV, unrealized P/L, margin) and then its changes', async () => {
    const { fake, connection } = await open();
    eurusd(fake);
    const first = await connection.execution.accountSummary();
    expect(first).toMatchObject({ accountType: 'margin', baseCurrency: 'USD' });
    expect(first.balance.toString()).toBe('100000');
    await connection.execution.submit(market({ quantity: quantity('100000') }));
    eurusd(fake, '1.10100', '1.10110');
    const after = await connection.execution.accountSummary();
    const venue = fake.account(NETTING_ACCOUNT_ID);
    expect(after.nav.toString()).toBe(money(venue.NAV).toString());
    expect(after.unrealizedPnl.toString()).toBe(money(venue.unrealizedPL).toString());
    expect(after.marginUsed.toString()).toBe(money(venue.marginUsed).toString());
    expect(after.marginAvailable.toString()).toBe(money(venue.marginAvailable).toString());
    expect(fake.requests().some((r) => r.path.endsWith('/changes') && r.query.includes('sinceTransactionID='))).toBe(true);
    const [usd] = await connection.execution.balances();
    expect(usd).toMatchObject({ currency: 'USD' });
    expect(usd!.total.toString()).toBe(money(venue.balance).toString());
    expect(usd!.locked.toString()).toBe(money(venue.marginUsed).toString());
  });

  it('publishes financing (DAILY_FINANCING) as a venueBalance delta in the account currency, once', async () => {
    const { fake, connection, bus } = await open();
    const deltas: VenueBalanceEvent[] = [];
    bus.on('venueBalance', (e) => deltas.push(e));
    eurusd(fake);
    await connection.execution.submit(market({ quantity: quantity('10000') }));
    fake.faults.duplicateTransactions(2);
    fake.applyFinancing(NETTING_ACCOUNT_ID, { EUR_USD: '-1.2345' });
    await waitFor('the financing delta', () => deltas.length > 0);
    await sleep(300);
    expect(deltas).toEqual([expect.objectContaining({ kind: 'delta', venue: 'OANDA', currency: 'USD' })]);
    expect(deltas[0]!.kind === 'delta' && deltas[0]!.delta.toString()).toBe('-1.2345');
  });

  it('reports a margin closeout as a venueOrder, then its fill with reason closeout', async () => {
    const { fake, connection, reports } = await open();
    eurusd(fake, '1.10000', '1.10010', '10000000');
    await connection.execution.submit(market({ quantity: quantity('4000000') }));
    // The price falls until NAV < half the margin used: OANDA closes the position out.
    fake.price('EUR_USD', [['1.08000', '10000000']], [['1.08010', '10000000']]);
    const venueOrder = await waitFor('the closeout order', () => reports.find((r) => r.kind === 'venueOrder'), 5_000);
    expect(venueOrder).toMatchObject({ reason: 'closeout', order: { side: 'sell', instrumentId: EUR, tag: 'closeout' } });
    const fill = await waitFor('its fill', () => reports.find((r) => r.kind === 'fill' && r.fill.reason === 'closeout'));
    const vi = reports.indexOf(venueOrder);
    expect(reports.indexOf(fill)).toBeGreaterThan(vi);
    expect(fill.kind === 'fill' && fill.fill.clientOrderId).toBe(venueOrder.clientOrderId);
    expect(fill.kind === 'fill' && fill.fill.quantity.toString()).toBe('4000000');
    expect(await connection.execution.positions()).toEqual([]);
  });

  it('a hedging account keeps long and short legs; a reduce-only order that would break FIFO is refused before it is sent', async () => {
    const { fake, connection, reports } = await open({ account: HEDGING_ACCOUNT_ID });
    eurusd(fake);
    await connection.execution.submit(market({ quantity: quantity('3000') }));
    await connection.execution.submit(market({ side: 'sell', quantity: quantity('1000') }));
    const [p] = await connection.execution.positions();
    expect(p!.quantity.toString()).toBe('2000');
    expect(p!.long?.quantity.toString()).toBe('3000');
    expect(p!.short?.quantity.toString()).toBe('1000');
    // Closing 1000 of the long leg (reduce-only sell): oldest first, allowed.
    const close = market({ side: 'sell', quantity: quantity('1000'), reduceOnly: true });
    await connection.execution.submit(close);
    expect(fillsOf(reports, close.clientOrderId)[0]?.closes).toBe(true);
    const posts = fake.requests().filter((r) => r.method === 'POST').length;
    // More than the long trades hold: refused here, nothing sent.
    const tooMuch = market({ side: 'sell', quantity: quantity('5000'), reduceOnly: true });
    await expect(connection.execution.submit(tooMuch)).rejects.toMatchObject({ code: 'ORDER_INVALID', message: expect.stringContaining('FIFO') });
    expect(fake.requests().filter((r) => r.method === 'POST').length).toBe(posts);
  });
});
