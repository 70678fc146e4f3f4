/**
 * @packageDocumentation
 * The kernel (bus, clock, OMS, portfolio, strategies and ports), and the backtest runner built on it.
 */
export * from './kernel';
export * from './oms';
export * from './portfolio';
export * from './order-factory';
export * from './instrument-catalog';
export * from './params';
export * from './feeds';
export * from './backtest';
export * from './growable';
export * from './recorder';
export * from './live';
export * from './risk';
export * from './reconcile';
export * from './journal';
export * from './safety';
export * from './bars';
export * from './market-data';
export * from './books-summary';
