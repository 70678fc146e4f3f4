import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { ORDER_PLACEMENT } from '@autotrader/fake-binance';
import { expectConsistentWithVenue, startRun } from './harness';
import ladder from './ladder';

const open = (run: { fake: { orders(): { status: string }[] } }): number => run.fake.orders().filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').length;

/**
 * Fault injection against the fake Binance. Every scenario trades, injects its fault, and ends with:
 * zero lost fills, zero duplicate orders, our position and cash equal to the venue's.
 */
describe('fault injection: fake Binance', () => {
  it('the WebSocket drops during a burst of fills: the fills made while it was down are recovered by reconciliation', async () => {
    const run = await startRun(ladder, { levels: 8, step: 1, size: '0.01' }, { ackTimeoutMs: 5_000 });
    try {
      await run.trade('30000.00');
      await waitFor('the ladder to rest at the venue', () => open(run) === 8);
      await run.trade('29998.00'); // fills two levels over the stream
      await waitFor('two fills over the stream', () => run.fills.length === 2);
      run.fake.faults.dropStreams();
      // While every socket is down, the market trades through four more levels.
      run.fake.trade('BTCUSDT', '29995.00', '1');
      run.fake.trade('BTCUSDT', '29994.00', '1');
      expect(run.fills.length).toBe(2);
      await waitFor('the missed fills to be recovered after the reconnect', () => run.session.engine.oms.allFills().length === 6, 10_000);
      await run.trade('29992.00'); // and the stream works again
      await waitFor('the last levels to fill', () => run.session.engine.oms.allFills().length === 8, 10_000);
      expect(open(run)).toBe(0);
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('duplicate and out-of-order fill messages are booked once', async () => {
    const run = await startRun(ladder, { levels: 4, step: 1, size: '0.01' });
    try {
      await run.trade('30000.00');
      await waitFor('the ladder to rest at the venue', () => open(run) === 4);
      run.fake.faults.duplicateNextExecutionReports();
      await run.trade('29996.00'); // one trade through all four levels: a burst of reports, each sent twice, two swapped
      await waitFor('all four fills', () => run.session.engine.oms.allFills().length === 4, 10_000);
      await new Promise((r) => setTimeout(r, 200)); // let every duplicate arrive
      expect(run.session.engine.oms.allFills()).toHaveLength(4);
      for (const o of run.session.engine.oms.all()) expect(o.status).toBe('filled');
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a clock skew that triggers -1021: the plugin resyncs with the server time and the orders go through once', async () => {
    const run = await startRun(ladder, { levels: 3, step: 1, size: '0.01' });
    try {
      run.fake.faults.skewClock(30_000); // the server is now 30 s ahead: our timestamps fall outside recvWindow
      await run.trade('30000.00');
      await waitFor('the ladder to rest at the venue', () => open(run) === 3, 10_000);
      expect(run.fake.requests().length).toBeGreaterThan(0);
      await run.trade('29997.00');
      await waitFor('all three fills', () => run.session.engine.oms.allFills().length === 3, 10_000);
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('the kill switch is tripped by max daily loss while orders are open: they are cancelled, nothing new is sent', async () => {
    const run = await startRun(ladder, { levels: 4, step: 100, size: '0.1' }, { risk: { maxDailyLoss: '10' } });
    const states: string[] = [];
    run.bus.on('tradingState', (e) => states.push(`${e.state}: ${e.reason}`));
    try {
      await run.trade('30000.00');
      await waitFor('the ladder to rest at the venue', () => open(run) === 4);
      await run.trade('29850.00'); // fills the 29900 level: long 0.1
      await waitFor('the first fill', () => run.fills.length === 1);
      expect(states).toEqual([]);
      await run.trade('29820.00'); // equity is now more than 10 below the day's start
      await waitFor('the switch to trip', () => states.length === 1);
      expect(states[0]).toMatch(/^halted: max daily loss/);
      await waitFor('the open orders to be cancelled at the venue', () => open(run) === 0, 10_000);
      const sent = run.fake.orders().length;
      await run.trade('29500.00');
      expect(run.fake.orders()).toHaveLength(sent);
      await expectConsistentWithVenue(run, { halted: true });
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a REST timeout on a submit the venue did accept: the order is found by its client id and not sent again', async () => {
    const run = await startRun(ladder, { levels: 3, step: 1, size: '0.01' }, { venue: { timeouts: { requestMs: 300 } }, guard: { retry: { baseDelayMs: 50 } } });
    try {
      run.fake.faults.acceptThenTimeout(1);
      await run.trade('30000.00');
      await waitFor('all three orders at the venue', () => open(run) === 3, 10_000);
      await waitFor('every order acknowledged here', () => run.session.engine.oms.all().every((o) => o.status === 'accepted'), 10_000);
      await new Promise((r) => setTimeout(r, 500)); // past the timeout and any retry
      expect(run.fake.orders()).toHaveLength(3);
      await run.trade('29997.00');
      await waitFor('all three fills', () => run.session.engine.oms.allFills().length === 3, 10_000);
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a REST timeout on a submit the venue never received: it is resent with the same client id, once', async () => {
    const run = await startRun(ladder, { levels: 3, step: 1, size: '0.01' }, { venue: { timeouts: { requestMs: 300 } }, guard: { retry: { baseDelayMs: 50 } } });
    try {
      run.fake.faults.dropRequest(1, ORDER_PLACEMENT);
      await run.trade('30000.00');
      await waitFor('all three orders at the venue', () => open(run) === 3, 10_000);
      const placements = run.fake.requests().filter((r) => r.method === 'POST' && r.path === '/api/v3/order');
      const ids = placements.map((r) => r.params.newClientOrderId);
      // Four placements for three orders: the dropped one was sent again under the same id, after a lookup said the venue did not have it.
      expect(placements).toHaveLength(4);
      expect(new Set(ids).size).toBe(3);
      await run.trade('29997.00');
      await waitFor('all three fills', () => run.session.engine.oms.allFills().length === 3, 10_000);
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('429 then 418 with Retry-After: every request waits out the pause, so the venue never bans us', async () => {
    const run = await startRun(ladder, { levels: 6, step: 1, size: '0.01' }, { guard: { retry: { baseDelayMs: 50 } } });
    try {
      // Requests already on the wire when the 429 is issued arrive inside the pause; Binance bans for
      // continuing to send after a 429, which the guard never does. Five such requests are tolerated.
      run.fake.faults.rateLimit(2, { retryAfterSec: 1, escalateTo418AfterIgnored: 5 });
      const started = Date.now();
      await run.trade('30000.00');
      await waitFor('all six orders at the venue', () => open(run) === 6, 15_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the pause was honoured
      expect(run.errors.filter((e) => /418|banned/i.test(e))).toEqual([]);
      const ids = run.fake.orders().map((o) => o.clientOrderId);
      expect(new Set(ids).size).toBe(6);
      await run.trade('29994.00');
      await waitFor('all six fills', () => run.session.engine.oms.allFills().length === 6, 10_000);
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a 5xx storm opens the circuit breaker: orders fail fast with a coded reason; a probe closes it and trading resumes', async () => {
    const run = await startRun(ladder, { levels: 4, step: 1, size: '0.01' }, { guard: { retry: { baseDelayMs: 20, maxAttempts: 8 }, breaker: { failureThreshold: 3, openMs: 300 } } });
    const status: string[] = [];
    run.bus.on('venueStatus', (e) => status.push(e.state));
    try {
      run.fake.faults.serverError(6, 503);
      await run.trade('30000.00');
      await waitFor('the breaker to open', () => status.includes('degraded'), 10_000);
      await waitFor('every ladder order to be settled', () => run.session.engine.oms.all().every((o) => o.status !== 'submitted'), 15_000);
      const engine = run.session.engine;
      const rejected = engine.oms.all().filter((o) => o.status === 'rejected');
      // Each was either refused at once while the breaker was open (VENUE_UNAVAILABLE: never sent), or sent
      // into the storm with an unknown outcome, looked up by its client id, and found unknown (VENUE_TIMEOUT).
      for (const o of rejected) {
        expect(['VENUE_UNAVAILABLE', 'VENUE_TIMEOUT']).toContain(o.rejection?.code);
        expect(run.fake.orders().map((x) => x.clientOrderId)).not.toContain(o.clientOrderId);
      }
      // After the pause a probe gets through, the breaker closes, and a new order is placed.
      await new Promise((r) => setTimeout(r, 400));
      const fresh = engine.submit({ instrumentId: 'BTCUSDT.BINANCE', side: 'buy', type: 'limit', price: '29990', quantity: '0.01' });
      await waitFor('the new order at the venue', () => run.fake.orders().some((o) => o.clientOrderId === fresh.clientOrderId), 10_000);
      expect(status.slice(status.indexOf('degraded'))).toContain('connected');
      const ids = run.fake.orders().map((o) => o.clientOrderId);
      expect(new Set(ids).size).toBe(ids.length);
      await run.trade('29989.00');
      await waitFor('every placed order to fill', () => open(run) === 0, 10_000);
      await expectConsistentWithVenue(run);
    } finally {
      await run.stop();
    }
  }, 60_000);
});
