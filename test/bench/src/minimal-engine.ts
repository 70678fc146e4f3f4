/**
 * A ceiling for the event-driven design, not a product. The leanest engine that still has the
 * kernel's parts on the sma-cross run: a simulated clock advanced per bar, a bus that hands every bar
 * to a venue, a portfolio and a strategy that sees an RxJS Observable, market orders that fill at the
 * next bar's open, cash and position kept exactly (in integer ticks and lots), and an equity point per
 * bar. What it leaves out is everything DESIGN §3, §8 and §9 ask of the real kernel: the order state
 * machine and its snapshots, client order ids, pre-trade risk, decimals, latency, fees and slippage,
 * the venue's separate account and its reports, fills as objects, round trips with their PnL.
 *
 * `pnpm bench` times it next to the real kernel so that the 10M bars/s target can be read against
 * what an event-driven design reaches at best on the same machine.
 */
import { Observable } from 'rxjs';
import type { BarFeed } from '@autotrader/engine';
import { SmaCrossSignal } from '@autotrader/strategy-sma-cross';

/** The bar columns the minimal engine replays: the same typed arrays the kernel's feed holds. */
export type MinimalBarColumns = Pick<BarFeed, 'tsOpen' | 'open' | 'high' | 'low' | 'close' | 'volume'>;

/** The run's parameters, as numbers. */
export interface MinimalRunSpec {
  readonly intervalMs: number;
  readonly tickSize: number;
  readonly lotSize: number;
  readonly startingCash: number;
  readonly fast: number;
  readonly slow: number;
  readonly size: number;
}

/** What the run produced: enough to check it did the kernel's trades. */
export interface MinimalRunResult {
  readonly orders: number;
  readonly fills: number;
  readonly roundTrips: number;
  /** Cash plus the position at the last close, exact to the tick and lot grid. */
  readonly finalEquity: number;
}

interface MinimalBar {
  readonly tsOpen: number;
  readonly tsEvent: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The number of grid units in one `unit`, refusing a grid that does not divide it exactly. */
function unitsIn(grid: number, what: string): number {
  const units = Math.round(1 / grid);
  if (Math.abs(units * grid - 1) > 1e-12) throw new Error(`minimal engine: ${what} ${grid} does not divide 1`);
  return units;
}

/** Runs sma-cross over the columns through the minimal engine. */
export function minimalEngineSmaCross(bars: MinimalBarColumns, spec: MinimalRunSpec): MinimalRunResult {
  const n = bars.close.length;
  const ticksPerUnit = unitsIn(spec.tickSize, 'tick size');
  const lotsPerUnit = unitsIn(spec.lotSize, 'lot size');
  // Cash is held in units of one tick times one lot, so every fill's cost is an exact integer.
  const cashScale = ticksPerUnit * lotsPerUnit;
  let cash = Math.round(spec.startingCash * cashScale);
  let positionLots = 0;
  let lastCloseTicks = 0;

  let now = bars.tsOpen[0]! + spec.intervalMs;
  const advanceTo = (t: number): void => {
    if (t < now) throw new Error(`minimal engine: clock cannot go back from ${now} to ${t}`);
    now = t;
  };

  const listeners: ((bar: MinimalBar) => void)[] = [];
  const publish = (bar: MinimalBar): void => {
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(bar);
      } catch (error) {
        throw new Error(`minimal engine: subscriber ${i} threw at ${bar.tsEvent}: ${String(error)}`);
      }
    }
  };

  // Orders and fills as columns indexed by an integer handle.
  let orders = 0;
  const orderSide = new Int8Array(n);
  const orderLots = new Float64Array(n);
  const orderCreated = new Float64Array(n);
  let fills = 0;
  const fillOrder = new Int32Array(n);
  const fillTicks = new Float64Array(n);
  const fillTs = new Float64Array(n);
  const waiting: number[] = [];
  let roundTrips = 0;

  // The venue runs first: orders decided on the previous bar fill at this bar's open.
  listeners.push((bar) => {
    if (waiting.length === 0) return;
    const ticks = Math.round(bar.open * ticksPerUnit);
    for (const handle of waiting) {
      const lots = orderLots[handle]!;
      const side = orderSide[handle]!;
      if (side > 0 && ticks * lots > cash) continue; // too little cash: refused, never shrunk
      cash -= side * ticks * lots;
      const before = positionLots;
      positionLots += side * lots;
      if (before !== 0 && positionLots === 0) roundTrips++;
      fillOrder[fills] = handle;
      fillTicks[fills] = ticks;
      fillTs[fills] = bar.tsOpen;
      fills++;
    }
    waiting.length = 0;
  });

  // The portfolio marks the position and records one equity point per bar.
  const curveTs = new Float64Array(n);
  const curveEquity = new Float64Array(n);
  const curveExposure = new Float64Array(n);
  let points = 0;
  listeners.push((bar) => {
    lastCloseTicks = Math.round(bar.close * ticksPerUnit);
    const held = (positionLots * bar.close) / lotsPerUnit;
    const equity = cash / cashScale + held;
    curveTs[points] = bar.tsEvent;
    curveEquity[points] = equity;
    curveExposure[points] = equity > 0 ? Math.abs(held) / equity : 0;
    points++;
  });

  const submit = (side: 1 | -1, lots: number): void => {
    const handle = orders++;
    orderSide[handle] = side;
    orderLots[handle] = lots;
    orderCreated[handle] = now;
    waiting.push(handle);
  };

  // The strategy sees an Observable, as a real strategy does.
  const barStream = new Observable<MinimalBar>((subscriber) => {
    listeners.push((bar) => subscriber.next(bar));
  });
  const signal = new SmaCrossSignal(spec.fast, spec.slow);
  const sizeLots = Math.round(spec.size * lotsPerUnit);
  barStream.subscribe((bar) => {
    const cross = signal.update(bar.close);
    if (cross > 0 && positionLots <= 0) submit(1, sizeLots);
    else if (cross < 0 && positionLots > 0) submit(-1, positionLots);
  });

  const { tsOpen, open, high, low, close, volume } = bars;
  for (let i = 0; i < n; i++) {
    const tsEvent = tsOpen[i]! + spec.intervalMs;
    advanceTo(tsEvent);
    publish({ tsOpen: tsOpen[i]!, tsEvent, open: open[i]!, high: high[i]!, low: low[i]!, close: close[i]!, volume: volume[i]! });
  }
  return { orders, fills, roundTrips, finalEquity: (cash + positionLots * lastCloseTicks) / cashScale };
}
