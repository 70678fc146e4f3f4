import { accountConfigSchema, Decimal, decimalText, instrumentSpecSchema } from '@autotrader/core';
import { z } from 'zod';

const nonNegativeDecimal = decimalText.refine((v) => new Decimal(v).gte(0), 'must be ≥ 0');

const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop', 'market_if_touched'] as const;
const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTD', 'DAY'] as const;

/** Fee schedule (README: Fees). Rates are fractions of notional (0.001 = 10 bp); a negative maker rate is a rebate. */
const feesSchema = z
  .object({
    maker: decimalText.default('0'),
    taker: decimalText.default('0'),
    /** A fixed amount per unit of quantity (per contract), added to the rate fee. */
    perContract: nonNegativeDecimal.default('0'),
    /** `quote`: every fee in the quote currency. `received` (Binance): a spot buy pays in the base asset it receives, a sell in the quote asset. */
    currency: z.enum(['quote', 'received']).default('quote'),
    /** Decimal places a `received`-mode fee is rounded to, half-even (Binance's commission precision is 8). */
    precision: z.number().int().min(0).max(30).default(8),
  })
  .strict()
  .prefault({});

/**
 * Slippage models. `ticks` moves market and stop fills that many ticks against the order.
 * `volumeShare` is zipline's model: at most `limit` × the event's volume fills per event, and a taker
 * fill moves by price × `impact` × share² against the order.
 */
const slippageSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }).strict(),
    z.object({ kind: z.literal('ticks'), ticks: z.number().int().min(0).default(1) }).strict(),
    z
      .object({
        kind: z.literal('volumeShare'),
        limit: z.number().gt(0).max(1).default(0.025),
        impact: z.number().min(0).default(0.1),
      })
      .strict(),
  ])
  .default({ kind: 'none' });

/** Delays on the simulated clock between a request and the venue acting on it, plus seeded random jitter. */
const latencySchema = z
  .object({
    submitMs: z.number().int().min(0).default(0),
    cancelMs: z.number().int().min(0).default(0),
    modifyMs: z.number().int().min(0).default(0),
    /** Up to this many milliseconds are added to each delay, drawn from the seeded PRNG. */
    jitterMs: z.number().int().min(0).default(0),
  })
  .strict()
  .prefault({});

/** Random faults, drawn from the seeded PRNG (deterministic faults are on `venue.faults`). */
const randomFaultsSchema = z
  .object({
    /** Probability that an arriving order is rejected with VENUE_REJECTED. */
    rejectProbability: z.number().min(0).max(1).default(0),
    /** Probability that an accepted order's `accepted` report is not sent. */
    dropAckProbability: z.number().min(0).max(1).default(0),
  })
  .strict()
  .prefault({});

/** An instrument the plugin lists; `venue` defaults to the config's venue. */
const configInstrumentSchema = instrumentSpecSchema
  .omit({ venue: true })
  .extend({ venue: z.string().min(1).optional() })
  .strict();

/**
 * The paper venue's configuration. Every field has a default: `paperVenueConfigSchema.parse({})` is a
 * valid venue. Strict at every level: an unknown (misspelled) option is an error, never ignored.
 */
export const paperVenueConfigSchema = z.object({
  /** The venue name: order ids are `${venue}-O${n}`, trade ids `${venue}-T${n}`. */
  venue: z.string().min(1).default('SIM'),
  /** Instruments listed by the plugin's instrument provider (`createSimulatedVenue` takes them directly instead). */
  instruments: z.array(configInstrumentSchema).default([]),
  /** Cash per currency at the start, as exact decimals. */
  startingBalances: z.record(z.string().min(1), nonNegativeDecimal).default({ USD: '100000' }),
  /** When false (default), a sell beyond the long position is rejected INSUFFICIENT_FUNDS. A margin account may always be short. */
  allowShort: z.boolean().default(false),
  /**
   * The account: core's account config (cash or margin, base currency, leverage, margin rates,
   * closeout level, rates table). Absent, it is a cash account exactly as before.
   */
  account: accountConfigSchema.prefault({}),
  /**
   * Daily financing (rollover) by instrument id or symbol: annual rates charged on a position's value
   * in the base currency once a day at `dayEndUtcHour`, `longRate` on a long position and `shortRate`
   * on a short one (positive: a charge; negative: paid to us). See FinancingModel. Absent: none.
   */
  financing: z.record(z.string().min(1), z.object({ longRate: decimalText, shortRate: decimalText }).strict()).default({}),
  fees: feesSchema,
  slippage: slippageSchema,
  latency: latencySchema,
  /** When true (default), fills are limited by trade size, quote size and volume share; when false every fill is for the whole remaining quantity. */
  partialFills: z.boolean().default(true),
  /** DAY orders expire at the next occurrence of this hour (UTC) after acceptance. */
  dayEndUtcHour: z.number().int().min(0).max(23).default(0),
  /** Seed of the PRNG used for latency jitter and random faults: same seed, same run. */
  seed: z.number().int().default(1),
  /** Order types this venue accepts; others are rejected ORDER_TYPE_UNSUPPORTED. */
  orderTypes: z.array(z.enum(ORDER_TYPES)).default([...ORDER_TYPES]),
  /** Times in force this venue accepts; others are rejected ORDER_TYPE_UNSUPPORTED. */
  timeInForce: z.array(z.enum(TIME_IN_FORCE)).default([...TIME_IN_FORCE]),
  faults: randomFaultsSchema,
  /** A venue's weighted rate limits (e.g. a plugin manifest's); requests over them are refused with RATE_LIMITED. */
  rateLimits: z
    .array(z.object({ name: z.string().min(1), limit: z.number().positive(), intervalMs: z.number().int().positive(), scope: z.enum(['requests', 'orders']) }).strict())
    .default([]),
  /** Weight of each request against `requests` rules (default 1). */
  requestWeights: z.partialRecord(z.enum(['submit', 'cancel', 'modify', 'order', 'openOrders', 'positions', 'balances', 'fillsSince']), z.number().nonnegative()).default({}),
}).strict();

/** The parsed configuration (every field present). */
export type PaperVenueConfig = z.output<typeof paperVenueConfigSchema>;
/** What a user may write: every field optional. */
export type PaperVenueConfigInput = z.input<typeof paperVenueConfigSchema>;
/** The slippage model in force. */
export type SlippageConfig = PaperVenueConfig['slippage'];

/** Every order type the simulated venue can match. */
export const SUPPORTED_ORDER_TYPES = ORDER_TYPES;
/** Every time in force the simulated venue can handle. */
export const SUPPORTED_TIME_IN_FORCE = TIME_IN_FORCE;
