import { describe, expect, it } from 'vitest';
import { formatDuration, formatFixed, formatMoney, formatParams, formatPercent, formatSummary, formatTime } from './format';
import type { Summary } from './types';

const summary: Summary = {
  trades: 42, startingCash: 10_000, finalEquity: 11_234.567, totalReturn: 0.1234567, annualizedReturn: 0.0512,
  annualizedVolatility: 0.2, sharpe: 1.23456, sortino: null, maxDrawdown: 0.087654, maxDrawdownDuration: 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000,
  fees: 12.3456, exposure: 0.5, winRate: 0.55, profitFactor: 1.8, grossProfit: 2000, grossLoss: 1111, averageTrade: 29.39,
  bestTrade: 500, worstTrade: -250.006, dailyReturns: 400, periodsPerYear: 365.25,
  start: Date.UTC(2024, 0, 1), end: Date.UTC(2025, 1, 2, 3, 4, 5), bars: 1_234_567,
};
const meta = { strategy: 'sma-cross', currency: 'USDT', instruments: ['BTCUSDT.BINANCE'], params: { fast: 10, slow: 30, mode: 'ema' } };

/** The value printed on the line that starts with `label`. */
function valueOf(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.startsWith(label + ' '));
  if (line === undefined) throw new Error(`no line ${label}`);
  return line.slice(label.length).trim();
}

describe('formatSummary', () => {
  const text = formatSummary(summary, meta);

  it('prints percentages and money with 2 decimals, ISO dates and n/a for missing values', () => {
    expect(valueOf(text, 'Total return')).toBe('12.35%');
    expect(valueOf(text, 'Max drawdown')).toBe('8.77%');
    expect(valueOf(text, 'Final equity')).toBe('11,234.57 USDT');
    expect(valueOf(text, 'Fees')).toBe('12.35 USDT');
    expect(valueOf(text, 'Worst trade')).toBe('-250.01 USDT');
    expect(valueOf(text, 'Sharpe ratio')).toBe('1.23');
    expect(valueOf(text, 'Sortino ratio')).toBe('n/a');
    expect(valueOf(text, 'Start')).toBe('2024-01-01T00:00:00.000Z');
    expect(valueOf(text, 'End')).toBe('2025-02-02T03:04:05.000Z');
    expect(valueOf(text, 'Events')).toBe('1,234,567');
    expect(valueOf(text, 'Max drawdown duration')).toBe('3d 4h 5m');
    expect(valueOf(text, 'Parameters')).toBe('fast=10, slow=30, mode=ema');
  });

  it('aligns every figure to the same right edge', () => {
    const figureLines = text.split('\n').filter((l) => /^(Total return|Final equity|Sharpe ratio|Sortino ratio|Trades|Start|Fees) /.test(l));
    expect(figureLines).toHaveLength(7);
    expect(new Set(figureLines.map((l) => l.length)).size).toBe(1);
  });

  it('keeps one row per line when a name holds newlines', () => {
    const plain = formatSummary(summary, { ...meta, strategy: 'a' }).split('\n').length;
    const nasty = formatSummary(summary, { ...meta, strategy: 'a\nFake row  1\r\n' }).split('\n').length;
    expect(nasty).toBe(plain);
  });

  it('shows inf for a profit factor with wins and no losses', () => {
    const t = formatSummary({ ...summary, profitFactor: null, grossLoss: 0 }, meta);
    expect(valueOf(t, 'Profit factor')).toBe('inf');
  });
});

describe('number formatting', () => {
  it('never prints negative zero', () => {
    expect(formatFixed(-0.001)).toBe('0.00');
    expect(formatPercent(-0.00001)).toBe('0.00%');
  });
  it('groups thousands and handles missing values', () => {
    expect(formatMoney(-1234567.891, 'EUR')).toBe('-1,234,567.89 EUR');
    expect(formatMoney(NaN, 'EUR')).toBe('n/a');
    expect(formatPercent(null)).toBe('n/a');
    expect(formatTime(NaN)).toBe('n/a');
  });
  it('prints durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(3_600_000 + 1000)).toBe('1h 1s');
    expect(formatDuration(2 * 86_400_000 + 30_000)).toBe('2d');
  });
  it('prints parameters of any kind without throwing', () => {
    const cyclic: Record<string, unknown> = { n: 1n, list: [1, NaN], f: () => 1 };
    cyclic.self = cyclic;
    expect(formatParams(cyclic)).toBe('n=1, list=[1,null], self=[Circular]');
  });
});
