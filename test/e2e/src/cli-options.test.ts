import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from './cli';

/**
 * Unknown options are refused by name, through the real CLI: a misspelled venue option must never
 * fall back to a default endpoint (with --mainnet, the real-money one). The refusal comes before any
 * connection: the venue URLs point at a local server that counts every request and upgrade it gets.
 */

const dir = mkdtempSync(join(tmpdir(), 'autotrader-options-'));
const KEYS = { BINANCE_API_KEY: 'test-key-not-a-secret', BINANCE_API_SECRET: 'test-secret-not-a-secret' };
let server: Server;
let contacts = 0;
let base = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    contacts++;
    res.writeHead(503).end();
  });
  server.on('upgrade', (_req, socket) => {
    contacts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Venue options that point every Binance endpoint at the counting server. */
const endpoints = (): string[] => ['--venue-opt', `restUrl=http://${base}`, '--venue-opt', `wsApiUrl=ws://${base}/ws-api/v3`, '--venue-opt', `streamUrl=ws://${base}`];

/**
 * Runs the CLI and expects one coded error line naming what it must, exit 1, and no contact with the
 * venue. A CLI that accepted the options would go on to start a session: it is killed after 20 s.
 */
async function expectRefused(args: string[], code: string, ...mentions: RegExp[]): Promise<string> {
  const before = contacts;
  const cli = startCli(args, { env: KEYS });
  const deadline = setTimeout(() => cli.child.kill('SIGKILL'), 20_000);
  const run = await cli.exited.finally(() => clearTimeout(deadline));
  expect(run.code, `${run.stderr}\n(killed: the options were accepted and a session started)`).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error ${code}: `));
  for (const mention of mentions) expect(lines[0]).toMatch(mention);
  expect(contacts - before, 'the venue was contacted before the options were checked').toBe(0);
  return lines[0]!;
}

const live = (...args: string[]): string[] => ['live', '--venue', 'binance', '--symbol', 'BTCUSDT', ...args];

describe('unknown venue options are refused by name before anything connects', () => {
  it('a misspelled --venue-opt names the key, the likely one, and the valid keys (testnet and --mainnet)', async () => {
    for (const extra of [[], ['--mainnet']]) {
      const line = await expectRefused(live(...endpoints(), '--venue-opt', `restUrll=http://${base}`, ...extra), 'CONFIG_INVALID', /--venue-opt/, /"restUrll"/, /did you mean "restUrl"\?/);
      const valid = /valid keys: ([^)]*)\)/.exec(line)?.[1]?.split(', ');
      expect(valid).toEqual(expect.arrayContaining(['mainnet', 'restUrl', 'wsApiUrl', 'streamUrl', 'recvWindow', 'timeouts']));
    }
  }, 60_000);

  it('a misspelled key inside a nested option names its path and the keys valid at that level', async () => {
    await expectRefused(live(...endpoints(), '--venue-opt', 'timeouts={"requestMss":300}'), 'CONFIG_INVALID', /timeouts: Unrecognized key: "requestMss" \(did you mean "requestMs"\? valid keys: requestMs, /);
  }, 30_000);

  it('the config file’s venue block is held to the same rule', async () => {
    const config = join(dir, 'venue-typo.json');
    writeFileSync(config, JSON.stringify({ venue: { restUrl: `http://${base}`, wsApiUrl: `ws://${base}/ws-api/v3`, streamUrl: `ws://${base}`, recvWindw: 5000 } }));
    await expectRefused(live('--config', config), 'CONFIG_INVALID', /config file "venue"/, /Unrecognized key: "recvWindw" \(did you mean "recvWindow"\?/);
  }, 30_000);

  it('the paper venue plugin’s options are strict at every level too', async () => {
    await expectRefused(['live', '--venue', 'paper', '--symbol', 'BTCUSD', '--venue-opt', 'fees={"makr":"0.001"}'], 'CONFIG_INVALID', /fees: Unrecognized key: "makr" \(did you mean "maker"\? valid keys: maker, taker, /);
    await expectRefused(['live', '--venue', 'paper', '--symbol', 'BTCUSD', '--venue-opt', 'startingBalance={"USD":"1"}'], 'CONFIG_INVALID', /Unrecognized key: "startingBalance" \(did you mean "startingBalances"\?/);
  }, 30_000);
});

describe('unknown risk limits and config keys are refused by name', () => {
  it('--risk with a key that is not a limit lists the limits (backtest and live)', async () => {
    await expectRefused(['backtest', '--risk', 'maxOpenOrder=3'], 'CONFIG_INVALID', /risk: Unrecognized key: "maxOpenOrder" \(did you mean "maxOpenOrders"\? valid keys: maxOrderQuantity, maxOrderNotional, maxPosition, maxOpenOrders, priceBandPct, orderRate, maxDailyLoss\)/);
    await expectRefused(live(...endpoints(), '--risk', 'maxDailyLos=100'), 'CONFIG_INVALID', /risk: Unrecognized key: "maxDailyLos" \(did you mean "maxDailyLoss"\?/);
    await expectRefused(['backtest', '--risk', 'orderRate={"count":5,"intervalMS":1000}'], 'CONFIG_INVALID', /risk\.orderRate: Unrecognized key: "intervalMS" \(did you mean "intervalMs"\? valid keys: count, intervalMs\)/);
  }, 60_000);

  it('an unknown top-level key of the config file lists the sections', async () => {
    const config = join(dir, 'top-typo.json');
    writeFileSync(config, JSON.stringify({ rsik: { maxOpenOrders: 3 } }));
    await expectRefused(['backtest', '--config', config], 'CONFIG_INVALID', /top-typo\.json: Unrecognized key: "rsik" \(did you mean "risk"\? valid keys: risk, account, venue, unknownOrders, journal\b/);
  }, 30_000);
});

describe('unknown strategy parameters are refused by name', () => {
  it('--param with a key the strategy does not declare lists its parameters', async () => {
    await expectRefused(['backtest', '--param', 'fats=5'], 'PARAM_INVALID', /strategy 'sma-cross': Unrecognized key: "fats" \(did you mean "fast"\? valid keys: fast, slow, size, allowShort, instrument\)/);
  }, 30_000);
});
