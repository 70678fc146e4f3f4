import { z } from 'zod';
import { reconnectSchema, timeoutsSchema, urlOption } from '@autotrader/venue-kit';

/**
 * The OANDA v20 plugin configuration. The practice environment (`api-fxpractice`, `stream-fxpractice`)
 * is the default; the live hosts need `mainnet: true`, which the CLI sets with `--mainnet` (and prints
 * its banner). Every level is strict: a misspelt URL option is refused, never replaced by a real host.
 * The token is not configuration (credentials.ts).
 */
export const oandaConfigSchema = z.strictObject({
  /** Real money: the fxTrade hosts. */
  mainnet: z.boolean().default(false),
  /** Overrides the REST base (scheme and host; paths start with `/v3`). */
  restUrl: urlOption(['http:', 'https:']).optional(),
  /** Overrides the streaming base (pricing and transaction streams). */
  streamUrl: urlOption(['http:', 'https:']).optional(),
  /**
   * The account to trade, `{siteID}-{divisionID}-{userID}-{accountNumber}`. This option wins over the
   * `OANDA_ACCOUNT_ID` environment variable; with neither, the first account `/v3/accounts` lists is used.
   */
  accountId: z
    .string()
    .regex(/^\d+-\d+-\d+-\d+$/, 'must look like 101-004-1435156-001')
    .optional(),
  /** A stream with no line (data or heartbeat) for this long is stalled and is reopened. OANDA sends a heartbeat every 5 s. */
  stallMs: z.number().int().positive().default(10_000),
  /** The venue kit's shared blocks: the same keys on every venue. */
  timeouts: timeoutsSchema,
  reconnect: reconnectSchema,
});

/** The configuration as given by the user. */
export type OandaConfigInput = z.input<typeof oandaConfigSchema>;
/** The configuration after defaults are applied. */
export type OandaConfig = z.output<typeof oandaConfigSchema>;

/** Parses a configuration, throwing zod's error (which names the bad field) when it is invalid. */
export const parseOandaConfig = (input: unknown): OandaConfig => oandaConfigSchema.parse(input);
