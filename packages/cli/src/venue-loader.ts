import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { assertPlugin, AutotraderError, checkSettings, type VenuePlugin } from '@autotrader/core';
import { installSharedModuleResolution } from './shared-modules';
import { VENUE_PLUGINS } from './venues';

/**
 * Finds a venue plugin: a built-in name, or an npm package name / file path whose default export
 * (or `plugin` export) was made with definePlugin. Loaded by name only: no folder is scanned.
 */
export async function loadVenuePlugin(name: string): Promise<VenuePlugin> {
  const builtin = VENUE_PLUGINS[name];
  if (builtin !== undefined) return builtin;
  const specifier = /^[./]/.test(name) ? pathToFileURL(resolve(name)).href : name;
  installSharedModuleResolution(); // a plugin file from any folder gets the engine's own core and zod
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new AutotraderError(
      'PLUGIN_NOT_FOUND',
      `unknown venue '${name}' (built-in: ${Object.keys(VENUE_PLUGINS).join(', ')}; or an installed plugin package)`,
      { cause: error },
    );
  }
  return assertPlugin(mod.default ?? mod.plugin, name);
}

/**
 * Validates a plugin's config (the config file's `venue` block with `--venue-opt` over it) with the
 * plugin's zod schema, before anything connects. CONFIG_INVALID names each bad field; a key the schema
 * does not know is refused with the keys valid at its level, even where a plugin's schema would strip
 * it, because a misspelled endpoint option must never fall back to the default (real-money) endpoint.
 */
export function parsePluginConfig(plugin: VenuePlugin, raw: Record<string, unknown>, source: string): unknown {
  const result = checkSettings(plugin.configSchema, raw);
  if (result.success) return result.data;
  throw new AutotraderError('CONFIG_INVALID', `${source} (--venue-opt / config file "venue"): ${result.message}`, { details: { issues: result.issues } });
}
