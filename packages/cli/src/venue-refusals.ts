import { ERROR_CODES, type ErrorCode, type ExecutionPort } from '@autotrader/core';

/** A venue reason that starts with one of our codes: `INSUFFICIENT_FUNDS: this fill needs …`. */
const CODED_REASON = /^([A-Z][A-Z_]+):/;

/**
 * Counts, by code, the orders a venue cancels on its own for a coded reason, by listening to the
 * execution reports it sends. The order book keeps only `canceled` for them, so without this a
 * market buy cancelled at fill for lack of funds would be missing from the summary's refused orders.
 * A cancel the strategy asked for carries no coded reason and is not counted.
 */
export function countVenueCancels<P extends ExecutionPort>(port: P): { port: P; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const connect = port.connect.bind(port);
  port.connect = (sink) =>
    connect((report) => {
      if (report.kind === 'canceled' && report.reason !== undefined) {
        const code = CODED_REASON.exec(report.reason)?.[1];
        if (code !== undefined && code in ERROR_CODES) counts[code as ErrorCode] = (counts[code] ?? 0) + 1;
      }
      sink(report);
    });
  return { port, counts };
}
