import { readFileSync } from 'node:fs';
import { AutotraderError } from '@autotrader/core';

/** Reads a whole file, mapping "not there", "not a file" and "not allowed" to DATA_NOT_FOUND. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (cause as Error).message;
    throw new AutotraderError('DATA_NOT_FOUND', `Cannot read ${path}: ${why}${code ? ` (${code})` : ''}.`, {
      details: { path, code },
      cause,
    });
  }
}
