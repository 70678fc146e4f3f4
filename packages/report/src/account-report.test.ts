import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSummary, tradeCurrenciesOf } from './format';
import { renderReportHtml } from './html';
import { summaryToJson } from './json';
import { computeMetrics, DAY_MS } from './metrics';
import { curveOf, runOf } from './test-helpers';
import type { AccountFigures, RoundTripTrade } from './types';
import { TRADES_CSV_HEADER, writeReport } from './write-report';

/**
 * The account figures of a margin or multi-currency run (NAV, margin used, closeouts, exposure per
 * currency) in the text summary, the JSON, the HTML report and trades.csv; and a run without them
 * printing exactly what it printed before accounts existed.
 */

const T0 = Date.UTC(2014, 4, 1);
const curve = curveOf([
  { ts: T0, equity: 10_000 },
  { ts: T0 + DAY_MS, equity: 10_250.5 },
  { ts: T0 + 2 * DAY_MS, equity: 9_800 },
]);
const trades: RoundTripTrade[] = [
  { instrumentId: 'EURUSD.OANDA', side: 'long', quantity: 100_000, entryTs: T0, entryPrice: 1.3871, exitTs: T0 + DAY_MS, exitPrice: 1.3896, pnl: 250, fees: 0, returnPct: 0.0018, currency: 'USD' },
  { instrumentId: 'EURUSD.OANDA', side: 'short', quantity: 100_000, entryTs: T0 + DAY_MS, entryPrice: 1.3896, exitTs: T0 + 2 * DAY_MS, exitPrice: 1.3941, pnl: -450, fees: 0, returnPct: -0.0032, currency: 'USD', reason: 'closeout' },
];
const account: AccountFigures = {
  type: 'margin',
  baseCurrency: 'EUR',
  nav: 7065.31,
  marginUsedPeak: 2001.234,
  marginUsedEnd: 0,
  closeouts: 1,
  exposureByCurrency: { USD: 139_410, JPY: 0.5 },
};
const plain = runOf(curve, { currency: 'EUR', instruments: ['EURUSD.OANDA'], trades: trades.map(({ currency: _c, reason: _r, ...t }) => t) });
const margin = runOf(curve, { currency: 'EUR', instruments: ['EURUSD.OANDA'], trades, account });

/** The value printed on the line that starts with `label`. */
function valueOf(text: string, label: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(label + ' '));
  return line?.slice(label.length).trim();
}

describe('text summary', () => {
  const meta = { strategy: 'sma-cross', currency: 'EUR', instruments: ['EURUSD.OANDA'] };
  const before = formatSummary(computeMetrics(plain), meta);
  const after = formatSummary(computeMetrics(margin), { ...meta, account });

  it('adds NAV, margin used at its peak and at the end, closeouts and exposure per currency', () => {
    expect(valueOf(after, 'Account')).toBe('margin, base currency EUR');
    expect(valueOf(after, 'NAV')).toBe('7,065.31 EUR');
    expect(valueOf(after, 'Margin used (peak)')).toBe('2,001.23 EUR');
    expect(valueOf(after, 'Margin used (end)')).toBe('0.00 EUR');
    expect(valueOf(after, 'Closeouts')).toBe('1');
    // Each currency in its own currency, in code order.
    expect(valueOf(after, 'Exposure in USD')).toBe('139,410.00 USD');
    expect(after.indexOf('Exposure in JPY')).toBeLessThan(after.indexOf('Exposure in USD'));
  });

  it('keeps one right edge for every figure, the account rows included', () => {
    const edges = new Set(after.split('\n').filter((l) => /^(NAV|Closeouts|Final equity|Trades) /.test(l)).map((l) => l.length));
    expect(edges.size).toBe(1);
  });

  it('names the currency of trade figures and fees when it is not the base currency, and gives no sum across currencies', () => {
    const inUsd = formatSummary(computeMetrics(margin), { ...meta, account, tradeCurrencies: tradeCurrenciesOf(margin) });
    expect(valueOf(inUsd, 'Average trade')).toBe('-100.00 USD');
    expect(valueOf(inUsd, 'Best trade')).toBe('250.00 USD');
    expect(valueOf(inUsd, 'Fees')).toBe('0.00 USD');
    expect(valueOf(inUsd, 'Final equity')).toBe('9,800.00 EUR');
    const mixed = runOf(curve, { currency: 'EUR', trades: [trades[0]!, { ...trades[1]!, currency: 'JPY' }], account });
    expect(tradeCurrenciesOf(mixed)).toEqual(['JPY', 'USD']);
    expect(valueOf(formatSummary(computeMetrics(mixed), { ...meta, tradeCurrencies: tradeCurrenciesOf(mixed) }), 'Average trade')).toBe('n/a (in JPY, USD)');
    expect(tradeCurrenciesOf(runOf(curve, { currency: 'USD', trades }))).toBeUndefined();
    expect(tradeCurrenciesOf(plain)).toBeUndefined();
  });

  it('is the old table, line for line, for a run without account figures', () => {
    expect(valueOf(before, 'NAV')).toBeUndefined();
    expect(before).not.toMatch(/Margin used|Closeouts|Exposure in/);
    // The account rows come after the old ones and change nothing above them but the column width.
    const labels = (text: string): string[] => text.split('\n').map((l) => l.split(/\s{2,}/)[0]!);
    expect(labels(after).slice(0, labels(before).length - 2)).toEqual(labels(before).slice(0, -2));
  });
});

describe('JSON', () => {
  it('has an account block and the pnl currency and the venue’s reason on trades', () => {
    const json = summaryToJson(computeMetrics(margin), margin);
    expect(json.account).toEqual({ type: 'margin', baseCurrency: 'EUR', nav: 7065.31, marginUsedPeak: 2001.234, marginUsedEnd: 0, closeouts: 1, exposureByCurrency: { JPY: 0.5, USD: 139_410 } });
    expect(json.trades[0]).toMatchObject({ currency: 'USD' });
    expect(json.trades[0]).not.toHaveProperty('reason');
    expect(json.trades[1]).toMatchObject({ currency: 'USD', reason: 'closeout' });
  });

  it('has neither for a run without account figures', () => {
    const json = summaryToJson(computeMetrics(plain), plain);
    expect(json).not.toHaveProperty('account');
    expect(Object.keys(json.trades[0]!)).toEqual(['instrumentId', 'side', 'quantity', 'entryTs', 'entryPrice', 'exitTs', 'exitPrice', 'pnl', 'fees', 'returnPct']);
  });

  it('turns a non-finite account figure into null', () => {
    const bad = runOf(curve, { trades, account: { ...account, nav: NaN, exposureByCurrency: { USD: Infinity } } });
    const json = summaryToJson(computeMetrics(bad), bad);
    expect(json.account?.nav).toBeNull();
    expect(json.account?.exposureByCurrency).toEqual({ USD: null });
  });
});

describe('HTML report', () => {
  const html = renderReportHtml(margin, computeMetrics(margin));
  const before = renderReportHtml(plain, computeMetrics(plain));

  it('shows an account section with the same figures as the text summary', () => {
    const section = /<h2>Account<\/h2>\n<table class="summary account">([\s\S]*?)<\/table>/.exec(html)?.[1];
    expect(section).toBeDefined();
    expect(section).toContain('<tr><td>NAV</td><td class="figure">7,065.31 EUR</td></tr>');
    expect(section).toContain('<tr><td>Margin used (peak)</td><td class="figure">2,001.23 EUR</td></tr>');
    expect(section).toContain('<tr><td>Closeouts</td><td class="figure">1</td></tr>');
    expect(section).toContain('<tr><td>Exposure in USD</td><td class="figure">139,410.00 USD</td></tr>');
    expect(html).toContain('<tr><td>Average trade</td><td class="figure">-100.00 USD</td></tr>');
  });

  it('gives a closed-out trade its reason in the trade list, and its pnl currency', () => {
    expect(html).toContain('<th class="l">Reason</th>');
    const rows = [...html.matchAll(/<tr><td>(\d+)<\/td>.*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/<td class="pos">250\.00 USD<\/td>.*<td class="l"><\/td><\/tr>$/);
    expect(rows[1]).toMatch(/<td class="neg">-450\.00 USD<\/td>.*<td class="l">closeout<\/td><\/tr>$/);
  });

  it('shows the reason of an expiry in a run without account figures too', () => {
    const expiry = runOf(curve, { trades: [{ ...trades[0]!, reason: 'expiry' }] });
    expect(renderReportHtml(expiry, computeMetrics(expiry))).toMatch(/<td class="l">expiry<\/td><\/tr>/);
  });

  it('has no account section and no reason column for a run without them', () => {
    expect(before).not.toContain('<h2>Account</h2>');
    expect(before).not.toContain('Reason');
    expect(before).toContain('<td class="pos">250.00</td>');
  });
});

describe('trades.csv', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tradesCsv = (run: typeof margin): string[] => {
    const dir = mkdtempSync(join(tmpdir(), 'autotrader-account-report-'));
    dirs.push(dir);
    writeReport(dir, run, computeMetrics(run));
    return readFileSync(join(dir, 'trades.csv'), 'utf8').trim().split('\n');
  };

  it('adds the currency and reason columns for a margin run', () => {
    const lines = tradesCsv(margin);
    expect(lines[0]).toBe([...TRADES_CSV_HEADER, 'currency', 'reason'].join(','));
    expect(lines[1]).toMatch(/,USD,$/);
    expect(lines[2]).toMatch(/,USD,closeout$/);
  });

  it('keeps the old columns for a run without account figures', () => {
    const lines = tradesCsv(plain);
    expect(lines[0]).toBe(TRADES_CSV_HEADER.join(','));
    expect(lines[1]!.split(',')).toHaveLength(TRADES_CSV_HEADER.length);
  });
});
