import { z } from 'zod';

const wsOrHttpUrl = (protocols: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')} URL`);

/** Reconnect backoff for the WebSocket connections: exponential with jitter. Unknown keys are errors. */
export const reconnectSchema = z
  .strictObject({
    /** Delay before the first reconnect attempt. */
    initialDelayMs: z.number().int().min(0).default(500),
    /** The delay never grows beyond this. */
    maxDelayMs: z.number().int().positive().default(30_000),
    /** Each failed attempt multiplies the delay by this. */
    multiplier: z.number().min(1).default(2),
    /** Fraction of the delay that is randomised (0 = none, 1 = anywhere from 0 to 2× the delay). */
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .prefault({});

/** Time limits for requests and connections. Unknown keys are errors. */
export const timeoutsSchema = z
  .strictObject({
    /** A REST request that has not answered in this time fails with VENUE_TIMEOUT. */
    requestMs: z.number().int().positive().default(10_000),
    /** A WebSocket that has not opened in this time counts as a failed attempt. */
    connectMs: z.number().int().positive().default(10_000),
    /** A WebSocket request (subscribe, user data subscribe) that has not answered in this time fails. */
    wsRequestMs: z.number().int().positive().default(10_000),
    /** We ping the server this often to find dead sockets. */
    pingIntervalMs: z.number().int().positive().default(20_000),
    /** A socket with no frame (data, ping or pong) for this long is treated as dead and reconnected. */
    deadAfterMs: z.number().int().positive().default(60_000),
  })
  .prefault({});

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
    restUrl: wsOrHttpUrl(['http:', 'https:']).optional(),
    /** Overrides the WebSocket API URL (full URL, for example `wss://ws-api.binance.com:443/ws-api/v3`). */
    wsApiUrl: wsOrHttpUrl(['ws:', 'wss:']).optional(),
    /** Overrides the market stream base URL (scheme and host; `/stream` is added when no path is given). */
    streamUrl: wsOrHttpUrl(['ws:', 'wss:']).optional(),
    /** How long after `timestamp` a signed request stays valid at the venue (Binance caps it at 60000). */
    recvWindow: z.number().int().positive().max(60_000).default(5000),
    /** How the API secret signs: an HMAC secret, or an Ed25519 private key (PKCS#8 PEM). */
    keyType: z.enum(['hmac', 'ed25519']).default('hmac'),
    /** Depth of the REST snapshot that seeds a local order book (Binance allows up to 5000). */
    depthSnapshotLimit: z.number().int().min(1).max(5000).default(1000),
    timeouts: timeoutsSchema,
    reconnect: reconnectSchema,
  })
  .refine((c) => !(c.mainnet && c.demo), { message: 'mainnet and demo cannot both be true', path: ['demo'] });

/** The configuration as given by the user. */
export type BinanceConfigInput = z.input<typeof binanceConfigSchema>;
/** The configuration after defaults are applied. */
export type BinanceConfig = z.output<typeof binanceConfigSchema>;
/** Reconnect settings after defaults. */
export type ReconnectConfig = z.output<typeof reconnectSchema>;
/** Timeouts after defaults. */
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;

/** Parses a configuration, throwing zod's error (which names the bad field) when it is invalid. */
export const parseBinanceConfig = (input: unknown): BinanceConfig => binanceConfigSchema.parse(input);
