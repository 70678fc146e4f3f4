import { describe, expect, it } from 'vitest';
import {
  AutotraderError,
  EventBus,
  money,
  price,
  quantity,
  SimulatedClock,
  type Balance,
  type ExecutionPort,
  type ExecutionReportSink,
  type OrderSnapshot,
  type RateLimitRule,
  type VenueOrderState,
  type VenuePosition,
  type VenueStatusEvent,
} from '@autotrader/core';
import { DEFAULT_GUARD_POLICY, GuardedExecution, type GuardedExecutionOptions } from './guarded-execution';
import { testOrder } from '@autotrader/testkit';
import { maxInWindow, runUntil } from './test-helpers';

const T0 = 1_700_000_000_000;
const BTC = 'BTCUSDT.TEST';

// ---- a fake venue at the port boundary: every call is answered from a script ----

type Method = 'submit' | 'cancel' | 'modify' | 'order' | 'openOrders' | 'positions' | 'balances';

/** One scripted answer. `placeThen` (submit only): the venue places the order, then the answer is lost. */
type Step = 'ok' | { fail: AutotraderError } | { placeThen: AutotraderError };

interface Call {
  readonly method: Method;
  readonly at: number;
  readonly clientOrderId?: string;
  readonly snapshot?: OrderSnapshot;
}

const rateLimited = (retryAfterMs: number): AutotraderError =>
  new AutotraderError('RATE_LIMITED', `429, wait ${retryAfterMs} ms`, { details: { retryAfterMs } });
const unavailable = (outcomeUnknown = false): AutotraderError =>
  new AutotraderError('VENUE_UNAVAILABLE', 'HTTP 503', { details: outcomeUnknown ? { outcomeUnknown: true } : {} });
const timeout = (): AutotraderError => new AutotraderError('VENUE_TIMEOUT', 'no answer within 10000 ms', { details: { outcomeUnknown: true } });
const rejected = (): AutotraderError => new AutotraderError('VENUE_REJECTED', '-2010 Account has insufficient balance');

/**
 * Answers each call from its method's script (then 'ok' once the script is used up), after
 * `latencyMs` on the simulated clock. Keeps the orders it placed, so `order()` knows them.
 */
class ScriptedVenue implements ExecutionPort {
  readonly venue = 'SCRIPTED';
  readonly calls: Call[] = [];
  readonly book = new Map<string, VenueOrderState>();
  modify?: ExecutionPort['modify'];
  private readonly scripts = new Map<Method, Step[]>();
  private seq = 0;

  constructor(
    private readonly clock: SimulatedClock,
    private readonly latencyMs = 0,
    withModify = true,
  ) {
    if (withModify) this.modify = (order) => this.answer('modify', order, () => undefined);
  }

  script(method: Method, ...steps: Step[]): this {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...steps]);
    return this;
  }

  callsOf(method: Method): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  connect(_sink: ExecutionReportSink): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  submit(order: OrderSnapshot): Promise<void> {
    return this.answer('submit', order, () => undefined);
  }
  cancel(order: OrderSnapshot): Promise<void> {
    return this.answer('cancel', order, () => undefined);
  }
  order(clientOrderId: string): Promise<VenueOrderState | undefined> {
    return this.answer('order', { clientOrderId } as OrderSnapshot, () => this.book.get(clientOrderId));
  }
  openOrders(): Promise<VenueOrderState[]> {
    return this.answer('openOrders', undefined, () => [...this.book.values()]);
  }
  positions(): Promise<VenuePosition[]> {
    return this.answer('positions', undefined, () => []);
  }
  balances(): Promise<Balance[]> {
    return this.answer('balances', undefined, () => [{ currency: 'USDT', total: money(1000), free: money(1000), locked: money(0), tsEvent: this.clock.now() }]);
  }

  private answer<T>(method: Method, order: OrderSnapshot | undefined, value: () => T): Promise<T> {
    const step = this.scripts.get(method)?.shift() ?? 'ok';
    this.calls.push({ method, at: this.clock.now(), clientOrderId: order?.clientOrderId, snapshot: method === 'order' ? undefined : order });
    if (method === 'submit' && order !== undefined && (step === 'ok' || (typeof step === 'object' && 'placeThen' in step))) this.place(order);
    const outcome = (): T => {
      if (step === 'ok') return value();
      throw 'fail' in step ? step.fail : step.placeThen;
    };
    if (this.latencyMs === 0) return Promise.resolve().then(outcome);
    return new Promise<T>((resolve, reject) => {
      this.clock.setAlert(`scripted-answer-${++this.seq}`, this.clock.now() + this.latencyMs, () => {
        try {
          resolve(outcome());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  private place(order: OrderSnapshot): void {
    if (this.book.has(order.clientOrderId)) throw new Error(`test venue: ${order.clientOrderId} placed twice`);
    this.book.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId,
      venueOrderId: String(this.book.size + 1),
      instrumentId: order.instrumentId,
      status: 'accepted',
      side: order.side,
      quantity: order.quantity,
      filledQuantity: quantity(0),
      price: order.price,
    });
  }
}

let orderSeq = 0;
function anOrder(): OrderSnapshot {
  return testOrder({ clientOrderId: `t-${++orderSeq}`, instrumentId: BTC, quantity: quantity('0.5'), price: price('50000'), status: 'submitted', tsCreated: T0, tsUpdated: T0 });
}

function setup(options: Partial<Omit<GuardedExecutionOptions, 'clock' | 'bus'>> & { latencyMs?: number; withModify?: boolean } = {}) {
  const clock = new SimulatedClock(T0);
  const bus = new EventBus('throw', () => clock.now());
  const status: VenueStatusEvent[] = [];
  bus.on('venueStatus', (e) => status.push(e));
  const venue = new ScriptedVenue(clock, options.latencyMs ?? 0, options.withModify ?? true);
  const recovered: VenueOrderState[] = [];
  const guard = new GuardedExecution(venue, { onRecovered: (s) => recovered.push(s), ...options, clock, bus });
  return { clock, bus, status, venue, guard, recovered };
}

/** Asserts that a tracked call has ended without an error. */
function expectOk(r: { done: boolean; error?: unknown }): void {
  expect(r.done).toBe(true);
  expect(r.error).toBeUndefined();
}

/** Starts `call` and collects how it ended. */
function track<T>(p: Promise<T>): { done: boolean; value?: T; error?: unknown } {
  const r: { done: boolean; value?: T; error?: unknown } = { done: false };
  p.then(
    (value) => Object.assign(r, { done: true, value }),
    (error: unknown) => Object.assign(r, { done: true, error }),
  );
  return r;
}

const RULES: RateLimitRule[] = [
  { name: 'WEIGHT', limit: 20, intervalMs: 1000, scope: 'requests' },
  { name: 'ORDERS', limit: 3, intervalMs: 10_000, scope: 'orders' },
];

describe('GuardedExecution: what the venue describes passes straight through', () => {
  it('canModify and buyFeeHold are the venue\'s own, and absent when the venue has none', () => {
    const clock = new SimulatedClock(T0);
    const bus = new EventBus('isolate');
    const venue = new ScriptedVenue(clock);
    expect(new GuardedExecution(venue, { clock, bus }).canModify).toBeUndefined();
    expect(new GuardedExecution(venue, { clock, bus }).buyFeeHold).toBeUndefined();
    const hold = { feeRate: price('0.001'), feePerUnit: price('0') };
    const describing = Object.assign(venue, { canModify: (o: OrderSnapshot) => o.type === 'limit', buyFeeHold: hold });
    const guard = new GuardedExecution(describing, { clock, bus });
    expect(guard.canModify!(anOrder(), {})).toBe(true);
    expect(guard.canModify!({ ...anOrder(), type: 'stop_limit' }, {})).toBe(false);
    expect(guard.buyFeeHold).toBe(hold);
  });
});

describe('GuardedExecution: rate limits', () => {
  it('a burst never reaches the venue over a weighted limit', async () => {
    const { guard, venue, clock } = setup({ rateLimits: RULES, requestWeights: { openOrders: 6, balances: 5 } });
    const results = [
      ...Array.from({ length: 8 }, () => track(guard.openOrders(BTC))),
      ...Array.from({ length: 8 }, () => track(guard.balances())),
      ...Array.from({ length: 10 }, () => track(guard.cancel(anOrder()))),
    ];
    await runUntil(clock, T0 + 60_000);
    expect(results.every((r) => r.done && r.error === undefined)).toBe(true);
    const weight = { openOrders: 6, balances: 5, cancel: 1 } as Record<string, number>;
    const times = venue.calls.map((c) => c.at);
    expect(venue.calls).toHaveLength(26);
    expect(maxInWindow(times, venue.calls.map((c) => weight[c.method]!), 1000)).toBeLessThanOrEqual(20);
    // 48 + 40 + 10 = 98 units at 20 per second: the last call cannot go before 4 s have passed.
    expect(Math.max(...times) - T0).toBeGreaterThanOrEqual(4000);
    expect(guard.stats().throttledMs).toBeGreaterThan(0);
  });

  it('order placements also count against the orders rule; cancels do not', async () => {
    const { guard, venue, clock } = setup({ rateLimits: RULES });
    const orders = Array.from({ length: 7 }, () => anOrder());
    for (const o of orders) void guard.submit(o);
    for (let i = 0; i < 5; i++) void guard.cancel(anOrder());
    await runUntil(clock, T0 + 60_000);
    const submits = venue.callsOf('submit').map((c) => c.at - T0);
    expect(submits).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
    // FIFO: the cancels queued behind the seventh submit, and go with it.
    expect(venue.callsOf('cancel').map((c) => c.at - T0)).toEqual([20_000, 20_000, 20_000, 20_000, 20_000]);
    expect(venue.callsOf('submit').map((c) => c.clientOrderId)).toEqual(orders.map((o) => o.clientOrderId));
  });

  it('once orders are withheld (a shutdown began), queued placements fail as never sent; cancels still go', async () => {
    const { guard, venue, clock } = setup({ rateLimits: RULES });
    const orders = Array.from({ length: 5 }, () => anOrder());
    const results = orders.map((o) => track(guard.submit(o)));
    await runUntil(clock, T0 + 1);
    guard.withholdOrders('the session is shutting down');
    const cancel = track(guard.cancel(orders[0]!));
    await runUntil(clock, T0 + 60_000);
    // Three went out at once (3 orders per 10 s); the two queued behind the limit were never sent.
    expect(venue.callsOf('submit').map((c) => c.clientOrderId)).toEqual(orders.slice(0, 3).map((o) => o.clientOrderId));
    for (const r of results.slice(3)) {
      const e = r.error as AutotraderError;
      expect(e.code).toBe('VENUE_UNAVAILABLE');
      expect(e.retryable).toBe(false);
      expect(e.details.outcomeUnknown).not.toBe(true);
      expect(e.message).toMatch(/not sent: the session is shutting down/);
    }
    expect(cancel.done && cancel.error === undefined).toBe(true);
    expect(venue.callsOf('cancel')).toHaveLength(1);
  });

  it('the venue usage feed tightens the budget', async () => {
    const { guard, venue, clock } = setup({ rateLimits: RULES });
    guard.reportUsage({ WEIGHT: 18 });
    expect(guard.used('WEIGHT')).toBe(18);
    for (let i = 0; i < 6; i++) void guard.positions();
    await runUntil(clock, T0 + 5000);
    expect(venue.callsOf('positions').map((c) => c.at - T0)).toEqual([0, 0, 1000, 1000, 1000, 1000]);
  });

  it('a 429 pauses every request to the venue for Retry-After; no request goes out inside the pause', async () => {
    const { guard, venue, clock } = setup({ rateLimits: RULES, latencyMs: 50 });
    venue.script('balances', { fail: rateLimited(5000) });
    const first = track(guard.balances());
    await runUntil(clock, T0 + 50); // the 429 arrives at +50
    expect(guard.stats().rateLimited).toBe(1);
    // A burst of every kind of request after the 429.
    const burst = [track(guard.submit(anOrder())), track(guard.cancel(anOrder())), track(guard.openOrders()), track(guard.order('x', BTC)), track(guard.positions())];
    await runUntil(clock, T0 + 5049);
    expect(venue.calls).toHaveLength(1);
    await runUntil(clock, T0 + 20_000);
    expect([first, ...burst].every((r) => r.done && r.error === undefined)).toBe(true);
    const after = venue.calls.slice(1).map((c) => c.at - T0);
    expect(after).toHaveLength(6);
    expect(Math.min(...after)).toBe(5050);
    expect(guard.stats().throttledMs).toBeGreaterThanOrEqual(5000 * 6);
  });

  it('requests already in flight when a 429 arrives are retried only after the pause', async () => {
    const { guard, venue, clock } = setup({ latencyMs: 100 });
    venue.script('openOrders', { fail: rateLimited(3000) }, { fail: rateLimited(3000) }, 'ok', 'ok');
    const r = [track(guard.openOrders()), track(guard.openOrders()), track(guard.openOrders())];
    await runUntil(clock, T0 + 10_000);
    expect(r.every((x) => x.done && x.error === undefined)).toBe(true);
    const at = venue.callsOf('openOrders').map((c) => c.at - T0);
    // Three sent at once; the two refused come back at +100 and wait until +100 + 3000.
    expect(at).toEqual([0, 0, 0, 3100, 3100]);
    expect(guard.stats()).toMatchObject({ sent: 5, retried: 2, rateLimited: 2 });
  });
});

describe('GuardedExecution: retry', () => {
  it('retries retryable codes only', async () => {
    const { guard, venue, clock } = setup();
    venue.script('cancel', { fail: rejected() });
    const refused = track(guard.cancel(anOrder()));
    venue.script('positions', { fail: unavailable() }, { fail: timeout() }, 'ok');
    const healed = track(guard.positions());
    venue.script('balances', { fail: new AutotraderError('AUTH_FAILED', '-2015 Invalid API-key') });
    const auth = track(guard.balances());
    venue.script('openOrders', { fail: new TypeError('bug in the plugin') as unknown as AutotraderError });
    const bug = track(guard.openOrders());
    await runUntil(clock, T0 + 60_000);
    expect(refused.error).toBeInstanceOf(AutotraderError);
    expect((refused.error as AutotraderError).code).toBe('VENUE_REJECTED');
    expect(healed).toMatchObject({ done: true, value: [] });
    expect((auth.error as AutotraderError).code).toBe('AUTH_FAILED');
    expect(bug.error).toBeInstanceOf(TypeError);
    expect(venue.callsOf('cancel')).toHaveLength(1);
    expect(venue.callsOf('positions')).toHaveLength(3);
    expect(venue.callsOf('balances')).toHaveLength(1);
    expect(venue.callsOf('openOrders')).toHaveLength(1);
  });

  it('backoff waits grow, are jittered, and are the same for the same seed', async () => {
    const gaps = async (seed: number): Promise<number[]> => {
      const { guard, venue, clock } = setup({ policy: { seed, breaker: { failureThreshold: 100 } } });
      venue.script('balances', ...Array.from({ length: 4 }, () => ({ fail: unavailable() })));
      const r = track(guard.balances());
      await runUntil(clock, T0 + 60_000);
      expect(r.error).toBeUndefined();
      const at = venue.callsOf('balances').map((c) => c.at);
      return at.slice(1).map((t, i) => t - at[i]!);
    };
    const a = await gaps(11);
    expect(a).toHaveLength(4);
    a.forEach((gap, i) => {
      const step = 200 * 2 ** i;
      expect(gap).toBeGreaterThanOrEqual(step * 0.8);
      expect(gap).toBeLessThanOrEqual(step);
      if (i > 0) expect(gap).toBeGreaterThan(a[i - 1]!);
    });
    expect(await gaps(11)).toEqual(a);
    expect(await gaps(12)).not.toEqual(a);
  });

  it('gives up after maxAttempts with the last error, saying how many attempts were made', async () => {
    const { guard, venue, clock } = setup({ policy: { retry: { maxAttempts: 3 } } });
    venue.script('openOrders', { fail: unavailable() }, { fail: unavailable() }, { fail: timeout() });
    const r = track(guard.openOrders());
    await runUntil(clock, T0 + 60_000);
    const e = r.error as AutotraderError;
    expect(e.code).toBe('VENUE_TIMEOUT');
    expect(e.details.attempts).toBe(3);
    expect(e.message).toContain('gave up after 3 attempts');
    expect(venue.callsOf('openOrders')).toHaveLength(3);
  });

  it('a retried submit resends the very same order (same client order id), never a new one', async () => {
    const { guard, venue, clock } = setup();
    const o = anOrder();
    venue.script('submit', { fail: rateLimited(1000) }, { fail: unavailable(false) });
    const r = track(guard.submit(o));
    await runUntil(clock, T0 + 60_000);
    expectOk(r);
    const sent = venue.callsOf('submit');
    expect(sent).toHaveLength(3);
    expect(sent.every((c) => c.snapshot === o)).toBe(true);
    // Neither failure left the outcome unknown, so nothing was queried.
    expect(venue.callsOf('order')).toHaveLength(0);
    expect(venue.book.size).toBe(1);
  });

  it('a submit that keeps failing without an unknown outcome gives up without the flag (the order was not placed)', async () => {
    const { guard, venue, clock } = setup({ policy: { retry: { maxAttempts: 2 } } });
    venue.script('submit', { fail: rateLimited(100) }, { fail: rateLimited(100) });
    const r = track(guard.submit(anOrder()));
    await runUntil(clock, T0 + 60_000);
    const e = r.error as AutotraderError;
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details.outcomeUnknown).toBeUndefined();
    expect(venue.book.size).toBe(0);
  });
});

describe('GuardedExecution: submits with an unknown outcome', () => {
  it('timed out but placed: the query finds it, it is not resent, and the found state is handed on', async () => {
    const { guard, venue, clock, recovered } = setup({ latencyMs: 20 });
    const o = anOrder();
    venue.script('submit', { placeThen: timeout() });
    const r = track(guard.submit(o));
    await runUntil(clock, T0 + 60_000);
    expectOk(r);
    expect(venue.callsOf('submit')).toHaveLength(1);
    expect(venue.callsOf('order').map((c) => c.clientOrderId)).toEqual([o.clientOrderId]);
    // The query waited for the backoff after the timeout came back.
    expect(venue.callsOf('order')[0]!.at - T0).toBeGreaterThanOrEqual(20 + 160);
    expect(recovered).toEqual([venue.book.get(o.clientOrderId)]);
    expect(recovered[0]).toMatchObject({ clientOrderId: o.clientOrderId, status: 'accepted', venueOrderId: '1' });
    expect(guard.stats().recovered).toBe(1);
  });

  it('5xx and not placed: the query does not find it, and it is resent with the same client order id', async () => {
    const { guard, venue, clock, recovered } = setup();
    const o = anOrder();
    venue.script('submit', { fail: unavailable(true) });
    const r = track(guard.submit(o));
    await runUntil(clock, T0 + 60_000);
    expectOk(r);
    expect(venue.calls.map((c) => `${c.method}:${c.clientOrderId}`)).toEqual([`submit:${o.clientOrderId}`, `order:${o.clientOrderId}`, `submit:${o.clientOrderId}`]);
    expect(venue.callsOf('submit').every((c) => c.snapshot === o)).toBe(true);
    expect([...venue.book.keys()]).toEqual([o.clientOrderId]);
    expect(recovered).toEqual([]);
  });

  it('a failing query is retried before anything is resent', async () => {
    const { guard, venue, clock } = setup();
    const o = anOrder();
    venue.script('submit', { placeThen: timeout() });
    venue.script('order', { fail: unavailable() });
    const r = track(guard.submit(o));
    await runUntil(clock, T0 + 60_000);
    expectOk(r);
    expect(venue.calls.map((c) => c.method)).toEqual(['submit', 'order', 'order']);
    expect(venue.book.size).toBe(1);
  });

  it('giving up while the outcome is unknown says so (details.outcomeUnknown)', async () => {
    const { guard, venue, clock } = setup({ policy: { retry: { maxAttempts: 2 } } });
    venue.script('submit', { placeThen: timeout() });
    venue.script('order', { fail: unavailable() });
    const r = track(guard.submit(anOrder()));
    await runUntil(clock, T0 + 60_000);
    const e = r.error as AutotraderError;
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    expect(e.details.outcomeUnknown).toBe(true);
    expect(e.message).toContain('the order may exist at the venue');
    expect(venue.callsOf('submit')).toHaveLength(1);
  });
});

describe('GuardedExecution: circuit breaker', () => {
  const policy = { retry: { maxAttempts: 1 }, breaker: { failureThreshold: 3, openMs: 10_000 } };

  it('does not count 429s against the breaker: the pause handles them', async () => {
    const { guard, venue, clock, status } = setup({ policy });
    venue.script('balances', { fail: rateLimited(10) }, { fail: rateLimited(10) }, { fail: rateLimited(10) }, { fail: rateLimited(10) });
    for (let i = 0; i < 4; i++) track(guard.balances());
    await runUntil(clock, T0 + 100);
    expect(guard.breakerState).toBe('closed');
    expect(status).toHaveLength(0);
  });

  it('opens after N failures, publishes degraded, fails fast, and a successful probe closes it', async () => {
    const { guard, venue, clock, status } = setup({ policy });
    venue.script('balances', { fail: unavailable() }, { fail: timeout() }, { fail: unavailable() });
    for (let i = 0; i < 3; i++) track(guard.balances());
    await runUntil(clock, T0 + 100);
    expect(guard.breakerState).toBe('open');
    expect(status).toHaveLength(1);
    expect(status[0]).toMatchObject({ venue: 'SCRIPTED', state: 'degraded' });
    expect(status[0]!.reason).toContain('3 consecutive failures');

    const fast = track(guard.submit(anOrder()));
    await runUntil(clock, T0 + 200);
    const e = fast.error as AutotraderError;
    expect(e.code).toBe('VENUE_UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain(`circuit open until ${new Date(T0 + 10_000).toISOString()}`);
    expect(e.details.outcomeUnknown).toBeUndefined();
    expect(venue.callsOf('submit')).toHaveLength(0);

    await runUntil(clock, T0 + 10_000);
    expect(guard.breakerState).toBe('half-open');
    const probe = track(guard.positions());
    const second = track(guard.positions());
    await runUntil(clock, T0 + 10_001);
    expect(probe).toMatchObject({ done: true, value: [] });
    expect((second.error as AutotraderError).message).toMatch(/probe request is in flight/);
    expect(venue.callsOf('positions')).toHaveLength(1);
    expect(guard.breakerState).toBe('closed');
    expect(status.map((s) => s.state)).toEqual(['degraded', 'connected']);
    expect(guard.stats().breakerOpened).toBe(1);
  });

  it('a failed probe re-opens it', async () => {
    const { guard, venue, clock, status } = setup({ policy });
    venue.script('balances', ...Array.from({ length: 4 }, () => ({ fail: unavailable() })));
    for (let i = 0; i < 3; i++) track(guard.balances());
    await runUntil(clock, T0 + 10_000);
    const probe = track(guard.balances());
    await runUntil(clock, T0 + 10_001);
    expect((probe.error as AutotraderError).code).toBe('VENUE_UNAVAILABLE');
    expect(guard.breakerState).toBe('open');
    expect(guard.stats().breakerOpened).toBe(2);
    expect(status.map((s) => s.state)).toEqual(['degraded', 'degraded']);
    expect(venue.callsOf('balances')).toHaveLength(4);
  });

  it('venue rejections are not venue failures', async () => {
    const { guard, venue, clock } = setup({ policy });
    venue.script('submit', ...Array.from({ length: 10 }, () => ({ fail: rejected() })));
    for (let i = 0; i < 10; i++) track(guard.submit(anOrder()));
    await runUntil(clock, T0 + 1000);
    expect(guard.breakerState).toBe('closed');
    expect(venue.callsOf('submit')).toHaveLength(10);
  });

  it('with retries on, the fail-fast error ends the retries at once', async () => {
    const { guard, venue, clock } = setup({ policy: { retry: { maxAttempts: 5 }, breaker: { failureThreshold: 2, openMs: 60_000 } } });
    venue.script('openOrders', { fail: unavailable() }, { fail: unavailable() });
    const r = track(guard.openOrders());
    await runUntil(clock, T0 + 5000);
    const e = r.error as AutotraderError;
    expect(e.details.circuitOpen).toBe(true);
    expect(e.details.attempts).toBe(3);
    expect(venue.callsOf('openOrders')).toHaveLength(2);
  });
});

describe('GuardedExecution: the port', () => {
  it('offers modify only when the guarded port has it, and guards it', async () => {
    expect(setup({ withModify: false }).guard.modify).toBeUndefined();
    const { guard, venue, clock } = setup({ rateLimits: [{ name: 'ORDERS', limit: 1, intervalMs: 1000, scope: 'orders' }] });
    const o = anOrder();
    void guard.modify!(o, { price: price('49000') });
    void guard.modify!(o, { price: price('48000') });
    await runUntil(clock, T0 + 2000);
    expect(venue.callsOf('modify').map((c) => c.at - T0)).toEqual([0, 1000]);
    expect(guard.fillsSince).toBeUndefined();
  });

  it('disconnect stops waiting requests and backoffs, leaving no timer on the clock', async () => {
    const { guard, venue, clock } = setup({ rateLimits: [{ name: 'W', limit: 1, intervalMs: 1000, scope: 'requests' }] });
    venue.script('submit', { placeThen: timeout() });
    const unknown = track(guard.submit(anOrder()));
    const queued = track(guard.balances());
    await runUntil(clock, T0 + 10);
    expect(clock.nextTimerAt).toBeLessThan(Infinity);
    await guard.disconnect();
    await runUntil(clock, T0 + 20);
    const u = unknown.error as AutotraderError;
    expect(u.retryable).toBe(false);
    expect(u.details.outcomeUnknown).toBe(true);
    expect((queued.error as AutotraderError).message).toContain('disconnected');
    expect(clock.nextTimerAt).toBe(Infinity);
    expect(venue.calls).toHaveLength(1);
    await guard.connect(() => undefined);
    await runUntil(clock, T0 + 2000);
    await expect(guard.balances()).resolves.toHaveLength(1);
  });

  it('documents its defaults', () => {
    expect(DEFAULT_GUARD_POLICY).toEqual({
      retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, jitter: 0.2 },
      breaker: { failureThreshold: 5, openMs: 15_000 },
      seed: 1,
    });
    const { guard } = setup({ policy: { retry: { maxAttempts: 2 } } });
    expect(guard.policy.retry).toEqual({ maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 10_000, jitter: 0.2 });
    expect(() => setup({ policy: { retry: { jitter: 2 } } })).toThrow(/jitter/);
  });
});
