import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A temporary folder for one test file's generated inputs, removed when the file's tests end. Each case
 * gets a fresh name, so a case never sees the leftovers of another.
 */
export function scratch(prefix: string): { file: (name: string, bytes: Uint8Array | string) => string; path: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `autotrader-fuzz-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const path = (name: string): string => join(dir, `${n++}-${name}`);
  return {
    path,
    file: (name, bytes) => {
      const p = path(name);
      writeFileSync(p, bytes);
      return p;
    },
  };
}
