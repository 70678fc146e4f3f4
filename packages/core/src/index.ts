/**
 * @packageDocumentation
 * The domain model, events, ports, bus, clock, and the plugin and strategy contracts of autotrader.
 */
export * from './decimal';
export * from './errors';
export * from './instrument';
export * from './market-data';
export * from './market-data-check';
export * from './order';
export * from './account';
export * from './accounts';
export * from './ids';
export * from './id-index';
export * from './events';
export * from './bus';
export * from './clock';
export * from './ports';
export * from './logger';
export * from './plugin';
export * from './strategy';
export * from './random';
export * from './backoff';
export * from './zod-issues';
