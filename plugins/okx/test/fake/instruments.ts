/**
 * Spot instruments: their rules (tick, lot, minimum size) and the object GET /api/v5/public/instruments
 * answers (fields as in fixtures/okx/nautilus_trader/http_get_instruments_spot.json).
 * @module
 */
import { AutotraderError, Decimal } from '@autotrader/core';

/** How a test describes an instrument. */
export interface FakeOkxInstrumentSpec {
  readonly instId: string;
  readonly baseCcy: string;
  readonly quoteCcy: string;
  readonly tickSz: string;
  readonly lotSz: string;
  readonly minSz: string;
  readonly state?: 'live' | 'suspend' | 'preopen';
}

/** BTC-USDT (tick 0.1, lot 0.00000001, min 0.00001: OKX's BTC spot rules in the fixture) and ETH-USDT. */
export const DEFAULT_INSTRUMENTS: readonly FakeOkxInstrumentSpec[] = [
  { instId: 'BTC-USDT', baseCcy: 'BTC', quoteCcy: 'USDT', tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001' },
  { instId: 'ETH-USDT', baseCcy: 'ETH', quoteCcy: 'USDT', tickSz: '0.01', lotSz: '0.000001', minSz: '0.0001' },
];

/** An instrument as the venue keeps it. */
export interface Instrument {
  readonly instId: string;
  readonly baseCcy: string;
  readonly quoteCcy: string;
  readonly tickSz: Decimal;
  readonly lotSz: Decimal;
  readonly minSz: Decimal;
  readonly text: { readonly tickSz: string; readonly lotSz: string; readonly minSz: string };
  state: string;
  readonly listTime: number;
}

function positive(what: string, text: string): Decimal {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || new Decimal(text).lte(0)) throw new AutotraderError('CONFIG_INVALID', `Fake OKX: ${what} must be a positive decimal string, got ${JSON.stringify(text)}.`);
  return new Decimal(text);
}

/** Checks a spec and builds the instrument. */
export function toInstrument(spec: FakeOkxInstrumentSpec, listTime: number): Instrument {
  if (!/^[A-Z0-9]+-[A-Z0-9]+$/.test(spec.instId) || spec.instId !== `${spec.baseCcy}-${spec.quoteCcy}`) {
    throw new AutotraderError('CONFIG_INVALID', `Fake OKX: a spot instId is BASE-QUOTE, got ${spec.instId} for ${spec.baseCcy}/${spec.quoteCcy}.`);
  }
  return {
    instId: spec.instId,
    baseCcy: spec.baseCcy,
    quoteCcy: spec.quoteCcy,
    tickSz: positive('tickSz', spec.tickSz),
    lotSz: positive('lotSz', spec.lotSz),
    minSz: positive('minSz', spec.minSz),
    text: { tickSz: spec.tickSz, lotSz: spec.lotSz, minSz: spec.minSz },
    state: spec.state ?? 'live',
    listTime,
  };
}

/** True when `x` is a whole multiple of `step`. */
export function onGrid(x: Decimal, step: Decimal): boolean {
  return x.mod(step).isZero();
}

/** The instrument object of GET /api/v5/public/instruments?instType=SPOT. */
export function instrumentJson(i: Instrument): Record<string, unknown> {
  return {
    alias: '',
    auctionEndTime: '',
    baseCcy: i.baseCcy,
    category: '1',
    ctMult: '',
    ctType: '',
    ctVal: '',
    ctValCcy: '',
    expTime: '',
    instFamily: '',
    instId: i.instId,
    instType: 'SPOT',
    lever: '',
    listTime: String(i.listTime),
    lotSz: i.text.lotSz,
    maxIcebergSz: '9999999999.0000000000000000',
    maxLmtAmt: '20000000',
    maxLmtSz: '9999999999',
    maxMktAmt: '1000000',
    maxMktSz: '1000000',
    maxStopSz: '1000000',
    maxTriggerSz: '9999999999.0000000000000000',
    maxTwapSz: '9999999999.0000000000000000',
    minSz: i.text.minSz,
    optType: '',
    quoteCcy: i.quoteCcy,
    ruleType: 'normal',
    settleCcy: '',
    state: i.state,
    stk: '',
    tickSz: i.text.tickSz,
    uly: '',
  };
}
