import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeHtml } from './escape';
import { computeMetrics, DAY_MS } from './metrics';
import { curveOf, runOf } from './test-helpers';
import type { EquityCurve, FillRecord, RoundTripTrade, RunResult } from './types';
import { writeReport } from './write-report';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'autotrader-report-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An RFC 4180 parser written for the test, independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** CSV rows as objects keyed by the header. */
function records(path: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const T0 = Date.UTC(2024, 2, 1);
const MIN = 60_000;

/** A minute curve of `n` points drifting up with a sine wave, a crash at 60% and a spike at 30%. */
function bigCurve(n: number): EquityCurve {
  const c: EquityCurve = { ts: new Float64Array(n), equity: new Float64Array(n), exposure: new Float64Array(n), length: n };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * MIN;
    c.equity[i] = 10_000 + i * 0.01 + 500 * Math.sin(i / 5000) + (i === Math.floor(n * 0.3) ? 3000 : 0) - (i > n * 0.6 && i < n * 0.62 ? 2500 : 0);
    c.exposure[i] = (i >> 10) % 2;
  }
  return c;
}

const trades: RoundTripTrade[] = [
  { instrumentId: 'BTC,USD "spot"', side: 'long', quantity: 0.5, entryTs: T0 + 10 * MIN, entryPrice: 42000.5, exitTs: T0 + 50 * MIN, exitPrice: 43000.25, pnl: 499.875, fees: 0.1, returnPct: 0.02380357 },
  { instrumentId: 'ETHUSDT.BINANCE', side: 'short', quantity: 3, entryTs: T0 + 60 * MIN, entryPrice: 2500, exitTs: T0 + 90 * MIN, exitPrice: 2600, pnl: -300.3, fees: 0.3, returnPct: -0.04 },
];
const fills: FillRecord[] = [
  { ts: T0 + 10 * MIN, clientOrderId: 'O-1', tradeId: 'T-1', instrumentId: 'BTCUSDT.BINANCE', side: 'buy', price: '42000.50000000', quantity: '0.50000000', fee: '0.00050000', feeCurrency: 'BNB', liquidity: 'taker' },
  { ts: T0 + 50 * MIN, clientOrderId: 'O-2', tradeId: 'T-2', instrumentId: 'BTCUSDT.BINANCE', side: 'sell', price: '43000.25', quantity: '0.5', fee: '0.1', feeCurrency: 'USDT', liquidity: 'maker' },
];

describe('writeReport', () => {
  const n = 250_000;
  const result: RunResult = runOf(bigCurve(n), { trades, fills, strategy: 'sma-cross', params: { fast: 10 } });
  const dir = join(tempDir(), 'nested', 'out');
  const { files } = writeReport(dir, result, computeMetrics(result));

  it('writes the four files into a created directory', () => {
    expect(files).toEqual(['trades.csv', 'fills.csv', 'equity.csv', 'report.html'].map((f) => join(dir, f)));
  });

  it('writes every round trip, quoting fields that need it', () => {
    const rows = records(files[0]);
    expect(rows).toHaveLength(2);
    expect(rows[0].instrumentId).toBe('BTC,USD "spot"');
    expect(Number(rows[0].quantity)).toBe(0.5);
    expect(Number(rows[0].entryTs)).toBe(T0 + 10 * MIN);
    expect(rows[0].entryTime).toBe(new Date(T0 + 10 * MIN).toISOString());
    expect(Number(rows[0].entryPrice)).toBe(42000.5);
    expect(Number(rows[0].pnl)).toBe(499.875);
    expect(Number(rows[0].returnPct)).toBe(0.02380357);
    expect(rows[1].side).toBe('short');
    expect(Number(rows[1].pnl)).toBe(-300.3);
  });

  it('writes fills with their exact decimal strings', () => {
    const rows = records(files[1]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      ts: String(T0 + 10 * MIN), time: new Date(T0 + 10 * MIN).toISOString(), clientOrderId: 'O-1', tradeId: 'T-1',
      instrumentId: 'BTCUSDT.BINANCE', side: 'buy', price: '42000.50000000', quantity: '0.50000000', fee: '0.00050000',
      feeCurrency: 'BNB', liquidity: 'taker',
    });
  });

  it('downsamples equity.csv to at most 100k rows, the last point of each bucket', () => {
    const rows = records(files[2]);
    // 250,000 points in buckets of 3 → 83,334 rows; row k is point 3k + 2, the last row the final point.
    expect(rows).toHaveLength(Math.ceil(n / 3));
    for (const k of [0, 1, 5000, rows.length - 2]) {
      const i = 3 * k + 2;
      expect(Number(rows[k].ts)).toBe(result.equity.ts[i]);
      expect(Number(rows[k].equity)).toBe(result.equity.equity[i]);
      expect(Number(rows[k].exposure)).toBe(result.equity.exposure[i]);
    }
    expect(Number(rows[rows.length - 1].equity)).toBe(result.equity.equity[n - 1]);
  });

  it('computes the drawdown column on the full curve', () => {
    const r = runOf(curveOf([100, 120, 90, 100, 130].map((e, i) => ({ ts: T0 + i * MIN, equity: e }))), { startingCash: 100 });
    const out = tempDir();
    writeReport(out, r, computeMetrics(r), { maxEquityRows: 2 });
    const rows = records(join(out, 'equity.csv'));
    // Buckets of 3 points: keeps index 2 (90, peak 120 → 25%) and index 4 (130, at a peak → 0).
    expect(rows.map((x) => Number(x.equity))).toEqual([90, 130]);
    expect(Number(rows[0].drawdown)).toBeCloseTo(0.25, 15);
    expect(Number(rows[1].drawdown)).toBe(0);
  });

  describe('report.html', () => {
    const html = readFileSync(files[3], 'utf8');

    it('holds the summary, both charts with their paths, markers and the trade table', () => {
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<td>Sharpe ratio</td>');
      const equityPath = /<path id="equity-path" class="line" d="(M[^"]+)"/.exec(html);
      const ddPath = /<path id="drawdown-path" class="line" d="(M[^"]+)"/.exec(html);
      expect(equityPath).not.toBeNull();
      expect(ddPath).not.toBeNull();
      // Downsampled to about 2,000 points from 250,000.
      const points = equityPath![1].split(/[ML]/).filter((p) => p !== '');
      expect(points.length).toBeGreaterThan(1000);
      expect(points.length).toBeLessThanOrEqual(2000);
      for (const p of points) expect(p).toMatch(/^-?\d+(\.\d)?,-?\d+(\.\d)?$/);
      expect(html).toMatch(/<path class="marker buy" d="M[^"]+"><title>buy 0\.50000000 BTCUSDT\.BINANCE @ 42000\.50000000/);
      expect(html).toMatch(/<path class="marker sell" d="M[^"]+"><title>sell 0\.5 BTCUSDT\.BINANCE @ 43000\.25/);
      expect(html).toContain('<td class="l">BTC,USD &quot;spot&quot;</td>');
      expect(html.match(/<tr><td>\d+<\/td>/g)).toHaveLength(2);
    });

    it('keeps the spike in the equity chart (min/max per bucket)', () => {
      // The y axis must reach the spike of +3000: without it the curve tops out near 13,000, with it near 14,075.
      const labels = [...html.matchAll(/text-anchor="end" dominant-baseline="middle">([\d,]+)</g)].map((m) => Number(m[1].replace(/,/g, '')));
      expect(Math.max(...labels)).toBeGreaterThanOrEqual(14_000);
    });

    it('references nothing outside the file', () => {
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    });
  });

  it('escapes a nasty strategy name, instrument and parameters everywhere', () => {
    const nasty = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'q'`;
    const r = runOf(curveOf([{ ts: T0, equity: 100 }, { ts: T0 + DAY_MS, equity: 101 }]), {
      strategy: nasty,
      instruments: [`</title><b>x`],
      params: { [`<k>`]: `"><svg onload=alert(2)>` },
      trades: [{ ...trades[0], instrumentId: '<td>evil</td>' }],
      fills: [{ ...fills[0], instrumentId: '<i>evil</i>', price: '1"><script>' }],
    });
    const out = tempDir();
    writeReport(out, r, computeMetrics(r));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('<b>x');
    expect(html).not.toContain('<td>evil');
    expect(html).not.toContain('<i>evil');
    expect(html).toContain(escapeHtml(nasty));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&#39;q&#39;');
    expect(html).toContain('&lt;td&gt;evil&lt;/td&gt;');
  });

  it('lists at most maxTradeRows trades and says so', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...trades[1], entryTs: T0 + i * MIN, exitTs: T0 + (i + 1) * MIN }));
    const r = runOf(curveOf([{ ts: T0, equity: 100 }, { ts: T0 + 40 * MIN, equity: 90 }]), { trades: many });
    const out = tempDir();
    writeReport(out, r, computeMetrics(r), { maxTradeRows: 10 });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<tr><td>\d+<\/td>/g)).toHaveLength(10);
    expect(html).toContain('Showing the first 10 of 30 trades');
    // Without fills, markers come from the round trips: a short enters with a sell and exits with a buy.
    expect(html).toContain('class="marker sell"');
    expect(html).toContain('class="marker buy"');
    expect(records(join(out, 'trades.csv'))).toHaveLength(30);
  });

  it('writes a report for an empty run', () => {
    const r = runOf(curveOf([]), { startingCash: 1000, finalEquity: 1000 });
    const out = tempDir();
    const { files: written } = writeReport(out, r, computeMetrics(r));
    expect(records(written[2])).toEqual([]);
    const html = readFileSync(written[3], 'utf8');
    expect(html).toContain('no data');
    expect(html).toContain('No round-trip trades.');
  });

  it('fails with a coded error when the directory cannot be written', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = runOf(curveOf([{ ts: T0, equity: 1 }]));
    expect(() => writeReport(join(file, 'sub'), r, computeMetrics(r))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
