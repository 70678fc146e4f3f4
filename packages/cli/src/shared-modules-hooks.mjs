// @ts-check
/**
 * Module resolution hooks (node:module `register`) that give a strategy or plugin file kept outside
 * this workspace the engine's own copy of the packages whose objects cross between the two: our
 * `@autotrader/*` packages, zod, rxjs and decimal.js. Two copies of core mean two FastDecimal classes,
 * and a price made by one is "not a decimal value" to the other.
 *
 * Plain JavaScript on purpose: Node loads this file on its hooks thread, where no TypeScript loader can
 * be assumed (under vitest there is none). `shared-modules.ts` registers it and documents the rules.
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {{ workspaceRoot: string, anchorURL: string, shared: string[] }} HookData */

/** @type {HookData | undefined} */
let settings;

/** Directory → whether files under it belong to a workspace package (see {@link isForeignFile}). */
const memberByDirectory = new Map();

/** @param {HookData} data */
export function initialize(data) {
  settings = data;
}

/**
 * The package a bare specifier names (`zod/v4` → `zod`, `@autotrader/core/x` → `@autotrader/core`),
 * or undefined for a relative, absolute, URL or `#` import.
 * @param {string} specifier
 */
export function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || /^[a-zA-Z][a-zA-Z\d+.-]*:/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Whether the package must exist once in the process: a listed name, or a scope given as `@scope/`.
 * @param {string} name
 * @param {readonly string[]} shared
 */
export function isShared(name, shared) {
  return shared.some((entry) => (entry.endsWith('/') ? name.startsWith(entry) : name === entry));
}

/**
 * The nearest directory at or above `dir` that holds a package.json, or undefined.
 * @param {string} dir
 */
function packageDirectoryOf(dir) {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Whether a module file lies outside every workspace package and outside every node_modules folder:
 * a user's own strategy or plugin. Files in the workspace root itself (whose package.json is not a
 * package with dependencies of its own) count as outside, so `./my-strategy.ts` in a clone works too.
 * Installed packages are left alone: they resolve their own dependencies, and redirecting, say, a
 * library's zod 3 to our zod 4 would break it.
 * @param {string} url
 * @param {HookData} data
 */
export function isForeignFile(url, data) {
  if (!url.startsWith('file:')) return false;
  const path = fileURLToPath(plainFileURL(url));
  if (path.split(sep).includes('node_modules')) return false;
  const dir = dirname(path);
  let member = memberByDirectory.get(dir);
  if (member === undefined) {
    const packageDir = packageDirectoryOf(dir);
    member = packageDir !== undefined && packageDir.startsWith(data.workspaceRoot + sep); // the root itself is not a member
    memberByDirectory.set(dir, member);
  }
  return !member;
}

/**
 * The file a resolved URL points at, as a plain file URL. A TypeScript loader may have decorated it for
 * its CommonJS handling (tsx appends `%3F…` to the path and `?tsx-…` queries); that decoration only
 * makes sense for the CommonJS format this module replaces.
 * @param {string} url
 */
function plainFileURL(url) {
  const file = new URL(url);
  file.search = '';
  file.hash = '';
  const decoration = file.pathname.indexOf('%3F');
  if (decoration >= 0) file.pathname = file.pathname.slice(0, decoration);
  return file.href;
}

/**
 * A TypeScript file outside the workspace that would run as CommonJS (no `"type": "module"` above it):
 * its plain URL, to run as an ES module instead. Strategies are ES modules; run as CommonJS, a file's
 * imports would go through `require` and load a second, CommonJS copy of core.
 * @param {{ url: string, format?: string | null }} resolved
 * @param {HookData} data
 * @returns {string | undefined}
 */
function foreignTypeScriptRunAsCommonJs(resolved, data) {
  if (!resolved.url.startsWith('file:')) return undefined;
  if (resolved.format !== 'commonjs' && resolved.format !== 'commonjs-typescript') return undefined;
  const url = plainFileURL(resolved.url);
  if (!/\.tsx?$/.test(new URL(url).pathname) || !isForeignFile(url, data)) return undefined;
  return url;
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string, conditions?: string[], importAttributes?: Record<string, string> }} context
 * @param {(specifier: string, context?: object) => Promise<{ url: string, format?: string | null }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  const data = settings;
  if (data === undefined) return nextResolve(specifier, context);
  const name = packageNameOf(specifier);
  if (name !== undefined && isShared(name, data.shared) && context.parentURL !== undefined && isForeignFile(context.parentURL, data)) {
    try {
      return await nextResolve(specifier, { ...context, parentURL: data.anchorURL });
    } catch {
      // Not a dependency of the CLI (another @autotrader package): the importer's own copy, the only one.
    }
  }
  const resolved = await nextResolve(specifier, context);
  const asModule = foreignTypeScriptRunAsCommonJs(resolved, data);
  return asModule === undefined ? resolved : { ...resolved, url: asModule, format: 'module' };
}
