import { Decimal, EventBus, RealtimeClock, silentLogger, type Fill, type OrderSnapshot, type StrategyDefinition } from '@autotrader/core';
import { LiveSession, type GuardPolicyInput, type Portfolio, type RiskConfig } from '@autotrader/engine';
import { binancePlugin, createBinance, type BinanceConnection } from '@autotrader/plugin-binance';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance, type FakeBinance, type FakeBinanceOptions } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { expect } from 'vitest';

/** A live session against the fake Binance, instrumented for the end-of-scenario checks. */
export interface FaultRun {
  readonly fake: FakeBinance;
  readonly session: LiveSession;
  readonly bus: EventBus;
  readonly connection: BinanceConnection;
  readonly fills: Fill[];
  readonly submits: OrderSnapshot[];
  readonly errors: string[];
  /** Prints a trade and lets it settle. */
  trade(price: string, qty?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the fake and a live session with `strategy` trading BTCUSDT. */
export async function startRun(
  strategy: StrategyDefinition,
  params: Record<string, unknown>,
  options: { fake?: FakeBinanceOptions; risk?: RiskConfig; venue?: Record<string, unknown>; ackTimeoutMs?: number; guard?: GuardPolicyInput } = {},
): Promise<FaultRun> {
  const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '0' }, ...options.fake });
  const bus = new EventBus('isolate');
  const clock = new RealtimeClock();
  const fills: Fill[] = [];
  const submits: OrderSnapshot[] = [];
  const errors: string[] = [];
  bus.on('fill', (f) => fills.push(f));
  bus.on('submit', (e) => submits.push(e.order));
  bus.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  const connection = createBinance(
    binancePlugin.configSchema.parse({
      restUrl: fake.restUrl,
      wsApiUrl: fake.wsApiUrl,
      streamUrl: fake.streamUrl,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      ...options.venue,
    }),
    { bus, clock, logger: silentLogger, env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET } },
  );
  const session = new LiveSession({
    strategy,
    params,
    venue: {
      name: 'binance',
      capabilities: binancePlugin.capabilities,
      rateLimits: binancePlugin.rateLimits,
      requestWeights: binancePlugin.requestWeights,
      onUsage: (l) => connection.onUsage(l),
      loadInstruments: () => connection.instruments.load(),
      data: connection.data,
      execution: connection.execution,
    },
    instrumentIds: ['BTCUSDT'],
    dataKinds: ['trade'],
    risk: options.risk,
    guard: options.guard,
    ackTimeoutMs: options.ackTimeoutMs ?? 1_000,
    bus,
    clock,
  });
  await session.start();
  let trades = 0;
  bus.on('trade', () => trades++);
  return {
    fake,
    session,
    bus,
    connection,
    fills,
    submits,
    errors,
    async trade(price, qty = '1') {
      const before = trades;
      fake.trade('BTCUSDT', price, qty);
      // Delivered, unless the market stream is down.
      await waitFor('trade delivered', () => trades > before, 3_000).catch(() => {});
      await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      await session.stop();
      await connection.close();
      await fake.close();
    },
  };
}

/**
 * The checks every scenario ends with: no fill the venue made for us is missing or booked twice, no
 * order was sent twice, no halt (unless the scenario trips the kill switch itself), and our position and every balance (total, free and locked) equal the
 * venue's to the last digit: fees in the base asset and locks of resting orders included.
 */
export async function expectConsistentWithVenue(run: FaultRun, options: { halted?: boolean } = {}): Promise<void> {
  const venueFills = run.fake.orders().flatMap((o) => o.fills.map((f) => ({ ...f, clientOrderId: o.clientOrderId })));
  // Give any fill still in flight (stream or reconciliation) time to land.
  await waitFor('every venue fill to be booked', () => run.session.engine.oms.allFills().length >= venueFills.length, 5_000).catch(() => {});
  const booked = run.session.engine.oms.allFills();
  const bookedIds = booked.map((f) => f.tradeId);
  expect(new Set(bookedIds).size, 'a fill was booked twice').toBe(bookedIds.length);
  expect([...bookedIds].sort(), 'fills lost or invented').toEqual(venueFills.map((f) => String(f.tradeId)).sort());
  const ids = run.fake.orders().map((o) => o.clientOrderId);
  expect(new Set(ids).size, 'an order reached the venue twice').toBe(ids.length);
  for (const id of ids) expect(run.session.engine.oms.get(id), `venue order ${id} unknown to the OMS`).toBeDefined();
  // A scenario that trips the kill switch on purpose says so; anywhere else a halt is a failure.
  if (options.halted !== true) expect(run.session.engine.tradingState, `halted: ${run.session.engine.tradingStateReason}`).not.toBe('halted');
  expectBooksEqualVenue(run.session.engine.portfolio, run.fake.balances());
}

/** Our position and every balance against the fake's ledger, exactly: total, free and locked. */
export function expectBooksEqualVenue(portfolio: Portfolio, venue: Readonly<Record<string, { free: string; locked: string }>>): void {
  const ours = new Map(portfolio.balances().map((b) => [b.currency, b]));
  for (const currency of new Set([...ours.keys(), ...Object.keys(venue)])) {
    const v = venue[currency] ?? { free: '0', locked: '0' };
    const o = ours.get(currency);
    const figures = (free: string | number, locked: string | number): string => `total ${new Decimal(free).plus(locked).toString()}, free ${new Decimal(free).toString()}, locked ${new Decimal(locked).toString()}`;
    expect(o === undefined ? figures(0, 0) : figures(o.free.toString(), o.locked.toString()), `${currency} balance differs from the venue`).toBe(figures(v.free, v.locked));
  }
  const btc = venue.BTC ?? { free: '0', locked: '0' };
  expect(portfolio.position('BTCUSDT.BINANCE')?.quantity.toString() ?? '0', 'position differs from the venue').toBe(new Decimal(btc.free).plus(btc.locked).toString());
}
