import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSettings, Decimal } from '@autotrader/core';
import { riskConfigSchema } from '@autotrader/engine';
import { binanceConfigSchema } from '@autotrader/plugin-binance';
import { configFileSchema, readConfigFile, resolveRisk } from '../../../packages/cli/src/config-file';
import { codedOrValue, nastyNumber, params } from './fuzz';
import { scratch } from './tmp';

/**
 * The config loader (`--config file.json`) and core's `checkSettings` on random JSON and random bytes:
 * CONFIG_INVALID naming the file and the field, or a config that is what the schema says.
 */

const tmp = scratch('config');

/** A config that is right, for the mutations to start from. */
const GOOD = {
  risk: { maxOrderQuantity: '5', maxOrderNotional: 10_000, maxOpenOrders: 10, priceBandPct: 0.05, orderRate: { count: 10, intervalMs: 1000 }, maxDailyLoss: '500' },
  venue: { recvWindow: 5000 },
  unknownOrders: 'report',
  journal: { path: 'orders.journal', fsync: 'interval' },
  startupRetry: { maxWaitMs: 60_000, baseDelayMs: 500, maxDelayMs: 10_000 },
};

const strange: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  nastyNumber,
  fc.constantFrom(null, -1, 0, 1.5, 1e308, -0, 2 ** 53, '', ' 5', '0x10', '1e3', true, [], {}, { __proto__: 1 }, { constructor: 'x' }, 'report', 'always'),
);

/** Every path of a JSON object, as lists of keys. */
function paths(v: unknown, at: string[] = []): string[][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [at];
  return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
}

/** GOOD with the value at one path replaced (or removed), or a key added next to it. */
const mutatedConfig = fc.record({ at: fc.nat(), how: fc.constantFrom('set', 'delete', 'add'), value: strange, key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'risks', 'maxOrderQty')) }).map(({ at, how, value, key }) => {
  const config = structuredClone(GOOD) as Record<string, unknown>;
  const all = paths(config).filter((p) => p.length > 0);
  const path = all[at % all.length];
  const parent = path.slice(0, -1).reduce((o, k) => (o as Record<string, unknown>)[k], config as unknown) as Record<string, unknown>;
  const last = path[path.length - 1];
  if (how === 'set') parent[last] = value;
  else if (how === 'delete') delete parent[last];
  else Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
  return config;
});

/** Checks a loaded config against its schema's promises: each decimal limit is a number a Decimal can hold. */
function expectUsable(config: z.output<typeof configFileSchema>): void {
  const r = config.risk ?? {};
  for (const k of ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition', 'maxDailyLoss'] as const) {
    const v = r[k];
    if (v !== undefined) expect(Number(v), `${k} ${JSON.stringify(v)}`).toBeGreaterThan(0);
  }
}

describe('config loader on generated input', () => {
  it('random bytes end in CONFIG_INVALID naming the file, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.boolean(), async (bytes, bom) => {
        const path = tmp.file('c.json', bom ? new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]) : bytes);
        const r = await codedOrValue(() => readConfigFile(path));
        if (r.ok) expectUsable(r.value);
        else {
          expect(r.error.code).toBe('CONFIG_INVALID');
          expect(r.error.message).toContain(path);
        }
      }),
      params(60),
    );
  });

  it('random JSON ends in CONFIG_INVALID or a config', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ risk: v })), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ journal: v, startupRetry: v }))), async (text) => {
        const r = await codedOrValue(() => readConfigFile(tmp.file('c.json', text)));
        if (r.ok) expectUsable(r.value);
        else expect(r.error.code).toBe('CONFIG_INVALID');
      }),
      params(80),
    );
  });

  it('a good config with one field changed, removed or added is refused naming that field, or loads', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedConfig, fc.boolean(), async (config, bom) => {
        const text = (bom ? '\uFEFF' : '') + JSON.stringify(config, null, 2);
        const path = tmp.file('c.json', text);
        const r = await codedOrValue(() => readConfigFile(path));
        if (r.ok) expectUsable(r.value);
        else {
          expect(r.error.code).toBe('CONFIG_INVALID');
          // Never "not valid JSON" for JSON (with or without a BOM): the message names what is wrong in it.
          expect(r.error.message).not.toMatch(/not valid JSON/);
        }
        // --risk flags laid over the file's risk section go through the same checks.
        await codedOrValue(() => resolveRisk(r.ok ? r.value : undefined, { maxOrderQuantity: config.risk }));
      }),
      params(120),
    );
  });
});

describe('checkSettings on generated values', () => {
  const schemas: [string, z.ZodType][] = [
    ['config', configFileSchema],
    ['risk', riskConfigSchema],
    ['venue', binanceConfigSchema],
  ];
  it('never throws: a result with the data, or problems that each name a place', () => {
    const value = fc.oneof(fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withObjectString: true, withSparseArray: true }), mutatedConfig, mutatedConfig.map((c) => c.risk));
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), value, fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), (which, v, name) => {
        const r = checkSettings(schemas[which][1], v, name);
        if (!r.success) {
          expect(r.problems.length).toBeGreaterThan(0);
          expect(r.message).toBe(r.problems.join('; '));
          for (const p of r.problems) expect(p.length).toBeGreaterThan(0);
        }
      }),
      params(200),
    );
  });

  // Regression: the risk schema once accepted any text Number() reads (' 5', '0x10', '0b11', '\t7'), which
  // Decimal then refused when the risk check was built, ending the run in INTERNAL.
  it('every decimal limit the risk schema accepts is a number a Decimal reads as the same value', () => {
    fc.assert(
      fc.property(fc.oneof(nastyNumber, fc.double().map(String), fc.constantFrom(' 5', '5 ', '0x10', '0b11', '0o7', '\t7', '5.', '+5', '1e3')), (text) => {
        const r = checkSettings(riskConfigSchema, { maxOrderQuantity: text });
        if (!r.success) return;
        const v = r.data.maxOrderQuantity!;
        let d: Decimal | undefined;
        expect(() => (d = new Decimal(v)), `accepted ${JSON.stringify(v)}, which the risk check cannot read`).not.toThrow();
        expect(d!.toNumber()).toBe(Number(v));
      }),
      params(100),
    );
  });
});
