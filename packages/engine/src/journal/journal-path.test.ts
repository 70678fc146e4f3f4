import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderJournal, readJournal } from './journal';

const temp = (): string => mkdtempSync(join(tmpdir(), 'journal-path-'));

describe('a journal path that cannot be a journal', () => {
  it('a folder is JOURNAL_PATH_INVALID naming it, for reading and for opening', () => {
    const dir = temp();
    mkdirSync(join(dir, 'j.jsonl'));
    expect(() => readJournal(join(dir, 'j.jsonl'))).toThrow(expect.objectContaining({ code: 'JOURNAL_PATH_INVALID', message: expect.stringMatching(/j\.jsonl is a folder/) }));
    expect(() => OrderJournal.open(join(dir, 'j.jsonl'))).toThrow(expect.objectContaining({ code: 'JOURNAL_PATH_INVALID' }));
  });

  it('a path under a file is JOURNAL_PATH_INVALID', () => {
    const file = join(temp(), 'plain');
    writeFileSync(file, 'x');
    expect(() => OrderJournal.open(join(file, 'j.jsonl'))).toThrow(expect.objectContaining({ code: 'JOURNAL_PATH_INVALID' }));
  });

  it('a folder that cannot be created ends at once, not in a hang (/proc)', () => {
    expect(() => OrderJournal.open('/proc/autotrader-nope/j.jsonl')).toThrow(expect.objectContaining({ code: 'JOURNAL_PATH_INVALID' }));
  });
});
