/**
 * @packageDocumentation
 * The autotrader command line: backtest, data import, plugins.
 */
export { formatError, EXIT_ERROR, EXIT_USAGE } from './errors';
export { parseParams, parseTime, checkRange } from './args';
export { loadStrategy, BUILTIN_STRATEGIES } from './strategies';
export { loadData, type LoadedData } from './feeds';
export { VENUE_PLUGINS } from './venues';
