import { describe, expect, it } from 'vitest';
import { checkSettings, findUnknownKeys } from '@autotrader/core';
import { riskConfigSchema } from '@autotrader/engine';
import { configFileSchema, readConfigFile } from '../../../packages/cli/src/config-file';
import { scratch } from './tmp';

/** The smallest cases of bugs the fuzz properties found, kept as plain tests so they stay fixed. */

const tmp = scratch('regressions');

describe('checkSettings with keys that name Object.prototype members', () => {
  it('a config file with "__proto__" or "constructor" keys is CONFIG_INVALID naming them, not a TypeError (INTERNAL)', () => {
    // JSON.parse makes "__proto__" an own key; the walk over the schema's shape looked it up as a member of the shape object.
    const raw = JSON.parse('{"__proto__": "0", "constructor": 1, "risk": {"toString": 2}}') as unknown;
    expect(findUnknownKeys(configFileSchema, raw).map((u) => u.keys)).toEqual([['__proto__', 'constructor'], ['toString']]);
    const r = checkSettings(configFileSchema, raw);
    expect(r.success).toBe(false);
    const path = tmp.file('proto.json', '{"__proto__": {"risk": 1}, "risk": {"constructor": {}}}');
    expect(() => readConfigFile(path)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/Unrecognized key: "__proto__"/) }));
    expect(checkSettings(riskConfigSchema, { hasOwnProperty: 1 }).success).toBe(false);
  });
});

describe('config file with a byte-order mark', () => {
  it('is read as the JSON after the mark', () => {
    const path = tmp.file('bom.json', '\uFEFF{"unknownOrders": "cancel"}');
    expect(readConfigFile(path)).toEqual({ unknownOrders: 'cancel' });
  });
});

describe('Arrow file whose footer points at no record batch', () => {
  it('is DATA_CORRUPT, not a plain Error from Arrow (INTERNAL)', async () => {
    const { readFileSync } = await import('node:fs');
    const { readSeries } = await import('@autotrader/data');
    const bytes = new Uint8Array(readFileSync(new URL('../../../data/orcl-1995-2014.arrow', import.meta.url)));
    // The seed-470223286 case of the long run: one bit of the schema message's length at byte 8.
    bytes[8] ^= 1;
    const path = tmp.file('flipped.arrow', bytes);
    expect(() => readSeries(path)).toThrow(expect.objectContaining({ code: 'DATA_CORRUPT', message: expect.stringMatching(/record batch cannot be read/) }));
  });
});

describe('Binance user data numbers that Number() reads and Decimal does not', () => {
  it('are refused by the frame schemas (VENUE_MESSAGE_MALFORMED), instead of throwing in the handler', async () => {
    const { accountPositionSchema, balanceUpdateSchema, executionReportSchema } = await import('@autotrader/plugin-binance');
    // The long run's case: outboundAccountPosition with f "0x10" threw a RangeError in money(), and the socket logged "message handler threw".
    for (const text of ['0x10', ' 1', '0b11', '\t5']) {
      expect(accountPositionSchema.safeParse({ e: 'outboundAccountPosition', E: 1, B: [{ a: 'ETH', f: text, l: '0' }] }).success, text).toBe(false);
      expect(balanceUpdateSchema.safeParse({ e: 'balanceUpdate', E: 1, a: 'BTC', d: text }).success, text).toBe(false);
    }
    const report = { e: 'executionReport', E: 1, s: 'ETHBTC', c: 'x', S: 'BUY', o: 'LIMIT', q: '1', p: '0.1', x: 'TRADE', X: 'FILLED', i: 1, l: '1', z: '1', L: '0.1', T: 1, t: 1, m: false };
    expect(executionReportSchema.safeParse(report).success).toBe(true);
    expect(executionReportSchema.safeParse({ ...report, L: '0x10' }).success).toBe(false);
  });

  it('a TRADE report with a zero or negative last price or quantity is no fill: the port reports it as malformed', async () => {
    const { executionReportSchema, fillOfExecutionReport, fillProblem } = await import('@autotrader/plugin-binance');
    const report = executionReportSchema.parse({ e: 'executionReport', E: 1, s: 'ETHBTC', c: 'x', S: 'BUY', o: 'LIMIT', q: '1', p: '0.1', x: 'TRADE', X: 'FILLED', i: 1, l: '1', z: '1', L: '0.1', T: 1, t: 1, m: false });
    expect(fillOfExecutionReport(report, 'x', () => 'ETH', 1)?.price.toString()).toBe('0.1');
    expect(fillOfExecutionReport({ ...report, L: '-0.5' }, 'x', () => 'ETH', 1)).toBeUndefined();
    expect(fillProblem({ ...report, L: '-0.5' })).toBe('last fill price L -0.5 is not above zero');
    expect(fillProblem({ ...report, l: '0' })).toBe('last fill quantity l 0 is not above zero');
    expect(fillProblem({ ...report, S: 'HOLD' })).toBe('unknown side HOLD');
  });
});

describe('Arrow file whose batch message holds a length too large for a number', () => {
  it('is DATA_CORRUPT, not a TypeError from apache-arrow (INTERNAL)', async () => {
    const { readFileSync } = await import('node:fs');
    const { readSeries } = await import('@autotrader/data');
    const bytes = new Uint8Array(readFileSync(new URL('../../../data/xrpeth-trades.arrow', import.meta.url)));
    // A long-mode case: one bit at byte 231 made a length of 72057594038239864 ("not safe to convert to a number").
    bytes[231] ^= 1;
    const path = tmp.file('flipped-length.arrow', bytes);
    expect(() => readSeries(path)).toThrow(expect.objectContaining({ code: 'DATA_CORRUPT' }));
  });
});
