import type { Clock, ExecutionReport, ExecutionReportSink } from '@autotrader/core';

interface Held {
  readonly due: number;
  readonly report: ExecutionReport;
  readonly clientOrderId: string;
}

const orderIdOf = (r: ExecutionReport): string => (r.kind === 'fill' ? r.fill.clientOrderId : r.clientOrderId);

/**
 * Where the venue's execution reports go. It delivers to the sink while connected; otherwise it
 * buffers them (delivered in order on connect or reconnect) or, in a lossy fault disconnect, drops
 * them. With a fill delay set, fills wait on the clock; a later report of the same order waits behind
 * its fill, so each order's reports always arrive in the order they happened.
 */
export class ReportOutbox {
  private sink: ExecutionReportSink | undefined;
  private portConnected = false;
  private linkDown = false;
  private lose = false;
  private readonly buffer: ExecutionReport[] = [];
  private readonly held: Held[] = [];
  private fillDelayMs = 0;
  private flushAlert = '';
  private flushDue = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly alertName: string,
  ) {}

  /** True when reports reach the sink right away. */
  get deliverable(): boolean {
    return this.portConnected && !this.linkDown && this.sink !== undefined;
  }

  /** True while the execution port is connected (faults aside). */
  get attached(): boolean {
    return this.portConnected;
  }

  /** The port connected: reports flow to `sink`, the buffered ones first. */
  attach(sink: ExecutionReportSink): void {
    this.sink = sink;
    this.portConnected = true;
    this.drain();
  }

  /** The port disconnected: reports are buffered until the next attach. */
  detach(): void {
    this.portConnected = false;
  }

  /** Fault: the report stream breaks; reports are buffered, or dropped when `lose`. */
  breakLink(lose: boolean): void {
    this.linkDown = true;
    this.lose = lose;
  }

  /** Fault ends: buffered reports are delivered in order. */
  restoreLink(): void {
    this.linkDown = false;
    this.lose = false;
    this.drain();
  }

  /** From now on fills are delivered `ms` later on the clock (0: at once). */
  delayFills(ms: number): void {
    this.fillDelayMs = ms;
  }

  /** Sends a report, subject to fill delay and connection state. */
  emit(report: ExecutionReport): void {
    const id = orderIdOf(report);
    let due = -Infinity;
    if (report.kind === 'fill' && this.fillDelayMs > 0) due = this.clock.now() + this.fillDelayMs;
    for (let i = this.held.length - 1; i >= 0; i--) {
      if (this.held[i]!.clientOrderId === id) {
        due = Math.max(due, this.held[i]!.due);
        break;
      }
    }
    if (due === -Infinity) {
      this.send(report);
      return;
    }
    // Keep `held` sorted by due time, ties in emission order.
    let at = this.held.length;
    while (at > 0 && this.held[at - 1]!.due > due) at--;
    this.held.splice(at, 0, { due, report, clientOrderId: id });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    const next = this.held.length > 0 ? this.held[0]!.due : Infinity;
    if (next === this.flushDue) return;
    if (this.flushAlert !== '') this.clock.cancel(this.flushAlert);
    this.flushDue = next;
    if (next === Infinity) {
      this.flushAlert = '';
      return;
    }
    this.flushAlert = this.alertName;
    this.clock.setAlert(this.alertName, next, () => {
      this.flushAlert = '';
      this.flushDue = Infinity;
      const now = this.clock.now();
      while (this.held.length > 0 && this.held[0]!.due <= now) this.send(this.held.shift()!.report);
      this.scheduleFlush();
    });
  }

  private send(report: ExecutionReport): void {
    if (this.deliverable) {
      this.sink!(report);
      return;
    }
    if (this.linkDown && this.lose) return;
    this.buffer.push(report);
  }

  private drain(): void {
    while (this.buffer.length > 0 && this.deliverable) this.sink!(this.buffer.shift()!);
  }

  /** Cancels the pending flush alert (venue disposal). */
  dispose(): void {
    if (this.flushAlert !== '') this.clock.cancel(this.flushAlert);
    this.flushAlert = '';
    this.flushDue = Infinity;
  }
}
