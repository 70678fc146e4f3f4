import { describe, expect, it } from 'vitest';
import type { BarFeed } from '@autotrader/engine';
import { checkCash, checkFees, checkLatency, checkSeed } from './run-options';

const refused = (f: () => void, message: RegExp): void => expect(f).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));

describe('run options', () => {
  it('fees: only --maker-fee may be negative, a real rebate, and no fee is 100% or more', () => {
    expect(() => checkFees({ fee: 0.001, makerFee: -0.0001, takerFee: 0.0005 })).not.toThrow();
    refused(() => checkFees({ fee: -0.5 }), /^--fee -0\.5 is negative/);
    refused(() => checkFees({ takerFee: -0.0001 }), /^--taker-fee -0\.0001 is negative/);
    refused(() => checkFees({ makerFee: -0.02 }), /^--maker-fee -0\.02 is a rebate of 2%/);
    refused(() => checkFees({ fee: 1 }), /^--fee 1 is a fee of 100%/);
  });

  it('cash is a positive amount; a seed is a whole number', () => {
    expect(() => checkCash(100_000)).not.toThrow();
    for (const bad of [0, -1, Number.NaN, Infinity, 1e16]) refused(() => checkCash(bad), /^--cash /);
    refused(() => checkSeed(1.5), /^--seed must be a whole number/);
  });

  it('a latency longer than the data gets a warning line', () => {
    const n = 3;
    const col = (v: number): Float64Array => new Float64Array(n).fill(v);
    const feed: BarFeed = { kind: 'bar', instrumentId: 'X', length: n, intervalMs: 60_000, tsOpen: Float64Array.from([0, 60_000, 120_000]), open: col(1), high: col(1), low: col(1), close: col(1), volume: col(1) };
    expect(checkLatency(60_000, [feed])).toEqual([]);
    expect(checkLatency(120_000, [feed])).toEqual([expect.stringMatching(/^warning: --latency 120000 ms is longer than the data/)]);
  });
});
