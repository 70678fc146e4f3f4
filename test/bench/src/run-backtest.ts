/**
 * One benchmark child: loads the tiled file and runs the sma-cross backtest end to end (kernel, bus,
 * simulated venue, portfolio) `runs` times, then prints one JSON line with the timings, the bus event
 * count and the peak RSS. A fresh process, so the RSS figure is the backtest's own. With a third
 * argument `signal-only` the strategy computes the same signal but never trades; with `no-strategy`
 * nothing subscribes to the bars but the venue and the portfolio (the replay floor).
 */
import { readSeries } from '@autotrader/data';
import { smaCross, SmaCrossSignal } from '@autotrader/strategy-sma-cross';
import { defineStrategy } from '@autotrader/core';
import { z } from 'zod';
import { backtestSeries } from './backtest-series';

/** The same signal on every bar, no orders: separates the bar path from the order path. */
const signalOnly = defineStrategy({
  name: 'sma-cross-signal-only',
  params: z.object({ fast: z.number(), slow: z.number(), size: z.number() }),
  create(ctx, p) {
    const signal = new SmaCrossSignal(p.fast, p.slow);
    let crosses = 0;
    ctx.bars(ctx.instruments.list()[0]!.id).subscribe((bar) => {
      crosses += Math.abs(signal.update(bar.close));
    });
    return { onStop: () => ctx.log.info(`${crosses} crosses`) };
  },
});

/** Subscribes to nothing: what is left is the replay itself (clock, bus, venue, portfolio, equity curve). */
const noStrategy = defineStrategy({ name: 'no-strategy', params: z.object({}).passthrough(), create() {} });

const strategies = { 'sma-cross': smaCross, 'signal-only': signalOnly, 'no-strategy': noStrategy } as const;
const [file, runsText, which = 'sma-cross'] = process.argv.slice(2);
if (!(which in strategies)) throw new Error(`unknown bench strategy '${which}': one of ${Object.keys(strategies).join(', ')}`);
const runs = Number(runsText ?? 5);
const series = readSeries(file!);
const timings: number[] = [];
let busEvents = 0;
let trades = 0;
let orders = 0;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const result = await backtestSeries(series, strategies[which as keyof typeof strategies], 100_000_000);
  timings.push(performance.now() - t0);
  busEvents = result.busEvents;
  trades = result.trades.length;
  orders = result.orders.length;
}
process.stdout.write(JSON.stringify({ bars: series.length, timingsMs: timings, busEvents, trades, orders, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
