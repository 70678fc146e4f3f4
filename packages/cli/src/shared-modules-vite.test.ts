import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Under vitest, modules resolve through vite, not Node's hooks. These tests run a real vitest in a
 * child process, in a folder outside the workspace, whose test calls the CLI's `loadStrategy` on a
 * strategy file kept in another folder outside the workspace: with the plugin in the config the
 * strategy shares the test's (the engine's) single copy of core; without it, it does not load.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A folder outside the workspace holding a strategy, with decoy copies of the shared packages that throw when loaded. */
function strategyOutside(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autotrader-vite-strategy-'));
  for (const name of ['zod', '@autotrader/core']) {
    const folder = join(dir, 'node_modules', name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '99.0.0', type: 'module', exports: './index.js' }));
    writeFileSync(join(folder, 'index.js'), `throw new Error(${JSON.stringify(`the strategy folder's own ${name} was loaded`)});\n`);
  }
  writeFileSync(
    join(dir, 'strategy.ts'),
    [
      "import { z } from 'zod';",
      "import { defineStrategy, roundPrice, type Instrument } from '@autotrader/core';",
      'export const onTick = (instrument: Instrument) => roundPrice(instrument, 100.004, "down");',
      "export default defineStrategy({ name: 'outside', params: z.object({ n: z.number().default(1) }), create() {} });",
      '',
    ].join('\n'),
  );
  return dir;
}

/** Runs vitest on one test file in a fresh folder outside the workspace; `withPlugin` puts the plugin in its config. */
function runVitest(strategyDir: string, withPlugin: boolean): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'autotrader-vite-run-'));
  const plugin = join(ROOT, 'packages/cli/src/shared-modules-vite.ts');
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    [
      `import { sharedModulesVitePlugin } from ${JSON.stringify(plugin)};`,
      `export default { plugins: ${withPlugin ? '[sharedModulesVitePlugin()]' : '[]'}, test: { include: ['probe.test.ts'] } };`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'probe.test.ts'),
    [
      "import { expect, it } from 'vitest';",
      `import { loadStrategy } from ${JSON.stringify(join(ROOT, 'packages/cli/src/strategies.ts'))};`,
      `import { makeInstrument, roundPrice } from ${JSON.stringify(join(ROOT, 'packages/core/src/index.ts'))};`,
      "it('loads the strategy against the engine’s core', async () => {",
      `  const strategy = await loadStrategy(${JSON.stringify(join(strategyDir, 'strategy.ts'))});`,
      "  expect(strategy.name).toBe('outside');",
      `  const mod = await import(${JSON.stringify(join(strategyDir, 'strategy.ts'))});`,
      "  const instrument = makeInstrument({ symbol: 'X', tickSize: '0.01' });",
      '  const theirs = mod.onTick(instrument);',
      '  expect(Object.getPrototypeOf(theirs)).toBe(Object.getPrototypeOf(roundPrice(instrument, 1, "down")));',
      "  expect(String(roundPrice(instrument, theirs, 'down'))).toBe('100');",
      '});',
      '',
    ].join('\n'),
  );
  // The child is a vitest of its own: none of this worker's VITEST_* settings.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.mjs'], {
      cwd: dir,
      env: { ...env, FORCE_COLOR: '0', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

describe('sharedModulesVitePlugin', () => {
  it('a strategy outside the workspace loaded under vitest shares the engine’s core and zod', async () => {
    const run = await runVitest(strategyOutside(), true);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/1 passed/);
  }, 60_000);

  it('without the plugin, the same test loads the strategy folder’s own copies', async () => {
    const run = await runVitest(strategyOutside(), false);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/the strategy folder's own (zod|@autotrader\/core) was loaded/);
  }, 60_000);
});
