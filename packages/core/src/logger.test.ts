import { describe, expect, it } from 'vitest';
import { createLogger, redact, redactingLogger, type Logger } from './logger';

const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

/** A logger that keeps what it is handed, objects and all, as a third-party logger would. */
function capturing(): { log: Logger; seen: Array<{ level: string; component: string; message: string; fields?: Record<string, unknown> }> } {
  const seen: Array<{ level: string; component: string; message: string; fields?: Record<string, unknown> }> = [];
  const make = (component: string): Logger => ({
    debug: (message, fields) => seen.push({ level: 'debug', component, message, fields }),
    info: (message, fields) => seen.push({ level: 'info', component, message, fields }),
    warn: (message, fields) => seen.push({ level: 'warn', component, message, fields }),
    error: (message, fields) => seen.push({ level: 'error', component, message, fields }),
    child: (c) => make(`${component}:${c}`),
  });
  return { log: make('root'), seen };
}

describe('redact', () => {
  it('masks every occurrence and ignores secrets shorter than 4 characters', () => {
    expect(redact(`a ${KEY} b ${KEY}`, [KEY])).toBe('a *** b ***');
    expect(redact('the cat', ['cat'])).toBe('the cat');
  });
});

describe('redactingLogger', () => {
  it('masks the secrets in messages and nested fields, including errors', () => {
    const lines: string[] = [];
    const inner = createLogger({ level: 'debug', write: (l) => lines.push(l), now: () => 0 });
    const log = redactingLogger(inner, [KEY, SECRET]).child('binance');
    log.info(`key ${KEY}`, { nested: { list: [SECRET, 'ok'] }, error: new Error(`bad ${SECRET}`) });
    log.error('plain', { n: 1 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain(KEY);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).toContain('***');
    expect(lines[0]).toContain('"ok"');
    expect(lines[0]).toContain('[autotrader:binance]');
    expect(lines[1]).toContain('"n":1');
  });

  it('masks before handing on, so a logger that keeps objects never holds a secret', () => {
    const { log, seen } = capturing();
    const r = redactingLogger(log, [SECRET]);
    r.child('venue').child('http').warn(`signed with ${SECRET}`, { headers: { authorization: `Bearer ${SECRET}` }, attempt: 2, nothing: null });
    expect(seen).toEqual([
      { level: 'warn', component: 'root:venue:http', message: 'signed with ***', fields: { headers: { authorization: 'Bearer ***' }, attempt: 2, nothing: null } },
    ]);
    expect(JSON.stringify(seen)).not.toContain(SECRET);
  });

  it('is the inner logger itself when there is nothing to mask', () => {
    const { log } = capturing();
    expect(redactingLogger(log, [])).toBe(log);
    expect(redactingLogger(log, ['ab'])).toBe(log);
  });
});
