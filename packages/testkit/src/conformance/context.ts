/**
 * What every conformance scenario runs with: the harness for it, the way to rule the scenario out
 * when the harness declared a hook not applicable, prices around the reference, waits on the venue's
 * truth, and the engine started on the harness (stopped again however the scenario ends).
 * @module
 */
import { price as toPrice, type Instrument } from '@autotrader/core';
import { waitFor } from '../wait';
import { startEngine, type EngineRun, type EngineRunOptions, type ProcessPorts } from './engine-run';
import { isNotApplicable, type ConformanceHarness, type Hook } from './harness';

/** Ends the test as skipped, the note in brackets (vitest's `ctx.skip`). */
export type Skip = (note: string) => never;

/** One scenario's context. */
export class ScenarioContext {
  private readonly engines: EngineRun[] = [];

  constructor(
    readonly h: ConformanceHarness,
    readonly instrument: Instrument,
    /** Per-step timeout, ms. */
    readonly timeout: number,
    private readonly skip: Skip,
  ) {}

  /** Rules the scenario out: reported as not applicable, with `reason`. */
  notApplicable(reason: string): never {
    return this.skip(`not applicable: ${reason}`);
  }

  /** The hook, or the scenario ends as not applicable with the harness's reason, naming `what` was missing. */
  need<F>(hook: Hook<F>, what: string): F {
    if (isNotApplicable(hook)) return this.notApplicable(`${what}: ${hook.notApplicable}`);
    return hook;
  }

  /** The hook, or undefined when the harness declared it not applicable (for checks a scenario adds when it can). */
  optional<F>(hook: Hook<F>): F | undefined {
    return isNotApplicable(hook) ? undefined : hook;
  }

  /** A price `ticks` ticks away from the reference price. */
  offset(ticks: number): string {
    return toPrice(this.h.referencePrice).plus(this.instrument.tickSize.mul(ticks)).toString();
  }

  /** The engine on the harness's own connection, as a live session starts it. */
  start(options: EngineRunOptions = {}): Promise<EngineRun> {
    return this.startOn({ plugin: this.h.plugin, connection: this.h.connection, bus: this.h.bus, clock: this.h.clock }, options);
  }

  /** The engine on another process's connection (a restart). */
  async startOn(ports: ProcessPorts, options: EngineRunOptions = {}): Promise<EngineRun> {
    const run = await startEngine(ports, this.h.instrumentId, options);
    this.engines.push(run);
    return run;
  }

  /** Waits until the engine's order `clientOrderId` satisfies `check`. */
  async order(run: EngineRun, clientOrderId: string, what: string, check: (o: NonNullable<ReturnType<EngineRun['kernel']['order']>>) => boolean, timeoutMs = this.timeout): Promise<void> {
    await waitFor(`${clientOrderId}: ${what}`, () => {
      const o = run.kernel.order(clientOrderId);
      return o !== undefined && check(o);
    }, timeoutMs);
  }

  /** Polls an asynchronous condition (the venue's truth) until it holds. */
  async eventually(what: string, check: () => Promise<boolean>, timeoutMs = this.timeout): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops every engine the scenario started. */
  async close(): Promise<void> {
    for (const run of this.engines.splice(0).reverse()) await run.stop();
  }
}
