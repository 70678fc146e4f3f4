import type { Bar, Clock, EventBus, Logger, QuoteTick, TradeTick } from '@autotrader/core';
import { TimeBarAggregator } from './aggregator';
import { formatInterval } from './interval';

/** Which price of a quote a bar built from quotes follows. */
export type QuotePrice = 'mid' | 'bid' | 'ask';

/** What bars are built from: trades, or quotes at one of their prices. */
export type BarSource = { readonly kind: 'trade' } | { readonly kind: 'quote'; readonly price: QuotePrice };

/**
 * How long after its end a bar that no later event has closed is closed by the clock. A trade stream
 * arrives in order, so in an active market the next interval's first trade closes the bar at once; the
 * delay only holds a quiet market's bar back long enough for a trade stamped just before the boundary
 * to arrive.
 */
export const DEFAULT_BAR_CLOSE_DELAY_MS = 1_000;

/**
 * Bus priority of the bar builders: before the venue (-1000), the portfolio and strategies, so a bar
 * that the next interval's first event closes reaches strategies before that event does, and a market
 * order decided on it fills at the next bar's first price, as on bar data.
 */
export const BAR_BUILDER_PRIORITY = -2000;

/** What a {@link BarBuilder} needs. */
export interface BarBuilderOptions {
  readonly instrumentId: string;
  readonly intervalMs: number;
  readonly source: BarSource;
  /** The session's bus, where the trades or quotes arrive. */
  readonly bus: EventBus;
  /** Where the built bars go (strategies' `bars()` listen there; the venue and recorder do not). */
  readonly out: EventBus;
  readonly clock: Clock;
  readonly closeDelayMs?: number;
  readonly logger?: Logger;
}

/**
 * One instrument's {@link TimeBarAggregator} wired to the session: it reads trades or quotes off the
 * bus, closes bars when a later event arrives or when its alert on the session clock fires (interval
 * end + close delay), and publishes them on `out`. The same object runs in a backtest (simulated clock:
 * the alert fires as replay time passes it) and live (wall clock), so the same events give the same bars.
 */
export class BarBuilder {
  private readonly aggregator: TimeBarAggregator;
  private readonly alertName: string;
  private readonly delay: number;
  private armedAt = NaN;
  private late = 0;
  private off: (() => void) | undefined;
  private readonly publish: (bar: Bar) => void;

  constructor(private readonly o: BarBuilderOptions) {
    this.delay = o.closeDelayMs ?? DEFAULT_BAR_CLOSE_DELAY_MS;
    this.publish = o.out.publisher('bar');
    this.aggregator = new TimeBarAggregator(o.instrumentId, o.intervalMs, (bar) => this.publish(bar));
    this.alertName = `engine:bars:${o.instrumentId}:${o.intervalMs}`;
  }

  /** What the bars are built from, in words (`trades`, `quotes (mid price)`). */
  get sourceText(): string {
    return this.o.source.kind === 'trade' ? 'trades' : `quotes (${this.o.source.price} price)`;
  }

  /** Starts listening. */
  start(): void {
    if (this.off !== undefined) return;
    const options = { instrumentId: this.o.instrumentId, priority: BAR_BUILDER_PRIORITY, owner: 'engine:bars' };
    const source = this.o.source;
    if (source.kind === 'trade') {
      this.off = this.o.bus.on('trade', (t: TradeTick) => this.add(t.tsEvent, t.price, t.size), options);
    } else {
      const pick = quotePrice(source.price);
      this.off = this.o.bus.on(
        'quote',
        (q: QuoteTick) => {
          const p = pick(q);
          // A quote without a price on the side followed (one-sided book) leaves the bar as it is.
          if (p > 0 && Number.isFinite(p)) this.add(q.tsEvent, p, 0);
        },
        options,
      );
    }
  }

  /** Stops listening and cancels the alert; the bar being built is dropped (its interval never closed). */
  stop(): void {
    this.off?.();
    this.off = undefined;
    this.o.clock.cancel(this.alertName);
    this.armedAt = NaN;
  }

  private add(ts: number, price: number, size: number): void {
    if (!this.aggregator.update(ts, price, size, this.o.clock.now())) {
      this.late++;
      // 1st, 10th, 100th …: enough to notice, never a line per event.
      if (Number.isInteger(Math.log10(this.late))) {
        this.o.logger?.warn(
          `${this.o.instrumentId}: an event stamped ${new Date(ts).toISOString()} arrived after its ${formatInterval(this.o.intervalMs)} bar was closed; left out of the bars (${this.late} so far)`,
        );
      }
      return;
    }
    this.arm();
  }

  /** Keeps one alert at the end of the interval being built plus the delay. */
  private arm(): void {
    const at = this.aggregator.currentEnd + this.delay;
    if (at === this.armedAt) return;
    this.armedAt = at;
    this.o.clock.setAlert(this.alertName, at, this.onAlert);
  }

  private readonly onAlert = (_name: string, due: number): void => {
    this.armedAt = NaN;
    this.aggregator.closeUntil(due - this.delay, this.o.clock.now());
    this.arm();
  };
}

function quotePrice(price: QuotePrice): (q: QuoteTick) => number {
  switch (price) {
    case 'mid':
      return (q) => (q.bid > 0 && q.ask > 0 ? (q.bid + q.ask) / 2 : NaN);
    case 'bid':
      return (q) => q.bid;
    case 'ask':
      return (q) => q.ask;
  }
}
