/** Types of shared-modules-hooks.mjs (plain JavaScript, loaded on Node's hooks thread). */

/** What the hooks need to know: the workspace root (a real path), the importer shared packages resolve from, and their names. */
export interface HookData {
  workspaceRoot: string;
  anchorURL: string;
  shared: string[];
}

/** node:module `initialize` hook. */
export function initialize(data: HookData): void;

/** The package a bare specifier names, or undefined for a relative, absolute, URL or `#` import. */
export function packageNameOf(specifier: string): string | undefined;

/** Whether the package must exist once in the process: a listed name, or a scope given as `@scope/`. */
export function isShared(name: string, shared: readonly string[]): boolean;

/** Whether a module file lies outside every workspace package and outside every node_modules folder. */
export function isForeignFile(url: string, data: HookData): boolean;

/** node:module `resolve` hook. */
export function resolve(
  specifier: string,
  context: { parentURL?: string; conditions?: string[]; importAttributes?: Record<string, string> },
  nextResolve: (specifier: string, context?: object) => Promise<{ url: string; format?: string | null }>,
): Promise<{ url: string; format?: string | null }>;
