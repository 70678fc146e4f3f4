import { z } from 'zod';
import { reconnectSchema, timeoutsSchema, urlOption } from '@autotrader/venue-kit';

/**
 * The Coinbase Advanced Trade plugin configuration. Coinbase has no full test venue: `production` is the
 * real exchange (trading it needs `mainnet: true`, which the CLI sets with `--mainnet`), `sandbox` is
 * Coinbase's static REST sandbox (canned answers, no WebSocket) for a smoke test of auth and order
 * shapes. Every level is strict: a misspelt URL option is refused, never replaced by the real endpoint.
 * Secrets are not configuration (credentials.ts).
 */
export const coinbaseConfigSchema = z.strictObject({
  /** Real money: orders on the production exchange are refused unless this is true. */
  mainnet: z.boolean().default(false),
  /** Which Coinbase endpoints: the real exchange (market data is public there) or the static REST sandbox. */
  environment: z.enum(['production', 'sandbox']).default('production'),
  /** Overrides the REST base (scheme and host; paths start with `/api/v3/brokerage`). */
  restUrl: urlOption(['http:', 'https:']).optional(),
  /** Overrides the market-data WebSocket URL. */
  wsUrl: urlOption(['ws:', 'wss:']).optional(),
  /** Overrides the user-channel WebSocket URL (order updates). */
  wsUserUrl: urlOption(['ws:', 'wss:']).optional(),
  /** The venue kit's shared blocks: the same keys on every venue. */
  timeouts: timeoutsSchema,
  reconnect: reconnectSchema,
});

/** The configuration as given by the user. */
export type CoinbaseConfigInput = z.input<typeof coinbaseConfigSchema>;
/** The configuration after defaults are applied. */
export type CoinbaseConfig = z.output<typeof coinbaseConfigSchema>;

/** Parses a configuration, throwing zod's error (which names the bad field) when it is invalid. */
export const parseCoinbaseConfig = (input: unknown): CoinbaseConfig => coinbaseConfigSchema.parse(input);
