import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isForeignFile, isShared, packageNameOf } from './shared-modules-hooks.mjs';
import { SHARED_PACKAGES, sharedModuleSettings } from './shared-modules';

const settings = sharedModuleSettings();
const url = (...parts: string[]): string => pathToFileURL(join(...parts)).href;

describe('which imports get the engine’s copy', () => {
  it('names the package of a bare specifier, and nothing for relative, absolute, URL and # imports', () => {
    expect(packageNameOf('zod')).toBe('zod');
    expect(packageNameOf('zod/v4')).toBe('zod');
    expect(packageNameOf('@autotrader/core')).toBe('@autotrader/core');
    expect(packageNameOf('@autotrader/core/src/decimal')).toBe('@autotrader/core');
    expect(packageNameOf('rxjs/operators')).toBe('rxjs');
    for (const other of ['./x', '../x', '/abs/x', 'file:///x.ts', 'node:fs', '#internal']) expect(packageNameOf(other)).toBeUndefined();
  });

  it('shares @autotrader/*, zod, rxjs and decimal.js, and nothing else', () => {
    for (const name of ['@autotrader/core', '@autotrader/engine', 'zod', 'rxjs', 'decimal.js']) expect(isShared(name, SHARED_PACKAGES)).toBe(true);
    for (const name of ['zod-to-json', '@autotraderx/core', 'lodash', '@acme/zod']) expect(isShared(name, SHARED_PACKAGES)).toBe(false);
  });

  it('a file is foreign outside the workspace packages and outside node_modules', () => {
    expect(isForeignFile(url(settings.workspaceRoot, 'packages/cli/src/main.ts'), settings)).toBe(false);
    expect(isForeignFile(url(settings.workspaceRoot, 'test/e2e/src/fixtures/ping-pong.ts'), settings)).toBe(false);
    // The workspace root is not a package with dependencies: a strategy dropped there is the user's.
    expect(isForeignFile(url(settings.workspaceRoot, 'my-strategy.ts'), settings)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-foreign-'));
    expect(isForeignFile(url(dir, 'x.ts'), settings)).toBe(true);
    mkdirSync(join(dir, 'node_modules/lib'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/lib/package.json'), '{}');
    expect(isForeignFile(url(dir, 'node_modules/lib/index.js'), settings)).toBe(false);
    expect(isForeignFile('data:text/javascript,export{}', settings)).toBe(false);
    // A loader's query or decoration does not change which file it is.
    expect(isForeignFile(`${url(dir, 'y.ts')}?tsx-namespace=1`, settings)).toBe(true);
  });
});
