/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging. Fields are printed as JSON; secrets registered with the logger are masked. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry `component`. */
  child(component: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go (default: stderr, so stdout stays clean for --json). */
  readonly write?: (line: string) => void;
  /** Values that must never be printed (API keys and secrets). */
  readonly secrets?: readonly string[];
  readonly now?: () => number;
}

/** Replaces every occurrence of each secret with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, secrets) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, depth + 1);
  return out;
}

/**
 * Wraps a logger so that the given secrets never reach it, in messages or in fields (strings at any
 * depth, and error messages). A logger takes its own secret list at creation and has no way to add one
 * later, so a plugin that reads keys from the environment masks its own lines with this before handing
 * them on. Secrets shorter than 4 characters are not masked (they would mask ordinary words).
 */
export function redactingLogger(inner: Logger, secrets: readonly string[]): Logger {
  const masked = secrets.filter((s) => s.length >= 4);
  if (masked.length === 0) return inner;
  const wrap =
    (fn: (m: string, f?: Record<string, unknown>) => void) =>
    (message: string, fields?: Record<string, unknown>): void =>
      fn(redact(message, masked), fields === undefined ? undefined : (redactValue(fields, masked, 0) as Record<string, unknown>));
  return {
    debug: wrap(inner.debug.bind(inner)),
    info: wrap(inner.info.bind(inner)),
    warn: wrap(inner.warn.bind(inner)),
    error: wrap(inner.error.bind(inner)),
    child: (component) => redactingLogger(inner.child(component), masked),
  };
}

/** A logger that writes one line per message. */
export function createLogger(options: LoggerOptions = {}, component = 'autotrader'): Logger {
  const min = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const secrets = options.secrets ?? [];
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return;
    const extra = fields === undefined ? '' : ' ' + safeJson(fields);
    write(redact(`${new Date(now()).toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${message}${extra}`, secrets));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c) => createLogger(options, `${component}:${c}`),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return '[unserializable]';
  }
}

/** A logger that drops everything (benchmarks, tests). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
