import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'autotrader-cli-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** A bad-input run ends with exit 1, one line on stderr naming the code, nothing on stdout, no stack trace. */
async function expectCodedFailure(args: string[], code: string, mentions: RegExp): Promise<void> {
  const run = await runCli(args);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^error ${code}: `));
  expect(lines[0]).toMatch(mentions);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('backtest: bad input gets a coded one-line error and a non-zero exit', () => {
  it('a missing data file', async () => {
    await expectCodedFailure(['backtest', '--data', join(dir, 'nope.arrow')], 'DATA_NOT_FOUND', /nope\.arrow/);
  });

  it('a corrupt data file', async () => {
    await expectCodedFailure(['backtest', '--data', file('corrupt.arrow', 'this is not arrow at all')], 'DATA_CORRUPT', /corrupt\.arrow/);
  });

  it('a CSV row that does not parse names its line', async () => {
    const csv = file('bad.csv', 'timestamp,open,high,low,close,volume\n2022-01-01 00:00:00,1,2,0.5,1.5,10\n2022-01-01 00:01:00,1,2,0.5,oops,10\n');
    await expectCodedFailure(['backtest', '--data', csv], 'DATA_PARSE', /line 3/);
  });

  it('data that is not sorted in time', async () => {
    const csv = file('unsorted.csv', 'timestamp,open,high,low,close,volume\n2022-01-01 00:02:00,1,2,0.5,1.5,10\n2022-01-01 00:01:00,1,2,0.5,1.5,10\n');
    await expectCodedFailure(['backtest', '--data', csv], 'DATA_UNSORTED', /line 3/);
  });

  it('an unknown strategy', async () => {
    await expectCodedFailure(['backtest', '--strategy', 'no-such-strategy'], 'STRATEGY_NOT_FOUND', /no-such-strategy/);
  });

  it('an invalid parameter names the field', async () => {
    await expectCodedFailure(['backtest', '--param', 'fast=abc'], 'PARAM_INVALID', /fast/);
    await expectCodedFailure(['backtest', '--param', 'fast=40', '--param', 'slow=30'], 'PARAM_INVALID', /fast must be shorter than slow/);
  });

  it('--from after --to', async () => {
    await expectCodedFailure(['backtest', '--from', '2022-01-20', '--to', '2022-01-10'], 'RANGE_INVALID', /--from/);
  });

  it('a config file with a bad field names the file and the field', async () => {
    const config = file('autotrader.json', JSON.stringify({ risk: { maxOrderNotional: -5, maxOpenOrder: 3 } }));
    await expectCodedFailure(['backtest', '--config', config], 'CONFIG_INVALID', /autotrader\.json: risk\.maxOrderNotional: must be a decimal number greater than zero, such as 5 or 0\.25; risk: Unrecognized key: "maxOpenOrder"/);
    await expectCodedFailure(['backtest', '--config', join(dir, 'missing.json')], 'CONFIG_INVALID', /missing\.json: file not found/);
    await expectCodedFailure(['backtest', '--risk', 'priceBandPct=abc'], 'CONFIG_INVALID', /priceBandPct/);
  });

  it('shows the stack trace with --verbose', async () => {
    const run = await runCli(['backtest', '--strategy', 'no-such-strategy', '--verbose']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error STRATEGY_NOT_FOUND/);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('a strategy that throws stops the run at that event, naming the strategy and the time', async () => {
    // Inside the repo, so the file resolves the workspace packages it imports.
    const local = join(ROOT, 'test/e2e/.tmp');
    mkdirSync(local, { recursive: true });
    const strategy = join(local, 'throws.ts');
    writeFileSync(
      strategy,
      [
        "import { z } from 'zod';",
        "import { defineStrategy } from '@autotrader/core';",
        'let n = 0;',
        "export default defineStrategy({ name: 'thrower', params: z.object({}), create(ctx) {",
        "  ctx.bars().subscribe(() => { if (++n === 100) throw new Error('boom at bar 100'); });",
        '} });',
      ].join('\n'),
    );
    const run = await runCli(['backtest', '--strategy', strategy]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error STRATEGY_ERROR: strategy:thrower threw on 'bar': boom at bar 100 \(event #100 at 2022-01-01T00:41:00.000Z\)/);
  });
});
