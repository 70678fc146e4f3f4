import { realpathSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HookData } from './shared-modules-hooks.mjs';

/**
 * Packages a strategy or plugin shares objects with the engine through, so they must exist once in the
 * process: a `Decimal` from a second core is "not a decimal value" to the engine's, a zod schema from a
 * second zod is not a schema to ours, an Observable from a second rxjs does not interoperate. A name
 * ending in `/` is a scope.
 */
export const SHARED_PACKAGES: readonly string[] = ['@autotrader/', 'zod', 'rxjs', 'decimal.js'];

let installed = false;

/** Where the workspace is and where shared packages resolve from, for the hooks and the vite plugin. */
export function sharedModuleSettings(): HookData {
  const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return {
    // Resolved module URLs are real paths; the workspace root must be too for the prefix test.
    workspaceRoot: realpathSync(resolve(cliDir, '../..')),
    anchorURL: new URL('../package.json', import.meta.url).href,
    shared: [...SHARED_PACKAGES],
  };
}

/**
 * Makes a strategy or plugin file kept anywhere (`--strategy ~/strategies/x.ts`) run against the
 * engine's own single copy of core and of the other {@link SHARED_PACKAGES}: registers module
 * resolution hooks (`module.register`) under which
 *
 * - a bare import of a shared package from a file outside the workspace packages (and outside any
 *   node_modules) resolves as if imported from packages/cli, so it gets the copy the engine uses, even
 *   when the file's own folder has a node_modules with another version (ours wins: the engine can only
 *   work with its own classes; the file's other dependencies still resolve from its own folder); a
 *   shared package the CLI does not depend on resolves from the file as usual;
 * - a TypeScript file outside the workspace that Node would run as CommonJS (no `"type": "module"`
 *   above it) runs as an ES module, because a CommonJS strategy would load a CommonJS second core.
 *
 * Hooks chain last-registered-first: these run before the TypeScript loader's (tsx, registered by
 * `node --import tsx` or the tsx CLI at start-up) and hand it the rewritten request, so TypeScript
 * resolution and compilation stay tsx's job. Call before importing a user's file; idempotent.
 *
 * Under vitest, modules are resolved by vite, which these hooks do not see: the same rules are the
 * vite plugin in `shared-modules-vite.ts`, for vitest.config.ts.
 */
export function installSharedModuleResolution(): void {
  if (installed) return;
  installed = true;
  register('./shared-modules-hooks.mjs', { parentURL: import.meta.url, data: sharedModuleSettings() });
}
