import { z } from 'zod';
import { reconnectSchema, timeoutsSchema, urlOption } from '@autotrader/venue-kit';

/**
 * The Binance Spot plugin configuration. Testnet is the default: trading real money needs an explicit
 * `mainnet: true`. Secrets are not configuration: they come from the environment (see credentials.ts).
 * Every level is strict: an unknown key (a typo such as `restUrll`) is a zod `unrecognized_keys`
 * error, never ignored, because an ignored URL override silently sends the session to the default
 * endpoint (with `mainnet: true`, real money).
 */
export const binanceConfigSchema = z
  .strictObject({
    /** Trade on the real exchange. False (the default) means the Spot testnet. */
    mainnet: z.boolean().default(false),
    /** Use Binance's demo mode instead of the testnet (ignored when `mainnet` is true: the two conflict). */
    demo: z.boolean().default(false),
    /** Overrides the REST base URL (scheme and host, no `/api/v3`): how tests reach a fake venue. */
    restUrl: urlOption(['http:', 'https:']).optional(),
    /** Overrides the WebSocket API URL (full URL, for example `wss://ws-api.binance.com:443/ws-api/v3`). */
    wsApiUrl: urlOption(['ws:', 'wss:']).optional(),
    /** Overrides the market stream base URL (scheme and host; `/stream` is added when no path is given). */
    streamUrl: urlOption(['ws:', 'wss:']).optional(),
    /** How long after `timestamp` a signed request stays valid at the venue (Binance caps it at 60000). */
    recvWindow: z.number().int().positive().max(60_000).default(5000),
    /** How the API secret signs: an HMAC secret, or an Ed25519 private key (PKCS#8 PEM). */
    keyType: z.enum(['hmac', 'ed25519']).default('hmac'),
    /** Depth of the REST snapshot that seeds a local order book (Binance allows up to 5000). */
    depthSnapshotLimit: z.number().int().min(1).max(5000).default(1000),
    /** The venue kit's shared blocks: the same keys on every venue. */
    timeouts: timeoutsSchema,
    reconnect: reconnectSchema,
  })
  .refine((c) => !(c.mainnet && c.demo), { message: 'mainnet and demo cannot both be true', path: ['demo'] });

/** The configuration as given by the user. */
export type BinanceConfigInput = z.input<typeof binanceConfigSchema>;
/** The configuration after defaults are applied. */
export type BinanceConfig = z.output<typeof binanceConfigSchema>;

/** Parses a configuration, throwing zod's error (which names the bad field) when it is invalid. */
export const parseBinanceConfig = (input: unknown): BinanceConfig => binanceConfigSchema.parse(input);
