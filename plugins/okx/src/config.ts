import { z } from 'zod';
import { reconnectSchema, timeoutsSchema, urlOption } from '@autotrader/venue-kit';

/**
 * The OKX v5 plugin configuration. Demo trading is the default: every REST request carries
 * `x-simulated-trading: 1` and the sockets are the demo hosts; real money needs `mainnet: true`, which
 * the CLI sets with `--mainnet` (and prints its banner). Every level is strict: a misspelt URL option is
 * refused, never replaced by a real endpoint. Secrets are not configuration (credentials.ts).
 */
export const okxConfigSchema = z.strictObject({
  /** Real money: the live environment (no `x-simulated-trading` header, the live socket hosts). */
  mainnet: z.boolean().default(false),
  /** Overrides the REST base (scheme and host; paths start with `/api/v5`). */
  restUrl: urlOption(['http:', 'https:']).optional(),
  /** Overrides the public WebSocket (tickers, trades, books). */
  wsPublicUrl: urlOption(['ws:', 'wss:']).optional(),
  /** Overrides the private WebSocket (login, orders, account, order operations). */
  wsPrivateUrl: urlOption(['ws:', 'wss:']).optional(),
  /** Overrides the business WebSocket (candles). */
  wsBusinessUrl: urlOption(['ws:', 'wss:']).optional(),
  /**
   * How orders are placed, cancelled and amended: over REST, or as operations on the private socket
   * (the same socket that carries the order updates). See README for the measurement behind the default.
   */
  orderTransport: z.enum(['rest', 'ws']).default('ws'),
  /** The venue kit's shared blocks: the same keys on every venue. */
  timeouts: timeoutsSchema,
  reconnect: reconnectSchema,
});

/** The configuration as given by the user. */
export type OkxConfigInput = z.input<typeof okxConfigSchema>;
/** The configuration after defaults are applied. */
export type OkxConfig = z.output<typeof okxConfigSchema>;

/** Parses a configuration, throwing zod's error (which names the bad field) when it is invalid. */
export const parseOkxConfig = (input: unknown): OkxConfig => okxConfigSchema.parse(input);
