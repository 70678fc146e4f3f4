import { z } from 'zod';
import { AutotraderError, Decimal, describeZodIssues, makeInstrument, type Instrument, type Logger, type OrderSnapshot } from '@autotrader/core';
import { InstrumentCache } from '@autotrader/venue-kit';
import type { OkxHttp } from './http';
import { instrumentIdOf, VENUE } from './mapping';

const dec = z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v)), 'must be a numeric string');

/** One instrument of `GET /api/v5/public/instruments` (fixtures http_get_instruments_spot.json, _swap.json). */
export const venueInstrumentSchema = z.looseObject({
  instType: z.string(),
  instId: z.string(),
  baseCcy: z.string().optional(),
  quoteCcy: z.string().optional(),
  settleCcy: z.string().optional(),
  ctVal: z.string().optional(),
  ctMult: z.string().optional(),
  ctValCcy: z.string().optional(),
  tickSz: dec,
  lotSz: dec,
  minSz: dec,
  maxLmtSz: z.string().optional(),
  state: z.string(),
});
export type VenueInstrument = z.output<typeof venueInstrumentSchema>;
export const instrumentsAnswerSchema = z.looseObject({ code: z.literal('0'), data: z.array(venueInstrumentSchema) });

/** The instrument types this plugin knows how to map; only SPOT is loaded now. */
export type InstType = 'SPOT' | 'SWAP';

/** What OKX allows of one instrument, beyond what an Instrument says. */
export interface OkxInstrumentRules {
  readonly instId: string;
  readonly instType: InstType;
  /** `live`, `suspend`, `preopen`, `test`: only `live` takes orders. */
  readonly state: string;
  readonly tradable: boolean;
  /** A contract's size in `ctValCcy` and its multiplier (swaps); undefined for spot. */
  readonly contract?: { readonly value: Decimal; readonly multiplier: Decimal; readonly valueCurrency: string };
  /** The currency profit and margin settle in (swaps); the quote currency for spot. */
  readonly settleCurrency: string;
}

const present = (v: string | undefined): v is string => v !== undefined && v !== '';

/**
 * Per instrument type, how one venue instrument becomes ours: the port and the cache stay the same when a
 * type is added. SWAP is written but not loaded (the execution side trades `tdMode: cash` spot only).
 */
export const INSTRUMENT_MAPPERS: Readonly<Record<InstType, (v: VenueInstrument) => { instrument: Instrument; rules: OkxInstrumentRules } | undefined>> = {
  SPOT: (v) => {
    if (!present(v.baseCcy) || !present(v.quoteCcy)) return undefined;
    const instrument = makeInstrument({
      symbol: v.instId,
      venue: VENUE,
      assetClass: 'spot',
      base: v.baseCcy,
      quote: v.quoteCcy,
      tickSize: new Decimal(v.tickSz).toFixed(),
      lotSize: new Decimal(v.lotSz).toFixed(),
      minQuantity: new Decimal(v.minSz).toFixed(),
      minNotional: '0',
    });
    return { instrument, rules: { instId: v.instId, instType: 'SPOT', state: v.state, tradable: v.state === 'live', settleCurrency: v.quoteCcy } };
  },
  SWAP: (v) => {
    if (!present(v.settleCcy) || !present(v.ctVal) || !present(v.ctValCcy)) return undefined;
    const [base, quote] = v.instId.split('-');
    const multiplier = new Decimal(v.ctVal).times(present(v.ctMult) ? v.ctMult : '1');
    const instrument = makeInstrument({
      symbol: v.instId,
      venue: VENUE,
      assetClass: 'perpetual',
      base: base ?? v.ctValCcy,
      quote: quote ?? v.settleCcy,
      tickSize: new Decimal(v.tickSz).toFixed(),
      lotSize: new Decimal(v.lotSz).toFixed(),
      minQuantity: new Decimal(v.minSz).toFixed(),
      minNotional: '0',
      multiplier: multiplier.toFixed(),
    });
    return {
      instrument,
      rules: {
        instId: v.instId,
        instType: 'SWAP',
        state: v.state,
        tradable: v.state === 'live',
        contract: { value: new Decimal(v.ctVal), multiplier: new Decimal(present(v.ctMult) ? v.ctMult : '1'), valueCurrency: v.ctValCcy },
        settleCurrency: v.settleCcy,
      },
    };
  },
};

/** Parses an instruments answer into instruments and rules, in the venue's order; types without a mapper are skipped. */
export function parseInstruments(json: unknown): { instruments: Instrument[]; rules: Map<string, OkxInstrumentRules> } {
  const parsed = instrumentsAnswerSchema.safeParse(json);
  if (!parsed.success) throw new AutotraderError('VENUE_MESSAGE_MALFORMED', `OKX /api/v5/public/instruments: unexpected shape (${describeZodIssues(parsed.error.issues, undefined, { max: 3 })})`);
  const instruments: Instrument[] = [];
  const rules = new Map<string, OkxInstrumentRules>();
  for (const v of parsed.data.data) {
    const mapper = INSTRUMENT_MAPPERS[v.instType as InstType] as ((v: VenueInstrument) => { instrument: Instrument; rules: OkxInstrumentRules } | undefined) | undefined;
    const r = mapper?.(v);
    if (r === undefined) continue;
    instruments.push(r.instrument);
    rules.set(r.instrument.id, r.rules);
  }
  return { instruments, rules };
}

const refuse = (code: 'VENUE_REJECTED' | 'LOT_SIZE' | 'TICK_SIZE', order: Pick<OrderSnapshot, 'clientOrderId'>, instrument: Instrument, text: string): AutotraderError =>
  new AutotraderError(code, `order ${order.clientOrderId} on ${instrument.id}: ${text}`, { details: { clientOrderId: order.clientOrderId, instrumentId: instrument.id } });

/**
 * Refuses, before anything is sent, what OKX would refuse: an instrument that is not `live`, a size off
 * the lot or below the minimum, a price off the tick.
 */
export function checkOrder(order: Pick<OrderSnapshot, 'clientOrderId' | 'quantity' | 'price'>, instrument: Instrument, rules: OkxInstrumentRules | undefined): void {
  if (rules !== undefined && !rules.tradable) throw refuse('VENUE_REJECTED', order, instrument, `OKX takes no orders on ${rules.instId} now (state ${rules.state})`);
  if (order.quantity.lt(instrument.minQuantity)) throw refuse('LOT_SIZE', order, instrument, `size ${order.quantity.toFixed()} is below the minimum ${instrument.minQuantity.toFixed()}`);
  if (!order.quantity.mod(instrument.lotSize).isZero()) throw refuse('LOT_SIZE', order, instrument, `size ${order.quantity.toFixed()} is not a multiple of the lot ${instrument.lotSize.toFixed()}`);
  if (order.price !== undefined && !order.price.mod(instrument.tickSize).isZero()) throw refuse('TICK_SIZE', order, instrument, `price ${order.price.toFixed()} is not a multiple of the tick ${instrument.tickSize.toFixed()}`);
}

/** The instrument types loaded now. */
export const LOADED_TYPES: readonly InstType[] = ['SPOT'];

/** Loads OKX's spot instruments (public, no key) and keeps them with their rules. */
export class OkxInstruments extends InstrumentCache<OkxInstrumentRules> {
  constructor(http: OkxHttp, logger: Logger) {
    super({
      venueName: 'OKX',
      unknownHint: `check the instrument id (for example ${instrumentIdOf('BTC-USDT')})`,
      logger,
      fetch: async () => {
        const all = { instruments: [] as Instrument[], rules: new Map<string, OkxInstrumentRules>() };
        for (const instType of LOADED_TYPES) {
          const r = parseInstruments(await http.request('GET', '/api/v5/public/instruments', z.unknown(), { query: [['instType', instType]] }));
          all.instruments.push(...r.instruments);
          for (const [k, v] of r.rules) all.rules.set(k, v);
        }
        return all;
      },
    });
  }
}
