import { money, price, quantity, type Fill, type Order } from '@autotrader/core';
import type { JournalEntry } from '../codec';
import { testOrder } from '@autotrader/testkit';

/** The instrument every scripted order trades. */
export const SCRIPT_INSTRUMENT = 'BTCUSDT.SIM';

function order(clientOrderId: string, ts: number, qty: string, px: string): Order {
  return testOrder({ clientOrderId, instrumentId: SCRIPT_INSTRUMENT, quantity: quantity(qty), price: price(px), status: 'submitted', tsCreated: ts, tsUpdated: ts });
}

function fill(clientOrderId: string, tradeId: string, qty: string, px: string, ts: number): JournalEntry {
  // Spelled out, not testFill(): the journal's bytes follow the key order, and the tests compare them.
  const f: Fill = {
    clientOrderId,
    venueOrderId: `v-${clientOrderId}`,
    tradeId,
    instrumentId: SCRIPT_INSTRUMENT,
    side: 'buy',
    price: price(px),
    quantity: quantity(qty),
    fee: money('0.00012345'),
    feeCurrency: 'USDT',
    liquidity: 'maker',
    tsEvent: ts,
    tsInit: ts,
  };
  return { t: 'report', ts, report: { kind: 'fill', fill: f } };
}

/**
 * An endless, deterministic stream of journal entries for one session, as an OMS would write them:
 * orders that fill in two parts (with a duplicated fill report), orders cancelled, orders rejected,
 * and orders left partially filled. Entry k is the same in every run, so a reader can check each
 * entry a killed writer left behind against what it must be.
 */
export function* sessionScript(prefix: string, baseTs = 1_700_000_000_000): Generator<JournalEntry> {
  let ts = baseTs;
  for (let n = 1; ; n++) {
    const id = `${prefix}-${n}`;
    const px = `${60000 + (n % 97)}.${String(n % 100).padStart(2, '0')}`;
    yield { t: 'submit', ts: ++ts, order: order(id, ts, '0.003', px) };
    switch (n % 4) {
      case 0:
        yield { t: 'report', ts: ++ts, report: { kind: 'accepted', clientOrderId: id, venueOrderId: `v-${id}`, tsEvent: ts } };
        yield fill(id, `${id}-t1`, '0.001', px, ++ts);
        yield fill(id, `${id}-t2`, '0.002', '60000.01', ++ts);
        yield fill(id, `${id}-t2`, '0.002', '60000.01', ++ts); // the stream and REST both reported it
        break;
      case 1:
        yield { t: 'report', ts: ++ts, report: { kind: 'accepted', clientOrderId: id, venueOrderId: `v-${id}`, tsEvent: ts } };
        yield { t: 'cancel', ts: ++ts, clientOrderId: id };
        yield { t: 'report', ts: ++ts, report: { kind: 'canceled', clientOrderId: id, tsEvent: ts } };
        break;
      case 2:
        yield { t: 'report', ts: ++ts, report: { kind: 'rejected', clientOrderId: id, code: 'INSUFFICIENT_FUNDS', reason: 'balance too low', tsEvent: ts } };
        break;
      case 3:
        yield { t: 'report', ts: ++ts, report: { kind: 'accepted', clientOrderId: id, venueOrderId: `v-${id}`, tsEvent: ts } };
        yield fill(id, `${id}-t1`, '0.001', px, ++ts);
        break;
    }
  }
}
