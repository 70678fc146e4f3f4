import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAutotraderError, type OrderStatus } from '@autotrader/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEntry, type JournalEntry } from './codec';
import { OrderJournal, readJournal } from './journal';
import { sessionScript } from './testing/script';

let dir: string;
let open: OrderJournal[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
  open = [];
});
afterEach(() => {
  for (const j of open) j.close();
  rmSync(dir, { recursive: true, force: true });
});

function openJournal(path: string, options?: Parameters<typeof OrderJournal.open>[1]): OrderJournal {
  const j = OrderJournal.open(path, options);
  open.push(j);
  return j;
}

function take(n: number, prefix = 'p'): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const e of sessionScript(prefix)) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

const lines = (entries: readonly JournalEntry[]): string[] => entries.map(encodeEntry);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OrderJournal', () => {
  it('creates its folders and reads back what it appended, one line per entry', () => {
    const path = join(dir, 'a', 'b', 'orders.jsonl');
    const j = openJournal(path);
    const entries = take(40);
    for (const e of entries) j.append(e);
    j.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(41); // 40 lines and the empty string after the last newline
    const read = readJournal(path);
    expect(read.tornTail).toBe(false);
    expect(read.corruptLines).toEqual([]);
    expect(lines(read.entries)).toEqual(lines(entries));
  });

  it('appends to an existing journal instead of replacing it', () => {
    const path = join(dir, 'orders.jsonl');
    const entries = take(10);
    const first = openJournal(path);
    for (const e of entries.slice(0, 4)) first.append(e);
    first.close();
    const second = openJournal(path);
    for (const e of entries.slice(4)) second.append(e);
    second.close();
    expect(lines(readJournal(path).entries)).toEqual(lines(entries));
  });

  it('reads a missing journal as empty (a first start)', () => {
    expect(readJournal(join(dir, 'none.jsonl'))).toEqual({ entries: [], tornTail: false, corruptLines: [], errors: [] });
  });

  it('ignores a torn last line and reports it; reopening removes it so the next entry starts on its own line', () => {
    const path = join(dir, 'orders.jsonl');
    const entries = take(6);
    const j = openJournal(path);
    for (const e of entries.slice(0, 5)) j.append(e);
    j.close();
    const partial = encodeEntry(entries[5]!).slice(0, 37);
    appendFileSync(path, partial);

    const torn = readJournal(path);
    expect(torn.tornTail).toBe(true);
    expect(torn.corruptLines).toEqual([]);
    expect(lines(torn.entries)).toEqual(lines(entries.slice(0, 5)));

    const again = openJournal(path);
    expect(readFileSync(path, 'utf8').endsWith('}\n')).toBe(true);
    again.append(entries[5]!);
    again.close();
    const healed = readJournal(path);
    expect(healed.tornTail).toBe(false);
    expect(healed.corruptLines).toEqual([]);
    expect(lines(healed.entries)).toEqual(lines(entries));
  });

  it('treats a complete entry without its newline as torn: its append never returned', () => {
    const path = join(dir, 'orders.jsonl');
    const [a, b] = take(2);
    writeFileSync(path, `${encodeEntry(a!)}\n${encodeEntry(b!)}`);
    const read = readJournal(path);
    expect(read.tornTail).toBe(true);
    expect(lines(read.entries)).toEqual(lines([a!]));
  });

  it('drops a file holding only a partial line on open', () => {
    const path = join(dir, 'orders.jsonl');
    writeFileSync(path, '{"t":"sess');
    const j = openJournal(path);
    expect(readFileSync(path, 'utf8')).toBe('');
    j.append(take(1)[0]!);
    j.close();
    expect(readJournal(path).entries).toHaveLength(1);
  });

  it('reports a corrupt middle line by its number and keeps every other entry', () => {
    const path = join(dir, 'orders.jsonl');
    const entries = take(4);
    const text = lines(entries);
    expect(text[1]).toContain('"kind":"accepted"');
    text[1] = text[1]!.replace('"kind":"accepted"', '"kind":"acepted"');
    writeFileSync(path, `${text.join('\n')}\n{"t":"cancel"\n`);
    const read = readJournal(path);
    expect(read.corruptLines).toEqual([2, 5]);
    expect(read.errors[0]).toMatch(/^line 2: report/);
    expect(read.errors[1]).toMatch(/^line 5: not JSON/);
    expect(read.tornTail).toBe(false);
    expect(lines(read.entries)).toEqual(lines([entries[0]!, entries[2]!, entries[3]!]));
  });

  it("syncs every entry under 'always', never under 'never'", () => {
    const always = openJournal(join(dir, 'always.jsonl'), { fsync: 'always' });
    const base = always.syncCount;
    for (const e of take(25)) always.append(e);
    expect(always.syncCount - base).toBe(25);
    expect(always.pending).toBe(false);

    const never = openJournal(join(dir, 'never.jsonl'), { fsync: 'never' });
    for (const e of take(25)) never.append(e);
    expect(never.syncCount).toBe(0);
    expect(never.pending).toBe(true);
    never.close();
    expect(never.syncCount).toBe(0);
  });

  it("syncs at most once per interval under 'interval', and within the interval after appends stop", async () => {
    const j = openJournal(join(dir, 'interval.jsonl'), { fsync: 'interval', intervalMs: 200 });
    const base = j.syncCount;
    for (const e of take(50)) j.append(e);
    expect(j.syncCount - base).toBeLessThanOrEqual(1);
    expect(j.pending).toBe(true);
    await sleep(450);
    expect(j.pending).toBe(false);
    expect(j.syncCount - base).toBeGreaterThanOrEqual(1);
    expect(j.syncCount - base).toBeLessThanOrEqual(2);
  });

  it('syncs pending entries on close', () => {
    const j = openJournal(join(dir, 'interval.jsonl'), { fsync: 'interval', intervalMs: 60_000 });
    for (const e of take(5)) j.append(e);
    const before = j.syncCount;
    expect(j.pending).toBe(true);
    j.close();
    expect(j.syncCount).toBe(before + 1);
  });

  it('refuses an entry that could not be read back, writes nothing, and stays usable', () => {
    const path = join(dir, 'orders.jsonl');
    const j = openJournal(path);
    const bad = { t: 'status', ts: 1, clientOrderId: 'p-1', status: 'done' as OrderStatus } as const;
    expect(() => j.append(bad)).toThrow(expect.objectContaining({ code: 'INTERNAL', message: expect.stringMatching(/status/) }));
    j.append(take(1)[0]!);
    j.close();
    expect(readJournal(path).entries).toHaveLength(1);
  });

  it('with validation off, writes what it is given (and the reader then reports it)', () => {
    const path = join(dir, 'orders.jsonl');
    const j = openJournal(path, { fsync: 'never', validate: false });
    j.append({ t: 'status', ts: 1, clientOrderId: 'p-1', status: 'done' as OrderStatus });
    j.append(take(1)[0]!);
    j.close();
    const read = readJournal(path);
    expect(read.corruptLines).toEqual([1]);
    expect(read.entries).toHaveLength(1);
  });

  it('refuses appends after close; close twice is harmless', () => {
    const j = openJournal(join(dir, 'orders.jsonl'));
    j.close();
    j.close();
    expect(() => j.append(take(1)[0]!)).toThrow(/closed/);
  });

  it('refuses a journal another live owner holds, and takes over the lock of a dead one', () => {
    const path = join(dir, 'orders.jsonl');
    const j = openJournal(path);
    let error: unknown;
    try {
      OrderJournal.open(path);
    } catch (e) {
      error = e;
    }
    expect(isAutotraderError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(`process ${process.pid}`);
    j.close();
    expect(existsSync(`${path}.lock`)).toBe(false);

    // A lock left by a process that no longer exists (pids are at most 2^22 on Linux).
    writeFileSync(`${path}.lock`, '99999999\n');
    const k = openJournal(path);
    expect(readFileSync(`${path}.lock`, 'utf8').trim()).toBe(String(process.pid));
    k.close();
  });

  it('refuses a non-positive interval', () => {
    expect(() => OrderJournal.open(join(dir, 'x.jsonl'), { fsync: 'interval', intervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('says which path failed when the journal cannot be opened', () => {
    const path = join(dir, 'is-a-dir');
    openJournal(join(path, 'x.jsonl')).close();
    expect(() => OrderJournal.open(path)).toThrow(expect.objectContaining({ code: 'JOURNAL_PATH_INVALID', message: expect.stringContaining(path) }));
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
