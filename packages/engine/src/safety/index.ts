/**
 * @packageDocumentation
 * Execution safety between the kernel and a venue's execution port: weighted rate limits, retry
 * with seeded backoff, a circuit breaker, and submits with an unknown outcome resolved by query.
 */
export * from './rate-limiter';
export * from './retry';
export * from './circuit-breaker';
export * from './guarded-execution';
