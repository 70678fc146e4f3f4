import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_API_KEY, FAKE_API_SECRET, startFakeBinance } from '@autotrader/fake-binance';
import { waitFor } from '@autotrader/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startCli, type CliRun } from './cli';

/**
 * `pnpm backtest` with an account (issue 14): `--account margin --leverage 50` and `--base-currency EUR`
 * on the shipped EURUSD ticks print NAV, margin used, closeouts and exposure per currency; a config
 * file's account block closes positions out; bad account options are refused by name; a run without
 * account options prints exactly what it printed before; and `pnpm paper` takes the same options.
 */

const EURUSD = join(ROOT, 'data/eurusd-ticks-2014-05.arrow');
const dir = mkdtempSync(join(tmpdir(), 'autotrader-accounts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** sma-cross on the EURUSD ticks, 100,000 EUR a trade, long and short. */
const fxRun = (...extra: string[]): string[] => ['backtest', '--data', EURUSD, '--strategy', 'sma-cross', '--param', 'size=100000', '--param', 'allowShort=true', ...extra];

interface AccountJson {
  type: string;
  baseCurrency: string;
  nav: number;
  marginUsedPeak: number;
  marginUsedEnd: number;
  closeouts: number;
  exposureByCurrency: Record<string, number>;
  exposurePeakByCurrency: Record<string, number>;
}
interface RunJson {
  run: { currency: string; startingCash: number };
  summary: { finalEquity: number; trades: number };
  trades: Array<Record<string, unknown> & { side: string; quantity: number; reason?: string; currency?: string }>;
  fills: Array<{ side: string; quantity: string }>;
  account?: AccountJson;
}

function json(run: CliRun): RunJson {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as RunJson;
}

/** The value printed on the summary line that starts with `label`. */
function valueOf(text: string, label: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(label + ' '))?.slice(label.length).trim();
}

/** The net position the fills leave, in units of the base currency (EUR). */
function netPosition(out: RunJson): number {
  return out.fills.reduce((n, f) => n + (f.side === 'buy' ? 1 : -1) * Number(f.quantity), 0);
}

const cents = (x: number): number => Math.round(x * 100) / 100;

describe('a margin account on the EURUSD ticks', () => {
  let usd: RunJson;
  let eur: RunJson;
  let text: CliRun;
  beforeAll(async () => {
    usd = json(await runCli(fxRun('--account', 'margin', '--leverage', '50', '--cash', '10000', '--json')));
    eur = json(await runCli(fxRun('--account', 'margin', '--leverage', '50', '--cash', '10000', '--base-currency', 'EUR', '--json')));
    text = await runCli(fxRun('--account', 'margin', '--leverage', '50', '--cash', '10000'));
  }, 240_000);

  it('reports NAV, margin used (peak, end), closeouts and exposure per currency in --json', () => {
    const a = usd.account!;
    expect(a).toBeDefined();
    expect(a.type).toBe('margin');
    expect(a.baseCurrency).toBe('USD');
    expect(usd.trades.length).toBeGreaterThan(10);
    // NAV is what the account is worth: the final equity.
    expect(a.nav).toBe(usd.summary.finalEquity);
    expect(a.closeouts).toBe(0);
    // The strategy ends in a position of 100,000 EUR: its notional in USD is the exposure, 2% of it the margin (50:1).
    expect(Math.abs(netPosition(usd))).toBe(100_000);
    expect(Object.keys(a.exposureByCurrency)).toEqual(['USD']);
    const px = a.exposureByCurrency.USD! / 100_000;
    expect(px).toBeGreaterThan(1.37);
    expect(px).toBeLessThan(1.40);
    expect(cents(a.marginUsedEnd)).toBe(cents(a.exposureByCurrency.USD! * 0.02));
    expect(a.marginUsedPeak).toBeGreaterThanOrEqual(a.marginUsedEnd);
    // The peak per currency is measured after each fill: at least what is held at the end, and a position of 100,000 EUR at most.
    expect(a.exposurePeakByCurrency.USD!).toBeGreaterThanOrEqual(a.exposureByCurrency.USD! - 1);
    expect(a.exposurePeakByCurrency.USD!).toBeLessThan(100_000 * 1.40);
    expect(a.marginUsedPeak).toBeLessThan(100_000 * 1.40 * 0.02);
    expect(usd.trades.every((t) => t.currency === 'USD' && t.reason === undefined)).toBe(true);
  });

  it('prints the same figures in the text summary', () => {
    expect(text.code, text.stderr).toBe(0);
    const a = usd.account!;
    const money = (x: number, ccy: string): string => `${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${ccy}`;
    expect(valueOf(text.stdout, 'Account')).toBe('margin, base currency USD');
    expect(valueOf(text.stdout, 'NAV')).toBe(money(a.nav, 'USD'));
    expect(valueOf(text.stdout, 'Margin used (peak)')).toBe(money(a.marginUsedPeak, 'USD'));
    expect(valueOf(text.stdout, 'Margin used (end)')).toBe(money(a.marginUsedEnd, 'USD'));
    expect(valueOf(text.stdout, 'Closeouts')).toBe('0');
    expect(valueOf(text.stdout, 'Exposure in USD')).toBe(money(a.exposureByCurrency.USD!, 'USD'));
  });

  it('--base-currency EUR measures the account in EUR: the margin of 100,000 EUR at 50:1 is 2,000 EUR at any rate', () => {
    const a = eur.account!;
    expect(eur.run.currency).toBe('EUR');
    expect(a.baseCurrency).toBe('EUR');
    expect(a.nav).toBe(eur.summary.finalEquity);
    // The same trades as the USD account: the base currency changes the measure, not the strategy.
    expect(eur.trades.map((t) => [t.side, t.quantity, t.entryTs, t.exitTs])).toEqual(usd.trades.map((t) => [t.side, t.quantity, t.entryTs, t.exitTs]));
    expect(Math.abs(netPosition(eur))).toBe(100_000);
    expect(cents(a.marginUsedEnd)).toBe(2000);
    expect(cents(a.marginUsedPeak)).toBe(2000);
    // Exposure stays in the quote currency; profit is booked in USD per trade and converted for NAV.
    expect(a.exposureByCurrency).toEqual(usd.account!.exposureByCurrency);
    expect(eur.trades.every((t) => t.currency === 'USD')).toBe(true);
    // 10,000 EUR of cash and a USD loss converted at about 1.38: NAV moves less in EUR than in USD.
    const lossUsd = 10_000 - usd.account!.nav;
    const lossEur = 10_000 - a.nav;
    expect(lossUsd).toBeGreaterThan(0);
    expect(lossEur / lossUsd).toBeGreaterThan(1 / 1.40);
    expect(lossEur / lossUsd).toBeLessThan(1 / 1.37);
  });
});

describe('a config file account block', () => {
  it('closes positions out at its closeout level, visibly in the JSON, the report and trades.csv', async () => {
    const config = join(dir, 'closeout.json');
    // Closeout when NAV falls to 100% of the margin used: 2,900 USD barely covers 100,000 EUR at 50:1.
    writeFileSync(config, JSON.stringify({ account: { type: 'margin', leverage: 50, closeoutLevel: '1' } }));
    const out = join(dir, 'report');
    const run = await runCli(fxRun('--config', config, '--cash', '2900', '--out', out, '--json'));
    const result = json(run);
    const closedOut = result.trades.filter((t) => t.reason === 'closeout');
    expect(closedOut.length).toBeGreaterThan(0);
    expect(result.account!.closeouts).toBe(closedOut.length);
    expect(run.stderr).toMatch(/margin closeout/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Account</h2>');
    expect(html).toContain(`<tr><td>Closeouts</td><td class="figure">${closedOut.length}</td></tr>`);
    expect(html.match(/<td class="l">closeout<\/td><\/tr>/g)).toHaveLength(closedOut.length);
    const csv = readFileSync(join(out, 'trades.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/,currency,reason$/);
    expect(csv.filter((l) => l.endsWith(',USD,closeout'))).toHaveLength(closedOut.length);
  }, 60_000);
});

describe('bad account options are refused by name before anything runs', () => {
  /** One coded line on stderr, nothing on stdout, the given exit code. */
  async function refused(args: string[], exit: number, mentions: RegExp): Promise<void> {
    const run = await runCli(args);
    expect(run.code, run.stderr).toBe(exit);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error CONFIG_INVALID: /);
    expect(lines[0]).toMatch(mentions);
  }

  it('--leverage 0, --account nope, --base-currency eur, and leverage in a cash account', async () => {
    await refused(fxRun('--account', 'margin', '--leverage', '0'), 2, /--leverage must be a number > 0/);
    await refused(fxRun('--account', 'nope'), 2, /--account must be cash or margin, got 'nope'/);
    await refused(fxRun('--base-currency', 'eur'), 2, /--base-currency must be a currency code/);
    await refused(fxRun('--leverage', '50'), 2, /--leverage applies to a margin account: add --account margin/);
  }, 60_000);

  it('a bad field of the config file’s account block names account.<field>', async () => {
    const bad = join(dir, 'bad-account.json');
    writeFileSync(bad, JSON.stringify({ account: { type: 'margin', leverage: 0, closeoutLevel: 2 } }));
    await refused(fxRun('--config', bad), 1, /bad-account\.json: account\.leverage: must be > 0; account\.closeoutLevel: must be ≤ 1/);
    const typo = join(dir, 'typo-account.json');
    writeFileSync(typo, JSON.stringify({ account: { type: 'margin', baseCurency: 'EUR' } }));
    await refused(fxRun('--config', typo), 1, /account: Unrecognized key: "baseCurency" \(did you mean "baseCurrency"\?/);
  }, 60_000);
});

describe('a run without account options', () => {
  const golden = ['--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30', '--param', 'size=1', '--cash', '100000'];
  /** stdout without the timing line (`N events in X s`), which differs run to run. */
  const stable = (run: CliRun): string => run.stdout.replace(/^[\d,]+ events in [\d.]+ s.*$/m, '');

  it('prints the summary it always did, and --account cash changes nothing', async () => {
    const plain = await runCli(['backtest', ...golden]);
    const cash = await runCli(['backtest', ...golden, '--account', 'cash']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(stable(cash)).toBe(stable(plain));
    expect(plain.stdout).not.toMatch(/^(Account|NAV|Margin used|Closeouts|Exposure in)/m);
    // The labels of the summary, in order, as before accounts existed.
    const labels = plain.stdout.split('\n').filter((l) => /^[A-Z][\w ()]*?\s{2,}\S/.test(l)).map((l) => l.split(/\s{2,}/)[0]);
    expect(labels).toEqual([
      'Strategy', 'Instruments', 'Parameters', 'Start', 'End', 'Events', 'Starting cash', 'Final equity', 'Total return',
      'Annualized return (CAGR)', 'Annualized volatility', 'Sharpe ratio', 'Sortino ratio', 'Max drawdown', 'Max drawdown duration',
      'Exposure', 'Fees', 'Trades', 'Win rate', 'Profit factor', 'Average trade', 'Best trade', 'Worst trade',
    ]);
  }, 60_000);

  it('gives --json with no account block and the old trade fields', async () => {
    const out = json(await runCli(['backtest', ...golden, '--json']));
    expect(out).not.toHaveProperty('account');
    expect(Object.keys(out).sort()).toEqual(['canceledByVenue', 'fills', 'marketData', 'rejections', 'run', 'summary', 'trades']);
    expect(Object.keys(out.trades[0]!)).toEqual(['instrumentId', 'side', 'quantity', 'entryTs', 'entryPrice', 'exitTs', 'exitPrice', 'pnl', 'fees', 'returnPct']);
  }, 60_000);
});

describe('pnpm paper takes the same account options', () => {
  it('a paper session in a margin account borrows what a cash account could not, in our books and the simulated venue alike', async () => {
    const fake = await startFakeBinance({ balances: { USDT: '100000' }, marketFillRule: 'next-trade' });
    try {
      const venue = ['--venue-opt', `restUrl=${fake.restUrl}`, '--venue-opt', `wsApiUrl=${fake.wsApiUrl}`, '--venue-opt', `streamUrl=${fake.streamUrl}`];
      const cli = startCli(['paper', '--venue', 'binance', '--symbol', 'BTCUSDT', '--strategy', 'test/e2e/src/fixtures/ping-pong.ts', '--param', 'every=2', '--account', 'margin', '--leverage', '5', '--base-currency', 'USDT', '--cash', '100', '--verbose', ...venue], {
        env: { BINANCE_API_KEY: FAKE_API_KEY, BINANCE_API_SECRET: FAKE_API_SECRET },
      });
      await waitFor('the session to start', () => /session started/.test(cli.output().stderr) || cli.child.exitCode !== null, 30_000);
      expect(cli.output().stderr).toMatch(/paper session started on binance/);
      // 100 USDT: a cash account cannot buy 0.01 BTC (300 USDT); at 5:1 its margin is 60 USDT.
      for (let k = 0; k < 60 && !/filled/.test(cli.output().stderr); k++) {
        fake.trade('BTCUSDT', (30_000 + (k % 7)).toFixed(2), '1');
        await new Promise((r) => setTimeout(r, 25));
      }
      cli.child.kill('SIGINT');
      const run = await cli.exited;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/stopped cleanly/);
      expect(run.stderr).not.toMatch(/INSUFFICIENT_(FUNDS|MARGIN)|MISMATCH|halted/);
      // The buy filled on borrowed cash: 100 − 0.01 × ~30,000 USDT.
      const books = /books: positions BTCUSDT\.BINANCE ([\d.]+); balances USDT total (-[\d.]+)/.exec(run.stderr);
      expect(books, run.stderr).not.toBeNull();
      expect(Number(books![1])).toBe(0.01);
      expect(Number(books![2])).toBeLessThan(-199);
      expect(Number(books![2])).toBeGreaterThan(-201);
      // No order ever reached Binance.
      expect(fake.orders()).toEqual([]);
    } finally {
      await fake.close();
    }
  }, 90_000);

  it('refuses a bad account option before anything connects', async () => {
    const run = await runCli(['paper', '--venue', 'binance', '--symbol', 'BTCUSDT', '--account', 'margin', '--leverage', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^error CONFIG_INVALID: --leverage must be a number > 0/);
  }, 30_000);
});
