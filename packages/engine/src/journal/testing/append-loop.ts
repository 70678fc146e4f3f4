/**
 * Child process for the SIGKILL test, run as `node --import tsx append-loop.ts <journal> <fsync>`.
 * Like a restarted trading process it reads and recovers the journal, resolves the orders left open
 * (as reconciliation would: here the venue is taken to have cancelled them), starts a new session
 * under a prefix never used before, then appends scripted entries until it is killed. It prints
 * `ready <prefix>` once appending is under way.
 */
import type { FsyncPolicy } from '../journal';
import { OrderJournal, readJournal } from '../journal';
import { recover } from '../recovery';
import { sessionScript } from './script';

const [path, policy = 'always'] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: append-loop.ts <journal> [always|interval|never]\n');
  process.exit(2);
}

const read = readJournal(path);
if (read.corruptLines.length > 0) {
  process.stderr.write(`corrupt journal: ${read.errors.join('; ')}\n`);
  process.exit(3);
}
const state = recover(read.entries);
const sessions = read.entries.filter((e) => e.t === 'session').length;
const prefix = `s${sessions + 1}`;
if (state.prefixes.includes(prefix)) {
  process.stderr.write(`prefix ${prefix} was already used\n`);
  process.exit(4);
}

const journal = OrderJournal.open(path, { fsync: policy as FsyncPolicy });
let ts = 1_600_000_000_000;
journal.append({ t: 'session', ts: ++ts, prefix, venue: 'SIM' });
for (const o of state.openOrders) {
  journal.append({ t: 'status', ts: ++ts, clientOrderId: o.clientOrderId, status: 'canceled', reason: 'not open at the venue' });
}
let written = 0;
for (const entry of sessionScript(prefix)) {
  journal.append(entry);
  if (++written === 20) process.stdout.write(`ready ${prefix}\n`);
}
