import { mulberry32 } from '@autotrader/core';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeEntry, type JournalEntry } from './codec';
import { OrderJournal, readJournal } from './journal';
import { recover } from './recovery';
import { sessionScript } from './testing/script';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'testing', 'append-loop.ts');
const REPO = resolve(here, '../../../..');

/** Seeded, so a failing case can be replayed. */
const rng = mulberry32;

/** Starts the appending child on `path` and kills it with SIGKILL `delayMs` after it starts appending. */
function runAndKill(path: string, delayMs: number): Promise<{ prefix: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, 'always'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let prefix: string | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\S+)\n/.exec(out);
      if (m !== null && prefix === undefined) {
        prefix = m[1]!;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (prefix === undefined) reject(new Error(`child exited (code ${code}, signal ${signal}) before appending: ${err}`));
      else resolvePromise({ prefix, signal });
    });
  });
}

function take(prefix: string, n: number): JournalEntry[] {
  const out: JournalEntry[] = [];
  if (n === 0) return out;
  for (const e of sessionScript(prefix)) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

/**
 * Checks a journal written by successive killed children: each session starts with its session
 * entry, then resolves the orders the journal left open, then holds exactly the scripted entries,
 * intact up to the last one written.
 */
function checkSessions(entries: readonly JournalEntry[], prefixes: readonly string[]): void {
  const starts = entries.flatMap((e, i) => (e.t === 'session' ? [i] : []));
  expect(starts.map((i) => (entries[i] as Extract<JournalEntry, { t: 'session' }>).prefix)).toEqual(prefixes);
  starts.forEach((start, s) => {
    const end = starts[s + 1] ?? entries.length;
    const openBefore = recover(entries.slice(0, start)).openOrders.map((o) => o.clientOrderId);
    let i = start + 1;
    const resolved: string[] = [];
    while (i < end && entries[i]!.t === 'status') resolved.push((entries[i++] as Extract<JournalEntry, { t: 'status' }>).clientOrderId);
    expect(resolved).toEqual(openBefore);
    const body = entries.slice(i, end);
    expect(body.length).toBeGreaterThanOrEqual(20);
    expect(body.map(encodeEntry)).toEqual(take(prefixes[s]!, body.length).map(encodeEntry));
  });
}

describe('journal under SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-kill-'));
  const path = join(dir, 'orders.jsonl');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers after every kill, keeps every entry written, and never reuses an order id', async () => {
    const rand = rng(0x5eed);
    const prefixes: string[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const delay = Math.floor(rand() * 150);
      const { prefix, signal } = await runAndKill(path, delay);
      expect(signal).toBe('SIGKILL');
      prefixes.push(prefix);

      const read = readJournal(path);
      expect(read.corruptLines).toEqual([]);
      checkSessions(read.entries, prefixes);

      const state = recover(read.entries);
      expect(state.anomalies).toEqual([]);
      const submits = read.entries.filter((e) => e.t === 'submit').length;
      expect(state.orders).toHaveLength(submits);
      expect(new Set(state.orders.map((o) => o.clientOrderId)).size).toBe(submits);
      expect(state.prefixes).toEqual(prefixes);
      const trades = new Set(read.entries.flatMap((e) => (e.t === 'report' && e.report.kind === 'fill' ? [`${e.report.fill.instrumentId}|${e.report.fill.tradeId}`] : [])));
      expect(state.fills).toHaveLength(trades.size);
      // Only the orders of the session just killed can still be open: earlier ones were resolved on restart.
      expect(state.openOrders.every((o) => o.clientOrderId.startsWith(`${prefix}-`))).toBe(true);
    }
    expect(new Set(prefixes).size).toBe(3);

    // The killed child's lock is stale: this process takes the journal over and appends cleanly.
    expect(existsSync(`${path}.lock`)).toBe(true);
    const journal = OrderJournal.open(path);
    journal.append({ t: 'session', ts: 1, prefix: 's4', venue: 'SIM' });
    journal.close();
    const final = readJournal(path);
    expect(final.corruptLines).toEqual([]);
    expect(final.tornTail).toBe(false);
    expect(recover(final.entries).prefixes).toEqual([...prefixes, 's4']);
  });
});
