import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AutotraderError } from '@autotrader/core';

const unusable = (label: string, dir: string, why: string, cause?: unknown): AutotraderError =>
  new AutotraderError('CONFIG_INVALID', `${label} ${dir}: ${why}; give a folder you can write to`, { cause, details: { dir, code: (cause as NodeJS.ErrnoException | undefined)?.code } });

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Makes sure `dir` is a folder this process can write files into, creating it and its missing parents,
 * so an output folder is refused before a run, not after it. The folders are made one level at a
 * time, each `mkdir` once: Node's `mkdirSync(…, { recursive: true })` never returns on a path such as
 * `/proc/nope`, where `mkdir` fails with ENOENT under a parent that exists. A probe file is then
 * created and removed, which also catches read-only mounts and folders without write permission.
 *
 * @param label how the user gave the folder, for the message (`--out`).
 * @throws AutotraderError `CONFIG_INVALID` naming `label` and the folder.
 */
export function prepareOutputDir(dir: string, label = 'output folder'): void {
  const target = resolve(dir);
  const missing: string[] = [];
  // Walk up to the first part of the path that exists: at most one step per path component.
  for (let at = target; ; ) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (error) {
      // ENOTDIR: a part of the path above is a file; walking up finds and names it.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw unusable(label, target, `cannot look at ${at} (${reason(error)})`, error);
      const parent = dirname(at);
      missing.unshift(at);
      if (parent === at) break;
      at = parent;
      continue;
    }
    if (!isDir) throw unusable(label, target, `${at} is a file, not a folder`);
    break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(label, target, `cannot create the folder ${folder} (${reason(error)})`, error);
    }
  }
  const probe = join(target, `.autotrader-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (error) {
    throw unusable(label, target, `cannot write files in it (${reason(error)})`, error);
  }
  rmSync(probe, { force: true });
}
