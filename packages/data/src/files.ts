import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants } from 'node:buffer';
import { dirname } from 'node:path';
import { DataError, importCommand, shellPath } from './errors';

/** What a file is read for, which decides what a "not found" hint suggests. */
export type ReadPurpose = 'import' | 'arrow';

/** The largest file one Buffer can hold on this platform (4 GiB on 64-bit Node 20). */
export const MAX_FILE_BYTES = constants.MAX_LENGTH;

/** readFileSync's own limit; larger files are read in pieces. */
const READ_FILE_LIMIT = 2 ** 31 - 1;

/** Sizes as people read them: `1.5 GiB`, `312 MiB`, `900 B`. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(0)} KiB`;
  return `${n} B`;
}

/** DATA_NOT_FOUND for a path that is missing, a folder, or not readable, with a hint that fits what it was read for. */
export function notFound(path: string, purpose: ReadPurpose, cause: unknown): DataError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (cause as Error).message;
  const list = `\`ls ${shellPath(dirname(path) || '.')}\` lists what is there`;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? `Check the file's permissions (\`ls -l ${shellPath(path)}\`).`
      : purpose === 'import'
        ? `Check the path of the file to import: ${list}.`
        : `Check the path: ${list}; an Arrow file is made from CSV or JSON with \`pnpm data import <file.csv> --out <file.arrow>\`.`;
  return new DataError('DATA_NOT_FOUND', `Cannot read ${path}: ${why}${code ? ` (${code})` : ''}.`, hint, { details: { path, code }, cause });
}

/** The size of a file, or DATA_NOT_FOUND (missing, a folder, not allowed). */
export function fileSize(path: string, purpose: ReadPurpose): number {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    size = st.size;
  } catch (cause) {
    throw notFound(path, purpose, cause);
  }
  return size;
}

/**
 * Reads a whole file. Errors: DATA_NOT_FOUND (missing, a folder, not allowed), and CONFIG_INVALID for a
 * file larger than one Buffer can hold on this platform (4 GiB), naming the limit and what to do.
 */
export function readBytes(path: string, purpose: ReadPurpose): Buffer {
  const size = fileSize(path, purpose);
  if (size > MAX_FILE_BYTES) {
    const hint =
      purpose === 'import'
        ? `Import it as a stream: \`${importCommand(path)}\` reads files of any size.`
        : `Split the data by time into files under ${formatBytes(MAX_FILE_BYTES)} (import the source in parts) and pass every part to --data.`;
    throw new DataError('CONFIG_INVALID', `${path} is ${formatBytes(size)}, more than this platform can read into memory at once (${formatBytes(MAX_FILE_BYTES)}).`, hint, {
      details: { path, bytes: size, limit: MAX_FILE_BYTES },
    });
  }
  try {
    if (size <= READ_FILE_LIMIT) return readFileSync(path);
    const out = Buffer.allocUnsafe(size);
    const fd = openSync(path, 'r');
    try {
      for (let at = 0; at < size; ) {
        const n = readSync(fd, out, at, Math.min(size - at, 1 << 30), at);
        if (n === 0) break;
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  } catch (cause) {
    throw notFound(path, purpose, cause);
  }
}
