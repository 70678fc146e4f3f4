import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AutotraderError, type TradingState } from '@autotrader/core';
import { prepareOutputDir } from '@autotrader/report';

/** Where a running session keeps its record and control socket (default `.autotrader` in the working folder). */
export const DEFAULT_STATE_DIR = '.autotrader';

/** How long `pnpm kill` (and a starting session checking for another) waits for an answer, ms. */
const ANSWER_TIMEOUT_MS = 3_000;
/** The longest request a session reads on its control socket, bytes. */
const MAX_REQUEST = 4_096;

/**
 * `session.json` (mode 0600): which session runs in a state directory and how to reach it. Only a
 * process that knows `token` can command the session, and only the session answers for it, so a
 * stale record or a reused pid is never mistaken for a session.
 */
const sessionRecordSchema = z.object({
  pid: z.number().int().positive(),
  venue: z.string(),
  mode: z.enum(['live', 'paper']),
  started: z.string(),
  token: z.string().regex(/^[0-9a-f]{64}$/),
  socket: z.string().min(1),
});
/** A running session's record. */
export type SessionRecord = z.output<typeof sessionRecordSchema>;

const requestSchema = z.discriminatedUnion('command', [
  z.object({ token: z.string(), command: z.literal('ping') }),
  z.object({ token: z.string(), command: z.literal('trading-state'), state: z.enum(['active', 'reducing', 'halted']), reason: z.string().max(500) }),
]);
/** What `pnpm kill` asks a session. */
export type ControlRequest = z.output<typeof requestSchema>;

const replySchema = z.union([
  z.object({ ok: z.literal(true), pid: z.number(), state: z.enum(['active', 'reducing', 'halted']).optional() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
/** A session's answer. */
export type ControlReply = z.output<typeof replySchema>;

const recordPath = (dir: string): string => join(dir, 'session.json');

const SOCKET_NAME = /^control-\d+\.sock$/;

/**
 * This process's control socket: `control-<pid>.sock` in the state directory, or, when that path is
 * too long for a Unix socket (about 100 bytes), a name derived from it in the system temp folder.
 */
function socketPath(dir: string): string {
  const inDir = join(dir, `control-${process.pid}.sock`);
  if (Buffer.byteLength(inDir) <= 100) return inDir;
  return join(tmpdir(), `autotrader-${createHash('sha256').update(inDir).digest('hex').slice(0, 16)}.sock`);
}

/** Why a `session.json` could not be used: it is not JSON, or not a record this version writes. */
type BadRecord = { invalid: string };

function readRecord(dir: string): SessionRecord | 'missing' | BadRecord {
  const path = recordPath(dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    // A user's mistake, not ours: the state dir is a file, session.json is a folder, or it cannot be read.
    const why = code === 'ENOTDIR' ? `${dir} is not a folder` : code === 'EISDIR' ? `${path} is a folder, not a session record` : `${path} cannot be read (${(error as Error).message})`;
    throw new AutotraderError('CONFIG_INVALID', `--state-dir ${dir}: ${why}; give the --state-dir the session was started with`, { cause: error, details: { stateDir: dir, path } });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { invalid: `is not valid JSON (${(error as Error).message})` };
  }
  const parsed = sessionRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : { invalid: `is not a session record this version can verify (bad or missing: ${[...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'the record'))].join(', ')})` };
}

const isRecord = (r: ReturnType<typeof readRecord>): r is SessionRecord => typeof r === 'object' && 'pid' in r;

const sameToken = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** How one request to a control socket went. */
type Exchange = { kind: 'answered'; reply: ControlReply } | { kind: 'nobody' } | { kind: 'silent' };

/** Sends one request to a control socket: `nobody` when nothing listens there (the session is gone), `silent` when no answer came. */
function exchange(path: string, request: ControlRequest): Promise<Exchange> {
  return new Promise((resolvePromise) => {
    let settled = false;
    let buffer = '';
    const socket = createConnection(path);
    const done = (result: Exchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(result);
    };
    const timer = setTimeout(() => done({ kind: 'silent' }), ANSWER_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      let parsed;
      try {
        parsed = replySchema.safeParse(JSON.parse(buffer.slice(0, end)));
      } catch {
        parsed = undefined;
      }
      done(parsed?.success ? { kind: 'answered', reply: parsed.data } : { kind: 'silent' });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      done(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ENOTSOCK' ? { kind: 'nobody' } : { kind: 'silent' });
    });
    socket.on('close', () => done({ kind: 'silent' }));
  });
}

/** Removes a record (and its socket file) only if it is still the one we judged: a new session may have replaced it since. */
function removeRecordIf(dir: string, record: SessionRecord): void {
  const now = readRecord(dir);
  if (isRecord(now) && now.token === record.token) {
    rmSync(recordPath(dir), { force: true });
    rmSync(record.socket, { force: true });
  }
}

/**
 * Sends a command to the session recorded in `stateDir` over its control socket, and returns its
 * record and answer. Nothing is ever signalled: SESSION_NOT_RUNNING when no record is there, when
 * nothing listens on its socket (the session is gone: the stale record is removed), when it does
 * not answer, or when what answers does not know the session's token.
 */
export async function sendControlCommand(stateDir: string, command: { state: TradingState; reason: string } | 'ping'): Promise<{ record: SessionRecord; reply: Extract<ControlReply, { ok: true }> }> {
  const dir = resolve(stateDir);
  const record = readRecord(dir);
  if (record === 'missing') throw new AutotraderError('SESSION_NOT_RUNNING', `no session is recorded in ${dir} (nothing was sent)`, { details: { stateDir: dir } });
  if (!isRecord(record)) {
    throw new AutotraderError('SESSION_NOT_RUNNING', `${recordPath(dir)} ${record.invalid}; nothing was sent. If no session is running there, delete it`, {
      details: { stateDir: dir },
    });
  }
  const request: ControlRequest = command === 'ping' ? { token: record.token, command: 'ping' } : { token: record.token, command: 'trading-state', ...command };
  const result = await exchange(record.socket, request);
  const who = `the ${record.mode} session recorded in ${recordPath(dir)} (pid ${record.pid})`;
  if (result.kind === 'nobody') {
    removeRecordIf(dir, record);
    throw new AutotraderError('SESSION_NOT_RUNNING', `${who} is gone: nothing listens on its control socket. Removed the stale record; nothing was sent`, { details: { stateDir: dir, pid: record.pid } });
  }
  if (result.kind === 'silent') {
    throw new AutotraderError('SESSION_NOT_RUNNING', `${who} did not answer on its control socket within ${ANSWER_TIMEOUT_MS} ms (stopped, or too busy); nothing was changed`, {
      details: { stateDir: dir, pid: record.pid },
    });
  }
  if (!result.reply.ok) throw new AutotraderError('SESSION_NOT_RUNNING', `${who} refused the command: ${result.reply.error}`, { details: { stateDir: dir, pid: record.pid } });
  return { record, reply: result.reply };
}

/** What a session does with a command from `pnpm kill`; it returns the trading state after it, or throws to refuse. */
export type ControlHandler = (command: { state: TradingState; reason: string }) => TradingState;

/** A running session's control channel: its record in the state directory and the socket it answers on. */
export interface ControlChannel {
  readonly record: SessionRecord;
  /** Stops answering, closes the socket and removes the record (if it is still ours). */
  close(): Promise<void>;
}

/**
 * Records this session in a state directory: listens on its own control socket (mode 0600),
 * answering only requests that carry its random token, and writes `session.json` (mode 0600).
 * Socket files of sessions that died are removed. When another live session is recorded there, it
 * is named in `displaced`: from now on `pnpm kill` with this state directory reaches this session.
 */
export async function openControlChannel(
  stateDir: string,
  info: { venue: string; mode: 'live' | 'paper' },
  handle: ControlHandler,
): Promise<ControlChannel & { readonly displaced?: SessionRecord }> {
  const dir = resolve(stateDir);
  // A coded error naming --state-dir when it is a file or cannot be written (and no hang on /proc/…).
  prepareOutputDir(dir, '--state-dir');
  const existing = readRecord(dir);
  let displaced: SessionRecord | undefined;
  if (isRecord(existing) && (await exchange(existing.socket, { token: existing.token, command: 'ping' })).kind !== 'nobody') displaced = existing;
  // Sockets left by sessions that died: nothing listens on them any more.
  for (const name of readdirSync(dir).filter((n) => SOCKET_NAME.test(n))) {
    const stale = join(dir, name);
    if ((await exchange(stale, { token: '', command: 'ping' })).kind === 'nobody') rmSync(stale, { force: true });
  }
  const path = socketPath(dir);
  rmSync(path, { force: true });

  const record: SessionRecord = { pid: process.pid, venue: info.venue, mode: info.mode, started: new Date().toISOString(), token: randomBytes(32).toString('hex'), socket: path };
  const connections = new Set<Socket>();
  const server: Server = createServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    conn.setTimeout(ANSWER_TIMEOUT_MS, () => conn.destroy());
    conn.setEncoding('utf8');
    let buffer = '';
    const answer = (reply: ControlReply): void => void conn.end(JSON.stringify(reply) + '\n');
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST) return void conn.destroy();
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      let request: ControlRequest;
      try {
        const parsed = requestSchema.safeParse(JSON.parse(buffer.slice(0, end)));
        if (!parsed.success) return answer({ ok: false, error: 'malformed request' });
        request = parsed.data;
      } catch {
        return answer({ ok: false, error: 'malformed request' });
      }
      if (!sameToken(request.token, record.token)) return answer({ ok: false, error: 'wrong token: this is not the session the record names' });
      if (request.command === 'ping') return answer({ ok: true, pid: process.pid });
      try {
        answer({ ok: true, pid: process.pid, state: handle({ state: request.state, reason: request.reason }) });
      } catch (error) {
        answer({ ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    });
    conn.on('error', () => conn.destroy());
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new AutotraderError('CONFIG_INVALID', `cannot listen on the control socket ${path}: ${error.message}`, { cause: error, details: { stateDir: dir } })),
    );
    server.listen(path, () => resolveListen());
  });
  chmodSync(path, 0o600);
  // Written whole, then renamed: a reader never sees half a record, and the mode is 0600 from the start.
  const tmp = `${recordPath(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record) + '\n', { mode: 0o600 });
  renameSync(tmp, recordPath(dir));

  let closing: Promise<void> | undefined;
  return {
    record,
    displaced,
    close: () =>
      (closing ??= new Promise<void>((resolveClose) => {
        removeRecordIf(dir, record);
        for (const c of connections) c.destroy();
        server.close(() => resolveClose());
        rmSync(path, { force: true });
      })),
  };
}
