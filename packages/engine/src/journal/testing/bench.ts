/**
 * Append throughput of the order journal under each fsync policy on this machine, printed, not
 * asserted. Run: `node --import tsx packages/engine/src/journal/testing/bench.ts [folder]` (default:
 * the OS temp folder; give a folder on the disk the journal will live on, since fsync cost is the disk's).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEntry, encodeEntry, type JournalEntry } from '../codec';
import { OrderJournal, type FsyncPolicy } from '../journal';
import { sessionScript } from './script';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'journal-bench-'));
const pool: JournalEntry[] = [];
for (const e of sessionScript('bench')) if (pool.push(e) === 20_000) break;

let runs = 0;
function run(policy: FsyncPolicy, count: number, validate = true): void {
  const path = join(dir, `${++runs}-${policy}.jsonl`);
  const journal = OrderJournal.open(path, { fsync: policy, intervalMs: 100, validate });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) journal.append(pool[i % pool.length]!);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const syncs = journal.syncCount;
  journal.close();
  const bytes = statSync(path).size;
  console.log(
    `${policy.padEnd(8)} ${validate ? 'validated  ' : 'unvalidated'} ${count.toString().padStart(6)} entries in ${ms.toFixed(0).padStart(5)} ms: ` +
      `${Math.round((count / ms) * 1000).toString().padStart(7)} entries/s, ${((ms * 1000) / count).toFixed(1).padStart(6)} µs/entry, ` +
      `${syncs} fdatasync, ${(bytes / count).toFixed(0)} B/entry`,
  );
}

// The CPU part alone: encode plus the read-back validation every append does.
{
  const t0 = process.hrtime.bigint();
  for (const e of pool) decodeEntry(encodeEntry(e));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`codec    ${pool.length} entries encoded and validated: ${Math.round((pool.length / ms) * 1000)} entries/s`);
}
try {
  run('never', 20_000); // also warms the JIT
  run('never', 50_000);
  run('never', 50_000, false);
  run('interval', 50_000);
  run('interval', 50_000, false);
  run('always', 3_000);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
