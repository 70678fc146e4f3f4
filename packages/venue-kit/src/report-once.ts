import type { Clock, EventBus, ExecutionReport, ExecutionReportSink, Logger } from '@autotrader/core';
import type { RecentKeys } from './recent-keys';

/** Where a sink's failure is told: the plugin's logger and the bus's `error` topic, under the port's name. */
export interface ReportContext {
  readonly source: string;
  readonly logger: Logger;
  readonly bus: Pick<EventBus, 'publish'>;
  readonly clock: Pick<Clock, 'now'>;
}

/**
 * Passes `report` to the engine's sink unless a report with `key` was already passed (the same event from
 * a REST answer and the stream, or a duplicated frame). A sink that throws is told as INTERNAL on the
 * logger and the `error` topic, never thrown into the socket handler that delivered the frame.
 */
export function deliverOnce(seen: RecentKeys, sink: ExecutionReportSink, key: string, report: ExecutionReport, context: ReportContext): void {
  if (!seen.add(key)) return;
  try {
    sink(report);
  } catch (error) {
    const message = `the execution report sink threw on a ${report.kind} report: ${error instanceof Error ? error.message : String(error)}`;
    context.logger.error(message, { error });
    context.bus.publish('error', { source: context.source, code: 'INTERNAL', message, tsEvent: context.clock.now(), error });
  }
}
