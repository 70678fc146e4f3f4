import type { Clock, EventBus, InstrumentCatalog, Order, OrderRejection, TradingState } from '@autotrader/core';
import type { OrderManager } from '../oms';
import type { Portfolio } from '../portfolio';

/**
 * What a risk rule may see and do: open orders, positions and last prices, instruments, the clock, the
 * trading state and a way to change it. A narrow view rather than the whole kernel, so risk rules do
 * not depend on the kernel (and the kernel, which runs them, does not form a cycle with them).
 */
export interface RiskView {
  readonly tradingState: TradingState;
  readonly tradingStateReason: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly bus: Pick<EventBus, 'on'>;
  readonly instruments: InstrumentCatalog;
  readonly portfolio: Pick<Portfolio, 'position' | 'lastPrice' | 'equity' | 'accountSummary' | 'rates' | 'hedgedLegs'>;
  readonly oms: Pick<OrderManager, 'open'>;
  /** Sets the kill switch (`halted` also cancels our open orders). */
  setTradingState(state: TradingState, reason: string): void;
}

/**
 * A pre-trade check: returns a rejection to refuse the order, or undefined to let it through.
 * Checks run in order; the first rejection wins.
 */
export type PreTradeCheck = (order: Readonly<Order>, view: RiskView) => OrderRejection | undefined;
