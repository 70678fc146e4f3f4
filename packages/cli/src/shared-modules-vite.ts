import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';
import { isForeignFile, isShared, packageNameOf } from './shared-modules-hooks.mjs';
import { sharedModuleSettings } from './shared-modules';

/**
 * The rules of {@link installSharedModuleResolution} for vite's resolver, which vitest uses instead of
 * Node's: in a test that loads a strategy or plugin file kept outside the workspace (the CLI's
 * `loadStrategy`), its imports of `@autotrader/*`, zod, rxjs and decimal.js resolve as if imported
 * from packages/cli, so it shares the engine's single copy of core. Add it to vitest.config.ts
 * `plugins`. (Vite runs every TypeScript file as an ES module, so the CommonJS rule is not needed.)
 */
export function sharedModulesVitePlugin(): Plugin {
  const settings = sharedModuleSettings();
  const anchor = fileURLToPath(settings.anchorURL);
  return {
    name: 'autotrader:shared-modules',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined || !importer.startsWith('/')) return null;
      const name = packageNameOf(source);
      if (name === undefined || !isShared(name, settings.shared) || !isForeignFile(pathToFileURL(importer).href, settings)) return null;
      // A shared package the CLI does not depend on: null lets vite resolve it from the importer.
      return await this.resolve(source, anchor, { ...options, skipSelf: true });
    },
  };
}
