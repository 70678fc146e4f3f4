import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { AutotraderError } from '@autotrader/core';
import { decodeEntry, encodeEntry, type JournalEntry } from './codec';

/**
 * When appended entries are forced to stable storage.
 *
 * - `always` (the default, for live trading): `fdatasync` after every entry, before `append`
 *   returns. An order is never sent that is not on disk, even across a power failure.
 * - `interval`: `fdatasync` at most every `intervalMs` (default 1000), and within `intervalMs` of the
 *   last append when appends stop. A power failure or kernel crash may lose the entries of the last
 *   `intervalMs`; a process crash (SIGKILL included) loses nothing, because every entry has already
 *   reached the operating system through a synchronous `write` when `append` returns.
 * - `never` (backtests): no `fdatasync`; the OS writes back when it likes. Process crashes still lose
 *   nothing; a power failure may lose anything not yet written back.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** How a journal is opened. */
export interface OrderJournalOptions {
  /** See {@link FsyncPolicy}. Default `always`. */
  readonly fsync?: FsyncPolicy;
  /** For `interval`: the longest time an appended entry may stay unsynced, in ms. Default 1000. */
  readonly intervalMs?: number;
  /**
   * Decode every line before writing it, so a malformed entry fails at `append` rather than surfacing
   * as a corrupt line at recovery. Default true; costs about 7 µs per entry, which only matters
   * under `never` (backtests).
   */
  readonly validate?: boolean;
}

/** What {@link readJournal} found in a journal file. */
export interface JournalContents {
  /** Every valid entry, in the order written. */
  readonly entries: JournalEntry[];
  /** True when the file ended in a partial line (a write cut short by a crash); that line was ignored. */
  readonly tornTail: boolean;
  /** 1-based numbers of complete lines that failed to parse or validate. Their entries are missing from `entries`. */
  readonly corruptLines: number[];
  /** Why each corrupt line failed, in the order of `corruptLines`. */
  readonly errors: string[];
}

const NEWLINE = 0x0a;

/** Lock files held by journals open in this process (a pid check alone cannot tell a stale lock of a reused pid from our own). */
const heldLocks = new Set<string>();

/** errno codes that mean the journal path itself is wrong (a folder, under a file, not writable), not the disk. */
const PATH_ERRORS = new Set(['EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENAMETOOLONG']);

/** The user gave a journal path that cannot be a journal: JOURNAL_PATH_INVALID, naming it and why. */
function pathError(path: string, error: unknown): AutotraderError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EISDIR' ? 'is a folder, not a file' : code === 'ENOTDIR' ? 'is under a file, not a folder' : `cannot be used (${error instanceof Error ? error.message : String(error)})`;
  return new AutotraderError('JOURNAL_PATH_INVALID', `order journal ${path} ${why}`, { cause: error, details: { path, code } });
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's recursive mkdir never returns on a
 * path such as `/proc/nope`, where mkdir fails with ENOENT under a parent that exists.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function ioError(what: string, path: string, error: unknown): AutotraderError {
  if (PATH_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) return pathError(path, error);
  const reason = error instanceof Error ? error.message : String(error);
  // Nothing may be sent while the journal cannot be written: the kernel stops sending on this error.
  return new AutotraderError('JOURNAL_IO', `order journal ${path}: ${what} failed (${reason}); check the disk and its free space, then restart`, {
    cause: error,
    details: { path },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `${path}.lock` for this process. Two processes appending to one journal would each believe
 * they own its orders, so a live owner is refused; a lock left by a killed process is taken over.
 */
function takeLock(lockPath: string, journalPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      heldLocks.add(lockPath);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('creating the lock file', journalPath, error);
    }
    const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    const live = owner === process.pid ? heldLocks.has(lockPath) : Number.isInteger(owner) && isAlive(owner);
    if (live) {
      throw new AutotraderError(
        'CONFIG_INVALID',
        `order journal ${journalPath} is in use by process ${owner}; stop that process or give this one another journal path ` +
          `(if no such process is trading, delete ${lockPath})`,
        { details: { path: journalPath, pid: owner } },
      );
    }
    fs.rmSync(lockPath, { force: true });
  }
  throw new AutotraderError('CONFIG_INVALID', `order journal ${journalPath}: could not take ${lockPath}; another process keeps creating it`, {
    details: { path: journalPath },
  });
}

function releaseLock(lockPath: string): void {
  heldLocks.delete(lockPath);
  fs.rmSync(lockPath, { force: true });
}

/**
 * Drops a partial last line left by a crash, so the next entry starts on a line of its own. The
 * partial line's `append` never returned, so nothing was acted on because of it.
 */
function trimTornTail(fd: number): void {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = fs.readSync(fd, chunk, 0, end - start, start);
    const last = chunk.subarray(0, n).lastIndexOf(NEWLINE);
    if (last >= 0) {
      const keep = start + last + 1;
      if (keep < size) fs.ftruncateSync(fd, keep);
      return;
    }
    end = start;
  }
  fs.ftruncateSync(fd, 0); // a single partial line and nothing else
}

/**
 * The append-only order journal: one JSON entry per line, written with a synchronous `write` and
 * made durable per the {@link FsyncPolicy} before {@link append} returns. The OMS appends every
 * command and venue report before acting on it; {@link readJournal} and `recover()` rebuild the
 * state after a restart.
 */
export class OrderJournal {
  /** The journal file. */
  readonly path: string;
  /** The durability policy in force. */
  readonly fsync: FsyncPolicy;
  private readonly intervalMs: number;
  private readonly validate: boolean;
  private readonly lockPath: string;
  private fd: number | undefined;
  private failure: AutotraderError | undefined;
  private lastSync = 0;
  private syncs = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(path: string, fd: number, fsync: FsyncPolicy, intervalMs: number, validate: boolean, lockPath: string) {
    this.path = path;
    this.validate = validate;
    this.fd = fd;
    this.fsync = fsync;
    this.intervalMs = intervalMs;
    this.lockPath = lockPath;
    this.lastSync = Date.now();
  }

  /**
   * Opens (creating it and its folders if needed) the journal at `path` for appending, takes its lock
   * file (`path + '.lock'`) and removes a torn last line. Throws CONFIG_INVALID when another live
   * process holds the journal.
   */
  static open(path: string, options: OrderJournalOptions = {}): OrderJournal {
    const policy = options.fsync ?? 'always';
    const intervalMs = options.intervalMs ?? 1000;
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
      throw new AutotraderError('CONFIG_INVALID', `journal intervalMs must be a positive number of milliseconds, got ${intervalMs}`, {
        details: { intervalMs },
      });
    }
    const dir = dirname(path);
    let fd: number;
    let created: boolean;
    try {
      makeFolders(dir);
      created = !fs.existsSync(path);
    } catch (error) {
      throw ioError('creating its folder', path, error);
    }
    const lockPath = `${path}.lock`;
    takeLock(lockPath, path);
    try {
      fd = fs.openSync(path, 'a+');
      trimTornTail(fd);
      if (created && policy !== 'never') {
        // The new file's directory entry must survive a power failure too, or its synced lines are unreachable.
        fs.fdatasyncSync(fd);
        const dirFd = fs.openSync(dir, 'r');
        try {
          fs.fsyncSync(dirFd);
        } finally {
          fs.closeSync(dirFd);
        }
      }
    } catch (error) {
      releaseLock(lockPath);
      throw ioError('opening', path, error);
    }
    return new OrderJournal(path, fd, policy, intervalMs, options.validate ?? true, lockPath);
  }

  /**
   * Appends one entry as one line, synchronously, and syncs it per the policy before returning.
   * After a failed write or sync the journal refuses every further entry: the state of the file is
   * then unknown, and acting on an unjournalled command is what the journal exists to prevent.
   */
  append(entry: JournalEntry): void {
    const fd = this.writable();
    const line = encodeEntry(entry);
    if (this.validate) {
      // What cannot be read back must not be written: it would surface as a corrupt line at recovery.
      const check = decodeEntry(line);
      if (!check.ok) {
        throw new AutotraderError('INTERNAL', `journal entry '${entry.t}' does not match the journal schema (${check.error}); it was not written`, {
          details: { entry: line },
        });
      }
    }
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    try {
      let offset = 0;
      while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      throw this.fail('writing an entry', error);
    }
    if (this.fsync === 'always') this.syncNow();
    else if (this.fsync === 'interval') this.syncSoon();
    else this.dirty = true;
  }

  /** How many times appended entries were forced to disk since open (for monitoring the policy's cost). */
  get syncCount(): number {
    return this.syncs;
  }

  /** True while appended entries are written but not yet forced to disk (`interval` and `never` only). */
  get pending(): boolean {
    return this.dirty;
  }

  /** Forces every appended entry to stable storage now, whatever the policy. */
  sync(): void {
    this.writable();
    this.syncNow();
  }

  /** Syncs what is pending (unless the policy is `never`), closes the file and releases the lock. Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const fd = this.fd;
    try {
      if (this.dirty && this.fsync !== 'never' && this.failure === undefined) this.syncNow();
    } finally {
      this.fd = undefined;
      fs.closeSync(fd);
      releaseLock(this.lockPath);
    }
  }

  private writable(): number {
    if (this.failure !== undefined) throw this.failure;
    if (this.fd === undefined) throw new AutotraderError('INTERNAL', `order journal ${this.path} is closed; open it again to append`, { details: { path: this.path } });
    return this.fd;
  }

  private syncNow(): void {
    try {
      fs.fdatasyncSync(this.fd!);
    } catch (error) {
      throw this.fail('syncing to disk', error);
    }
    this.dirty = false;
    this.syncs++;
    this.lastSync = Date.now();
  }

  private syncSoon(): void {
    this.dirty = true;
    const wait = this.lastSync + this.intervalMs - Date.now();
    if (wait <= 0) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.syncNow();
      return;
    }
    // Bounds the loss window when appends stop: the last entries do not wait for the OS's own writeback.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.fd === undefined || !this.dirty || this.failure !== undefined) return;
      try {
        this.syncNow();
      } catch {
        // Recorded in `failure`; the next append throws it to the OMS, which stops sending.
      }
    }, wait).unref();
  }

  private fail(what: string, error: unknown): AutotraderError {
    this.failure = ioError(what, this.path, error);
    return this.failure;
  }
}

/**
 * Reads a journal file. A missing file is an empty journal (a first start). A partial last line (a
 * write cut short by a crash) is ignored and flagged in `tornTail`; any complete line that fails to
 * parse or validate is reported by number in `corruptLines`, never skipped silently. Decide before
 * trading whether a journal with corrupt lines may be trusted.
 */
export function readJournal(path: string): JournalContents {
  let data: Buffer;
  try {
    data = fs.readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], tornTail: false, corruptLines: [], errors: [] };
    throw pathError(path, error);
  }
  const entries: JournalEntry[] = [];
  const corruptLines: number[] = [];
  const errors: string[] = [];
  let start = 0;
  let lineNo = 0;
  for (;;) {
    const end = data.indexOf(NEWLINE, start);
    if (end < 0) break;
    lineNo++;
    const decoded = decodeEntry(data.toString('utf8', start, end));
    if (decoded.ok) entries.push(decoded.entry);
    else {
      corruptLines.push(lineNo);
      errors.push(`line ${lineNo}: ${decoded.error}`);
    }
    start = end + 1;
  }
  return { entries, tornTail: start < data.length, corruptLines, errors };
}
