import { describe, expect, it } from 'vitest';
import { money, quantity } from './decimal';
import { isAutotraderError } from './errors';
import { canTransition, isOpen, isTerminal, ORDER_TRANSITIONS, transition, type Order, type OrderStatus } from './order';

const order = (status: OrderStatus): Order => ({
  clientOrderId: 'o-1',
  instrumentId: 'X.SIM',
  side: 'buy',
  type: 'limit',
  quantity: quantity(1),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
  status,
  filledQuantity: quantity(0),
  fees: money(0),
  tsCreated: 0,
  tsUpdated: 0,
});

describe('order state machine', () => {
  it('follows the happy path initialized → submitted → accepted → partially_filled → filled', () => {
    const o = order('initialized');
    for (const s of ['submitted', 'accepted', 'partially_filled', 'partially_filled', 'filled'] as const) transition(o, s, 5);
    expect(o.status).toBe('filled');
    expect(o.tsUpdated).toBe(5);
  });

  it('refuses illegal transitions with a coded error and leaves the order untouched', () => {
    const o = order('filled');
    let error: unknown;
    try {
      transition(o, 'accepted', 9);
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'ORDER_TRANSITION_ILLEGAL')).toBe(true);
    expect(o.status).toBe('filled');
    expect(o.tsUpdated).toBe(0);
  });

  it('has no way out of a terminal state', () => {
    for (const s of ['filled', 'canceled', 'rejected', 'expired'] as const) {
      expect(isTerminal(s)).toBe(true);
      expect(ORDER_TRANSITIONS[s]).toEqual([]);
      expect(isOpen(s)).toBe(false);
    }
  });

  it('allows the races real venues produce', () => {
    expect(canTransition('pending_cancel', 'filled')).toBe(true); // a fill beats the cancel
    expect(canTransition('pending_cancel', 'accepted')).toBe(true); // the cancel was refused
    expect(canTransition('submitted', 'filled')).toBe(true); // a market order acked with its fills
    expect(canTransition('initialized', 'accepted')).toBe(false); // never accepted before it was sent
    expect(canTransition('accepted', 'submitted')).toBe(false);
  });
});
