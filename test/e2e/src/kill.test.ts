import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './cli';
import { FAKE_KEYS, fakeVenueOpts, linesOf } from './live-cli';

const TOKEN = 'ab'.repeat(32);

/** A live process that is not an autotrader session: it reports any SIGUSR2 it gets on stdout. */
function bystander(): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, ['-e', "process.on('SIGUSR2', () => console.log('got SIGUSR2')); setInterval(() => {}, 1000); console.log('ready')"], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return { child, output: () => out };
}

function writeRecord(dir: string, record: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'session.json');
  writeFileSync(file, JSON.stringify(record) + '\n', { mode: 0o600 });
  return file;
}

describe('pnpm kill only reaches a live session of that state directory', () => {
  it('a record naming a dead pid: SESSION_NOT_RUNNING, nothing signalled, the stale record removed', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-kill-'));
    const file = writeRecord(dir, { pid: dead.pid, venue: 'binance', mode: 'live', started: new Date().toISOString(), token: TOKEN, socket: join(dir, `control-${dead.pid}.sock`) });
    const run = await runCli(['kill', '--state-dir', dir]);
    expect(run.code, run.stderr).toBe(1);
    expect(linesOf(run.stderr).at(-1)).toMatch(new RegExp(`^error SESSION_NOT_RUNNING: the live session recorded in .*session\\.json \\(pid ${dead.pid}\\) is gone: nothing listens on its control socket\\. Removed the stale record; nothing was sent`));
    expect(run.stdout).toBe('');
    expect(existsSync(file)).toBe(false);
  }, 30_000);

  it('a record naming a live pid that is not our session (reused pid, or a record of the old format): refused, and that process gets no signal', async () => {
    const other = bystander();
    try {
      await waitFor('the bystander to run', () => other.output().includes('ready'), 10_000);
      const pid = other.child.pid!;
      const dir = mkdtempSync(join(tmpdir(), 'autotrader-kill-'));
      // A pid reused by an unrelated process: its record's control socket has no listener.
      const stale = writeRecord(dir, { pid, venue: 'binance', mode: 'live', started: new Date().toISOString(), token: TOKEN, socket: join(dir, `control-${pid}.sock`) });
      const reused = await runCli(['kill', '--state-dir', dir]);
      expect(reused.code, reused.stderr).toBe(1);
      expect(linesOf(reused.stderr).at(-1)).toMatch(new RegExp(`^error SESSION_NOT_RUNNING: .*\\(pid ${pid}\\) is gone`));
      expect(existsSync(stale)).toBe(false);
      // A record as the previous version wrote it (pid only): it cannot be verified, so it is refused and kept.
      const old = writeRecord(dir, { pid, venue: 'binance', mode: 'live', started: new Date().toISOString() });
      const unverifiable = await runCli(['kill', '--state-dir', dir]);
      expect(unverifiable.code, unverifiable.stderr).toBe(1);
      expect(linesOf(unverifiable.stderr).at(-1)).toMatch(/^error SESSION_NOT_RUNNING: .*session\.json is not a session record this version can verify/);
      expect(existsSync(old)).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(other.output()).not.toContain('got SIGUSR2');
      expect(other.child.exitCode).toBeNull();
    } finally {
      other.child.kill('SIGKILL');
    }
  }, 60_000);

  it('a running session answers only to its token; with it, pnpm kill is acknowledged; its record (0600) goes when it stops', async () => {
    const fake = await startFakeBinance({ balances: { USDT: '100000', BTC: '0' } });
    const dir = join(mkdtempSync(join(tmpdir(), 'autotrader-kill-')), 'state');
    try {
      const cli = startCli(['live', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--state-dir', dir, ...fakeVenueOpts(fake)], { env: FAKE_KEYS });
      await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 30_000);
      const file = join(dir, 'session.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const record = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; token: string; socket: string };
      expect(record.pid).toBe(cli.child.pid);
      expect(statSync(record.socket).mode & 0o777).toBe(0o600);

      writeFileSync(file, JSON.stringify({ ...record, token: TOKEN }));
      const forged = await runCli(['kill', '--state-dir', dir]);
      expect(forged.code, forged.stderr).toBe(1);
      expect(linesOf(forged.stderr).at(-1)).toMatch(/^error SESSION_NOT_RUNNING: .* refused the command: wrong token/);
      expect(cli.output().stderr).not.toMatch(/trading state → halted/);
      // Not proven gone (something answers): the record is left alone.
      expect(existsSync(file)).toBe(true);

      writeFileSync(file, JSON.stringify(record));
      const kill = await runCli(['kill', '--state-dir', dir, '--mode', 'reducing', '--reason', 'operator']);
      expect(kill.code, kill.stderr).toBe(0);
      expect(kill.stdout).toBe(`kill switch → reducing sent to live session pid ${cli.child.pid} (binance); it acknowledged: trading state reducing\n`);
      expect(cli.output().stderr).toMatch(/trading state → reducing: operator/);

      cli.child.kill('SIGINT');
      const run = await cli.exited;
      expect(run.code, run.stderr).toBe(0);
      expect(linesOf(run.stderr).at(-1)).toBe('stopped cleanly');
      expect(existsSync(file)).toBe(false);
      expect(existsSync(record.socket)).toBe(false);
    } finally {
      await fake.close();
    }
  }, 60_000);
});
